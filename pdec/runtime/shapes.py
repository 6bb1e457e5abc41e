"""Regions of any shape: what is inside, for sampling interiors by rejection.

A *shape* has ``names`` (its space coordinates), ``bounds`` (a bounding box),
``contains(points)`` (a bool tensor; shapes are closed), and a *proposal*: a superset
it can sample uniformly (``propose(n, generator, method)``) whose volume is
``proposal_volume``. A ball proposes itself (exactly uniform, in any dimension); a
difference A − B or an intersection A ∩ B proposes A's proposal; anything else its
bounding box. :class:`pdec.runtime.geometry.Inside` keeps the proposed points the shape
contains, so no point ever lies in a hole.

Primitives: :class:`pdec.runtime.geometry.Box`, :class:`Ball` (a disk in 2-D),
:class:`Ellipsoid`, :class:`Polygon`. Set operations: :class:`Union`,
:class:`Difference`, :class:`Intersection`.

>>> square = Box({"x": (-1, 1), "y": (-1, 1)})
>>> plate = Difference(square, Ball({"x": 0.0, "y": 0.0}, 0.5))
>>> points = {"x": torch.tensor([0.0, 0.9]), "y": torch.tensor([0.0, 0.0])}
>>> plate.contains(points).tolist()
[False, True]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import torch
from torch import Tensor

from pdec.runtime.geometry import Box, _bounds, _measure, _place
from pdec.runtime.sampling import unit_cube

Points = Mapping[str, Tensor]


@runtime_checkable
class Shape(Protocol):
    names: tuple[str, ...]
    bounds: dict[str, tuple[float, float]]
    proposal_volume: float

    def contains(self, points: Points) -> Tensor: ...

    def propose(self, n: int, generator: torch.Generator, method: str) -> dict[str, Tensor]: ...


def _center(center: Mapping[str, float]) -> dict[str, float]:
    if len(center) < 2:
        raise ValueError("a ball or ellipsoid needs two or more coordinates")
    return {name: float(value) for name, value in center.items()}


def sphere_columns(dimension: int) -> int:
    """How many unit-cube columns :func:`to_sphere` maps onto the sphere in R^dimension."""
    return 1 if dimension == 2 else dimension


def to_sphere(unit: Tensor, dimension: int) -> Tensor:
    """Points of [0, 1)^sphere_columns → the unit sphere in R^dimension, uniformly.

    In 2-D the angle is uniform (exact arc length, and quasi-random draws stay evenly
    spread); above, normalised Gaussians from the inverse normal CDF of the draws.
    """
    if dimension == 2:
        angle = 2 * math.pi * unit[:, 0]
        return torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    gaussian = math.sqrt(2.0) * torch.erfinv(2 * unit.clamp(1e-12, 1 - 1e-12) - 1)
    return gaussian / torch.linalg.vector_norm(gaussian, dim=1, keepdim=True)


def unit_sphere(n: int, dimension: int, generator: torch.Generator, method: str) -> Tensor:
    """``n`` points uniform on the unit sphere in R^dimension, shape (n, dimension)."""
    unit = unit_cube(n, sphere_columns(dimension), generator, method)
    return to_sphere(unit, dimension)


def sphere_area(dimension: int) -> float:
    """The area of the unit sphere in R^dimension (2π for the circle)."""
    return 2 * math.pi ** (dimension / 2) / math.gamma(dimension / 2)


class Ellipsoid:
    """``Σ ((x_i − c_i) / a_i)² ≤ 1``: an ellipse in 2-D, with semi-axes ``axes``.

    >>> e = Ellipsoid({"x": 0.0, "y": 0.0}, {"x": 2.0, "y": 1.0})
    >>> round(e.proposal_volume, 6) == round(2 * math.pi, 6)
    True
    """

    def __init__(self, center: Mapping[str, float], axes: Mapping[str, float]):
        self.center = _center(center)
        self.axes = {name: float(axes[name]) for name in self.center}
        if set(axes) != set(self.center) or min(self.axes.values()) <= 0:
            raise ValueError("an ellipsoid needs one positive semi-axis per center coordinate")
        self.names = tuple(self.center)
        self.bounds = {
            name: (c - self.axes[name], c + self.axes[name]) for name, c in self.center.items()
        }
        d = len(self.names)
        self.proposal_volume = (
            math.pi ** (d / 2) / math.gamma(d / 2 + 1) * math.prod(self.axes.values())
        )

    def scaled(self, points: Points) -> Tensor:
        """(x − c) / a, shape (n, dimension)."""
        return torch.stack(
            [(points[name] - c) / self.axes[name] for name, c in self.center.items()], dim=1
        )

    def contains(self, points: Points) -> Tensor:
        return (self.scaled(points) ** 2).sum(dim=1) <= 1.0

    def propose(self, n: int, generator: torch.Generator, method: str = "uniform"):
        """Exactly uniform inside: a direction and radius u^(1/d), stretched by the axes."""
        d = len(self.names)
        # one joint draw: two quasi-random sequences drawn apart would be correlated
        unit = unit_cube(n, sphere_columns(d) + 1, generator, method)
        direction = to_sphere(unit[:, :-1], d)
        radius = unit[:, -1] ** (1.0 / d)
        return {
            name: c + self.axes[name] * radius * direction[:, k]
            for k, (name, c) in enumerate(self.center.items())
        }

    def __repr__(self) -> str:
        return f"Ellipsoid({self.center}, {self.axes})"


class Ball(Ellipsoid):
    """``|x − c| ≤ radius`` in the coordinates of ``center`` (a disk in 2-D).

    >>> Ball({"x": 0.0, "y": 0.0, "z": 0.0}, 1.0).proposal_volume == 4 / 3 * math.pi
    True
    """

    def __init__(self, center: Mapping[str, float], radius: float):
        if not float(radius) > 0:
            raise ValueError(f"a ball's radius must be positive, got {radius}")
        self.radius = float(radius)
        super().__init__(center, dict.fromkeys(center, self.radius))

    def __repr__(self) -> str:
        return f"Ball({self.center}, {self.radius})"


class Polygon:
    """A simple polygon in the plane (vertices in either order; even–odd rule).

    >>> triangle = Polygon([(0, 0), (1, 0), (0, 1)])
    >>> triangle.contains({"x": torch.tensor([0.2, 0.8]), "y": torch.tensor([0.2, 0.8])})
    tensor([ True, False])
    """

    def __init__(self, vertices, names: tuple[str, str] = ("x", "y")):
        self.vertices = [(float(a), float(b)) for a, b in vertices]
        if len(self.vertices) < 3:
            raise ValueError("a polygon needs at least three vertices")
        self.names = tuple(names)
        xs, ys = zip(*self.vertices)
        self.bounds = {names[0]: (min(xs), max(xs)), names[1]: (min(ys), max(ys))}
        self.proposal_volume = _measure(self.bounds)

    def contains(self, points: Points) -> Tensor:
        x, y = points[self.names[0]], points[self.names[1]]
        inside = torch.zeros_like(x, dtype=torch.bool)
        for (ax, ay), (bx, by) in zip(self.vertices, self.vertices[1:] + self.vertices[:1]):
            if ay == by:
                continue  # a horizontal edge never crosses the ray y = const
            crosses = (ay > y) != (by > y)
            at = ax + (y - ay) * (bx - ax) / (by - ay)
            inside ^= crosses & (x < at)
        # the even–odd rule leaves part of the boundary out; shapes are closed
        return inside | self._on_edges(x, y)

    def _on_edges(self, x: Tensor, y: Tensor) -> Tensor:
        on = torch.zeros_like(x, dtype=torch.bool)
        for (ax, ay), (bx, by) in zip(self.vertices, self.vertices[1:] + self.vertices[:1]):
            length = math.hypot(bx - ax, by - ay)
            cross = ((bx - ax) * (y - ay) - (by - ay) * (x - ax)) / length
            along = ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / length**2
            on |= (cross.abs() <= 1e-12 * (1 + length)) & (along >= 0) & (along <= 1)
        return on

    def propose(self, n: int, generator: torch.Generator, method: str = "uniform"):
        return _place(unit_cube(n, 2, generator, method), self.bounds)

    def __repr__(self) -> str:
        return f"Polygon({self.vertices}, names={self.names})"


class _SetOp:
    def __init__(self, left: Shape, right: Shape):
        for shape in (left, right):
            if not isinstance(shape, Shape):
                raise TypeError(f"{type(self).__name__} combines shapes, got {shape!r}")
        self.left, self.right = left, right
        self.names = tuple(dict.fromkeys(left.names + right.names))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.left!r}, {self.right!r})"


class Union(_SetOp):
    """A ∪ B, proposed from its bounding box."""

    def __init__(self, left: Shape, right: Shape):
        super().__init__(left, right)
        self.bounds = _hull(left.bounds, right.bounds)
        self.proposal_volume = _measure(self.bounds)

    def contains(self, points: Points) -> Tensor:
        return self.left.contains(points) | self.right.contains(points)

    def propose(self, n: int, generator: torch.Generator, method: str = "uniform"):
        return _place(unit_cube(n, len(self.bounds), generator, method), self.bounds)


class Difference(_SetOp):
    """A − B (closed: the boundary of B that lies in A is kept), proposed from A."""

    def __init__(self, left: Shape, right: Shape):
        super().__init__(left, right)
        self.bounds = dict(left.bounds)
        self.proposal_volume = left.proposal_volume

    def contains(self, points: Points) -> Tensor:
        return self.left.contains(points) & ~_interior(self.right, points)

    def propose(self, n: int, generator: torch.Generator, method: str = "uniform"):
        return self.left.propose(n, generator, method)


class Intersection(_SetOp):
    """A ∩ B, proposed from the operand with the smaller proposal."""

    def __init__(self, left: Shape, right: Shape):
        super().__init__(left, right)
        self.bounds = _overlap(left.bounds, right.bounds)
        smaller = min((left, right), key=lambda shape: shape.proposal_volume)
        self._proposer = smaller
        self.proposal_volume = smaller.proposal_volume

    def contains(self, points: Points) -> Tensor:
        return self.left.contains(points) & self.right.contains(points)

    def propose(self, n: int, generator: torch.Generator, method: str = "uniform"):
        points = self._proposer.propose(n, generator, method)
        missing = [name for name in self.names if name not in points]
        if missing:  # the proposer spans fewer coordinates: fill in from the bounds
            unit = unit_cube(n, len(missing), generator, method)
            points.update(_place(unit, {name: self.bounds[name] for name in missing}))
        return points


def _interior(shape: Shape, points: Points) -> Tensor:
    """Points of ``shape`` not on its boundary, to a relative 1e-12 (B's rim stays in A − B)."""
    scale = max(hi - lo for lo, hi in shape.bounds.values())
    step = 1e-12 * max(scale, 1.0)
    inside = shape.contains(points)
    for name in shape.names:
        for sign in (-1.0, 1.0):
            moved = {**points, name: points[name] + sign * step}
            inside = inside & shape.contains(moved)
    return inside


def _hull(a: Mapping, b: Mapping) -> dict[str, tuple[float, float]]:
    names = dict.fromkeys([*a, *b])
    return {
        name: (
            min(a.get(name, b.get(name))[0], b.get(name, a.get(name))[0]),
            max(a.get(name, b.get(name))[1], b.get(name, a.get(name))[1]),
        )
        for name in names
    }


def _overlap(a: Mapping, b: Mapping) -> dict[str, tuple[float, float]]:
    names = dict.fromkeys([*a, *b])
    bounds = {}
    for name in names:
        lo_a, hi_a = a.get(name, b.get(name))
        lo_b, hi_b = b.get(name, a.get(name))
        lo, hi = max(lo_a, lo_b), min(hi_a, hi_b)
        if lo > hi:
            raise ValueError(f"the intersection is empty: the ranges of {name!r} do not overlap")
        bounds[name] = (lo, hi)
    return _bounds(bounds)


__all__ = [
    "Ball",
    "Box",
    "Difference",
    "Ellipsoid",
    "Intersection",
    "Polygon",
    "Shape",
    "Union",
    "sphere_area",
    "unit_sphere",
]
