"""transform_coordinates: a residual written in (x, y) rewritten in a declared
coordinate system such as polar (r, θ), by the chain rule.

Conditions on the system's cut curve become conditions at the two sides of the cut:
the one-sided values e⁺ and e⁻ of ``jump`` are the limits θ → θ₀⁺ and θ → θ₀ + 2π⁻
(which is which follows from the curve's normal; for the fault, + is θ = 0).
"""

from __future__ import annotations

import sympy

from pdec.errors import CoordinateError, SpecError
from pdec.ir import nodes as ir
from pdec.passes.vocabulary import did_you_mean
from pdec.symbolic.coordinates import CoordinateMap, apply_cut, cut_sides, transform


def coordinate_system(spec: ir.SpecIR, name: str) -> ir.CoordinateSystem:
    """The declared coordinate system ``name`` (an error with a suggestion if none)."""
    system = spec.lookup("coordinates", name)
    if system is None:
        declared = [c.name for c in spec.coordinates]
        raise CoordinateError(
            f"the spec declares no coordinates '{name}'",
            None,
            did_you_mean(name, declared)
            or ("declared: " + ", ".join(declared) if declared else "it declares none"),
        )
    return system


def coordinate_map(system: ir.CoordinateSystem) -> CoordinateMap:
    return CoordinateMap(system.name, system.new, system.old, system.forward)


def transform_coordinates(
    spec: ir.SpecIR, equation: ir.Equation, residual: sympy.Expr, system: ir.CoordinateSystem
) -> sympy.Expr:
    """``residual`` (of ``equation``) in the coordinates of ``system``."""
    cmap = coordinate_map(system)
    try:
        result = transform(residual, cmap)
    except SpecError as error:
        raise error.with_span(system.span) from None
    cut = system.cut
    on_cut = (
        isinstance(equation.location, ir.OnCurve) and cut and equation.location.curve == cut.curve
    )
    if on_cut:
        plus, minus = cut_values(spec, system)
        result = apply_cut(result, cut.angle, plus, minus)
    return result


def cut_values(spec: ir.SpecIR, system: ir.CoordinateSystem) -> tuple[sympy.Expr, sympy.Expr]:
    """(θ on the plus side, θ on the minus side) of ``system``'s cut."""
    cut = system.cut
    curve = spec.lookup("curves", cut.curve)
    (x0, y0), (x1, y1) = curve.points[0], curve.points[1]
    midpoint = ((x0 + x1) / 2, (y0 + y1) / 2)
    values = spec.constant_values
    normal = curve.normals[0]
    numeric = CoordinateMap(
        system.name, system.new, system.old, tuple(f.subs(values) for f in system.forward)
    )
    point = tuple(c.subs(values) for c in midpoint)
    return cut_sides(numeric, cut.angle, cut.value, normal, point)
