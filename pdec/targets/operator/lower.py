"""Lower a residual onto the grid: every derivative becomes one named local computed by
``self.derivative(v, alpha)`` from the local it differentiates, innermost first.

The residual is lowered as the spec writes it (lhs − rhs before the product rule), so
−div(a ∇u) becomes the flux form −∂x(a u_x) − ∂y(a u_y): the grid derivative of the
flux a·u_x, never a derivative of a itself — which for Darcy's two-phase coefficient
(a jumps from 3 to 12) would be a spike on every interface.

>>> import sympy
>>> x, y = sympy.symbols("x y")
>>> u, a = sympy.Function("u")(x, y), sympy.Function("a")(x, y)
>>> low = lower_on_grid(-sympy.Derivative(a * sympy.Derivative(u, x), x) - 1, (x, y))
>>> [(s.name, s.source, s.alpha) for s in low.steps]
[('u_x', 'u', (1, 0)), ('flux_1', a*u_x, None), ('flux_1_x', 'flux_1', (1, 0))]
>>> low.expr
-flux_1_x - 1
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from pdec.codegen.derivatives import along, derivative_name
from pdec.errors import UnsupportedError
from pdec.symbolic.variational import multi_index


@dataclass(frozen=True)
class Step:
    """``name = source`` (an expression of earlier locals; ``alpha`` None) or
    ``name = self.derivative(source, alpha)`` (``source`` a local's name)."""

    name: str
    source: object
    alpha: tuple[int, ...] | None


@dataclass(frozen=True)
class GridResidual:
    steps: tuple[Step, ...]
    expr: sympy.Expr


def lower_on_grid(expr: sympy.Expr, space: tuple[sympy.Symbol, ...]) -> GridResidual:
    """The steps and the final expression, in plain symbols named after the fields,
    inputs, coordinates and locals."""
    steps: list[Step] = []
    cache: dict[tuple, sympy.Symbol] = {}
    fluxes = [0]

    def visit(e):
        if isinstance(e, sympy.Derivative):
            try:
                alpha = multi_index(e, space)
            except ValueError:
                raise UnsupportedError(
                    f"{sympy.sstr(e)} differentiates along a variable off the grid",
                    hint="the operator target evaluates residuals on the space grid; "
                    "time derivatives need a space-time output (not built yet)",
                ) from None
            inner = visit(e.expr)
            if not isinstance(inner, sympy.Symbol):
                key = ("flux", inner)
                if key not in cache:
                    fluxes[0] += 1
                    name = f"flux_{fluxes[0]}"
                    steps.append(Step(name, inner, None))
                    cache[key] = sympy.Symbol(name)
                inner = cache[key]
            key = (inner, alpha)
            if key not in cache:
                name = derivative_name(inner.name, along(alpha, [v.name for v in space]))
                steps.append(Step(name, inner.name, alpha))
                cache[key] = sympy.Symbol(name)
            return cache[key]
        if isinstance(e, AppliedUndef):
            if tuple(e.args) != tuple(space):
                raise UnsupportedError(
                    f"{sympy.sstr(e)} is not on the grid of ({', '.join(map(str, space))})",
                    hint="fields and inputs of the operator target depend on all space variables",
                )
            return sympy.Symbol(e.func.__name__)
        if e.args:
            return e.func(*(visit(a) for a in e.args))
        return e

    lowered = visit(expr)
    return GridResidual(tuple(steps), lowered)
