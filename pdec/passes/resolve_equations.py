"""resolve, part 4b: equations and conditions with their locations, data sets,
references and training hints.
"""

from __future__ import annotations

import math

import sympy

from pdec.errors import (
    ArgumentError,
    DuplicateNameError,
    InvalidValueError,
    LocationError,
    NameResolutionError,
    TimeError,
)
from pdec.frontend import syntax as s
from pdec.ir import nodes as ir
from pdec.passes.vocabulary import Evaluator, did_you_mean


class EquationsAndConditions:
    """A part of :class:`pdec.passes.resolve._Resolver`: its methods use the resolver's
    tables (``self.constants``, ``self.space``, ...) and scopes (``self.scope``)."""

    def resolve_equations(self) -> list[ir.Equation]:
        equations = []
        counts: dict[str, int] = {}
        for decl in self.statements(s.EquationDecl):
            if decl.name is None:
                counts[decl.kind] = counts.get(decl.kind, 0) + 1
                name = decl.kind if counts[decl.kind] == 1 else f"{decl.kind}_{counts[decl.kind]}"
                while name in self.declared:
                    name += "_"
            else:
                name = decl.name.id
            location, place = self.location(decl)
            scope = self.scope(f"the {decl.kind} '{name}'", place=place)
            evaluator = Evaluator(scope)
            lhs, rhs = evaluator.scalar(decl.lhs), evaluator.scalar(decl.rhs)
            equations.append(ir.Equation(name, decl.kind, lhs, rhs, location, decl.span))
        return equations

    def location(self, decl) -> tuple[ir.Location, object]:
        node = decl.location
        kind = getattr(decl, "kind", "data")
        if node is None:
            if kind in ("bc", "ic"):
                raise LocationError(
                    f"a {kind} needs a place",
                    decl.span,
                    "add `on BOUNDARY` or `at t = 0`" if kind == "bc" else "add `at t = 0`",
                )
            return ir.InRegion(""), None
        if isinstance(node, s.InRegion):
            if isinstance(node.region, s.RegionRef):
                region = node.region.name.id
                if region not in self.regions:
                    raise LocationError(
                        f"'{region}' is not a region",
                        node.region.span,
                        did_you_mean(region, self.regions)
                        or (
                            "declare it with `region`"
                            if region not in self.boundaries
                            else f"'{region}' is a boundary: write `on {region}`"
                        ),
                    )
                return ir.InRegion(region), None
            return ir.InRegion("", self.shape(node.region)), None
        if isinstance(node, s.OnPlace):
            place = self.place(node.place)
            if isinstance(place, ir.Curve):
                return ir.OnCurve(place.name), place
            return ir.OnBoundary(place), place
        if isinstance(node, s.AtPoint):
            return self.point(node, kind), None
        var = sympy.Symbol(node.var.id)
        is_time = self.time is not None and var == self.time.symbol
        if not is_time and var not in self.space:
            if node.var.id == "t":
                raise TimeError(
                    "`at t = ...` in a spec without time",
                    node.var.span,
                    "declare `time t in [0, 1]` and give fields a t argument",
                )
            known = [v.name for v in self.space] + ([self.time.symbol.name] if self.time else [])
            raise LocationError(
                f"'{node.var.id}' is not time or a space variable",
                node.var.span,
                did_you_mean(node.var.id, known)
                or ("the variables are: " + ", ".join(known) if known else "declare a region"),
            )
        if kind == "ic" and not is_time:
            raise LocationError(
                f"an initial condition is placed at a time, not at a value of '{node.var.id}'",
                node.var.span,
                f"write `at {self.time.symbol} = 0`"
                if self.time
                else "declare `time t in [0, 1]` and write `at t = 0`",
            )
        value = Evaluator(self.number_scope("a slice")).scalar(node.value)
        region = ""
        if node.region is not None:
            if not isinstance(node.region, s.RegionRef) or node.region.name.id not in self.regions:
                hint = "name a region declared with `region`"
                if isinstance(node.region, s.RegionRef):
                    hint = did_you_mean(node.region.name.id, self.regions) or hint
                raise LocationError("expected a declared region after `in`", node.region.span, hint)
            region = node.region.name.id
        return ir.AtSlice(var, value, region), None

    def point(self, node: s.AtPoint, kind: str) -> ir.AtPoint:
        """``at (0, 0)``: one value per space variable; time, if any, is sampled."""
        names = ", ".join(v.name for v in self.space)
        if kind == "ic":
            raise LocationError(
                "an initial condition is placed at a time, not at a point",
                node.span,
                "write `at t = 0`, or make it a `bc` to pin a value at a point",
            )
        if len(node.point) != len(self.space):
            raise LocationError(
                f"a point has {len(self.space)} coordinates ({names}), got {len(node.point)}",
                node.span,
                f"write at ({', '.join('0' for _ in self.space)})",
            )
        evaluator = Evaluator(self.number_scope("a point"))
        return ir.AtPoint(tuple(evaluator.scalar(value) for value in node.point))

    def resolve_data(self) -> list[ir.Data]:
        data = []
        for decl in self.statements(s.DataDecl):
            fields = []
            for name in decl.fields:
                if name.id not in {f.name for f in self.fields}:
                    names = [f.name for f in self.fields]
                    raise NameResolutionError(
                        f"'{name.id}' is not a field",
                        name.span,
                        did_you_mean(name.id, names)
                        or ("the fields are: " + ", ".join(names) if names else "declare a field"),
                    )
                fields.append(name.id)
            location = self.location(decl)[0] if decl.location else None
            data.append(ir.Data(decl.name.id, decl.path, tuple(fields), location, decl.span))
        return data

    def resolve_references(self) -> list[ir.Reference]:
        references = []
        for decl in self.statements(s.ReferenceDecl):
            field = self.functions.get(decl.field.id)
            if not isinstance(field, ir.Field) or field.kind != "field":
                raise NameResolutionError(
                    f"'{decl.field.id}' is not a field",
                    decl.field.span,
                    did_you_mean(decl.field.id, [f.name for f in self.fields])
                    or "a reference gives the known solution of a field",
                )
            if decl.field.id in {r.field for r in references}:
                raise DuplicateNameError(
                    f"'{decl.field.id}' has two references", decl.field.span, "keep one"
                )
            scope = self.scope(f"the reference of '{decl.field.id}'", fields_allowed=False)
            value = Evaluator(scope).scalar(decl.value)
            stray = value.free_symbols & (set(self.space) | {getattr(self.time, "symbol", None)})
            stray -= set(field.args)
            if stray:
                name = sorted(map(str, stray))[0]
                raise ArgumentError(
                    f"the reference of '{field.name}' depends on '{name}', which "
                    f"{field.name} does not take",
                    decl.value.span,
                    f"{field.name} is declared as {field.name}({', '.join(map(str, field.args))})",
                )
            references.append(ir.Reference(field.name, value, decl.span))
        return references

    def resolve_train(self) -> tuple[tuple[str, object], ...]:
        items: dict[str, object] = {}
        for decl in self.statements(s.TrainDecl):
            for item in decl.items:
                if item.key.id in items:
                    raise DuplicateNameError(
                        f"training hint '{item.key.id}' is given twice", item.span
                    )
                if isinstance(item.value, float) and not math.isfinite(item.value):
                    raise InvalidValueError(
                        f"the training hint {item.key.id} = {item.value} is not a finite number",
                        item.span,
                        "numbers in generated code are floats: keep them below about 1e308",
                    )
                items[item.key.id] = item.value
        return tuple(items.items())
