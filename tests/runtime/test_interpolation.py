"""Coefficient tables (pdec.runtime.interpolation): multilinear interpolation is exact
for (multi)linear fields, and so are its derivatives; grids are found in points,
scattered points are triangulated; bad files and tables that do not cover the domain
are one-line DataFileErrors."""

import numpy as np
import pytest
import torch

from pdec.runtime import CoefficientTable, DataFileError, GridInterpolator
from pdec.runtime.interpolation import SUFFIXES


def bilinear(x, y):
    return 1 + 2 * x - 0.5 * y + 0.75 * x * y


def _random_points(n=200, seed=0, box=((0.0, 1.0), (0.0, 2.0))):
    generator = torch.Generator().manual_seed(seed)
    return [
        lo + (hi - lo) * torch.rand(n, generator=generator, dtype=torch.float64) for lo, hi in box
    ]


def _grid_interpolator(field=bilinear):
    # uneven spacing: a rectilinear grid, not only a uniform one
    x = torch.tensor([0.0, 0.1, 0.35, 0.6, 1.0], dtype=torch.float64)
    y = torch.tensor([0.0, 0.5, 1.2, 2.0], dtype=torch.float64)
    return GridInterpolator((x, y), field(x[:, None], y[None, :]), ("x", "y"))


def test_a_bilinear_field_is_reproduced_exactly_with_its_derivatives():
    k = _grid_interpolator()
    x, y = _random_points()
    x.requires_grad_(True)
    y.requires_grad_(True)
    value = k({"x": x, "y": y})
    assert torch.allclose(value, bilinear(x, y), atol=1e-13)
    k_x, k_y = torch.autograd.grad(value.sum(), (x, y), create_graph=True)
    assert torch.allclose(k_x, 2 + 0.75 * y, atol=1e-13)
    assert torch.allclose(k_y, -0.5 + 0.75 * x, atol=1e-13)
    (k_xy,) = torch.autograd.grad(k_x.sum(), (y,), create_graph=True)
    assert torch.allclose(k_xy, torch.full_like(y, 0.75), atol=1e-13)


def test_the_derivative_is_the_neighbours_difference_interpolated_across():
    """k = x² is not bilinear: k_x is the slope of the cell, the same at any y."""
    k = _grid_interpolator(lambda x, y: x**2 + 0 * y)
    x = torch.tensor([0.2, 0.2], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0.3, 1.9], dtype=torch.float64)
    (k_x,) = torch.autograd.grad(k({"x": x, "y": y}).sum(), (x,))
    assert torch.allclose(k_x, torch.full_like(y, (0.35**2 - 0.1**2) / 0.25), atol=1e-13)


def test_a_trilinear_field_in_three_dimensions():
    axes = [torch.linspace(0, 1, n, dtype=torch.float64) for n in (3, 4, 5)]
    X, Y, Z = torch.meshgrid(*axes, indexing="ij")
    k = GridInterpolator(axes, 1 + X - Y * Z + X * Y * Z, ("x", "y", "z"))
    x, y, z = _random_points(box=((0, 1), (0, 1), (0, 1)))
    assert torch.allclose(k({"x": x, "y": y, "z": z}), 1 + x - y * z + x * y * z, atol=1e-13)


def test_the_grid_follows_the_model_to_another_dtype():
    k = _grid_interpolator().to(torch.float32)
    x, y = (c.float() for c in _random_points())
    value = k({"x": x, "y": y})
    assert value.dtype == torch.float32
    assert torch.allclose(value, bilinear(x, y), atol=1e-5)
    assert k.state_dict() == {}  # the table is data, read again from its file


def _write_csv(path, x, y, k, header="x,y,k"):
    rows = "\n".join(f"{float(a)!r},{float(b)!r},{float(c)!r}" for a, b, c in zip(x, y, k))
    path.write_text(f"{header}\n{rows}\n")


def _grid_points(nx=6, ny=5, shuffle=True):
    x, y = np.meshgrid(np.linspace(0, 1, nx), np.linspace(0, 2, ny), indexing="ij")
    x, y = x.ravel(), y.ravel()
    if shuffle:
        order = np.random.default_rng(0).permutation(len(x))
        x, y = x[order], y[order]
    return x, y, bilinear(x, y)


def _check_reproduces(k):
    x, y = _random_points()
    assert torch.allclose(k({"x": x, "y": y}), bilinear(x, y), atol=1e-12)


def test_a_csv_of_grid_points_in_any_order_is_that_grid(tmp_path):
    _write_csv(tmp_path / "k.csv", *_grid_points())
    k = CoefficientTable("k.csv", ("x", "y")).load("k", tmp_path, {"x": (0, 1), "y": (0, 2)})
    assert [len(a) for a in k.axes()] == [6, 5]
    _check_reproduces(k)


def test_a_comsol_text_export_is_read_by_position(tmp_path):
    x, y, values = _grid_points(shuffle=False)
    lines = ["% Model:  heat.mph", "% Dimension: 2", "% x  y  k (W/(m*K))"]
    lines += [f"{a:.12g}   {b:.12g}   {c:.12g}" for a, b, c in zip(x, y, values)]
    (tmp_path / "k.txt").write_text("\n".join(lines) + "\n")
    _check_reproduces(CoefficientTable("k.txt", ("x", "y")).load("k", tmp_path))


def test_an_npz_of_axes_and_values(tmp_path):
    x, y = np.linspace(0, 1, 4), np.linspace(2, 0, 3)  # a decreasing axis is flipped
    np.savez(tmp_path / "k.npz", x=x, y=y, value=bilinear(x[:, None], y[None, :]))
    _check_reproduces(CoefficientTable("k.npz", ("x", "y")).load("k", tmp_path))


def test_scattered_points_are_triangulated_linearly(tmp_path):
    """Linear on the triangles, resampled on a grid: a linear field stays exact."""
    rng = np.random.default_rng(1)
    x = np.r_[0, 1, 0, 1, rng.random(60)]
    y = np.r_[0, 0, 2, 2, 2 * rng.random(60)]
    _write_csv(tmp_path / "k.csv", x, y, 1 + 2 * x - 0.5 * y)
    k = CoefficientTable("k.csv", ("x", "y")).load("k", tmp_path, {"x": (0, 1), "y": (0, 2)})
    px, py = _random_points()
    assert torch.allclose(k({"x": px, "y": py}), 1 + 2 * px - 0.5 * py, atol=1e-10)


def _error(tmp_path, *, bounds=None, name="k.csv") -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        CoefficientTable(name, ("x", "y")).load("k", tmp_path, bounds)
    error = caught.value
    assert "\n" not in error.message and error.hint, str(error)
    return error


def test_a_domain_outside_the_table_is_refused(tmp_path):
    _write_csv(tmp_path / "k.csv", *_grid_points())
    error = _error(tmp_path, bounds={"x": (0, 1), "y": (-0.5, 2)})
    assert "covers y in [0, 2], but the domain reaches y in [-0.5, 2]" in error.message
    assert "extrapolate" in error.hint


def test_values_of_the_wrong_shape_are_refused(tmp_path):
    np.savez(tmp_path / "k.npz", x=np.linspace(0, 1, 4), y=np.linspace(0, 2, 3), k=np.ones((3, 4)))
    error = _error(tmp_path, name="k.npz")
    assert "shape (3, 4)" in error.message and "grid of (4, 3)" in error.message


def test_missing_files_columns_and_non_finite_values_are_refused(tmp_path):
    assert "no such table file" in _error(tmp_path).message
    x, y, values = _grid_points()
    _write_csv(tmp_path / "k.csv", x, y, values, header="x,z,k")
    assert "lacks the column(s) y" in _error(tmp_path).message
    values[3] = np.nan
    _write_csv(tmp_path / "k.csv", x, y, values)
    assert "NaN or inf in its column 'k'" in _error(tmp_path).message
    (tmp_path / "k.txt").write_text("% x y\n0 0 1 2\n1 1 2 3\n")
    assert "has 4 columns" in _error(tmp_path, name="k.txt").message


def test_the_resolver_knows_the_same_file_kinds():
    from pdec.passes.resolve_functions import TABLE_SUFFIXES

    assert TABLE_SUFFIXES == SUFFIXES
