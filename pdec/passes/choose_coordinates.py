"""choose_coordinates: what a network sees — a declared coordinate system with a cut
(the fault's (r, θ), with the cut's jump lifted into the field where it applies), else
the spec's own coordinates.

A PINN pass (its options ``coords`` and ``cut`` choose); it adds the
``network_coordinates`` fact, which the PINN's terms, samplers and maps read.

* ``coords``: a declared coordinate system; default the one with a cut, if any;
* ``cut``: how a cut's ``jump(u) = g`` is treated — "lift" builds it into u (an error
  where it does not apply), "residual" penalises it as Okazaki et al. do, "auto" lifts
  where it applies.

>>> from pdec import load
>>> spec = choose_coordinates(load("specs/fault.pde").ir)   # doctest: +SKIP
>>> spec.network_coordinates.symbols                         # doctest: +SKIP
(r, theta)
"""

from __future__ import annotations

import dataclasses
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
    closed-form inverse (x, y) → (r, θ) when a coordinate system is used, and the cut's
    lift when the jump is built into the field."""

    symbols: tuple[sympy.Symbol, ...]
    system: ir.CoordinateSystem | None = None
    inverse: PolarInverse | None = None
    lift: CutLift | None = None


def choose_coordinates(spec: ir.SpecIR, coords: str | None = None, cut: str = "auto") -> ir.SpecIR:
    """``spec`` with its ``network_coordinates`` fact (a :class:`NetworkInputs`)."""
    return dataclasses.replace(spec, network_coordinates=network_inputs(spec, coords, cut))


def network_inputs(s: ir.SpecIR, coords: str | None, cut: str = "auto") -> NetworkInputs:
    """The :class:`NetworkInputs` for ``coords`` and ``cut`` (see the module)."""
    if cut not in CUT_FORMS:
        raise UnsupportedError(
            f"unknown cut form {cut!r}", None, f"choose one of {', '.join(CUT_FORMS)}"
        )
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
