"""The PINN module's ``residuals`` (each term's network evaluations, its jets as
locals, the lowered expression) and ``reference_<field>`` methods."""

from __future__ import annotations

import textwrap

import sympy

from pdec.codegen.literals import source_text, spec_file
from pdec.codegen.printer import TorchPrinter
from pdec.codegen.source import INDENT
from pdec.ir import nodes as ir
from pdec.targets.pinn.emit_maps import bind_constants
from pdec.targets.pinn.functions import table_parameters
from pdec.targets.pinn.inputs import NetworkInputs, unknown_scalars
from pdec.targets.pinn.lower import LoweredResidual
from pdec.targets.pinn.terms import Term


def residuals(spec, inputs: NetworkInputs, terms: list[Term], names: dict) -> list[str]:
    s = spec.ir
    body = INDENT * 2
    lines = [
        f"{INDENT}def residuals(self, batch: dict[str, dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:",
        f'{body}"""Each equation\'s residual at its sampled points (spec line in the comment)."""',
    ]
    all_exprs = [term.lowered.expr for term in terms]
    all_exprs += [term.clamp[1] for term in terms if term.clamp]
    lines += bind_constants(all_exprs, names, body)
    used = set().union(*(e.free_symbols for e in all_exprs)) if all_exprs else set()
    unknown_names = {p.symbol: p.name for p in unknown_scalars(s)}
    tables = {p.name for p in table_parameters(s)}
    for param in unknown_scalars(s):
        if param.symbol in used:
            lines.append(f'{body}{param.name} = self.unknown("{param.name}")')
    lines.append(f"{body}out = {{}}")
    for term in terms:
        low = term.lowered
        lines.append("")
        lines += textwrap.wrap(
            term.comment, width=100, initial_indent=f"{body}# ", subsequent_indent=f"{body}#     "
        )
        lines.append(f'{body}points = self.to_network(batch["{term.name}"])')
        for v in inputs.symbols:
            lines.append(f'{body}{v.name} = points["{v.name}"].detach()')
        local_names = {v: v.name for v in inputs.symbols} | dict(names) | unknown_names
        printer = TorchPrinter(local_names, floats=names)
        for site in low.sites:
            lines += _site_lines(site, low, inputs, printer, body, tables)
        jet_names = {sympy.Symbol(j.local): j.local for j in low.jets}
        # normals are in the user's coordinates: read them from the batch, not the inputs
        normal_names = {
            sympy.Symbol(f"n_{v.name}"): f'batch["{term.name}"]["n_{v.name}"]' for v in s.space
        }
        printer = TorchPrinter(local_names | jet_names | normal_names, floats=names)
        value = printer.doprint(low.expr)
        if term.clamp is not None:
            radial, clamp, power = term.clamp
            exponent = "" if power == 1 else f"**{power}"
            lines.append(
                f"{body}# one factor {radial.name} kept, clamped at {printer.doprint(clamp)}: "
                "the pole neither weighted away nor singular"
            )
            value = f"({value}) / {radial.name}.clamp_min({printer.doprint(clamp)}){exponent}"
        if term.circle_means:
            value = f"Circles.means({value})"
        lines.append(f'{body}out["{term.name}"] = {value}')
    for data in s.data:
        lines += _data_residual(s, data, inputs, body)
    lines.append(f"{body}return out")
    return lines + [""]


def _site_lines(
    site, low: LoweredResidual, inputs: NetworkInputs, printer, body: str, tables=frozenset()
) -> list[str]:
    """One network evaluation at ``site``, then its jets as locals. With derivatives,
    ``network_jets`` gives them all from one call (pushed forward with the values, or
    by nested autograd where the network does not allow that). Parameters read from
    ``tables`` come from ``coefficient_jets`` (interpolated, with their derivatives)."""
    lines, site_inputs = [], []
    for v, value in zip(inputs.symbols, site.values):
        if value == v:
            site_inputs.append(f'"{v.name}": {v.name}')
            continue
        local = f"{v.name}_{site.name}"
        lines.append(
            f"{body}{local} = torch.full_like({inputs.symbols[0].name}, {printer.doprint(value)})"
        )
        site_inputs.append(f'"{v.name}": {local}')
    suffix = f"_{site.name}" if site.name else ""
    at = f"{{{', '.join(site_inputs)}}}"
    here = [j for j in low.jets if j.site is site and j.field not in tables]
    tabulated = [j for j in low.jets if j.site is site and j.field in tables]
    derived = [j for j in here if any(j.orders)]
    if derived:
        wanted = ", ".join(f'"{j.local}": {_along(j, inputs)}' for j in derived)
        lines.append(f"{body}fields{suffix} = self.network_jets({at}, {{{wanted}}})")
    elif here:
        lines.append(f"{body}fields{suffix} = self.network_fields({at})")
    for j in here:
        key = j.local if any(j.orders) else j.field
        lines.append(f'{body}{j.local} = fields{suffix}["{key}"]')
    if tabulated:
        wanted = ", ".join(f'"{j.local}": {_along(j, inputs)}' for j in tabulated if any(j.orders))
        lines.append(f"{body}coefficients{suffix} = self.coefficient_jets({at}, {{{wanted}}})")
    for j in tabulated:
        key = j.local if any(j.orders) else j.field
        lines.append(f'{body}{j.local} = coefficients{suffix}["{key}"]')
    return lines


def _along(jet, inputs: NetworkInputs) -> str:
    """("u", "x", "x") for u_xx: the field, then the inputs differentiated along."""
    names = [v.name for v, k in zip(inputs.symbols, jet.orders) for _ in range(k)]
    return "(" + ", ".join(f'"{n}"' for n in [jet.field, *names]) + ")"


def _data_residual(s: ir.SpecIR, data: ir.Data, inputs: NetworkInputs, body: str) -> list[str]:
    """Model minus observation at the observed points (several fields: one column each)."""
    lines = [""]
    comment = f"{data.name} ({spec_file(s)}:{data.span.line}): {source_text(data.span)}"
    lines += textwrap.wrap(
        comment, width=100, initial_indent=f"{body}# ", subsequent_indent=f"{body}#     "
    )
    lines.append(f'{body}observed = batch["{data.name}"]')
    lines.append(f"{body}fields = self(observed)")
    differences = [f'fields["{name}"] - observed["{name}"]' for name in data.fields]
    value = (
        differences[0]
        if len(differences) == 1
        else f"torch.stack([{', '.join(differences)}], dim=1)"
    )
    lines.append(f'{body}out["{data.name}"] = {value}')
    return lines


def references(s: ir.SpecIR, names: dict) -> list[str]:
    lines = []
    for reference in s.references:
        field = s.lookup("fields", reference.field)
        body = INDENT * 2
        lines.append(
            f"{INDENT}def reference_{field.name}(self, coords: dict[str, torch.Tensor]) -> torch.Tensor:"
        )
        lines.append(f'{body}"""The known solution ({spec_file(s)}:{reference.span.line})."""')
        lines += bind_constants([reference.value], names, body)
        for v in field.args:
            lines.append(f'{body}{v.name} = coords["{v.name}"]')
        printer = TorchPrinter({v: v.name for v in field.args} | names, floats=names)
        value = printer.doprint(reference.value)
        if not reference.value.free_symbols & set(field.args):  # a constant: give it a shape
            value += f" + 0*{field.args[0].name}"
        lines.append(f"{body}return {value}")
        lines.append("")
    return lines
