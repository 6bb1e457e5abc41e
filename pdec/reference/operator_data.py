"""Data for operator learning: pairs (input on a grid, solution on the same grid) from a
spec, and their NPZ format.

``generate_operator_data(spec, n, res, seed)`` picks the problem from the spec:

* an elliptic spec on a box with ``input`` functions (darcy.pde): inputs drawn from a
  Gaussian random field (:mod:`pdec.reference.random_fields`) on a node grid of res
  points per axis (both ends included) — thresholded to 12/3 (the FNO Darcy set) for an
  input inside the diffusion coefficient A, the plain field otherwise — and solved by
  :mod:`pdec.reference.elliptic`;
* a periodic 1-D evolution spec (Burgers on a ring): u(t0, ·) ~ N(0, 625 (−Δ + 25I)^(−2))
  mapped to u(t1, ·) over the spec's ``time t in [t0, t1]`` by the pseudo-spectral
  ETDRK4 integrator of :mod:`pdec.reference.generate`, on res points. The field has
  the modes |k| < 64; the integrator keeps those below res/3 (the 2/3 rule), so from
  res = 192 up the inputs are the same field at every resolution.

The NPZ file holds plain arrays (no pickles):

==================  ===================================================================
``inputs``          (n, input channels, *grid)
``outputs``         (n, output channels, *grid)
``input_names``     names of the input channels (the spec's inputs, or ``u0``)
``output_names``    names of the output channels (the spec's fields)
``space``           the space variables, in the order of the grid axes
``x``, ``y``, …     the grid points of each space variable
``domain``          (lo, hi) per space variable, (dims, 2)
``periodic``        per space variable: the grid is lo + j L/N (True) or has both ends
``spec_name``,      the spec: its model name and the sha256 of its text
``spec_sha256``
``generator``       JSON: the random field's parameters (and the threshold)
``solver``          how the outputs were computed, in words
``seed``            the seed of the random inputs
``pdec_version``    the pdec that wrote the file
==================  ===================================================================

Data at scattered points (for the graph neural operator, ``architecture="gno"``) hold
instead one point cloud per instance, and no grid arrays:

==================  ===================================================================
``points``          (n, points, space dims): where each instance is sampled
``inputs``          (n, input channels, points)
``outputs``         (n, output channels, points)
==================  ===================================================================

``pdec data SPEC --res R --points P`` makes them: each pair solved on the R-point grid,
then read at P points drawn uniformly in the box, fresh for each pair — bilinearly
interpolated, except inputs that were thresholded (piecewise constant, Darcy's a),
which are read at the nearest node so that no point gets a value between the phases.

Only ``inputs`` and ``outputs`` are required, so that data from elsewhere can be used;
:func:`load_operator_data` checks the shapes and, given a spec, the channels, space and
grid against it, raising :class:`OperatorDataError` (a :class:`pdec.SpecError`) with a hint.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from pdec import __version__
from pdec.errors import InvalidValueError, UnsupportedError
from pdec.ir import nodes as ir
from pdec.reference.elliptic import EllipticSolver, NodeGrid
from pdec.reference.errors import DataError
from pdec.reference.random_fields import GaussianRandomField, threshold
from pdec.reference.trajectories import save_npz

DARCY_FIELD = {"scale": 1.0, "shift": 9.0, "power": 2.0, "boundary": "neumann", "modes": 32}
DARCY_THRESHOLD = {"high": 12.0, "low": 3.0}
BURGERS_FIELD = {"scale": 625.0, "shift": 25.0, "power": 2.0, "boundary": "periodic", "modes": 64}
METADATA = (
    "input_names",
    "output_names",
    "space",
    "domain",
    "periodic",
    "spec_name",
    "spec_sha256",
    "generator",
    "solver",
    "seed",
    "pdec_version",
)


class OperatorDataError(DataError):
    """Operator data whose arrays do not fit each other or the spec (the message names
    the array and axis, with the expected and the actual value)."""


@dataclass(frozen=True, eq=False)
class OperatorData:
    """n pairs (input, output) on one grid; see the module docstring for the fields."""

    inputs: np.ndarray
    outputs: np.ndarray
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    space: tuple[str, ...]
    coordinates: tuple[np.ndarray, ...]
    domain: tuple[tuple[float, float], ...]
    periodic: tuple[bool, ...]
    spec_name: str = ""
    spec_sha256: str = ""
    generator: dict = field(default_factory=dict)
    solver: str = ""
    seed: int | None = None
    pdec_version: str = __version__
    # (n, points, dims) for data at scattered points; None on a grid
    points: np.ndarray | None = None

    def __post_init__(self):
        _check_shapes(self)

    @property
    def grid(self) -> tuple[int, ...]:
        """The grid's points per axis, or (points per instance,) for scattered data."""
        return tuple(self.inputs.shape[2:])

    @property
    def scattered(self) -> bool:
        return self.points is not None

    def as_points(self) -> OperatorData:
        """The same pairs as scattered data: every grid node a point (in C order), the
        same cloud for every instance. Scattered data are returned as they are."""
        if self.points is not None:
            return self
        mesh = np.meshgrid(*self.coordinates, indexing="ij")
        cloud = np.stack([m.reshape(-1) for m in mesh], axis=-1)
        n = self.inputs.shape[0]
        return replace(
            self,
            inputs=self.inputs.reshape(n, self.inputs.shape[1], -1),
            outputs=self.outputs.reshape(n, self.outputs.shape[1], -1),
            coordinates=(),
            points=np.broadcast_to(cloud, (n, *cloud.shape)).copy(),
        )

    def subset(self, rows: slice) -> OperatorData:
        """The instances ``rows`` (a slice), with their points."""
        points = self.points[rows] if self.points is not None else None
        return replace(self, inputs=self.inputs[rows], outputs=self.outputs[rows], points=points)

    def save(self, path: str | Path) -> Path:
        """Write the NPZ file atomically (a crash leaves no half-written file)."""
        path = Path(path)
        arrays = {
            "inputs": self.inputs,
            "outputs": self.outputs,
            "input_names": np.array(self.input_names, dtype=str),
            "output_names": np.array(self.output_names, dtype=str),
            "space": np.array(self.space, dtype=str),
            "domain": np.array(self.domain, dtype=float).reshape(len(self.space), 2),
            "periodic": np.array(self.periodic, dtype=bool),
            "spec_name": np.array(self.spec_name),
            "spec_sha256": np.array(self.spec_sha256),
            "generator": np.array(json.dumps(self.generator, sort_keys=True)),
            "solver": np.array(self.solver),
            "pdec_version": np.array(self.pdec_version),
        }
        if self.seed is not None:
            arrays["seed"] = np.int64(self.seed)
        if self.points is not None:
            arrays["points"] = self.points
        grid = dict(zip(self.space, self.coordinates))
        reserved = (*arrays, "points")
        return save_npz(path, arrays, grid, reserved, OperatorDataError)


def at_points(data: OperatorData, count: int, seed: int | None = 0) -> OperatorData:
    """``data`` (on a grid) read at ``count`` points per instance, drawn uniformly in
    the box, fresh for each instance; see the module docstring for how values are
    read between the nodes."""
    from scipy.interpolate import RegularGridInterpolator

    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
        raise InvalidValueError(
            f"points = {count!r}: expected a whole number ≥ 1", hint="e.g. --points 256"
        )
    if data.points is not None:
        raise OperatorDataError("the data are already at scattered points")
    if any(data.periodic):
        raise UnsupportedError(
            "scattered operator data on periodic axes are not made yet",
            hint="the graph neural operator's radius graph does not wrap around a ring; "
            "use the grid data with the FNO",
        )
    rng = np.random.default_rng(seed)
    n, dims = data.inputs.shape[0], len(data.space)
    lo = np.array([d[0] for d in data.domain], dtype=float)
    hi = np.array([d[1] for d in data.domain], dtype=float)
    points = lo + (hi - lo) * rng.random((n, count, dims))
    nearest = set(data.generator.get("thresholded", {}))
    axes = tuple(np.asarray(c, dtype=float) for c in data.coordinates)

    def read(values: np.ndarray, method: str) -> np.ndarray:
        """values (n, channels, *grid) → (n, channels, count)."""
        out = np.empty((n, values.shape[1], count))
        for k in range(n):
            for c in range(values.shape[1]):
                table = RegularGridInterpolator(axes, values[k, c], method=method)
                out[k, c] = table(points[k])
        return out

    inputs = np.concatenate(
        [
            read(data.inputs[:, i : i + 1], "nearest" if name in nearest else "linear")
            for i, name in enumerate(data.input_names)
        ],
        axis=1,
    )
    how = f"; read at {count} uniform random points per pair (seed {seed})"
    return replace(
        data,
        inputs=inputs,
        outputs=read(data.outputs, "linear"),
        coordinates=(),
        points=points,
        solver=data.solver + how,
    )


def generate_operator_data(
    spec, n: int, res: int, seed: int | None = 0, points: int | None = None
) -> OperatorData:
    """n pairs on a grid of ``res`` points per axis, or read at ``points`` scattered
    points each (:func:`at_points`); see the module docstring."""
    if points is not None:
        grid = generate_operator_data(spec, n, res, seed)
        return at_points(grid, points, seed)
    spec_ir = getattr(spec, "ir", spec)
    for name, value, low in (("n", n, 1), ("res", res, 5)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise InvalidValueError(
                f"{name} = {value!r}: expected a whole number ≥ {low}",
                hint="e.g. --n 100 --res 64",
            )
    rng = np.random.default_rng(seed)
    if spec_ir.time is None:
        return _elliptic_data(spec_ir, n, res, rng, seed)
    if spec_ir.inputs:
        raise UnsupportedError(
            "operator data for time-dependent specs with inputs are not generated yet",
            spec_ir.inputs[0].span,
            "bring your own data in pdec's operator NPZ format",
        )
    return _evolution_data(spec_ir, n, res, rng, seed)


def _elliptic_data(spec: ir.SpecIR, n, res, rng, seed) -> OperatorData:
    solver = EllipticSolver(spec)
    form = solver.form
    if not form.inputs:
        raise UnsupportedError(
            f"the spec {spec.name} declares no input: every instance would be the same",
            hint="declare the function that varies, e.g. `input a(x, y)`",
        )
    grid = NodeGrid(form.domain, (res,) * len(form.space))
    random_field = GaussianRandomField(domain=form.domain, **DARCY_FIELD)
    thresholded = form.inputs_in_diffusion()
    inputs = {}
    for item in form.inputs:
        psi = random_field.sample(rng, n, grid.points)
        inputs[item.name] = threshold(psi, **DARCY_THRESHOLD) if item.name in thresholded else psi
    outputs = solver.solve(inputs, grid)
    generator = {
        "field": random_field.metadata(),
        "thresholded": {name: DARCY_THRESHOLD for name in thresholded},
    }
    return OperatorData(
        inputs=np.stack([inputs[i.name] for i in form.inputs], axis=1),
        outputs=outputs[:, None],
        input_names=tuple(i.name for i in form.inputs),
        output_names=(form.field.name,),
        space=tuple(v.name for v in form.space),
        coordinates=grid.points,
        domain=form.domain,
        periodic=(False,) * len(form.space),
        spec_name=spec.name,
        spec_sha256=spec.sha256,
        generator=generator,
        solver=solver.description(grid),
        seed=seed,
    )


def _evolution_data(spec: ir.SpecIR, n, res, rng, seed) -> OperatorData:
    from pdec.reference.discretize import PeriodicSystem, discretize
    from pdec.reference.generate import generate

    periodic = list(spec.domain.hull)
    if not periodic or not all(r.periodic for r in periodic):
        raise UnsupportedError(
            f"operator data for the evolution spec {spec.name}: its interval is not periodic",
            spec.regions[0].span if spec.regions else None,
            "the pseudo-spectral reference needs a ring, e.g. interval(x in [0, 1], periodic) "
            "(see specs/burgers_ring.pde)",
        )
    system = discretize(spec, res)
    if not isinstance(system, PeriodicSystem) or system.grid.dim != 1 or len(system.fields) != 1:
        raise UnsupportedError(
            "operator data for evolution specs: one field on a periodic interval so far",
            hint="e.g. burgers_ring.pde: interval(x in [0, 1], periodic), field u(t, x)",
        )
    grid = system.grid
    random_field = GaussianRandomField(domain=tuple(zip(grid.lo, grid.hi)), **BURGERS_FIELD)
    initial = random_field.sample(rng, n, grid.coordinates)[:, None]
    t0, t1 = float(spec.time.lo), float(spec.time.hi)
    trajectories = generate(spec, n, steps=1, dt=t1 - t0, seed=seed, grid=res, initial=initial)
    return OperatorData(
        inputs=trajectories.u[:, 0],
        outputs=trajectories.u[:, -1],
        input_names=tuple(f"{name}0" for name in system.fields),
        output_names=system.fields,
        space=trajectories.space,
        coordinates=trajectories.coordinates,
        domain=trajectories.domain,
        periodic=(True,),
        spec_name=spec.name,
        spec_sha256=spec.sha256,
        generator={"field": random_field.metadata(), "times": [t0, t1]},
        solver=trajectories.integrator,
        seed=seed,
    )


def load_operator_data(path: str | Path, spec=None) -> OperatorData:
    """Read an operator NPZ file, checking it (and against ``spec``, when given)."""
    path = Path(path)
    if not path.is_file():
        raise OperatorDataError(f"no such data file: {path}", hint="check the path")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise OperatorDataError(
            f"cannot read {path}: {error}", hint="operator data are NPZ files (numpy.savez)"
        ) from None
    for name in ("inputs", "outputs"):
        if name not in arrays:
            raise OperatorDataError(
                f"{path.name} has no array {name!r}",
                hint="operator data need 'inputs' (n, channels, *grid) and 'outputs' "
                "(n, channels, *grid)",
            )
    inputs = np.asarray(arrays["inputs"], dtype=np.float64)
    outputs = np.asarray(arrays["outputs"], dtype=np.float64)
    points = np.asarray(arrays["points"], dtype=np.float64) if "points" in arrays else None
    if points is not None and points.ndim != 3:
        raise OperatorDataError(
            f"{path.name}: points have shape {points.shape}; expected (instances, points, "
            "space dims)",
            hint="one cloud per instance: points[k, j] is the j-th point of instance k",
        )
    spec_ir = getattr(spec, "ir", spec)
    dim = points.shape[-1] if points is not None else inputs.ndim - 2
    space = _strings(arrays, "space") or (
        tuple(v.name for v in _spec_space(spec_ir))
        if spec_ir
        else tuple(f"x{d}" for d in range(dim))
    )
    domain = (
        tuple(map(tuple, np.asarray(arrays["domain"], dtype=float)))
        if "domain" in arrays
        else ((0.0, 1.0),) * len(space)
    )
    periodic = (
        tuple(bool(p) for p in arrays["periodic"])
        if "periodic" in arrays
        else (False,) * len(space)
    )
    if spec_ir is not None:
        dims = len(_spec_space(spec_ir))
        wanted = tuple(v.name for v in _spec_space(spec_ir))
        stored = _strings(arrays, "space")
        if stored and stored != wanted:
            raise OperatorDataError(
                f"{path.name} is on a grid in ({', '.join(stored)}), the spec {spec_ir.name} "
                f"in ({', '.join(wanted)})",
                hint="generate the data from this spec: pdec data SPEC --n N --res R",
            )
        if points is not None:
            if points.shape[-1] != dims:
                raise OperatorDataError(
                    f"{path.name}: points in {points.shape[-1]} dimensions, the spec "
                    f"{spec_ir.name} in {dims} ({', '.join(wanted)})",
                    hint="points[k, j] lists the coordinates of one point, in the spec's order",
                )
        elif inputs.ndim != dims + 2 or outputs.ndim != dims + 2:
            raise OperatorDataError(
                f"{path.name}: inputs {inputs.shape}, outputs {outputs.shape}; the spec "
                f"{spec_ir.name} needs (instances, channels, {dims} grid axes)",
                hint="add a channel axis (array[:, None]) if it is missing",
            )
    data = OperatorData(
        inputs=inputs,
        outputs=outputs,
        input_names=_strings(arrays, "input_names")
        or tuple(f"input{i}" for i in range(inputs.shape[1] if inputs.ndim > 1 else 0)),
        output_names=_strings(arrays, "output_names")
        or tuple(f"output{i}" for i in range(outputs.shape[1] if outputs.ndim > 1 else 0)),
        space=space,
        coordinates=()
        if points is not None
        else tuple(
            np.asarray(arrays[name], dtype=float)
            if name in arrays
            else _default_points(lo, hi, n, wraps)
            for name, (lo, hi), n, wraps in zip(space, domain, inputs.shape[2:], periodic)
        ),
        points=points,
        domain=domain,
        periodic=periodic,
        spec_name=str(arrays.get("spec_name", "")),
        spec_sha256=str(arrays.get("spec_sha256", "")),
        generator=json.loads(str(arrays["generator"])) if "generator" in arrays else {},
        solver=str(arrays.get("solver", "")),
        seed=int(arrays["seed"]) if "seed" in arrays else None,
    )
    if spec_ir is not None:
        _check_against_spec(data, spec_ir, path)
    return data


def _strings(arrays, key) -> tuple[str, ...]:
    return tuple(str(s) for s in np.atleast_1d(arrays[key])) if key in arrays else ()


def _default_points(lo, hi, n, wraps) -> np.ndarray:
    return lo + (hi - lo) * np.arange(n) / (n if wraps else n - 1)


def _spec_space(spec: ir.SpecIR) -> tuple:
    time = spec.time.symbol if spec.time else None
    used = {v for f in spec.fields for v in f.args if v != time}
    return tuple(v for v in spec.space if v in used)


def _check_shapes(data: OperatorData) -> None:
    inputs, outputs = data.inputs, data.outputs
    layout = "(instances, channels, *grid)"
    if inputs.ndim < 3:
        raise OperatorDataError(
            f"inputs have shape {inputs.shape}: expected {layout} with at least one grid axis",
            hint="add a channel axis: inputs[:, None]",
        )
    if outputs.ndim != inputs.ndim:
        raise OperatorDataError(
            f"outputs have {outputs.ndim} axes, inputs {inputs.ndim}: both are {layout}",
            hint="add a channel axis: outputs[:, None]",
        )
    if outputs.shape[0] != inputs.shape[0]:
        raise OperatorDataError(
            f"{inputs.shape[0]} inputs but {outputs.shape[0]} outputs (axis 0)",
            hint="every input needs its output",
        )
    if outputs.shape[2:] != inputs.shape[2:]:
        raise OperatorDataError(
            f"inputs are on a {inputs.shape[2:]} grid, outputs on {outputs.shape[2:]}",
            hint="sample inputs and outputs on the same grid",
        )
    points = data.points
    if points is not None:
        _check_points(data)
    dims, axes = (points.shape[-1], "space dims") if points is not None else (
        inputs.ndim - 2, "grid axes")  # fmt: skip
    checks = (
        ("input_names", data.input_names, inputs.shape[1], "input channels (axis 1)"),
        ("output_names", data.output_names, outputs.shape[1], "output channels (axis 1)"),
        ("space", data.space, dims, axes),
        ("domain", data.domain, dims, axes),
        ("periodic", data.periodic, dims, axes),
    )
    for name, values, expected, what in checks:
        if len(values) != expected:
            raise OperatorDataError(
                f"{name} has {len(values)} entries for {expected} {what}",
                hint=f"give {name} one entry for each of the {what}",
            )
    for name, points, n in zip(data.space, data.coordinates, inputs.shape[2:]):
        if np.shape(points) != (n,):
            raise OperatorDataError(
                f"the grid points {name} have shape {np.shape(points)}, the grid {n} points",
                hint=f"{name} lists the {n} points of its grid axis",
            )
    for name, array in (("inputs", inputs), ("outputs", outputs)):
        if not np.all(np.isfinite(array)):
            raise OperatorDataError(f"{name} hold NaN or infinite values")


def _check_points(data: OperatorData) -> None:
    """Scattered data: one cloud per instance, the values' last axis its points, every
    point finite and inside the box (the built-in boundary values assume it)."""
    points, inputs = data.points, data.inputs
    if inputs.ndim != 3 or points.ndim != 3 or points.shape[:2] != (inputs.shape[0],
                                                                   inputs.shape[2]):  # fmt: skip
        raise OperatorDataError(
            f"points {points.shape} and inputs {inputs.shape} do not pair up: expected "
            "points (n, P, dims) with inputs and outputs (n, channels, P)",
            hint="one cloud per instance; the values' last axis runs over its points",
        )
    if not np.all(np.isfinite(points)):
        raise OperatorDataError("points hold NaN or infinite values")
    for axis, (name, (lo, hi)) in enumerate(zip(data.space, data.domain)):
        values = points[..., axis]
        span = hi - lo
        if values.min() < lo - 1e-9 * span or values.max() > hi + 1e-9 * span:
            raise OperatorDataError(
                f"points leave the domain: {name} runs over [{values.min():g}, "
                f"{values.max():g}], the box over [{lo:g}, {hi:g}]",
                hint="every point must lie in the spec's box (its domain array)",
            )


def _check_against_spec(data: OperatorData, spec: ir.SpecIR, path: Path) -> None:
    space = tuple(v.name for v in _spec_space(spec))
    if data.space != space:
        raise OperatorDataError(
            f"{path.name} is on a grid in ({', '.join(data.space)}), the spec {spec.name} in "
            f"({', '.join(space)})",
            hint="generate the data from this spec: pdec data SPEC --n N --res R",
        )
    fields = tuple(f.name for f in spec.fields)
    if data.output_names != fields:
        raise OperatorDataError(
            f"{path.name} has outputs {list(data.output_names)}, the spec's fields are "
            f"{list(fields)}",
            hint="name the output channels after the spec's fields (output_names)",
        )
    if spec.inputs and data.input_names != tuple(i.name for i in spec.inputs):
        raise OperatorDataError(
            f"{path.name} has inputs {list(data.input_names)}, the spec's are "
            f"{[i.name for i in spec.inputs]}",
            hint="name the input channels after the spec's inputs (input_names)",
        )
