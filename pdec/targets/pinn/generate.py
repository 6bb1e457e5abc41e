"""The PINN target: a spec → one readable, self-contained PyTorch module.

Stages (each one call):

1. ``choose_inputs``      what the network sees: a declared coordinate system with a
                          cut (the fault's (r, θ)), else the Cartesian coordinates;
2. ``lift_cut_jump``      with a cut carrying ``jump(u) = g``: u = g(1/2 − θ/2π) [+ an
                          r log r term] + N(x, y), the jump exact (``--cut lift``, the
                          default where it applies; ``--cut residual`` keeps the
                          paper's penalised jump and an (r, θ) network);
3. ``derive``             each equation's residual, known parameters inserted, in those
                          inputs; pde and cut residuals cleared of 1/r factors (as
                          Okazaki et al. multiply the equilibrium by r²; with the lift,
                          the pde keeps one factor r: r·div(μ∇u));
4. ``lower_residual``     field values and derivatives → named locals, computed once;
5. ``emit``               the module text: header, class attributes, ``to_network``,
                          ``samplers``, ``residuals``, references.

The module imports only torch, math and :mod:`pdec.runtime`; the same spec and
options give the same bytes.
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import sympy

from pdec import __version__
from pdec.codegen.module import GeneratedModule
from pdec.codegen.printer import TorchPrinter
from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.derive_residuals import derive_residual, substitute_definitions
from pdec.passes.lift_cut_jump import CutLift, lift_cut_jump, pole_flux
from pdec.passes.transform_coordinates import (
    coordinate_system,
    cut_values,
    transform_coordinates,
)
from pdec.runtime.geometry import Circles
from pdec.symbolic.inverse_map import PolarInverse, polar_inverse
from pdec.targets.pinn.lower import LoweredResidual, lower_residual

INDENT = "    "
CUT_FORMS = ("auto", "lift", "residual")
# With the lift, in lengths of the cut curve: the pde residual r·div(μ∇u) is divided by
# max(r, CLAMP) instead of r (bounded weights at the pole); a fifth of the interior
# points crowd log-uniformly in r ∈ [R_MIN, CROWD] about the pole; the pole flux is
# taken on circles r ∈ [R_MIN, 1].
CLAMP, R_MIN, CROWD, CROWD_FRACTION = 0.05, 1e-3, 3, 0.2
# Training hints a lifted model adds under the spec's own `train:` line (measured in
# benchmarks/fault_accuracy.py: fresh points every 100 steps; 16 circles, weight 10)
LIFT_HINTS = {"resample_every": 100}
FLUX_CIRCLES, FLUX_WEIGHT = 16, 10.0


@dataclass(frozen=True)
class NetworkInputs:
    """The network's inputs: time (if any) then space or the new coordinates, with the
    closed-form inverse (x, y) → (r, θ) when a coordinate system is used."""

    symbols: tuple[sympy.Symbol, ...]
    system: ir.CoordinateSystem | None = None
    inverse: PolarInverse | None = None
    lift: CutLift | None = None


@dataclass(frozen=True)
class Term:
    """One residual of the module: its lowered expression, the comment above it, and
    how the value is finished — divided by max(r, clamp)**power (``clamp``), or averaged
    over each circle (``circle_means``)."""

    name: str
    comment: str
    lowered: LoweredResidual
    clamp: tuple[sympy.Symbol, sympy.Expr, int] | None = None
    circle_means: bool = False


def class_name(model: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in model.split("_") if part) + "Pinn"


def generate(spec, coords: str | None = None, cut: str = "auto") -> GeneratedModule:
    """Generate the PINN module for ``spec`` (a :class:`pdec.Spec`).

    ``cut``: how a cut's ``jump(u) = g`` is treated — "lift" builds it into u (an
    error where it does not apply), "residual" penalises it as Okazaki et al. do,
    "auto" lifts where it applies.
    """
    if cut not in CUT_FORMS:
        raise UnsupportedError(
            f"unknown cut form {cut!r}", None, f"choose one of {', '.join(CUT_FORMS)}"
        )
    s = spec.ir
    if not any(e.kind == "pde" for e in s.equations):
        raise UnsupportedError(
            f"the spec '{s.name}' has no `pde` equation to train a PINN on",
            None,
            "energy-only specs (evolve, structure) are for the energy target",
        )
    if s.inputs:
        raise UnsupportedError(
            "specs with `input` functions map inputs to solutions: that is the operator target",
            None,
            "compile with --target operator (coming), or make the input a param",
        )
    inputs = choose_inputs(s, coords, cut)
    source = format_source(emit(spec, inputs, terms(spec, inputs)))
    return GeneratedModule(source, f"{s.name}_pinn", class_name(s.name))


def format_source(source: str) -> str:
    """``ruff format`` the module (line length 100), so it reads like hand-written code."""
    from ruff.__main__ import find_ruff_bin

    result = subprocess.run(
        [find_ruff_bin(), "format", "--line-length", "100", "--stdin-filename", "module.py", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"ruff could not format generated code:\n{result.stderr}")
    return result.stdout


def choose_inputs(s: ir.SpecIR, coords: str | None, cut: str = "auto") -> NetworkInputs:
    time = (s.time.symbol,) if s.time is not None else ()
    if coords is not None:
        system = coordinate_system(s, coords)
    else:
        system = next((c for c in s.coordinates if c.cut is not None), None)
    if system is None:
        return NetworkInputs(time + tuple(s.space))
    kept = tuple(v for v in s.space if v not in system.old)
    inverse = polar_inverse(system.new, system.old, system.forward)
    lift = None
    if system.cut is not None and cut != "residual":
        lift, why = lift_cut_jump(s, system, inverse)
        if lift is None and cut == "lift":
            raise UnsupportedError(
                f"--cut lift does not apply: {why}",
                system.cut.span,
                "use --cut residual (the jump as a loss term, as Okazaki et al.)",
            )
    return NetworkInputs(time + kept + tuple(system.new), system, inverse, lift)


def terms(spec, inputs: NetworkInputs) -> list[Term]:
    """The module's residuals: one per equation (less those a lift satisfies
    identically), and with the lift a pole flux for each pde in divergence form."""
    s = spec.ir
    lift = inputs.lift
    out = []
    for equation in s.equations:
        if lift is not None and equation.name in lift.exact:
            continue
        comment = (
            f"{equation.name} ({_spec_file(s)}:{equation.span.line}): {_source_text(equation.span)}"
        )
        lowered, cleared = _derive(spec, equation, inputs)
        clamp = None
        if lift is not None and equation.kind == "pde" and cleared > 1:
            # r^k·R / max(r, c)^(k-1): one factor r kept, so the pole is not weighted away
            clamp = (inputs.inverse.radial, CLAMP * lift.length, cleared - 1)
        out.append(Term(equation.name, comment, lowered, clamp))
    if lift is not None and lift.pole_inside:
        for equation in s.equations:
            flux = pole_flux(
                s, equation, inputs.system, inputs.inverse, lambda e: _promote_unknown_fields(s, e)
            )
            if flux is None:
                continue
            comment = (
                f"{equation.name}_pole_flux ({_spec_file(s)}:{equation.span.line}): the flux "
                "(1/2π)∮ F·n ds of div(F) = 0 through circles about the pole is 0 (a point "
                "source there is what the r-cleared equation cannot see)"
            )
            lowered = lower_residual(flux, _network_outputs(s), inputs.symbols, {})
            out.append(Term(f"{equation.name}_pole_flux", comment, lowered, circle_means=True))
    return out


def derive(spec, equation: ir.Equation, inputs: NetworkInputs) -> LoweredResidual:
    """``equation``'s residual in the network inputs, lowered to named locals."""
    return _derive(spec, equation, inputs)[0]


def _derive(spec, equation: ir.Equation, inputs: NetworkInputs) -> tuple[LoweredResidual, int]:
    """The lowered residual, and k when it was multiplied by r^k to clear 1/r^k."""
    s = spec.ir
    cleared = 0
    residual = substitute_definitions(s, derive_residual(s, equation), constants=False)
    residual = _promote_unknown_fields(s, residual)
    site_names: dict[tuple, str] = {}
    if inputs.system is not None:
        residual = transform_coordinates(s, equation, residual, inputs.system)
        cut = inputs.system.cut
        if cut is not None:
            plus, minus = cut_values(s, inputs.system)
            for value, name in ((plus, "plus"), (minus, "minus")):
                key = tuple(value if v == cut.angle else v for v in inputs.symbols)
                site_names[key] = name
        on_cut = (
            isinstance(equation.location, ir.OnCurve)
            and cut
            and equation.location.curve == cut.curve
        )
        if equation.kind == "pde" or on_cut:
            residual, cleared = _clear_radial_denominator(residual, inputs.inverse.radial)
    return lower_residual(residual, _network_outputs(s), inputs.symbols, site_names), cleared


def _unknown_fields(s: ir.SpecIR) -> tuple[ir.Parameter, ...]:
    return tuple(p for p in s.parameters if p.unknown and p.args)


def _unknown_scalars(s: ir.SpecIR) -> tuple[ir.Parameter, ...]:
    return tuple(p for p in s.parameters if p.unknown and not p.args)


def _network_outputs(s: ir.SpecIR) -> tuple[str, ...]:
    """What ``network_fields`` returns: the fields, then the unknown parameter fields."""
    return tuple(f.name for f in s.fields) + tuple(p.name for p in _unknown_fields(s))


def _promote_unknown_fields(s: ir.SpecIR, residual: sympy.Expr) -> sympy.Expr:
    """``mu(y)`` → ``mu(x, y)``, after the residual is derived (so ∂mu/∂x is already
    gone): every network output is then a function of all the user's coordinates, which
    coordinate changes and lowering treat alike. The generated network of ``mu`` still
    sees only ``y``."""
    everything = tuple(sympy.Symbol(name) for name in _user_coordinates(s))
    promoted = {}
    for param in _unknown_fields(s):
        if param.args != everything:
            promoted[param.symbol] = sympy.Function(param.name)(*everything)
    return residual.xreplace(promoted) if promoted else residual


def _clear_radial_denominator(residual: sympy.Expr, radial: sympy.Symbol) -> tuple[sympy.Expr, int]:
    """r²(u_rr + u_r/r + u_θθ/r²) rather than the singular form at the pole: multiply
    by the denominator when it is a power of r (times positive constants) only; also
    the power k of r cleared."""
    numerator, denominator = sympy.fraction(sympy.together(residual))
    factors = sympy.Mul.make_args(denominator)
    if all(f.is_positive or f.as_base_exp()[0] == radial for f in factors):
        power = sum(int(f.as_base_exp()[1]) for f in factors if f.as_base_exp()[0] == radial)
        return sympy.expand(numerator), power
    return residual, 0


# ---- emission ---------------------------------------------------------------------------


def emit(spec, inputs: NetworkInputs, terms: list[Term]) -> str:
    s = spec.ir
    constants = s.constant_values
    names = {c.symbol: c.name for c in s.constants}
    out: list[str] = []
    out += _header(spec, inputs, terms)
    cls = class_name(s.name)
    out.append(f"class {cls}(PinnModel):")
    out.append(f'{INDENT}"""Physics-informed network for `{s.name}`; see the module docstring."""')
    out.append("")
    coordinates = _user_coordinates(s)
    out.append(f'{INDENT}spec_name = "{s.name}"')
    out.append(f'{INDENT}spec_sha256 = "{s.sha256}"')
    out.append(f"{INDENT}coordinates = {_tuple(coordinates)}")
    out.append(f"{INDENT}network_inputs = {_tuple(v.name for v in inputs.symbols)}")
    bounds, periodic = _input_bounds(s, inputs, constants)
    out.append(f"{INDENT}input_bounds = {_dict(bounds)}")
    out.append(f"{INDENT}periodic = {_dict(periodic)}")
    out.append(f"{INDENT}field_names = {_tuple(f.name for f in s.fields)}")
    out.append(f"{INDENT}residual_names = {_tuple(_residual_names(s, terms))}")
    out.append(
        f"{INDENT}constants = {_dict({c.name: _float(constants[c.symbol]) for c in s.constants})}"
    )
    out += _unknowns(s, constants, lifted=inputs.lift is not None)
    out.append(f"{INDENT}default_options = {_dict(_default_options(s, terms))}")
    out.append("")
    out += _init(s)
    out += _to_network(s, inputs, names)
    out += _from_network(s, inputs, names)
    out += _lift(s, inputs, names)
    out += _samplers(s, names, inputs, terms)
    out += _residuals(spec, inputs, terms, names)
    out += _references(s, names)
    return _prune_imports("\n".join(out).rstrip() + "\n")


def _prune_imports(source: str) -> str:
    """Import only what the module uses (``math`` and each runtime name), so the output
    is lint-clean whatever the spec needs."""
    head, _, rest = source.partition("from pdec.runtime import ")
    names, _, body = rest.partition("\n")
    used = [name for name in names.split(", ") if re.search(rf"\b{name}\b", body)]
    if not re.search(r"\bmath\.", body):
        head = head.replace("import math\n\n", "", 1)
    return f"{head}from pdec.runtime import {', '.join(used)}\n{body}"


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
    """Class attributes for inverse problems: the unknown parameters, the box the unknown
    fields' networks scale their arguments from, and the observation files."""
    lines = []
    unknown = [p for p in s.parameters if p.unknown]
    if unknown:
        entries = []
        for param in unknown:
            arguments = [f"args={_tuple(v.name for v in param.args)}"] if param.args else []
            arguments += ["positive=True"] if param.positive else []
            if param.guess is not None:
                arguments.append(f"guess={_float(param.guess)!r}")
            entries.append(f'"{param.name}": Unknown({", ".join(arguments)})')
        lines.append(f"{INDENT}unknowns = {{{', '.join(entries)}}}")
    if _unknown_fields(s) or lifted:
        ranges = _ranges_with_time(s)
        # a lifted network sees every user coordinate; an unknown field its own
        seen = set(ranges) if lifted else {a for p in _unknown_fields(s) for a in p.args}
        bounds = {
            v.name: (_float(ranges[v][0].subs(constants)), _float(ranges[v][1].subs(constants)))
            for v in sorted(seen, key=_user_order(s))
        }
        lines.append(f"{INDENT}coordinate_bounds = {_dict(bounds)}")
    if lifted:
        lines.append(f"{INDENT}lifted = True")
    if s.data:
        entries = [f'"{d.name}": ({_literal(d.path)}, {_tuple(d.fields)})' for d in s.data]
        lines.append(f"{INDENT}observations = {{{', '.join(entries)}}}")
    return lines


def _user_order(s: ir.SpecIR):
    order = _user_coordinates(s)
    return lambda v: order.index(v.name)


def _header(spec, inputs: NetworkInputs, terms: list[Term]) -> list[str]:
    s = spec.ir
    lines = [
        f"# Generated by pdec {__version__} from {_spec_file(s)} — do not edit; regenerate with",
        f"#     pdec compile {_spec_file(s)} --target pinn",
        f"# spec sha256: {s.sha256}",
        f'"""Physics-informed neural network for the spec `{s.name}`.',
        "",
        "Residuals (each driven to 0 on its own sample points):",
        "",
    ]
    for term in terms:
        text = term.comment.removeprefix(f"{term.name} ")
        lines += textwrap.wrap(f"- ``{term.name}`` {text}", width=92, subsequent_indent="  ")
    for data in s.data:
        text = f"- ``{data.name}`` ({_spec_file(s)}:{data.span.line}): {_source_text(data.span)}"
        lines += textwrap.wrap(text, width=92, subsequent_indent="  ")
    lift = inputs.lift
    if lift is not None:
        where = f" ({_spec_file(s)}:{s.lookup('equations', lift.slip).span.line})"
        exact = " and ".join(f"``{name}``" for name in lift.exact)
        text = (
            f"The jump ``{lift.slip}``{where} is built into ``{lift.field}``: "
            f"{lift.field} = lift({', '.join(v.name for v in inputs.system.new)}) + N("
            f"{', '.join(v.name for v in inputs.system.old)}), N a network continuous across "
            f"the cut, so {exact} hold exactly and are not in the loss "
            "(pdec.passes.lift_cut_jump; compile with --cut residual for the paper's form)."
        )
        lines += [""] + textwrap.wrap(text, width=92)
    lines += [
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import math",
        "",
        "import torch",
        "",
    ]
    lines += ["from pdec.runtime import " + ", ".join(_runtime_names(spec)), "", ""]
    return lines


def _runtime_names(spec) -> list[str]:
    """The runtime names the module may use (unused ones are pruned from the import)."""
    kinds = {"AboutPoint", "Circles", "PinnModel"}
    if any(p.unknown for p in spec.ir.parameters):
        kinds.add("Unknown")
    for equation in spec.ir.equations:
        location = equation.location
        if isinstance(location, ir.InRegion):
            kinds.add("Box")
        elif isinstance(location, ir.AtSlice):
            kinds.add("Slice")
        elif isinstance(location, ir.OnCurve):
            kinds.add("Polyline")
        else:
            kinds |= {"Side", "Sides"}
    return sorted(kinds)


def _spec_file(s: ir.SpecIR) -> str:
    """The spec's file name: generated text must not depend on the working directory."""
    return Path(s.file).name


def _source_text(span) -> str:
    line = span.source_line()
    return " ".join(line.split("#")[0].split())


def _user_coordinates(s: ir.SpecIR) -> tuple[str, ...]:
    time = (s.time.symbol.name,) if s.time is not None else ()
    return time + tuple(v.name for v in s.space)


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


def _bind_constants(expressions, names: dict, indent: str) -> list[str]:
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


def _to_network(s: ir.SpecIR, inputs: NetworkInputs, names: dict) -> list[str]:
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
    lines += _bind_constants([inverse.radius, inverse.angle_unwrapped], names, body)
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


def _from_network(s: ir.SpecIR, inputs: NetworkInputs, names: dict) -> list[str]:
    """The user's coordinates from the network's, for the networks that see the user's
    coordinates (a lifted field's, unknown fields'); needed only with a coordinate system."""
    if inputs.system is None or not (_unknown_fields(s) or inputs.lift):
        return []
    system = inputs.system
    body = INDENT * 2
    users = " and ".join(
        (["the network"] if inputs.lift else [])
        + (["the unknown fields"] if _unknown_fields(s) else [])
    )
    lines = [
        f"{INDENT}def from_network(self, inputs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:",
        f'{body}"""({", ".join(v.name for v in system.new)}) → ({", ".join(v.name for v in system.old)}), differentiable, for {users}."""',
    ]
    lines += _bind_constants(list(system.forward), names, body)
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


def _lift(s: ir.SpecIR, inputs: NetworkInputs, names: dict) -> list[str]:
    """``lift``: the known part of the lifted field, g(1/2 − (θ − θ₀)/2π), and the
    r log r term that cancels the lift's own source at the pole where there is one."""
    lift = inputs.lift
    if lift is None:
        return []
    body = INDENT * 2
    r = inputs.inverse.radial
    slip = s.lookup("equations", lift.slip)
    doc = (
        f"{lift.field} = lift + network: the jump `{_source_text(slip.span)}` "
        f"({_spec_file(s)}:{slip.span.line}) exactly."
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
    lines += _bind_constants(exprs, names, body)
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


def _input_bounds(s: ir.SpecIR, inputs: NetworkInputs, constants) -> tuple[dict, dict]:
    ranges = _ranges_with_time(s)
    bounds, periodic = {}, {}
    for v in inputs.symbols:
        if v in ranges:
            lo, hi, is_periodic = ranges[v]
            pair = (_float(lo.subs(constants)), _float(hi.subs(constants)))
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
                "the PINN target needs a box region around the coordinate system"
            )
        radius = max(_float(inverse.radius.subs({x: a, y: b}).subs(constants)) for a, b in corners)
        lo = _float(system.cut.value.subs(constants)) if system.cut else 0.0
        bounds[inverse.radial.name] = (0.0, radius)
        bounds[inverse.angular.name] = (lo, lo + _float(2 * sympy.pi))
    return bounds, periodic


def _ranges_with_time(s: ir.SpecIR) -> dict:
    """``_ranges`` and, for a spec with a time interval, time's (lo, hi, not periodic)."""
    ranges = _ranges(s)
    if s.time is not None and s.time.lo is not None:
        ranges[s.time.symbol] = (s.time.lo, s.time.hi, False)
    return ranges


def _ranges(s: ir.SpecIR) -> dict:
    """Each space variable's (lo, hi, periodic) over the spec's boxes (their hull)."""
    found: dict = {}
    for region in s.regions:
        if not isinstance(region.shape, ir.Box):
            raise UnsupportedError(
                f"the PINN target samples boxes and intervals; '{region.name}' is not one yet"
            )
        for rng in region.shape.ranges:
            if rng.var in found:
                lo, hi, periodic = found[rng.var]
                found[rng.var] = (sympy.Min(lo, rng.lo), sympy.Max(hi, rng.hi), periodic)
            else:
                found[rng.var] = (rng.lo, rng.hi, rng.periodic)
    return found


def _samplers(s: ir.SpecIR, names: dict, inputs: NetworkInputs, terms: list[Term]) -> list[str]:
    body = INDENT * 2
    printer = TorchPrinter(names, floats=names)
    ranges = _ranges(s)
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
    lines += _bind_constants(exprs, names, body)
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
        normal = {v.name: _float(n) for v, n in zip(region.shape.variables, piece.normal)}
        sides.append(
            f'Side("{piece.var.name}", {printer.doprint(piece.value)}, '
            f"{{{', '.join(f'{k!r}: {v}' for k, v in others.items())}}}, {_dict(normal)})".replace(
                "'", '"'
            )
        )
    extra = f", extra={time_extra}" if time_extra else ""
    return f"Sides([{', '.join(sides)}]{extra})", used


def _residuals(spec, inputs: NetworkInputs, terms: list[Term], names: dict) -> list[str]:
    s = spec.ir
    body = INDENT * 2
    lines = [
        f"{INDENT}def residuals(self, batch: dict[str, dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:",
        f'{body}"""Each equation\'s residual at its sampled points (spec line in the comment)."""',
    ]
    all_exprs = [term.lowered.expr for term in terms]
    all_exprs += [term.clamp[1] for term in terms if term.clamp]
    lines += _bind_constants(all_exprs, names, body)
    used = set().union(*(e.free_symbols for e in all_exprs)) if all_exprs else set()
    unknown_names = {p.symbol: p.name for p in _unknown_scalars(s)}
    for param in _unknown_scalars(s):
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
            lines += _site_lines(site, low, inputs, printer, body)
        jet_names = {sympy.Symbol(j.local): j.local for j in low.jets}
        normal_names = {sympy.Symbol(f"n_{v.name}"): f'points["n_{v.name}"]' for v in s.space}
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


def _site_lines(site, low: LoweredResidual, inputs: NetworkInputs, printer, body: str) -> list[str]:
    """One network evaluation at ``site``, then its jets as locals. With derivatives,
    ``network_jets`` gives them all from one call (pushed forward with the values, or
    by nested autograd where the network does not allow that)."""
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
    here = [j for j in low.jets if j.site is site]
    derived = [j for j in here if any(j.orders)]
    at = f"{{{', '.join(site_inputs)}}}"
    if derived:
        wanted = ", ".join(f'"{j.local}": {_along(j, inputs)}' for j in derived)
        lines.append(f"{body}fields{suffix} = self.network_jets({at}, {{{wanted}}})")
    else:
        lines.append(f"{body}fields{suffix} = self.network_fields({at})")
    for j in here:
        key = j.local if any(j.orders) else j.field
        lines.append(f'{body}{j.local} = fields{suffix}["{key}"]')
    return lines


def _along(jet, inputs: NetworkInputs) -> str:
    """("u", "x", "x") for u_xx: the field, then the inputs differentiated along."""
    names = [v.name for v, k in zip(inputs.symbols, jet.orders) for _ in range(k)]
    return "(" + ", ".join(f'"{n}"' for n in [jet.field, *names]) + ")"


def _data_residual(s: ir.SpecIR, data: ir.Data, inputs: NetworkInputs, body: str) -> list[str]:
    """Model minus observation at the observed points (several fields: one column each)."""
    lines = [""]
    comment = f"{data.name} ({_spec_file(s)}:{data.span.line}): {_source_text(data.span)}"
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


def _references(s: ir.SpecIR, names: dict) -> list[str]:
    lines = []
    for reference in s.references:
        field = s.lookup("fields", reference.field)
        body = INDENT * 2
        lines.append(
            f"{INDENT}def reference_{field.name}(self, coords: dict[str, torch.Tensor]) -> torch.Tensor:"
        )
        lines.append(f'{body}"""The known solution ({_spec_file(s)}:{reference.span.line})."""')
        lines += _bind_constants([reference.value], names, body)
        for v in field.args:
            lines.append(f'{body}{v.name} = coords["{v.name}"]')
        printer = TorchPrinter({v: v.name for v in field.args} | names, floats=names)
        value = printer.doprint(reference.value)
        if not reference.value.free_symbols & set(field.args):  # a constant: give it a shape
            value += f" + 0*{field.args[0].name}"
        lines.append(f"{body}return {value}")
        lines.append("")
    return lines


# ---- literals ------------------------------------------------------------------------------


def _float(value) -> float:
    return float(sympy.sympify(value, strict=True).evalf(17))


def _tuple(items) -> str:
    items = list(items)
    if len(items) == 1:
        return f'("{items[0]}",)'
    return "(" + ", ".join(f'"{i}"' for i in items) + ")"


def _dict(mapping: dict) -> str:
    return "{" + ", ".join(f'"{k}": {_literal(v)}' for k, v in mapping.items()) + "}"


def _literal(value) -> str:
    if isinstance(value, str):
        return json.dumps(value)  # a valid Python literal, quotes and backslashes escaped
    if isinstance(value, tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)
