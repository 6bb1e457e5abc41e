"""Variational derivatives δH/δu and the Euler operator.

For a functional H[u] = ∫ h(x, u, u_x, u_xx, ...) dx over a periodic box, the
variational derivative is given by the Euler operator

    δH/δu = Σ_α (−D)^α ∂h/∂u_α,

summed over the multi-indices α of the derivatives u_α of u that occur in h, where
D is the total derivative. It is what Hamiltonian and gradient-flow dynamics
(``u_t = G δH/δu``) are built from, and its vanishing characterises total
divergences, which is how conservation laws are recognised.

Fields are applied undefined functions such as ``u(t, x)``; time is a parameter and
is never integrated over. With no space variables (an ODE system, ``q(t)``) the
functional is just a function of the state and δH/δq is the partial derivative.

The module also holds small helpers shared with :mod:`pdec.symbolic.structure` and
:mod:`pdec.symbolic.conservation`: jet variables, exact numbers, readable printing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sympy
from sympy import Derivative, Expr, Float, Symbol
from sympy.core.function import AppliedUndef

from pdec.errors import UnsupportedError

MultiIndex = tuple[int, ...]


def expand_derivatives(expr: Expr) -> Expr:
    """Evaluate derivatives of compound expressions, keeping those of bare functions.

    ``Derivative(u**2, x)`` becomes ``2*u*Derivative(u, x)``, so that every derivative
    left in the result is a jet variable: a derivative of one field.
    """
    return expr.replace(
        lambda e: isinstance(e, Derivative) and not isinstance(e.expr, AppliedUndef),
        lambda e: e.doit(),
    )


def exact_numbers(expr: Expr) -> Expr:
    """``expr`` with every Float replaced by the rational it was written as.

    Deciding that an expression vanishes identically needs exact arithmetic:
    ``0.1*3 - 0.3`` is not 0 in floating point. Coefficients in a spec are decimal
    literals, so reading ``0.0005`` as ``1/2000`` is exact, not an approximation.

    >>> exact_numbers(Float("0.0005") * Symbol("a"))
    a/2000
    """
    floats = expr.atoms(Float)
    if not floats:
        return expr
    return expr.xreplace({f: sympy.nsimplify(f, rational=True) for f in floats})


def multi_index(derivative: Derivative, space: Sequence[Symbol]) -> MultiIndex:
    """How many times ``derivative`` differentiates along each of ``space``.

    ``Derivative(u, x, y, x)`` with space (x, y) is (2, 1). Derivatives along a
    variable outside ``space`` raise ``ValueError`` (the callers word the error).
    """
    counts = dict.fromkeys(space, 0)
    for variable, count in derivative.variable_count:
        if variable not in counts:
            raise ValueError(variable)
        counts[variable] += int(count)
    return tuple(counts[v] for v in space)


def differentiate(expr: Expr, space: tuple[Symbol, ...], alpha: MultiIndex) -> Expr:
    """D^α expr (total derivatives); ``sympy.diff`` with no variables would refuse."""
    steps = [(v, a) for v, a in zip(space, alpha, strict=True) if a]
    return sympy.diff(expr, *steps) if steps else expr


def jet_derivatives(expr: Expr, field: AppliedUndef) -> set[Derivative]:
    """The derivatives of ``field`` (and only of it) that occur in ``expr``."""
    return {d for d in expr.atoms(Derivative) if d.expr == field}


def jet_name(field: AppliedUndef, alpha: MultiIndex, space: Sequence[Symbol]) -> str:
    """The textbook name of a jet variable: ``u``, ``u_x``, ``u_xxy``."""
    letters = "".join(v.name * a for v, a in zip(space, alpha, strict=True))
    name = field.func.__name__
    return f"{name}_{letters}" if letters else name


def to_jet(
    expr: Expr, fields: Iterable[AppliedUndef], space: Sequence[Symbol]
) -> tuple[Expr, dict[Symbol, Expr]]:
    """Replace the fields and their derivatives by plain symbols.

    Returns the expression in jet symbols and the map from each symbol back to the
    field or derivative it stands for. ``Derivative(u, x, y)`` and
    ``Derivative(u, y, x)`` are the same jet variable and get the same symbol.
    Derivatives along variables outside ``space`` are left untouched.
    """
    replacement: dict[Expr, Symbol] = {}
    back: dict[Symbol, Expr] = {}
    for field in fields:
        by_index: dict[MultiIndex, Symbol] = {}
        symbol = sympy.Dummy(field.func.__name__)
        by_index[(0,) * len(space)] = symbol
        replacement[field] = symbol
        back[symbol] = field
        for derivative in jet_derivatives(expr, field):
            try:
                alpha = multi_index(derivative, space)
            except ValueError:
                continue
            if alpha not in by_index:
                by_index[alpha] = sympy.Dummy(jet_name(field, alpha, space))
                back[by_index[alpha]] = derivative
            replacement[derivative] = by_index[alpha]
    # xreplace works top down, so a derivative is replaced before its inner field.
    return expr.xreplace(replacement), back


def readable(expr: Expr, fields: Iterable[AppliedUndef], space: Sequence[Symbol]) -> str:
    """``expr`` printed in jet notation, for messages: ``u*u_xx`` for
    ``u(t, x)*Derivative(u(t, x), (x, 2))``."""
    jet, back = to_jet(expr, fields, space)
    names: dict[Symbol, Symbol] = {}
    for symbol, original in back.items():
        if isinstance(original, Derivative):
            alpha = multi_index(original, space)
            names[symbol] = Symbol(jet_name(original.expr, alpha, space))
        else:
            names[symbol] = Symbol(original.func.__name__)
    return sympy.sstr(jet.xreplace(names))


def is_identically_zero(expr: Expr) -> bool:
    """Whether ``expr`` vanishes identically.

    ``expand`` settles polynomials in the jet variables, ``cancel`` rational
    functions; only expressions with other functions (``sin``, ``exp``, roots) need
    the slow ``simplify``, which knows their identities.
    """
    expanded = sympy.expand(expr)
    if expanded == 0:
        return True
    if not _has_transcendental(expanded):
        return sympy.cancel(expanded) == 0
    return sympy.simplify(expanded) == 0


def _has_transcendental(expr: Expr) -> bool:
    """Whether ``expr`` has functions other than fields, or non-integer powers."""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Function) and not isinstance(node, AppliedUndef):
            return True
        if isinstance(node, sympy.Pow) and not node.exp.is_Integer:
            return True
    return False


def variational_derivative(density: Expr, field: AppliedUndef, space: Sequence[Symbol]) -> Expr:
    """δH/δu for H = ∫ density d(space), by the Euler operator Σ_α (−D)^α ∂h/∂u_α.

    Any order, mixed derivatives, explicit dependence on the space variables and
    other fields are allowed; only derivatives of ``field`` are varied. With
    ``space`` empty (an ODE system) this is the partial derivative ∂h/∂q.

    >>> t, x = sympy.symbols("t x")
    >>> u = sympy.Function("u")(t, x)
    >>> variational_derivative(u**3 / 6 - Derivative(u, x) ** 2 / 2, u, (x,))
    u(t, x)**2/2 + Derivative(u(t, x), (x, 2))

    Raises ``UnsupportedError`` if the density differentiates ``field`` along a
    variable that is not a space variable (``u_t`` in an energy density).
    """
    space = tuple(space)
    h = expand_derivatives(density)
    for derivative in jet_derivatives(h, field):
        try:
            multi_index(derivative, space)
        except ValueError as error:
            raise UnsupportedError(
                f"the density contains {sympy.sstr(derivative)}, a derivative of "
                f"{sympy.sstr(field)} along {error.args[0]}, which is not a space "
                "variable",
                hint="an energy density may depend on the fields and their space "
                "derivatives only (no time derivatives)",
            ) from None
    jet, back = to_jet(h, [field], space)
    result = sympy.Integer(0)
    for symbol, original in back.items():
        partial = sympy.diff(jet, symbol)
        if partial == 0:
            continue
        partial = partial.xreplace(back)
        if isinstance(original, Derivative):
            alpha = multi_index(original, space)
            steps = [(v, a) for v, a in zip(space, alpha, strict=True) if a]
            # (−D)^α: total derivatives, since the fields in `partial` depend on x.
            partial = (-1) ** sum(alpha) * sympy.diff(partial, *steps)
        result += partial
    return sympy.expand(result)


def euler_operator_vanishes(
    expr: Expr, fields: Sequence[AppliedUndef], space: Sequence[Symbol]
) -> bool:
    """Whether ``expr`` is a total divergence: its Euler operator with respect to
    every field in ``fields`` is identically 0.

    ``u_x*u_xx = (u_x²/2)_x`` is one; ``u*u_xx = (u*u_x)_x − u_x²`` is not. With
    ``space`` empty (an ODE system) this asks whether ``expr`` is identically 0.
    Floats are read as the rationals they denote (see :func:`exact_numbers`).

    Note that on a periodic box a total divergence with explicit x-dependence (such
    as ``(x*u)_x``) need not integrate to 0; :mod:`pdec.symbolic.conservation`
    accounts for that.
    """
    expr = exact_numbers(expr)
    if not space:
        return is_identically_zero(expr)
    return all(is_identically_zero(variational_derivative(expr, field, space)) for field in fields)
