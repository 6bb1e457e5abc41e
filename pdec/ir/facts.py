"""The facts passes add to :class:`~pdec.ir.nodes.SpecIR`: typed values computed once
and read by every consumer (docs/architecture.md, "Facts", says who reads which).

``FACT_PASSES`` names the pass that adds each fact, so that reading a fact before its
pass has run (``SpecIR.fact``) is an error that says which pass to run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pdec.ir.nodes import Range

# each fact of SpecIR → the pass (module of pdec.passes) that adds it
FACT_PASSES = {
    "domain": "compute_domain",
    "residuals": "derive_residuals",
    "definitions_inlined": "inline_definitions",
    "dynamics": "classify_dynamics",
    "network_coordinates": "choose_coordinates",
}


@dataclass(frozen=True)
class Domain:
    """Where the spec's fields live, computed once by :func:`pdec.passes.compute_domain`.

    ``boxes``: each box (or interval) region's name and its own ranges; ``hull``: for
    each variable some region bounds, its range over all regions (boxes by their ranges,
    disks, balls, ellipses and polygons by their bounding boxes; lo = Min, hi = Max;
    periodic as the first box says), in the order the regions name them;
    ``only_boxes``: no region is a disk, polygon or set operation. Bounds are SymPy
    expressions of the constants; :meth:`numeric` gives floats.
    """

    boxes: tuple[tuple[str, tuple[Range, ...]], ...]
    hull: tuple[Range, ...]
    only_boxes: bool

    def ranges(self, region: str) -> tuple[Range, ...]:
        """The ranges of the box region called ``region``."""
        return dict(self.boxes)[region]

    def numeric(self, values, ranges: tuple[Range, ...] | None = None) -> dict:
        """``ranges`` (default: the hull) as {var: (lo, hi)} floats, ``values`` (the
        constants' values) inserted."""
        return {
            r.var: (float(r.lo.subs(values)), float(r.hi.subs(values)))
            for r in (self.hull if ranges is None else ranges)
        }


@dataclass(frozen=True)
class Dynamics:
    """The class of G in ``evolve dt(u) = G δH/δu``, found once by
    :func:`pdec.passes.classify_dynamics`: ``structure`` is a
    :class:`pdec.symbolic.structure.OperatorStructure`, or None when the dynamics are
    not written as G δH/δu (or there is no ``evolve``, or ``error`` says why G could
    not be classified)."""

    structure: object | None
    # why G could not be classified (a SpecError), raised by require()
    error: Exception | None = None

    def require(self):
        """The structure (None: no G δH/δu); the stored error if G is not classifiable."""
        if self.error is not None:
            raise self.error
        return self.structure
