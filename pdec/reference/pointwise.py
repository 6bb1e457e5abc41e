"""Expressions in the fields and their space derivatives, evaluated on numpy arrays.

The reference solvers of :mod:`pdec.reference.discretize` evaluate the nonlinear
terms, energies and claimed quantities of a spec pointwise: each field and each of
its derivatives becomes a jet symbol (a :class:`Jet`), filled with the values the
solver computes (spectrally, or the state itself for ODE systems), and the
expressions are compiled once with ``sympy.lambdify``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy
from sympy import Derivative
from sympy.core.function import AppliedUndef

from pdec.errors import UnsupportedError
from pdec.ir import nodes as ir
from pdec.symbolic.variational import multi_index, to_jet


@dataclass(frozen=True)
class Jet:
    """A field or one of its derivatives: ``field`` (index), ``alpha`` (multi-index)."""

    field: int
    alpha: tuple[int, ...]


@dataclass(frozen=True)
class Pointwise:
    """Expressions in jet symbols, compiled to a numpy function of (space, t, jets)."""

    exprs: tuple[sympy.Expr, ...]
    jets: tuple[Jet, ...]
    function: Callable

    def __call__(
        self,
        coordinates: Sequence[np.ndarray],
        t: float,
        jets: list[np.ndarray],
        shape: tuple[int, ...],
    ) -> list[np.ndarray]:
        """The values, each broadcast to ``shape`` (constants and terms in x alone too)."""
        values = self.function(*coordinates, t, *jets)
        return [np.broadcast_to(np.asarray(v, dtype=float), shape) for v in values]


def compile_pointwise(
    spec: ir.SpecIR, exprs: Sequence[sympy.Expr], space: tuple[sympy.Symbol, ...]
) -> Pointwise:
    """Replace fields and their space derivatives by jet symbols and compile."""
    fields = [f.function for f in spec.fields]
    jet_exprs, back = to_jet(sympy.Tuple(*exprs), fields, space)
    leftover = jet_exprs.atoms(Derivative)
    if leftover:
        raise UnsupportedError(
            f"cannot evaluate {sympy.sstr(next(iter(leftover)))} on the grid",
            hint="the dynamics may use the fields and their space derivatives only",
        )
    others = jet_exprs.atoms(AppliedUndef)
    if others:
        raise UnsupportedError(
            f"{sympy.sstr(next(iter(others)))} has no value",
            hint="give unknown parameters a value (param k = 1) to generate reference data",
        )
    time = (spec.time.symbol,) if spec.time else (sympy.Symbol("t"),)
    unknown = jet_exprs.free_symbols - set(back) - set(space) - set(time)
    if unknown:
        names = ", ".join(sorted(map(str, unknown)))
        raise UnsupportedError(
            f"{names} has no value", hint="give unknown parameters a value (param k = 1)"
        )
    index = {f: i for i, f in enumerate(fields)}
    used = jet_exprs.free_symbols
    symbols, jets = [], []
    for symbol, original in back.items():
        if symbol not in used:
            continue
        if isinstance(original, Derivative):
            jets.append(Jet(index[original.expr], multi_index(original, space)))
        else:
            jets.append(Jet(index[original], (0,) * len(space)))
        symbols.append(symbol)
    function = sympy.lambdify((*space, *time, *symbols), list(jet_exprs), modules="numpy")
    return Pointwise(tuple(jet_exprs), tuple(jets), function)


__all__ = ["Jet", "Pointwise", "compile_pointwise"]
