"""Stage 5 of the PINN target, ``emit``: the module's text — header and docstring,
imports (only those used), the class attributes and ``__init__``; the methods come
from :mod:`.emit_maps`, :mod:`.emit_samplers` and :mod:`.emit_residuals`."""

from __future__ import annotations

import textwrap

import sympy

from pdec.codegen.literals import (
    dict_literal,
    float_value,
    header_comments,
    literal,
    source_text,
    spec_file,
    tuple_literal,
)
from pdec.codegen.source import INDENT, Source, class_name
from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.runtime.geometry import Circles
from pdec.targets.pinn.emit_hard import boundary_form, hard_conditions
from pdec.targets.pinn.emit_maps import from_network, lift_method, to_network
from pdec.targets.pinn.emit_residuals import references, residuals
from pdec.targets.pinn.emit_samplers import SAMPLER_NAMES, samplers
from pdec.targets.pinn.functions import own_argument_functions, partial_fields, table_parameters
from pdec.targets.pinn.inputs import (
    NetworkInputs,
    ranges_with_time,
    unknown_fields,
    user_coordinates,
)
from pdec.targets.pinn.terms import FLUX_CIRCLES, FLUX_WEIGHT, LIFT_HINTS, Term


def emit(spec, inputs: NetworkInputs, terms: list[Term]) -> str:
    """The module's text (before formatting): docstring, imports, the class."""
    s = spec.ir
    names = {c.symbol: c.name for c in s.constants}
    source = Source(header(spec, inputs, terms))
    source.may_import("math")
    source.may_import("torch")
    source.may_import("pdec.runtime", runtime_names(spec))
    hard = hard_conditions(s, inputs)
    source.line(f"class {class_name(s.name, 'Pinn')}(PinnModel):")
    with source.indented():
        source.line(f'"""Physics-informed network for `{s.name}`; see the module docstring."""')
        source.line()
        source.lines(class_attributes(spec, inputs, terms, hard))
    source.line()
    source.lines(_init(s))
    source.lines(to_network(s, inputs, names))
    source.lines(from_network(s, inputs, names))
    source.lines(lift_method(s, inputs, names))
    source.lines(boundary_form(s, names, hard))
    source.lines(samplers(s, names, inputs, terms))
    source.lines(residuals(spec, inputs, terms, names))
    source.lines(references(s, names))
    return source.text()


def class_attributes(spec, inputs: NetworkInputs, terms: list[Term], hard: list) -> list[str]:
    """What the class knows of its spec: names, sampling bounds, constants, options, the
    conditions it can build in (``hard``: :func:`hard_conditions`)."""
    s = spec.ir
    constants = s.constant_values
    bounds, periodic = _input_bounds(s, inputs, constants)
    values = {c.name: float_value(constants[c.symbol]) for c in s.constants}
    lines = [
        f'spec_name = "{s.name}"',
        f'spec_sha256 = "{s.sha256}"',
        f"coordinates = {tuple_literal(user_coordinates(s))}",
        f"network_inputs = {tuple_literal(v.name for v in inputs.symbols)}",
        f"input_bounds = {dict_literal(bounds)}",
        f"periodic = {dict_literal(periodic)}",
        f"field_names = {tuple_literal(f.name for f in s.fields)}",
        f"residual_names = {tuple_literal(_residual_names(s, terms))}",
        f"constants = {dict_literal(values)}",
    ]
    lines += _unknowns(s, constants, lifted=inputs.lift is not None)
    if hard:
        lines.append(f"hard_conditions = {tuple_literal(e.name for e, *_ in hard)}")
    lines.append(f"default_options = {dict_literal(_default_options(s, terms))}")
    return lines


def _residual_names(s: ir.SpecIR, terms: list[Term]) -> tuple[str, ...]:
    """One residual per term (equation, condition, pole flux), then one per data set."""
    return tuple(term.name for term in terms) + tuple(d.name for d in s.data)


def _default_options(s: ir.SpecIR, terms: list[Term]) -> dict:
    """The spec's ``train:`` hints over the generator's own (with a lift: fresh points
    every 100 steps; the pole flux's circles and weight)."""
    fluxes = [term.name for term in terms if term.circle_means]
    if not fluxes:
        return dict(s.train)
    hints = {
        **LIFT_HINTS,
        "points_per_term": {name: FLUX_CIRCLES * Circles.PER_CIRCLE for name in fluxes},
        "weights": {name: FLUX_WEIGHT for name in fluxes},
    }
    return {**hints, **dict(s.train)}


def _unknowns(s: ir.SpecIR, constants, lifted: bool = False) -> list[str]:
    """Class attributes for inverse problems and functions of their own arguments: the
    unknown parameters, the fields of fewer arguments, the tables, the box their networks
    scale their arguments from (and tables must cover), and the observation files."""
    lines = []
    unknown = [p for p in s.parameters if p.unknown]
    if unknown:
        entries = []
        for param in unknown:
            arguments = [f"args={tuple_literal(v.name for v in param.args)}"] if param.args else []
            arguments += ["positive=True"] if param.positive else []
            if param.guess is not None:
                arguments.append(f"guess={float_value(param.guess)!r}")
            entries.append(f'"{param.name}": Unknown({", ".join(arguments)})')
        lines.append(f"unknowns = {{{', '.join(entries)}}}")
    partial, tables = partial_fields(s), table_parameters(s)
    if partial:
        entries = [f'"{f.name}": {tuple_literal(v.name for v in f.args)}' for f in partial]
        lines.append(f"field_arguments = {{{', '.join(entries)}}}")
    if tables:
        entries = [
            f'"{p.name}": CoefficientTable({literal(p.table)}, '
            f"{tuple_literal(v.name for v in p.args)})"
            for p in tables
        ]
        lines.append(f"coefficient_tables = {{{', '.join(entries)}}}")
    if own_argument_functions(s) or lifted:
        ranges = ranges_with_time(s)
        # a lifted network sees every user coordinate; an unknown field, a field of
        # fewer arguments and a table their own
        functions = [*unknown_fields(s), *partial, *tables]
        seen = set(ranges) if lifted else {a for f in functions for a in f.args}
        bounds = {
            v.name: (
                float_value(ranges[v][0].subs(constants)),
                float_value(ranges[v][1].subs(constants)),
            )
            for v in sorted(seen, key=_user_order(s))
        }
        lines.append(f"coordinate_bounds = {dict_literal(bounds)}")
    if lifted:
        lines.append("lifted = True")
    if s.data:
        entries = [f'"{d.name}": ({literal(d.path)}, {tuple_literal(d.fields)})' for d in s.data]
        lines.append(f"observations = {{{', '.join(entries)}}}")
    return lines


def _user_order(s: ir.SpecIR):
    order = user_coordinates(s)
    return lambda v: order.index(v.name)


def header(spec, inputs: NetworkInputs, terms: list[Term]) -> list[str]:
    s = spec.ir
    lines = [
        *header_comments(s, "pinn"),
        f'"""Physics-informed neural network for the spec `{s.name}`.',
        "",
        "Residuals (each driven to 0 on its own sample points):",
        "",
    ]
    for term in terms:
        text = term.comment.removeprefix(f"{term.name} ")
        lines += textwrap.wrap(f"- ``{term.name}`` {text}", width=92, subsequent_indent="  ")
    for data in s.data:
        text = f"- ``{data.name}`` ({spec_file(s)}:{data.span.line}): {source_text(data.span)}"
        lines += textwrap.wrap(text, width=92, subsequent_indent="  ")
    lift = inputs.lift
    if lift is not None:
        where = f" ({spec_file(s)}:{s.lookup('equations', lift.slip).span.line})"
        exact = " and ".join(f"``{name}``" for name in lift.exact)
        text = (
            f"The jump ``{lift.slip}``{where} is built into ``{lift.field}``: "
            f"{lift.field} = lift({', '.join(v.name for v in inputs.system.new)}) + N("
            f"{', '.join(v.name for v in inputs.system.old)}), N a network continuous across "
            f"the cut, so {exact} hold exactly and are not in the loss "
            "(pdec.passes.lift_cut_jump; compile with --cut residual for the paper's form)."
        )
        lines += [""] + textwrap.wrap(text, width=92)
    return [*lines, '"""']


def runtime_names(spec) -> list[str]:
    """The runtime names the module may use (it imports those its lines use)."""
    kinds = {"AboutPoint", "Circles", "PinnModel", "transfinite_form", *SAMPLER_NAMES}
    if any(p.unknown for p in spec.ir.parameters):
        kinds.add("Unknown")
    if table_parameters(spec.ir):
        kinds.add("CoefficientTable")
    return sorted(kinds)


def _init(s: ir.SpecIR) -> list[str]:
    lines = [
        f"{INDENT}def __init__(self, *, constants: dict[str, float] | None = None, **options):",
        f'{INDENT * 2}"""``constants`` overrides the spec\'s constants; ``options`` as for PinnModel."""',
        f"{INDENT * 2}super().__init__(**options)",
        f"{INDENT * 2}self.constants = {{**type(self).constants, **(constants or {{}})}}",
    ]
    if s.references:
        entries = ", ".join(f'"{r.field}": self.reference_{r.field}' for r in s.references)
        lines.append(f"{INDENT * 2}self.reference = {{{entries}}}")
    return lines + [""]


def _input_bounds(s: ir.SpecIR, inputs: NetworkInputs, constants) -> tuple[dict, dict]:
    ranges = ranges_with_time(s)
    bounds, periodic = {}, {}
    for v in inputs.symbols:
        if v in ranges:
            lo, hi, is_periodic = ranges[v]
            pair = (float_value(lo.subs(constants)), float_value(hi.subs(constants)))
            (periodic if is_periodic else bounds)[v.name] = pair
    if inputs.system is not None:
        system, inverse = inputs.system, inputs.inverse
        x, y = system.old
        corners = (
            [(a, b) for a in ranges[x][:2] for b in ranges[y][:2]]
            if x in ranges and y in ranges
            else []
        )
        if not corners:
            raise UnsupportedError(
                "the PINN target needs a region around the coordinate system",
                system.span,
                "declare a region that holds the coordinate system's points",
            )
        radius = max(
            float_value(inverse.radius.subs({x: a, y: b}).subs(constants)) for a, b in corners
        )
        lo = float_value(system.cut.value.subs(constants)) if system.cut else 0.0
        bounds[inverse.radial.name] = (0.0, radius)
        bounds[inverse.angular.name] = (lo, lo + float_value(2 * sympy.pi))
    return bounds, periodic
