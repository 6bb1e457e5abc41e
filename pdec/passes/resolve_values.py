"""The values spec expressions evaluate to, and arithmetic on them.

Scalars are SymPy expressions; the others are vectors, matrices, linear operators
(bare ``dx``), integrals, references to energies and tuples of fields. Keeping them
apart lets ``div`` of a scalar, or a vector where a scalar belongs, be reported with
the span of the culprit (see :func:`describe` and :func:`scalar_hint`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import sympy

from pdec.errors import (
    ShapeError,
    Span,
    UnsupportedError,
)
from pdec.frontend import syntax as s

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


def is_positive_integer(value) -> bool:
    return isinstance(value, sympy.Integer) and value > 0


def scale(value, factor, span: Span):
    if isinstance(value, sympy.Basic):
        return factor * value
    if isinstance(value, Vector):
        return Vector(tuple(factor * item for item in value.items))
    if isinstance(value, MatrixValue):
        return MatrixValue(tuple(tuple(scale(e, factor, span) for e in row) for row in value.rows))
    if isinstance(value, Operator):
        return Operator(lambda e: factor * value.apply(e), f"{factor}*{value.text}")
    if isinstance(value, IntegralValue):
        return IntegralValue(factor * value.density, value.space)
    raise ShapeError(f"cannot scale {describe(value)}", span, "")


def add(left, right, node: s.BinaryOp):
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


def multiply(left, right, node: s.BinaryOp):
    if isinstance(left, sympy.Basic):
        return scale(right, left, node.span)
    if isinstance(right, sympy.Basic) and not isinstance(left, Operator):
        return scale(left, right, node.span)
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
                sympy.Add(*[apply_entry(entry, item) for entry, item in zip(row, right.items)])
                for row in left.rows
            )
        )
    hint = "apply an operator with parentheses: dx(u)" if isinstance(left, Operator) else ""
    raise ShapeError(f"cannot multiply {describe(left)} by {describe(right)}", node.span, hint)


def apply_entry(entry, item: sympy.Expr) -> sympy.Expr:
    return entry.apply(item) if isinstance(entry, Operator) else entry * item


def operator_power(op: Operator, n: int) -> Operator:
    def apply(e):
        for _ in range(n):
            e = op.apply(e)
        return e

    return Operator(apply, f"{op.text}^{n}")


MAX_DIGITS = 1000  # beyond this, exact SymPy arithmetic on literals becomes too slow


MAX_EXPONENT = 10**6  # a field to a power beyond this is a typo, and its derivatives explode


def check_power(base: sympy.Expr, exponent: sympy.Expr, span: Span) -> None:
    """Refuse rational powers whose exact value would have more than MAX_DIGITS digits,
    and rational exponents beyond MAX_EXPONENT (u^(10^999): every derivative multiplies
    the exponent into numbers too long to print)."""
    if isinstance(exponent, sympy.Rational) and max(abs(exponent.p), exponent.q) > MAX_EXPONENT:
        if not isinstance(base, sympy.Rational):  # numbers: the digits rule below
            raise UnsupportedError(
                f"the exponent {abbreviate(str(exponent))} is too large",
                span,
                f"exponents may be rationals with terms up to {MAX_EXPONENT:.0e}",
            )
    if not (isinstance(base, sympy.Rational) and isinstance(exponent, sympy.Rational)):
        return
    if abs(base.p) == base.q or base.p == 0:  # 0, 1 and -1
        return
    digits = abs(exponent) * max(math.log10(abs(base.p)), math.log10(base.q))
    if digits > MAX_DIGITS:
        shown = str(base) if base.is_Integer and base > 0 else f"({base})"
        raise UnsupportedError(
            f"{shown}^{abbreviate(str(exponent))} is too large for exact arithmetic",
            span,
            f"results may have up to {MAX_DIGITS} digits",
        )


def abbreviate(text: str) -> str:
    return text if len(text) <= 20 else text[:8] + "..." + text[-8:]


def scalar_hint(value) -> str:
    if isinstance(value, Vector):
        return "take div(...) or a component; a vector cannot stand alone here"
    if isinstance(value, IntegralValue):
        return "integrals may only appear in energies and claimed quantities"
    if isinstance(value, Operator):
        return f"apply the operator: {value.text}(u)"
    if isinstance(value, EnergyRef):
        return f"use delta({value.name}, u) for its variational derivative"
    return ""
