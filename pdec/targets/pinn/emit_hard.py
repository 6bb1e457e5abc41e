"""The PINN module's ``boundary_form``: the spec's Dirichlet conditions built into the
output when the model's ``hard`` option is on (:mod:`pdec.runtime.hard`).

A condition ``bc name: u = g on B`` is built in when its residual is u − g (any nonzero
factor of u; g without u or its derivatives) and every piece of B has a factor φ that
vanishes on it and is positive in the whole domain:

* a side ``var = value`` of a box that lies on the domain's hull (the domain is all on
  one side of its plane): 2 (var − lo)/L or 2 (hi − var)/L, L the hull's length along
  var (1 midway: both sides of an axis give 4 (var − lo)(hi − var)/L², 1 at the centre);
* a circle (sphere) of a disk or ball: (ρ² − r²)/(ρ² + r²) for a hole's rim (outward
  normal into the disk), (r² − ρ²)/(r² + ρ²) for the domain's own rim; ρ the distance
  to the centre.

Each factor is of order one, so that products of them are too. The scale matters:
with unbounded rim factors ρ² − r² (a product of four reached 1e8) the fit diverged,
and with side factors (var − lo)/L (a square's product at most 1/16) the Laplacian's
residual reached 4e8 (both on Poisson2d-C). A condition's φ is the product of its
pieces' factors; the weights of :func:`pdec.runtime.hard.transfinite_form` are built
from units: the sides of one box as one product, each rim on its own. Weights from a
whole condition's product (four rims' factors, each below 1) left g near 0 over most of
the plate and forced it up to 1 in a thin layer at the square: L2RE 0.37 against 0.07
after 400 steps. Other conditions (sides inside the hull, polygons, ellipses, Neumann,
initial conditions) stay loss terms.
"""

from __future__ import annotations

import textwrap

import sympy

from pdec.codegen.literals import source_text, spec_file
from pdec.codegen.printer import TorchPrinter
from pdec.codegen.source import INDENT
from pdec.ir import nodes as ir
from pdec.symbolic.dirichlet import dirichlet_value
from pdec.targets.pinn.emit_maps import bind_constants


def built_in(s: ir.SpecIR) -> list[tuple[ir.Equation, ir.Field, sympy.Expr, tuple]]:
    """(condition, field, g, its factors) for each condition that can be built in, in
    spec order; the factors are units of :func:`_factor`."""
    found = []
    for equation in s.equations:
        if equation.kind != "bc" or not isinstance(equation.location, ir.OnBoundary):
            continue
        dirichlet = _dirichlet(s, equation)
        if dirichlet is None:
            continue
        units = _factor(s, equation.location.boundary.pieces)
        if units is not None:
            found.append((equation, *dirichlet, tuple(units)))
    return found


def _dirichlet(s: ir.SpecIR, equation: ir.Equation):
    """(field, g) when the condition reads c·u = c·g, else None."""
    residual = (equation.lhs - equation.rhs).doit()
    fields = [f for f in s.fields if residual.has(f.function)]
    if len(fields) != 1:
        return None
    constants = [c.symbol for c in s.constants]
    g = dirichlet_value(residual, fields[0].function, constants)
    return None if g is None else (fields[0], g)


def _factor(s: ir.SpecIR, pieces) -> list[sympy.Expr] | None:
    """The pieces' factors grouped into the units the weights are built from: the sides
    of one box as one product (so that a corner, where two sides vanish, is not 0/0),
    each rim on its own; None if a piece has no factor."""
    hull = {r.var: (r.lo, r.hi) for r in s.domain.hull}
    values = s.constant_values
    boxes: dict = {}
    rims = []
    for piece in pieces:
        shape = piece.shape
        if isinstance(shape, ir.Box) and piece.var in hull:
            lo, hi = hull[piece.var]
            k = list(shape.variables).index(piece.var)
            outward = float(sympy.sympify(piece.normal[k]).subs(values))
            value = float(sympy.sympify(piece.value).subs(values))
            end = hi if outward > 0 else lo
            if abs(value - float(sympy.sympify(end).subs(values))) > 1e-12 * (1 + abs(value)):
                return None  # the plane cuts through the domain
            # 2 (var − lo)/L: 1 midway, so the two sides of an axis give
            # 4 (var − lo)(hi − var)/L², 1 at the centre
            side = 2 * (hi - piece.var if outward > 0 else piece.var - lo) / (hi - lo)
            boxes[shape] = boxes.get(shape, sympy.Integer(1)) * side
        elif isinstance(shape, ir.Disk):
            distance = sum((v - c) ** 2 for v, c in zip(shape.variables, shape.center))
            r2 = shape.radius**2
            # a hole's rim: the outward normal points into the disk (sign −1)
            rims.append((distance - r2) / (distance + r2) if piece.sign < 0 else (
                (r2 - distance) / (r2 + distance)))  # fmt: skip
        else:
            return None
    return [*boxes.values(), *rims]


def hard_conditions(s: ir.SpecIR, inputs) -> list:
    """:func:`built_in`, where the network sees the spec's own coordinates (the factors
    are written in them); none with a coordinate map or a cut lift."""
    return built_in(s) if inputs.system is None and inputs.lift is None else []


def boundary_form(s: ir.SpecIR, names: dict, conditions: list) -> list[str]:
    """The ``boundary_form`` method building in ``conditions`` (:func:`hard_conditions`;
    none: no method)."""
    if not conditions:
        return []
    body = INDENT * 2
    locals_ = {**names, **{v: v.name for v in s.space}}
    if s.time is not None:
        locals_[s.time.symbol] = s.time.symbol.name
    printer = TorchPrinter(locals_)
    used = set().union(
        *(g.free_symbols.union(*(u.free_symbols for u in units)) for _, _, g, units in conditions)
    )
    lines = [
        f"{INDENT}def boundary_form(self, inputs: dict[str, torch.Tensor]) -> dict:",
        f'{body}"""The conditions built in with hard=True: a field is g + φ·N, φ = 0 on '
        'their pieces."""',
    ]
    expressions = [g for _, _, g, _ in conditions] + [u for *_, units in conditions for u in units]
    lines += bind_constants(expressions, names, body)
    variables = [v for v in (*((s.time.symbol,) if s.time else ()), *s.space) if v in used]
    first = s.space[0]
    constant_values = [g for _, _, g, _ in conditions if not g.free_symbols & set(variables)]
    if first not in used and constant_values:  # torch.full_like needs a column
        variables.append(first)
    lines += [f'{body}{v.name} = inputs["{v.name}"]' for v in variables]
    file = spec_file(s)
    by_field: dict[str, list[str]] = {}
    for equation, field, g, units in conditions:
        lines += textwrap.wrap(
            f"{equation.name} ({file}:{equation.span.line}): {source_text(equation.span)}",
            width=96,
            initial_indent=f"{body}# ",
            subsequent_indent=f"{body}#     ",
        )
        value = printer.doprint(g)
        if not g.free_symbols & set(variables):
            value = f"torch.full_like({first.name}, {value})"
        for k, unit in enumerate(units):
            local = f"{equation.name}_form" + (f"_{k + 1}" if len(units) > 1 else "")
            lines.append(f"{body}{local} = ({value}, {printer.doprint(unit)})")
            by_field.setdefault(field.name, []).append(local)
    items = ", ".join(
        f'"{field}": transfinite_form([{", ".join(parts)}])' for field, parts in by_field.items()
    )
    lines.append(f"{body}return {{{items}}}")
    return lines + [""]
