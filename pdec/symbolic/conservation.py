"""Does a quantity Q stay constant along the dynamics u_t = F[u]?

For Q = ∫ q dx over a periodic box,

    dQ/dt = ∫ Σ_i (δQ/δu_i) · F_i dx,

and :func:`check_quantity` decides the sign of this by three arguments, in order:

1. the integrand is a total divergence (its Euler operator vanishes) with no
   explicit x-dependence ⇒ conserved (or, if a constant c is left over,
   dQ/dt = c·|box| ≠ 0 ⇒ not conserved);
2. F = G(w) with w = δQ/δu and G a constant-coefficient linear operator, found by
   an ansatz; G skew-adjoint ⇒ conserved, G negative semidefinite ⇒ dissipated
   (see :mod:`pdec.symbolic.structure`);
3. a smooth periodic state at which dQ/dt is computed to be nonzero ⇒ not
   conserved.

If none applies the verdict is "not shown". ODE systems (no space variables) are
the same with Q a function of the state and dQ/dt = Σ ∂Q/∂q_i · F_i. This module
holds 1 and the verdicts; the operator fit of 2 is in
:mod:`pdec.symbolic.operator_fit`, the search for a state of 3 in
:mod:`pdec.symbolic.witness`.

Floats in the density and the right-hand sides are read as the rationals they were
written as (``0.0005`` is ``1/2000``, see
:func:`~pdec.symbolic.variational.exact_numbers`), so that the exact checks in 1 and
2 are not spoiled by rounding; the returned rate is in those exact numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy
from sympy import Derivative, Expr, Symbol
from sympy.core.function import AppliedUndef

from pdec.errors import UnsupportedError
from pdec.symbolic.operator_fit import fit_operator, operator_text
from pdec.symbolic.structure import classify_symbol, wavenumber
from pdec.symbolic.variational import (
    euler_operator_vanishes,
    exact_numbers,
    expand_derivatives,
    is_identically_zero,
    readable,
    to_jet,
    variational_derivative,
)
from pdec.symbolic.witness import find_witness


@dataclass(frozen=True)
class Verdict:
    """The answer for one quantity.

    ``verdict`` is "conserved", "dissipated" (dQ/dt ≤ 0 for every state), "not
    conserved" (a state with dQ/dt ≠ 0 was found) or "not shown". ``rate`` is the
    integrand of dQ/dt (PDE) or dQ/dt itself (ODE). ``witness``, for "not
    conserved", maps each field name to the state tried (as text) and "dQ/dt" to
    the rate computed there.
    """

    verdict: str
    reason: str
    rate: Expr
    witness: dict | None = None


@dataclass(frozen=True)
class _Problem:
    """The pieces of dQ/dt, in exact numbers."""

    fields: tuple[AppliedUndef, ...]
    space: tuple[Symbol, ...]
    flux: tuple[Expr, ...]
    gradient: tuple[Expr, ...]  # δQ/δu_i
    rate: Expr

    def text(self, expr: Expr) -> str:
        return readable(expr, self.fields, self.space)

    def measure(self) -> str:
        return " ".join(f"d{v.name}" for v in self.space)

    def integral(self, expr: Expr) -> str:
        if not self.space:
            return self.text(expr)
        return f"∫ {self.text(expr)} {self.measure()}"

    def gradient_text(self) -> str:
        names = [f.func.__name__ for f in self.fields]
        delta = "∂" if not self.space else "δ"
        if len(names) == 1:
            return f"w = {delta}Q/{delta}{names[0]} = {self.text(self.gradient[0])}"
        left = ", ".join(f"{delta}Q/{delta}{n}" for n in names)
        right = ", ".join(self.text(g) for g in self.gradient)
        return f"w = ({left}) = ({right})"


def check_quantity(
    density: Expr,
    fields: Sequence[AppliedUndef],
    flux: Mapping[AppliedUndef, Expr],
    space: Sequence[Symbol],
    periods: Mapping[Symbol, tuple[Expr, Expr]],
) -> Verdict:
    """Decide whether Q = ∫ density d(space) is conserved along u_t = flux[u].

    ``periods[x] = (lo, hi)`` is the periodic box; with ``space`` empty (an ODE
    system) Q is ``density`` itself.

    >>> t, x = sympy.symbols("t x")
    >>> u = sympy.Function("u")(t, x)
    >>> heat = {u: Derivative(u, (x, 2)) / 10}
    >>> check_quantity(u, [u], heat, [x], {x: (0, 1)}).verdict
    'conserved'
    >>> check_quantity(u**2 / 2, [u], heat, [x], {x: (0, 1)}).verdict
    'dissipated'

    Raises ``UnsupportedError`` if a field has no equation in ``flux``.
    """
    problem = _set_up(density, fields, flux, space)
    verdict = _by_divergence(problem, periods)
    if verdict is not None:
        return verdict
    structure = _by_operator(problem, periods)
    if structure is not None and structure.verdict in ("conserved", "dissipated"):
        return structure
    witness = find_witness(problem.rate, problem.fields, problem.space, periods)
    if witness is not None:
        state = ", ".join(f"{name} = {value}" for name, value in witness.items() if name != "dQ/dt")
        why = f" ({structure.reason})" if structure is not None else ""
        return Verdict(
            "not conserved",
            f"dQ/dt = {problem.integral(problem.rate)} is {witness['dQ/dt']:.6g} "
            f"≠ 0 at {state}{why}",
            problem.rate,
            witness,
        )
    why = f" ({structure.reason})" if structure is not None else ""
    return Verdict(
        "not shown",
        f"dQ/dt = {problem.integral(problem.rate)} is not a total derivative, no "
        "structure u_t = G(δQ/δu) with G skew or negative semidefinite was found"
        f"{why}, and the states tried gave dQ/dt = 0",
        problem.rate,
    )


def _set_up(
    density: Expr,
    fields: Sequence[AppliedUndef],
    flux: Mapping[AppliedUndef, Expr],
    space: Sequence[Symbol],
) -> _Problem:
    fields, space = tuple(fields), tuple(space)
    missing = [f for f in fields if f not in flux]
    if missing:
        names = ", ".join(f.func.__name__ for f in missing)
        raise UnsupportedError(
            f"no evolution equation for {names}, so dQ/dt cannot be computed",
            hint="give every field an equation dt(u) = ... to check conservation",
        )
    density = exact_numbers(expand_derivatives(density))
    rhs = tuple(exact_numbers(expand_derivatives(flux[f])) for f in fields)
    gradient = tuple(variational_derivative(density, f, space) for f in fields)
    rate = sympy.expand(sum((g * r for g, r in zip(gradient, rhs, strict=True)), sympy.Integer(0)))
    return _Problem(fields, space, rhs, gradient, rate)


def _by_divergence(
    problem: _Problem, periods: Mapping[Symbol, tuple[Expr, Expr]]
) -> Verdict | None:
    """Step 1: a total divergence of a periodic function integrates to 0.

    When the Euler operator of I vanishes, I(u) − I(0) is the divergence of a
    differential function P built from I by the homotopy formula; if I does not
    depend on x explicitly, neither does P, so P is periodic and ∫ I = I(0)·|box|.
    """
    rate = problem.rate
    if not problem.space:
        if is_identically_zero(rate):
            return Verdict(
                "conserved",
                f"dQ/dt = {_chain_rule_text(problem)} = 0 identically",
                rate,
            )
        return None
    if rate == 0:
        return Verdict(
            "conserved",
            f"dQ/dt = ∫ {_chain_rule_text(problem)} {problem.measure()}, whose integrand "
            "is 0 identically",
            rate,
        )
    if not euler_operator_vanishes(rate, problem.fields, problem.space):
        return None
    jet, back = to_jet(rate, problem.fields, problem.space)
    if jet.free_symbols & set(problem.space) or jet.atoms(Derivative):
        return None  # explicit x-dependence: the flux P need not be periodic
    base = sympy.simplify(jet.xreplace(dict.fromkeys(back, sympy.Integer(0))))
    integral = problem.integral(rate)
    if base == 0:
        return Verdict(
            "conserved",
            f"dQ/dt = {integral} and the integrand is a total derivative (its "
            "Euler operator vanishes), so it integrates to 0 over the periodic box",
            rate,
        )
    if base.is_number and base.is_finite and base.is_zero is False:
        volume = sympy.Mul(*[hi - lo for lo, hi in (periods[v] for v in problem.space)])
        value = base * volume
        witness = {f.func.__name__: "0" for f in problem.fields}
        witness["dQ/dt"] = float(value)
        return Verdict(
            "not conserved",
            f"dQ/dt = {integral} is a total derivative plus the constant "
            f"{sympy.sstr(base)}, so dQ/dt = {sympy.sstr(value)} ≠ 0 for every state",
            rate,
            witness,
        )
    return None


def _explicitly_periodic(
    expr: Expr, problem: _Problem, periods: Mapping[Symbol, tuple[Expr, Expr]]
) -> bool:
    """Whether the explicit dependence of ``expr`` on x (not through the fields) is
    periodic with the box, e.g. none at all, or sin(2πx/L)."""
    jet, _ = to_jet(expr, problem.fields, problem.space)
    for v in jet.free_symbols & set(problem.space):
        lo, hi = periods[v]
        if not is_identically_zero(jet.xreplace({v: v + hi - lo}) - jet):
            return False
    return True


def _chain_rule_text(problem: _Problem) -> str:
    """Σ_i (δQ/δu_i)·F_i unexpanded, so that a reader sees the terms cancel."""
    parts = [
        f"({problem.text(g)})*({problem.text(r)})"
        for g, r in zip(problem.gradient, problem.flux, strict=True)
    ]
    return " + ".join(parts)


def _by_operator(problem: _Problem, periods: Mapping[Symbol, tuple[Expr, Expr]]) -> Verdict | None:
    """Step 2: write F = G(w), w = δQ/δu, G constant-coefficient linear, and
    classify G; None if no such G was found.

    The Fourier argument needs w periodic, which fails when w depends explicitly
    on x in a non-periodic way (Q = ∫ x u dx has w = x); such w are not tried.
    """
    if not all(_explicitly_periodic(w, problem, periods) for w in problem.gradient):
        return None
    coefficients = fit_operator(problem.fields, problem.space, problem.gradient, problem.flux)
    if coefficients is None:
        return None
    n = len(problem.fields)
    wavenumbers = tuple(wavenumber(v) for v in problem.space)
    symbol = sympy.zeros(n, n)
    for (i, j, alpha), c in coefficients.items():
        mode = sympy.Mul(*[(sympy.I * k) ** a for k, a in zip(wavenumbers, alpha, strict=True)])
        symbol[i, j] += c * mode
    structure = classify_symbol(symbol, wavenumbers)
    operator = operator_text(coefficients, n, problem.space)
    names = ", ".join(f"{f.func.__name__}_t" for f in problem.fields)
    if n > 1:
        names = f"({names})"
    setting = f"{names} = G(w) with {problem.gradient_text()} and G = {operator}"
    form = f"∫ w·G(w) {problem.measure()}" if problem.space else "w·G(w)"
    if structure.is_skew:
        reason = f"dQ/dt = {form} = 0, as {setting}: {structure.reason}"
        return Verdict("conserved", reason, problem.rate)
    if structure.kind == "negative semidefinite":
        reason = f"dQ/dt = {form} ≤ 0, as {setting}: {structure.reason}"
        return Verdict("dissipated", reason, problem.rate)
    return Verdict("not shown", f"{setting}: {structure.reason}", problem.rate)


__all__ = ["Verdict", "check_quantity"]
