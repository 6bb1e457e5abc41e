"""Stage 1 of the PINN target, ``choose_inputs``: what the network sees — a declared
coordinate system with a cut (the fault's (r, θ), with the cut's jump lifted into the
field where it applies), else the spec's own coordinates — and the spec's extents and
unknowns the later stages share."""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.lift_cut_jump import CutLift, lift_cut_jump
from pdec.passes.transform_coordinates import coordinate_system
from pdec.symbolic.inverse_map import PolarInverse, polar_inverse

CUT_FORMS = ("auto", "lift", "residual")


@dataclass(frozen=True)
class NetworkInputs:
    """The network's inputs: time (if any) then space or the new coordinates, with the
    closed-form inverse (x, y) → (r, θ) when a coordinate system is used."""

    symbols: tuple[sympy.Symbol, ...]
    system: ir.CoordinateSystem | None = None
    inverse: PolarInverse | None = None
    lift: CutLift | None = None


def choose_inputs(s: ir.SpecIR, coords: str | None, cut: str = "auto") -> NetworkInputs:
    time = (s.time.symbol,) if s.time is not None else ()
    if coords is not None:
        system = coordinate_system(s, coords)
    else:
        system = next((c for c in s.coordinates if c.cut is not None), None)
    if system is None:
        return NetworkInputs(time + tuple(s.space))
    kept = tuple(v for v in s.space if v not in system.old)
    inverse = polar_inverse(system.new, system.old, system.forward)
    lift = None
    if system.cut is not None and cut != "residual":
        lift, why = lift_cut_jump(s, system, inverse)
        if lift is None and cut == "lift":
            raise UnsupportedError(
                f"--cut lift does not apply: {why}",
                system.cut.span,
                "use --cut residual (the jump as a loss term, as Okazaki et al.)",
            )
    return NetworkInputs(time + kept + tuple(system.new), system, inverse, lift)


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
    """Each space variable's (lo, hi, periodic) over the spec's boxes (the domain's hull)."""
    if not s.domain.only_boxes:
        name = next(r.name for r in s.regions if not isinstance(r.shape, ir.Box))
        raise UnsupportedError(
            f"the PINN target samples boxes and intervals; '{name}' is not one yet"
        )
    return {r.var: (r.lo, r.hi, r.periodic) for r in s.domain.hull}
