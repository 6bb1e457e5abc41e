"""The energy target: a spec → one readable module with a ``<Model>Energy`` class.

Stages (each one call):

1. ``check_supported``   ODE systems only for now (fields of time alone) with an
                         ``evolve dt(...) = G * grad(H, ...)`` over all fields;
2. ``operator_matrix``   G as a matrix of constants (its symbol, constants kept by name
                         so that ``constants=`` can override them);
3. ``emit``              the module text: header, class attributes, ``__init__``
                         (energy, G, the structure check against the spec's class) and,
                         for a closed-form energy, ``closed_form_energy``.

The class subclasses :class:`pdec.runtime.energy.EnergyModel` (modes dgnet, hnn,
node). The module imports only torch, math and :mod:`pdec.runtime.energy`; the same
spec gives the same bytes.
"""

from __future__ import annotations

import keyword
import textwrap

import sympy

from pdec import __version__
from pdec.codegen.printer import TorchPrinter
from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.derive_residuals import substitute_definitions
from pdec.runtime.energy.structure import from_symbolic
from pdec.symbolic.structure import operator_symbol
from pdec.targets.pinn.generate import (
    GeneratedModule,
    _dict,
    _float,
    _source_text,
    _spec_file,
    _tuple,
    format_source,
)

INDENT = "    "
RUNTIME_NAMES = (
    "ConstantMatrix",
    "EnergyModel",
    "MLPEnergy",
    "MLPVectorField",
    "StructureError",
    "conforms",
)
DEFAULT_DT = 0.1


def class_name(model: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in model.split("_") if part) + "Energy"


def generate(spec) -> GeneratedModule:
    """Generate the energy-target module for ``spec`` (a :class:`pdec.Spec`)."""
    s = spec.ir
    energy = check_supported(s)
    matrix = operator_matrix(s)
    source = format_source(emit(spec, energy, matrix))
    return GeneratedModule(source, f"{s.name}_energy", class_name(s.name))


def check_supported(s: ir.SpecIR) -> ir.Energy:
    """The energy the evolution uses; ``UnsupportedError`` for what is not built yet."""
    spatial = [f.name for f in s.fields if any(a in s.space for a in f.args)]
    if spatial or s.space:
        raise UnsupportedError(
            f"the energy target handles ODE systems only, not yet fields of space "
            f"('{(spatial or [f.name for f in s.fields])[0]}' in '{s.name}')",
            None,
            "periodic 1-D PDEs (grid energies, G as a stencil) are next; for now use the "
            "runtime directly: pdec.runtime.energy.EnergyModel with GridEnergy and "
            "StencilOperator",
        )
    if s.evolution is None:
        raise UnsupportedError(
            f"the spec '{s.name}' has no `evolve dt(...) = G * grad(H, ...)` to build an "
            "energy model from",
            None,
            "add an evolve line; a learned G (`structure G = skew`) is not supported yet",
        )
    names = [f.name for f in s.fields]
    if sorted(s.evolution.fields) != sorted(names):
        raise UnsupportedError(
            f"the evolve line must give dt of every field ({', '.join(names)})",
            s.evolution.span,
            "list all fields in dt(...)",
        )
    energies = {p.energy for p in s.evolution.placeholders}
    if len(energies) != 1:
        raise UnsupportedError(
            "the energy target needs exactly one energy in the evolve line",
            s.evolution.span,
            "write dt(...) = G * grad(H, (...)) with a single H",
        )
    energy = s.lookup("energies", energies.pop())
    if energy.density is not None and any(p.args for p in s.parameters if p.unknown):
        raise UnsupportedError(
            "unknown parameter functions in an ODE energy are not supported",
            energy.span,
            "use unknown scalars (`param alpha unknown`) or `energy H = learned`",
        )
    return energy


def operator_matrix(s: ir.SpecIR) -> sympy.Matrix:
    """G with rows and columns in the declared field order, constants kept as symbols."""
    evolution = s.evolution
    rhs = [substitute_definitions(s, r, constants=False) for r in evolution.rhs]
    placeholders = [p.function for p in evolution.placeholders]
    sigma, _ = operator_symbol(rhs, placeholders, ())
    fields = [f.name for f in s.fields]
    rows = [evolution.fields.index(name) for name in fields]
    columns = [[p.field for p in evolution.placeholders].index(name) for name in fields]
    matrix = sigma.extract(rows, columns)
    unknown = {p.symbol for p in s.parameters if p.unknown}
    if matrix.free_symbols & unknown:
        raise UnsupportedError(
            "unknown parameters in G are not supported yet",
            evolution.span,
            "G must be a matrix of numbers and constants",
        )
    return matrix


def emit(spec, energy: ir.Energy, matrix: sympy.Matrix) -> str:
    s = spec.ir
    constants = s.constant_values
    locals_ = {c.symbol: _local(c.name) for c in s.constants}
    unknown = [p for p in s.parameters if p.unknown]
    locals_ |= {p.symbol: _local(p.name) for p in unknown}
    out = _header(spec, energy)
    out.append(f"class {class_name(s.name)}(EnergyModel):")
    out.append(f'{INDENT}"""Energy-based model for `{s.name}`; see the module docstring."""')
    out.append("")
    out.append(f'{INDENT}spec_name = "{s.name}"')
    out.append(f'{INDENT}spec_sha256 = "{s.sha256}"')
    out.append(f"{INDENT}field_names = {_tuple(f.name for f in s.fields)}")
    out.append(
        f"{INDENT}constants = {_dict({c.name: _float(constants[c.symbol]) for c in s.constants})}"
    )
    if unknown and energy.density is not None:
        guesses = {p.name: _guess(p) for p in unknown}
        out.append(f"{INDENT}unknown_guesses = {_dict(guesses)}")
    kind = from_symbolic(spec.structure.kind)
    comment = f"# the class of G by `pdec check`: {spec.structure.kind}"
    out.append(f'{INDENT}structure = "{kind}"  {comment}')
    out.append("")
    out += _init(s, energy, matrix, locals_, unknown)
    if energy.density is not None:
        out += _closed_form_energy(s, energy, locals_, unknown)
        if unknown:
            out += _learned(unknown)
    return _prune_imports("\n".join(out).rstrip() + "\n")


def _header(spec, energy: ir.Energy) -> list[str]:
    s = spec.ir
    name = _spec_file(s)
    lines = [
        f"# Generated by pdec {__version__} from {name} — do not edit; regenerate with",
        f"#     pdec compile {name} --target energy",
        f"# spec sha256: {s.sha256}",
        f'"""Energy-based model for the spec `{s.name}`: u_t = G ∇H(u), u = '
        f"({', '.join(f.name for f in s.fields)}).",
        "",
    ]
    for node in (energy, s.evolution):
        text = f"- {name}:{node.span.line}: {_source_text(node.span)}"
        lines += textwrap.wrap(text, width=92, subsequent_indent="  ")
    lines += [
        "",
        'Modes: "dgnet" (discrete gradient, the default: H conserved for skew G and never',
        'increasing for dissipative G, exactly in discrete time), "hnn" and "node" baselines.',
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import math",
        "",
        "import torch",
        "",
        "from pdec.runtime.energy import " + ", ".join(RUNTIME_NAMES),
        "",
        "",
    ]
    return lines


def _init(s, energy, matrix, locals_, unknown) -> list[str]:
    body = INDENT * 2
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
        for param in unknown:
            value = f"self.unknown_guesses[{param.name!r}]"
            if param.positive:
                value = f"math.log({value})"
                attribute = f"log_{param.name}"
            else:
                attribute = param.name
            lines.append(
                f"{body}self.{attribute} = torch.nn.Parameter(torch.tensor({value}, dtype=dtype))"
            )
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
    body = INDENT * 2
    density = substitute_definitions(s, energy.density, constants=False)
    names = dict(locals_)
    states = {}
    for f in s.fields:
        symbol = sympy.Symbol(f"_state_{f.name}")
        states[f.function] = symbol
        names[symbol] = _local(f.name)
    density = density.subs(states)
    fields = [_local(f.name) for f in s.fields]
    columns = ", ".join(f"u[:, {i}]" for i in range(len(fields)))
    lines = [
        f"{INDENT}def closed_form_energy(self, u: torch.Tensor) -> torch.Tensor:",
        f'{body}"""H of a batch of states (B, {len(fields)}) → (B,), '
        f'{_spec_file(s)}:{energy.span.line}."""',
        f"{body}{', '.join(fields)}{',' if len(fields) == 1 else ''} = {columns}",
    ]
    used_constants = [c for c in s.constants if c.symbol in density.free_symbols]
    lines += [f'{body}{locals_[c.symbol]} = self.constants["{c.name}"]' for c in used_constants]
    for param in unknown:
        if param.symbol not in density.free_symbols:
            continue
        if param.positive:
            lines.append(f"{body}{locals_[param.symbol]} = torch.exp(self.log_{param.name})")
        else:
            lines.append(f"{body}{locals_[param.symbol]} = self.{param.name}")
    lines += [f"{body}return {TorchPrinter(names).doprint(density)}", ""]
    return lines


def _learned(unknown) -> list[str]:
    body = INDENT * 2
    values = ", ".join(
        f'"{p.name}": float(torch.exp(self.log_{p.name}.detach()))'
        if p.positive
        else f'"{p.name}": float(self.{p.name}.detach())'
        for p in unknown
    )
    return [
        f"{INDENT}def learned(self) -> dict[str, float]:",
        f'{body}"""The current values of the unknown parameters."""',
        f"{body}return {{{values}}}",
    ]


def _guess(param: ir.Parameter) -> float:
    if param.guess is not None:
        return _float(param.guess)
    return 1.0 if param.positive else 0.0


def _local(name: str) -> str:
    """A local variable name: ambiguous (E741) or reserved names get a trailing _."""
    return f"{name}_" if name in ("l", "O", "I") or keyword.iskeyword(name) else name


def _prune_imports(source: str) -> str:
    """Import only the runtime names (and ``math``) the module uses."""
    head, _, rest = source.partition("from pdec.runtime.energy import ")
    names, _, body = rest.partition("\n")
    used = [name for name in names.split(", ") if name in body]
    if "math." not in body:
        head = head.replace("import math\n\n", "", 1)
    return f"{head}from pdec.runtime.energy import {', '.join(used)}\n{body}"
