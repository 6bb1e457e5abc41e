import math

import pytest
import torch

from pdec.runtime import Box, Polyline, Side, Sides, Slice
from pdec.runtime.sampling import allocate, unit_cube

METHODS = ["uniform", "sobol", "lhs"]


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


def crust_sides():
    """The four sides of the box x in [-10, 10], y in [-10, 0], outward normals."""
    return [
        Side("y", 0.0, {"x": (-10, 10)}, {"x": 0.0, "y": 1.0}),
        Side("y", -10.0, {"x": (-10, 10)}, {"x": 0.0, "y": -1.0}),
        Side("x", -10.0, {"y": (-10, 0)}, {"x": -1.0, "y": 0.0}),
        Side("x", 10.0, {"y": (-10, 0)}, {"x": 1.0, "y": 0.0}),
    ]


@pytest.mark.parametrize("method", METHODS)
def test_box_points_lie_inside_and_are_float64(method):
    box = Box({"t": (0, 1), "x": (-1, 3)})
    points = box.sample(257, generator(), method)
    assert box.names == ("t", "x") and sorted(points) == ["t", "x"]
    for name, (lo, hi) in box.bounds.items():
        values = points[name]
        assert values.shape == (257,) and values.dtype == torch.float64
        assert values.device.type == "cpu"
        assert lo <= values.min() and values.max() <= hi


@pytest.mark.parametrize("method", METHODS)
def test_same_generator_state_gives_same_points(method):
    box = Box({"x": (0, 1), "y": (0, 2)})
    first = box.sample(64, generator(3), method)
    again = box.sample(64, generator(3), method)
    other = box.sample(64, generator(4), method)
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not torch.equal(first["x"], other["x"])


def test_low_discrepancy_methods_cover_the_strata():
    n = 64
    lhs = unit_cube(n, 3, generator(), "lhs")
    for column in lhs.T:
        assert sorted((column * n).floor().int().tolist()) == list(range(n))
    sobol = unit_cube(n, 2, generator(), "sobol")
    # a scrambled Sobol net puts exactly one point in each of 8 x 8 cells
    cells = {(int(a * 8), int(b * 8)) for a, b in sobol.tolist()}
    assert len(cells) == n


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="sobol"):
        unit_cube(4, 1, generator(), "halton")


@pytest.mark.parametrize(
    "n, measures", [(10, [1, 1, 2]), (7, [1, 1, 1]), (0, [2, 3]), (1000, [0.1, 0.7, 0.2])]
)
def test_allocate_adds_up_and_is_proportional(n, measures):
    counts = allocate(n, measures)
    assert sum(counts) == n
    total = sum(measures)
    assert all(abs(c - n * m / total) < 1 for c, m in zip(counts, measures))


@pytest.mark.parametrize("method", METHODS)
def test_sides_lie_on_their_side_with_outward_normals(method):
    sides = Sides(crust_sides())
    points = sides.sample(600, generator(), method)
    assert sides.names == ("y", "x")
    assert sorted(points) == ["n_x", "n_y", "x", "y"]
    x, y, n_x, n_y = points["x"], points["y"], points["n_x"], points["n_y"]
    top = y == 0.0
    bottom = y == -10.0
    left = (x == -10.0) & ~top & ~bottom
    right = (x == 10.0) & ~top & ~bottom
    # every point is on exactly one side, counts in proportion to length 20:20:10:10
    assert [int(mask.sum()) for mask in (top, bottom, left, right)] == [200, 200, 100, 100]
    assert bool((n_y[top] == 1).all() and (n_x[top] == 0).all())
    assert bool((n_y[bottom] == -1).all())
    assert bool((n_x[left] == -1).all() and (n_y[left] == 0).all())
    assert bool((n_x[right] == 1).all())
    assert bool(((x >= -10) & (x <= 10) & (y >= -10) & (y <= 0)).all())
    # the normal points out of the box: a small step along it leaves the box
    outside = (x + 0.1 * n_x).abs().gt(10) | (y + 0.1 * n_y).gt(0) | (y + 0.1 * n_y).lt(-10)
    assert bool(outside.all())


def test_sides_of_an_interval_with_time_on_top():
    walls = Sides(
        [Side("x", -1.0, {}, {"x": -1.0}), Side("x", 1.0, {}, {"x": 1.0})], extra={"t": (0, 1)}
    )
    points = walls.sample(100, generator())
    assert walls.names == ("x", "t")
    assert sorted(points) == ["n_x", "t", "x"]
    assert int((points["x"] == -1).sum()) == 50
    assert torch.equal(points["n_x"], points["x"])
    assert bool(((points["t"] >= 0) & (points["t"] <= 1)).all())


def test_sides_must_cover_the_same_coordinates():
    with pytest.raises(ValueError, match="different coordinates"):
        Sides([Side("x", 0.0, {}, {"x": -1.0}), Side("y", 0.0, {"x": (0, 1)}, {"y": 1.0})])


@pytest.mark.parametrize("method", METHODS)
def test_polyline_points_lie_on_segments_with_clockwise_normals(method):
    corners = [(0.0, 0.0), (3.0, 0.0), (3.0, 1.0)]  # lengths 3 and 1
    line = Polyline(corners, names=("a", "b"), extra={"t": (0, 2)})
    points = line.sample(400, generator(), method)
    assert line.names == ("a", "b", "t")
    assert sorted(points) == ["a", "b", "n_a", "n_b", "t"]
    a, b = points["a"], points["b"]
    first = (b == 0.0) & (a < 3.0)
    second = a == 3.0
    assert int(first.sum()) + int(second.sum()) == 400
    assert abs(int(first.sum()) - 300) <= 1
    # tangent (1, 0) turned clockwise is (0, -1); tangent (0, 1) gives (1, 0)
    assert bool((points["n_a"][first] == 0).all() and (points["n_b"][first] == -1).all())
    assert bool((points["n_a"][second] == 1).all() and (points["n_b"][second] == 0).all())
    assert bool(((b >= 0) & (b <= 1) & (points["t"] >= 0) & (points["t"] <= 2)).all())


def test_polyline_normals_are_unit_for_slanted_segments():
    line = Polyline([(0, 0), (1, 1), (3, 0)])
    points = line.sample(50, generator())
    norm = torch.hypot(points["n_x"], points["n_y"])
    assert torch.allclose(norm, torch.ones_like(norm))
    on_first = points["x"] <= 1
    assert torch.allclose(points["y"][on_first], points["x"][on_first])
    assert torch.allclose(points["n_x"][on_first], torch.full_like(norm[on_first], 0.5**0.5))
    assert math.isclose(line.measure, 2**0.5 + 5**0.5)


def test_slice_holds_its_coordinate_exactly():
    initial = Slice("t", 0.0, {"x": (-1, 1)})
    points = initial.sample(33, generator(), "sobol")
    assert initial.names == ("t", "x")
    assert bool((points["t"] == 0.0).all())
    assert bool(((points["x"] >= -1) & (points["x"] <= 1)).all())
    assert points["x"].unique().numel() == 33


# -- crowding about a point, whole circles (the lifted fault's pole) ----------------------


def test_about_point_keeps_points_in_the_box_and_crowds_the_share_asked():
    from pdec.runtime import AboutPoint

    box = Box({"x": (-10, 10), "y": (-10, 0)})
    near = AboutPoint(box, {"x": 0.0, "y": -1.0}, radius=3.0, fraction=0.2, r_min=1e-3)
    points = near.sample(5000, generator())
    assert sorted(points) == ["x", "y"] and len(points["x"]) == 5000
    assert points["x"].abs().max() <= 10 and points["y"].min() >= -10 and points["y"].max() <= 0
    r = torch.hypot(points["x"], points["y"] + 1.0)
    # uniform points within r < 0.1 of the pole: 5000 · π 0.01 / 200 ≈ 0.8; crowded:
    # 1000 · log(0.1/1e-3) / log(3/1e-3) ≈ 575 (minus those rejected above y = 0: none)
    assert 500 < int((r < 0.1).sum()) < 650
    assert r.min() >= 1e-3 - 1e-12
    assert near.region is box and near.measure == box.measure


def test_about_point_rejects_crowded_points_outside_the_box():
    from pdec.runtime import AboutPoint

    # the pole 0.5 below the top: half of a circle of radius 2 is outside
    near = AboutPoint(Box({"x": (-10, 10), "y": (-10, 0)}), {"x": 0.0, "y": -0.5}, 2.0, 1.0)
    points = near.sample(2000, generator())
    assert len(points["y"]) == 2000 and points["y"].max() <= 0


def test_circles_are_whole_and_their_means_integrate():
    from pdec.runtime import Circles

    circles = Circles({"x": 0.0, "y": -1.0}, 1e-3, 1.0)
    points = circles.sample(1000, generator())  # rounded up to whole circles
    k = -(-1000 // Circles.PER_CIRCLE)
    assert len(points["x"]) == k * Circles.PER_CIRCLE
    x, y = points["x"], points["y"] + 1.0
    radii = torch.hypot(x, y).reshape(k, Circles.PER_CIRCLE)
    assert torch.allclose(radii, radii[:, :1].expand_as(radii), rtol=1e-12)
    assert 1e-3 <= radii.min() and radii.max() <= 1.0
    assert radii[:, 0].diff().min() > 0  # log-stratified: increasing
    # (1/2π)∮ f dθ on each circle: cos θ → 0, 1 → 1, x² / r² = sin² → 1/2
    assert Circles.means(x / radii.reshape(-1)).abs().max() < 1e-13
    assert torch.allclose(Circles.means(torch.ones_like(x)), torch.ones(k, dtype=torch.float64))
    assert torch.allclose(
        Circles.means(x**2 / radii.reshape(-1) ** 2), torch.full((k,), 0.5, dtype=torch.float64)
    )
