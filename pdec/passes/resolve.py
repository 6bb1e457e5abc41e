"""resolve: syntax tree → IR. Binds every name to its declaration and builds SymPy.

Order of work, so that a name may be used before the line that declares it:

1. collect declarations (duplicates and reserved names are caught here), the space
   variables (from region ranges) and time;
2. constants, time, fields and inputs, then parameters (which may not use fields);
3. geometry: regions, boundaries, curves, coordinate systems and cuts;
4. energies, then equations, dynamics, structure, claims, data and training hints.

This module holds the driver (:meth:`_Resolver.run`, the order above), the declaration
tables and the scopes; each family of declarations is resolved in its own module, one
class each, which :class:`_Resolver` combines:

- :mod:`pdec.passes.resolve_functions`: constants, time, parameters, fields, inputs;
- :mod:`pdec.passes.resolve_geometry`: regions, boundaries, curves, coordinates, cuts;
- :mod:`pdec.passes.resolve_energies`: energies, claims, ``evolve``, ``structure``;
- :mod:`pdec.passes.resolve_equations`: equations and their locations, data,
  references, training hints;
- :mod:`pdec.passes.vocabulary`: expressions, evaluated in a :class:`Scope`.
"""

from __future__ import annotations

import hashlib

import sympy

from pdec.errors import DuplicateNameError, ReservedNameError, Span, SpecError
from pdec.frontend import syntax as s
from pdec.ir import nodes as ir
from pdec.passes.resolve_energies import STRUCTURE_KINDS, EnergiesAndStructure
from pdec.passes.resolve_equations import EquationsAndConditions
from pdec.passes.resolve_functions import NumbersAndFunctions
from pdec.passes.resolve_geometry import Geometry
from pdec.passes.vocabulary import Scope, reserved_reason


def resolve(module: s.Module) -> ir.SpecIR:
    """Build the IR of a parsed spec; raises a :class:`pdec.SpecError` on any mistake."""
    return _Resolver(module).run()


class _Resolver(NumbersAndFunctions, Geometry, EnergiesAndStructure, EquationsAndConditions):
    """The resolver's state: what is declared so far, and the scopes expressions see."""

    def __init__(self, module: s.Module):
        self.module = module
        self.declared: dict[str, Span] = {}
        self.space: list[sympy.Symbol] = []
        self.time: ir.Time | None = None
        self.constants: dict[str, ir.Constant] = {}
        self.parameters: dict[str, ir.Parameter] = {}
        self.functions: dict[str, ir.Field | ir.Parameter] = {}
        self.fields: list[ir.Field] = []
        self.inputs: list[ir.Field] = []
        self.regions: dict[str, ir.Region] = {}
        self.boundaries: dict[str, ir.Boundary] = {}
        self.curves: dict[str, ir.Curve] = {}
        self.energies: dict[str, ir.Energy] = {}

    def statements(self, kind):
        return [st for st in self.module.statements if isinstance(st, kind)]

    # ---- 1. declarations -----------------------------------------------------------------

    def declare(self, name: s.Name, what: str) -> None:
        reason = reserved_reason(name.id)
        if reason:
            raise ReservedNameError(
                f"{reason}; it cannot name a {what}", name.span, f"rename it, e.g. '{name.id}_'"
            )
        if name.id in self.declared:
            first = self.declared[name.id]
            raise DuplicateNameError(
                f"'{name.id}' is already declared (line {first.line})",
                name.span,
                "every declared name must be unique; rename one of them",
            )
        self.declared[name.id] = name.span

    def collect(self) -> None:
        for decl in self.statements(s.RegionDecl):
            for var_range in _ranges(decl.region):
                symbol = sympy.Symbol(var_range.var.id)
                if symbol not in self.space:
                    reason = reserved_reason(var_range.var.id)
                    if reason:
                        raise ReservedNameError(
                            f"{reason}; it cannot name a space variable",
                            var_range.var.span,
                            f"rename it, e.g. '{var_range.var.id}_'",
                        )
                    self.space.append(symbol)
        if not self.space:  # no box: disks, balls and polygons name the space x, y (, z)
            dimension = max(
                (_dimension(d.region) for d in self.statements(s.RegionDecl)), default=0
            )
            names = ("x", "y", "z")[:dimension] if dimension <= 3 else None
            names = names or tuple(f"x{k}" for k in range(1, dimension + 1))
            self.space = [sympy.Symbol(name) for name in names]
        for symbol in self.space:
            self.declared[symbol.name] = Span("", 0, 0, 0, 0)
        times = self.statements(s.TimeDecl)
        for extra in times[1:]:
            raise DuplicateNameError("time is declared twice", extra.span, "keep one `time`")
        if times:
            decl = times[0]
            if sympy.Symbol(decl.name.id) in self.space:
                raise DuplicateNameError(
                    f"'{decl.name.id}' is a space variable and cannot also be time",
                    decl.name.span,
                    "name time t, or rename the space variable",
                )
            self.declare(decl.name, "time variable")
        for st in self.module.statements:
            for name, what in _declared_names(st):
                if isinstance(st, s.TimeDecl):
                    continue
                if sympy.Symbol(name.id) in self.space and what != "space variable":
                    raise DuplicateNameError(
                        f"'{name.id}' is a space variable and cannot also name a {what}",
                        name.span,
                        "choose another name",
                    )
                self.declare(name, what)

    # ---- scopes ----------------------------------------------------------------------------

    def symbols(self, with_variables: bool = True) -> dict:
        table = {name: c.symbol for name, c in self.constants.items()}
        table.update({n: p.symbol for n, p in self.parameters.items() if not p.args})
        if with_variables:
            table.update({v.name: v for v in self.space})
            if self.time is not None:
                table[self.time.symbol.name] = self.time.symbol
        return table

    def scope(self, what: str, **options) -> Scope:
        options.setdefault("symbols", self.symbols())
        return Scope(
            functions=self.functions,
            energies=self.energies,
            space=tuple(self.space),
            time=self.time.symbol if self.time else None,
            what=what,
            variational=self.variational,
            **options,
        )

    def variational(self, energy: ir.Energy, field: ir.Field, span: Span) -> sympy.Expr:
        from pdec.symbolic.variational import variational_derivative

        try:
            return variational_derivative(energy.density, field.function, energy.space)
        except SpecError as error:
            raise error.with_span(span) from None

    def number_scope(self, what: str) -> Scope:
        return self.scope(what, symbols=self.symbols(False), fields_allowed=False)

    # ---- driver ------------------------------------------------------------------------------

    def run(self) -> ir.SpecIR:
        models = self.statements(s.ModelDecl)
        if not models:
            first = self.module.statements[0].span if self.module.statements else None
            line, column = (first.line, first.column) if first else (1, 1)
            raise SpecError(
                "the spec has no `model` line",
                Span(self.module.file, line, column, line, column + 1, self.module.source),
                "start the spec with `model NAME`; NAME names the generated classes",
            )
        for extra in models[1:]:
            raise DuplicateNameError("`model` is given twice", extra.span, "keep one")
        self.collect()
        self.resolve_constants()
        self.resolve_time()
        self.resolve_functions()
        self.resolve_parameters()
        self.resolve_regions()
        self.resolve_places()
        coordinates = self.resolve_coordinates()
        self.resolve_energies()
        equations = self.resolve_equations()
        evolution = self.resolve_evolution()
        structure = self.resolve_structure()
        claims = self.resolve_claims()
        data = self.resolve_data()
        return ir.SpecIR(
            name=models[0].name.id,
            file=self.module.file,
            source=self.module.source,
            sha256=hashlib.sha256(self.module.source.encode("utf-8")).hexdigest(),
            space=tuple(self.space),
            time=self.time,
            constants=tuple(self.constants.values()),
            parameters=tuple(self.parameters.values()),
            fields=tuple(self.fields),
            inputs=tuple(self.inputs),
            regions=tuple(self.regions.values()),
            boundaries=tuple(self.boundaries.values()),
            curves=tuple(self.curves.values()),
            coordinates=tuple(coordinates),
            equations=tuple(equations),
            energies=tuple(self.energies.values()),
            evolution=evolution,
            structure=structure,
            claims=tuple(claims),
            data=tuple(data),
            train=self.resolve_train(),
            references=tuple(self.resolve_references()),
            lagrangian=self.resolve_lagrangian(evolution),
        )


# ---- helpers -----------------------------------------------------------------------------------


def _ranges(node):
    if isinstance(node, s.BoxShape):
        return node.ranges
    if isinstance(node, s.RegionOp):
        return (*_ranges(node.left), *_ranges(node.right))
    return ()


def _dimension(node) -> int:
    """The dimension a region without boxes implies: 2 for a disk or polygon, the number
    of center coordinates a ball or ellipse is written with (0: none)."""
    if isinstance(node, s.PolygonShape):
        return 2
    if isinstance(node, s.DiskShape):
        if node.kind == "disk":
            return 2
        center = dict((k.id, v) for k, v in node.keywords).get("center")
        center = center if center is not None else (node.args[0] if node.args else None)
        return len(center.items) if isinstance(center, s.TupleExpr) else 2
    if isinstance(node, s.RegionOp):
        return max(_dimension(node.left), _dimension(node.right))
    return 0


def _declared_names(st):
    """(name, what) for each name a statement declares."""
    if isinstance(st, s.ConstDecl):
        return [(st.name, "constant")]
    if isinstance(st, s.ParamDecl):
        return [(st.name, "parameter")]
    if isinstance(st, s.RegionDecl):
        return [(st.name, "region")]
    if isinstance(st, s.BoundaryDecl):
        return [(st.name, "boundary")]
    if isinstance(st, s.CurveDecl):
        return [(st.name, "curve")]
    if isinstance(st, s.FunctionDecl):
        return [(st.name, st.kind)]
    if isinstance(st, s.CoordinatesDecl):
        return [(st.name, "coordinate system")]
    if isinstance(st, s.EquationDecl) and st.name is not None:
        return [(st.name, st.kind)]
    if isinstance(st, s.EnergyDecl):
        return [(st.name, "energy")]
    if isinstance(st, s.LagrangianDecl):
        return [(st.name, "Lagrangian")]
    if isinstance(st, s.StructureDecl):
        return [(st.name, "structure")]
    if isinstance(st, s.ClaimDecl) and st.value is not None:
        return [(st.name, "claim")]
    if isinstance(st, s.DataDecl):
        return [(st.name, "data set")]
    return []


__all__ = ["STRUCTURE_KINDS", "resolve"]
