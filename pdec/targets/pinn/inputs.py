"""Stage 1 of the PINN target, ``choose_inputs``: what the network sees (the
``network_coordinates`` fact of :mod:`pdec.passes.choose_coordinates`), and the spec's
extents and unknowns the later stages share."""

from __future__ import annotations

from pdec.ir import nodes as ir
from pdec.passes.choose_coordinates import CUT_FORMS, NetworkInputs

__all__ = ["CUT_FORMS", "NetworkInputs", "choose_inputs"]


def choose_inputs(s: ir.SpecIR) -> NetworkInputs:
    """The network's inputs: the ``network_coordinates`` fact (the PINN's
    ``choose_coordinates`` pass, with its ``coords`` and ``cut`` options)."""
    return s.fact("network_coordinates")


def unknown_fields(s: ir.SpecIR) -> tuple[ir.Parameter, ...]:
    return tuple(p for p in s.parameters if p.unknown and p.args)


def unknown_scalars(s: ir.SpecIR) -> tuple[ir.Parameter, ...]:
    return tuple(p for p in s.parameters if p.unknown and not p.args)


def network_outputs(s: ir.SpecIR) -> tuple[str, ...]:
    """What ``network_fields`` returns: the fields, then the unknown parameter fields."""
    return tuple(f.name for f in s.fields) + tuple(p.name for p in unknown_fields(s))


def user_coordinates(s: ir.SpecIR) -> tuple[str, ...]:
    time = (s.time.symbol.name,) if s.time is not None else ()
    return time + tuple(v.name for v in s.space)


def ranges_with_time(s: ir.SpecIR) -> dict:
    """``box_ranges`` and, for a spec with a time interval, time's (lo, hi, not periodic)."""
    ranges = box_ranges(s)
    if s.time is not None and s.time.lo is not None:
        ranges[s.time.symbol] = (s.time.lo, s.time.hi, False)
    return ranges


def box_ranges(s: ir.SpecIR) -> dict:
    """Each space variable's (lo, hi, periodic) over the spec's regions (the domain's
    hull: boxes, and the bounding boxes of other shapes), which scale the inputs."""
    return {r.var: (r.lo, r.hi, r.periodic) for r in s.domain.hull}
