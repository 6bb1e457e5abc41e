"""The energy target for a spec with ``lagrangian L = ...``: a Lagrangian neural network.

The generated class subclasses :class:`pdec.runtime.energy.EnergyModel` in mode
``"lnn"`` (Cranmer et al. 2020): the state is (q, q̇) — fields ``q1, ..., q1_t, ...``,
as ``pdec data`` writes them — and u_t = (q̇, q̈) with q̈ from the Euler–Lagrange
equations of L, computed by the runtime from L's Hessians. L is

* ``lagrangian L = learned``: a :class:`~pdec.runtime.energy.LagrangianNetwork`
  (an MLP of (q, q̇), softplus by default: the mass matrix is L's second derivative);
* a closed form: printed as ``closed_form_lagrangian(q, v)``, its unknown scalars
  (``param m unknown``) learnable parameters.

The ``"node"`` baseline (an unstructured u_t = f(u)) is the class's other mode.
"""

from __future__ import annotations

import sympy

from pdec.codegen.literals import dict_literal, float_value, spec_file, tuple_literal
from pdec.codegen.printer import TorchPrinter
from pdec.codegen.source import local_name
from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.check_lagrangian import coordinates_of
from pdec.targets.energy.source import (
    BODY,
    INDENT,
    class_name,
    guess,
    learned_method,
    module_source,
    parameter_locals,
    unknown_attributes,
)

RUNTIME_NAMES = ("EnergyModel", "LagrangianNetwork", "MLPVectorField")
MODES = ("lnn", "node")
DEFAULT_DT = 0.1
NOTES = (
    'Modes: "lnn" (the default: q̈ from the Euler–Lagrange equations of L, stepped by',
    'RK4; the exact flow conserves the energy q̇·∂L/∂q̇ − L) and the "node" baseline',
    "u_t = f(u). States are (q, dt(q)), batches (B, 2 × coordinates).",
)


def check_supported(s: ir.SpecIR) -> list[ir.Parameter]:
    """The unknown scalars of L (learned); ``UnsupportedError`` for what the LNN mode
    cannot build, located at the Lagrangian."""
    lagrangian = s.lagrangian
    unknown = [p for p in s.parameters if p.unknown]
    if lagrangian.learned:
        return []
    if any(p.args for p in unknown):
        raise UnsupportedError(
            "unknown parameter functions in a Lagrangian are not supported",
            lagrangian.span,
            "use unknown scalars (`param m unknown`) or `lagrangian L = learned`",
        )
    value, _ = _plain_lagrangian(s)
    if s.time.symbol in value.free_symbols:
        raise UnsupportedError(
            f"the Lagrangian {lagrangian.name} depends on the time {s.time.symbol} "
            "explicitly; the LNN mode learns autonomous systems",
            lagrangian.span,
            "drop the explicit time dependence (a driven system has no conserved energy "
            "to learn), or write L = learned",
        )
    return [p for p in unknown if p.symbol in lagrangian.value.free_symbols]


def emit(spec) -> str:
    s = spec.ir
    lagrangian = s.lagrangian
    unknown = check_supported(s)
    n = len(lagrangian.coordinates)
    title = (
        f"Lagrangian neural network for the spec `{s.name}`: L(q, dt(q)), q = "
        f"({', '.join(lagrangian.coordinates)}), states ({', '.join(s.state_fields)})."
    )
    source = module_source(s, title, (lagrangian,), NOTES, RUNTIME_NAMES)
    out = [
        f"class {class_name(s.name)}(EnergyModel):",
        f'{INDENT}"""Lagrangian model for `{s.name}`; see the module docstring."""',
        "",
        f'{INDENT}spec_name = "{s.name}"',
        f'{INDENT}spec_sha256 = "{s.sha256}"',
        f"{INDENT}field_names = {tuple_literal(s.state_fields)}",
        f"{INDENT}coordinates = {tuple_literal(lagrangian.coordinates)}",
        f"{INDENT}constants = "
        + dict_literal({c.name: float_value(s.constant_values[c.symbol]) for c in s.constants}),
        f"{INDENT}modes = {tuple_literal(MODES)}",
    ]
    if unknown:
        out.append(f"{INDENT}unknown_guesses = {dict_literal({p.name: guess(p) for p in unknown})}")
    out.append("")
    out += _init(n, lagrangian.learned, unknown)
    if not lagrangian.learned:
        out += _closed_form_lagrangian(s, unknown)
        if unknown:
            out += learned_method(unknown)
    source.lines(out)
    return source.text()


def _init(n: int, learned: bool, unknown) -> list[str]:
    body = BODY
    lines = [
        f"{INDENT}def __init__(",
        f"{body}self,",
        f"{body}*,",
        f"{body}dt: float = {DEFAULT_DT!r},",
        f'{body}mode: str = "lnn",',
        f"{body}constants: dict[str, float] | None = None,",
        f"{body}depth: int = 3,",
        f"{body}width: int = 128,",
        f'{body}activation: str = "softplus",',
        f"{body}seed: int = 0,",
        f"{body}dtype: torch.dtype = torch.float64,",
        f"{body}**options,",
        f"{INDENT}):",
        f'{body}"""``constants`` overrides the spec\'s constants; ``depth``, ``width``,',
        f"{body}``activation`` and ``seed`` shape the networks (a learned L, the NODE vector",
        f"{body}field); ``options`` go to EnergyModel.",
        f'{body}"""',
        f"{body}constants = {{**type(self).constants, **(constants or {{}})}}",
        f"{body}generator = torch.Generator().manual_seed(seed)",
        f"{body}networks = dict(depth=depth, width=width, activation=activation, dtype=dtype)",
        f'{body}if mode == "node":',
        f"{body}{INDENT}field = MLPVectorField({2 * n}, **networks, generator=generator)",
        f"{body}{INDENT}super().__init__(None, None, dt, mode, vector_field=field, **options)",
        f"{body}{INDENT}self.constants = constants",
        f"{body}{INDENT}return",
    ]
    if learned:
        lines.append(f"{body}lagrangian = LagrangianNetwork({n}, **networks, generator=generator)")
    else:
        lines.append(f"{body}lagrangian = self.closed_form_lagrangian")
    lines += [
        f"{body}super().__init__(None, None, dt, mode, lagrangian=lagrangian, **options)",
        f"{body}self.constants = constants",
        *unknown_attributes(unknown),
        "",
    ]
    return lines


def _plain_lagrangian(s: ir.SpecIR) -> tuple[sympy.Expr, dict[sympy.Symbol, str]]:
    """L with q(t) and dt(q(t)) replaced by plain symbols, and those symbols' local
    names in the generated code (q1, q1_t, ...)."""
    lagrangian = s.lagrangian
    time = s.time.symbol
    names = {}
    states = {}
    for i, q in enumerate(coordinates_of(s)):
        name = lagrangian.coordinates[i]
        position, velocity = sympy.Symbol(f"_q_{name}"), sympy.Symbol(f"_v_{name}")
        states[q.diff(time)] = velocity
        states[q] = position
        names[position] = local_name(name)
        names[velocity] = local_name(f"{name}_t")
    # velocities first: q(t) inside Derivative(q(t), t) must not be replaced alone
    value = lagrangian.value.subs({k: v for k, v in states.items() if k.is_Derivative})
    value = value.subs({k: v for k, v in states.items() if not k.is_Derivative})
    return value, names


def _closed_form_lagrangian(s: ir.SpecIR, unknown) -> list[str]:
    lagrangian = s.lagrangian
    locals_ = {c.symbol: local_name(c.name) for c in s.constants}
    locals_ |= {p.symbol: local_name(p.name) for p in unknown}
    value, states = _plain_lagrangian(s)
    names = {**locals_, **states}
    n = len(lagrangian.coordinates)
    states_ = [local_name(name) for name in lagrangian.coordinates]
    states_ += [local_name(f"{name}_t") for name in lagrangian.coordinates]
    lines = [
        f"{INDENT}def closed_form_lagrangian(self, q: torch.Tensor, v: torch.Tensor) "
        "-> torch.Tensor:",
        f'{BODY}"""L of coordinates q and velocities v = dt(q), both (B, {n}) → (B);',
        f'{BODY}{spec_file(s)}:{lagrangian.span.line}."""',
        # one statement: a coordinate may be called q or v
        f"{BODY}{', '.join(states_)} = (*q.unbind(1), *v.unbind(1))",
    ]
    lines += parameter_locals(s, value, locals_, unknown)
    lines += [f"{BODY}return {TorchPrinter(names).doprint(value)}", ""]
    return lines
