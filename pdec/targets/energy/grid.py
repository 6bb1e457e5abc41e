"""The energy target for fields on a periodic 1-D grid: the spec's H and G discretized
by finite differences, or learned.

The discrete system is the natural finite-difference one (Furihata's discrete
variational derivative method), on the grid x_k = lo + kΔx, Δx = (hi − lo)/n:

* H_d(U) = Σ_k h(U_k, (D¹U)_k, (D²U)_k, …) Δx, the spec's density h with each ∂x^j u
  replaced by D^j = (δ⁺)^⌈j/2⌉ (δ⁻)^⌊j/2⌋ (:func:`~pdec.runtime.energy.finite_difference`).
  For a quadratic term c/2 (∂x^j u)² the gradient is c (−1)^j (δ⁺δ⁻)^j U Δx, the centred
  difference of the Euler–Lagrange term, so ∇H_d/Δx is a discrete δH/δu; for smooth
  periodic u, H_d(U) = H[u] + O(Δx²).
* G_d from G's Fourier symbol σ(k) = Σ_m c_m (ik)^m (the one ``pdec check``
  classifies): ik → the central difference (skew), (ik)² → δ⁺δ⁻ (symmetric, ⪯ 0), and
  (ik)^{2j+1} → central ∘ (δ⁺δ⁻)^j, (ik)^{2j} → (δ⁺δ⁻)^j. The even part of the discrete
  symbol is the continuous one evaluated at k² → 4 sin²(kΔx/2)/Δx² ≥ 0 and the odd
  part is imaginary, so G_d has the class of G (skew stays skew, ⪯ 0 stays ⪯ 0).
  Several fields: G must be a constant matrix M, and G_d = M ⊗ I.
* dU/dt = G_d ∇H_d(U) / Δx: the model's operator is G_d/Δx, since ∇H_d = Δx δH_d/δU.

``energy H = learned`` gives a :class:`~pdec.runtime.energy.GridEnergy` (DGNet's
stencil convolution and pointwise layers, summed × Δx); a spec without ``evolve`` but
with ``structure G = skew | dissipative`` gets a learned stencil of that class.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from pdec.codegen.literals import dict_literal, float_value, spec_file, tuple_literal
from pdec.codegen.printer import TorchPrinter
from pdec.codegen.source import local_name
from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.check_structure import periods
from pdec.runtime.energy.structure import DISSIPATIVE, SKEW, from_symbolic
from pdec.targets.energy.dynamics import evolution_energy, operator_symbols, unknown_parameters
from pdec.targets.energy.grid_integral import grid_integral
from pdec.targets.energy.source import (
    BODY,
    INDENT,
    MODES_NOTE,
    class_name,
    guess,
    learned_method,
    module_source,
    unknown_attributes,
)

RUNTIME_NAMES = (
    "ConstantMatrix",
    "EnergyModel",
    "FourierProposal",
    "GridEnergy",
    "GridVectorField",
    "LearnedDissipativeStencil",
    "LearnedSkewStencil",
    "StructureError",
    "central_difference",
    "conforms",
    "finite_difference",
    "identity",
    "laplacian",
)
DEFAULT_POINTS = 64
MODES = ("dgnet", "hnn", "node", "eno", "fno")
GRID_MODES_NOTE = (
    '"eno": an energy-consistent neural operator — a Fourier neural operator S proposes',
    "û = u + Δt S(u) and the step is DGNet's implicit one solved from there (the energy",
    'law exact); "fno": the plain neural operator, û itself.',
)
DEFAULT_DT = 0.01
SPACING = sympy.Symbol("spacing", positive=True)


@dataclass(frozen=True)
class GridDynamics:
    """What the module is made of: the energy, the grid, and G — its symbol σ(k) in the
    field order (None when G is learned) and its class (with the reason, for a comment).
    """

    energy: ir.Energy
    variable: sympy.Symbol
    lo: float
    hi: float
    symbol: sympy.Matrix | None
    wavenumber: sympy.Symbol | None
    kind: str
    kind_source: str
    conserve_mass: bool = False


def check_supported(s: ir.SpecIR) -> GridDynamics:
    """The grid dynamics of the spec; ``UnsupportedError`` for what is not built."""
    if len(s.space) != 1:
        raise UnsupportedError(
            f"the energy target handles fields on 1-D periodic grids, not in "
            f"{len(s.space)} space dimensions ('{s.name}')",
            None,
            "1-D specs (one periodic interval) and ODE systems are supported",
        )
    (x,) = s.space
    flat = [f.name for f in s.fields if x not in f.args]
    if flat:
        raise UnsupportedError(
            f"the field '{flat[0]}' does not depend on {x}: fields of time alone and fields "
            "on a grid cannot be mixed in one energy model",
            s.lookup("fields", flat[0]).span,
            f"declare every field as a function of {x}",
        )
    ((lo, hi),) = periods(s, (x,)).values()
    if s.evolution is not None:
        energy = evolution_energy(s)
        symbol, (wavenumber,) = operator_symbols(s, (x,))
        structure = s.fact("dynamics").require()
        kind, source = from_symbolic(structure.kind), f"by `pdec check`: {structure.kind}"
        if len(s.fields) > 1 and symbol.has(wavenumber):
            raise UnsupportedError(
                "with several fields, G must be a constant matrix (no dx) for now",
                s.evolution.span,
                "write evolve dt(q, p) = [[0, 1], [-1, 0]] * delta(H, (q, p))",
            )
    elif s.structure is not None:
        if len(s.energies) != 1:
            raise UnsupportedError(
                "a learned G needs exactly one energy in the spec",
                s.structure.span,
                "declare one `energy H = ...`",
            )
        if len(s.fields) != 1:
            raise UnsupportedError(
                "a learned G (`structure G = ...`) is built for one field for now",
                s.structure.span,
                "give G in an evolve line instead",
            )
        energy, symbol, wavenumber = s.energies[0], None, None
        kind, source = s.structure.kind, "declared"
    else:
        raise UnsupportedError(
            f"the spec '{s.name}' has no `evolve dt(u) = G*delta(H, u)` and no "
            "`structure G = skew | dissipative` to build an energy model from",
            None,
            "add an evolve line, or declare the class of a learned G",
        )
    conserve_mass = symbol is None and kind == DISSIPATIVE and _conserves_mass(s)
    return GridDynamics(
        energy, x, float_value(lo), float_value(hi), symbol, wavenumber, kind, source, conserve_mass
    )


def _conserves_mass(s: ir.SpecIR) -> bool:
    """Whether the spec claims ∫ u conserved for its one field."""
    field = s.fields[0].function
    return any(c.kind == "conserved" and c.density == field for c in s.claims)


def emit(spec, grid: GridDynamics) -> str:
    s = spec.ir
    energy = grid.energy
    unknown = unknown_parameters(s, energy) if energy.density is not None else []
    locals_ = {c.symbol: local_name(c.name) for c in s.constants}
    locals_ |= {p.symbol: local_name(p.name) for p in unknown}
    fields = ", ".join(f.name for f in s.fields)
    title = (
        f"Energy-based model for the spec `{s.name}`: u_t = G δH/δu, u = ({fields}), on a "
        f"periodic grid of n points in {grid.variable} ∈ [{_number(grid.lo)}, "
        f"{_number(grid.hi)})."
    )
    nodes = [n for n in (energy, s.evolution, s.structure) if n is not None]
    source = module_source(s, title, nodes, _notes(grid), RUNTIME_NAMES)
    out = [
        f"class {class_name(s.name)}(EnergyModel):",
        f'{INDENT}"""Energy-based model for `{s.name}`; see the module docstring."""',
        "",
        f'{INDENT}spec_name = "{s.name}"',
        f'{INDENT}spec_sha256 = "{s.sha256}"',
        f"{INDENT}field_names = {tuple_literal(f.name for f in s.fields)}",
        f'{INDENT}space = "{grid.variable.name}"',
        f"{INDENT}domain = ({_number(grid.lo)}, {_number(grid.hi)})",
        f"{INDENT}constants = "
        f"{dict_literal({c.name: float_value(s.constant_values[c.symbol]) for c in s.constants})}",
    ]
    if unknown:
        out.append(f"{INDENT}unknown_guesses = {dict_literal({p.name: guess(p) for p in unknown})}")
    out += [
        f'{INDENT}structure = "{grid.kind}"  # the class of G {grid.kind_source}',
        f"{INDENT}modes = {tuple_literal(MODES)}",
        "",
    ]
    out += _init(s, grid, locals_, unknown)
    if energy.density is not None:
        out += grid_integral(
            s,
            "closed_form_energy",
            f"H_d(U) = Σ_k h(U_k, (DU)_k, …) Δx → (B,), {spec_file(s)}:{energy.span.line}.",
            {None: energy.density},
            locals_,
            unknown,
        )
    claims = {c.name: c.density for c in s.claims if c.kind == "conserved" and c.density}
    if claims:
        out += grid_integral(
            s,
            "quantities",
            "The spec's conserved quantities Σ_k q(U_k, (DU)_k, …) Δx: name → (B,).",
            claims,
            locals_,
            unknown,
        )
    if unknown:
        out += learned_method(unknown)
    source.lines(out)
    return source.text()


def _notes(grid: GridDynamics) -> list[str]:
    energy = (
        "H_d(U) = Σ_k h(U_k, (D¹U)_k, …) Δx, D^j = (δ⁺)^⌈j/2⌉(δ⁻)^⌊j/2⌋ (one-sided differences)"
        if grid.energy.density is not None
        else "H_d(U) = Σ_k h_θ(U_{k−w..k+w}) Δx, h_θ a network on a stencil (DGNet)"
    )
    operator = (
        [f"and dU/dt = G_d ∇H_d(U) / Δx with G_d a learned stencil, {grid.kind} by construction."]
        if grid.symbol is None
        else [
            "and dU/dt = G_d ∇H_d(U) / Δx with G_d the stencil of G's symbol (ik → central",
            "difference, (ik)² → δ⁺δ⁻), which has G's class (see pdec.targets.energy.grid).",
        ]
    )
    return [
        "States are (B, fields, n) (or (B, n) for one field). The discrete system:",
        energy + ",",
        *operator,
        "",
        *MODES_NOTE,
        *GRID_MODES_NOTE,
    ]


def _init(s, grid: GridDynamics, locals_, unknown) -> list[str]:
    count = len(s.fields)
    learned_operator = grid.symbol is None
    lines = [
        f"{INDENT}def __init__(",
        f"{BODY}self,",
        f"{BODY}*,",
        f"{BODY}n: int = {DEFAULT_POINTS},",
        f"{BODY}dt: float = {DEFAULT_DT!r},",
        f'{BODY}mode: str = "dgnet",',
        f"{BODY}constants: dict[str, float] | None = None,",
        f"{BODY}stencil_width: int = 1,",
    ]
    if learned_operator:
        lines.append(f"{BODY}operator_width: int = 1,")
    lines += [
        f"{BODY}depth: int = 2,",
        f"{BODY}width: int = 64,",
        f'{BODY}activation: str = "tanh",',
        f"{BODY}fno_modes: int = 16,",
        f"{BODY}fno_width: int = 32,",
        f"{BODY}fno_layers: int = 4,",
        f"{BODY}seed: int = 0,",
        f"{BODY}dtype: torch.dtype = torch.float64,",
        f"{BODY}**options,",
        f"{INDENT}):",
        f'{BODY}"""``n`` grid points (``pdec train`` takes n and dt from the data);',
        f"{BODY}``constants`` overrides the spec's constants; ``stencil_width`` (points on",
        f"{BODY}each side), ``depth``, ``width``, ``activation`` and ``seed`` shape the",
        f"{BODY}networks (the learned energy, the NODE vector field); ``fno_modes``,",
        f"{BODY}``fno_width`` and ``fno_layers`` the Fourier neural operator of eno and fno.",
        *(
            [f"{BODY}``operator_width`` is the half-width of the learned G's stencil."]
            if learned_operator
            else []
        ),
        f"{BODY}``options`` (tol, max_iter, method, ...) go to EnergyModel; the implicit",
        f"{BODY}step uses Newton's method on grids (stencils make it stiff) by default.",
        f'{BODY}"""',
        f"{BODY}constants = {{**type(self).constants, **(constants or {{}})}}",
        f"{BODY}spacing = {_number(grid.hi - grid.lo)} / n",
        f"{BODY}generator = torch.Generator().manual_seed(seed)",
        f"{BODY}networks = dict(",
        f"{BODY}{INDENT}hidden=width, depth=depth, activation=activation, dtype=dtype, "
        "generator=generator",
        f"{BODY})",
        f'{BODY}if mode in ("node", "fno"):  # no energy',
        f"{BODY}{INDENT}energy = operator = None",
        f'{BODY}if mode == "node":',
        f'{BODY}{INDENT}options["vector_field"] = GridVectorField({count}, stencil_width, '
        "**networks)",
        f'{BODY}if mode in ("eno", "fno"):',
        f'{BODY}{INDENT}options["proposal"] = FourierProposal(',
        f"{BODY}{INDENT * 2}{count}, fno_modes, fno_width, fno_layers, self.domain, dtype=dtype, "
        "generator=generator",
        f"{BODY}{INDENT})",
        f'{BODY}if mode not in ("node", "fno"):',
    ]
    inner = BODY + INDENT
    lines += [inner + line for line in _operator(s, grid, locals_, count)]
    if grid.energy.density is None:
        lines.append(
            f"{inner}energy = GridEnergy({count}, stencil_width, spacing=spacing, **networks)"
        )
    else:
        lines.append(f"{inner}energy = self.closed_form_energy")
    lines += [
        f'{inner}options.setdefault("newton_max_size", {"n" if count == 1 else f"{count} * n"})',
        f"{BODY}super().__init__(energy, operator, dt, mode, **options)",
        f"{BODY}self.n = n",
        f"{BODY}self.spacing = spacing",
        f"{BODY}self.state_shape = ({count}, n)",
        f"{BODY}self.constants = constants",
    ]
    lines += unknown_attributes(unknown)
    lines += [
        f"{BODY}if operator is not None and not conforms(self.structure, operator.kind):",
        f"{BODY}{INDENT}raise StructureError(",
        f'{BODY}{INDENT * 2}f"the discrete G is {{operator.kind!r}} with these constants, but "',
        f'{BODY}{INDENT * 2}f"the spec\'s G is {{self.structure!r}}: check the constants= "',
        f'{BODY}{INDENT * 2}"overrides"',
        f"{BODY}{INDENT})",
        "",
    ]
    return lines


def _operator(s, grid: GridDynamics, locals_, count: int) -> list[str]:
    """Lines setting ``operator`` (G_d/Δx, or the learned G)."""
    line = f"{spec_file(s)}:{(s.evolution or s.structure).span.line}"
    if grid.symbol is None:
        if grid.kind == SKEW:
            return [
                f"# G learned, skew by construction ({line}): c_k = θ_k/Δx², as G",
                "# acts on ∇H_d = Δx δH_d/δU (θ_1 = 1/2 is the central difference)",
                "operator = LearnedSkewStencil(",
                f"{INDENT}operator_width, spacing=spacing**2, dtype=dtype, generator=generator",
                ")",
            ]
        if grid.kind == DISSIPATIVE:
            mass = ", conserve_mass=True" if grid.conserve_mass else ""
            return [
                f"# G = −DᵀD learned, negative semidefinite by construction ({line}); D has",
                "# coefficients θ_k/Δx^1.5, as G acts on ∇H_d = Δx δH_d/δU",
                "operator = LearnedDissipativeStencil(",
                f"{INDENT}operator_width, spacing=spacing**1.5{mass}, dtype=dtype, "
                "generator=generator",
                ")",
            ]
        raise UnsupportedError(f"a learned G of class '{grid.kind}'", s.structure.span)
    printer = TorchPrinter(locals_ | {SPACING: "spacing"})
    used = sorted(grid.symbol.free_symbols - {grid.wavenumber}, key=list(locals_).index)
    lines = [f'{locals_[v]} = constants["{v.name}"]' for v in used]
    if count > 1:
        matrix = grid.symbol / SPACING
        rows = ", ".join(
            "[" + ", ".join(printer.doprint(matrix[i, j]) for j in range(count)) + "]"
            for i in range(count)
        )
        return lines + [
            f"# G = M ⊗ I ({line}), over Δx as G acts on ∇H_d = Δx δH_d/δU",
            f"operator = ConstantMatrix([{rows}], grid_size=n, dtype=dtype)",
        ]
    sigma = grid.symbol[0, 0]
    return lines + [
        f"# G_d from G's symbol {sympy.sstr(sigma)} ({line}), over Δx as G acts on",
        "# ∇H_d = Δx δH_d/δU",
        f"stencil = {_stencil(sigma, grid.wavenumber, printer, s)}",
        "operator = stencil * (1 / spacing)",
    ]


def _stencil(sigma: sympy.Expr, k: sympy.Symbol, printer: TorchPrinter, s) -> str:
    """Σ_m c_m (ik)^m as stencil code: (ik) → central_difference, (ik)² → laplacian."""
    polynomial = sympy.Poly(sympy.expand(sigma), k)
    terms = []
    for (m,), coefficient in sorted(polynomial.terms()):
        c = sympy.expand(coefficient / sympy.I**m)
        if c.has(sympy.I):
            raise UnsupportedError(
                f"G's symbol {sympy.sstr(sigma)} has a complex coefficient", s.evolution.span
            )
        powers = []
        if m % 2:
            powers.append("central_difference(n, spacing)")
        if m // 2:
            square = "laplacian(n, spacing)"
            powers.append(square if m // 2 == 1 else f"{square} ** {m // 2}")
        base = " @ ".join(powers) or "identity(n)"
        if c == 1:
            terms.append(base)
        elif c == -1:
            terms.append(f"-{base}" if " @ " not in base else f"-({base})")
        else:
            factor = printer.doprint(c)
            factor = f"({factor})" if isinstance(c, sympy.Add) else factor
            terms.append(f"{factor} * ({base})" if " @ " in base else f"{factor} * {base}")
    if not terms:
        raise UnsupportedError("G is zero", s.evolution.span, "give a nonzero G")
    return " + ".join(terms).replace("+ -", "- ")


def _number(value: float) -> str:
    return repr(float(value))
