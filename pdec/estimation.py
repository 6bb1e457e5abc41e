"""Estimate a spec's unknown scalar parameters from gridded (and noisy) trajectory data.

``param nu unknown(positive)`` with data from ``pdec data``: the fit minimises the mean
squared PDE residual over the data grid, every derivative taken from the data — by
mollifier convolutions (:mod:`pdec.runtime.operator.mollifier`: robust to noise, as each
derivative averages over the bump) or by second-order finite differences (for
comparison: noise of size σ becomes σ/h^order in the derivatives).

The stages, one call each:

1. load the spec and the data, check one against the other (:func:`_load`);
2. the residual of each ``pde``, known constants and parameters substituted, the
   unknowns kept as symbols (:meth:`pdec.Spec.residual`);
3. every field and field derivative the residuals use, computed once on the grid
   (:func:`_grid_terms`): time is a bounded axis, space periodic;
4. the residuals evaluated by a small tree-walking evaluator (:func:`evaluate`), the
   unknowns as torch scalars, and mean(residual²) over interior times minimised by
   L-BFGS in float64 (positive unknowns as exp(log θ)).

The mollifier smooths every term alike — u_t is ∂_t(φ * u), u_xx is ∂_xx(φ * u), and u
in a product is φ * u — so the residual is that of the mollified field.

>>> import pdec  # doctest: +SKIP
>>> pdec.estimate("specs/heat_inverse.pde", "heat.npz")  # doctest: +SKIP
{'nu': 0.1000...}
"""

from __future__ import annotations

import math
from functools import singledispatch
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import sympy

from pdec.errors import DataError, InvalidValueError, SpecError, UnsupportedError
from pdec.ir.vocabulary import FUNCTIONS, NODES, Function

if TYPE_CHECKING:
    import torch

# torch is imported where it is used, so that `import pdec` stays light.

METHODS = ("mollifier", "finite")


def estimate(
    spec,
    data,
    derivatives: str = "mollifier",
    radius: float = 4.5,
    iterations: int = 200,
) -> dict[str, float]:
    """The spec's unknown scalar parameters fitted to trajectory data.

    ``spec``: a :class:`pdec.Spec` or a path; ``data``: a trajectories NPZ path or a
    :class:`pdec.reference.trajectories.Trajectories`; ``derivatives``: "mollifier" or
    "finite"; ``radius``: the mollifier's half-width in grid cells (per axis). The
    default 4.5 keeps 9 points per stencil; integer radii put the outermost points at
    the bump's edge, where it vanishes, and lose them (4.0 keeps 7 points over the same
    width, and its second-derivative stencil is ~4 % off at a mode of 10 cells, 19 % at
    8: heat's nu comes out 8 % low where 4.5 gives 0.1 %).
    Returns {name: value}, in the order the spec declares the unknowns.
    """
    if derivatives not in METHODS:
        raise SpecError(
            f"unknown derivative method {derivatives!r}",
            hint=f"use one of: {', '.join(METHODS)}",
        )
    spec, trajectories = _load(spec, data)
    unknowns = _unknowns(spec)
    pdes = [e for e in spec.ir.equations if e.kind == "pde"]
    if not pdes:
        raise UnsupportedError(
            f"the spec {spec.name} has no pde to fit",
            hint="estimation fits the residual of `pde` statements to the data",
        )
    residuals = [spec.residual(e.name, substitute=True) for e in pdes]
    terms = _grid_terms(spec, trajectories, residuals, derivatives, float(radius))
    edge = _edge(derivatives, float(radius))
    if trajectories.u.shape[1] <= 2 * edge + 1:
        raise DataError(
            f"the data have {trajectories.u.shape[1]} times, too few for derivatives in t "
            f"with {derivatives} (it drops {edge} at each end)",
            hint="use more steps, or a smaller --radius",
        )
    return _fit(unknowns, residuals, terms, edge, iterations)


def _load(spec, data):
    from pdec.reference.reading import load_trajectories
    from pdec.reference.trajectories import Trajectories
    from pdec.spec import Spec, load

    if not isinstance(spec, Spec):
        spec = load(spec)
    if isinstance(data, Trajectories):
        data.check(spec)
        trajectories = data
    else:
        trajectories = load_trajectories(Path(data), spec)
    if spec.ir.time is None or not trajectories.space:
        raise UnsupportedError(
            "estimation needs fields of time and space on a grid",
            hint="use a spec with `time t in [...]` and a periodic region, and its "
            "`pdec data` trajectories",
        )
    return spec, trajectories


def _unknowns(spec):
    unknowns = [p for p in spec.ir.parameters if p.unknown]
    if not unknowns:
        raise SpecError(
            f"the spec {spec.name} has no unknown parameters to estimate",
            hint="declare one, e.g. `param nu unknown(positive)` instead of `const nu = 0.1`",
        )
    for param in unknowns:
        if param.args:
            raise UnsupportedError(
                f"'{param.name}' is an unknown function of {', '.join(map(str, param.args))}",
                param.span,
                "estimation fits scalar unknowns only; train the PINN target for unknown functions",
            )
    return unknowns


def _edge(method: str, radius: float) -> int:
    """Times dropped at each end: where the stencil in t reaches past the data."""
    return math.ceil(radius) - 1 if method == "mollifier" else 1


def _grid_terms(spec, trajectories, residuals, method: str, radius: float) -> dict:
    """Each field, field derivative and coordinate the residuals use → a float64 tensor
    (trajectory, time, *grid)."""
    import torch

    time = spec.ir.time.symbol
    space = tuple(sympy.Symbol(name) for name in trajectories.space)
    axes = (time, *space)
    spacing = (
        trajectories.dt,
        *((hi - lo) / n for (lo, hi), n in zip(trajectories.domain, trajectories.grid)),
    )
    periodic = (False,) + (True,) * len(space)
    fields = {name: i for i, name in enumerate(trajectories.fields)}
    u = torch.as_tensor(trajectories.u, dtype=torch.float64)
    shape = (1, u.shape[1], *trajectories.grid)
    terms: dict = {}
    for i, symbol in enumerate(axes):
        values = trajectories.t if i == 0 else trajectories.coordinates[i - 1]
        view = [1] * len(shape)
        view[i + 1] = -1
        terms[symbol] = torch.as_tensor(values, dtype=torch.float64).reshape(view)

    def grid_values(node) -> torch.Tensor:
        function, orders = node, {}
        if isinstance(node, sympy.Derivative):
            function = node.expr
            for variable, count in node.variable_count:
                orders[variable] = orders.get(variable, 0) + int(count)
        name = function.func.__name__
        if name not in fields:
            raise UnsupportedError(
                f"'{name}' in a residual is not a field of the data",
                hint=f"the data hold {', '.join(fields)}",
            )
        if tuple(function.args) != axes[: len(function.args)] or len(function.args) != len(axes):
            raise UnsupportedError(
                f"the field {function} is not a function of ({', '.join(map(str, axes))})",
                hint="estimation needs every field to depend on time and all of space",
            )
        alpha = tuple(orders.get(a, 0) for a in axes)
        return _derivative(u[:, :, fields[name]], alpha, spacing, periodic, method, radius)

    for residual in residuals:
        nodes = residual.atoms(sympy.Derivative) | residual.atoms(sympy.core.function.AppliedUndef)
        for node in nodes:
            if node not in terms:
                terms[node] = grid_values(node)
    return terms


def _derivative(u, alpha, spacing, periodic, method, radius) -> torch.Tensor:
    """∂^α u over the last len(α) axes; orders above 2 as repeated steps of 2 and 1."""
    from pdec.runtime.operator.derivatives import finite_difference
    from pdec.runtime.operator.mollifier import mollified_derivative

    steps = []
    remaining = list(alpha)
    while any(remaining):
        step = tuple(min(order, 2) for order in remaining)
        steps.append(step)
        remaining = [order - s for order, s in zip(remaining, step)]
    if method == "mollifier":
        if not steps:
            steps = [(0,) * len(alpha)]  # the field itself: smoothed like every term
        for step in steps:
            u = mollified_derivative(u, step, spacing, periodic, radius)
        return u
    for step in steps:
        for d, order in enumerate(step):
            axis = u.dim() - len(alpha) + d
            u = finite_difference(u, axis, order, spacing[d], periodic[d])
    return u


def _fit(unknowns, residuals, terms, edge: int, iterations: int) -> dict[str, float]:
    import torch

    raw = []
    for param in unknowns:
        guess = float(param.guess) if param.guess is not None else (1.0 if param.positive else 0.0)
        if param.positive and guess <= 0:
            raise InvalidValueError(
                f"the first guess of the positive unknown '{param.name}' is {guess:g}",
                param.span,
                "give a positive guess",
            )
        raw.append(math.log(guess) if param.positive else guess)
    theta = torch.tensor(raw, dtype=torch.float64, requires_grad=True)

    def values() -> dict:
        return {
            p.symbol: (torch.exp(theta[i]) if p.positive else theta[i])
            for i, p in enumerate(unknowns)
        }

    def loss() -> torch.Tensor:
        scope = {**terms, **values()}
        total = 0
        for residual in residuals:
            r = evaluate(residual, scope)
            r = torch.as_tensor(r, dtype=torch.float64)
            if r.dim() >= 2 and r.shape[1] > 2 * edge:
                r = r[:, edge : r.shape[1] - edge]
            total = total + (r**2).mean()
        return total

    optimizer = torch.optim.LBFGS(
        [theta],
        lr=1.0,
        max_iter=iterations,
        line_search_fn="strong_wolfe",
        tolerance_grad=1e-14,
        tolerance_change=1e-16,
    )

    def closure():
        optimizer.zero_grad()
        value = loss()
        value.backward()
        return value

    optimizer.step(closure)
    with torch.no_grad():
        fitted = values()
    result = {p.name: float(fitted[p.symbol]) for p in unknowns}
    if not all(np.isfinite(v) for v in result.values()):
        raise InvalidValueError(
            f"the fit diverged: {result}",
            hint="give the unknowns a better `guess`, or use --derivatives mollifier",
        )
    return result


# ---- a strict evaluator of residuals over grid arrays -------------------------------------


@singledispatch
def evaluate(expr, scope: dict):
    """The value of a SymPy residual, with ``scope`` mapping symbols, fields and
    derivatives to tensors. Only arithmetic and the functions of
    :data:`pdec.ir.vocabulary.FUNCTIONS` are understood (one rule per entry).

    >>> import torch
    >>> x = sympy.Symbol("x")
    >>> float(evaluate(2 * sympy.sin(x) + x**2, {x: torch.tensor(0.0)}))
    0.0
    """
    if expr in scope:
        return scope[expr]
    raise UnsupportedError(
        f"cannot evaluate {expr} ({type(expr).__name__}) on gridded data",
        hint="estimation understands +, *, ^, numbers, fields, their derivatives and "
        + ", ".join(FUNCTIONS),
    )


def _vocabulary_rule(entry: Function):
    def rule(expr, scope):
        if expr in scope:
            return scope[expr]
        import torch

        arguments = [torch.as_tensor(evaluate(a, scope), dtype=torch.float64) for a in expr.args]
        return getattr(torch, entry.torch)(*arguments)

    return rule


for _node, _entry in NODES.items():
    evaluate.register(_node)(_vocabulary_rule(_entry))


@evaluate.register
def _(expr: sympy.Add, scope):
    total = 0
    for arg in expr.args:
        total = total + evaluate(arg, scope)
    return total


@evaluate.register
def _(expr: sympy.Mul, scope):
    product = 1
    for arg in expr.args:
        product = product * evaluate(arg, scope)
    return product


@evaluate.register
def _(expr: sympy.Pow, scope):
    base, exponent = evaluate(expr.base, scope), evaluate(expr.exp, scope)
    return base**exponent


@evaluate.register
def _(expr: sympy.Number, scope):
    return float(expr)


@evaluate.register
def _(expr: sympy.NumberSymbol, scope):
    return float(expr)
