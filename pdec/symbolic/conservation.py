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
the same with Q a function of the state and dQ/dt = Σ ∂Q/∂q_i · F_i.

Floats in the density and the right-hand sides are read as the rationals they were
written as (``0.0005`` is ``1/2000``, see
:func:`~pdec.symbolic.variational.exact_numbers`), so that the exact checks in 1 and
2 are not spoiled by rounding; the returned rate is in those exact numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy
from sympy import Derivative, Expr, Symbol
from sympy.core.function import AppliedUndef

from pdec.errors import UnsupportedError
from pdec.symbolic.structure import classify_symbol, wavenumber
from pdec.symbolic.variational import (
    euler_operator_vanishes,
    exact_numbers,
    expand_derivatives,
    is_identically_zero,
    multi_index,
    readable,
    to_jet,
    variational_derivative,
)

MultiIndex = tuple[int, ...]


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
    coefficients = _fit_operator(problem)
    if coefficients is None:
        return None
    n = len(problem.fields)
    wavenumbers = tuple(wavenumber(v) for v in problem.space)
    symbol = sympy.zeros(n, n)
    for (i, j, alpha), c in coefficients.items():
        mode = sympy.Mul(*[(sympy.I * k) ** a for k, a in zip(wavenumbers, alpha, strict=True)])
        symbol[i, j] += c * mode
    structure = classify_symbol(symbol, wavenumbers)
    operator = _operator_text(coefficients, n, problem.space)
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


def _fit_operator(problem: _Problem) -> dict[tuple[int, int, MultiIndex], Expr] | None:
    """Constants c with F_i = Σ_j Σ_α c_ijα D^α w_j identically, or None.

    Derivative orders run up to those in F (per variable, and in total). Each row
    i is an identity in the jet variables: collecting the coefficients of its
    distinct jet monomials gives a linear system for the c's (a sufficient
    condition; the solution is then verified exactly).
    """
    indices = _multi_indices(problem)
    derived = {
        (j, alpha): sympy.expand(_differentiate(g, problem.space, alpha))
        for j, g in enumerate(problem.gradient)
        for alpha in indices
    }
    found: dict[tuple[int, int, MultiIndex], Expr] = {}
    for i, rhs in enumerate(problem.flux):
        unknowns = {key: sympy.Dummy(f"c{i}") for key in derived}
        ansatz = sum((unknowns[key] * d for key, d in derived.items()), sympy.Integer(0))
        solution = _solve_identity(rhs - ansatz, list(unknowns.values()), problem)
        if solution is None:
            return None
        for (j, alpha), c in unknowns.items():
            value = solution.get(c, sympy.Integer(0))
            if value != 0:
                found[(i, j, alpha)] = value
    return found


def _differentiate(expr: Expr, space: tuple[Symbol, ...], alpha: MultiIndex) -> Expr:
    """D^α expr (total derivatives); ``sympy.diff`` with no variables would refuse."""
    steps = [(v, a) for v, a in zip(space, alpha, strict=True) if a]
    return sympy.diff(expr, *steps) if steps else expr


def _multi_indices(problem: _Problem) -> list[MultiIndex]:
    """The α of the ansatz: per variable up to the highest order in F, and in total
    up to F's total order (G cannot raise the order beyond F's)."""
    if not problem.space:
        return [()]
    orders = [
        multi_index(d, problem.space)
        for rhs in problem.flux
        for field in problem.fields
        for d in rhs.atoms(Derivative)
        if d.expr == field and set(d.variables) <= set(problem.space)
    ]
    most = [max((o[k] for o in orders), default=0) for k in range(len(problem.space))]
    total = max((sum(o) for o in orders), default=0)
    ranges = [range(m + 1) for m in most]
    return [a for a in itertools.product(*ranges) if sum(a) <= total]


def _solve_identity(
    residual: Expr, unknowns: list[Symbol], problem: _Problem
) -> dict[Symbol, Expr] | None:
    """Values of ``unknowns`` (which ``residual`` is linear in) making ``residual``
    vanish identically in the jet variables, or None."""
    jet, back = to_jet(residual, problem.fields, problem.space)
    variables = set(back) | set(problem.space)
    variables |= set().union(*(f.free_symbols for f in problem.fields))
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


def _operator_text(
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


# Step 3. Deterministic trial states: (10a, 10b, m, 10c) for
# a + b*sin(θ) + c*cos(2θ + 1), θ = 2π m x/L; field i adds i/10 to a and i to m, so
# that different fields get different states. The phase 1 breaks the symmetry
# x ↦ L/2 − x, under which rates such as ∫ u_x³ dx would vanish for every state.
_TRIAL_STATES = ((3, 5, 1, 2), (-2, 4, 2, 3), (7, 0, 1, 0))
# For ODE systems: the value of field i in trial s is _TRIAL_POINTS[s][i % 4].
_TRIAL_POINTS = ((0.3, -0.7, 1.1, 0.45), (1.2, 0.5, -0.4, -0.9), (-0.6, 0.8, 0.25, 1.3))
_GRID_POINTS = {1: 256, 2: 64, 3: 24}
_RELATIVE_TOLERANCE = 1e-8


def find_witness(
    rate: Expr,
    fields: Sequence[AppliedUndef],
    space: Sequence[Symbol],
    periods: Mapping[Symbol, tuple[Expr, Expr]],
) -> dict | None:
    """A smooth periodic state (a point, for ODEs) where dQ/dt = ∫ rate is nonzero.

    Integrals use the rectangle rule on a uniform periodic grid, which is
    spectrally accurate for smooth periodic integrands. dQ/dt counts as nonzero
    when it exceeds 1e-8 times ∫ Σ |terms|, so rounding cannot fake a witness.
    Returns ``{field name: state as text, ..., "dQ/dt": value}`` or None (also when
    the rate has unevaluated constants or cannot be evaluated).
    """
    fields, space = tuple(fields), tuple(space)
    jet, back = to_jet(rate, fields, space)
    times = set().union(*(f.free_symbols for f in fields)) - set(space)
    jet = jet.xreplace(dict.fromkeys(times, sympy.Integer(0)))
    if jet.free_symbols - set(back) - set(space) or jet.atoms(Derivative):
        return None
    for trial in range(len(_TRIAL_STATES)):
        if space:
            states = [_trial_state(trial, i, space, periods) for i in range(len(fields))]
            state_of = {f: expr for f, (expr, _) in zip(fields, states, strict=True)}
            value, scale = _integrate(jet, back, state_of, space, periods)
            shown = [text for _, text in states]
        else:
            row = _TRIAL_POINTS[trial]
            points = [row[i % 4] + 0.1 * (i // 4) for i in range(len(fields))]
            value, scale = _evaluate_point(jet, back, dict(zip(fields, points, strict=True)))
            shown = [f"{p:g}" for p in points]
        if np.isfinite(value) and scale > 0 and abs(value) > _RELATIVE_TOLERANCE * scale:
            witness: dict = {f.func.__name__: text for f, text in zip(fields, shown, strict=True)}
            witness["dQ/dt"] = float(value)
            return witness
    return None


def _trial_state(
    trial: int,
    index: int,
    space: tuple[Symbol, ...],
    periods: Mapping[Symbol, tuple[Expr, Expr]],
) -> tuple[Expr, str]:
    """State number ``trial`` of field ``index``, as an expression and as text:
    a + b*sin(θ) + c*cos(2θ + 1) with θ = Σ_d 2π (m + d) x_d / L_d."""
    offset, amplitude, mode, second = _TRIAL_STATES[trial]
    a, b, c = (sympy.Rational(n, 10) for n in (offset + index, amplitude, second))
    mode += index
    phase = sympy.Integer(0)
    for d, v in enumerate(space):
        lo, hi = periods[v]
        phase += 2 * sympy.pi * (mode + d) * v / sympy.nsimplify(hi - lo)
    expr = a + b * sympy.sin(phase) + c * sympy.cos(2 * phase + 1)
    text = f"{float(a):g}"
    if b:
        text += f" + {float(b):g}*sin({sympy.sstr(phase)})"
    if c:
        text += f" + {float(c):g}*cos({sympy.sstr(2 * phase + 1)})"
    return expr, text


def _integrate(
    jet: Expr,
    back: dict[Symbol, Expr],
    state_of: dict[AppliedUndef, Expr],
    space: tuple[Symbol, ...],
    periods: Mapping[Symbol, tuple[Expr, Expr]],
) -> tuple[float, float]:
    """∫ jet and ∫ Σ |terms of jet| over the box, at the given states (NaN if the
    rate is not real and finite there)."""
    values = {}
    for symbol, original in back.items():
        field = original.expr if isinstance(original, Derivative) else original
        state = state_of[field]
        if isinstance(original, Derivative):
            state = _differentiate(state, space, multi_index(original, space))
        values[symbol] = state
    terms = [term.xreplace(values) for term in sympy.Add.make_args(jet)]
    periodic = not jet.free_symbols & set(space)
    grid, weights = _quadrature(space, periods, periodic)
    evaluate = sympy.lambdify(space, terms, modules="numpy")
    with np.errstate(all="ignore"):
        samples = [
            np.broadcast_to(np.asarray(value, dtype=complex), weights.shape)
            for value in evaluate(*grid)
        ]
    if any(not np.all(np.isfinite(s)) or np.any(s.imag != 0) for s in samples):
        return float("nan"), 0.0
    value = float(sum(np.sum(weights * s.real) for s in samples))
    scale = float(sum(np.sum(weights * np.abs(s)) for s in samples))
    return value, scale


def _quadrature(
    space: tuple[Symbol, ...], periods: Mapping[Symbol, tuple[Expr, Expr]], periodic: bool
) -> tuple[list[np.ndarray], np.ndarray]:
    """Nodes and weights on the box. For a periodic integrand the rectangle rule on
    a uniform grid is spectrally accurate (exact for trigonometric polynomials of
    low degree); an explicit non-periodic x-dependence needs Gauss–Legendre, or the
    O(1/n) error of the rectangle rule could pass for a nonzero rate."""
    n = _GRID_POINTS.get(len(space), 16)
    axes, axis_weights = [], []
    for v in space:
        lo, hi = (float(e) for e in periods[v])
        if periodic:
            axes.append(lo + (hi - lo) * np.arange(n) / n)
            axis_weights.append(np.full(n, (hi - lo) / n))
        else:
            nodes, weights = np.polynomial.legendre.leggauss(n)
            axes.append(lo + (hi - lo) * (nodes + 1) / 2)
            axis_weights.append(weights * (hi - lo) / 2)
    grid = np.meshgrid(*axes, indexing="ij")
    weights = np.ones(grid[0].shape)
    for w in np.meshgrid(*axis_weights, indexing="ij"):
        weights = weights * w
    return grid, weights


def _evaluate_point(
    jet: Expr, back: dict[Symbol, Expr], point: dict[AppliedUndef, float]
) -> tuple[float, float]:
    """dQ/dt and Σ |terms| at a point of an ODE system's state space."""
    values = {symbol: sympy.nsimplify(point[field]) for symbol, field in back.items()}
    terms = sympy.Add.make_args(sympy.expand(jet.xreplace(values)))
    numbers = [complex(t.evalf()) for t in terms]
    if any(abs(z.imag) > 0 for z in numbers):
        return float("nan"), 0.0
    return float(sum(z.real for z in numbers)), float(sum(abs(z) for z in numbers))


__all__ = ["Verdict", "check_quantity", "find_witness"]
