"""The differential and integral operators of spec expressions, one rule each.

:data:`OPERATOR_RULES` has one rule per name of :data:`pdec.ir.vocabulary.OPERATORS`
(``tests/test_coverage.py`` checks it); :class:`pdec.passes.vocabulary.Evaluator`
calls them for ``dt(u)``, ``grad(u)``, ``delta(H, u)``, ...
"""

from __future__ import annotations

from collections.abc import Callable

import sympy

from pdec.errors import (
    ArgumentError,
    EnergyError,
    JumpError,
    LocationError,
    NameResolutionError,
    ShapeError,
    Span,
    TimeError,
    UnsupportedError,
)
from pdec.frontend import syntax as s
from pdec.ir import nodes as ir
from pdec.passes.resolve_values import (
    EnergyRef,
    IntegralValue,
    Operator,
    Vector,
    describe,
)
from pdec.symbolic.traces import OneSided


class Operators:
    """The operator rules of :class:`pdec.passes.vocabulary.Evaluator` (a part of it:
    they use its ``scope``, ``value``, ``scalar`` and ``_expect_arguments``)."""

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


OPERATOR_RULES: dict[str, Callable[[Operators, s.Call], object]] = {
    "dt": Operators._op_dt,
    "dx": Operators._op_dx,
    "dy": Operators._op_dy,
    "dz": Operators._op_dz,
    "grad": Operators._op_grad,
    "div": Operators._op_div,
    "lap": Operators._op_lap,
    "dn": Operators._op_dn,
    "jump": Operators._op_jump,
    "integral": Operators._op_integral,
    "delta": Operators._op_delta,
}
"""One rule per operator of :data:`pdec.ir.vocabulary.OPERATORS`."""


def _render(node: s.Expression) -> str:
    span = node.span
    line = span.source_line()
    if span.end_line == span.line and line:
        return f"'{line[span.column - 1 : span.end_column - 1]}'"
    return "this"
