"""Reading trajectory NPZ files: :func:`load_trajectories`.

A file need hold only ``u`` and ``t`` (or ``dt``), so that data from elsewhere can be
used; what it lacks (field names, space variables, grids, domain) is taken from the
spec or given defaults here, and the result is checked as a
:class:`~pdec.reference.trajectories.Trajectories`. The format is described in
:mod:`pdec.reference.trajectories`.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from pdec.reference.errors import DataError
from pdec.reference.trajectories import Trajectories, spec_space


def load_trajectories(path: str | Path, spec=None, strict: bool = False) -> Trajectories:
    """Read an NPZ file of trajectories; with ``spec`` (a :class:`pdec.Spec`, its IR or a
    path), check it against the spec (see :meth:`Trajectories.check`)."""
    path = Path(path)
    if spec is not None and isinstance(spec, str | Path):
        from pdec.spec import load

        spec = load(spec)
    spec_ir = getattr(spec, "ir", spec)
    arrays = _read(path)
    if "u" not in arrays:
        raise DataError(
            f"{path} has no array 'u'",
            hint="store the states as u, shaped (trajectories, steps + 1, fields, *grid); "
            f"it has: {', '.join(arrays) or 'nothing'}",
        )
    u = np.asarray(arrays["u"])
    if not np.issubdtype(u.dtype, np.number) or np.iscomplexobj(u):
        raise DataError(f"{path}: u holds {u.dtype} values, not real numbers")
    u = u.astype(float)
    if u.ndim < 3:
        raise DataError(
            f"{path}: u has shape {u.shape}, but needs at least 3 axes (trajectory, time, field)",
            hint="store u shaped (trajectories, steps + 1, fields, *grid); a single "
            "trajectory of one field is u[None, :, None]",
        )
    t, dt = _times(path, arrays, u.shape[1])
    names = _strings(arrays, "fields")
    if names is None:
        if spec_ir is None:
            names = tuple(f"u{i}" for i in range(u.shape[2]))
        else:
            names = spec_ir.state_fields
            if len(names) != u.shape[2]:
                raise DataError(
                    f"{path}: u has {u.shape[2]} field{'s' * (u.shape[2] != 1)} on axis 2 "
                    f"but the spec {spec_ir.name} declares {', '.join(names)}",
                    hint=f"the field axis of u must hold {', '.join(names)} in this order",
                )
    space = _strings(arrays, "space")
    domain = None
    if space is None:
        space, domain = _default_space(spec_ir, u.ndim - 3)
    if domain is None and "domain" in arrays:
        domain = tuple(tuple(float(v) for v in row) for row in np.asarray(arrays["domain"]))
    if domain is None:
        domain = _default_domain(path, arrays, space)
    coordinates = []
    for axis, name in enumerate(space):
        if name in arrays:
            coordinates.append(np.asarray(arrays[name], dtype=float))
        elif axis < len(domain) and 3 + axis < u.ndim:
            lo, hi = domain[axis]
            points = u.shape[3 + axis]
            coordinates.append(lo + (hi - lo) * np.arange(points) / points)
        else:
            raise DataError(f"{path} has no grid points {name!r} and no domain")
    seed = int(arrays["seed"]) if "seed" in arrays else None
    trajectories = Trajectories(
        u=u,
        t=t,
        dt=dt,
        fields=names,
        space=space,
        coordinates=tuple(coordinates),
        domain=domain,
        spec_name=_string(arrays, "spec_name"),
        spec_sha256=_string(arrays, "spec_sha256"),
        integrator=_string(arrays, "integrator"),
        initial=_string(arrays, "initial"),
        seed=seed,
        pdec_version=_string(arrays, "pdec_version"),
    )
    if spec_ir is not None:
        trajectories.check(spec_ir, strict=strict)
    return trajectories


# ---- reading --------------------------------------------------------------------------


def _read(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise DataError(f"no such data file: {path}", hint="check the path")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(
            f"cannot read {path} as NPZ: {error}",
            hint="trajectories are NPZ files written by numpy.savez (no pickled objects)",
        ) from None


def _string(arrays: dict, name: str) -> str:
    return str(arrays[name]) if name in arrays else ""


def _strings(arrays: dict, name: str) -> tuple[str, ...] | None:
    if name not in arrays:
        return None
    return tuple(str(s) for s in np.atleast_1d(arrays[name]))


def _times(path: Path, arrays: dict, count: int) -> tuple[np.ndarray, float]:
    if "t" in arrays:
        t = np.asarray(arrays["t"], dtype=float).ravel()
        if t.size < 2:
            raise DataError(f"{path}: t has {t.size} entries; trajectories need at least 2")
        dt = float(arrays["dt"]) if "dt" in arrays else float(t[1] - t[0])
        return t, dt
    if "dt" in arrays:
        dt = float(arrays["dt"])
        return dt * np.arange(count), dt
    raise DataError(
        f"{path} has neither t nor dt", hint="store the sample times as t (or the step as dt)"
    )


def _default_space(spec_ir, grid_axes: int):
    if spec_ir is not None:
        space, domain = spec_space(spec_ir)
        if len(space) == grid_axes:
            return space, domain or None
    names = ("x", "y", "z")
    return tuple(names[i] if i < 3 else f"x{i}" for i in range(grid_axes)), None


def _default_domain(path: Path, arrays: dict, space: tuple[str, ...]):
    domain = []
    for name in space:
        if name not in arrays:
            raise DataError(
                f"{path} has neither grid points {name!r} nor a domain",
                hint="store the grid points (e.g. x) or load with the spec",
            )
        points = np.asarray(arrays[name], dtype=float)
        step = points[1] - points[0] if points.size > 1 else 1.0
        domain.append((float(points[0]), float(points[0] + step * points.size)))
    return tuple(domain)


__all__ = ["load_trajectories"]
