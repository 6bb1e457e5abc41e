"""resolve, part 3: geometry — regions, boundaries, curves, coordinate systems and cuts."""

from __future__ import annotations

from dataclasses import replace

import sympy

from pdec.errors import (
    ArgumentError,
    CoordinateError,
    DuplicateNameError,
    LocationError,
    NameResolutionError,
    ReservedNameError,
    ShapeError,
    Span,
    SpecError,
    UnsupportedError,
)
from pdec.frontend import syntax as s
from pdec.ir import nodes as ir
from pdec.passes.vocabulary import Evaluator, Vector, describe, did_you_mean, reserved_reason

_BOX_SIDES = {0: ("left", "right"), 1: ("bottom", "top"), 2: ("back", "front")}


class Geometry:
    """A part of :class:`pdec.passes.resolve._Resolver`: its methods use the resolver's
    tables (``self.constants``, ``self.space``, ...) and scopes (``self.scope``)."""

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
            check_range(lo, hi, var_range.span, ShapeError)
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


# ---- helpers -----------------------------------------------------------------------------------


def _side_names(shape: ir.Box) -> list[str]:
    names = []
    for axis, rng in enumerate(shape.ranges):
        if rng.periodic:
            continue
        names.extend(_BOX_SIDES.get(axis, ()))
        names.extend([f"{rng.var.name}_min", f"{rng.var.name}_max"])
    return names


def check_range(lo: sympy.Expr, hi: sympy.Expr, span: Span, error: type[SpecError]) -> None:
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
