"""A strict SymPy → PyTorch printer, subclassed from SymPy's PythonCodePrinter.

Functions of the ``floats`` alone (the spec's constants, bound as Python floats) print
with :mod:`math` — ``torch.tanh`` would refuse a float — and functions of anything else
with torch.

Only a closed set of functions is printed; anything else (an unlowered derivative, an
unknown function) raises :class:`pdec.UnsupportedError` naming it, never falls back
to ``str(expr)``. Symbols print as the local names given in ``names``. Numeric
sub-expressions print as one float (``sqrt(2)/3`` → ``0.47140452079103173``), except
rationals and multiples of π, which stay readable.

>>> import sympy
>>> x, nu = sympy.symbols("x nu")
>>> TorchPrinter({x: "x", nu: "nu"}).doprint(nu*sympy.sin(sympy.pi*x)**2 + x/3)
'nu*torch.sin(math.pi*x)**2 + (1/3)*x'
"""

from __future__ import annotations

import sympy
from sympy.printing.pycode import PythonCodePrinter

from pdec.errors import UnsupportedError

TORCH_FUNCTIONS = {
    "sin": "torch.sin",
    "cos": "torch.cos",
    "tan": "torch.tan",
    "asin": "torch.asin",
    "acos": "torch.acos",
    "atan": "torch.atan",
    "atan2": "torch.atan2",
    "sinh": "torch.sinh",
    "cosh": "torch.cosh",
    "tanh": "torch.tanh",
    "exp": "torch.exp",
    "log": "torch.log",
    "Abs": "torch.abs",
    "sign": "torch.sign",
    "erf": "torch.erf",
}
MATH_FUNCTIONS = {
    name: function.replace("torch.", "math.")
    for name, function in TORCH_FUNCTIONS.items()
    if name not in ("Abs", "sign")
} | {"Abs": "abs"}


class TorchPrinter(PythonCodePrinter):
    """Prints expressions of local tensors and floats as torch code."""

    printmethod = "_pdec_torch"

    def __init__(self, names: dict[sympy.Symbol, str], floats=frozenset()):
        super().__init__({"fully_qualified_modules": True, "standard": "python3"})
        self.names = names
        self.floats = frozenset(floats)

    def _of_floats(self, expr) -> bool:
        return expr.free_symbols <= self.floats

    def _print(self, expr, **kwargs) -> str:
        if isinstance(expr, sympy.Expr) and expr.is_number and not _readable_number(expr):
            value = complex(expr.evalf(17))
            if value.imag:
                raise UnsupportedError(f"the constant {expr} is not real")
            return repr(value.real)
        if isinstance(expr, sympy.Function) and not isinstance(expr, sympy.Derivative):
            return self._print_torch_function(expr)
        return super()._print(expr, **kwargs)

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        if expr not in self.names:
            raise UnsupportedError(f"no value for the symbol '{expr}' in generated code")
        return self.names[expr]

    def _print_torch_function(self, expr) -> str:
        name = type(expr).__name__
        if name not in TORCH_FUNCTIONS:
            raise UnsupportedError(
                f"the PINN target cannot print '{name}' yet",
                None,
                "supported functions: " + ", ".join(sorted(TORCH_FUNCTIONS)),
            )
        module = (
            MATH_FUNCTIONS if self._of_floats(expr) and name in MATH_FUNCTIONS else TORCH_FUNCTIONS
        )
        return f"{module[name]}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Derivative(self, expr) -> str:
        raise UnsupportedError(f"an unlowered derivative reached the printer: {expr}")

    _print_Subs = _print_Derivative  # noqa: N815 - SymPy's printer naming

    def _print_Pow(self, expr, rational=False) -> str:
        base, exponent = expr.args
        if exponent == sympy.Rational(1, 2):
            sqrt = "math.sqrt" if self._of_floats(base) else "torch.sqrt"
            return f"{sqrt}({self._print(base)})"
        return super()._print_Pow(expr, rational=rational)

    def _print_Pi(self, expr) -> str:
        return "math.pi"

    def _print_Exp1(self, expr) -> str:
        return "math.e"


def _readable_number(expr: sympy.Expr) -> bool:
    """Rationals and rational multiples of π print as themselves."""
    if expr.is_Rational or isinstance(expr, sympy.NumberSymbol):
        return True
    if expr.is_Mul:
        return all(a.is_Rational or isinstance(a, sympy.NumberSymbol) for a in expr.args)
    return False
