"""``pdec show``: a spec's derived mathematics on one screen, as text or LaTeX."""

from __future__ import annotations

import sympy
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pdec import display
from pdec.errors import SpecError
from pdec.ir import nodes as ir
from pdec.passes.transform_coordinates import coordinate_system, cut_values


def describe_location(spec, location: ir.Location, coords: str | None, fmt=display.text) -> str:
    if isinstance(location, ir.InRegion):
        return f"in {location.region}" if location.region else "in the domain"
    if isinstance(location, ir.OnBoundary):
        boundary = location.boundary
        if boundary.name:
            return f"on {boundary.name}"
        return "on " + " | ".join(f"{p.region}.{p.side}" for p in boundary.pieces)
    if isinstance(location, ir.OnCurve):
        text = f"on {location.curve}"
        if coords:
            system = coordinate_system(spec.ir, coords)
            if system.cut and system.cut.curve == location.curve:
                plus, minus = cut_values(spec.ir, system)
                angle = fmt(system.cut.angle)
                if fmt is display.latex:  # inside \text{}: math goes between $
                    text += f" (${angle} = {fmt(plus)}^+ \\mid {fmt(minus)}^-$)"
                else:
                    text += f" ({angle} = {fmt(plus)}⁺ | {fmt(minus)}⁻)"
        return text
    if isinstance(location, ir.AtPoint):
        return "at (" + ", ".join(fmt(value) for value in location.point) + ")"
    return f"at {fmt(location.var)} = {fmt(location.value)}" + (
        f" in {location.region}" if location.region else ""
    )


def _header(spec) -> list[Text]:
    s = spec.ir
    lines = [Text.assemble((s.name, "bold"), f"  {s.file}  ", (f"sha256 {s.sha256[:12]}", "dim"))]
    facts = []
    if s.space:
        facts.append("space " + ", ".join(display.text(v) for v in s.space))
    if s.time is not None:
        span = (
            f" ∈ [{display.text(s.time.lo)}, {display.text(s.time.hi)}]"
            if s.time.lo is not None
            else ""
        )
        facts.append(f"time {display.text(s.time.symbol)}{span}")
    if s.fields:
        facts.append(
            "fields "
            + ", ".join(f"{f.name}({', '.join(map(display.text, f.args))})" for f in s.fields)
        )
    if s.inputs:
        facts.append("inputs " + ", ".join(f.name for f in s.inputs))
    lines.append(Text("  " + "; ".join(facts), style="dim"))
    definitions = [f"{c.name} = {display.text(c.value)}" for c in s.constants]
    for p in s.parameters:
        head = display.text(p.symbol)
        head = (
            f"{display.text(sympy.Symbol(p.name))}({', '.join(map(display.text, p.args))})"
            if p.args
            else head
        )
        value = (
            "unknown"
            if p.unknown
            else f'table("{p.table}")'
            if p.table is not None
            else display.text(p.value)
        )
        definitions.append(f"{head} = {value}")
    if definitions:
        lines.append(Text("  " + "; ".join(definitions), style="dim"))
    for system in s.coordinates:
        new = ", ".join(map(display.text, system.new))
        maps = ", ".join(
            f"{display.text(o)} = {display.text(f)}" for o, f in zip(system.old, system.forward)
        )
        cut = ""
        if system.cut:
            angle, value = display.text(system.cut.angle), display.text(system.cut.value)
            cut = f"; cut along {system.cut.curve} at {angle} = {value}"
        lines.append(Text(f"  coordinates {system.name}({new}): {maps}{cut}", style="dim"))
    return lines


def render_text(spec, coords: str | None, console: Console) -> None:
    for line in _header(spec):
        console.print(line)
    s = spec.ir
    if s.equations:
        where = f" in {coords} coordinates" if coords else ""
        console.print(Text(f"\nResiduals{where} (each = 0)", style="bold"))
        table = Table(show_header=False, box=None, pad_edge=False, padding=(0, 2, 0, 2))
        for equation in s.equations:
            residual = spec.residual(equation.name, coords=coords)
            table.add_row(
                Text(equation.name, style="bold"),
                Text(equation.kind, style="magenta"),
                describe_location(spec, equation.location, coords),
                display.text(residual),
            )
        console.print(table)
    if s.energies:
        console.print(Text("\nEnergies", style="bold"))
        for energy in s.energies:
            if energy.learned:
                console.print(f"  {energy.name} = learned (a network)")
                continue
            console.print(f"  {energy.name} = {_quantity_text(energy.density, energy.space)}")
            for field in s.fields:
                mark = "δ" if energy.space else "∂"
                derivative = spec.variational_derivative(energy.name, field.name)
                console.print(
                    f"    {mark}{energy.name}/{mark}{field.name} = {display.text(derivative)}"
                )
    _render_lagrangian(spec, console)
    _render_dynamics(spec, console)
    if s.claims:
        console.print(Text("\nClaims", style="bold"))
        for claim in s.claims:
            if claim.energy:
                console.print(f"  {claim.kind} {claim.name}")
            else:
                body = _quantity_text(claim.density, claim.space)
                console.print(f"  {claim.kind} {claim.name} = {body}")
        console.print(Text("  (run `pdec check` to check them)", style="dim"))


def _quantity_text(density, space) -> str:
    """∫ q dx for a functional, q itself for an ODE quantity."""
    if not space:
        return display.text(density)
    return f"∫ {display.text(density)}" + "".join(f" d{display.text(v)}" for v in space)


def _render_lagrangian(spec, console: Console) -> None:
    lagrangian = spec.ir.lagrangian
    if lagrangian is None:
        return
    console.print(Text("\nLagrangian", style="bold"))
    coordinates = ", ".join(lagrangian.coordinates)
    if lagrangian.learned:
        console.print(f"  {lagrangian.name}(q, q̇) = learned (a network), q = ({coordinates})")
        return
    console.print(f"  {lagrangian.name} = {display.text(lagrangian.value)}")
    console.print(Text("  Euler–Lagrange equations, d/dt ∂L/∂q̇ − ∂L/∂q (each = 0)", style="dim"))
    for name, residual in spec.euler_lagrange().items():
        console.print(f"    {name}: {display.text(residual)}")


def _render_dynamics(spec, console: Console) -> None:
    s = spec.ir
    if s.evolution is None and s.structure is None:
        return
    console.print(Text("\nDynamics", style="bold"))
    if s.evolution is not None:
        for name, rhs in zip(s.evolution.fields, s.evolution.rhs):
            console.print(f"  {name}_{display.text(s.time.symbol)} = {display.text(rhs)}")
        try:
            structure = spec.structure
            if structure is not None:
                console.print(
                    Text.assemble(
                        "  G is ", (structure.kind, "bold"), ": ", (structure.reason, "dim")
                    )
                )
        except SpecError as error:
            console.print(Text(f"  G not classified: {error.message}", style="yellow"))
    if s.structure is not None:
        console.print(f"  structure {s.structure.name} = {s.structure.kind} (declared)")


def render_latex(spec, coords: str | None) -> str:
    """An ``align*`` environment per section, ready to paste into a paper."""
    s = spec.ir
    lines = [f"% {s.name} ({s.file}), sha256 {s.sha256[:12]}"]
    if s.equations:
        lines.append("\\begin{align*}")
        rows = []
        for equation in s.equations:
            residual = display.latex(spec.residual(equation.name, coords=coords))
            where = describe_location(spec, equation.location, coords, fmt=display.latex)
            label = _tex_text(f"{equation.name}, {where}")
            rows.append(f"  {residual} &= 0 && \\text{{{label}}}")
        lines.append(" \\\\\n".join(rows))
        lines.append("\\end{align*}")
    derivatives = []
    for energy in s.energies:
        if energy.learned:
            continue
        mark = "\\delta" if energy.space else "\\partial"
        for field in s.fields:
            value = display.latex(spec.variational_derivative(energy.name, field.name))
            derivatives.append(
                f"  \\frac{{{mark} {energy.name}}}{{{mark} {field.name}}} &= {value}"
            )
    if derivatives:
        lines.append("\\begin{align*}\n" + " \\\\\n".join(derivatives) + "\n\\end{align*}")
    return "\n".join(lines)


def _tex_text(text: str) -> str:
    """Escape underscores outside $...$ math."""
    parts = text.split("$")
    return "$".join(p.replace("_", "\\_") if i % 2 == 0 else p for i, p in enumerate(parts))
