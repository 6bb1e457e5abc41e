"""The PINN module's ``samplers``: where each residual's points are drawn (boxes,
slices, sides, polylines; about the pole and on circles with a lift)."""

from __future__ import annotations

from pdec.codegen.literals import dict_literal, float_value
from pdec.codegen.printer import TorchPrinter
from pdec.codegen.source import INDENT
from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.lift_cut_jump import CutLift
from pdec.targets.pinn.emit_maps import bind_constants
from pdec.targets.pinn.inputs import NetworkInputs, box_ranges
from pdec.targets.pinn.terms import CROWD, CROWD_FRACTION, R_MIN, Term


def samplers(s: ir.SpecIR, names: dict, inputs: NetworkInputs, terms: list[Term]) -> list[str]:
    body = INDENT * 2
    printer = TorchPrinter(names, floats=names)
    ranges = box_ranges(s)
    entries = []
    exprs = []
    lift = inputs.lift
    for term in terms:
        if term.circle_means:
            text, used = _circles(lift, inputs, printer)
        else:
            equation = s.lookup("equations", term.name)
            text, used = _sampler(s, equation, printer, ranges)
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


def _sampler(
    s: ir.SpecIR, equation: ir.Equation, printer: TorchPrinter, ranges: dict
) -> tuple[str, list]:
    time = s.time
    uses_time = (
        time is not None and time.lo is not None and any(time.symbol in f.args for f in s.fields)
    )
    used: list = []

    def pair(lo, hi) -> str:
        used.extend([lo, hi])
        return f"({printer.doprint(lo)}, {printer.doprint(hi)})"

    def box(variables, skip=None) -> str:
        items = []
        if uses_time and skip != time.symbol:
            items.append(f'"{time.symbol.name}": {pair(time.lo, time.hi)}')
        items += [f'"{v.name}": {pair(*ranges[v][:2])}' for v in variables if v != skip]
        return "{" + ", ".join(items) + "}"

    time_extra = f'{{"{time.symbol.name}": {pair(time.lo, time.hi)}}}' if uses_time else None
    location = equation.location
    if isinstance(location, ir.InRegion):
        region = s.lookup("regions", location.region) if location.region else s.regions[0]
        return f"Box({box(region.shape.variables)})", used
    if isinstance(location, ir.AtSlice):
        used.append(location.value)
        space = [v for v in s.space]
        return (
            f'Slice("{location.var.name}", {printer.doprint(location.value)}, {box(space, skip=location.var)})',
            used,
        )
    if isinstance(location, ir.OnCurve):
        curve = s.lookup("curves", location.curve)
        points = []
        for x, y in curve.points:
            used.extend([x, y])
            points.append(f"({printer.doprint(x)}, {printer.doprint(y)})")
        extra = f", extra={time_extra}" if time_extra else ""
        return f"Polyline([{', '.join(points)}]{extra})", used
    sides = []
    for piece in location.boundary.pieces:
        if piece.var is None:
            raise UnsupportedError("the PINN target samples sides of boxes only so far")
        used.append(piece.value)
        region = s.lookup("regions", piece.region)
        others = {v.name: pair(*ranges[v][:2]) for v in region.shape.variables if v != piece.var}
        normal = {v.name: float_value(n) for v, n in zip(region.shape.variables, piece.normal)}
        sides.append(
            f'Side("{piece.var.name}", {printer.doprint(piece.value)}, '
            f"{{{', '.join(f'{k!r}: {v}' for k, v in others.items())}}}, {dict_literal(normal)})".replace(
                "'", '"'
            )
        )
    extra = f", extra={time_extra}" if time_extra else ""
    return f"Sides([{', '.join(sides)}]{extra})", used
