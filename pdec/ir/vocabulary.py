"""The one vocabulary table: the functions, constants, operators and keywords of .pde.

Everything that turns spec names into SymPy objects, or SymPy objects into code or
numbers, derives from these tables; no other module lists them:

- the resolver (:mod:`pdec.passes.vocabulary`) builds ``sin(x)`` with
  :attr:`Function.build`, checks arities, and refuses :data:`KEYWORDS` and built-in
  names as declared names;
- the printer (:mod:`pdec.codegen.printer`) registers one rule per
  :attr:`Function.node`, printing :attr:`Function.torch` on tensors and
  :attr:`Function.floats` on the spec's constants (Python floats);
- the estimator's evaluator (:func:`pdec.estimation.evaluate`) registers one rule per
  :attr:`Function.node`, calling ``torch.<Function.torch>``.

``tests/test_coverage.py`` checks that each of them handles every entry, so a row added
here without its rules fails there. The table lives in ``ir``, the lowest layer that
holds SymPy; the keyword list itself lives in :mod:`pdec.frontend.keywords`, as the
parser (which holds no SymPy) needs it too.

>>> FUNCTIONS["tanh"].torch, FUNCTIONS["tanh"].floats.format("D")
('tanh', 'math.tanh(D)')
>>> FUNCTIONS["sqrt"].build(sympy.Symbol("x"))
sqrt(x)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy

from pdec.frontend.keywords import KEYWORDS, STATEMENT_KEYWORDS


@dataclass(frozen=True)
class Function:
    """A built-in function of spec expressions.

    ``name``: its spelling in specs; ``arity``: its number of arguments; ``build``:
    SymPy's constructor; ``node``: the SymPy class of the expressions ``build`` makes,
    or None when it makes arithmetic (``sqrt(u)`` is the power ``u^(1/2)``, printed and
    evaluated as a power); ``torch``: the torch function, by attribute name; ``floats``:
    the code on Python floats, a format string over the printed arguments (``torch.tanh``
    refuses a float).
    """

    name: str
    arity: int
    build: Callable[..., sympy.Expr]
    node: type | None
    torch: str
    floats: str


def _function(name: str, arity: int = 1, node=None, floats: str = "") -> Function:
    sympy_class = getattr(sympy, node or name)
    arguments = ", ".join(f"{{{i}}}" for i in range(arity))
    floats = floats or f"math.{name}({arguments})"
    return Function(name, arity, sympy_class, sympy_class, name, floats)


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        _function("sin"),
        _function("cos"),
        _function("tan"),
        _function("asin"),
        _function("acos"),
        _function("atan"),
        _function("atan2", 2),
        _function("sinh"),
        _function("cosh"),
        _function("tanh"),
        _function("exp"),
        _function("log"),
        Function("sqrt", 1, sympy.sqrt, None, "sqrt", "math.sqrt({0})"),
        _function("abs", node="Abs", floats="abs({0})"),
        # math has no sign; this is sign's value on a float, 0 at 0 (an int, as torch.sign
        # of a float would be refused)
        _function("sign", floats="(({0} > 0) - ({0} < 0))"),
        _function("erf"),
    )
}
NODES: dict[type, Function] = {f.node: f for f in FUNCTIONS.values() if f.node is not None}
"""SymPy class → its entry: what the printer and the estimator dispatch on."""

CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}

OPERATORS: dict[str, str] = {
    "dt": "the time derivative",
    "dx": "the derivative in x",
    "dy": "the derivative in y",
    "dz": "the derivative in z",
    "grad": "the gradient, or partial derivatives of an ODE energy",
    "div": "the divergence of a vector",
    "lap": "the Laplacian",
    "dn": "the normal derivative on a boundary or curve",
    "jump": "the jump across a curve",
    "integral": "an integral, in energies and claimed quantities",
    "delta": "the variational derivative of an energy",
}
"""The differential and integral operators: the resolver has one rule per name."""

ARITHMETIC: dict[str, Callable[[sympy.Expr, sympy.Expr], sympy.Expr]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "^": lambda a, b: a**b,
}
"""The binary operators on scalars."""

ARITHMETIC_NODES: tuple[type, ...] = (
    sympy.Add,
    sympy.Mul,
    sympy.Pow,
    sympy.Symbol,
    sympy.Number,
    sympy.NumberSymbol,
)
"""The SymPy classes arithmetic, numbers, constants and variables make: with
:data:`NODES`, everything that may reach the printer and the estimator."""

BUILTINS: frozenset[str] = frozenset(FUNCTIONS) | frozenset(CONSTANTS) | frozenset(OPERATORS)


def builtin_kind(name: str) -> str:
    """What the built-in ``name`` is: "function", "constant" or "operator"."""
    if name in FUNCTIONS:
        return "function"
    if name in CONSTANTS:
        return "constant"
    return "operator"


__all__ = [
    "ARITHMETIC",
    "ARITHMETIC_NODES",
    "BUILTINS",
    "CONSTANTS",
    "FUNCTIONS",
    "Function",
    "KEYWORDS",
    "NODES",
    "OPERATORS",
    "STATEMENT_KEYWORDS",
    "builtin_kind",
]
