"""The energy target: a spec → one readable module with a ``<Model>Energy`` class.

Two kinds of spec, each in one module:

* ODE systems (fields of time alone; this module): ``check_supported`` (an
  ``evolve dt(...) = G * grad(H, ...)`` over all fields), ``operator_matrix`` (G as a
  matrix of constants, kept by name so that ``constants=`` can override them) and
  ``emit`` (header, class attributes, ``__init__`` with the structure check against the
  spec's class, and for a closed-form energy ``closed_form_energy``);
* fields on a periodic 1-D grid (:mod:`pdec.targets.energy.grid`): the spec's H and G
  discretized by finite differences, or learned (``energy H = learned``,
  ``structure G = skew | dissipative``);
* a Lagrangian L(q, q̇) (:mod:`pdec.targets.energy.lagrangian`): a Lagrangian neural
  network, mode ``lnn``.

The class subclasses :class:`pdec.runtime.energy.EnergyModel` (modes dgnet, hnn,
node; lnn for a Lagrangian). The module imports only torch, math and
:mod:`pdec.runtime.energy`; the same spec gives the same bytes.
"""

from __future__ import annotations

import sympy

from pdec.codegen.format import format_source
from pdec.codegen.literals import dict_literal, float_value, spec_file, tuple_literal
from pdec.codegen.module import GeneratedModule
from pdec.codegen.printer import TorchPrinter
from pdec.codegen.source import local_name
from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.runtime.energy.structure import from_symbolic
from pdec.targets.energy import grid, lagrangian
from pdec.targets.energy.dynamics import evolution_energy, operator_symbols, unknown_parameters
from pdec.targets.energy.source import (
    BODY,
    INDENT,
    MODES_NOTE,
    class_name,
    guess,
    learned_method,
    module_source,
    parameter_locals,
    unknown_attributes,
)

RUNTIME_NAMES = (
    "ConstantMatrix",
    "EnergyModel",
    "MLPEnergy",
    "MLPVectorField",
    "StructureError",
    "conforms",
)
DEFAULT_DT = 0.1
MODES = ("dgnet", "hnn", "node")


def generate(spec) -> GeneratedModule:
    """Generate the energy-target module for ``spec`` (a :class:`pdec.Spec`)."""
    s = spec.ir
    s.fact("definitions_inlined")  # the densities and G read below have them in place
    if s.lagrangian is not None:
        source = lagrangian.emit(spec)
    elif s.space:
        source = grid.emit(spec, grid.check_supported(s))
    else:
        energy = check_supported(s)
        source = emit(spec, energy, operator_matrix(s))
    return GeneratedModule(format_source(source), f"{s.name}_energy", class_name(s.name))


def check_supported(s: ir.SpecIR) -> ir.Energy:
    """The energy the evolution of an ODE system uses; ``UnsupportedError`` for what is
    not built yet."""
    if s.evolution is None:
        raise UnsupportedError(
            f"the spec '{s.name}' has no `evolve dt(...) = G * grad(H, ...)` to build an "
            "energy model from",
            None,
            "add an evolve line (a learned G, `structure G = skew`, is for fields on a grid)",
        )
    energy = evolution_energy(s)
    unknown_parameters(s, energy)
    return energy


def operator_matrix(s: ir.SpecIR) -> sympy.Matrix:
    """G with rows and columns in the declared field order, constants kept as symbols."""
    return operator_symbols(s, ())[0]


def emit(spec, energy: ir.Energy, matrix: sympy.Matrix) -> str:
    s = spec.ir
    constants = s.constant_values
    locals_ = {c.symbol: local_name(c.name) for c in s.constants}
    unknown = unknown_parameters(s, energy)
    locals_ |= {p.symbol: local_name(p.name) for p in unknown}
    title = (
        f"Energy-based model for the spec `{s.name}`: u_t = G ∇H(u), u = "
        f"({', '.join(f.name for f in s.fields)})."
    )
    source = module_source(s, title, (energy, s.evolution), MODES_NOTE, RUNTIME_NAMES)
    out: list[str] = []
    out.append(f"class {class_name(s.name)}(EnergyModel):")
    out.append(f'{INDENT}"""Energy-based model for `{s.name}`; see the module docstring."""')
    out.append("")
    out.append(f'{INDENT}spec_name = "{s.name}"')
    out.append(f'{INDENT}spec_sha256 = "{s.sha256}"')
    out.append(f"{INDENT}field_names = {tuple_literal(f.name for f in s.fields)}")
    values = {c.name: float_value(constants[c.symbol]) for c in s.constants}
    out.append(f"{INDENT}constants = {dict_literal(values)}")
    if unknown and energy.density is not None:
        out.append(f"{INDENT}unknown_guesses = {dict_literal({p.name: guess(p) for p in unknown})}")
    kind = from_symbolic(spec.structure.kind)
    comment = f"# the class of G by `pdec check`: {spec.structure.kind}"
    out.append(f'{INDENT}structure = "{kind}"  {comment}')
    out.append(f"{INDENT}modes = {tuple_literal(MODES)}")
    out.append("")
    out += _init(s, energy, matrix, locals_, unknown)
    if energy.density is not None:
        out += _closed_form_energy(s, energy, locals_, unknown)
        if unknown:
            out += learned_method(unknown)
    source.lines(out)
    return source.text()


def _init(s, energy, matrix, locals_, unknown) -> list[str]:
    body = BODY
    n = len(s.fields)
    lines = [
        f"{INDENT}def __init__(",
        f"{body}self,",
        f"{body}*,",
        f"{body}dt: float = {DEFAULT_DT!r},",
        f'{body}mode: str = "dgnet",',
        f"{body}constants: dict[str, float] | None = None,",
        f"{body}depth: int = 2,",
        f"{body}width: int = 64,",
        f'{body}activation: str = "tanh",',
        f"{body}seed: int = 0,",
        f"{body}dtype: torch.dtype = torch.float64,",
        f"{body}**options,",
        f"{INDENT}):",
        f'{body}"""``constants`` overrides the spec\'s constants; ``depth``, ``width``,',
        f"{body}``activation`` and ``seed`` shape the networks (the learned energy, the NODE",
        f"{body}vector field); ``options`` (tol, max_iter, method, ...) go to EnergyModel.",
        f'{body}"""',
        f"{body}constants = {{**type(self).constants, **(constants or {{}})}}",
        f"{body}generator = torch.Generator().manual_seed(seed)",
        f"{body}networks = dict(depth=depth, width=width, activation=activation, dtype=dtype)",
        f'{body}if mode == "node":',
        f"{body}{INDENT}field = MLPVectorField({n}, **networks, generator=generator)",
        f"{body}{INDENT}super().__init__(None, None, dt, mode, vector_field=field, **options)",
        f"{body}{INDENT}self.constants = constants",
        f"{body}{INDENT}return",
    ]
    used = sorted(matrix.free_symbols, key=lambda v: list(locals_).index(v))
    lines += [f'{body}{locals_[v]} = constants["{v.name}"]' for v in used]
    printer = TorchPrinter(locals_)
    rows = ", ".join(
        "[" + ", ".join(printer.doprint(matrix[i, j]) for j in range(matrix.cols)) + "]"
        for i in range(matrix.rows)
    )
    lines.append(f"{body}operator = ConstantMatrix([{rows}], dtype=dtype)")
    if energy.density is None:
        lines.append(f"{body}energy = MLPEnergy({n}, **networks, generator=generator)")
    else:
        lines.append(f"{body}energy = self.closed_form_energy")
    lines += [
        f"{body}super().__init__(energy, operator, dt, mode, **options)",
        f"{body}self.constants = constants",
    ]
    if energy.density is not None:
        lines += unknown_attributes(unknown)
    lines += [
        f"{body}found = operator.check()",
        f"{body}if not conforms(self.structure, found):",
        f"{body}{INDENT}raise StructureError(",
        f'{body}{INDENT * 2}f"G is {{found!r}} with these constants, but the spec\'s G is "',
        f'{body}{INDENT * 2}f"{{self.structure!r}}: check the constants= overrides"',
        f"{body}{INDENT})",
        "",
    ]
    return lines


def _closed_form_energy(s, energy, locals_, unknown) -> list[str]:
    density = energy.density
    names = dict(locals_)
    states = {}
    for f in s.fields:
        symbol = sympy.Symbol(f"_state_{f.name}")
        states[f.function] = symbol
        names[symbol] = local_name(f.name)
    density = density.subs(states)
    fields = [local_name(f.name) for f in s.fields]
    columns = ", ".join(f"u[:, {i}]" for i in range(len(fields)))
    lines = [
        f"{INDENT}def closed_form_energy(self, u: torch.Tensor) -> torch.Tensor:",
        f'{BODY}"""H of a batch of states (B, {len(fields)}) → (B,), '
        f'{spec_file(s)}:{energy.span.line}."""',
        f"{BODY}{', '.join(fields)}{',' if len(fields) == 1 else ''} = {columns}",
    ]
    lines += parameter_locals(s, density, locals_, unknown)
    lines += [f"{BODY}return {TorchPrinter(names).doprint(density)}", ""]
    return lines
