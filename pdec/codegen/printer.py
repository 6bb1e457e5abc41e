"""A strict SymPy → PyTorch printer, subclassed from SymPy's PythonCodePrinter.

Functions of the ``floats`` alone (the spec's constants, bound as Python floats) print
with :mod:`math` — ``torch.tanh`` would refuse a float — and functions of anything else
with torch.

Only arithmetic and the functions of :data:`pdec.ir.vocabulary.FUNCTIONS` are printed,
one :func:`print_function` rule per entry; anything else (an unlowered derivative, an
unknown function, ``Min``, ``Sum``, ``Integral``, a non-finite number) raises
:class:`pdec.UnsupportedError` naming it, located at ``span`` when the caller gives the
spec line, never falls back to ``str(expr)`` or to Python's ``min``. Symbols print as
the local names given in ``names``. Numeric sub-expressions print as one float
(``sqrt(2)/3`` → ``0.47140452079103173``), except rationals and multiples of π, which
stay readable.

>>> import sympy
>>> x, nu = sympy.symbols("x nu")
>>> TorchPrinter({x: "x", nu: "nu"}).doprint(nu*sympy.sin(sympy.pi*x)**2 + x/3)
'nu*torch.sin(math.pi*x)**2 + (1/3)*x'
"""

from __future__ import annotations

import math
from functools import singledispatch

import sympy
from sympy.printing.pycode import PythonCodePrinter

from pdec.errors import Span, UnsupportedError
from pdec.ir.vocabulary import ARITHMETIC_NODES, FUNCTIONS, NODES, Function

TORCH_FUNCTIONS = {node.__name__: f"torch.{f.torch}" for node, f in NODES.items()}
"""SymPy class name → torch function (derived from :data:`pdec.ir.vocabulary.FUNCTIONS`)."""


@singledispatch
def print_function(expr, printer: TorchPrinter) -> str:
    """The code of a function application: one rule per vocabulary entry, registered
    below from :data:`pdec.ir.vocabulary.NODES`; anything else is refused."""
    name = type(expr).__name__
    raise UnsupportedError(
        f"the generated code cannot express '{name}' on tensors",
        printer.span,
        "supported functions: " + ", ".join(sorted(FUNCTIONS)),
    )


def _vocabulary_rule(entry: Function):
    def rule(expr, printer: TorchPrinter) -> str:
        arguments = [printer._print(a) for a in expr.args]
        if printer._of_floats(expr):
            return entry.floats.format(*arguments)
        return f"torch.{entry.torch}({', '.join(arguments)})"

    return rule


for _node, _entry in NODES.items():
    print_function.register(_node)(_vocabulary_rule(_entry))


class TorchPrinter(PythonCodePrinter):
    """Prints expressions of local tensors and floats as torch code."""

    printmethod = "_pdec_torch"

    def __init__(
        self, names: dict[sympy.Symbol, str], floats=frozenset(), span: Span | None = None
    ):
        super().__init__({"fully_qualified_modules": True, "standard": "python3"})
        self.names = names
        self.floats = frozenset(floats)
        self.span = span  # the spec line being printed, when known: errors point at it

    def _of_floats(self, expr) -> bool:
        return expr.free_symbols <= self.floats

    def _print(self, expr, **kwargs) -> str:
        if isinstance(expr, sympy.Expr) and expr.is_number and not _readable_number(expr):
            value = complex(expr.evalf(17))
            shown = (
                str(expr)
                if len(str(expr)) <= 40
                else f"{str(expr)[:20]}…({len(str(expr))} characters)"
            )
            if value.imag:
                raise UnsupportedError(f"the constant {shown} is not real", self.span)
            if not math.isfinite(value.real):
                raise UnsupportedError(
                    f"the constant {shown} is not a finite float",
                    self.span,
                    "generated code computes in floats: keep numbers below about 1e308",
                )
            return repr(value.real)
        if isinstance(expr, sympy.Derivative):
            return self._print_Derivative(expr)
        if isinstance(expr, sympy.Basic) and not isinstance(expr, ARITHMETIC_NODES):
            return print_function(expr, self)
        return super()._print(expr, **kwargs)

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        if expr not in self.names:
            raise UnsupportedError(f"no value for the symbol '{expr}' in generated code", self.span)
        return self.names[expr]

    def _print_Derivative(self, expr) -> str:
        raise UnsupportedError(f"an unlowered derivative reached the printer: {expr}", self.span)

    _print_Subs = _print_Derivative  # noqa: N815 - SymPy's printer naming

    def _print_Pow(self, expr, rational=False) -> str:
        base, exponent = expr.args
        if exponent == sympy.Rational(1, 2):  # the vocabulary's sqrt
            sqrt = FUNCTIONS["sqrt"]
            if self._of_floats(base):
                return sqrt.floats.format(self._print(base))
            return f"torch.{sqrt.torch}({self._print(base)})"
        return super()._print_Pow(expr, rational=rational)

    def _print_Pi(self, expr) -> str:
        return "math.pi"

    def _print_Exp1(self, expr) -> str:
        return "math.e"


EXACT = 2**53  # integers up to this are exact floats, and fit torch's int64 arithmetic


def _readable_number(expr: sympy.Expr) -> bool:
    """Rationals of modest size and their multiples of π print as themselves; a larger
    integer (10**30 would overflow torch's int64 against a tensor) prints as a float."""
    if isinstance(expr, sympy.NumberSymbol):
        return True
    if expr.is_Rational:
        return abs(expr.p) <= EXACT and expr.q <= EXACT
    if expr.is_Mul:
        return all(_readable_number(a) for a in expr.args if a.is_Rational or a.is_number)
    return False
