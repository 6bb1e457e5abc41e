"""The PINN module's coordinate maps: ``to_network`` (the spec's coordinates → the
network's), ``from_network`` (back, differentiably) and ``lift`` (the known part of a
lifted field)."""

from __future__ import annotations

import textwrap

import sympy

from pdec.codegen.literals import source_text, spec_file
from pdec.codegen.printer import TorchPrinter
from pdec.codegen.source import INDENT
from pdec.ir import nodes as ir
from pdec.targets.pinn.functions import own_argument_functions, partial_fields, table_parameters
from pdec.targets.pinn.inputs import NetworkInputs, unknown_fields


def bind_constants(expressions, names: dict, indent: str) -> list[str]:
    """``D = self.constants["D"]`` for each constant the expressions use, in spec order."""
    used = (
        set().union(*(sympy.sympify(e, strict=True).free_symbols for e in expressions))
        if expressions
        else set()
    )
    return [
        f'{indent}{name} = self.constants["{name}"]'
        for symbol, name in names.items()
        if symbol in used
    ]


def to_network(s: ir.SpecIR, inputs: NetworkInputs, names: dict) -> list[str]:
    lines = [
        f"{INDENT}def to_network(self, coords: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:"
    ]
    body = INDENT * 2
    if inputs.system is None:
        lines.append(f'{body}"""The network sees the spec\'s own coordinates."""')
        lines.append(f"{body}return {{name: coords[name] for name in self.network_inputs}}")
        return lines + [""]
    system, inverse = inputs.system, inputs.inverse
    lo = system.cut.value if system.cut else sympy.Integer(0)
    lines.append(
        f'{body}"""(x, y) → ({", ".join(v.name for v in system.new)}) of `{system.name}`; the angle lies in [{lo}, {lo} + 2π)."""'
    )
    locals_ = {v: v.name for v in (*s.space, *([s.time.symbol] if s.time else []))} | names
    printer = TorchPrinter(locals_, floats=names)
    lines += bind_constants([inverse.radius, inverse.angle_unwrapped], names, body)
    for v in (*([s.time.symbol] if s.time else []), *s.space):
        lines.append(f'{body}{v.name} = coords["{v.name}"]')
    radius = printer.doprint(inverse.radius)
    angle = printer.doprint(inverse.angle_unwrapped - lo)
    shift = "" if lo == 0 else f" + {printer.doprint(lo)}"
    lines.append(f"{body}{inverse.radial.name} = {radius}")
    lines.append(f"{body}{inverse.angular.name} = torch.remainder({angle}, 2*math.pi){shift}")
    entries = ", ".join(f'"{v.name}": {v.name}' for v in inputs.symbols)
    lines.append(f"{body}return {{{entries}}}")
    return lines + [""]


def from_network(s: ir.SpecIR, inputs: NetworkInputs, names: dict) -> list[str]:
    """The user's coordinates from the network's, for the networks that see the user's
    coordinates (a lifted field's, unknown fields', fields of fewer arguments, tables);
    needed only with a coordinate system."""
    if inputs.system is None or not (own_argument_functions(s) or inputs.lift):
        return []
    system = inputs.system
    body = INDENT * 2
    users = " and ".join(
        (["the network"] if inputs.lift else [])
        + (["the unknown fields"] if unknown_fields(s) else [])
        + (["the fields of fewer arguments"] if partial_fields(s) else [])
        + (["the tables"] if table_parameters(s) else [])
    )
    lines = [
        f"{INDENT}def from_network(self, inputs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:",
        f'{body}"""({", ".join(v.name for v in system.new)}) → ({", ".join(v.name for v in system.old)}), differentiable, for {users}."""',
    ]
    lines += bind_constants(list(system.forward), names, body)
    for v in inputs.symbols:
        lines.append(f'{body}{v.name} = inputs["{v.name}"]')
    printer = TorchPrinter({v: v.name for v in inputs.symbols} | names, floats=names)
    kept = [v for v in inputs.symbols if v not in system.new]
    entries = [f'"{v.name}": {v.name}' for v in kept]
    entries += [
        f'"{old.name}": {printer.doprint(value)}' for old, value in zip(system.old, system.forward)
    ]
    lines.append(f"{body}return {{{', '.join(entries)}}}")
    return lines + [""]


def lift_method(s: ir.SpecIR, inputs: NetworkInputs, names: dict) -> list[str]:
    """``lift``: the known part of the lifted field, g(1/2 − (θ − θ₀)/2π), and the
    r log r term that cancels the lift's own source at the pole where there is one."""
    lift = inputs.lift
    if lift is None:
        return []
    body = INDENT * 2
    r = inputs.inverse.radial
    slip = s.lookup("equations", lift.slip)
    doc = (
        f"{lift.field} = lift + network: the jump `{source_text(slip.span)}` "
        f"({spec_file(s)}:{slip.span.line}) exactly."
    )
    if lift.enrichment != 0:
        doc += (
            f" The {r.name} log {r.name} term cancels the lift's own source at the pole "
            f"(a 1/{r.name} term where the coefficients vary), so the network's part is smooth."
        )
    lines = [
        f"{INDENT}def lift(self, inputs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:",
    ]
    lines += [f"{body}{line}" for line in textwrap.wrap(f'"""{doc}"""', width=100 - len(body))]
    exprs = [lift.lift] + ([lift.enrichment, lift.cutoff] if lift.enrichment != 0 else [])
    lines += bind_constants(exprs, names, body)
    printer = TorchPrinter({v: v.name for v in inputs.symbols} | names, floats=names)
    used = set().union(*(sympy.sympify(e).free_symbols for e in exprs))
    for v in inputs.symbols:
        if v in used or (v == r and lift.enrichment != 0):
            lines.append(f'{body}{v.name} = inputs["{v.name}"]')
    value = printer.doprint(lift.lift)
    if lift.enrichment != 0:
        lines.append(f"{body}jump = {value}")
        lines.append(
            f"{body}# r log r (c₁ cos θ + c₂ sin θ), cut off smoothly beyond {printer.doprint(lift.cutoff)}"
        )
        lines.append(f"{body}coefficient = {printer.doprint(lift.enrichment)}")
        cutoff = printer.doprint(lift.cutoff)
        lines.append(
            f"{body}pole = coefficient * torch.xlogy({r.name}, {r.name}) "
            f"* torch.exp(-(({r.name} / ({cutoff})) ** 2))"
        )
        value = "jump + pole"
    lines.append(f'{body}return {{"{lift.field}": {value}}}')
    return lines + [""]
