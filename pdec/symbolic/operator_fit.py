"""Step 2 of :func:`pdec.symbolic.conservation.check_quantity`: write the dynamics
u_t = F as F = G(w), w = δQ/δu, with G a constant-coefficient linear operator.

G is found by an ansatz, F_i = Σ_j Σ_α c_ijα D^α w_j, whose constants c solve a
linear system; :mod:`pdec.symbolic.structure` then classifies G by its symbol.
"""

from __future__ import annotations

import itertools

import sympy
from sympy import Derivative, Expr, Symbol
from sympy.core.function import AppliedUndef

from pdec.symbolic.variational import differentiate, is_identically_zero, multi_index, to_jet

MultiIndex = tuple[int, ...]


def fit_operator(
    fields: tuple[AppliedUndef, ...],
    space: tuple[Symbol, ...],
    gradient: tuple[Expr, ...],
    flux: tuple[Expr, ...],
) -> dict[tuple[int, int, MultiIndex], Expr] | None:
    """Constants c with F_i = Σ_j Σ_α c_ijα D^α w_j identically (F = ``flux``,
    w = ``gradient``), or None.

    Derivative orders run up to those in F (per variable, and in total). Each row
    i is an identity in the jet variables: collecting the coefficients of its
    distinct jet monomials gives a linear system for the c's (a sufficient
    condition; the solution is then verified exactly).
    """
    indices = _multi_indices(fields, space, flux)
    derived = {
        (j, alpha): sympy.expand(differentiate(g, space, alpha))
        for j, g in enumerate(gradient)
        for alpha in indices
    }
    found: dict[tuple[int, int, MultiIndex], Expr] = {}
    for i, rhs in enumerate(flux):
        unknowns = {key: sympy.Dummy(f"c{i}") for key in derived}
        ansatz = sum((unknowns[key] * d for key, d in derived.items()), sympy.Integer(0))
        solution = _solve_identity(rhs - ansatz, list(unknowns.values()), fields, space)
        if solution is None:
            return None
        for (j, alpha), c in unknowns.items():
            value = solution.get(c, sympy.Integer(0))
            if value != 0:
                found[(i, j, alpha)] = value
    return found


def _multi_indices(
    fields: tuple[AppliedUndef, ...], space: tuple[Symbol, ...], flux: tuple[Expr, ...]
) -> list[MultiIndex]:
    """The α of the ansatz: per variable up to the highest order in F, and in total
    up to F's total order (G cannot raise the order beyond F's)."""
    if not space:
        return [()]
    orders = [
        multi_index(d, space)
        for rhs in flux
        for field in fields
        for d in rhs.atoms(Derivative)
        if d.expr == field and set(d.variables) <= set(space)
    ]
    most = [max((o[k] for o in orders), default=0) for k in range(len(space))]
    total = max((sum(o) for o in orders), default=0)
    ranges = [range(m + 1) for m in most]
    return [a for a in itertools.product(*ranges) if sum(a) <= total]


def _solve_identity(
    residual: Expr,
    unknowns: list[Symbol],
    fields: tuple[AppliedUndef, ...],
    space: tuple[Symbol, ...],
) -> dict[Symbol, Expr] | None:
    """Values of ``unknowns`` (which ``residual`` is linear in) making ``residual``
    vanish identically in the jet variables, or None."""
    jet, back = to_jet(residual, fields, space)
    variables = set(back) | set(space)
    variables |= set().union(*(f.free_symbols for f in fields))
    equations: dict[Expr, Expr] = {}
    for term in sympy.Add.make_args(sympy.expand(jet)):
        unknown_part, rest = _split(term, unknowns)
        coefficient, monomial = rest.as_independent(*variables, as_Add=False)
        equations[monomial] = equations.get(monomial, 0) + coefficient * unknown_part
    solutions = sympy.linsolve(list(equations.values()), unknowns)
    if not solutions:
        return None
    (values,) = solutions
    free = set().union(*(v.free_symbols for v in values)) & set(unknowns)
    # Any member of a family of solutions will do: set the free constants to 0.
    values = [v.xreplace(dict.fromkeys(free, sympy.Integer(0))) for v in values]
    solution = dict(zip(unknowns, values, strict=True))
    if not is_identically_zero(jet.xreplace(solution)):
        return None
    return solution


def _split(term: Expr, unknowns: list[Symbol]) -> tuple[Expr, Expr]:
    """``c_k * rest`` → (c_k, rest); a term free of unknowns → (1, term)."""
    rest, unknown_part = term.as_independent(*unknowns, as_Add=False)
    return unknown_part, rest


def operator_text(
    coefficients: dict[tuple[int, int, MultiIndex], Expr],
    n: int,
    space: tuple[Symbol, ...],
) -> str:
    """The operator G as text: ``∂x²``, ``-1``, ``[[0, 1], [-1, -1/10]]``."""
    entries = [["0"] * n for _ in range(n)]
    grouped: dict[tuple[int, int], list[str]] = {}
    # Highest derivatives first, x before y: ∂x² + ∂y², ∂x² + ∂x.
    order = sorted(coefficients, key=lambda key: (key[0], key[1], [-a for a in key[2]]))
    for i, j, alpha in order:
        c = coefficients[(i, j, alpha)]
        grouped.setdefault((i, j), []).append(_operator_term(c, alpha, space))
    for (i, j), terms in grouped.items():
        entries[i][j] = " + ".join(terms).replace("+ -", "- ")
    if n == 1:
        return entries[0][0]
    return "[" + ", ".join("[" + ", ".join(row) + "]" for row in entries) + "]"


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _operator_term(c: Expr, alpha: MultiIndex, space: tuple[Symbol, ...]) -> str:
    derivative = "".join(
        f"∂{v.name}" + (str(a).translate(_SUPERSCRIPTS) if a > 1 else "")
        for v, a in zip(space, alpha, strict=True)
        if a
    )
    if not derivative:
        return sympy.sstr(c)
    if c == 1:
        return derivative
    if c == -1:
        return "-" + derivative
    text = sympy.sstr(c)
    if isinstance(c, sympy.Add):
        text = f"({text})"
    return f"{text}*{derivative}"


__all__ = ["MultiIndex", "fit_operator", "operator_text"]
