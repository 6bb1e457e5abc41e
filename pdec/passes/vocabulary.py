"""The closed vocabulary: the only way spec expressions become SymPy objects.

Every name in an expression is looked up here or in the spec's declarations; nothing is
ever passed to ``sympify``/``eval``. Expressions evaluate to *values* of a small type
system — scalars (SymPy expressions), vectors, matrices, linear operators, integrals,
references to energies — so ``div`` of a scalar or an energy that is a vector is caught
with the span of the culprit.
"""

from __future__ import annotations

import difflib
import functools
import keyword
import math
from collections.abc import Callable
from dataclasses import dataclass

import sympy

from pdec.errors import (
    ArgumentError,
    EnergyError,
    InvalidValueError,
    JumpError,
    LocationError,
    NameResolutionError,
    ShapeError,
    Span,
    SpecError,
    TimeError,
    UnsupportedError,
)
from pdec.frontend import syntax as s
from pdec.ir import nodes as ir
from pdec.ir.vocabulary import (
    ARITHMETIC,
    BUILTINS,
    CONSTANTS,
    FUNCTIONS,
    KEYWORDS,
    OPERATORS,
    builtin_kind,
)
from pdec.symbolic.traces import OneSided


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
    return None


def did_you_mean(name: str, candidates) -> str:
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)
    if not close:
        return ""
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


def to_number(text: str) -> sympy.Expr:
    """Exact value of a literal: ``0.01`` is 1/100, so symbolic checks stay exact."""
    return sympy.Rational(text)


# ---- values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vector:
    items: tuple[sympy.Expr, ...]


@dataclass(frozen=True)
class Operator:
    """A linear operator value such as bare ``dx`` in a matrix ``[[0, dx], [dx, 0]]``."""

    apply: Callable[[sympy.Expr], sympy.Expr]
    text: str


@dataclass(frozen=True)
class MatrixValue:
    rows: tuple[tuple[object, ...], ...]  # entries: sympy.Expr or Operator


@dataclass(frozen=True)
class IntegralValue:
    """∫ density d(space): energies and claimed quantities are built from these."""

    density: sympy.Expr
    space: tuple[sympy.Symbol, ...]


@dataclass(frozen=True)
class EnergyRef:
    name: str


@dataclass(frozen=True)
class FieldTuple:
    names: tuple[str, ...]


def describe(value) -> str:
    if isinstance(value, Vector):
        n = len(value.items)
        return f"a vector of {n} component{'s' if n != 1 else ''}"
    if isinstance(value, MatrixValue):
        return f"a {len(value.rows)}×{len(value.rows[0])} matrix"
    if isinstance(value, Operator):
        return f"the operator {value.text}"
    if isinstance(value, IntegralValue):
        return "an integral"
    if isinstance(value, EnergyRef):
        return f"the energy {value.name}"
    if isinstance(value, FieldTuple):
        return "a tuple of fields"
    return "a scalar"


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


class Evaluator:
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
                _scalar_hint(value),
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
        return value

    @functools.singledispatchmethod
    def _evaluate(self, node):
        raise TypeError(f"no evaluation rule for the syntax node {type(node).__name__}")

    # -- leaves
    @_evaluate.register
    def _number(self, node: s.Number):
        mantissa, _, exponent = node.text.lower().partition("e")
        digits = len(mantissa.replace(".", "").lstrip("0"))
        magnitude = exponent.lstrip("+-").lstrip("0")
        if digits > MAX_DIGITS or len(magnitude) > 8 or int(magnitude or 0) > MAX_DIGITS:
            raise UnsupportedError(
                f"the number {_abbreviate(node.text)} is too long or too large for exact "
                "arithmetic",
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
        return _scale(self.value(node.operand), sympy.Integer(-1), node.span)

    @_evaluate.register
    def _binary_op(self, node: s.BinaryOp):
        left, right = self.value(node.left), self.value(node.right)
        op = node.op
        if isinstance(left, sympy.Basic) and isinstance(right, sympy.Basic):
            if op == "^":
                _check_power(left, right, node.span)
            return ARITHMETIC[op](left, right)
        if op in "+-":
            return _add(left, right if op == "+" else _scale(right, -1, node.span), node)
        if op == "*":
            return _multiply(left, right, node)
        if op == "/" and isinstance(right, sympy.Basic):
            return _scale(left, 1 / right, node.span)
        if op == "^" and isinstance(left, Operator) and _is_positive_integer(right):
            return _operator_power(left, int(right))
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
            return function.build(*[self.scalar(a) for a in node.args])
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

    # -- operators
    def _space_variable(self, name: str, span: Span) -> sympy.Symbol:
        var = name[1:]
        for symbol in self.scope.space:
            if symbol.name == var:
                return symbol
        raise NameResolutionError(
            f"{name} differentiates in {var}, but the spec has no space variable '{var}'",
            span,
            "space variables are the ones named in region declarations: "
            + (", ".join(map(str, self.scope.space)) or "none declared"),
        )

    def _derivative_operator(self, name: str, span: Span) -> Operator:
        var = self._space_variable(name, span)
        return Operator(lambda e: sympy.Derivative(e, var), name)

    def _laplacian(self, expr: sympy.Expr) -> sympy.Expr:
        return sympy.Add(*[sympy.Derivative(expr, (v, 2)) for v in self.scope.space])

    def _op_dt(self, node: s.Call):
        self._expect_arguments(node, 1)
        if self.scope.time is None:
            raise TimeError(
                "dt used, but the spec declares no time",
                node.span,
                "declare it, e.g. `time t in [0, 1]`, and give fields a t argument",
            )
        return self._map_scalar(node, lambda e: sympy.Derivative(e, self.scope.time))

    def _op_dx(self, node):
        return self._partial(node)

    _op_dy = _op_dz = _op_dx

    def _partial(self, node: s.Call):
        self._expect_arguments(node, 1)
        var = self._space_variable(node.function.id, node.function.span)
        return self._map_scalar(node, lambda e: sympy.Derivative(e, var))

    def _map_scalar(self, node: s.Call, apply):
        value = self.value(node.args[0])
        if isinstance(value, sympy.Basic):
            return apply(value)
        if isinstance(value, Vector):
            return Vector(tuple(apply(item) for item in value.items))
        raise ShapeError(
            f"{node.function.id} applies to scalars, got {describe(value)}", node.args[0].span, ""
        )

    def _op_grad(self, node: s.Call):
        self._expect_arguments(node, 1, 2)
        if len(node.args) == 2:
            return self._energy_derivative(node, partial=True)
        value = self.scalar(node.args[0])
        if not self.scope.space:
            raise ShapeError(
                "grad of a scalar needs space variables, and the spec has none",
                node.span,
                "for an ODE energy write grad(H, (q, p))",
            )
        return Vector(tuple(sympy.Derivative(value, v) for v in self.scope.space))

    def _op_div(self, node: s.Call):
        self._expect_arguments(node, 1)
        value = self.value(node.args[0])
        space = self.scope.space
        if not isinstance(value, Vector) or len(value.items) != len(space):
            raise ShapeError(
                f"div takes {describe(Vector(space))}, got {describe(value)}",
                node.args[0].span,
                "for the Laplacian of a scalar write lap(u) or div(grad(u))",
            )
        return sympy.Add(*[sympy.Derivative(c, v) for c, v in zip(value.items, space)])

    def _op_lap(self, node: s.Call):
        self._expect_arguments(node, 1)
        return self._laplacian(self.scalar(node.args[0]))

    def _op_dn(self, node: s.Call):
        self._expect_arguments(node, 1)
        place = self.scope.place
        if place is None:
            raise LocationError(
                "dn (the normal derivative) needs a boundary or curve",
                node.span,
                "use it in a condition `on` a boundary or curve",
            )
        value = self.scalar(node.args[0])
        normal = place.normal
        if normal is None:
            normal = tuple(sympy.Symbol(f"n_{v}") for v in self.scope.space)
        return sympy.Add(
            *[n * sympy.Derivative(value, v) for n, v in zip(normal, self.scope.space)]
        )

    def _op_jump(self, node: s.Call):
        self._expect_arguments(node, 1)
        if not isinstance(self.scope.place, ir.Curve):
            where = "on a boundary" if self.scope.place is not None else f"in {self.scope.what}"
            raise JumpError(
                f"jump is taken across a curve, not {where}",
                node.span,
                "declare `curve c = segment(...)` and write the condition `on c`",
            )
        value = self.scalar(node.args[0])
        return OneSided(value, 1) - OneSided(value, -1)

    def _op_integral(self, node: s.Call):
        if not node.args:
            self._expect_arguments(node, 1, 2)
        density = self.scalar(node.args[0])
        variables: list[sympy.Symbol] = []
        for arg in node.args[1:]:
            items = arg.items if isinstance(arg, s.TupleExpr) else (arg,)
            for item in items:
                if not (isinstance(item, s.Name) and item.id in {v.name for v in self.scope.space}):
                    raise ArgumentError(
                        "integral's variables must be space variables",
                        item.span,
                        "write integral(e, x) or integral(e, x, y)",
                    )
                variables.append(sympy.Symbol(item.id))
        if not variables:
            variables = list(self.scope.space)
        return IntegralValue(density, tuple(variables))

    def _op_delta(self, node: s.Call):
        self._expect_arguments(node, 2)
        return self._energy_derivative(node, partial=False)

    def _energy_derivative(self, node: s.Call, partial: bool):
        """``delta(H, u)``, ``delta(H, (q, p))`` and, for ODE energies, ``grad(H, (q, p))``."""
        op = node.function.id
        energy_value = self.value(node.args[0])
        if isinstance(energy_value, EnergyRef):
            energy = self.scope.energies[energy_value.name]
            name = energy.name
        elif isinstance(energy_value, IntegralValue) and not partial:
            energy = ir.Energy("H", energy_value.density, energy_value.space, node.span)
            name = "H"
        else:
            raise EnergyError(
                f"{op}'s first argument must be an energy, got {describe(energy_value)}",
                node.args[0].span,
                f"declare `energy H = ...` and write {op}(H, u)",
            )
        fields = self._field_arguments(node.args[1], op)
        if energy.space and partial:
            raise EnergyError(
                f"grad(H, ...) takes partial derivatives of an ODE energy, but {name} is a "
                "functional",
                node.span,
                f"for functionals write delta({name}, ...)",
            )
        results = []
        for field_decl in fields:
            if self.scope.evolve:
                mark = "∂" if partial or not energy.space else "δ"
                function = sympy.Function(f"{mark}{name}/{mark}{field_decl.name}")(*field_decl.args)
                self.scope.sink.append(ir.Placeholder(function, name, field_decl.name))
                results.append(function)
            elif energy.learned:
                raise UnsupportedError(
                    f"{op} of the learned energy {name} is only available inside `evolve`",
                    node.span,
                    "learned energies are handled by the energy target",
                )
            else:
                results.append(self.scope.variational(energy, field_decl, node.span))
        if isinstance(node.args[1], s.TupleExpr):
            return Vector(tuple(results))
        return results[0]

    def _field_arguments(self, node: s.Expression, op: str) -> list[ir.Field]:
        items = node.items if isinstance(node, s.TupleExpr) else (node,)
        fields = []
        for item in items:
            decl = self.scope.functions.get(item.id) if isinstance(item, s.Name) else None
            if not isinstance(decl, ir.Field) or decl.kind != "field":
                raise EnergyError(
                    f"{op}(H, v) differentiates with respect to a field; "
                    f"{_render(item)} is not a field",
                    item.span,
                    "name a field declared with `field`, or a tuple of them: (q, p)",
                )
            if decl in fields:
                raise ArgumentError(
                    f"'{item.id}' appears twice in {op}(H, ...)", item.span, "list each field once"
                )
            fields.append(decl)
        return fields


OPERATOR_RULES: dict[str, Callable[[Evaluator, s.Call], object]] = {
    "dt": Evaluator._op_dt,
    "dx": Evaluator._op_dx,
    "dy": Evaluator._op_dy,
    "dz": Evaluator._op_dz,
    "grad": Evaluator._op_grad,
    "div": Evaluator._op_div,
    "lap": Evaluator._op_lap,
    "dn": Evaluator._op_dn,
    "jump": Evaluator._op_jump,
    "integral": Evaluator._op_integral,
    "delta": Evaluator._op_delta,
}
"""One rule per operator of :data:`pdec.ir.vocabulary.OPERATORS`."""


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


def _is_positive_integer(value) -> bool:
    return isinstance(value, sympy.Integer) and value > 0


def _scale(value, factor, span: Span):
    if isinstance(value, sympy.Basic):
        return factor * value
    if isinstance(value, Vector):
        return Vector(tuple(factor * item for item in value.items))
    if isinstance(value, MatrixValue):
        return MatrixValue(tuple(tuple(_scale(e, factor, span) for e in row) for row in value.rows))
    if isinstance(value, Operator):
        return Operator(lambda e: factor * value.apply(e), f"{factor}*{value.text}")
    if isinstance(value, IntegralValue):
        return IntegralValue(factor * value.density, value.space)
    raise ShapeError(f"cannot scale {describe(value)}", span, "")


def _add(left, right, node: s.BinaryOp):
    if (
        isinstance(left, Vector)
        and isinstance(right, Vector)
        and len(left.items) == len(right.items)
    ):
        return Vector(tuple(a + b for a, b in zip(left.items, right.items)))
    if isinstance(left, IntegralValue) and isinstance(right, IntegralValue):
        if set(left.space) == set(right.space):
            return IntegralValue(left.density + right.density, left.space)
    if isinstance(left, Operator) and isinstance(right, Operator):
        return Operator(lambda e: left.apply(e) + right.apply(e), f"{left.text} + {right.text}")
    raise ShapeError(
        f"cannot add {describe(left)} and {describe(right)}",
        node.span,
        "both sides of + and - must have the same shape",
    )


def _multiply(left, right, node: s.BinaryOp):
    if isinstance(left, sympy.Basic):
        return _scale(right, left, node.span)
    if isinstance(right, sympy.Basic) and not isinstance(left, Operator):
        return _scale(left, right, node.span)
    if isinstance(left, Operator) and isinstance(right, Operator):
        return Operator(lambda e: left.apply(right.apply(e)), f"{left.text}*{right.text}")
    if isinstance(left, MatrixValue) and isinstance(right, Vector):
        if len(left.rows[0]) != len(right.items):
            raise ShapeError(
                f"{describe(left)} times {describe(right)}: the sizes do not match",
                node.span,
                "",
            )
        return Vector(
            tuple(
                sympy.Add(*[_apply(entry, item) for entry, item in zip(row, right.items)])
                for row in left.rows
            )
        )
    hint = "apply an operator with parentheses: dx(u)" if isinstance(left, Operator) else ""
    raise ShapeError(f"cannot multiply {describe(left)} by {describe(right)}", node.span, hint)


def _apply(entry, item: sympy.Expr) -> sympy.Expr:
    return entry.apply(item) if isinstance(entry, Operator) else entry * item


def _operator_power(op: Operator, n: int) -> Operator:
    def apply(e):
        for _ in range(n):
            e = op.apply(e)
        return e

    return Operator(apply, f"{op.text}^{n}")


MAX_DIGITS = 1000  # beyond this, exact SymPy arithmetic on literals becomes too slow


def _check_power(base: sympy.Expr, exponent: sympy.Expr, span: Span) -> None:
    """Refuse rational powers whose exact value would have more than MAX_DIGITS digits."""
    if not (isinstance(base, sympy.Rational) and isinstance(exponent, sympy.Rational)):
        return
    if abs(base.p) == base.q or base.p == 0:  # 0, 1 and -1
        return
    digits = abs(exponent) * max(math.log10(abs(base.p)), math.log10(base.q))
    if digits > MAX_DIGITS:
        shown = str(base) if base.is_Integer and base > 0 else f"({base})"
        raise UnsupportedError(
            f"{shown}^{_abbreviate(str(exponent))} is too large for exact arithmetic",
            span,
            f"results may have up to {MAX_DIGITS} digits",
        )


def _abbreviate(text: str) -> str:
    return text if len(text) <= 20 else text[:8] + "..." + text[-8:]


def _scalar_hint(value) -> str:
    if isinstance(value, Vector):
        return "take div(...) or a component; a vector cannot stand alone here"
    if isinstance(value, IntegralValue):
        return "integrals may only appear in energies and claimed quantities"
    if isinstance(value, Operator):
        return f"apply the operator: {value.text}(u)"
    if isinstance(value, EnergyRef):
        return f"use delta({value.name}, u) for its variational derivative"
    return ""


def _render(node: s.Expression) -> str:
    span = node.span
    line = span.source_line()
    if span.end_line == span.line and line:
        return f"'{line[span.column - 1 : span.end_column - 1]}'"
    return "this"


__all__ = [
    "BUILTINS",
    "Evaluator",
    "EnergyRef",
    "FieldTuple",
    "IntegralValue",
    "KEYWORDS",
    "MatrixValue",
    "Operator",
    "Scope",
    "SpecError",
    "Vector",
    "describe",
    "did_you_mean",
    "reserved_reason",
]
