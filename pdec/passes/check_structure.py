"""check_structure: the class of G in ``evolve dt(u) = G δH/δu``, and whether it
agrees with a declared ``structure G = skew | dissipative``.

G is read off the evolve right-hand side, where δH/δu stands as a placeholder: the
right-hand side must be a constant-coefficient linear operator applied to the
placeholders. Its class comes from the Fourier symbol on a periodic domain, or from
the matrix itself for ODE systems (:mod:`pdec.symbolic.structure`).
"""

from __future__ import annotations

import sympy

from pdec.errors import SpecError, StructureError, UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.derive_residuals import substitute_definitions
from pdec.symbolic.structure import OperatorStructure, classify_operator


def spatial_variables(spec: ir.SpecIR, fields) -> tuple[sympy.Symbol, ...]:
    """The space variables the given fields depend on, in the spec's order."""
    used = set().union(*(set(f.args) for f in fields)) if fields else set()
    return tuple(v for v in spec.space if v in used)


def periods(spec: ir.SpecIR, variables) -> dict[sympy.Symbol, tuple[sympy.Expr, sympy.Expr]]:
    """(lo, hi) of each variable's periodic range; UnsupportedError if one is not periodic."""
    values = spec.constant_values
    found = {r.var: (r.lo.subs(values), r.hi.subs(values)) for r in spec.domain.hull if r.periodic}
    missing = [v for v in variables if v not in found]
    if missing:
        raise UnsupportedError(
            "boundary terms: the domain is not periodic in " + ", ".join(map(str, missing)),
            None,
            "checks are exact on periodic domains; declare e.g. interval(x in [0, 1], periodic)",
        )
    return {v: found[v] for v in variables}


def dynamics_structure(spec: ir.SpecIR) -> OperatorStructure | None:
    """G's structure, or None when the dynamics are not written as G δH/δu.

    Raises UnsupportedError when G exists but cannot be classified (variable
    coefficients, a non-periodic domain).
    """
    evolution = spec.evolution
    if evolution is None or not evolution.placeholders:
        return None
    by_field = {p.field: p for p in evolution.placeholders}
    if set(by_field) != set(evolution.fields) or len(evolution.placeholders) != len(by_field):
        raise UnsupportedError(
            "G is read from dt(u) = G δH/δu with one δH/δu per evolving field",
            evolution.span,
            "write the right-hand side as G applied to delta(H, (u, ...)) for one energy H",
        )
    placeholders = [by_field[name].function for name in evolution.fields]
    fields = [spec.lookup("fields", name).function for name in evolution.fields]
    space = spatial_variables(spec, fields)
    try:
        if space:
            periods(spec, space)
        rhs = [substitute_definitions(spec, item) for item in evolution.rhs]
        return classify_operator(rhs, placeholders, space)
    except SpecError as error:
        raise error.with_span(evolution.span) from None


_DECLARED = {"skew": "is_skew", "dissipative": "is_dissipative"}


def check_structure(spec: ir.SpecIR) -> None:
    """Raise StructureError if ``structure G = ...`` contradicts the given G."""
    declared = spec.structure
    if declared is None:
        return
    dynamics = spec.fact("dynamics")
    if isinstance(dynamics.error, UnsupportedError):
        return  # cannot classify: nothing to contradict; `pdec check` says why
    structure = dynamics.require()
    if structure is None or structure.kind == "unknown":
        return
    if not getattr(structure, _DECLARED[declared.kind]):
        raise StructureError(
            f"structure {declared.name} = {declared.kind} is declared, but the given G is "
            f"{structure.kind}: {structure.reason}",
            declared.span,
            "fix G in `evolve`, or the declared structure",
        )
