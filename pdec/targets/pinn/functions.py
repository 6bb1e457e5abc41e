"""The functions a PINN residual evaluates besides the network's own outputs, and how
they are all made functions of every user coordinate before lowering.

* **fields of fewer arguments** (``field u(t, x, y), a(x, y)``): each has its own
  network of its own arguments (``PinnModel.field_arguments``), like an unknown
  parameter field. Feeding ``a`` from the shared network, or from it with ``t`` pinned,
  would let ``a`` depend on ``t`` or tie it to ``u``'s hidden features; a separate
  network of (x, y) makes ∂a/∂t exactly zero, whatever the training does.
* **parameters read from a table** (``param k(x, y) = table("k.csv")``): interpolated
  at the sampled points by the model (``PinnModel.coefficient_tables``,
  :mod:`pdec.runtime.interpolation`), with the interpolant's exact derivatives
  (``coefficient_jets``).

Lowering (:mod:`.lower`) treats a function of all the network inputs alike, whatever
computes it: :func:`promote_functions` writes ``a(x, y)`` as ``a(t, x, y)`` after the
residual is derived (so ∂a/∂t is already gone).
"""

from __future__ import annotations

import sympy

from pdec.ir import nodes as ir
from pdec.targets.pinn.inputs import network_outputs, unknown_fields, user_coordinates


def partial_fields(s: ir.SpecIR) -> tuple[ir.Field, ...]:
    """The fields that do not take every user coordinate (each its own network)."""
    everything = set(user_coordinates(s))
    return tuple(f for f in s.fields if {v.name for v in f.args} != everything)


def table_parameters(s: ir.SpecIR) -> tuple[ir.Parameter, ...]:
    """The parameters read from a table (``param k(x, y) = table("k.csv")``)."""
    return tuple(p for p in s.parameters if p.table is not None)


def evaluated_functions(s: ir.SpecIR) -> tuple[str, ...]:
    """Every function a residual may evaluate at a site: the network's outputs
    (fields, then unknown parameter fields), then the tabulated parameters."""
    return network_outputs(s) + tuple(p.name for p in table_parameters(s))


def own_argument_functions(s: ir.SpecIR) -> bool:
    """Whether something sees the user's coordinates rather than the network inputs:
    an unknown field, a field of fewer arguments or a table (``from_network`` needed
    where the network sees another coordinate system)."""
    return bool(unknown_fields(s) or partial_fields(s) or table_parameters(s))


def promote_functions(s: ir.SpecIR, residual: sympy.Expr) -> sympy.Expr:
    """``mu(y)`` → ``mu(x, y)``, ``a(x, y)`` → ``a(t, x, y)``, after the residual is
    derived (so ∂mu/∂x and ∂a/∂t are already gone): every evaluated function is then a
    function of all the user's coordinates, which coordinate changes and lowering
    treat alike. The generated networks (and tables) still see only their own
    arguments."""
    everything = tuple(sympy.Symbol(name) for name in user_coordinates(s))
    functions = [*s.fields, *unknown_fields(s), *table_parameters(s)]
    promoted = {
        sympy.Function(f.name)(*f.args): sympy.Function(f.name)(*everything)
        for f in functions
        if tuple(f.args) != everything
    }
    return residual.xreplace(promoted) if promoted else residual
