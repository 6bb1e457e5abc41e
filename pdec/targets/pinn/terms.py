"""Stages 3 and 4 of the PINN target, ``derive`` and ``lower_residual``: each
equation's residual in the network inputs (known parameters inserted, pde and cut
residuals cleared of 1/r factors), lowered to named locals; with a lift, the pole
fluxes."""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from pdec.codegen.literals import source_text, spec_file
from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.lift_cut_jump import pole_flux
from pdec.passes.transform_coordinates import cut_values, transform_coordinates
from pdec.targets.pinn.functions import evaluated_functions, promote_functions
from pdec.targets.pinn.inputs import NetworkInputs
from pdec.targets.pinn.lower import LoweredResidual, lower_residual

# With the lift, in lengths of the cut curve: the pde residual r·div(μ∇u) is divided by
# max(r, CLAMP) instead of r (bounded weights at the pole); a fifth of the interior
# points crowd log-uniformly in r ∈ [R_MIN, CROWD] about the pole; the pole flux is
# taken on circles r ∈ [R_MIN, 1].
CLAMP, R_MIN, CROWD, CROWD_FRACTION = 0.05, 1e-3, 3, 0.2
# Training hints a lifted model adds under the spec's own `train:` line (measured in
# benchmarks/fault_accuracy.py: fresh points every 100 steps; 16 circles, weight 10)
LIFT_HINTS = {"resample_every": 100}
FLUX_CIRCLES, FLUX_WEIGHT = 16, 10.0


@dataclass(frozen=True)
class Term:
    """One residual of the module: its lowered expression, the comment above it, and
    how the value is finished — divided by max(r, clamp)**power (``clamp``), or averaged
    over each circle (``circle_means``)."""

    name: str
    comment: str
    lowered: LoweredResidual
    clamp: tuple[sympy.Symbol, sympy.Expr, int] | None = None
    circle_means: bool = False


def terms(spec, inputs: NetworkInputs) -> list[Term]:
    """The module's residuals: one per equation (less those a lift satisfies
    identically), and with the lift a pole flux for each pde in divergence form."""
    s = spec.ir
    lift = inputs.lift
    out = []
    for equation in s.equations:
        if lift is not None and equation.name in lift.exact:
            continue
        comment = (
            f"{equation.name} ({spec_file(s)}:{equation.span.line}): {source_text(equation.span)}"
        )
        lowered, cleared = _derive(spec, equation, inputs)
        clamp = None
        if lift is not None and equation.kind == "pde" and cleared > 1:
            # r^k·R / max(r, c)^(k-1): one factor r kept, so the pole is not weighted away
            clamp = (inputs.inverse.radial, CLAMP * lift.length, cleared - 1)
        out.append(Term(equation.name, comment, lowered, clamp))
    if lift is not None and lift.pole_inside:
        for equation in s.equations:
            flux = pole_flux(
                s, equation, inputs.system, inputs.inverse, lambda e: promote_functions(s, e)
            )
            if flux is None:
                continue
            comment = (
                f"{equation.name}_pole_flux ({spec_file(s)}:{equation.span.line}): the flux "
                "(1/2π)∮ F·n ds of div(F) = 0 through circles about the pole is 0 (a point "
                "source there is what the r-cleared equation cannot see)"
            )
            lowered = lower_residual(flux, evaluated_functions(s), inputs.symbols, {})
            out.append(Term(f"{equation.name}_pole_flux", comment, lowered, circle_means=True))
    return out


def derive(spec, equation: ir.Equation, inputs: NetworkInputs) -> LoweredResidual:
    """``equation``'s residual in the network inputs, lowered to named locals."""
    return _derive(spec, equation, inputs)[0]


def _derive(spec, equation: ir.Equation, inputs: NetworkInputs) -> tuple[LoweredResidual, int]:
    """The lowered residual, and k when it was multiplied by r^k to clear 1/r^k."""
    s = spec.ir
    cleared = 0
    residual = promote_functions(s, s.residual(equation.name))
    site_names: dict[tuple, str] = {}
    if inputs.system is not None:
        residual = transform_coordinates(s, equation, residual, inputs.system)
        cut = inputs.system.cut
        if cut is not None:
            plus, minus = cut_values(s, inputs.system)
            for value, name in ((plus, "plus"), (minus, "minus")):
                key = tuple(value if v == cut.angle else v for v in inputs.symbols)
                site_names[key] = name
        on_cut = (
            isinstance(equation.location, ir.OnCurve)
            and cut
            and equation.location.curve == cut.curve
        )
        if equation.kind == "pde" or on_cut:
            residual, cleared = _clear_radial_denominator(residual, inputs.inverse.radial)
    try:
        lowered = lower_residual(residual, evaluated_functions(s), inputs.symbols, site_names)
    except UnsupportedError as error:
        raise error.with_span(equation.span) from None
    return lowered, cleared


def _clear_radial_denominator(residual: sympy.Expr, radial: sympy.Symbol) -> tuple[sympy.Expr, int]:
    """r²(u_rr + u_r/r + u_θθ/r²) rather than the singular form at the pole: multiply
    by the denominator when it is a power of r (times positive constants) only; also
    the power k of r cleared."""
    numerator, denominator = sympy.fraction(sympy.together(residual))
    factors = sympy.Mul.make_args(denominator)
    if all(f.is_positive or f.as_base_exp()[0] == radial for f in factors):
        power = sum(int(f.as_base_exp()[1]) for f in factors if f.as_base_exp()[0] == radial)
        return sympy.expand(numerator), power
    return residual, 0
