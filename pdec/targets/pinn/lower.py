"""Lowering a residual for the PINN: every field value and derivative becomes a named
local, computed once.

A residual refers to fields at *sites*: the sampled points themselves (``u(r, θ)``)
or points derived from them, such as the two sides of a cut (``u(r, 0)`` and
``u(r, 2π)``). Each site is one network evaluation, which gives all the site's jets
(``PinnModel.network_jets``)::

    fields   = self.network_jets({"r": r, "theta": theta}, {"u_rr": ("u", "r", "r"), ...})
    u_rr     = fields["u_rr"]

:func:`lower_residual` returns the residual with these locals as symbols, the sites,
and the jets it uses, by order.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from pdec.codegen.derivatives import along, derivative_name
from pdec.errors import UnsupportedError


@dataclass(frozen=True)
class Site:
    """Network inputs as expressions of the sampled inputs; ``name`` suffixes locals."""

    values: tuple[sympy.Expr, ...]
    name: str


@dataclass(frozen=True)
class Jet:
    """∂^orders field at site, stored in the local ``local``."""

    field: str
    site: Site
    orders: tuple[int, ...]
    local: str


@dataclass(frozen=True)
class LoweredResidual:
    expr: sympy.Expr  # in terms of jet locals and sampled inputs
    sites: tuple[Site, ...]
    jets: tuple[Jet, ...]  # by order


def lower_residual(
    residual: sympy.Expr,
    fields: tuple[str, ...],
    inputs: tuple[sympy.Symbol, ...],
    site_names: dict[tuple, str],
) -> LoweredResidual:
    """Replace field values and derivatives in ``residual`` by jet locals.

    ``inputs`` are the network inputs (the sampled points' coordinates);
    ``site_names`` names sites other than the points themselves, e.g.
    ``{(r, 0): "plus", (r, 2*pi): "minus"}``.
    """
    generic = Site(tuple(inputs), "")
    sites: dict[tuple, Site] = {generic.values: generic}
    jets: dict[tuple, Jet] = {}

    def site_for(values: tuple) -> Site:
        if values not in sites:
            name = site_names.get(values) or f"at{len(sites)}"
            sites[values] = Site(values, name)
        return sites[values]

    def jet(field: str, site: Site, orders: tuple[int, ...]) -> Jet:
        key = (field, site.values, orders)
        if key not in jets:
            jets[key] = Jet(field, site, orders, _local(field, orders, inputs, site))
        return jets[key]

    replacements: dict[sympy.Expr, sympy.Symbol] = {}

    def visit(node) -> None:
        found = _match(node, fields, inputs)
        if found is None:
            for arg in node.args:
                visit(arg)
            return
        # A matched node (a Subs, a Derivative) is replaced whole: its inside is not a jet.
        field, values, orders = found
        replacements[node] = sympy.Symbol(jet(field, site_for(values), orders).local)

    visit(residual)
    lowered = residual.xreplace(replacements)
    leftover = lowered.atoms(AppliedUndef, sympy.Derivative, sympy.Subs)
    if leftover:
        raise UnsupportedError(
            f"the PINN target cannot evaluate {sorted(map(str, leftover))[0]}",
            None,
            "fields must be evaluated at the sampled points or on a cut",
        )
    ordered = sorted(jets.values(), key=lambda j: (sum(j.orders), j.local))
    used_sites = tuple(s for s in sites.values() if any(j.site is s for j in ordered))
    return LoweredResidual(lowered, used_sites, tuple(ordered))


def _match(node, fields, inputs):
    """(field, site values, orders) if ``node`` is a field value or derivative."""
    if isinstance(node, AppliedUndef) and node.func.__name__ in fields:
        return node.func.__name__, tuple(node.args), (0,) * len(inputs)
    if isinstance(node, sympy.Derivative) and _is_field(node.expr, fields, inputs):
        return node.expr.func.__name__, tuple(inputs), _orders(node, inputs)
    if isinstance(node, sympy.Subs) and isinstance(node.expr, sympy.Derivative):
        inner = node.expr
        if _is_field(inner.expr, fields, inputs):
            values = dict(zip(node.variables, node.point))
            return (
                inner.expr.func.__name__,
                tuple(values.get(v, v) for v in inputs),
                _orders(inner, inputs),
            )
    return None


def _is_field(expr, fields, inputs) -> bool:
    return (
        isinstance(expr, AppliedUndef)
        and expr.func.__name__ in fields
        and tuple(expr.args) == tuple(inputs)
    )


def _orders(derivative: sympy.Derivative, inputs) -> tuple[int, ...]:
    counts = dict(derivative.variable_count)
    return tuple(int(counts.get(v, 0)) for v in inputs)


def _local(field: str, orders, inputs, site: Site) -> str:
    """u, u_x, u_xt, u_r_theta (:func:`pdec.codegen.derivatives.derivative_name`), then
    the site's suffix: u_theta_plus."""
    name = derivative_name(field, along(orders, [v.name for v in inputs]))
    return name + (f"_{site.name}" if site.name else "")
