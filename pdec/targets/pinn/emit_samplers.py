"""The PINN module's ``samplers``: where each residual's points are drawn (boxes,
slices, sides, polylines; about the pole and on circles with a lift)."""

from __future__ import annotations

from dataclasses import replace

from pdec.codegen.literals import dict_literal, float_value
from pdec.codegen.printer import TorchPrinter
from pdec.codegen.source import INDENT
from pdec.errors import SpecError, UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.compute_domain import bounding_ranges
from pdec.passes.lift_cut_jump import CutLift
from pdec.targets.pinn.emit_maps import bind_constants
from pdec.targets.pinn.inputs import NetworkInputs
from pdec.targets.pinn.terms import CROWD, CROWD_FRACTION, R_MIN, Term

# the runtime classes a ``samplers`` method may construct
SAMPLER_NAMES = (
    "Ball",
    "Boundary",
    "Box",
    "Difference",
    "Ellipsoid",
    "EllipsoidSurface",
    "Fixed",
    "Inside",
    "Intersection",
    "Point",
    "Polygon",
    "Polyline",
    "Restricted",
    "Side",
    "Sides",
    "Slice",
    "Sphere",
    "Union",
)


def samplers(s: ir.SpecIR, names: dict, inputs: NetworkInputs, terms: list[Term]) -> list[str]:
    body = INDENT * 2
    printer = TorchPrinter(names, floats=names)
    code = ShapeCode(printer, s, taken=set(map(str, names.values())))
    entries = []
    exprs = []
    lift = inputs.lift
    for term in terms:
        if term.circle_means:
            text, used = _circles(lift, inputs, printer)
        else:
            equation = s.lookup("equations", term.name)
            try:
                text, used = _sampler(s, equation, code)
            except SpecError as error:
                raise error.with_span(equation.span) from None
            if lift is not None and lift.pole_inside and term.clamp is not None:
                text, more = _about_pole(text, lift, inputs, printer)
                used += more
        entries.append(f'{INDENT * 3}"{term.name}": {text},')
        exprs += used
    for data in s.data:
        entries.append(f'{INDENT * 3}"{data.name}": self.observation_table("{data.name}"),')
    lines = [
        f"{INDENT}def samplers(self) -> dict:",
        f'{body}"""Where each residual\'s points are drawn (in the spec\'s coordinates)."""',
    ]
    lines += bind_constants(exprs, names, body)
    lines += [f"{body}{name} = {text}" for name, text in code.bindings.items()]
    lines.append(f"{body}return {{")
    lines += entries
    lines.append(f"{body}}}")
    return lines + [""]


def _pole(lift: CutLift, inputs: NetworkInputs, printer: TorchPrinter) -> str:
    """The pole as {"x": ..., "y": ...} in the user's coordinates."""
    pairs = zip(inputs.system.old, lift.pole)
    return "{" + ", ".join(f'"{v.name}": {printer.doprint(value)}' for v, value in pairs) + "}"


def _about_pole(box: str, lift: CutLift, inputs: NetworkInputs, printer: TorchPrinter):
    """``box`` with a fifth of its points crowded about the pole (log-uniform in r)."""
    radius, r_min = CROWD * lift.length, R_MIN * lift.length
    text = (
        f"AboutPoint({box}, {_pole(lift, inputs, printer)}, radius={printer.doprint(radius)}, "
        f"fraction={CROWD_FRACTION}, r_min={printer.doprint(r_min)})"
    )
    return text, [radius, r_min, *lift.pole]


def _circles(lift: CutLift, inputs: NetworkInputs, printer: TorchPrinter):
    """Circles about the pole for the pole flux, r ∈ [R_MIN, 1] cut lengths."""
    r_min, r_max = R_MIN * lift.length, lift.length
    text = (
        f"Circles({_pole(lift, inputs, printer)}, r_min={printer.doprint(r_min)}, "
        f"r_max={printer.doprint(r_max)})"
    )
    return text, [r_min, r_max, *lift.pole]


def _sampler(s: ir.SpecIR, equation: ir.Equation, code: ShapeCode) -> tuple[str, list]:
    """The sampler of one equation's points, as code, and the constants it uses."""
    code.used = []
    time = s.time
    uses_time = (
        time is not None and time.lo is not None and any(time.symbol in f.args for f in s.fields)
    )
    time_range = {time.symbol.name: (time.lo, time.hi)} if uses_time else {}
    location = equation.location
    extra = f", extra={code.bounds(time_range)}" if uses_time else ""
    if isinstance(location, ir.InRegion):
        shape = _region_shape(s, location)
        if isinstance(shape, ir.Box):
            bounds = {**time_range, **{r.var.name: (r.lo, r.hi) for r in shape.ranges}}
            return f"Box({code.bounds(bounds)})", code.used
        return f"Inside({code.shape(shape)}{extra})", code.used
    if isinstance(location, ir.AtSlice):
        return _slice(s, location, code, time_range), code.used
    if isinstance(location, ir.AtPoint):
        point = {v.name: value for v, value in zip(s.space, location.point)}
        return f"Point({code.point(point)}{extra})", code.used
    if isinstance(location, ir.OnCurve):
        curve = s.lookup("curves", location.curve)
        return f"Polyline({code.points(curve.points)}{extra})", code.used
    pieces = location.boundary.pieces
    if all(isinstance(p.shape, ir.Box) and p.within is None for p in pieces):
        sides = ", ".join(code.side(piece) for piece in pieces)
        return f"Sides([{sides}]{extra})", code.used
    faces = ", ".join(code.face(piece) for piece in pieces)
    return f"Boundary([{faces}]{extra})", code.used


def _region_shape(s: ir.SpecIR, location: ir.InRegion) -> ir.Shape:
    """The shape of ``in R``: a declared region, an inline shape, or the whole domain
    (the union of the regions that are not parts of another region)."""
    if location.region:
        return s.lookup("regions", location.region).shape
    if location.shape is not None:
        return location.shape
    shapes = [region.shape for region in s.regions]
    whole = [
        shape
        for shape in dict.fromkeys(shapes)
        if not any(other != shape and _part_of(shape, other) for other in shapes)
    ]
    if not whole:
        raise UnsupportedError("the PINN target needs a region to sample: declare one")
    domain = whole[0]
    for shape in whole[1:]:
        domain = ir.SetOp("union", domain, shape)
    return domain


def _part_of(part: ir.Shape, whole: ir.Shape) -> bool:
    """``part`` is an operand (at any depth) of the set expression ``whole``."""
    if not isinstance(whole, ir.SetOp):
        return False
    return any(side == part or _part_of(part, side) for side in (whole.left, whole.right))


def _slice(s: ir.SpecIR, location: ir.AtSlice, code: ShapeCode, time_range: dict) -> str:
    """``at t = 0`` (over the region, or the domain), or ``at x = 0`` (over the box
    of the other variables)."""
    var, value = location.var.name, code.number(location.value)
    is_time = s.time is not None and location.var == s.time.symbol
    shape = _region_shape(s, ir.InRegion(location.region))
    if is_time and not isinstance(shape, ir.Box):
        return f'Fixed("{var}", {value}, Inside({code.shape(shape)}))'
    ranges = _box_or_hull(s, shape)
    bounds = {} if is_time else {k: v for k, v in time_range.items()}
    bounds.update({v.name: ranges[v] for v in s.space if v != location.var and v in ranges})
    return f'Slice("{var}", {value}, {code.bounds(bounds)})'


def _box_or_hull(s: ir.SpecIR, shape: ir.Shape) -> dict:
    if isinstance(shape, ir.Box):
        return {r.var: (r.lo, r.hi) for r in shape.ranges}
    return {r.var: (r.lo, r.hi) for r in bounding_ranges(shape)} | {
        r.var: (r.lo, r.hi) for r in s.domain.hull if r.var not in _variables(shape)
    }


def _variables(shape: ir.Shape) -> tuple:
    return shape.variables


class ShapeCode:
    """Prints shapes and boundary pieces as runtime constructors, collecting the
    constants they use (``used``) so that ``samplers`` binds them first. A declared
    region inside a composite is a local named after it (``bindings``: name → code),
    so ``plate = Difference(square, hole1)`` reads as the spec does."""

    def __init__(self, printer: TorchPrinter, s: ir.SpecIR, taken: set[str]):
        self.printer = printer
        self.used: list = []
        self.bindings: dict[str, str] = {}
        self.named: dict = {}
        reserved = taken | {"self", "torch", "math"}
        for region in s.regions:
            local = region.name if region.name not in reserved else f"{region.name}_region"
            self.named.setdefault(region.shape, local)

    def shape(self, shape: ir.Shape, bind: bool = True) -> str:
        """``shape`` as code: the local of a declared region (bound on first use)."""
        local = self.named.get(shape)
        if not bind or local is None:
            return self._shape(shape)
        if local not in self.bindings:
            self.bindings[local] = self._shape(shape)
        return local

    def number(self, value) -> str:
        self.used.append(value)
        return self.printer.doprint(value)

    def bounds(self, bounds: dict) -> str:
        items = (
            f'"{name}": ({self.number(lo)}, {self.number(hi)})' for name, (lo, hi) in bounds.items()
        )
        return "{" + ", ".join(items) + "}"

    def point(self, point: dict) -> str:
        return "{" + ", ".join(f'"{name}": {self.number(v)}' for name, v in point.items()) + "}"

    def points(self, points) -> str:
        pairs = (f"({self.number(a)}, {self.number(b)})" for a, b in points)
        return "[" + ", ".join(pairs) + "]"

    def _shape(self, shape: ir.Shape) -> str:
        if isinstance(shape, ir.Box):
            return f"Box({self.bounds({r.var.name: (r.lo, r.hi) for r in shape.ranges})})"
        if isinstance(shape, ir.Disk):
            center = self.point(_named(shape.variables, shape.center))
            return f"Ball({center}, {self.number(shape.radius)})"
        if isinstance(shape, ir.Ellipse):
            center = self.point(_named(shape.variables, shape.center))
            return f"Ellipsoid({center}, {self.point(_named(shape.variables, shape.axes))})"
        if isinstance(shape, ir.Polygon):
            return f"Polygon({self.points(shape.points)}, names={_names(shape.variables)})"
        kind = {"union": "Union", "difference": "Difference", "intersection": "Intersection"}
        return f"{kind[shape.op]}({self.shape(shape.left)}, {self.shape(shape.right)})"

    def side(self, piece: ir.BoundaryPiece) -> str:
        """A side of a box: the plane var = value, over the box's other ranges."""
        box = piece.shape
        others = {r.var.name: (r.lo, r.hi) for r in box.ranges if r.var != piece.var}
        normal = {v.name: float_value(n) for v, n in zip(box.variables, piece.normal)}
        return (
            f'Side("{piece.var.name}", {self.number(piece.value)}, {self.bounds(others)}, '
            f"{dict_literal(normal)})"
        )

    def face(self, piece: ir.BoundaryPiece) -> str:
        """Any piece: its face, restricted to the composite region it bounds."""
        shape = piece.shape
        if isinstance(shape, ir.Box):
            # the side's own outward normal; Restricted applies the sign
            face = self.side(replace(piece, normal=tuple(piece.sign * n for n in piece.normal)))
        elif isinstance(shape, ir.Disk):
            center = self.point(_named(shape.variables, shape.center))
            face = f"Sphere({center}, {self.number(shape.radius)})"
        elif isinstance(shape, ir.Ellipse):
            center = self.point(_named(shape.variables, shape.center))
            axes = self.point(_named(shape.variables, shape.axes))
            face = f"EllipsoidSurface({center}, {axes})"
        elif isinstance(shape, (ir.Polygon, ir.Curve)):
            points = shape.points
            edge = piece.edge
            ends = (points[edge], points[(edge + 1) % len(points)])
            names = shape.variables if isinstance(shape, ir.Polygon) else None
            suffix = f", names={_names(names)}" if names else ""
            face = f"Polyline({self.points(ends)}{suffix})"
        else:
            raise UnsupportedError(f"the PINN target cannot sample {piece.region}.{piece.side}")
        if piece.within is None:
            return face
        sign = f", sign={piece.sign}" if piece.sign != 1 else ""
        return f"Restricted({face}, within={self.shape(piece.within)}{sign})"


def _named(variables, values) -> dict:
    return {v.name: value for v, value in zip(variables, values)}


def _names(variables) -> str:
    return "(" + ", ".join(f'"{v.name}"' for v in variables) + ")"
