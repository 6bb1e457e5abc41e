"""Trajectory data sets: :class:`Trajectories`, saved as NPZ, loaded and checked.

The NPZ file holds plain arrays (no pickles):

=================  ======================================================================
``u``              states, (trajectories, steps + 1, fields, *grid); ODE systems
                   (trajectories, steps + 1, fields)
``t``              the sample times, (steps + 1,), equispaced by ``dt``
``dt``             the sampling step (a scalar)
``fields``         the field names, in the order of u's field axis
``space``          the space variables, in the order of u's grid axes (empty for ODEs)
``x``, ``y``, …    the grid points of each space variable: lo + j (hi − lo)/N
``domain``         (lo, hi) of each space variable's periodic range, (dims, 2)
``spec_name``,     the spec the data come from: its model name and the sha256 of its text
``spec_sha256``
``integrator``     how the data were made, in words
``initial``        the family of initial states
``seed``           the seed of the random initial states
``pdec_version``   the pdec that wrote the file
=================  ======================================================================

Only ``u`` and ``t`` (or ``dt``) are required, so that data from elsewhere can be used:
missing names default to the spec's, missing grids to the spec's domain
(:func:`~pdec.reference.reading.load_trajectories`). The arrays are checked against each
other and, given a spec, against its fields, space and domain; a file made from another
version of the spec (another sha256) gives a :class:`DataWarning` (an error with
``strict=True``).
"""

from __future__ import annotations

import os
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pdec import __version__
from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.check_structure import periods
from pdec.reference.discretize import space_variables
from pdec.reference.errors import DataError

METADATA = (
    "t",
    "dt",
    "fields",
    "space",
    "domain",
    "spec_name",
    "spec_sha256",
    "integrator",
    "initial",
    "seed",
    "pdec_version",
)
RESERVED = ("u", *METADATA)


def save_npz(path: Path, arrays: dict, grid: dict, reserved, error=DataError) -> Path:
    """``arrays`` plus the grid's coordinate arrays (one per space variable), written
    compressed and atomically (a crash leaves no half-written file). A space variable
    named like one of the format's arrays (``reserved``) raises ``error``."""
    arrays = dict(arrays)
    for name, points in grid.items():
        if name in reserved:
            raise error(
                f"the space variable {name} clashes with the array {name!r} of the format",
                hint="rename the space variable in the spec",
            )
        arrays[name] = points
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


class DataWarning(UserWarning):
    """Trajectory data that may not belong to the spec (another version of its text)."""


@dataclass(frozen=True, eq=False)
class Trajectories:
    """n trajectories of the spec's fields sampled every ``dt``.

    ``u``: (n, steps + 1, fields, *grid) (ODE: (n, steps + 1, fields)); ``t``: (steps + 1,);
    ``coordinates``: the grid points of each of ``space``; ``domain``: their (lo, hi).
    The constructor checks that the shapes agree and raises :class:`DataError` if not.
    """

    u: np.ndarray
    t: np.ndarray
    dt: float
    fields: tuple[str, ...]
    space: tuple[str, ...] = ()
    coordinates: tuple[np.ndarray, ...] = ()
    domain: tuple[tuple[float, float], ...] = ()
    spec_name: str = ""
    spec_sha256: str = ""
    integrator: str = ""
    initial: str = ""
    seed: int | None = None
    pdec_version: str = field(default=__version__)

    def __post_init__(self):
        object.__setattr__(self, "u", np.asarray(self.u, dtype=float))
        object.__setattr__(self, "t", np.asarray(self.t, dtype=float))
        object.__setattr__(
            self, "coordinates", tuple(np.asarray(c, dtype=float) for c in self.coordinates)
        )
        _check_arrays(self)

    @property
    def n(self) -> int:
        return self.u.shape[0]

    @property
    def steps(self) -> int:
        return self.u.shape[1] - 1

    @property
    def grid(self) -> tuple[int, ...]:
        """Points per space dimension (empty for ODE systems)."""
        return self.u.shape[3:]

    @property
    def x(self) -> np.ndarray:
        """The grid points of the first space variable."""
        if not self.coordinates:
            raise DataError("the data have no grid: they come from an ODE system")
        return self.coordinates[0]

    def save(self, path: str | Path) -> Path:
        """Write the NPZ file (atomically: a crash leaves no half-written file)."""
        path = Path(path)
        arrays = {
            "u": self.u,
            "t": self.t,
            "dt": np.float64(self.dt),
            "fields": np.array(self.fields, dtype=str),
            "space": np.array(self.space, dtype=str),
            "domain": np.array(self.domain, dtype=float).reshape(len(self.space), 2),
            "spec_name": np.array(self.spec_name),
            "spec_sha256": np.array(self.spec_sha256),
            "integrator": np.array(self.integrator),
            "initial": np.array(self.initial),
            "pdec_version": np.array(self.pdec_version),
        }
        if self.seed is not None:
            arrays["seed"] = np.int64(self.seed)
        return save_npz(path, arrays, dict(zip(self.space, self.coordinates)), RESERVED)

    def check(self, spec, strict: bool = False) -> None:
        """Check the data against a spec (a :class:`pdec.Spec` or its IR): field names,
        number of grid axes and domain must match (:class:`DataError`); a different
        sha256 warns (``strict``: raises)."""
        spec_ir: ir.SpecIR = getattr(spec, "ir", spec)
        names = spec_ir.state_fields
        if len(names) != len(self.fields):
            raise DataError(
                f"u has {len(self.fields)} field{'s' * (len(self.fields) != 1)} "
                f"({', '.join(self.fields)}) on axis 2, but the spec {spec_ir.name} declares "
                f"{', '.join(names)}",
                hint=f"the field axis of u must hold {', '.join(names)} in this order",
            )
        if names != self.fields:
            raise DataError(
                f"the data's fields are {', '.join(self.fields)}, but the spec "
                f"{spec_ir.name} declares {', '.join(names)}",
                hint="store the fields under the spec's names, in the spec's order",
            )
        space, ranges = spec_space(spec_ir)
        if len(space) != len(self.space):
            have = (
                f"{len(self.space)} grid {'axis' if len(self.space) == 1 else 'axes'} "
                f"({', '.join(self.space)})"
                if self.space
                else "no grid axes (an ODE system)"
            )
            want = (
                f"the fields depend on {', '.join(space)} ({len(space)} space dimensions)"
                if space
                else "it is an ODE system"
            )
            raise DataError(
                f"u has {have}, but {want} in the spec {spec_ir.name}",
                hint=f"u must be shaped (trajectories, steps + 1, {len(names)}"
                + "".join(f", N_{v}" for v in space)
                + ")",
            )
        if space and tuple(space) != self.space:
            raise DataError(
                f"the data's grid axes are {', '.join(self.space)}, but the spec "
                f"{spec_ir.name} has {', '.join(space)}",
                hint="order u's grid axes as the spec's space variables",
            )
        for name, (lo, hi), (data_lo, data_hi) in zip(space, ranges, self.domain):
            if not np.isclose(lo, data_lo) or not np.isclose(hi, data_hi):
                raise DataError(
                    f"the data's {name} spans [{data_lo:g}, {data_hi:g}], but the spec "
                    f"{spec_ir.name} has {name} in [{lo:g}, {hi:g}]",
                    hint="regenerate the data for this spec",
                )
        if self.spec_sha256 and self.spec_sha256 != spec_ir.sha256:
            message = (
                f"the data were made from {self.spec_name or 'a spec'} with sha256 "
                f"{self.spec_sha256[:12]}…, but {spec_ir.name} ({spec_ir.file}) has "
                f"{spec_ir.sha256[:12]}…: the spec changed since"
            )
            if self.spec_name and self.spec_name != spec_ir.name:
                message = (
                    f"the data were made from the spec {self.spec_name}, not {spec_ir.name}; "
                    "their fields and domain agree"
                )
            if strict:
                raise DataError(message, hint="regenerate the data with pdec data")
            warnings.warn(message, DataWarning, stacklevel=2)


def spec_space(spec_ir: ir.SpecIR) -> tuple[tuple[str, ...], tuple[tuple[float, float], ...]]:
    """The spec's space variables and their periodic ranges (no ranges when the spec
    is not periodic; both empty for ODE systems), as the data store them."""
    variables = space_variables(spec_ir)
    if not variables:
        return (), ()
    try:
        ranges = periods(spec_ir, variables)
    except UnsupportedError:  # a non-periodic spec: no domain to compare with
        return tuple(map(str, variables)), ()
    return tuple(map(str, variables)), tuple(
        (float(ranges[v][0]), float(ranges[v][1])) for v in variables
    )


# ---- consistency ------------------------------------------------------------------------


def _check_arrays(data: Trajectories) -> None:
    u = data.u
    if u.ndim < 3:
        raise DataError(
            f"u has shape {u.shape}, but needs at least 3 axes (trajectory, time, field)"
        )
    if u.shape[0] < 1:
        raise DataError("u holds no trajectories (axis 0 has length 0)")
    if data.t.shape != (u.shape[1],):
        raise DataError(
            f"t has shape {data.t.shape}, but u's time axis (axis 1) has {u.shape[1]} "
            f"entries: expected t of shape ({u.shape[1]},)"
        )
    if not (np.isfinite(data.dt) and data.dt > 0):
        raise DataError(f"dt = {data.dt} is not a positive number")
    spacing = np.diff(data.t)
    if not np.allclose(spacing, data.dt, rtol=1e-6, atol=0):
        worst = int(np.argmax(np.abs(spacing - data.dt)))
        raise DataError(
            f"t is not equispaced with step dt = {data.dt:g}: t[{worst + 1}] − t[{worst}] "
            f"= {spacing[worst]:g}",
            hint="sample the trajectories every dt",
        )
    if len(data.fields) != u.shape[2]:
        raise DataError(
            f"u has {u.shape[2]} entries on its field axis (axis 2), but {len(data.fields)} "
            f"field names are given ({', '.join(data.fields)})"
        )
    if len(data.space) != u.ndim - 3:
        raise DataError(
            f"u has {u.ndim - 3} grid axes (shape {u.shape}), but {len(data.space)} space "
            f"variables are given ({', '.join(data.space) or 'none'})"
        )
    if len(data.coordinates) != len(data.space) or len(data.domain) != len(data.space):
        raise DataError(
            f"{len(data.space)} space variables need as many grid point arrays and "
            f"domain ranges; got {len(data.coordinates)} and {len(data.domain)}"
        )
    for axis, (name, points, (lo, hi)) in enumerate(
        zip(data.space, data.coordinates, data.domain), start=3
    ):
        if points.shape != (u.shape[axis],):
            raise DataError(
                f"{name} has shape {points.shape}, but u's grid axis {axis} ({name}) has "
                f"{u.shape[axis]} points: expected {name} of shape ({u.shape[axis]},)"
            )
        expected = lo + (hi - lo) * np.arange(points.size) / points.size
        if not np.allclose(points, expected, atol=1e-9 * max(1.0, abs(hi - lo))):
            raise DataError(
                f"{name} is not the periodic grid of [{lo:g}, {hi:g}) with {points.size} "
                "points (lo + j (hi − lo)/N, without the end point)",
                hint="sample periodic fields at lo + j (hi − lo)/N, j = 0, …, N − 1",
            )
    bad = ~np.isfinite(u)
    if bad.any():
        trajectory, step = np.argwhere(bad)[0][:2]
        raise DataError(
            f"u holds NaN or infinite values (first: trajectory {trajectory}, step {step})"
        )
