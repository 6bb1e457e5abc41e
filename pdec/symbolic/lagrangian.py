"""Lagrangian mechanics: the Euler–Lagrange equations of L(q, q̇, t), its mass matrix
∂²L/∂q̇∂q̇ᵀ, and the energy that Noether's theorem gives for time translations.

Partial derivatives of L are taken with q and q̇ replaced by plain symbols (SymPy
differentiates by a function or a derivative only through such a substitution, and
plain symbols keep ∂L/∂q̇ free of total-derivative terms); total time derivatives are
taken with the functions q(t) put back.

>>> import sympy
>>> t = sympy.Symbol("t")
>>> q = sympy.Function("q")(t)
>>> L = q.diff(t) ** 2 / 2 - q**2 / 2
>>> euler_lagrange(L, (q,), t)
(q(t) + Derivative(q(t), (t, 2)),)
>>> noether_energy(L, (q,), t)
q(t)**2/2 + Derivative(q(t), t)**2/2
"""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef


def _plain(expr: sympy.Expr, coordinates, time):
    """L with q̇ → v_i, q → q_i (plain symbols) and the two substitutions' symbols."""
    qs = [sympy.Dummy(f"q{i}") for i in range(len(coordinates))]
    vs = [sympy.Dummy(f"v{i}") for i in range(len(coordinates))]
    velocities = {q.diff(time): v for q, v in zip(coordinates, vs)}
    positions = dict(zip(coordinates, qs))
    return expr.subs(velocities).subs(positions), qs, vs


def _back(expr: sympy.Expr, coordinates, time, qs, vs) -> sympy.Expr:
    back = {v: q.diff(time) for q, v in zip(coordinates, vs)}
    back.update(dict(zip(qs, coordinates)))
    return expr.subs(back)


def momenta(lagrangian, coordinates: tuple[AppliedUndef, ...], time) -> tuple[sympy.Expr, ...]:
    """p_i = ∂L/∂q̇_i."""
    plain, qs, vs = _plain(lagrangian, coordinates, time)
    return tuple(_back(plain.diff(v), coordinates, time, qs, vs) for v in vs)


def euler_lagrange(lagrangian, coordinates, time) -> tuple[sympy.Expr, ...]:
    """The residuals d/dt ∂L/∂q̇_i − ∂L/∂q_i (zero on every motion)."""
    plain, qs, vs = _plain(lagrangian, coordinates, time)
    residuals = []
    for q, v in zip(qs, vs):
        momentum = _back(plain.diff(v), coordinates, time, qs, vs)
        force = _back(plain.diff(q), coordinates, time, qs, vs)
        residuals.append(sympy.expand(momentum.diff(time) - force))
    return tuple(residuals)


def mass_matrix(lagrangian, coordinates, time) -> sympy.Matrix:
    """∂²L/∂q̇∂q̇ᵀ: q̈ is determined by the Euler–Lagrange equations where it is
    invertible (a regular Lagrangian)."""
    plain, qs, vs = _plain(lagrangian, coordinates, time)
    hessian = sympy.hessian(plain, vs)
    return hessian.applyfunc(lambda e: _back(e, coordinates, time, qs, vs))


def noether_energy(lagrangian, coordinates, time) -> sympy.Expr:
    """E = Σ q̇_i ∂L/∂q̇_i − L, the quantity time-translation symmetry conserves."""
    velocities = [q.diff(time) for q in coordinates]
    energy = sum(
        (v * p for v, p in zip(velocities, momenta(lagrangian, coordinates, time))),
        sympy.Integer(0),
    )
    return sympy.expand(energy - lagrangian)


def explicit_time_rate(lagrangian, coordinates, time) -> sympy.Expr:
    """∂L/∂t at fixed q and q̇: the rate dE/dt = −∂L/∂t along every motion."""
    plain, qs, vs = _plain(lagrangian, coordinates, time)
    return _back(plain.diff(time), coordinates, time, qs, vs)


def energy_balance(lagrangian, coordinates, time) -> sympy.Expr:
    """dE/dt − Σ q̇_i·EL_i + ∂L/∂t, which Noether's theorem says is identically 0: the
    check that dE/dt = −∂L/∂t on every motion (where every EL_i = 0)."""
    energy = noether_energy(lagrangian, coordinates, time)
    residuals = euler_lagrange(lagrangian, coordinates, time)
    velocities = [q.diff(time) for q in coordinates]
    balance = energy.diff(time) - sum(v * r for v, r in zip(velocities, residuals))
    return sympy.simplify(sympy.expand(balance + explicit_time_rate(lagrangian, coordinates, time)))


__all__ = [
    "energy_balance",
    "euler_lagrange",
    "explicit_time_rate",
    "mass_matrix",
    "momenta",
    "noether_energy",
]
