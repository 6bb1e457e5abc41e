"""What the energy target reads from a spec's ``evolve dt(...) = G δH/δ(...)`` line: the
energy it uses, and G as a matrix of Fourier symbols (ODE systems: of constants)."""

from __future__ import annotations

import sympy

from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.symbolic.structure import operator_symbol


def evolution_energy(s: ir.SpecIR) -> ir.Energy:
    """The one energy of the evolve line, which must give dt of every field."""
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
    return s.lookup("energies", energies.pop())


def operator_symbols(
    s: ir.SpecIR, space: tuple[sympy.Symbol, ...]
) -> tuple[sympy.Matrix, tuple[sympy.Symbol, ...]]:
    """G's symbol σ(k) with rows and columns in the declared field order, constants kept
    as symbols (so that ``constants=`` can override them), and the wavenumbers k."""
    evolution = s.evolution
    rhs = list(evolution.rhs)  # definitions inlined (the target's pass)
    placeholders = [p.function for p in evolution.placeholders]
    try:
        sigma, wavenumbers = operator_symbol(rhs, placeholders, space)
    except UnsupportedError as error:
        raise error.with_span(evolution.span) from None
    fields = [f.name for f in s.fields]
    rows = [evolution.fields.index(name) for name in fields]
    columns = [[p.field for p in evolution.placeholders].index(name) for name in fields]
    matrix = sigma.extract(rows, columns)
    unknown = {p.symbol for p in s.parameters if p.unknown}
    if matrix.free_symbols & unknown:
        raise UnsupportedError(
            "unknown parameters in G are not supported yet",
            evolution.span,
            "G must be built from numbers and constants",
        )
    return matrix, wavenumbers


def unknown_parameters(s: ir.SpecIR, energy: ir.Energy) -> list[ir.Parameter]:
    """The unknown scalars of a closed-form energy (learnable parameters); unknown
    parameter functions are refused."""
    unknown = [p for p in s.parameters if p.unknown]
    if energy.density is not None and any(p.args for p in unknown):
        raise UnsupportedError(
            "unknown parameter functions in an energy are not supported",
            energy.span,
            "use unknown scalars (`param alpha unknown`) or `energy H = learned`",
        )
    return unknown
