"""check_conservation: a :class:`Finding` for every claim and every energy.

The dynamics u_t = F[u] come from ``evolve`` (G δH/δu with δH/δu carried out) or
from ``pde`` equations solvable for dt(u). Each quantity Q = ∫ q dx is then judged by
:func:`pdec.symbolic.conservation.check_quantity`: d/dt Q = ∫ (δQ/δu)·F dx is a total
derivative ("conserved"), ≤ 0 by the structure of F ("dissipated"), nonzero at an
explicit state ("not conserved"), or none of these ("not shown", with the reason).

A claim is *refuted* when a state contradicts it: a conserved quantity whose rate is
nonzero somewhere, or a dissipated one that increases somewhere.

Each quantity's judgement (and the dynamics they share) runs on a time budget
(:mod:`pdec.symbolic.budget`): past it the verdict is "not shown: too expensive".
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sympy

from pdec.errors import Span, SpecError, UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.check_structure import periods, spatial_variables
from pdec.passes.derive_residuals import derive_residual, substitute_definitions
from pdec.symbolic.budget import DEFAULT_BUDGET, OverBudget, time_budget
from pdec.symbolic.conservation import check_quantity
from pdec.symbolic.variational import variational_derivative
from pdec.symbolic.witness import find_witness

VERDICTS = ("conserved", "dissipated", "not conserved", "not shown")


@dataclass(frozen=True)
class Finding:
    """The verdict on one quantity.

    ``claim``: "conserved mass", "dissipated H" or, for an energy with no claim,
    "energy H"; ``verdict``: one of "conserved", "dissipated", "not conserved",
    "not shown"; ``reason``: why, with the math; ``refuted``: a claim in the spec that a
    state contradicts (``pdec check`` then exits 1).
    """

    claim: str
    quantity: str
    expected: str | None
    verdict: str
    reason: str
    refuted: bool
    span: Span | None


def dynamics(spec: ir.SpecIR) -> dict[sympy.Expr, sympy.Expr]:
    """u ↦ F[u] with u_t = F[u], constants and known parameters substituted."""
    if spec.evolution is not None:
        return _flux_from_evolution(spec)
    time = spec.time.symbol if spec.time else None
    flux: dict = {}
    for field in spec.fields:
        u = field.function
        if time is None or time not in field.args:
            continue
        u_t = sympy.Derivative(u, time)
        for equation in spec.equations:
            if equation.kind != "pde":
                continue
            residual = derive_residual(spec, equation, substitute=True)
            coefficient = residual.coeff(u_t)
            rest = sympy.expand(residual - coefficient * u_t)
            if coefficient != 0 and not coefficient.has(u_t) and not rest.has(u_t):
                if coefficient.free_symbols or coefficient.atoms(sympy.Derivative):
                    continue
                flux[u] = sympy.expand(-rest / coefficient)
                break
    return flux


def _flux_from_evolution(spec: ir.SpecIR) -> dict:
    evolution = spec.evolution
    replacements = {}
    for placeholder in evolution.placeholders:
        energy = spec.lookup("energies", placeholder.energy)
        if energy.learned:
            raise UnsupportedError(
                f"the energy {energy.name} is learned: the dynamics have no formula to check",
                energy.span,
                "the energy target enforces the declared structure by construction",
            )
        field = spec.lookup("fields", placeholder.field)
        replacements[placeholder.function] = variational_derivative(
            substitute_definitions(spec, energy.density), field.function, energy.space
        )
    flux = {}
    for name, rhs in zip(evolution.fields, evolution.rhs):
        value = substitute_definitions(spec, rhs).subs(replacements).doit()
        flux[spec.lookup("fields", name).function] = sympy.expand(value)
    return flux


TOTAL_BUDGETS = 2  # the whole check's time, in claim budgets


def check_claims(spec: ir.SpecIR, budget: float | None = DEFAULT_BUDGET) -> list[Finding]:
    """Findings for the spec's claims, then for energies that no claim names; each
    judged within ``budget`` seconds, all of them within twice that (None: no limit)."""
    quantities = [
        (
            f"{c.kind} {c.name}",
            c.name,
            c.kind if c.kind != "quantity" else None,
            c.density,
            c.space,
            c.span,
        )
        for c in spec.claims
    ]
    claimed = {c.energy for c in spec.claims if c.energy}
    for energy in spec.energies:
        if energy.name not in claimed:
            quantities.append(
                (
                    f"energy {energy.name}",
                    energy.name,
                    None,
                    energy.density,
                    energy.space,
                    energy.span,
                )
            )
    if not quantities:
        return []
    # each claim gets ``budget``, and the whole check twice that: a spec of many hard
    # claims is still answered in bounded time
    deadline = time.monotonic() + TOTAL_BUDGETS * budget if budget else None
    try:
        with time_budget(budget):
            flux = dynamics(spec)
    except (SpecError, OverBudget) as error:
        return [_not_shown(q, error) for q in quantities]
    findings = []
    for quantity in quantities:
        left = budget if deadline is None else min(budget, deadline - time.monotonic())
        try:
            if left is not None and left <= 0:
                raise OverBudget(budget)
            with time_budget(left):
                findings.append(_judge(spec, flux, *quantity))
        except OverBudget:
            findings.append(_not_shown(quantity, OverBudget(budget)))
    return findings


def _not_shown(quantity, error: SpecError | OverBudget) -> Finding:
    claim, name, expected, _density, _space, span = quantity
    if isinstance(error, OverBudget):
        reason = f"{error}: the proof took longer; raise it with --budget"
    else:
        reason = error.message + (f" ({error.hint})" if error.hint else "")
    return Finding(claim, name, expected, "not shown", reason, False, span)


def _judge(spec, flux, claim, name, expected, density, space, span) -> Finding:
    if density is None:
        return Finding(
            claim,
            name,
            expected,
            "not shown",
            f"{name} is learned: its behaviour holds by construction of the energy model",
            False,
            span,
        )
    fields = [f.function for f in spec.fields]
    missing = [f for f in fields if f not in flux]
    if missing:
        names = ", ".join(type(f).__name__ for f in missing)
        return Finding(
            claim,
            name,
            expected,
            "not shown",
            f"no dynamics dt({names}) = ... found: write `evolve dt(u) = ...` or a pde "
            "solved for dt(u)",
            False,
            span,
        )
    try:
        variables = spatial_variables(spec, fields)
        box = periods(spec, variables) if variables else {}
        verdict = check_quantity(
            substitute_definitions(spec, density), fields, flux, variables, box
        )
    except SpecError as error:
        return _not_shown((claim, name, expected, density, space, span), error)
    refuted = False
    if expected == "conserved" and verdict.verdict == "not conserved":
        refuted = True
    elif expected == "conserved" and verdict.verdict == "dissipated":
        witness = find_witness(verdict.rate, fields, variables, box)
        if witness is not None:
            refuted = True
            verdict = type(verdict)(
                "not conserved",
                f"{verdict.reason}; it decreases strictly, dQ/dt = {witness['dQ/dt']:.6g} at "
                + ", ".join(f"{k} = {v}" for k, v in witness.items() if k != "dQ/dt"),
                verdict.rate,
                witness,
            )
    elif expected == "dissipated" and verdict.verdict == "not conserved":
        refuted = verdict.witness is not None and verdict.witness["dQ/dt"] > 0
    return Finding(claim, name, expected, verdict.verdict, verdict.reason, refuted, span)
