"""The energy a Lagrangian conserves: Noether's theorem for time translations.

E = Σ q̇ ∂L/∂q̇ − L satisfies dE/dt = Σ q̇_i·EL_i − ∂L/∂t identically, so on every motion
(each Euler–Lagrange residual EL_i = 0) dE/dt = −∂L/∂t. The pass checks that identity
on the derived expressions (a failure would be a bug in the derivation, reported as
"not shown"), then judges ∂L/∂t: identically 0 → conserved.
"""

from __future__ import annotations

import sympy

from pdec import display
from pdec.ir import nodes as ir
from pdec.passes.check_conservation import Finding
from pdec.symbolic.budget import DEFAULT_BUDGET, OverBudget, time_budget
from pdec.symbolic.lagrangian import energy_balance, explicit_time_rate, noether_energy


def coordinates_of(spec: ir.SpecIR) -> tuple:
    by_name = {f.name: f.function for f in spec.fields}
    return tuple(by_name[name] for name in spec.lagrangian.coordinates)


def check_lagrangian(spec: ir.SpecIR, budget: float | None = DEFAULT_BUDGET) -> list[Finding]:
    """One finding: the Noether energy of a closed-form Lagrangian (none if learned or
    absent)."""
    lagrangian = spec.lagrangian
    if lagrangian is None or lagrangian.learned:
        return []
    q, t = coordinates_of(spec), spec.time.symbol
    claim = f"energy of {lagrangian.name} (Noether)"
    try:
        with time_budget(budget):
            energy = noether_energy(lagrangian.value, q, t)
            balance = energy_balance(lagrangian.value, q, t)
            rate = sympy.simplify(explicit_time_rate(lagrangian.value, q, t))
    except OverBudget as over:
        return [Finding(claim, claim, None, "not shown", str(over), False, lagrangian.span)]
    quantity = f"E = {display.text(energy)}"
    if balance != 0:  # the identity failed: the derivation, not the spec, is at fault
        reason = f"dE/dt − Σ q̇·EL + ∂L/∂t simplified to {display.text(balance)}, not 0"
        return [Finding(claim, quantity, None, "not shown", reason, False, lagrangian.span)]
    if rate == 0:
        reason = (
            f"{lagrangian.name} does not depend on {t} explicitly, so dE/dt = "
            f"−∂{lagrangian.name}/∂{t} = 0 on every solution of the Euler–Lagrange equations"
        )
        return [Finding(claim, quantity, None, "conserved", reason, False, lagrangian.span)]
    reason = f"dE/dt = −∂{lagrangian.name}/∂{t} = {display.text(-rate)}"
    return [Finding(claim, quantity, None, "not conserved", reason, False, lagrangian.span)]


__all__ = ["check_lagrangian", "coordinates_of"]
