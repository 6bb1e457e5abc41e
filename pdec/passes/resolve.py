"""resolve: syntax tree → IR. Binds every name to its declaration and builds SymPy.

Order of work, so that a name may be used before the line that declares it:

1. collect declarations (duplicates and reserved names are caught here), the space
   variables (from region ranges) and time;
2. constants, time, fields and inputs, then parameters (which may not use fields);
3. geometry: regions, boundaries, curves, coordinate systems and cuts;
4. energies, then equations, dynamics, structure, claims, data and training hints.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace

import sympy

from pdec.errors import (
    ArgumentError,
    CoordinateError,
    DuplicateNameError,
    EnergyError,
    InvalidValueError,
    LocationError,
    NameResolutionError,
    ReservedNameError,
    ShapeError,
    Span,
    SpecError,
    TimeError,
    UnsupportedError,
)
from pdec.frontend import syntax as s
from pdec.ir import nodes as ir
from pdec.passes.vocabulary import (
    Evaluator,
    IntegralValue,
    Scope,
    Vector,
    describe,
    did_you_mean,
    reserved_reason,
)

_BOX_SIDES = {0: ("left", "right"), 1: ("bottom", "top"), 2: ("back", "front")}
STRUCTURE_KINDS = ("skew", "dissipative")


def resolve(module: s.Module) -> ir.SpecIR:
    """Build the IR of a parsed spec; raises a :class:`pdec.SpecError` on any mistake."""
    return _Resolver(module).run()


class _Resolver:
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
        if any(_has_disk(d.region) for d in self.statements(s.RegionDecl)) and not self.space:
            self.space = [sympy.Symbol("x"), sympy.Symbol("y")]
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

    # ---- 2. numbers and functions -----------------------------------------------------------

    def resolve_constants(self) -> None:
        decls = self.statements(s.ConstDecl)
        for index, decl in enumerate(decls):
            later = {d.name.id: d for d in decls[index:]}
            for name in _names_in(decl.value):
                if name.id == decl.name.id:
                    raise NameResolutionError(
                        f"the constant '{name.id}' is defined in terms of itself",
                        name.span,
                        "a constant's value is a number or uses earlier constants",
                    )
                if name.id in later:
                    raise NameResolutionError(
                        f"the constant '{name.id}' is used before its declaration "
                        f"(line {later[name.id].span.line})",
                        name.span,
                        "constants are defined in order: declare it first",
                    )
            scope = self.scope("a constant", symbols=self.symbols(False), fields_allowed=False)
            value = Evaluator(scope).scalar(decl.value)
            self.constants[decl.name.id] = ir.Constant(decl.name.id, value, decl.span)

    def resolve_time(self) -> None:
        times = self.statements(s.TimeDecl)
        if times:
            decl = times[0]
            scope = self.scope("time's interval", symbols=self.symbols(False), fields_allowed=False)
            lo, hi = Evaluator(scope).scalar(decl.lo), Evaluator(scope).scalar(decl.hi)
            _check_range(lo, hi, decl.span, TimeError)
            self.time = ir.Time(sympy.Symbol(decl.name.id), lo, hi, decl.span)

    def resolve_parameters(self) -> None:
        decls = self.statements(s.ParamDecl)
        for decl in decls:  # all signatures first: parameters may use each other
            args = self.arguments(decl.name, decl.args or (), "param")
            self.parameters[decl.name.id] = ir.Parameter(decl.name.id, args, None, decl.span)
            if args:
                self.functions[decl.name.id] = self.parameters[decl.name.id]
        for decl in decls:
            if decl.value is None:
                self.parameters[decl.name.id] = self.unknown_parameter(decl)
                continue
            param = self.parameters[decl.name.id]
            variables = {v.name: v for v in param.args}
            # All variables are visible, so that a missing argument is named below.
            scope = self.scope(
                f"the parameter '{param.name}'",
                symbols={**self.symbols(), **variables},
                fields_allowed=False,
            )
            value = Evaluator(scope).scalar(decl.value)
            stray = value.free_symbols - set(param.args) - set(self.symbols(False).values())
            if stray:
                name = sorted(map(str, stray))[0]
                raise NameResolutionError(
                    f"the parameter '{param.name}' depends on '{name}', which is not among its "
                    "arguments",
                    decl.value.span,
                    f"declare it as param {param.name}({', '.join([*map(str, param.args), name])})",
                )
            self.parameters[decl.name.id] = replace(param, value=value)
            if param.args:
                self.functions[decl.name.id] = self.parameters[decl.name.id]

    def unknown_parameter(self, decl: s.ParamDecl) -> ir.Parameter:
        """``param nu unknown(positive, guess = 0.05)``: check the options."""
        param = self.parameters[decl.name.id]
        positive, guess = False, None
        for name, value in decl.options:
            if name.id == "positive" and value is None:
                positive = True
            elif name.id == "guess" and value is not None:
                guess = Evaluator(self.number_scope("a first guess")).scalar(value)
                if not (guess.is_number and guess.is_real):
                    raise InvalidValueError(
                        f"the first guess of '{param.name}' must be a real number, got {guess}",
                        value.span,
                        "write guess = 0.1",
                    )
            elif name.id in ("positive", "guess"):
                usage = "`positive`" if name.id == "positive" else "`guess = <number>`"
                raise ArgumentError(f"write the option as {usage}", name.span, "")
            else:
                raise ArgumentError(
                    f"'{name.id}' is not an option of an unknown parameter",
                    name.span,
                    did_you_mean(name.id, ("positive", "guess"))
                    or "the options are `positive` and `guess = <number>`",
                )
        if param.args and guess is not None:
            raise ArgumentError(
                f"'{param.name}' is a field: a first guess is a network's, not a number",
                decl.span,
                "drop `guess`; `positive` is allowed",
            )
        if positive and guess is not None and not guess.is_positive:
            raise InvalidValueError(
                f"'{param.name}' is declared positive but its first guess is {guess}",
                decl.span,
                "give a guess > 0",
            )
        return replace(param, positive=positive, guess=guess)

    def arguments(self, name: s.Name, args, what: str) -> tuple[sympy.Symbol, ...]:
        """Check a signature's arguments: each a space variable or time, no repeats."""
        seen: list[sympy.Symbol] = []
        for arg in args:
            symbol = sympy.Symbol(arg.id)
            is_time = self.time is not None and symbol == self.time.symbol
            if arg.id == "t" and self.time is None and what == "field":
                # Fields of a spec without `time` may still take t (the energy target's
                # learned-dynamics specs): time is then implied, with no interval.
                self.time = ir.Time(symbol, None, None, None)
                is_time = True
            if symbol not in self.space and not is_time:
                known = [v.name for v in self.space] + (
                    [self.time.symbol.name] if self.time else []
                )
                raise ArgumentError(
                    f"'{arg.id}' is not a space variable or time, so {name.id} cannot take it",
                    arg.span,
                    did_you_mean(arg.id, known)
                    or (
                        f"arguments may be: {', '.join(known)}"
                        if known
                        else "declare a region with this variable, e.g. interval(x in [0, 1])"
                    ),
                )
            if symbol in seen:
                raise ArgumentError(f"'{arg.id}' appears twice in {name.id}'s arguments", arg.span)
            seen.append(symbol)
        return tuple(seen)

    def resolve_functions(self) -> None:
        for decl in self.statements(s.FunctionDecl):
            if decl.args is None:
                raise ArgumentError(
                    f"the {decl.kind} '{decl.name.id}' needs its arguments",
                    decl.span,
                    f"write e.g. {decl.kind} {decl.name.id}(t, x)",
                )
            args = self.arguments(decl.name, decl.args, decl.kind)
            function = ir.Field(decl.name.id, args, decl.span, decl.kind)
            (self.fields if decl.kind == "field" else self.inputs).append(function)
            self.functions[decl.name.id] = function

    # ---- 3. geometry --------------------------------------------------------------------------

    def number_scope(self, what: str) -> Scope:
        return self.scope(what, symbols=self.symbols(False), fields_allowed=False)

    def resolve_regions(self) -> None:
        for decl in self.statements(s.RegionDecl):
            shape = self.shape(decl.region)
            self.regions[decl.name.id] = ir.Region(decl.name.id, shape, decl.span)

    def shape(self, node) -> ir.Shape:
        if isinstance(node, s.RegionRef):
            if node.name.id not in self.regions:
                raise LocationError(
                    f"'{node.name.id}' is not a region declared before this line",
                    node.span,
                    did_you_mean(node.name.id, self.regions) or "declare it with `region`",
                )
            return self.regions[node.name.id].shape
        if isinstance(node, s.RegionOp):
            return ir.SetOp(node.op, self.shape(node.left), self.shape(node.right))
        evaluator = Evaluator(self.number_scope("a region"))
        if isinstance(node, s.DiskShape):
            return self.disk(node, evaluator)
        periodic_all = any(not p.vars for p in node.periodic)
        periodic_vars = {v.id for p in node.periodic for v in p.vars}
        ranges = []
        for var_range in node.ranges:
            lo, hi = evaluator.scalar(var_range.lo), evaluator.scalar(var_range.hi)
            _check_range(lo, hi, var_range.span, ShapeError)
            ranges.append(
                ir.Range(
                    sympy.Symbol(var_range.var.id),
                    lo,
                    hi,
                    periodic_all or var_range.var.id in periodic_vars,
                )
            )
        names = [r.var.name for r in ranges]
        for p in node.periodic:
            for v in p.vars:
                if v.id not in names:
                    raise NameResolutionError(f"'{v.id}' has no range in this {node.kind}", v.span)
        if len(set(names)) != len(names):
            raise DuplicateNameError("a variable has two ranges", node.span)
        if node.kind == "interval" and len(ranges) != 1:
            raise ShapeError("an interval has one range", node.span, "for more use box(...)")
        return ir.Box(tuple(ranges))

    def disk(self, node: s.DiskShape, evaluator: Evaluator) -> ir.Disk:
        args = list(node.args)
        keywords = {k.id: v for k, v in node.keywords}
        center = keywords.pop("center", args.pop(0) if args else None)
        radius = keywords.pop("radius", args.pop(0) if args else None)
        if keywords or args or center is None or radius is None:
            raise ArgumentError(
                "disk takes a center and a radius", node.span, "write disk((0, 0), 1)"
            )
        center_value = evaluator.value(center)
        if not isinstance(center_value, Vector) or len(center_value.items) != 2:
            raise ShapeError("a disk's center is a point (x, y)", center.span, "")
        radius_value = evaluator.scalar(radius)
        if radius_value.is_number and radius_value.is_positive is not True:
            raise ShapeError(
                f"a disk's radius must be positive, got {radius_value}", radius.span, ""
            )
        space = tuple(self.space[:2])
        return ir.Disk(center_value.items, radius_value, space)

    def resolve_places(self) -> None:
        for decl in self.statements(s.CurveDecl):
            self.curves[decl.name.id] = self.curve(decl)
        for decl in self.statements(s.BoundaryDecl):
            boundary = self.place(decl.place, decl.name.id)
            if isinstance(boundary, ir.Curve):
                raise LocationError(
                    f"'{decl.place.name.id}' is a curve; boundaries are sides of regions",
                    decl.place.span,
                    "use the curve's name directly in conditions",
                )
            self.boundaries[decl.name.id] = replace(boundary, span=decl.span)

    def curve(self, decl: s.CurveDecl) -> ir.Curve:
        if decl.shape.id not in ("segment", "polyline"):
            raise NameResolutionError(
                f"unknown curve '{decl.shape.id}'",
                decl.shape.span,
                "curves are segment(P0, P1) and polyline(P0, P1, ..., Pn)",
            )
        evaluator = Evaluator(self.number_scope("a curve"))
        points = []
        for arg in decl.args:
            value = evaluator.value(arg)
            if not isinstance(value, Vector) or len(value.items) != 2:
                raise ShapeError(
                    f"a curve's points are (x, y) pairs, got {describe(value)}", arg.span, ""
                )
            points.append(value.items)
        if decl.shape.id == "segment" and len(points) != 2:
            raise ArgumentError(
                f"segment takes two points, got {len(points)}", decl.span, "write segment(P0, P1)"
            )
        if len(points) < 2:
            raise ArgumentError("a polyline needs at least two points", decl.span)
        if len(self.space) != 2:
            raise ShapeError(
                "curves live in the plane: the spec needs two space variables", decl.span
            )
        # Normals from the constants' values: the orientation is a numeric fact, and
        # sqrt(D**2) would not simplify for a symbolic D.
        values = _constant_values(self.constants)
        normals = []
        numeric = [tuple(c.subs(values) for c in point) for point in points]
        for (x0, y0), (x1, y1) in zip(numeric, numeric[1:]):
            length = sympy.sqrt((x1 - x0) ** 2 + (y1 - y0) ** 2)
            if length.is_zero:
                raise ShapeError("a curve has two equal consecutive points", decl.span)
            # The tangent turned clockwise: the plus side is on the right of P0 → P1.
            normals.append(
                (sympy.simplify((y1 - y0) / length), sympy.simplify(-(x1 - x0) / length))
            )
        return ir.Curve(decl.name.id, decl.shape.id, tuple(points), tuple(normals), decl.span)

    def place(self, node, name: str = ""):
        """A place expression → a Boundary (sides, unions) or a Curve."""
        if isinstance(node, s.PlaceRef):
            ref = node.name.id
            if ref in self.boundaries:
                return self.boundaries[ref]
            if ref in self.curves:
                return self.curves[ref]
            if ref in self.regions:
                raise LocationError(
                    f"'{ref}' is a region, not a boundary or curve",
                    node.span,
                    f"conditions on its boundary are written `on {ref}.boundary`",
                )
            raise LocationError(
                f"'{ref}' is not a boundary or curve",
                node.span,
                did_you_mean(ref, [*self.boundaries, *self.curves])
                or "declare it with `boundary` or `curve`",
            )
        if isinstance(node, s.Side):
            return ir.Boundary(name, self.sides(node), node.span)
        pieces = []
        for part in node.parts:
            place = self.place(part)
            if isinstance(place, ir.Curve):
                raise LocationError(
                    f"'{place.name}' is a curve and cannot join a boundary", part.span
                )
            pieces.extend(place.pieces)
        return ir.Boundary(name, tuple(pieces), node.span)

    def sides(self, node: s.Side) -> tuple[ir.BoundaryPiece, ...]:
        region_name, side = node.region.id, node.side.id
        if region_name not in self.regions:
            raise LocationError(
                f"'{region_name}' is not a region",
                node.region.span,
                did_you_mean(region_name, self.regions) or "declare it with `region`",
            )
        shape = self.regions[region_name].shape
        if isinstance(shape, ir.Disk):
            if side != "boundary":
                raise LocationError(
                    f"a disk has one side, '{region_name}.boundary'", node.side.span
                )
            (cx, cy), radius = shape.center, shape.radius
            x, y = shape.variables
            return (
                ir.BoundaryPiece(region_name, "boundary", ((x - cx) / radius, (y - cy) / radius)),
            )
        if not isinstance(shape, ir.Box):
            raise UnsupportedError(
                f"sides of the composite region '{region_name}' are not supported yet",
                node.span,
                "declare the boundary of each box separately and join them with |",
            )
        pieces = []
        for axis, rng in enumerate(shape.ranges):
            if rng.periodic:
                continue
            names = _BOX_SIDES.get(axis, ())
            for sign, bound, label in ((-1, rng.lo, "min"), (1, rng.hi, "max")):
                normal = tuple(
                    sympy.Integer(sign if i == axis else 0) for i in range(len(shape.ranges))
                )
                generic = f"{rng.var.name}_{label}"
                friendly = (names[0] if sign < 0 else names[1]) if names else generic
                if side in ("boundary", generic, friendly):
                    pieces.append(ir.BoundaryPiece(region_name, friendly, normal, rng.var, bound))
        if not pieces:
            if side == "boundary":
                raise LocationError(
                    f"'{region_name}' is periodic in every direction: it has no boundary",
                    node.span,
                    "drop the condition; periodicity is built into the domain",
                )
            valid = ["boundary"] + _side_names(shape)
            raise LocationError(
                f"'{region_name}' has no side '{side}'",
                node.side.span,
                did_you_mean(side, valid) or "its sides are: " + ", ".join(valid),
            )
        return tuple(pieces)

    def resolve_coordinates(self) -> list[ir.CoordinateSystem]:
        systems = []
        cuts = self.statements(s.CutDecl)
        for decl in self.statements(s.CoordinatesDecl):
            new = tuple(sympy.Symbol(v.id) for v in decl.variables)
            for v in decl.variables:
                if sympy.Symbol(v.id) in self.space or v.id in self.declared:
                    raise DuplicateNameError(
                        f"'{v.id}' is already declared; coordinates need new names",
                        v.span,
                        "choose new names, e.g. polar(r, theta)",
                    )
                reason = reserved_reason(v.id)
                if reason:
                    raise ReservedNameError(
                        f"{reason}; it cannot name a coordinate",
                        v.span,
                        f"rename it, e.g. '{v.id}_'",
                    )
            symbols = {**self.symbols(False), **{v.name: v for v in new}}
            evaluator = Evaluator(
                self.scope("a coordinate map", symbols=symbols, fields_allowed=False)
            )
            old, forward = [], []
            for name, expr in decl.equations:
                symbol = sympy.Symbol(name.id)
                if symbol not in self.space:
                    raise CoordinateError(
                        f"'{name.id}' is not a space variable",
                        name.span,
                        "the map gives each space variable in terms of the new ones: "
                        + ", ".join(f"{v} = ..." for v in self.space),
                    )
                if symbol in old:
                    raise CoordinateError(f"'{name.id}' is given twice", name.span)
                old.append(symbol)
                forward.append(evaluator.scalar(expr))
            if len(old) != len(new):
                raise CoordinateError(
                    f"{len(new)} new coordinates but {len(old)} equations",
                    decl.span,
                    "give one equation per new coordinate, e.g. x = r*cos(theta), y = r*sin(theta)",
                )
            about = None
            if decl.about is not None:
                value = evaluator.value(decl.about)
                about = (
                    value.items if isinstance(value, Vector) else (evaluator.scalar(decl.about),)
                )
                if len(about) != len(self.space):
                    origin = ", ".join(["0"] * len(self.space))
                    raise CoordinateError(
                        f"`about` takes a point with {len(self.space)} coordinates, "
                        f"got {len(about)}",
                        decl.about.span,
                        f"give the origin of the new coordinates, e.g. about ({origin})",
                    )
            system = ir.CoordinateSystem(
                decl.name.id, new, tuple(old), tuple(forward), about, None, decl.span
            )
            systems.append(system)
        for cut in cuts:
            owner = next((c for c in systems if sympy.Symbol(cut.var.id) in c.new), None)
            if cut.curve.id not in self.curves:
                raise CoordinateError(
                    f"the cut names no curve: '{cut.curve.id}' is not a declared curve",
                    cut.curve.span,
                    did_you_mean(cut.curve.id, self.curves)
                    or "declare `curve NAME = segment(...)`",
                )
            if owner is None:
                raise CoordinateError(
                    f"'{cut.var.id}' is not a coordinate of any `coordinates` declaration",
                    cut.var.span,
                    "a cut is placed at a value of an angular coordinate, e.g. theta = 0",
                )
            if owner.cut is not None:
                raise DuplicateNameError(f"'{owner.name}' already has a cut", cut.span)
            value = Evaluator(self.number_scope("a cut")).scalar(cut.value)
            systems[systems.index(owner)] = replace(
                owner, cut=ir.Cut(cut.curve.id, sympy.Symbol(cut.var.id), value, cut.span)
            )
        return systems

    # ---- 4. energies, equations, dynamics, claims ------------------------------------------

    def quantity(self, node: s.Expression, what: str, span: Span) -> tuple[sympy.Expr, tuple]:
        """An energy or claimed quantity: ∫ density (PDE) or a plain scalar (ODE)."""
        value = Evaluator(self.scope(what)).value(node)
        if isinstance(value, IntegralValue):
            return value.density, value.space
        if not isinstance(value, sympy.Basic):
            raise EnergyError(
                f"{what} must be a scalar, got {describe(value)}",
                node.span,
                "an energy is a number for each state: integrate a density, integral(e, x)",
            )
        depends_on_space = value.free_symbols & set(self.space) or any(
            set(f.args) & set(self.space) for f in value.atoms(sympy.core.function.AppliedUndef)
        )
        if depends_on_space:
            raise EnergyError(
                f"{what} must be a scalar, but this depends on "
                + ", ".join(v.name for v in self.space),
                node.span,
                "integrate the density over space: integral(..., "
                + ", ".join(v.name for v in self.space)
                + ")",
            )
        return value, ()

    def resolve_energies(self) -> None:
        for decl in self.statements(s.EnergyDecl):
            if decl.value is None:
                self.energies[decl.name.id] = ir.Energy(decl.name.id, None, (), decl.span)
            else:
                density, space = self.quantity(decl.value, f"the energy {decl.name.id}", decl.span)
                self.energies[decl.name.id] = ir.Energy(decl.name.id, density, space, decl.span)

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

    def resolve_evolution(self) -> ir.Evolution | None:
        decls = self.statements(s.EvolveDecl)
        for extra in decls[1:]:
            raise DuplicateNameError("`evolve` is given twice", extra.span, "keep one")
        if not decls:
            return None
        decl = decls[0]
        if decl.operator.id != "dt":
            raise ArgumentError(
                f"evolve gives the time derivative: expected dt(...), got {decl.operator.id}(...)",
                decl.operator.span,
                "write evolve dt(u) = ...",
            )
        if self.time is None:
            raise TimeError(
                "evolve gives dt of fields, but the spec declares no time",
                decl.operator.span,
                "declare `time t in [0, T]` and give fields a t argument",
            )
        names = []
        for name in decl.fields:
            field = self.functions.get(name.id)
            if not isinstance(field, ir.Field) or field.kind != "field":
                raise NameResolutionError(
                    f"'{name.id}' is not a field",
                    name.span,
                    did_you_mean(name.id, [f.name for f in self.fields]) or "",
                )
            if self.time.symbol not in field.args:
                raise TimeError(
                    f"the field '{name.id}' does not depend on {self.time.symbol}",
                    name.span,
                    f"declare it as field {name.id}({self.time.symbol}, ...)",
                )
            if name.id in names:
                raise ArgumentError(
                    f"'{name.id}' appears twice in dt(...)", name.span, "list each field once"
                )
            names.append(name.id)
        sink: list[ir.Placeholder] = []
        value = Evaluator(self.scope("the dynamics", evolve=True, sink=sink)).value(decl.rhs)
        items = value.items if isinstance(value, Vector) else (value,)
        if not all(isinstance(item, sympy.Basic) for item in items) or len(items) != len(names):
            raise ShapeError(
                f"dt of {len(names)} field{'s' if len(names) > 1 else ''} needs "
                f"{'a vector of ' + str(len(names)) if len(names) > 1 else 'a scalar'}, "
                f"got {describe(value)}",
                decl.rhs.span,
                "",
            )
        unique = tuple(dict.fromkeys(sink))
        return ir.Evolution(tuple(names), tuple(items), unique, decl.span)

    def resolve_structure(self) -> ir.Structure | None:
        decls = self.statements(s.StructureDecl)
        for extra in decls[1:]:
            raise DuplicateNameError("`structure` is given twice", extra.span)
        if not decls:
            return None
        decl = decls[0]
        if decl.kind.id not in STRUCTURE_KINDS:
            raise NameResolutionError(
                f"unknown structure '{decl.kind.id}'",
                decl.kind.span,
                did_you_mean(decl.kind.id, STRUCTURE_KINDS) or "use skew or dissipative",
            )
        return ir.Structure(decl.name.id, decl.kind.id, decl.span)

    def resolve_claims(self) -> list[ir.Claim]:
        claims = []
        for decl in self.statements(s.ClaimDecl):
            name = decl.name.id
            if decl.value is None:
                if name not in self.energies:
                    close = did_you_mean(name, self.energies)
                    quantity = f"give the quantity: {decl.kind} {name} = integral(...)"
                    raise NameResolutionError(
                        f"'{name}' is not an energy",
                        decl.name.span,
                        f"{close} Or {quantity}" if close else quantity,
                    )
                energy = self.energies[name]
                claims.append(
                    ir.Claim(decl.kind, name, energy.density, energy.space, name, decl.span)
                )
                continue
            density, space = self.quantity(decl.value, f"the quantity '{name}'", decl.span)
            claims.append(ir.Claim(decl.kind, name, density, space, None, decl.span))
        return claims

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
        )


# ---- helpers -----------------------------------------------------------------------------------


def _ranges(node):
    if isinstance(node, s.BoxShape):
        return node.ranges
    if isinstance(node, s.RegionOp):
        return (*_ranges(node.left), *_ranges(node.right))
    return ()


def _names_in(node):
    """Every name an expression mentions (called functions included)."""
    if isinstance(node, s.Name):
        yield node
    elif isinstance(node, s.Call):
        yield node.function
        for arg in node.args:
            yield from _names_in(arg)
    elif isinstance(node, s.BinaryOp):
        yield from _names_in(node.left)
        yield from _names_in(node.right)
    elif isinstance(node, s.Negate):
        yield from _names_in(node.operand)
    elif isinstance(node, s.TupleExpr):
        for item in node.items:
            yield from _names_in(item)
    elif isinstance(node, s.MatrixExpr):
        for row in node.rows:
            for item in row:
                yield from _names_in(item)


def _has_disk(node) -> bool:
    if isinstance(node, s.DiskShape):
        return True
    if isinstance(node, s.RegionOp):
        return _has_disk(node.left) or _has_disk(node.right)
    return False


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
    if isinstance(st, s.StructureDecl):
        return [(st.name, "structure")]
    if isinstance(st, s.ClaimDecl) and st.value is not None:
        return [(st.name, "claim")]
    if isinstance(st, s.DataDecl):
        return [(st.name, "data set")]
    return []


def _side_names(shape: ir.Box) -> list[str]:
    names = []
    for axis, rng in enumerate(shape.ranges):
        if rng.periodic:
            continue
        names.extend(_BOX_SIDES.get(axis, ()))
        names.extend([f"{rng.var.name}_min", f"{rng.var.name}_max"])
    return names


def _check_range(lo: sympy.Expr, hi: sympy.Expr, span: Span, error: type[SpecError]) -> None:
    """Reject [lo, hi] with numeric ends that are not finite reals or not increasing."""
    if not (lo.is_number and hi.is_number):
        return
    if lo.is_real is not True or hi.is_real is not True:
        raise error(
            f"a range's ends must be finite real numbers, got [{lo}, {hi}]", span, "write [lo, hi]"
        )
    if (hi - lo).is_positive is False:
        raise error(f"empty range: {lo} is not below {hi}", span, "write [lo, hi] with lo < hi")


def _constant_values(constants: dict[str, ir.Constant]) -> dict[sympy.Symbol, sympy.Expr]:
    values: dict[sympy.Symbol, sympy.Expr] = {}
    for constant in constants.values():
        values[constant.symbol] = constant.value.subs(values)
    return values
