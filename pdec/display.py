"""How pdec prints mathematics for people: ``u_xx`` rather than
``Derivative(u(t, x), (x, 2))``, ``μ`` rather than ``mu``, ``u(r, 2π)`` for values on a
cut. Two printers, subclassed from SymPy's (never patched): plain text and LaTeX.

>>> import sympy
>>> t, x = sympy.symbols("t x")
>>> u = sympy.Function("u")(t, x)
>>> text(sympy.Derivative(u, t) + u*sympy.Derivative(u, x) - sympy.Derivative(u, (x, 2)))
'u*u_x + u_t - u_xx'
"""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from pdec.symbolic.traces import OneSided

GREEK = {
    name: char
    for name, char in zip(
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi "
        "pi rho sigma tau phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi "
        "Psi Omega".split(),
        "αβγδεζηθικλμνξπρστφχψωΓΔΘΛΞΠΣΦΨΩ",
    )
}


def _greek(name: str) -> str:
    return GREEK.get(name, name)


def _derivative_suffix(derivative: sympy.Derivative, unicode: bool) -> str:
    parts = []
    for var, count in derivative.variable_count:
        parts.append((_greek(var.name) if unicode else var.name) * int(count))
    return "".join(parts)


class TextPrinter(StrPrinter):
    """Plain text in jet notation with Greek letters: u_rθ, μ, (u)⁺."""

    printmethod = "_pdec_text"  # not _sympystr: our _print_* methods must win

    def _print_Symbol(self, expr):
        return _greek(expr.name)

    def _print_Pi(self, expr):
        return "π"

    def _print_AppliedUndef(self, expr: AppliedUndef):
        name = _greek(expr.func.__name__)
        if all(isinstance(a, sympy.Symbol) for a in expr.args):
            return name  # u(t, x) at its own variables reads as u
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Derivative(self, expr: sympy.Derivative):
        inner = expr.expr
        suffix = _derivative_suffix(expr, True)
        if isinstance(inner, AppliedUndef) and inner.func.__name__.isidentifier():
            return f"{_greek(inner.func.__name__)}_{suffix}"
        return f"∂{suffix}({self._print(inner)})"  # e.g. ∂x(δH/δu)

    def _print_Subs(self, expr: sympy.Subs):
        args = _evaluation_point(self, expr)
        return f"{self._print(expr.expr)}({args})" if args else super()._print_Subs(expr)

    def _print_OneSided(self, expr: OneSided):
        mark = "⁺" if expr.side > 0 else "⁻"
        return f"({self._print(expr.args[0])}){mark}"


class TeXPrinter(LatexPrinter):
    """LaTeX with subscripted derivatives: u_{xx}, \\mu_{r}."""

    def _print_AppliedUndef(self, expr: AppliedUndef, exp=None):
        name = self._print(sympy.Symbol(expr.func.__name__))
        if all(isinstance(a, sympy.Symbol) for a in expr.args):
            out = name
        else:
            out = f"{name}\\left({', '.join(self._print(a) for a in expr.args)}\\right)"
        return f"{out}^{{{exp}}}" if exp else out

    def _print_Derivative(self, expr: sympy.Derivative):
        inner = expr.expr
        if isinstance(inner, AppliedUndef):
            name = self._print(sympy.Symbol(inner.func.__name__))
            suffix = " ".join(
                self._print(var) for var, count in expr.variable_count for _ in range(int(count))
            )
            return f"{name}_{{{suffix}}}"
        return super()._print_Derivative(expr)

    def _print_Subs(self, expr: sympy.Subs):
        args = _evaluation_point(self, expr)
        if not args:
            return super()._print_Subs(expr)
        return f"{self._print(expr.expr)}\\left({args}\\right)"

    def _print_OneSided(self, expr: OneSided):
        mark = "+" if expr.side > 0 else "-"
        return f"\\left.{self._print(expr.args[0])}\\right|^{{{mark}}}"


def _evaluation_point(printer, expr: sympy.Subs) -> str:
    """The printed arguments of a derivative evaluated at a point, as in u_θ(r, 0); ""
    if ``expr`` is not a derivative of an unknown function."""
    inner = expr.expr
    if not (isinstance(inner, sympy.Derivative) and isinstance(inner.expr, AppliedUndef)):
        return ""
    values = dict(zip(expr.variables, expr.point))
    return ", ".join(printer._print(values.get(a, a)) for a in inner.expr.args)


def text(expr) -> str:
    return TextPrinter().doprint(expr)


def latex(expr) -> str:
    return TeXPrinter().doprint(expr)
