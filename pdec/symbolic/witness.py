"""Step 3 of :func:`pdec.symbolic.conservation.check_quantity`: a state where dQ/dt ≠ 0.

When neither a total divergence nor an operator structure settles whether
Q = ∫ q dx is conserved, a concrete smooth periodic state (a point of state space,
for ODE systems) at which dQ/dt is computed to be nonzero shows that it is not.
The states are deterministic, so the verdict and its witness are reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import sympy
from sympy import Derivative, Expr, Symbol
from sympy.core.function import AppliedUndef

from pdec.symbolic.variational import differentiate, multi_index, to_jet

# Deterministic trial states: (10a, 10b, m, 10c) for
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
            state = differentiate(state, space, multi_index(original, space))
        values[symbol] = state
    terms = [term.xreplace(values) for term in sympy.Add.make_args(jet)]
    if any(term.has(sympy.zoo, sympy.nan, sympy.oo) for term in terms):
        return float("nan"), 0.0  # infinite at this state (x^(1/x) at x = 0): no witness
    periodic = not jet.free_symbols & set(space)
    grid, weights = _quadrature(space, periods, periodic)
    evaluate = sympy.lambdify(space, terms, modules="numpy")
    try:
        with np.errstate(all="ignore"):
            samples = [
                np.broadcast_to(np.asarray(value, dtype=complex), weights.shape)
                for value in evaluate(*grid)
            ]
    except OverflowError:  # an integer beyond float range (10^400*u): not a float state
        return float("nan"), 0.0
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


__all__ = ["find_witness"]
