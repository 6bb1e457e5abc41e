"""One-sided values on a curve, the building block of ``jump``.

A curve has a unit normal ``n``; its *plus side* is the side ``n`` points to. For a
segment from P0 to P1, ``n`` is the tangent P1 − P0 turned clockwise by 90°, so the
plus side is on the right when walking from P0 to P1. ``jump(e) = e⁺ − e⁻``.

Example: for the fault ``segment((0, -D), (0, 0))`` the tangent is (0, 1), the normal
(1, 0): the plus side is x > 0.
"""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef


class OneSided(sympy.Function):
    """``OneSided(e, 1)`` is e⁺, ``OneSided(e, -1)`` is e⁻, on the curve in context.

    Expressions without unknown functions are continuous across any curve, so they
    evaluate to themselves: ``OneSided(x**2, 1) == x**2``.
    """

    nargs = 2

    @classmethod
    def eval(cls, expr, side):
        if side not in (sympy.Integer(1), sympy.Integer(-1)):
            raise ValueError("side must be 1 or -1")
        if not expr.atoms(AppliedUndef):
            return expr
        # Linear in its first argument: pull sums and constant factors out, so that
        # jump(s*u) prints as s*(u⁺ − u⁻).
        if isinstance(expr, sympy.Add):
            return sympy.Add(*[cls(term, side) for term in expr.args])
        if isinstance(expr, sympy.Mul):
            constant, rest = expr.as_independent(*expr.atoms(AppliedUndef), as_Add=False)
            if constant != 1:
                return constant * cls(rest, side)
        return None

    @property
    def side(self) -> int:
        return int(self.args[1])

    def _sympystr(self, printer):
        mark = "+" if self.side > 0 else "-"
        return f"({printer.doprint(self.args[0])})^{mark}"

    def _latex(self, printer):
        mark = "+" if self.side > 0 else "-"
        return rf"\left.{printer.doprint(self.args[0])}\right|^{{{mark}}}"


def jump(expr: sympy.Expr) -> sympy.Expr:
    """``e⁺ − e⁻``."""
    return OneSided(expr, 1) - OneSided(expr, -1)
