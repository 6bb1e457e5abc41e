"""The operator target's graph neural operator (``architecture="gno"``): data at
scattered points (made, saved, read back, checked), the generated class on point
clouds (shapes, the built-in boundary exact at boundary points, equivariance), and
the options it refuses."""

import numpy as np
import pytest
import torch

import pdec
from pdec.errors import SpecError
from pdec.reference.operator_data import (
    OperatorData,
    OperatorDataError,
    at_points,
    generate_operator_data,
    load_operator_data,
)
from pdec.runtime.errors import GridShapeError, OptionsError
from pdec.runtime.operator.training import train_epochs

TINY = {"architecture": "gno", "width": 8, "kernel_width": 8, "layers": 2}


@pytest.fixture(scope="module")
def darcy():
    return pdec.load("specs/darcy.pde")


@pytest.fixture(scope="module")
def Model(darcy, tmp_path_factory):
    return pdec.compile(darcy, target="operator", out_dir=tmp_path_factory.mktemp("gno"))


def linear_grid_data(n=2) -> OperatorData:
    """Inputs and outputs u = 2x − 3y + k on a 9×5 grid: bilinear reading is exact."""
    x, y = np.linspace(0, 1, 9), np.linspace(0, 1, 5)
    X, Y = np.meshgrid(x, y, indexing="ij")
    u = np.stack([2 * X - 3 * Y + k for k in range(n)])[:, None]
    return OperatorData(
        inputs=u.copy(), outputs=u, input_names=("a",), output_names=("u",),
        space=("x", "y"), coordinates=(x, y), domain=((0.0, 1.0), (0.0, 1.0)),
        periodic=(False, False),
    )  # fmt: skip


def test_reading_at_points_reproduces_a_linear_field_exactly():
    scattered = at_points(linear_grid_data(), 30, seed=3)
    assert scattered.points.shape == (2, 30, 2) and scattered.outputs.shape == (2, 1, 30)
    x, y = scattered.points[..., 0], scattered.points[..., 1]
    expected = 2 * x - 3 * y + np.arange(2)[:, None]
    np.testing.assert_allclose(scattered.outputs[:, 0], expected, atol=1e-12)
    # each pair gets its own points
    assert not np.allclose(scattered.points[0], scattered.points[1])


def test_darcy_points_keep_the_two_phases_of_a(darcy):
    data = generate_operator_data(darcy, 3, 17, seed=1, points=50)
    assert data.scattered and data.inputs.shape == (3, 1, 50) and data.points.shape == (3, 50, 2)
    # a is thresholded to 3 and 12: read at the nearest node, never in between
    assert set(np.unique(data.inputs)) <= {3.0, 12.0}
    assert "read at 50 uniform random points" in data.solver


def test_scattered_data_round_trip_through_the_npz_file(darcy, tmp_path):
    data = generate_operator_data(darcy, 2, 9, seed=0, points=20)
    again = load_operator_data(data.save(tmp_path / "points.npz"), spec=darcy)
    np.testing.assert_array_equal(again.points, data.points)
    np.testing.assert_array_equal(again.outputs, data.outputs)
    assert again.scattered and again.grid == (20,) and again.coordinates == ()


def test_a_grid_as_points_lists_every_node_with_its_value():
    grid = linear_grid_data()
    cloud = grid.as_points()
    assert cloud.points.shape == (2, 45, 2) and cloud.inputs.shape == (2, 1, 45)
    x, y = cloud.points[0, :, 0], cloud.points[0, :, 1]
    np.testing.assert_allclose(cloud.outputs[0, 0], 2 * x - 3 * y)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.update(points=a["points"] + 2.0), "points leave the domain"),
        (lambda a: a.update(points=a["points"][:, :10]), "do not pair up"),
        (lambda a: a.update(points=a["points"][..., :1]), "points in 1 dimensions"),
        (lambda a: a.update(points=a["points"][0]), "expected (instances, points, space dims)"),
    ],
    ids=["outside", "count", "dimensions", "no-instance-axis"],
)
def test_bad_points_are_a_located_data_error(darcy, tmp_path, change, message):
    data = generate_operator_data(darcy, 2, 9, seed=0, points=20)
    arrays = dict(np.load(data.save(tmp_path / "good.npz")))
    change(arrays)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(OperatorDataError) as caught:
        load_operator_data(tmp_path / "bad.npz", spec=darcy)
    assert isinstance(caught.value, SpecError)
    assert message in str(caught.value) and caught.value.hint


def test_the_gno_maps_a_cloud_of_any_size_with_the_boundary_built_in(Model):
    model = Model(**TINY)
    for count in (30, 120):
        points = torch.rand(2, count, 2, generator=torch.Generator().manual_seed(count))
        points[:, :5, 0] = 0.0  # five points on the wall x = 0 (u = 0 there)
        a = torch.randn(2, 1, count)
        u = model(a, points)
        assert u.shape == (2, 1, count)
        assert torch.all(u[:, 0, :5] == 0) and torch.all(u[:, 0, 5:] != 0)
    # one cloud (P, dims) shared by the batch
    assert model(torch.randn(3, 1, 40), torch.rand(40, 2)).shape == (3, 1, 40)


def test_the_generated_gno_is_equivariant_to_the_order_of_the_points(Model):
    model = Model(**TINY)
    points, a = torch.rand(1, 50, 2), torch.randn(1, 1, 50)
    order = torch.randperm(50)
    with torch.no_grad():
        u = model(a, points)
        permuted = model(a[:, :, order], points[:, order])
    torch.testing.assert_close(permuted, u[:, :, order])


def test_the_radius_is_in_the_spec_units_and_defaults_to_a_fraction_of_the_box(Model):
    assert Model(**TINY).config["radius"] == pytest.approx(0.15)
    assert Model(**TINY, radius=0.3).gno.radius == pytest.approx(0.3)  # the unit square


def test_training_on_points_lowers_the_loss_and_evaluates(Model, darcy):
    data = generate_operator_data(darcy, 6, 9, seed=0, points=40)
    model = Model(**TINY)
    history = model.fit(data.inputs, data.outputs, points=data.points, epochs=12,
                        batch_size=2, lr=1e-2)  # fmt: skip
    losses = [r.terms["data"] for r in history.records]
    assert losses[-1] < 0.7 * losses[0]
    error = model.evaluate(data.inputs, data.outputs, points=data.points)
    assert error == pytest.approx(
        float(np.mean(np.linalg.norm(model.predict(data.inputs, points=data.points)
                                     - data.outputs, axis=(1, 2))
                      / np.linalg.norm(data.outputs, axis=(1, 2)))), rel=1e-5)  # fmt: skip


@pytest.mark.parametrize(
    ("build", "call", "error", "message"),
    [
        (TINY, lambda m: m(torch.randn(1, 1, 10)), GridShapeError, "needs the points"),
        (TINY, lambda m: m(torch.randn(1, 1, 10), torch.rand(1, 9, 2)), GridShapeError,
         "expected (1, 10, 2)"),
        ({}, lambda m: m(torch.randn(1, 1, 8, 8), torch.rand(1, 64, 2)), GridShapeError,
         "reads inputs on a grid"),
        (TINY, lambda m: m.fit(torch.randn(2, 1, 10), torch.randn(2, 1, 10),
                               points=torch.rand(2, 10, 2), physics=0.1), OptionsError,
         "residual is evaluated on a grid"),
        ({"architecture": "gcn"}, None, OptionsError, "one of fno, gno"),
        ({**TINY, "radius": 0}, None, OptionsError, "radius"),
        ({**TINY, "kernel_width": 0}, None, OptionsError, "kernel_width"),
        ({**TINY, "max_neighbours": 0}, None, OptionsError, "max_neighbours=0"),
    ],
    ids=["no-points", "points-shape", "fno-with-points", "physics", "architecture", "radius",
         "kernel-width", "max-neighbours"],
)  # fmt: skip
def test_what_the_gno_refuses(Model, build, call, error, message):
    with pytest.raises(error) as caught:
        model = Model(**build)
        call(model)
    assert message in str(caught.value)


def test_a_ring_has_no_gno_yet(tmp_path):
    ring = pdec.compile(pdec.load("specs/burgers_ring.pde"), target="operator", out_dir=tmp_path)
    with pytest.raises(OptionsError, match="does not wrap around periodic axes"):
        ring(**TINY)


def test_a_gno_resumed_run_repeats_the_straight_one(Model, darcy):
    data = generate_operator_data(darcy, 4, 9, seed=0, points=30)
    a, u = torch.as_tensor(data.inputs).float(), torch.as_tensor(data.outputs).float()
    points = torch.as_tensor(data.points).float()
    options = dict(epochs=3, batch_size=2, lr=1e-2, points=points)
    straight = Model(**TINY)
    straight._set_scales(a, u)
    train_epochs(straight, a, u, **options)
    saved = []
    first = Model(**TINY)
    first._set_scales(a, u)
    train_epochs(first, a, u, **{**options, "epochs": 1}, save=saved.append)
    resumed = Model(**TINY)
    resumed.load_state_dict(saved[-1]["state"])
    train_epochs(resumed, a, u, **options, start=saved[-1])
    for p, q in zip(straight.parameters(), resumed.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-7)
