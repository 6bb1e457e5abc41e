"""derive_residuals: residual = lhs − rhs of every equation and condition, with the
operators' derivatives carried out (product rule: div(mu*grad(u)) → mu*lap(u) + ...).

Known parameters stay as functions ``mu(x, y)`` and constants as symbols, so the
residual reads like the equation; ``substitute=True`` inserts their definitions.

As a pass (:func:`derive_residuals`), it adds the ``residuals`` fact: every equation's
residual with the known parameters' definitions inserted and the constants kept as
symbols, which the targets that list the pass read instead of deriving their own.
"""

from __future__ import annotations

import dataclasses

import sympy

from pdec.ir import nodes as ir


def derive_residuals(spec: ir.SpecIR) -> ir.SpecIR:
    """``spec`` with its ``residuals`` fact (definitions inserted, constants symbolic).

    >>> from pdec import loads
    >>> text = "model m\\nregion I = interval(x in [0, 1])\\nparam k(x) = 1 + x\\nfield u(x)"
    >>> spec = derive_residuals(loads(text + "\\npde p: dx(k*dx(u)) = 1 in I").ir)
    >>> spec.residual("p")
    (x + 1)*Derivative(u(x), (x, 2)) + Derivative(u(x), x) - 1
    """
    residuals = tuple(
        (e.name, substitute_definitions(spec, derive_residual(spec, e), constants=False))
        for e in spec.equations
    )
    return dataclasses.replace(spec, residuals=residuals)


def derive_residual(spec: ir.SpecIR, equation: ir.Equation, substitute: bool = False) -> sympy.Expr:
    """lhs − rhs of ``equation``, derivatives expanded.

    >>> from pdec import loads
    >>> text = "model m\\nregion I = interval(x in [0, 1])\\nfield u(x)\\npde p: dx(x*u) = 1 in I"
    >>> spec = loads(text)
    >>> derive_residual(spec.ir, spec.ir.equations[0])
    x*Derivative(u(x), x) + u(x) - 1
    """
    residual = sympy.expand(
        (equation.lhs - equation.rhs).doit(deep=True), mul=True, multinomial=False
    )
    if substitute:
        residual = substitute_definitions(spec, residual)
    return residual


def substitute_definitions(
    spec: ir.SpecIR, expr: sympy.Expr, constants: bool = True, evaluate: bool = True
) -> sympy.Expr:
    """Replace known parameters by their expressions and, with ``constants``, constants
    by their values; ``evaluate`` carries out the derivatives (``doit``) — the operator
    target keeps ``-dx(k*dx(u))`` in flux form and passes False.

    A definition may use other parameters (``param f(x, y) = 2*g``): the definitions
    are inserted again until none is left, at most once per parameter in a chain
    (resolve refuses a parameter defined through itself).

    Parameters read from a table (``param k(x, y) = table("k.csv")``) have no
    expression: they stay functions, which the PINN evaluates by interpolation.
    """
    known = [p for p in spec.parameters if p.value is not None]
    marks = [sympy.Function(p.name) if p.args else p.symbol for p in known]
    for _ in range(len(known)):
        if not expr.has(*marks):
            break
        for param in known:
            if param.args:
                function = sympy.Function(param.name)
                expr = expr.replace(
                    lambda e, f=function: (
                        isinstance(e, sympy.core.function.AppliedUndef) and e.func == f
                    ),
                    # the matched application mu(a, b): its arguments replace the parameter's
                    lambda applied, p=param: p.value.subs(
                        dict(zip(p.args, applied.args)), simultaneous=True
                    ),
                )
            else:
                expr = expr.subs(param.symbol, param.value)
    if evaluate:
        expr = expr.doit()
    return expr.subs(spec.constant_values) if constants else expr
