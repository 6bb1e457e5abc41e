"""The operator target: a spec → one readable PyTorch module with ``<Model>Operator``,
a neural operator from the spec's inputs to its fields: an FNO on a grid (PINO with a
physics weight) or, with ``architecture="gno"``, a graph neural operator on point
clouds (the runtime's :class:`~pdec.runtime.operator.OperatorModel` holds both).

Stages (each one call):

1. ``operator_problem``   what maps to what: the spec's ``input`` functions to its fields
                          (steady specs), or the state at the start time to the state at
                          the end (evolution specs on a ring); the grid's box and which
                          axes are periodic;
2. ``built_in_boundary``  Dirichlet conditions u = g on every side of the box, built into
                          the output as u = g + d·N with d = Π 4(x − lo)(hi − x)/L²;
3. ``lower_on_grid``      each pde's residual lhs − rhs, in flux form, as named grid
                          derivatives (:mod:`pdec.targets.operator.lower`);
4. ``emit``               the module text.

Residuals need every derivative on the grid: evolution specs (dt(u) in the residual)
get a data-only FNO for now, without ``residuals``.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import sympy

from pdec.codegen.format import format_source
from pdec.codegen.literals import (
    dict_literal,
    float_literal,
    header_comments,
    literal,
    source_text,
    spec_file,
    tuple_literal,
)
from pdec.codegen.module import GeneratedModule
from pdec.codegen.printer import TorchPrinter
from pdec.codegen.source import INDENT, Source
from pdec.codegen.source import class_name as camel_class_name
from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.symbolic.dirichlet import dirichlet_value
from pdec.targets.operator.lower import GridResidual, lower_on_grid


@dataclass(frozen=True)
class OperatorProblem:
    inputs: tuple[str, ...]
    fields: tuple[str, ...]
    space: tuple[sympy.Symbol, ...]
    domain: tuple[tuple[float, float], ...]
    periodic: tuple[bool, ...]
    evolution: bool


def class_name(model: str) -> str:
    return camel_class_name(model, "Operator")


def generate(spec) -> GeneratedModule:
    """Generate the operator module for ``spec`` (a :class:`pdec.Spec`)."""
    s = spec.ir
    s.fact("definitions_inlined")  # the residuals and conditions below have them in place
    problem = operator_problem(s)
    boundary = built_in_boundary(s, problem)
    residuals = {}
    if not problem.evolution:
        for equation in s.equations:
            if equation.kind == "pde":
                residual = equation.lhs - equation.rhs  # flux form, definitions inlined
                residuals[equation.name] = (equation, lower_on_grid(residual, problem.space))
    source = format_source(emit(s, problem, boundary, residuals))
    return GeneratedModule(source, f"{s.name}_operator", class_name(s.name))


def operator_problem(s: ir.SpecIR) -> OperatorProblem:
    if not s.domain.only_boxes or len(s.domain.boxes) != 1:
        raise UnsupportedError(
            "the operator target works on one box (or interval) grid",
            s.regions[-1].span if s.regions else None,
            "declare one region name = box(x in [..], y in [..]) or interval(...)",
        )
    ranges = {rng.var: rng for rng in s.domain.hull}
    time = s.time.symbol if s.time else None
    space = tuple(v for v in s.space if v in ranges)
    for f in (*s.fields, *s.inputs):
        if tuple(a for a in f.args if a != time) != space:
            raise UnsupportedError(
                f"{f.name} is not a function of ({', '.join(map(str, space))})",
                f.span,
                "the operator target puts every field and input on one grid",
            )
    bounds = s.domain.numeric(s.constant_values)
    domain = tuple(bounds[v] for v in space)
    periodic = tuple(ranges[v].periodic for v in space)
    fields = tuple(f.name for f in s.fields)
    if s.inputs:
        return OperatorProblem(
            tuple(i.name for i in s.inputs), fields, space, domain, periodic, False
        )
    if time is None:
        raise UnsupportedError(
            f"the spec {s.name} has no input and no time: there is no map to learn",
            hint="declare the function that varies per instance: input a(x, y)",
        )
    inputs = tuple(f"{name}0" for name in fields)
    return OperatorProblem(inputs, fields, space, domain, periodic, True)


def built_in_boundary(s: ir.SpecIR, problem: OperatorProblem):
    """(condition, g per field) when u = g holds on every non-periodic side, else None;
    UnsupportedError for boundary conditions it cannot build in (no penalty form yet)."""
    conditions = [e for e in s.equations if isinstance(e.location, ir.OnBoundary)]
    if not conditions:
        return None
    if problem.evolution:
        raise UnsupportedError(
            "boundary conditions of evolution specs are not built into operators yet",
            conditions[0].span,
            "use a periodic interval (see specs/burgers_ring.pde)",
        )
    sides, values = set(), {}
    for condition in conditions:
        residual = (condition.lhs - condition.rhs).doit()
        field = next((f for f in s.fields if residual.has(f.function)), None)
        g = dirichlet_value(residual, field.function) if field else None
        if g is None:
            raise UnsupportedError(
                f"the condition {condition.name} is not of the form u = g",
                condition.span,
                "the operator target builds Dirichlet conditions u = g into the output; "
                "other conditions (as penalties) are not built yet",
            )
        if values.get(field.name, g) != g:
            raise UnsupportedError(
                f"{field.name} has different boundary values on different sides",
                condition.span,
                "one expression g for all sides: u = g on name.boundary",
            )
        values[field.name] = g
        sides |= {(field.name, p.var, p.value) for p in condition.location.boundary.pieces}
    constants = s.constant_values
    for name in values:
        for v, (lo, hi), wraps in zip(problem.space, problem.domain, problem.periodic):
            ends = {
                float(value.subs(constants)) for f, var, value in sides if f == name and var == v
            }
            if not wraps and ends != {lo, hi}:
                raise UnsupportedError(
                    f"{name} has no Dirichlet condition on every side of the box along {v}",
                    conditions[0].span,
                    "put u = g on the region's whole boundary (region.boundary)",
                )
    return conditions, values


# ---- emission -----------------------------------------------------------------------------


def emit(s: ir.SpecIR, problem: OperatorProblem, boundary, residuals) -> str:
    file = spec_file(s)
    arrow = f"{', '.join(problem.inputs)} ↦ {', '.join(problem.fields)}"
    # the GNO's radius graph does not wrap around a ring: grids only there
    kinds = "An FNO on the grid (PINO with physics > 0)." if any(problem.periodic) else (
        "An FNO on grids (PINO with physics > 0), or with architecture=\"gno\" a graph "
        "neural operator at scattered points."
    )  # fmt: skip
    out = [
        *header_comments(s, "operator"),
        f'"""Neural operator for the spec `{s.name}`: {arrow}.',
        "",
        *textwrap.wrap(kinds, width=92),
        "",
    ]
    if residuals:
        out += ["Residuals on the output grid, in flux form (the physics loss):", ""]
        for equation, _ in residuals.values():
            where = f"({file}:{equation.span.line})"
            out += _wrapped(f"- ``{equation.name}`` {where}: {source_text(equation.span)}")
    else:
        out += ["No residual on the grid (the map is from one time to another): data only."]
    if boundary:
        out += ["", "Built into the output as u = g + d·N (d = 0 on the box's sides):", ""]
        for condition in boundary[0]:
            where = f"({file}:{condition.span.line})"
            out += _wrapped(f"- ``{condition.name}`` {where}: {source_text(condition.span)}")
    if problem.evolution:
        lo, hi = (s.time.lo, s.time.hi)
        out += ["", f"Inputs: the state at t = {lo}; outputs: the state at t = {hi}."]
    source = Source([*out, '"""'])
    source.may_import("math")
    source.may_import("torch")
    source.may_import("pdec.runtime.operator", ["OperatorModel", "distance_factor"])
    source.line(f"class {class_name(s.name)}(OperatorModel):")
    with source.indented():
        kind = "FNO" if any(problem.periodic) else "Neural operator"
        source.line(f'"""{kind} {arrow} for `{s.name}`; see the module docstring."""')
        source.line()
        source.lines(_attributes(s, problem, residuals))
    source.line()
    out = []
    if boundary:
        out += _boundary(s, problem, boundary)
    if residuals:
        out += _residuals(s, problem, residuals)
    source.lines(out)
    return source.text()


def _attributes(s: ir.SpecIR, problem: OperatorProblem, residuals) -> list[str]:
    """What the class knows of its spec: names, the grid's box, constants, options."""
    constants = s.constant_values
    attributes = {
        "spec_name": literal(s.name),
        "spec_sha256": literal(s.sha256),
        "input_names": tuple_literal(problem.inputs),
        "field_names": tuple_literal(problem.fields),
        "space": tuple_literal(v.name for v in problem.space),
        "domain": dict_literal({v.name: lohi for v, lohi in zip(problem.space, problem.domain)}),
        "periodic": dict_literal({v.name: p for v, p in zip(problem.space, problem.periodic)}),
        "residual_names": tuple_literal(residuals),
        "constants": dict_literal({c.name: float(constants[c.symbol]) for c in s.constants}),
        "default_options": dict_literal(dict(s.train)),
    }
    return [f"{name} = {value}" for name, value in attributes.items()]


def _boundary(s, problem, boundary) -> list[str]:
    conditions, values = boundary
    body = INDENT * 2
    lines = [
        f"{INDENT}def boundary(self, coords: dict[str, torch.Tensor]):",
        f'{body}"""u = g + d·N: g the boundary values, d = 0 on the Dirichlet sides."""',
    ]
    names = {v: v.name for v in problem.space} | {c.symbol: c.name for c in s.constants}
    used = set().union(*(g.free_symbols for g in values.values()))
    lines += [
        f'{body}{c.name} = self.constants["{c.name}"]' for c in s.constants if c.symbol in used
    ]
    lines += [f'{body}{v.name} = coords["{v.name}"]' for v in problem.space]
    printer = TorchPrinter(names)
    factors = [
        f"distance_factor({v.name}, {float_literal(lo)}, {float_literal(hi)})"
        for v, (lo, hi), wraps in zip(problem.space, problem.domain, problem.periodic)
        if not wraps
    ]
    first = problem.space[0].name

    def lift(value: sympy.Expr) -> str:
        if value.free_symbols & set(problem.space):
            return printer.doprint(value)
        return f"torch.full_like({first}, {printer.doprint(value)})"  # a constant, as a grid

    g = ", ".join(f'"{name}": {lift(value)}' for name, value in values.items())

    d = ", ".join(f'"{name}": {" * ".join(factors)}' for name in values)
    lines.append(f"{body}return {{{g}}}, {{{d}}}")
    return lines + [""]


def _residuals(s, problem, residuals: dict[str, tuple[ir.Equation, GridResidual]]) -> list[str]:
    body = INDENT * 2
    lines = [
        f"{INDENT}def residuals(self, inputs, fields, coords) -> dict[str, torch.Tensor]:",
        f'{body}"""Each pde\'s residual on the grid (spec line in the comment)."""',
    ]
    used = set()
    for _, low in residuals.values():
        used |= low.expr.free_symbols
        for step in low.steps:
            if step.alpha is None:
                used |= step.source.free_symbols
    used_names = {symbol.name for symbol in used}
    lines += [
        f'{body}{c.name} = self.constants["{c.name}"]' for c in s.constants if c.name in used_names
    ]
    lines += [f'{body}{v.name} = coords["{v.name}"]' for v in problem.space if v.name in used_names]
    lines += [f'{body}{name} = inputs["{name}"]' for name in problem.inputs]
    lines += [f'{body}{name} = fields["{name}"]' for name in problem.fields]
    lines.append(f"{body}out = {{}}")
    file = spec_file(s)
    for name, (equation, low) in residuals.items():
        locals_ = {sympy.Symbol(n): n for n in (*problem.inputs, *problem.fields)}
        locals_ |= {v: v.name for v in problem.space} | {c.symbol: c.name for c in s.constants}
        locals_ |= {sympy.Symbol(step.name): step.name for step in low.steps}
        printer = TorchPrinter(locals_)
        lines.append("")
        lines += textwrap.wrap(
            f"{equation.name} ({file}:{equation.span.line}): {source_text(equation.span)}",
            width=96,
            initial_indent=f"{body}# ",
            subsequent_indent=f"{body}#     ",
        )
        for step in low.steps:
            if step.alpha is None:
                lines.append(f"{body}{step.name} = {printer.doprint(step.source)}")
            else:
                lines.append(f"{body}{step.name} = self.derivative({step.source}, {step.alpha})")
        lines.append(f'{body}out["{name}"] = {printer.doprint(low.expr)}')
    lines.append(f"{body}return out")
    return lines + [""]


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, width=92, subsequent_indent="  ")
