"""The PINN target's geometry (issue 15): each region samples its own extent, composite
regions with holes and their boundary pieces, N-D balls, joined curves and point
conditions."""

from __future__ import annotations

import math

import pytest
import sympy
import torch

import pdec
from pdec.compiler import generate_module, import_module, write_module

TWO_BOXES = """model two_boxes
region a = box(x in [0, 1], y in [0, 1])
region b = box(x in [1, 2], y in [0, 2])
field u(x, y)
pde inside_a: lap(u) = 0   in a
bc  top_b:    u = 1        on b.top
bc  left_a:   u = 0        on a.left
"""

PLATE = """model plate_holes
region square = box(x in [-0.5, 0.5], y in [-0.5, 0.5])
region hole1 = disk((0.3, 0.3), 0.1)
region hole2 = disk((-0.3, -0.3), 0.1)
region plate = square - hole1 - hole2
time t in [0, 1]
field u(t, x, y)
pde heat: dt(u) = lap(u) in plate
ic start: u = 0 at t = 0
bc outer: u = 1 on plate.square
bc rim: dn(u) = 0 on plate.hole1
bc rims: u = 0 on plate.hole1 | plate.hole2
bc pin: u = 1 at (0, 0)
"""

L_SHAPE = """model l_shape
region big = box(x in [0, 2], y in [0, 2])
region corner = box(x in [1, 2], y in [1, 2])
region channel = big - corner
field u(x, y)
pde p: lap(u) = 1 in channel
bc walls: u = 0 on channel.right
"""


def _model(text: str, tmp_path, name: str = "spec.pde"):
    module = generate_module(pdec.loads(text, name), "pinn")
    path = write_module(module, tmp_path)
    return getattr(import_module(path, module.module_name), module.class_name)(), module.source


def _sample(model, name: str, n: int = 400, method: str = "uniform"):
    return model.samplers()[name].sample(n, torch.Generator().manual_seed(0), method)


def test_each_region_samples_its_own_box_not_the_hull(tmp_path):
    model, _ = _model(TWO_BOXES, tmp_path)
    inside = _sample(model, "inside_a")
    assert inside["x"].max() <= 1 and inside["y"].max() <= 1
    top = _sample(model, "top_b")
    assert top["y"].eq(2).all() and top["x"].min() >= 1 and top["x"].max() <= 2
    left = _sample(model, "left_a")
    assert left["x"].eq(0).all() and left["y"].max() <= 1


def test_a_plate_with_holes_compiles_and_samples_exactly(tmp_path):
    model, source = _model(PLATE, tmp_path)
    assert "plate = Difference(Difference(square, hole1), hole2)" in source
    for method in ("uniform", "sobol", "lhs"):
        heat = _sample(model, "heat", 1000, method)
        for cx, cy in ((0.3, 0.3), (-0.3, -0.3)):
            assert torch.hypot(heat["x"] - cx, heat["y"] - cy).min() >= 0.1
        assert heat["t"].min() >= 0 and heat["t"].max() <= 1
    start = _sample(model, "start")
    assert start["t"].eq(0).all()
    assert torch.hypot(start["x"] - 0.3, start["y"] - 0.3).min() >= 0.1
    outer = _sample(model, "outer")
    assert ((outer["x"].abs() == 0.5) | (outer["y"].abs() == 0.5)).all()
    assert model.pde_terms() == ("heat",)


def test_a_holes_rim_has_the_plates_outward_normal(tmp_path):
    spec = pdec.loads(PLATE, "plate.pde")
    rim = spec.ir.lookup("equations", "rim")
    x, y = sympy.symbols("x y")
    # dn(u) on the rim is the derivative into the hole: n = −(x − 0.3, y − 0.3)/0.1
    u_x, u_y = (sympy.Derivative(sympy.Function("u")(sympy.Symbol("t"), x, y), v) for v in (x, y))
    expected = -(x - sympy.Rational(3, 10)) * 10 * u_x - (y - sympy.Rational(3, 10)) * 10 * u_y
    assert sympy.simplify(rim.lhs - expected) == 0
    model, _ = _model(PLATE, tmp_path)
    rims = _sample(model, "rims", 1000)
    for cx, cy in ((0.3, 0.3), (-0.3, -0.3)):
        on = torch.hypot(rims["x"] - cx, rims["y"] - cy) < 0.1 + 1e-9
        assert 400 < int(on.sum()) < 600  # the two circles share the points by length
        radial = ((rims["x"] - cx) * rims["n_x"] + (rims["y"] - cy) * rims["n_y"])[on]
        torch.testing.assert_close(radial, torch.full_like(radial, -0.1))


def test_pdec_show_names_the_pieces():
    spec = pdec.loads(PLATE, "plate.pde")
    pieces = spec.ir.lookup("equations", "outer").location.boundary.pieces
    assert [p.side for p in pieces] == [
        "square.left",
        "square.right",
        "square.bottom",
        "square.top",
    ]
    assert {p.within for p in pieces} == {spec.ir.lookup("regions", "plate").shape}
    everything = pdec.loads(PLATE.replace("on plate.square", "on plate.boundary"), "p.pde")
    sides = [p.side for p in everything.ir.lookup("equations", "outer").location.boundary.pieces]
    assert sides == ["square.left", "square.right", "square.bottom", "square.top", "hole1", "hole2"]


def test_faces_named_by_direction_on_an_l_shape(tmp_path):
    spec = pdec.loads(L_SHAPE, "l.pde")
    pieces = spec.ir.lookup("equations", "walls").location.boundary.pieces
    # the big box's right side, and the corner's left side (facing +x once subtracted)
    assert [(p.side, p.normal) for p in pieces] == [("big.right", (1, 0)), ("corner.left", (1, 0))]
    model, _ = _model(L_SHAPE, tmp_path)
    walls = _sample(model, "walls", 1000)
    assert walls["n_x"].eq(1).all()
    on_big = walls["x"] == 2
    assert walls["y"][on_big].max() <= 1 and walls["y"][~on_big].min() >= 1
    assert int(on_big.sum()) == pytest.approx(500, abs=20)
    inside = _sample(model, "p", 1000)
    assert not ((inside["x"] > 1) & (inside["y"] > 1)).any()


def test_a_point_condition_is_its_own_loss_term(tmp_path):
    model, source = _model(PLATE, tmp_path)
    assert '"pin": Point({"x": 0, "y": 0}, extra={"t": (0, 1)})' in source
    pin = _sample(model, "pin", 8)
    assert pin["x"].eq(0).all() and pin["y"].eq(0).all() and pin["t"].std() > 0
    history = model.fit(steps=2, lbfgs_steps=0, points=64, boundary_points=16, compile=False)
    assert "pin" in history.records[-1].terms


def test_joined_curves_are_one_boundary(tmp_path):
    text = """model curves
region box1 = box(x in [0, 2], y in [0, 1])
curve c1 = segment((0.5, 0), (0.5, 1))
curve c2 = polyline((1, 0), (1, 0.5), (1.5, 0.5))
field u(x, y)
pde p: lap(u) = 0 in box1
bc walls: u = 0 on c1 | c2 | box1.left
"""
    model, _ = _model(text, tmp_path)
    points = _sample(model, "walls", 1000)
    on_c1 = points["x"] == 0.5
    on_left = points["x"] == 0
    on_c2 = ~on_c1 & ~on_left
    # lengths 1, 1, and 0.5 + 0.5: a third each
    for piece in (on_c1, on_left, on_c2):
        assert int(piece.sum()) == pytest.approx(333, abs=2)
    assert ((points["x"][on_c2] == 1) | (points["y"][on_c2] == 0.5)).all()


def test_a_ball_in_five_dimensions_needs_no_box(tmp_path):
    text = """model ball5
region orb = ball((0, 0, 0, 0, 0), 1)
field u(x1, x2, x3, x4, x5)
pde p: lap(u) = 1 in orb
bc wall: u = 0 on orb.boundary
"""
    model, _ = _model(text, tmp_path)
    names = [f"x{k}" for k in range(1, 6)]
    inside = _sample(model, "p", 500, "sobol")
    radius = torch.linalg.vector_norm(torch.stack([inside[n] for n in names]), dim=0)
    assert radius.max() <= 1
    wall = _sample(model, "wall", 100)
    normal = torch.stack([wall[f"n_{n}"] for n in names])
    torch.testing.assert_close(normal, torch.stack([wall[n] for n in names]))


def test_ellipses_and_polygons_compile(tmp_path):
    text = """model shapes
region lens = ellipse((0, 0), (2, 1)) - polygon((0, 0), (1, 0), (0, 0.5))
field u(x, y)
pde p: lap(u) = 1 in lens
bc wall: u = 0 on lens.boundary
"""
    model, source = _model(text, tmp_path)
    assert "Ellipsoid(" in source and "Polygon(" in source and "EllipsoidSurface(" in source
    wall = _sample(model, "wall", 2000)
    on_ellipse = (wall["x"] / 2) ** 2 + wall["y"] ** 2 > 1 - 1e-9
    # perimeter of the ellipse ≈ 9.688, the triangle's edges 1 + 0.5 + √1.25 ≈ 2.618
    assert int(on_ellipse.sum()) / 2000 == pytest.approx(9.688 / (9.688 + 2.618), abs=0.01)
    # the triangle's hypotenuse faces the origin's side away from the lens: into the hole
    hypotenuse = ~on_ellipse & (wall["x"] > 0) & (wall["y"] > 0)
    normal = torch.stack([wall["n_x"][hypotenuse], wall["n_y"][hypotenuse]])
    torch.testing.assert_close(
        normal,
        torch.tensor([[-0.5], [-1.0]], dtype=torch.float64).expand_as(normal) / math.sqrt(1.25),
    )


def test_missing_composite_side_is_a_located_error():
    with pytest.raises(pdec.SpecError) as caught:
        pdec.loads(PLATE.replace("on plate.square", "on plate.hole3"), "plate.pde")
    assert caught.value.span.line == 10
    assert "no side 'hole3'" in str(caught.value)


def test_pinn_target_errors_are_located():
    text = """model needs_operator
region sq = box(x in [0, 1], y in [0, 1])
input a(x, y)
field u(x, y)
pde p: lap(u) = a in sq
"""
    with pytest.raises(pdec.UnsupportedError) as caught:
        generate_module(pdec.loads(text, "op.pde"), "pinn")
    assert caught.value.span is not None and caught.value.span.line == 3
    assert "(coming)" not in str(caught.value)
