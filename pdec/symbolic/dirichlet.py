"""Whether a condition's residual says u = g, and what g is: the one reading the operator
target (the boundary built into its output), the elliptic reference solver and the PINN
target's hard constraints share.

>>> import sympy
>>> x = sympy.Symbol("x"); u = sympy.Function("u")(x)
>>> dirichlet_value(2*u - 2*sympy.sin(x), u)
sin(x)
>>> dirichlet_value(sympy.Derivative(u, x), u) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy


def dirichlet_value(
    residual: sympy.Expr, u: sympy.Expr, constants: Iterable[sympy.Symbol] | None = None
) -> sympy.Expr | None:
    """g when ``residual`` = w·(u − g) with w ≠ 0 and no derivative anywhere in it, else
    None. ``constants``: the symbols w may hold (None: any; empty: w is a number)."""
    residual = sympy.expand(residual)
    if residual.atoms(sympy.Derivative):
        return None
    weight = residual.coeff(u)
    if weight == 0 or (constants is not None and weight.free_symbols - set(constants)):
        return None
    g = sympy.expand(-(residual - weight * u) / weight)
    return None if g.has(u) else g


__all__ = ["dirichlet_value"]
