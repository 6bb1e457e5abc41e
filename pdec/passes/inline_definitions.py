"""inline_definitions: each known parameter's definition put in place, once.

A spec may name a closed-form coefficient (``param k(x) = 1 + x``) and use it in
equations, energies and the evolution. The energy and operator targets need those
expressions with the definitions inserted; this pass inserts them once and the targets
read the IR as it then stands. Constants stay symbols (a generated model can override
them with ``constants=``).

* equations keep their derivatives unevaluated — ``-dx(k*dx(u))`` stays in flux form,
  which the operator target discretises as a flux difference;
* energies, the evolution's right-hand side, claims and a Lagrangian are evaluated
  (``doit``), as the energy target integrates and differentiates them.

The PINN does not list this pass: its residuals fact (:mod:`.derive_residuals`)
expands the derivatives first and inserts the definitions after, so ``k·u_xx + k'·u_x``
keeps ``k`` as one factor.

>>> from pdec import loads
>>> text = "model m\\nregion I = interval(x in [0, 1])\\nparam k(x) = 1 + x\\nfield u(x)"
>>> spec = inline_definitions(loads(text + "\\npde p: -dx(k*dx(u)) = 1 in I").ir)
>>> spec.equations[0].lhs
-Derivative((x + 1)*Derivative(u(x), x), x)
"""

from __future__ import annotations

import dataclasses

from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.derive_residuals import substitute_definitions


def inline_definitions(spec: ir.SpecIR) -> ir.SpecIR:
    """``spec`` with the known parameters' definitions in its equations, energies,
    evolution, claims and Lagrangian (the ``definitions_inlined`` fact). A parameter read from a
    table has no definition to insert: UnsupportedError, at its declaration."""
    for param in spec.parameters:
        if param.table is not None:
            raise UnsupportedError(
                f"the parameter '{param.name}' is read from a table, which only the PINN "
                "target interpolates",
                param.span,
                f"compile with --target pinn, or give {param.name} a closed form",
            )

    def flux_form(expr):
        return substitute_definitions(spec, expr, constants=False, evaluate=False)

    def evaluated(expr):
        return None if expr is None else substitute_definitions(spec, expr, constants=False)

    equations = tuple(
        dataclasses.replace(e, lhs=flux_form(e.lhs), rhs=flux_form(e.rhs)) for e in spec.equations
    )
    energies = tuple(dataclasses.replace(e, density=evaluated(e.density)) for e in spec.energies)
    claims = tuple(dataclasses.replace(c, density=evaluated(c.density)) for c in spec.claims)
    evolution = spec.evolution
    if evolution is not None:
        evolution = dataclasses.replace(evolution, rhs=tuple(evaluated(r) for r in evolution.rhs))
    lagrangian = spec.lagrangian
    if lagrangian is not None:
        lagrangian = dataclasses.replace(lagrangian, value=evaluated(lagrangian.value))
    return dataclasses.replace(
        spec,
        equations=equations,
        energies=energies,
        claims=claims,
        evolution=evolution,
        lagrangian=lagrangian,
        definitions_inlined=True,
    )
