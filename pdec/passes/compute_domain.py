"""compute_domain: the spec's :class:`~pdec.ir.nodes.Domain`, computed once.

Every consumer of "the box" — the PINN's input scaling and samplers, the cut's lift, the
operator's grid, the periodic checks and the reference solvers — reads ``spec.domain``
instead of walking the regions with a rule of its own.

>>> from pdec import loads
>>> text = "model m\\nregion a = box(x in [0, 1], y in [0, 1])\\n"
>>> text += "region b = box(x in [1, 2], y in [0, 2])\\nfield u(x, y)"
>>> domain = loads(text).ir.domain
>>> [(r.var, r.lo, r.hi) for r in domain.hull]
[(x, 0, 2), (y, 0, 2)]
>>> [(r.var, r.lo, r.hi) for r in domain.ranges("a")]
[(x, 0, 1), (y, 0, 1)]
"""

from __future__ import annotations

import dataclasses

import sympy

from pdec.ir import nodes as ir


def compute_domain(spec: ir.SpecIR) -> ir.SpecIR:
    """``spec`` with its ``domain`` fact: the hull spans every region (a disk by its
    bounding box), so a PINN's inputs are scaled from it whatever the shapes."""
    boxes = tuple(
        (region.name, region.shape.ranges)
        for region in spec.regions
        if isinstance(region.shape, ir.Box)
    )
    hull: dict[sympy.Symbol, ir.Range] = {}
    extents = [rng for _, ranges in boxes for rng in ranges]
    extents += [
        rng
        for region in spec.regions
        if not isinstance(region.shape, ir.Box)
        for rng in bounding_ranges(region.shape)
    ]
    for rng in extents:
        seen = hull.get(rng.var)
        hull[rng.var] = (
            rng
            if seen is None
            else ir.Range(
                rng.var, sympy.Min(seen.lo, rng.lo), sympy.Max(seen.hi, rng.hi), seen.periodic
            )
        )
    domain = ir.Domain(boxes, tuple(hull.values()), len(boxes) == len(spec.regions))
    return dataclasses.replace(spec, domain=domain)


def bounding_ranges(shape: ir.Shape) -> tuple[ir.Range, ...]:
    """Ranges that hold ``shape`` (for a set operation, all of its parts)."""
    if isinstance(shape, ir.Box):
        return shape.ranges
    if isinstance(shape, ir.Disk):
        return tuple(
            ir.Range(v, c - shape.radius, c + shape.radius)
            for v, c in zip(shape.variables, shape.center)
        )
    if isinstance(shape, ir.Ellipse):
        return tuple(
            ir.Range(v, c - a, c + a) for v, c, a in zip(shape.variables, shape.center, shape.axes)
        )
    if isinstance(shape, ir.Polygon):
        columns = list(zip(*shape.points))
        return tuple(
            ir.Range(v, sympy.Min(*values), sympy.Max(*values))
            for v, values in zip(shape.variables, columns)
        )
    return bounding_ranges(shape.left) + bounding_ranges(shape.right)
