"""Reference trajectories of a Lagrangian spec: the Euler–Lagrange equations solved for
the accelerations, q̈ = −M(q, q̇, t)⁻¹ c(q, q̇, t), where EL = M q̈ + c is linear in q̈
(M = ∂²L/∂q̇∂q̇ᵀ, the mass matrix).

The state is (q, q̇): fields ``q1, ..., q1_t, ...``. M and c are printed to NumPy once
(lambdify of the derived expressions, constants and parameters substituted) and M is
solved numerically per state, so no symbolic inverse is formed.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import sympy

from pdec.errors import IntegrationError, UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.check_lagrangian import coordinates_of
from pdec.passes.derive_residuals import substitute_definitions
from pdec.reference.discretize import System
from pdec.symbolic.lagrangian import euler_lagrange, mass_matrix, noether_energy


class LagrangianSystem(System):
    """d/dt (q, q̇) = (q̇, q̈(q, q̇, t)) for states shaped (..., 2 × coordinates)."""

    def __init__(self, spec: ir.SpecIR):
        super().__init__(spec, ())
        lagrangian = spec.lagrangian
        if lagrangian.learned:
            raise UnsupportedError(
                f"the Lagrangian {lagrangian.name} is learned: there are no equations to "
                "generate reference trajectories from",
                lagrangian.span,
                "give it a formula, or bring trajectories in pdec's NPZ format",
            )
        self.coordinates_ = coordinates_of(spec)
        self.fields = spec.state_fields
        time = spec.time.symbol
        value = substitute_definitions(spec, lagrangian.value)
        n = len(self.coordinates_)
        qs = sympy.symbols(f"q0:{n}", cls=sympy.Dummy)
        vs = sympy.symbols(f"v0:{n}", cls=sympy.Dummy)
        accelerations = [q.diff(time, 2) for q in self.coordinates_]
        plain = {a: sympy.Symbol(f"_a{i}") for i, a in enumerate(accelerations)}
        to_plain = {**plain}
        to_plain.update({q.diff(time): v for q, v in zip(self.coordinates_, vs)})
        to_plain.update(dict(zip(self.coordinates_, qs)))

        def numeric(expr):
            return expr.subs(to_plain)

        residuals = [numeric(r) for r in euler_lagrange(value, self.coordinates_, time)]
        forces = [r.subs({a: 0 for a in plain.values()}) for r in residuals]
        mass = mass_matrix(value, self.coordinates_, time).applyfunc(numeric)
        arguments = (*qs, *vs, time)
        self._mass = sympy.lambdify(arguments, list(mass), "numpy")  # row by row
        self._forces = sympy.lambdify(arguments, forces, "numpy")
        self._energy = sympy.lambdify(
            arguments, numeric(noether_energy(value, self.coordinates_, time)), "numpy"
        )
        free = sorted(
            str(s)
            for s in (mass.free_symbols | set().union(*(f.free_symbols for f in forces)))
            if s not in set(arguments)
        )
        if free:
            raise UnsupportedError(
                f"the Lagrangian still has the unknown {free[0]}: reference "
                "trajectories need every constant's value",
                lagrangian.span,
                "give it a value (const or a known param)",
            )

    def _split(self, u: np.ndarray):
        n = len(self.coordinates_)
        return [u[..., i] for i in range(2 * n)]

    def rhs(self, u: np.ndarray, t: float = 0.0) -> np.ndarray:
        """(q̇, q̈) for states shaped (..., 2n)."""
        n = len(self.coordinates_)
        columns = self._split(u)
        shape = u.shape[:-1]
        entries = [
            np.broadcast_to(np.asarray(e, dtype=float), shape) for e in self._mass(*columns, t)
        ]
        mass = np.stack(entries, axis=-1).reshape(*shape, n, n)
        forces = np.stack(
            [np.broadcast_to(np.asarray(f, dtype=float), shape) for f in self._forces(*columns, t)],
            axis=-1,
        )
        try:
            accelerations = np.linalg.solve(mass, -forces[..., None])[..., 0]
        except np.linalg.LinAlgError:
            raise IntegrationError(
                "the mass matrix ∂²L/∂q̇² is singular at a state of the trajectory",
                self.spec.lagrangian.span,
                "the Lagrangian is degenerate there; start from other states",
            ) from None
        return np.concatenate([u[..., n:], accelerations], axis=-1)

    def energy(self, u: np.ndarray, t: float = 0.0) -> np.ndarray:
        """E = Σ q̇ ∂L/∂q̇ − L of states shaped (..., 2n)."""
        value = self._energy(*self._split(u), t)
        return np.broadcast_to(np.asarray(value, dtype=float), u.shape[:-1])

    @cached_property
    def quantities(self) -> dict:
        return {f"energy of {self.spec.lagrangian.name}": self.energy}

    def pointwise_shape(self, u: np.ndarray) -> tuple[int, ...]:
        return u.shape[:-1]

    def integrate(self, values: np.ndarray) -> np.ndarray:
        return values


def initial_states(system: LagrangianSystem, rng: np.random.Generator, n: int) -> np.ndarray:
    """q and q̇ uniform in [−1, 1] (radians and radians per unit time for angles)."""
    return rng.uniform(-1.0, 1.0, size=(n, len(system.fields)))


__all__ = ["LagrangianSystem", "initial_states"]
