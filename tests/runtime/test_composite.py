"""Regions of any shape: interiors by rejection, boundary pieces restricted to a composite
region with its outward normals, N-D balls and ellipses, polygons, points."""

from __future__ import annotations

import math

import pytest
import torch

from pdec.runtime import (
    Ball,
    Boundary,
    Box,
    Difference,
    Ellipsoid,
    EllipsoidSurface,
    Fixed,
    Inside,
    Intersection,
    Point,
    Polygon,
    Polyline,
    Restricted,
    Side,
    Sphere,
    Union,
)
from pdec.runtime.sampling import METHODS

HOLES = [(0.3, 0.3), (-0.3, 0.3), (0.3, -0.3), (-0.3, -0.3)]  # PINNacle's Poisson2d-C
SQUARE = Box({"x": (-0.5, 0.5), "y": (-0.5, 0.5)})


def _plate():
    plate = SQUARE
    for cx, cy in HOLES:
        plate = Difference(plate, Ball({"x": cx, "y": cy}, 0.1))
    return plate


def _generator(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("method", METHODS)
def test_no_point_of_the_plate_lies_in_a_hole(method):
    inside = Inside(_plate())
    points = inside.sample(2000, _generator(), method)
    assert len(points["x"]) == 2000
    assert points["x"].abs().max() <= 0.5 and points["y"].abs().max() <= 0.5
    for cx, cy in HOLES:
        distance = torch.hypot(points["x"] - cx, points["y"] - cy)
        assert distance.min() >= 0.1
    # the accepted fraction is the plate's area over the square's
    assert inside.acceptance == pytest.approx(1 - 4 * math.pi * 0.01, abs=0.015)
    assert inside.measure == pytest.approx(1 - 4 * math.pi * 0.01, abs=0.015)


def test_sobol_points_on_the_plate_are_evenly_spread():
    """Quasi-random draws stay quasi-random after rejection: each quarter of the square
    (one hole in each) gets a quarter of the points to within a few."""
    points = Inside(_plate()).sample(4096, _generator(), "sobol")
    quarters = [
        int(((points["x"] > 0) == right).logical_and((points["y"] > 0) == top).sum())
        for right in (False, True)
        for top in (False, True)
    ]
    assert max(quarters) - min(quarters) <= 40, quarters


def _rim(center, plate):
    return Restricted(Sphere({"x": center[0], "y": center[1]}, 0.1), within=plate, sign=-1)


def test_a_holes_circle_has_its_normal_pointing_into_the_hole():
    plate = _plate()
    points = _rim(HOLES[0], plate).sample(500, _generator())
    dx, dy = points["x"] - 0.3, points["y"] - 0.3
    torch.testing.assert_close(torch.hypot(dx, dy), torch.full((500,), 0.1, dtype=torch.float64))
    torch.testing.assert_close(points["n_x"], -dx / 0.1)
    torch.testing.assert_close(points["n_y"], -dy / 0.1)


def test_circle_points_are_uniform_in_arc_length():
    points = _rim(HOLES[0], _plate()).sample(8000, _generator(), "uniform")
    angle = torch.atan2(points["y"] - 0.3, points["x"] - 0.3)
    counts = torch.histc(angle, bins=8, min=-math.pi, max=math.pi)
    assert (counts - 1000).abs().max() < 5 * math.sqrt(1000)


def _outward(points: dict, region, step: float = 1e-6) -> None:
    """Every point is on ``region``'s boundary and its normal points out: a small step
    back along it is inside, a small step forward is outside."""
    names = region.names
    normal = torch.stack([points[f"n_{name}"] for name in names], dim=1)
    torch.testing.assert_close(
        torch.linalg.vector_norm(normal, dim=1), torch.ones(len(normal), dtype=torch.float64)
    )
    back = {name: points[name] - step * points[f"n_{name}"] for name in names}
    ahead = {name: points[name] + step * points[f"n_{name}"] for name in names}
    assert region.contains(back).all()
    assert not region.contains(ahead).any()


def _faces(box: Box) -> list[Side]:
    """The sides of ``box`` with their outward normals."""
    faces = []
    for name, (lo, hi) in box.bounds.items():
        others = {n: b for n, b in box.bounds.items() if n != name}
        for value, sign in ((lo, -1.0), (hi, 1.0)):
            normal = {n: (sign if n == name else 0.0) for n in box.bounds}
            faces.append(Side(name, value, others, normal))
    return faces


def _sides(box: Box, region) -> list[Restricted]:
    return [Restricted(face, within=region) for face in _faces(box)]


def test_every_piece_of_the_plates_boundary_points_out():
    plate = _plate()
    faces = _sides(SQUARE, plate) + [_rim(c, plate) for c in HOLES]
    boundary = Boundary(faces)
    points = boundary.sample(3000, _generator(), "sobol")
    _outward(points, plate)
    # the pieces share points by length: four sides of 1, four circles of 0.2π
    rims = torch.hypot(points["x"].abs() - 0.3, points["y"].abs() - 0.3) < 0.1 + 1e-9
    assert int(rims.sum()) == pytest.approx(3000 * 0.8 * math.pi / (4 + 0.8 * math.pi), abs=2)


def test_an_l_shapes_inner_corner_faces_point_out():
    big = Box({"x": (0.0, 2.0), "y": (0.0, 2.0)})
    corner = Box({"x": (1.0, 2.0), "y": (1.0, 2.0)})
    shape = Difference(big, corner)
    left, right, bottom, top = _faces(corner)
    inner = [Restricted(face, within=shape, sign=-1) for face in (left, bottom)]
    points = Boundary(_sides(big, shape) + inner).sample(1000, _generator())
    _outward(points, shape)
    # the outer sides are cut where the corner was: no point of x = 2 above y = 1
    assert not ((points["x"] == 2.0) & (points["y"] > 1.0)).any()
    assert inner[0].measure == pytest.approx(1.0)
    assert _sides(big, shape)[1].measure == pytest.approx(1.0, rel=2e-3)
    # the corner's right and top sides lie outside the L
    for face in (right, top):
        with pytest.raises(ValueError, match="no part on the boundary"):
            Restricted(face, within=shape, sign=-1)


def test_overlapping_disks_keep_only_their_outer_arcs():
    left, right = Ball({"x": 0.0, "y": 0.0}, 1.0), Ball({"x": 1.0, "y": 0.0}, 1.0)
    union = Union(left, right)
    faces = [Restricted(Sphere(b.center, 1.0), within=union) for b in (left, right)]
    points = Boundary(faces).sample(600, _generator())
    _outward(points, union)
    # each circle keeps 2/3 of its length (the arc of 240°)
    assert faces[0].acceptance == pytest.approx(2 / 3, abs=0.02)
    lens = Intersection(left, right)
    faces = [Restricted(Sphere(b.center, 1.0), within=lens) for b in (left, right)]
    _outward(Boundary(faces).sample(600, _generator()), lens)
    assert Inside(lens).measure == pytest.approx(2 * math.pi / 3 - math.sqrt(3) / 2, rel=0.03)


def test_balls_in_five_dimensions():
    names = [f"x{k}" for k in range(1, 6)]
    ball = Ball(dict.fromkeys(names, 0.0), 1.0)
    assert ball.proposal_volume == pytest.approx(8 * math.pi**2 / 15)
    inside = Inside(ball, extra={"t": (0.0, 1.0)})
    assert inside.acceptance == 1.0 and inside.names == ("t", *names)
    points = inside.sample(4000, _generator(), "sobol")
    radius = torch.linalg.vector_norm(torch.stack([points[n] for n in names]), dim=0)
    assert radius.max() <= 1.0
    # uniform in the ball: P(r ≤ 1/2) = 2⁻⁵
    assert float((radius <= 0.5).double().mean()) == pytest.approx(1 / 32, abs=0.01)
    sphere = Sphere(dict.fromkeys(names, 0.0), 1.0)
    assert sphere.measure == pytest.approx(8 * math.pi**2 / 3)
    on = sphere.sample(1000, _generator())
    normal = torch.stack([on[f"n_{n}"] for n in names])
    torch.testing.assert_close(normal, torch.stack([on[n] for n in names]))


def test_an_ellipses_perimeter_and_normals():
    surface = EllipsoidSurface({"x": 0.0, "y": 0.0}, {"x": 2.0, "y": 1.0})
    a, b = 2.0, 1.0
    h = ((a - b) / (a + b)) ** 2
    ramanujan = math.pi * (a + b) * (1 + 3 * h / (10 + math.sqrt(4 - 3 * h)))
    assert surface.measure == pytest.approx(ramanujan, rel=3e-3)
    points = surface.sample(500, _generator(), "lhs")
    torch.testing.assert_close(
        (points["x"] / a) ** 2 + (points["y"] / b) ** 2, torch.ones(500, dtype=torch.float64)
    )
    _outward(points, Ellipsoid({"x": 0.0, "y": 0.0}, {"x": a, "y": b}))


def test_a_polygons_edges_point_out():
    triangle = Polygon([(0, 0), (0, 1), (1, 0)])  # clockwise: its edges are given reversed
    inside = Inside(triangle).sample(500, _generator())
    assert ((inside["x"] >= 0) & (inside["y"] >= 0) & (inside["x"] + inside["y"] <= 1)).all()
    edges = [Polyline([(0, 0), (1, 0)]), Polyline([(1, 0), (0, 1)]), Polyline([(0, 1), (0, 0)])]
    points = Boundary(edges).sample(300, _generator())
    _outward(points, triangle)
    assert Inside(triangle).measure == pytest.approx(0.5, abs=0.02)


def test_points_and_fixed_times():
    pin = Point({"x": 0.0, "y": 0.5}, extra={"t": (0.0, 2.0)})
    points = pin.sample(5, _generator())
    assert pin.names == ("t", "x", "y") and points["y"].tolist() == [0.5] * 5
    assert 0 <= points["t"].min() and points["t"].max() <= 2
    initial = Fixed("t", 0.0, Inside(_plate()))
    points = initial.sample(100, _generator())
    assert points["t"].eq(0).all() and len(points["x"]) == 100


def test_an_empty_region_is_an_error_not_a_hang():
    with pytest.raises(ValueError, match="looks empty"):
        Inside(Difference(SQUARE, Box({"x": (-1, 1), "y": (-1, 1)})))


def test_pilot_draws_leave_the_training_stream_alone():
    generator = _generator()
    state = generator.get_state()
    Inside(_plate())
    Restricted(Sphere({"x": 0.3, "y": 0.3}, 0.1), within=_plate(), sign=-1)
    assert torch.equal(generator.get_state(), state)
    first = Inside(_plate()).sample(10, _generator(5))
    second = Inside(_plate()).sample(10, _generator(5))
    assert torch.equal(first["x"], second["x"])
