"""Where collocation points come from: boxes, sides of boxes, polylines and slices.

A sampler has ``names`` (the coordinates it produces) and
``sample(n, generator, method)``, which returns a dict of 1-D float64 CPU tensors of
length ``n``: one per coordinate, plus ``n_<coordinate>`` (the outward unit normal)
for samplers of boundaries and curves. Pieces of a union get points in proportion to
their measure (length, area, ...; a point counts 1), split by largest remainders.

>>> g = torch.Generator().manual_seed(0)
>>> walls = Sides([Side("x", 0.0, {}, {"x": -1.0}), Side("x", 1.0, {}, {"x": 1.0})],
...               extra={"t": (0.0, 1.0)})
>>> points = walls.sample(4, g)
>>> sorted(points)
['n_x', 't', 'x']
>>> points["x"].tolist(), points["n_x"].tolist()
([0.0, 0.0, 1.0, 1.0], [-1.0, -1.0, 1.0, 1.0])
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import torch
from torch import Tensor

from pdec.runtime.sampling import allocate, unit_cube

Bounds = Mapping[str, tuple[float, float]]


@runtime_checkable
class Sampler(Protocol):
    names: tuple[str, ...]

    def sample(
        self, n: int, generator: torch.Generator, method: str = "uniform"
    ) -> dict[str, Tensor]: ...


def _bounds(bounds: Bounds) -> dict[str, tuple[float, float]]:
    checked = {}
    for name, (lo, hi) in bounds.items():
        lo, hi = float(lo), float(hi)
        if not lo <= hi:
            raise ValueError(f"bounds of {name!r} are empty: [{lo}, {hi}]")
        checked[name] = (lo, hi)
    return checked


def _measure(bounds: Bounds) -> float:
    return math.prod(hi - lo for lo, hi in bounds.values())


def _place(unit: Tensor, bounds: Bounds) -> dict[str, Tensor]:
    """Map the columns of ``unit`` (n, len(bounds)) affinely onto ``bounds``."""
    return {name: lo + (hi - lo) * unit[:, k] for k, (name, (lo, hi)) in enumerate(bounds.items())}


def _concatenate(parts: list[dict[str, Tensor]], names: list[str]) -> dict[str, Tensor]:
    return {name: torch.cat([part[name] for part in parts]) for name in names}


class Box:
    """A box (or interval) in any coordinates, sampled uniformly inside.

    >>> Box({"t": (0, 1), "x": (-1, 1)}).names
    ('t', 'x')
    """

    def __init__(self, bounds: Bounds):
        self.bounds = _bounds(bounds)
        self.names = tuple(self.bounds)

    @property
    def measure(self) -> float:
        return _measure(self.bounds)

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        return _place(unit_cube(n, len(self.bounds), generator, method), self.bounds)

    # as a shape (pdec.runtime.shapes): closed, and its own exact proposal
    interior = True
    propose = sample

    @property
    def proposal_volume(self) -> float:
        return self.measure

    def contains(self, points: Mapping[str, Tensor]) -> Tensor:
        inside = None
        for name, (lo, hi) in self.bounds.items():
            within = (points[name] >= lo) & (points[name] <= hi)
            inside = within if inside is None else inside & within
        return inside

    def __repr__(self) -> str:
        return f"Box({self.bounds})"


class Slice:
    """The slice ``var = value`` of a box: ``var`` exactly ``value``, the rest sampled.

    >>> Slice("t", 0.0, {"x": (-1, 1)}).sample(3, torch.Generator())["t"].tolist()
    [0.0, 0.0, 0.0]
    """

    def __init__(self, var: str, value: float, bounds: Bounds):
        self.var, self.value = var, float(value)
        self.bounds = _bounds(bounds)
        self.names = (var, *self.bounds)

    @property
    def measure(self) -> float:
        return _measure(self.bounds)

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        points = _place(unit_cube(n, len(self.bounds), generator, method), self.bounds)
        return {self.var: torch.full((n,), self.value, dtype=torch.float64), **points}

    def __repr__(self) -> str:
        return f"Slice({self.var!r}, {self.value}, {self.bounds})"


class Side(Slice):
    """The side ``var = value`` of a box, with its outward unit ``normal``.

    ``bounds`` are the other coordinates' ranges (empty for an end of an interval).
    Samples also carry ``n_<coordinate>`` for every component of the normal.
    """

    def __init__(self, var: str, value: float, bounds: Bounds, normal: Mapping[str, float]):
        super().__init__(var, value, bounds)
        self.normal = {name: float(component) for name, component in normal.items()}

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        points = super().sample(n, generator, method)
        for name, component in self.normal.items():
            points[f"n_{name}"] = torch.full((n,), component, dtype=torch.float64)
        return points

    def __repr__(self) -> str:
        return f"Side({self.var!r}, {self.value}, {self.bounds}, {self.normal})"


class Sides:
    """A union of sides, with ``extra`` coordinates (e.g. time) sampled uniformly on top.

    Each side gets points in proportion to its measure; normal components a side does
    not mention are 0.
    """

    def __init__(self, sides: list[Side], extra: Bounds | None = None):
        if not sides:
            raise ValueError("Sides needs at least one side")
        self.sides = list(sides)
        self.extra = _bounds(extra or {})
        coordinates = set(self.sides[0].names)
        for side in self.sides[1:]:
            if set(side.names) != coordinates:
                raise ValueError(
                    f"sides cover different coordinates: {self.sides[0].names} and {side.names}"
                )
        self.names = (*self.sides[0].names, *self.extra)
        normals = dict.fromkeys(name for side in self.sides for name in side.normal)
        self.normal_names = tuple(f"n_{name}" for name in normals)

    @property
    def measure(self) -> float:
        return sum(side.measure for side in self.sides) * _measure(self.extra)

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        counts = allocate(n, [side.measure for side in self.sides])
        parts = []
        for side, count in zip(self.sides, counts):
            unit = unit_cube(count, len(side.bounds) + len(self.extra), generator, method)
            part = {side.var: torch.full((count,), side.value, dtype=torch.float64)}
            part.update(_place(unit[:, : len(side.bounds)], side.bounds))
            part.update(_place(unit[:, len(side.bounds) :], self.extra))
            for name in self.normal_names:
                component = side.normal.get(name[2:], 0.0)
                part[name] = torch.full((count,), component, dtype=torch.float64)
            parts.append(part)
        return _concatenate(parts, [*self.names, *self.normal_names])

    def __repr__(self) -> str:
        return f"Sides({self.sides}, extra={self.extra})"


class Polyline:
    """Points on a polyline in the plane, in proportion to segment length.

    The normal ``n_<names[0]>, n_<names[1]>`` of each segment is its unit tangent
    P_i -> P_i+1 turned clockwise: (tx, ty) -> (ty, -tx).

    >>> line = Polyline([(0, -1), (0, 0)])
    >>> points = line.sample(2, torch.Generator().manual_seed(0))
    >>> points["n_x"].tolist(), points["n_y"].tolist()
    ([1.0, 1.0], [0.0, 0.0])
    """

    def __init__(
        self,
        points: list[tuple[float, float]],
        names: tuple[str, str] = ("x", "y"),
        extra: Bounds | None = None,
    ):
        if len(points) < 2:
            raise ValueError("a polyline needs at least two points")
        self.points = [(float(a), float(b)) for a, b in points]
        self.extra = _bounds(extra or {})
        self.names = (*names, *self.extra)
        self._normal_names = tuple(f"n_{name}" for name in names)
        self.segments = list(zip(self.points[:-1], self.points[1:]))
        self.lengths = [math.dist(p, q) for p, q in self.segments]

    @property
    def measure(self) -> float:
        return sum(self.lengths) * _measure(self.extra)

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        a, b = self.names[:2]
        n_a, n_b = self._normal_names
        parts = []
        counts = allocate(n, self.lengths)
        for ((px, py), (qx, qy)), length, count in zip(self.segments, self.lengths, counts):
            unit = unit_cube(count, 1 + len(self.extra), generator, method)
            s = unit[:, 0]
            tx, ty = ((qx - px) / length, (qy - py) / length) if length > 0 else (0.0, 0.0)
            part = {a: px + s * (qx - px), b: py + s * (qy - py)}
            part.update(_place(unit[:, 1:], self.extra))
            part[n_a] = torch.full((count,), ty, dtype=torch.float64)
            part[n_b] = torch.full((count,), 0.0 - tx, dtype=torch.float64)
            parts.append(part)
        return _concatenate(parts, [*self.names, *self._normal_names])

    def __repr__(self) -> str:
        return f"Polyline({self.points}, names={self.names[:2]}, extra={self.extra})"


class AboutPoint:
    """A box whose points crowd about a point: ``fraction`` of them have their distance
    r from ``center`` log-uniform in [r_min, radius] and their direction uniform (area
    density ∝ 1/r²: uniform in (log r, θ), the variables in which r²Δ is the Laplacian),
    the rest uniform in the box. Points that fall outside the box are redrawn.

    Used about the pole of a cut's coordinates, where the solution is least smooth.
    ``region`` is the box itself (``evaluate`` draws uniformly from it).

    >>> near = AboutPoint(Box({"x": (-1, 1), "y": (-1, 0)}), {"x": 0.0, "y": -0.5}, 0.4, 0.5)
    >>> points = near.sample(1000, torch.Generator().manual_seed(0))
    >>> r = ((points["x"] ** 2 + (points["y"] + 0.5) ** 2) ** 0.5)
    >>> int((r < 0.4).sum()) >= 500
    True
    """

    def __init__(
        self,
        region: Box,
        center: Mapping[str, float],
        radius: float,
        fraction: float,
        r_min: float = 1e-3,
    ):
        if len(center) != 2 or not set(center) <= set(region.names):
            raise ValueError(f"center must give two of the box's coordinates {region.names}")
        if not 0 < r_min < radius or not 0 <= fraction <= 1:
            raise ValueError("need 0 < r_min < radius and 0 <= fraction <= 1")
        self.region = region
        self.center = {name: float(value) for name, value in center.items()}
        self.radius, self.fraction, self.r_min = float(radius), float(fraction), float(r_min)
        self.names = region.names

    @property
    def measure(self) -> float:
        return self.region.measure

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        near = round(self.fraction * n)
        parts = [self.region.sample(n - near, generator, method)]
        (a, ca), (b, cb) = self.center.items()
        (a_lo, a_hi), (b_lo, b_hi) = self.region.bounds[a], self.region.bounds[b]
        others = {k: v for k, v in self.region.bounds.items() if k not in self.center}
        missing = near
        while missing > 0:
            unit = unit_cube(2 * missing, 2 + len(others), generator, "uniform")
            r = self.r_min * (self.radius / self.r_min) ** unit[:, 0]
            angle = 2 * math.pi * unit[:, 1]
            part = {a: ca + r * torch.cos(angle), b: cb + r * torch.sin(angle)}
            part.update(_place(unit[:, 2:], others))
            inside = (part[a] >= a_lo) & (part[a] <= a_hi) & (part[b] >= b_lo) & (part[b] <= b_hi)
            kept = inside.nonzero().flatten()[:missing]
            parts.append({name: value[kept] for name, value in part.items()})
            missing -= len(kept)
        return _concatenate(parts, list(self.names))

    def __repr__(self) -> str:
        return (
            f"AboutPoint({self.region!r}, {self.center}, radius={self.radius}, "
            f"fraction={self.fraction}, r_min={self.r_min})"
        )


class Circles:
    """Whole circles about ``center``: ``PER_CIRCLE`` equally spaced points on each (a
    random phase per circle), radii log-stratified in [r_min, r_max]; n points make
    ceil(n / PER_CIRCLE) circles. A residual's mean over each circle (``Circles.means``)
    is (1/2π)∮ · dθ to spectral accuracy: the flux through the circle.

    >>> circles = Circles({"x": 0.0, "y": -1.0}, 1e-3, 1.0)
    >>> points = circles.sample(128, torch.Generator().manual_seed(0))
    >>> Circles.means(points["y"] + 1.0).abs().max() < 1e-12
    tensor(True)
    """

    PER_CIRCLE = 64

    def __init__(self, center: Mapping[str, float], r_min: float, r_max: float):
        if len(center) != 2:
            raise ValueError("circles lie in a plane: give the center's two coordinates")
        if not 0 < r_min < r_max:
            raise ValueError(f"need 0 < r_min < r_max, got {r_min}, {r_max}")
        self.center = {name: float(value) for name, value in center.items()}
        self.r_min, self.r_max = float(r_min), float(r_max)
        self.names = tuple(self.center)

    @property
    def measure(self) -> float:
        return 2 * math.pi * self.r_max

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform"):
        k = max(1, -(-n // self.PER_CIRCLE))
        draws = unit_cube(k, 2, generator, method)
        strata = (torch.arange(k, dtype=torch.float64) + draws[:, 0]) / k
        radii = self.r_min * (self.r_max / self.r_min) ** strata
        steps = torch.arange(self.PER_CIRCLE, dtype=torch.float64) / self.PER_CIRCLE
        angle = 2 * math.pi * (steps[None, :] + draws[:, 1:] / self.PER_CIRCLE)
        r = radii[:, None].expand_as(angle)
        (a, ca), (b, cb) = self.center.items()
        return {
            a: (ca + r * torch.cos(angle)).reshape(-1),
            b: (cb + r * torch.sin(angle)).reshape(-1),
        }

    @classmethod
    def means(cls, values: Tensor) -> Tensor:
        """The mean of ``values`` over each circle (points as ``sample`` orders them)."""
        return values.reshape(-1, cls.PER_CIRCLE).mean(dim=1)

    def __repr__(self) -> str:
        return f"Circles({self.center}, r_min={self.r_min}, r_max={self.r_max})"
