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
        if isinstance(node, s.PolygonShape):
            return self.polygon(node, evaluator)
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

    def disk(self, node: s.DiskShape, evaluator: Evaluator) -> ir.Disk | ir.Ellipse:
        """``disk(center, radius)``, ``ball(center, radius)``, ``ellipse(center, axes)``."""
        size = "axes" if node.kind == "ellipse" else "radius"
        example = {
            "disk": "disk((0, 0), 1)",
            "ball": "ball((0, 0, 0), 1)",
            "ellipse": "ellipse((0, 0), (2, 1))",
        }[node.kind]
        args = list(node.args)
        keywords = {k.id: v for k, v in node.keywords}
        center = keywords.pop("center", args.pop(0) if args else None)
        extent = keywords.pop(size, args.pop(0) if args else None)
        if keywords or args or center is None or extent is None:
            raise ArgumentError(
                f"{node.kind} takes a center and {'semi-axes' if size == 'axes' else 'a radius'}",
                node.span,
                f"write {example}",
            )
        center_value = evaluator.value(center)
        dimensions = (2,) if node.kind == "disk" else (2, len(self.space))
        if not isinstance(center_value, Vector) or len(center_value.items) not in dimensions:
            wanted = " or ".join(str(d) for d in sorted(set(dimensions)))
            raise ShapeError(
                f"a {node.kind}'s center is a point with {wanted} coordinates "
                f"({', '.join(v.name for v in self.space)})",
                center.span,
                f"write {example}",
            )
        variables = tuple(self.space[: len(center_value.items)])
        if node.kind == "ellipse":
            axes = evaluator.value(extent)
            if not isinstance(axes, Vector) or len(axes.items) != len(variables):
                raise ShapeError(
                    f"an ellipse takes one semi-axis per center coordinate ({len(variables)})",
                    extent.span,
                    f"write {example}",
                )
            for axis in axes.items:
                _check_positive(axis, "an ellipse's semi-axes", extent.span)
            return ir.Ellipse(center_value.items, axes.items, variables)
        radius_value = evaluator.scalar(extent)
        _check_positive(radius_value, f"a {node.kind}'s radius", extent.span)
        return ir.Disk(center_value.items, radius_value, variables)

    def polygon(self, node: s.PolygonShape, evaluator: Evaluator) -> ir.Polygon:
        if len(self.space) < 2:
            raise ShapeError("a polygon lives in the plane: the spec needs x and y", node.span)
        points = []
        for arg in node.points:
            value = evaluator.value(arg)
            if not isinstance(value, Vector) or len(value.items) != 2:
                raise ShapeError(
                    f"a polygon's vertices are (x, y) pairs, got {describe(value)}", arg.span, ""
                )
            points.append(value.items)
        if len(points) < 3:
            raise ArgumentError(
                "a polygon needs at least three vertices",
                node.span,
                "write polygon((0, 0), (1, 0), (0, 1))",
            )
        values = _constant_values(self.constants)
        numeric = [tuple(sympy.N(c.subs(values)) for c in point) for point in points]
        area = sum(
            x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(numeric, numeric[1:] + numeric[:1])
        )
        if area.is_number and area == 0:
            raise ShapeError("the polygon has zero area", node.span, "check its vertices")
        if area.is_number and area < 0:  # store counterclockwise: outward = tangent turned cw
            points.reverse()
        return ir.Polygon(tuple(points), tuple(self.space[:2]))

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
            if isinstance(place, ir.Curve):  # its segments join as pieces
                pieces.extend(
                    ir.BoundaryPiece(place.name, f"segment {k}", normal, shape=place, edge=k)
                    for k, normal in enumerate(place.normals)
                )
                continue
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
        if isinstance(shape, ir.SetOp):
            return self.composite_sides(region_name, shape, node)
        pieces = tuple(
            piece
            for piece in _faces(region_name, shape)
            if side in ("boundary", piece.side, _generic(piece))
        )
        if pieces:
            return pieces
        if side == "boundary":
            raise LocationError(
                f"'{region_name}' is periodic in every direction: it has no boundary",
                node.span,
                "drop the condition; periodicity is built into the domain",
            )
        valid = ["boundary"] + (_side_names(shape) if isinstance(shape, ir.Box) else [])
        raise LocationError(
            f"'{region_name}' has no side '{side}'",
            node.side.span,
            did_you_mean(side, valid) or "its sides are: " + ", ".join(valid),
        )

    def composite_sides(self, name: str, shape: ir.SetOp, node: s.Side):
        """``plate.boundary`` (all of it), ``plate.hole1`` (the part on the constituent
        region hole1) or ``L.right`` (the box faces whose outward normal is +x), each
        piece restricted to the composite, with the composite's outward normal."""
        side = node.side.id
        named = {
            other: region.shape
            for other, region in self.regions.items()
            if other != name and _contains_shape(shape, region.shape)
        }
        if side in named:
            parts = _primitives(shape, within=named[side])
        else:
            parts = _primitives(shape)
        pieces = []
        for primitive, sign in parts:
            label = next((other for other, s in named.items() if s == primitive), "")
            for face in _faces(label or name, primitive):
                normal = tuple(sign * n for n in face.normal)
                direction = _direction_name(normal, shape)
                if side not in ("boundary", *named) and side not in direction:
                    continue
                piece_side = (
                    f"{label}.{face.side}"
                    if label and face.var is not None
                    else (label or face.side)
                )
                pieces.append(
                    replace(
                        face,
                        region=name,
                        side=piece_side,
                        normal=normal,
                        within=shape,
                        sign=sign,
                    )
                )
        if not pieces:
            valid = ["boundary", *named, *_DIRECTIONS]
            raise LocationError(
                f"the composite region '{name}' has no side '{side}'",
                node.side.span,
                did_you_mean(side, valid)
                or "its boundary is `boundary`, the part on a region it is made of "
                f"({', '.join(named) or 'name its parts with `region` to use them'}), "
                "or the faces facing a direction (left, right, bottom, top, back, front)",
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


_DIRECTIONS = ("left", "right", "bottom", "top", "back", "front")


def _generic(piece: ir.BoundaryPiece) -> str:
    """A box side's generic name, ``x_min`` / ``x_max``."""
    if piece.var is None:
        return piece.side
    return f"{piece.var.name}_{'min' if piece.normal[_axis(piece)] < 0 else 'max'}"


def _axis(piece: ir.BoundaryPiece) -> int:
    return next(k for k, n in enumerate(piece.normal) if n != 0)


def _faces(region: str, shape) -> list[ir.BoundaryPiece]:
    """The smooth pieces of a primitive's boundary, outward normals (unrestricted)."""
    if isinstance(shape, ir.Box):
        pieces = []
        for axis, rng in enumerate(shape.ranges):
            if rng.periodic:
                continue
            names = _BOX_SIDES.get(axis, ())
            for sign, bound, label in ((-1, rng.lo, "min"), (1, rng.hi, "max")):
                normal = tuple(
                    sympy.Integer(sign if i == axis else 0) for i in range(len(shape.ranges))
                )
                friendly = (
                    (names[0] if sign < 0 else names[1]) if names else f"{rng.var.name}_{label}"
                )
                pieces.append(
                    ir.BoundaryPiece(region, friendly, normal, rng.var, bound, shape=shape)
                )
        return pieces
    if isinstance(shape, ir.Disk):
        normal = tuple((v - c) / shape.radius for v, c in zip(shape.variables, shape.center))
        return [ir.BoundaryPiece(region, "boundary", normal, shape=shape)]
    if isinstance(shape, ir.Ellipse):
        gradient = [(v - c) / a**2 for v, c, a in zip(shape.variables, shape.center, shape.axes)]
        length = sympy.sqrt(sum(g**2 for g in gradient))
        normal = tuple(g / length for g in gradient)
        return [ir.BoundaryPiece(region, "boundary", normal, shape=shape)]
    if isinstance(shape, ir.Polygon):
        pieces = []
        points = shape.points
        for k, ((x0, y0), (x1, y1)) in enumerate(zip(points, points[1:] + points[:1])):
            length = sympy.sqrt((x1 - x0) ** 2 + (y1 - y0) ** 2)
            normal = (sympy.simplify((y1 - y0) / length), sympy.simplify(-(x1 - x0) / length))
            pieces.append(ir.BoundaryPiece(region, "boundary", normal, shape=shape, edge=k))
        return pieces
    raise TypeError(f"not a primitive shape: {shape!r}")


def _primitives(shape, sign: int = 1, within=None) -> list[tuple[object, int]]:
    """The primitive shapes of a set expression, each with the sign its outward normal
    takes on the composite's boundary (−1 an odd number of times subtracted). With
    ``within``, only those of the subexpression equal to ``within``."""
    if within is not None and shape == within:
        within = None
    if isinstance(shape, ir.SetOp):
        right = -sign if shape.op == "difference" else sign
        return _primitives(shape.left, sign, within) + _primitives(shape.right, right, within)
    return [] if within is not None else [(shape, sign)]


def _contains_shape(shape, part) -> bool:
    if shape == part:
        return True
    if isinstance(shape, ir.SetOp):
        return _contains_shape(shape.left, part) or _contains_shape(shape.right, part)
    return False


def _direction_name(normal: tuple, shape) -> tuple[str, ...]:
    """The names of the direction a constant axis-aligned normal faces (``left`` and
    ``x_min`` for −x), or () for any other normal."""
    if not all(n.is_number for n in normal) or sum(1 for n in normal if n != 0) != 1:
        return ()
    axis = next(k for k, n in enumerate(normal) if n != 0)
    variables = shape.variables
    negative = normal[axis] < 0
    names = _BOX_SIDES.get(axis, ())
    found = (f"{variables[axis].name}_{'min' if negative else 'max'}",)
    return found + ((names[0] if negative else names[1],) if names else ())


def _check_positive(value: sympy.Expr, what: str, span: Span) -> None:
    if value.is_number and value.is_positive is not True:
        raise ShapeError(f"{what} must be positive, got {value}", span, "")


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
