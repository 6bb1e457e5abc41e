"""Coefficients known on a grid or at points: ``param k(x, y) = table("k.csv")``.

A generated PINN names its tables (``coefficient_tables = {"k": CoefficientTable("k.csv",
("x", "y"))}``); :class:`~pdec.runtime.model.PinnModel` reads them when it is built and
interpolates them in its residuals, on its device, with torch ops
(:class:`GridInterpolator`, buffers that follow ``.to()``).

Files (relative paths from the spec's folder):

* ``.npz`` — arrays named after the arguments and the values named after the
  parameter (or ``value``): either the axes (1-D, one per argument) and a values array
  of shape (len(x), len(y), ...), or points (every array of one size);
* ``.csv`` — a header row naming the columns the same way, then one row per point;
* ``.txt`` / ``.dat`` — COMSOL's text export: ``%`` comment lines, then whitespace
  separated columns, by position: the arguments in the declared order, then the value.

Points that fill a grid (every combination of the distinct coordinates once, up to
rounding) are that grid. Other points are *scattered*: they are triangulated once
(Delaunay, SciPy), interpolated linearly on the triangles onto a regular grid over
their bounding box (grid nodes outside their convex hull take the nearest point's
value), and that grid is what the model interpolates. Linear rather than nearest:
a nearest-point coefficient is piecewise constant, and its derivative (``div(k
grad(u))`` needs k_x) would be zero almost everywhere.

On the grid the interpolant is multilinear (bilinear in 2-D, any dimension), and its
derivatives are those of that function, exactly: along an axis, the difference of the
neighbouring values over their spacing, interpolated in the other axes. They come from
autograd through :meth:`GridInterpolator.forward` (``PinnModel.coefficient_jets``).

The table must cover the domain: a model whose domain reaches outside the table is
refused when it is built (:class:`~pdec.runtime.errors.DataFileError`), not
extrapolated. (Inside the cells next to the edge the formula is the edge cell's, so a
point a rounding error outside is still well defined.)

>>> import torch
>>> x, y = torch.linspace(0, 1, 3), torch.linspace(0, 2, 5)
>>> grid = 1 + 2 * x[:, None] - y[None, :]  # k = 1 + 2x − y on the grid
>>> k = GridInterpolator((x, y), grid, ("x", "y"))
>>> round(float(k({"x": torch.tensor([0.3]), "y": torch.tensor([1.1])})), 6)
0.5
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from pdec.runtime.errors import DataFileError
from pdec.runtime.tables import read_table

SUFFIXES = (".npz", ".csv", ".txt", ".dat")
# Scattered points are resampled onto at most this many grid nodes (2-D: 1024²).
MAX_RESAMPLED_NODES = 2**20
# Coordinates this close (relative to the table's extent) are one grid line.
ROUNDING = 1e-8


@dataclass(frozen=True)
class CoefficientTable:
    """A parameter's table as the generated module names it: the file and the
    parameter's arguments (the table's columns, in order)."""

    path: str
    args: tuple[str, ...]

    def load(
        self,
        name: str,
        root: Path | None = None,
        bounds: Mapping[str, tuple[float, float]] | None = None,
    ) -> GridInterpolator:
        """The interpolator of the parameter ``name``: the file read (relative to
        ``root``), checked to cover ``bounds`` (the domain's box)."""
        path = Path(self.path)
        if not path.is_absolute() and root is not None:
            path = Path(root) / path
        axes, values = read_grid(path, self.args, name)
        check_covers(axes, self.args, bounds or {}, name, self.path)
        return GridInterpolator(tuple(torch.from_numpy(a) for a in axes), values, self.args)


class GridInterpolator(nn.Module):
    """Multilinear interpolation of ``values`` on the grid ``axes`` (each strictly
    increasing, at least two nodes), at points given by name (``names``, one per axis).
    The grid is in buffers that are not saved with the model: the table is data, read
    again from its file when a model is built."""

    def __init__(self, axes: Sequence[Tensor], values: Tensor | np.ndarray, names: Sequence[str]):
        super().__init__()
        values = torch.as_tensor(values, dtype=torch.float64)
        shape = tuple(len(a) for a in axes)
        if values.shape != shape or len(names) != len(axes):
            raise DataFileError(
                f"a grid with axes of {shape} nodes needs values of that shape, "
                f"got {tuple(values.shape)}"
            )
        self.names = tuple(names)
        for k, axis in enumerate(axes):
            self.register_buffer(f"axis{k}", torch.as_tensor(axis, dtype=torch.float64), False)
        self.register_buffer("values", values.reshape(-1), False)
        # the step in the flattened values of one node along each axis
        self.strides = tuple(math.prod(shape[k + 1 :]) for k in range(len(shape)))

    def axes(self) -> tuple[Tensor, ...]:
        return tuple(getattr(self, f"axis{k}") for k in range(len(self.names)))

    def forward(self, coords: Mapping[str, Tensor]) -> Tensor:
        """The interpolated values at the points ``coords[name]`` (1-D, broadcast)."""
        columns = torch.broadcast_tensors(*(coords[name] for name in self.names))
        cells, fractions = [], []
        for axis, x in zip(self.axes(), columns):
            x = x.to(axis.dtype)
            # the cell [axis[i], axis[i + 1]] holding x (the edge cells beyond the ends)
            i = torch.searchsorted(axis, x.detach().contiguous(), right=True) - 1
            i = i.clamp(0, len(axis) - 2)
            lo, hi = axis[i], axis[i + 1]
            cells.append(i)
            fractions.append((x - lo) / (hi - lo))
        total = None
        for corner in itertools.product((0, 1), repeat=len(cells)):
            flat = sum((i + c) * stride for i, c, stride in zip(cells, corner, self.strides))
            weight = math.prod(t if c else 1 - t for t, c in zip(fractions, corner))
            term = weight * self.values[flat]
            total = term if total is None else total + term
        return total


# ---- reading --------------------------------------------------------------------------------


def read_grid(path: Path, args: tuple[str, ...], name: str) -> tuple[list[np.ndarray], Tensor]:
    """The grid (axes, values) of the table of ``name``(``args``) in ``path``."""
    what = f"the table of '{name}' ({path})"
    if path.suffix not in SUFFIXES:
        raise DataFileError(
            f"{what}: cannot read a '{path.suffix}' file",
            f"use one of {', '.join(SUFFIXES)}",
        )
    if not path.is_file():
        raise DataFileError(
            f"no such table file for the parameter '{name}': {path}",
            "check the path: it is read relative to the spec's folder",
        )
    if path.suffix == ".npz":
        columns = _read_npz(path)
    elif path.suffix == ".csv":
        columns = read_table(path)
    else:
        columns = _read_comsol(path, args, name)
    key = name if name in columns else "value"
    missing = [column for column in (*args, key) if column not in columns]
    if missing:
        raise DataFileError(
            f"{what} lacks the column(s) {', '.join(missing)}",
            f"it has: {', '.join(columns)}; name them {', '.join(args)} and {name} (or value)",
        )
    arrays = [np.asarray(columns[a], dtype=np.float64) for a in args]
    values = np.asarray(columns[key], dtype=np.float64)
    for label, array in zip((*args, key), (*arrays, values)):
        if not np.isfinite(array).all():
            raise DataFileError(
                f"{what} has NaN or inf in its column '{label}'", "drop or fill those rows"
            )
    sizes = {a.size for a in arrays} | {values.size}
    if len(sizes) == 1:  # points: a grid if they fill one, else scattered
        points = np.stack([a.ravel() for a in arrays], axis=1)
        found = grid_of_points(points, values.ravel())
        if found is None:
            found = resample_scattered(points, values.ravel(), what)
        axes, grid = found
    else:  # axes and a grid of values
        axes, grid = _axes_and_values(arrays, values, args, what)
    for label, axis in zip(args, axes):
        if len(axis) < 2:
            raise DataFileError(
                f"{what} has a single value of {label} ({axis[0]:g})",
                f"a table must span the domain: give at least two values of {label}",
            )
    return axes, torch.from_numpy(np.ascontiguousarray(grid))


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as archive:
            return {k: np.asarray(archive[k], dtype=np.float64) for k in archive}
    except (ValueError, OSError) as error:
        raise DataFileError(f"cannot read {path}: {error}", "write it with numpy.savez") from None


def _read_comsol(path: Path, args: tuple[str, ...], name: str) -> dict[str, np.ndarray]:
    """COMSOL's text export: ``%`` comments, columns by position (args, then value)."""
    try:
        table = np.loadtxt(path, comments="%", ndmin=2, dtype=np.float64)
    except ValueError as error:
        raise DataFileError(
            f"cannot read {path}: {error}",
            "a COMSOL text table is `%` comment lines, then rows of numbers",
        ) from None
    if table.size == 0:
        raise DataFileError(f"{path} has no rows of numbers", "export the data, not only a header")
    if table.shape[1] != len(args) + 1:
        raise DataFileError(
            f"{path} has {table.shape[1]} columns; a table of {name}({', '.join(args)}) "
            f"has {len(args) + 1}: {', '.join(args)}, {name}",
            "export one expression, with the coordinates in the declared order",
        )
    return {label: table[:, k] for k, label in enumerate((*args, name))}


def _axes_and_values(arrays, values, args, what):
    """A grid given by its axes: each 1-D and strictly monotonic, the values of shape
    (len(axis) for each axis)."""
    shape = tuple(a.size for a in arrays)
    if any(a.ndim != 1 for a in arrays) or values.shape != shape:
        given = ", ".join(f"{label} {a.shape}" for label, a in zip(args, arrays))
        raise DataFileError(
            f"{what}: the values have shape {values.shape}, but the axes ({given}) make a "
            f"grid of {shape}",
            "give 1-D axes and values of shape (len(x), len(y), ...), or every array "
            "with one value per point",
        )
    axes = []
    for k, (label, axis) in enumerate(zip(args, arrays)):
        steps = np.diff(axis)
        if (steps < 0).all():
            axis, values = axis[::-1], np.flip(values, axis=k)
        elif not (steps > 0).all():
            raise DataFileError(
                f"{what}: the axis {label} is not strictly increasing or decreasing",
                "give each axis's grid values in order, once",
            )
        axes.append(np.ascontiguousarray(axis))
    return axes, values


def grid_of_points(points: np.ndarray, values: np.ndarray):
    """(axes, grid values) if ``points`` (n, d) are every node of a grid once (the
    coordinates grouped up to rounding), else None."""
    axes, indices = [], []
    for column in points.T:
        axis, index = _grid_lines(column)
        axes.append(axis)
        indices.append(index)
    shape = tuple(len(a) for a in axes)
    if math.prod(shape) != len(values):
        return None
    flat = np.ravel_multi_index(tuple(indices), shape)
    if len(np.unique(flat)) != len(flat):
        return None
    grid = np.empty(len(values))
    grid[flat] = values
    return axes, grid.reshape(shape)


def _grid_lines(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``column`` (those closer than the rounding merged, at
    their mean) and the index of each entry among them."""
    order = np.sort(column)
    tolerance = ROUNDING * max(float(order[-1] - order[0]), 1e-300)
    starts = order[np.r_[True, np.diff(order) > tolerance]]
    index = np.searchsorted(starts, column + tolerance, side="right") - 1
    axis = np.bincount(index, weights=column) / np.bincount(index)
    return axis, index


def resample_scattered(points: np.ndarray, values: np.ndarray, what: str):
    """Linear interpolation on a Delaunay triangulation of scattered ``points``,
    sampled on a regular grid over their bounding box (nodes outside the convex hull:
    the nearest point's value)."""
    from scipy.interpolate import LinearNDInterpolator, NearestNDInterpolator
    from scipy.spatial import QhullError

    n, d = points.shape
    _, index = np.unique(np.round(points / _scale(points), 9), axis=0, return_index=True)
    if len(index) != n:
        raise DataFileError(
            f"{what} has {n - len(index)} point(s) given twice",
            "give each point once (or as a full grid)",
        )
    if d == 1:  # distinct points on a line always form a grid
        return grid_of_points(points, values)
    try:
        linear = LinearNDInterpolator(points, values)
    except (QhullError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise DataFileError(
            f"{what}: cannot triangulate its points ({first[:120]})",
            "give points that span the domain (not all on a line), or a full grid",
        ) from None
    per_axis = int(min(max(2 * round(n ** (1 / d)), 8), MAX_RESAMPLED_NODES ** (1 / d)))
    axes = [np.linspace(points[:, k].min(), points[:, k].max(), per_axis) for k in range(d)]
    nodes = np.stack([g.ravel() for g in np.meshgrid(*axes, indexing="ij")], axis=1)
    grid = linear(nodes)
    outside = np.isnan(grid)
    if outside.any():
        grid[outside] = NearestNDInterpolator(points, values)(nodes[outside])
    return axes, grid.reshape((per_axis,) * d)


def _scale(points: np.ndarray) -> np.ndarray:
    extent = points.max(axis=0) - points.min(axis=0)
    return np.where(extent > 0, extent, 1.0)


def check_covers(
    axes: Sequence[np.ndarray],
    args: tuple[str, ...],
    bounds: Mapping[str, tuple[float, float]],
    name: str,
    path: str,
) -> None:
    """The table must span the domain's box along each argument: sampled points
    outside it would be extrapolated, which pdec does not do silently."""
    for label, axis in zip(args, axes):
        if label not in bounds:
            continue
        lo, hi = (float(b) for b in bounds[label])
        first, last = float(axis[0]), float(axis[-1])
        slack = 1e-6 * max(last - first, 1e-300)
        if lo < first - slack or hi > last + slack:
            raise DataFileError(
                f"the table of '{name}' ({path}) covers {label} in [{first:g}, {last:g}], "
                f"but the domain reaches {label} in [{lo:g}, {hi:g}]",
                "extend the table over the whole domain: pdec does not extrapolate tables",
            )
