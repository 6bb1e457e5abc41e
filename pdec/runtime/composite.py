"""Samplers for regions of any shape (:mod:`pdec.runtime.shapes`): interiors by rejection,
boundaries piece by piece, and single points.

* :class:`Inside` — uniform inside a shape: points proposed from a superset and kept
  where the shape contains them (exact: no point in a hole). ``acceptance`` is the
  kept fraction, estimated once from a fixed pilot draw.
* Faces — the smooth pieces a boundary is made of, each sampled uniformly by arc
  length (area in 3-D) with its outward normal: :class:`pdec.runtime.geometry.Side`,
  :class:`Sphere`, :class:`EllipsoidSurface`, :class:`pdec.runtime.geometry.Polyline`.
* :class:`Restricted` — the part of a face that is boundary of a composite region, with
  the composite's outward normal (a hole's circle has its normal pointing into the
  hole).
* :class:`Boundary` — a union of faces, points in proportion to their (restricted)
  measures, time or other coordinates sampled on top.
* :class:`Point` — one point (a pinned value), time sampled on top if any.

>>> from pdec.runtime.geometry import Box
>>> from pdec.runtime.shapes import Ball, Difference
>>> square = Box({"x": (-1, 1), "y": (-1, 1)})
>>> hole = Ball({"x": 0.0, "y": 0.0}, 0.5)
>>> rim = Restricted(Sphere({"x": 0.0, "y": 0.0}, 0.5), Difference(square, hole), sign=-1)
>>> points = rim.sample(4, torch.Generator().manual_seed(0))
>>> bool(((points["x"] * points["n_x"] + points["y"] * points["n_y"]) < 0).all())
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
from torch import Tensor

from pdec.runtime.geometry import Bounds, _bounds, _concatenate, _measure, _place
from pdec.runtime.sampling import allocate, unit_cube
from pdec.runtime.shapes import Ellipsoid, Shape, sphere_area, unit_sphere

PILOT = 4096  # pilot draws that estimate an acceptance fraction
PILOT_METHOD = "sobol"  # quasi-random: the fraction to ~1e-3, not 1/sqrt(PILOT)
MAX_ROUNDS = 1000  # rejection rounds before giving up on a region of (almost) no measure
_PILOT_SEED = 20260


def _pilot_generator() -> torch.Generator:
    """A private generator: estimating a fraction must not move the training stream."""
    return torch.Generator().manual_seed(_PILOT_SEED)


def _with_extra(points: dict[str, Tensor], extra: dict, generator, method) -> dict[str, Tensor]:
    """``points`` with the ``extra`` coordinates (e.g. time) drawn uniformly, first.

    Sobol draws for them are shuffled: two scrambled Sobol sequences drawn apart are
    correlated, so time would follow space. Each stays evenly spread on its own."""
    n = len(next(iter(points.values())))
    unit = unit_cube(n, len(extra), generator, method)
    if method == "sobol" and extra:
        unit = unit[torch.randperm(n, generator=generator)]
    return {**_place(unit, extra), **points}


def _empty(names) -> dict[str, Tensor]:
    return {name: torch.zeros(0, dtype=torch.float64) for name in names}


def _take(parts: list[dict[str, Tensor]], names) -> dict[str, Tensor]:
    return _concatenate(parts, list(names)) if parts else _empty(names)


class Inside:
    """Uniform points inside ``shape``, with ``extra`` coordinates (time) on top.

    >>> from pdec.runtime.geometry import Box
    >>> from pdec.runtime.shapes import Ball, Difference
    >>> plate = Difference(Box({"x": (-1, 1), "y": (-1, 1)}), Ball({"x": 0.0, "y": 0.0}, 0.5))
    >>> inside = Inside(plate, extra={"t": (0, 1)})
    >>> inside.names, round(inside.acceptance, 1)
    (('t', 'x', 'y'), 0.8)
    >>> p = inside.sample(1000, torch.Generator().manual_seed(0), "sobol")
    >>> bool((p["x"] ** 2 + p["y"] ** 2 >= 0.25).all())
    True
    """

    interior = True

    def __init__(self, shape: Shape, extra: Bounds | None = None):
        self.shape = shape
        self.extra = _bounds(extra or {})
        self.names = (*self.extra, *shape.names)
        pilot = shape.propose(PILOT, _pilot_generator(), PILOT_METHOD)
        self.acceptance = float(shape.contains(pilot).double().mean())
        if self.acceptance == 0.0:
            raise ValueError(
                f"the region {shape!r} looks empty: none of {PILOT} pilot points fell inside"
            )

    @property
    def measure(self) -> float:
        return self.shape.proposal_volume * self.acceptance * _measure(self.extra)

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        parts, missing = [], n
        for _ in range(MAX_ROUNDS):
            if missing <= 0:
                break
            proposed = self.shape.propose(
                math.ceil(1.1 * missing / self.acceptance) + 16, generator, method
            )
            kept = self.shape.contains(proposed).nonzero().flatten()[:missing]
            parts.append({name: proposed[name][kept] for name in self.shape.names})
            missing -= len(kept)
        else:
            raise RuntimeError(f"could not draw {n} points inside {self.shape!r}")
        points = _take(parts, self.shape.names)
        return _with_extra(points, self.extra, generator, method)

    def __repr__(self) -> str:
        return f"Inside({self.shape!r}, extra={self.extra})"


class Sphere:
    """The sphere ``|x − c| = radius`` (a circle in 2-D), normals pointing out."""

    def __init__(self, center: Mapping[str, float], radius: float):
        self.center = {name: float(value) for name, value in center.items()}
        self.radius = float(radius)
        self.names = tuple(self.center)

    @property
    def measure(self) -> float:
        d = len(self.names)
        return sphere_area(d) * self.radius ** (d - 1)

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        direction = unit_sphere(n, len(self.names), generator, method)
        points = {}
        for k, (name, c) in enumerate(self.center.items()):
            points[name] = c + self.radius * direction[:, k]
            points[f"n_{name}"] = direction[:, k].clone()
        return points

    def __repr__(self) -> str:
        return f"Sphere({self.center}, {self.radius})"


class EllipsoidSurface:
    """The surface of an :class:`~pdec.runtime.shapes.Ellipsoid`, uniform by area.

    Points x = c + A s with s uniform on the unit sphere are kept with probability
    |A⁻¹s| · min(a): the area element of the map is det(A)|A⁻¹s|. The normal is
    A⁻¹s / |A⁻¹s|.
    """

    def __init__(self, center: Mapping[str, float], axes: Mapping[str, float]):
        self.ellipsoid = Ellipsoid(center, axes)
        self.names = self.ellipsoid.names
        generator = _pilot_generator()
        s = unit_sphere(PILOT * 16, len(self.names), generator, "uniform")
        stretch = self._stretch(s)
        self.acceptance = float(stretch.mean() * min(self.ellipsoid.axes.values()))
        determinant = math.prod(self.ellipsoid.axes.values())
        self._measure = sphere_area(len(self.names)) * determinant * float(stretch.mean())

    def _stretch(self, s: Tensor) -> Tensor:
        """|A⁻¹ s| for each row of ``s``."""
        axes = torch.tensor(list(self.ellipsoid.axes.values()), dtype=torch.float64)
        return torch.linalg.vector_norm(s / axes, dim=1)

    @property
    def measure(self) -> float:
        return self._measure

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        axes = torch.tensor(list(self.ellipsoid.axes.values()), dtype=torch.float64)
        smallest = float(axes.min())
        parts, missing = [], n
        for _ in range(MAX_ROUNDS):
            if missing <= 0:
                break
            m = math.ceil(1.1 * missing / self.acceptance) + 16
            s = unit_sphere(m, len(self.names), generator, method)
            keep = unit_cube(m, 1, generator, "uniform")[:, 0] < self._stretch(s) * smallest
            s = s[keep][:missing]
            normal = s / axes
            normal = normal / torch.linalg.vector_norm(normal, dim=1, keepdim=True)
            part = {}
            for k, (name, c) in enumerate(self.ellipsoid.center.items()):
                part[name] = c + axes[k] * s[:, k]
                part[f"n_{name}"] = normal[:, k]
            parts.append(part)
            missing -= len(s)
        names = [*self.names, *(f"n_{name}" for name in self.names)]
        return _take(parts, names)

    def __repr__(self) -> str:
        return f"EllipsoidSurface({self.ellipsoid.center}, {self.ellipsoid.axes})"


class Restricted:
    """The points of ``face`` that are boundary of ``within``, normals times ``sign``.

    ``sign`` is −1 where the face belongs to a shape subtracted from ``within`` (the
    face's outward normal then points into ``within``). A point p is kept when
    p − εn is in ``within`` and p + εn is not (n the signed normal, ε a 1e-9 part of
    the region's size): p is then on the boundary, and n points out of the region.
    """

    def __init__(self, face, within: Shape, sign: float = 1.0):
        self.face, self.within, self.sign = face, within, float(sign)
        self.names = tuple(face.names)
        size = max(hi - lo for lo, hi in within.bounds.values())
        self.step = 1e-9 * max(size, 1e-300)
        pilot = face.sample(PILOT, _pilot_generator(), PILOT_METHOD)
        self.acceptance = float(self._on_boundary(pilot).double().mean())
        if self.acceptance == 0.0:
            raise ValueError(f"{face!r} has no part on the boundary of {within!r}")

    def _on_boundary(self, points: dict[str, Tensor]) -> Tensor:
        space = self.within.names
        outward = {name: self.sign * points[f"n_{name}"] for name in space}
        behind = {name: points[name] - self.step * outward[name] for name in space}
        ahead = {name: points[name] + self.step * outward[name] for name in space}
        return self.within.contains(behind) & ~self.within.contains(ahead)

    @property
    def measure(self) -> float:
        return self.face.measure * self.acceptance

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        parts, missing = [], n
        for _ in range(MAX_ROUNDS):
            if missing <= 0:
                break
            drawn = self.face.sample(
                math.ceil(1.1 * missing / self.acceptance) + 16, generator, method
            )
            kept = self._on_boundary(drawn).nonzero().flatten()[:missing]
            part = {name: value[kept] for name, value in drawn.items()}
            for name in part:
                if name.startswith("n_"):
                    part[name] = self.sign * part[name]
            parts.append(part)
            missing -= len(kept)
        else:
            raise RuntimeError(f"could not draw {n} points on {self!r}")
        return _take(parts, parts[0].keys() if parts else self.names)

    def __repr__(self) -> str:
        return f"Restricted({self.face!r}, within={self.within!r}, sign={self.sign:g})"


class Boundary:
    """A union of faces, each getting points in proportion to its measure, with
    ``extra`` coordinates (time) on top. Every point carries ``n_<name>`` for each
    coordinate a face gives a normal for (0 where a face has none)."""

    interior = False

    def __init__(self, faces: list, extra: Bounds | None = None):
        if not faces:
            raise ValueError("a boundary needs at least one face")
        self.faces = list(faces)
        self.extra = _bounds(extra or {})
        space = dict.fromkeys(name for face in self.faces for name in face.names)
        self.names = (*self.extra, *space)
        self.normal_names = tuple(f"n_{name}" for name in space)

    @property
    def measure(self) -> float:
        return sum(face.measure for face in self.faces) * _measure(self.extra)

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        counts = allocate(n, [face.measure for face in self.faces])
        parts = []
        for face, count in zip(self.faces, counts):
            drawn = face.sample(count, generator, method)
            part = _with_extra({k: v for k, v in drawn.items()}, self.extra, generator, method)
            for name in self.normal_names:
                part.setdefault(name, torch.zeros(count, dtype=torch.float64))
            parts.append(part)
        return _concatenate(parts, [*self.names, *self.normal_names])

    def __repr__(self) -> str:
        return f"Boundary({self.faces}, extra={self.extra})"


class Fixed:
    """``sampler``'s points with the coordinate ``var`` fixed at ``value`` (``at t = 0``
    on a region that is not a box).

    >>> from pdec.runtime.shapes import Ball
    >>> initial = Fixed("t", 0.0, Inside(Ball({"x": 0.0, "y": 0.0}, 1.0)))
    >>> initial.names, initial.sample(2, torch.Generator())["t"].tolist()
    (('t', 'x', 'y'), [0.0, 0.0])
    """

    interior = False

    def __init__(self, var: str, value: float, sampler):
        self.var, self.value, self.sampler = var, float(value), sampler
        self.names = (var, *sampler.names)

    @property
    def measure(self) -> float:
        return self.sampler.measure

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        points = self.sampler.sample(n, generator, method)
        return {self.var: torch.full((n,), self.value, dtype=torch.float64), **points}

    def __repr__(self) -> str:
        return f"Fixed({self.var!r}, {self.value}, {self.sampler!r})"


class Point:
    """The point ``at`` (n copies), with ``extra`` coordinates (time) drawn on top.

    >>> Point({"x": 0.0, "y": 1.0}).sample(2, torch.Generator())["y"].tolist()
    [1.0, 1.0]
    """

    interior = False

    def __init__(self, at: Mapping[str, float], extra: Bounds | None = None):
        self.at = {name: float(value) for name, value in at.items()}
        self.extra = _bounds(extra or {})
        self.names = (*self.extra, *self.at)

    @property
    def measure(self) -> float:
        return _measure(self.extra)  # a point counts 1

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        points = {
            name: torch.full((n,), value, dtype=torch.float64) for name, value in self.at.items()
        }
        return _with_extra(points, self.extra, generator, method)

    def __repr__(self) -> str:
        return f"Point({self.at}, extra={self.extra})"


__all__ = [
    "Boundary",
    "EllipsoidSurface",
    "Fixed",
    "Inside",
    "Point",
    "Restricted",
    "Sphere",
]
