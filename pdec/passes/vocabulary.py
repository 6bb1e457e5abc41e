"""The closed vocabulary at work: the only way spec expressions become SymPy objects.

Every name in an expression is looked up in the spec's declarations or in the one
table, :mod:`pdec.ir.vocabulary` (functions, constants, operators, keywords); nothing
is ever passed to ``sympify``/``eval``. :class:`Evaluator` has one rule per syntax node
type (``functools.singledispatchmethod``) and one per operator
(:mod:`pdec.passes.resolve_operators`). Expressions evaluate to *values* of a small type
system (:mod:`pdec.passes.resolve_values`) — scalars (SymPy expressions), vectors,
matrices, linear operators, integrals, references to energies — so ``div`` of a scalar
or an energy that is a vector is caught with the span of the culprit.

The module is kept whole at a little over 400 lines: :class:`Evaluator`'s rules, one
per syntax node type, share its scope and read best side by side, and the operator
rules and the value types already live in modules of their own.
"""

from __future__ import annotations

import difflib
import functools
import keyword
from collections.abc import Callable
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from pdec.errors import (
    ArgumentError,
    InvalidValueError,
    NameResolutionError,
    ShapeError,
    Span,
    SpecError,
    UnsupportedError,
)
from pdec.frontend import syntax as s
from pdec.ir import nodes as ir
from pdec.ir.vocabulary import (
    ARITHMETIC,
    ARITHMETIC_NODES,
    BUILTINS,
    CONSTANTS,
    FUNCTIONS,
    KEYWORDS,
    NODES,
    OPERATORS,
    builtin_kind,
)
from pdec.passes.resolve_operators import OPERATOR_RULES, Operators
from pdec.passes.resolve_values import (
    MAX_DIGITS,
    EnergyRef,
    FieldTuple,
    IntegralValue,
    MatrixValue,
    Operator,
    Vector,
    abbreviate,
    add,
    check_power,
    describe,
    is_positive_integer,
    multiply,
    operator_power,
    scalar_hint,
    scale,
)
from pdec.symbolic.traces import OneSided

# what generated functions read as globals or as their first argument: a field called
# torch would hide the module inside them (torch.cos(torch) fails at run time)
GENERATED_CODE_NAMES = frozenset({"torch", "math", "self"})


def reserved_reason(name: str) -> str | None:
    """Why ``name`` cannot be declared, or None if it can."""
    if name in KEYWORDS:
        return f"'{name}' is a keyword of the .pde language"
    if name in BUILTINS:
        return f"'{name}' is a built-in {builtin_kind(name)}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"'{name}' is a Python keyword, and generated code uses spec names"
    if name.startswith("__"):
        return "names starting with '__' are reserved for generated code"
    if name in GENERATED_CODE_NAMES:
        return f"'{name}' is a name the generated PyTorch code uses itself"
    return None


def did_you_mean(name: str, candidates) -> str:
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)
    if not close:
        return ""
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


def to_number(text: str) -> sympy.Expr:
    """Exact value of a literal: ``0.01`` is 1/100, so symbolic checks stay exact."""
    return sympy.Rational(text)


# ---- the scope an expression is evaluated in -------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What an expression may refer to, and where it stands.

    ``symbols``: names bound to SymPy expressions (constants, variables, scalar params);
    ``functions``: names of fields/params/inputs → their declarations;
    ``place``: the boundary or curve of a condition (for ``dn`` and ``jump``);
    ``evolve``: inside ``evolve``: δH/δu become placeholders (collected in ``sink``).
    """

    symbols: dict
    functions: dict
    energies: dict
    space: tuple[sympy.Symbol, ...]
    time: sympy.Symbol | None
    what: str  # "a constant", "an equation", ... for messages
    fields_allowed: bool = True
    place: object = None
    evolve: bool = False
    sink: list | None = None
    variational: Callable | None = None


class Evaluator(Operators):
    """Evaluates syntax expressions to values in a :class:`Scope`."""

    def __init__(self, scope: Scope):
        self.scope = scope

    # -- entry points
    def scalar(self, node: s.Expression) -> sympy.Expr:
        value = self.value(node)
        if not isinstance(value, sympy.Basic):
            raise ShapeError(
                f"expected a scalar here, got {describe(value)}",
                node.span,
                scalar_hint(value),
            )
        return value

    def value(self, node: s.Expression):
        value = self._evaluate(node)
        if isinstance(value, sympy.Basic) and value.has(sympy.zoo, sympy.nan, sympy.oo):
            raise InvalidValueError(
                "this is not a finite number (a division by zero, or log(0)?)",
                node.span,
                "check the denominators and the arguments of log, tan, ...",
            )
        if isinstance(value, sympy.Expr) and value.is_number and value.is_real is False:
            raise InvalidValueError(
                f"this is not a real number: {value}",
                node.span,
                "check the arguments of sqrt, log, asin and acos, and powers of negatives",
            )
        return value

    @functools.singledispatchmethod
    def _evaluate(self, node):
        raise TypeError(f"no evaluation rule for the syntax node {type(node).__name__}")

    # -- leaves
    @_evaluate.register
    def _number(self, node: s.Number):
        mantissa, _, exponent = node.text.lower().partition("e")
        # every written digit counts: 0.000…01 with 5000 zeros is as long to read exactly
        digits = len(mantissa.replace(".", ""))
        magnitude = exponent.lstrip("+-").lstrip("0")
        if digits > MAX_DIGITS or len(magnitude) > 8 or int(magnitude or 0) > MAX_DIGITS:
            raise UnsupportedError(
                f"the number {abbreviate(node.text)} is too long or too large for exact arithmetic",
                node.span,
                f"numbers may have up to {MAX_DIGITS} digits and exponents up to e±{MAX_DIGITS}",
            )
        return to_number(node.text)

    @_evaluate.register
    def _name(self, node: s.Name):
        name = node.id
        scope = self.scope
        if name in scope.symbols:
            return scope.symbols[name]
        if name in scope.functions:
            decl = scope.functions[name]
            if isinstance(decl, ir.Field) and not scope.fields_allowed:
                raise NameResolutionError(
                    f"{scope.what} cannot depend on the {decl.kind} '{name}'",
                    node.span,
                    "only constants and variables may appear here",
                )
            return _function_of(decl)
        if name in scope.energies:
            return EnergyRef(name)
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in ("dx", "dy", "dz"):
            return self._derivative_operator(name, node.span)
        if name == "lap":
            return Operator(self._laplacian, "lap")
        if name in FUNCTIONS or name in OPERATORS:
            raise ArgumentError(
                f"'{name}' is a function: call it with arguments",
                node.span,
                f"write {name}(...)",
            )
        variables = [v.name for v in scope.space] + ([scope.time.name] if scope.time else [])
        if name in variables:
            raise NameResolutionError(
                f"{scope.what} cannot depend on the variable '{name}'",
                node.span,
                "only constants may appear here",
            )
        raise NameResolutionError(
            f"undefined name '{name}'",
            node.span,
            did_you_mean(name, self._visible_names()) or "declare it before using it",
        )

    def _visible_names(self):
        scope = self.scope
        return [*scope.symbols, *scope.functions, *scope.energies, *CONSTANTS, *FUNCTIONS]

    # -- compound expressions
    @_evaluate.register
    def _negate(self, node: s.Negate):
        return scale(self.value(node.operand), sympy.Integer(-1), node.span)

    @_evaluate.register
    def _binary_op(self, node: s.BinaryOp):
        left, right = self.value(node.left), self.value(node.right)
        op = node.op
        if isinstance(left, sympy.Basic) and isinstance(right, sympy.Basic):
            if op == "^":
                check_power(left, right, node.span)
            return ARITHMETIC[op](left, right)
        if op in "+-":
            return add(left, right if op == "+" else scale(right, -1, node.span), node)
        if op == "*":
            return multiply(left, right, node)
        if op == "/" and isinstance(right, sympy.Basic):
            return scale(left, 1 / right, node.span)
        if op == "^" and isinstance(left, Operator) and is_positive_integer(right):
            return operator_power(left, int(right))
        raise ShapeError(
            f"cannot combine {describe(left)} and {describe(right)} with '{op}'",
            node.span,
            "",
        )

    @_evaluate.register
    def _tuple(self, node: s.TupleExpr):
        items = [self.value(item) for item in node.items]
        if all(isinstance(v, sympy.Basic) and _is_field_symbol(v, self.scope) for v in items):
            return FieldTuple(tuple(_field_name(v) for v in items))
        for item, value in zip(node.items, items):
            if not isinstance(value, sympy.Basic):
                raise ShapeError(f"a tuple holds scalars, got {describe(value)}", item.span, "")
        return Vector(tuple(items))

    @_evaluate.register
    def _matrix(self, node: s.MatrixExpr):
        widths = {len(row) for row in node.rows}
        if len(widths) != 1:
            raise ShapeError(
                "the rows of a matrix must have the same length",
                node.span,
                "write [[a, b], [c, d]]",
            )
        rows = []
        for row in node.rows:
            entries = []
            for entry in row:
                value = self.value(entry)
                if not isinstance(value, (sympy.Basic, Operator)):
                    raise ShapeError(
                        f"a matrix entry must be a scalar or an operator, got {describe(value)}",
                        entry.span,
                        "",
                    )
                entries.append(value)
            rows.append(tuple(entries))
        return MatrixValue(tuple(rows))

    @_evaluate.register
    def _call(self, node: s.Call):
        name = node.function.id
        scope = self.scope
        if name in scope.functions:
            return self._evaluate_function(node, scope.functions[name])
        if name in scope.symbols or name in scope.energies:
            raise ArgumentError(
                f"'{name}' is not a function and cannot be called",
                node.function.span,
                f"use {name} without parentheses",
            )
        if name in FUNCTIONS:
            function = FUNCTIONS[name]
            self._expect_arguments(node, function.arity)
            value = function.build(*[self.scalar(a) for a in node.args])
            check_expressible(value, node.span)
            return value
        if name in OPERATORS:
            return OPERATOR_RULES[name](self, node)
        raise NameResolutionError(
            f"undefined function '{name}'",
            node.function.span,
            did_you_mean(name, [*scope.functions, *FUNCTIONS, *OPERATORS])
            or "declare it as a field, param or input",
        )

    def _expect_arguments(self, node: s.Call, *counts: int) -> None:
        if len(node.args) not in counts:
            wanted = " or ".join(str(c) for c in counts)
            plural = "" if counts == (1,) else "s"
            raise ArgumentError(
                f"{node.function.id} takes {wanted} argument{plural}, got {len(node.args)}",
                node.span,
                "",
            )

    def _evaluate_function(self, node: s.Call, decl):
        """``u(0, x)``: a field (or parameter, input) at given arguments."""
        applied = _function_of(decl)
        if isinstance(decl, ir.Field) and not self.scope.fields_allowed:
            raise NameResolutionError(
                f"{self.scope.what} cannot depend on the {decl.kind} '{decl.name}'",
                node.span,
                "",
            )
        if not isinstance(applied, sympy.Function):
            raise ArgumentError(f"'{decl.name}' takes no arguments", node.span, "")
        declared = applied.args
        if len(node.args) != len(declared):
            signature = f"{decl.name}({', '.join(map(str, declared))})"
            raise ArgumentError(
                f"'{decl.name}' takes {len(declared)} argument{'s' if len(declared) != 1 else ''}, "
                f"got {len(node.args)}",
                node.span,
                f"it is declared as {signature}",
            )
        values = [self.scalar(a) for a in node.args]
        for arg_node, value, var in zip(node.args, values, declared):
            if isinstance(value, sympy.Symbol) and value != var and value in declared:
                raise ArgumentError(
                    f"'{decl.name}' is declared as {decl.name}"
                    f"({', '.join(map(str, declared))}): argument '{value}' is out of place",
                    arg_node.span,
                    "keep the declared order of arguments",
                )
        return applied.subs(dict(zip(declared, values)), simultaneous=True)


# ---- helpers on values ------------------------------------------------------------------------


def _function_of(decl) -> sympy.Expr:
    if isinstance(decl, ir.Field):
        return decl.function
    return decl.symbol


def _is_field_symbol(value, scope: Scope) -> bool:
    return isinstance(value, sympy.Function) and isinstance(
        scope.functions.get(type(value).__name__), ir.Field
    )


def _field_name(value) -> str:
    return type(value).__name__


def check_expressible(expr: sympy.Expr, span: Span | None) -> None:
    """Refuse, at ``span``, what generated code cannot compute on tensors.

    Every node must be arithmetic, a number, a function of the vocabulary, a field (or
    parameter, or δH/δu placeholder), a derivative or a one-sided trace: what
    :class:`pdec.codegen.printer.TorchPrinter` prints. SymPy's own simplifications could
    otherwise bring ``Min``, ``Piecewise``, ... into a spec's expressions.

    >>> check_expressible(sympy.Min(*sympy.symbols("a b")), None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pdec.errors.UnsupportedError: unsupported: 'Min' cannot be computed on tensors...
    """
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, sympy.Derivative):
            stack.append(node.expr)
        elif isinstance(node, (*ARITHMETIC_NODES, AppliedUndef, OneSided)) or type(node) in NODES:
            stack.extend(node.args)
        elif not (isinstance(node, sympy.Expr) and node.is_number):
            raise UnsupportedError(
                f"'{type(node).__name__}' cannot be computed on tensors in generated code",
                span,
                "the functions are: " + ", ".join(FUNCTIONS),
            )


__all__ = [
    "BUILTINS",
    "CONSTANTS",
    "Evaluator",
    "EnergyRef",
    "FieldTuple",
    "FUNCTIONS",
    "IntegralValue",
    "KEYWORDS",
    "MatrixValue",
    "OPERATORS",
    "OPERATOR_RULES",
    "Operator",
    "Scope",
    "SpecError",
    "Vector",
    "check_expressible",
    "describe",
    "did_you_mean",
    "reserved_reason",
]
