"""Change of coordinates: rewrite an expression in (x, y) into new variables (r, θ).

A :class:`CoordinateMap` gives the old variables as functions of the new ones,
``x = x(r, θ)``, ``y = y(r, θ)``. :func:`transform` applies the chain rule

    ∂/∂x_i = Σ_j (∂ξ_j/∂x_i) ∂/∂ξ_j,

where ∂ξ/∂x is the inverse of the Jacobian ∂x/∂ξ, written in the new variables ξ, so
that a residual such as ``div(mu*grad(u))`` becomes one a model can evaluate on a grid
or a sampler in (r, θ). Unknown functions keep their names: ``u(x, y)`` becomes
``u(r, theta)``, meaning the same field read in the new variables.

A polar-type map is many-to-one across a *cut* (θ = 0 and θ = 2π are the same points).
A jump across a fault that lies on the cut is then a difference between the two ends
of the angle's range: :func:`cut_sides` decides which end is the plus side of the
curve, :func:`apply_cut` substitutes them into the one-sided values.

Example, the fault of Okazaki et al. (Nat. Commun. 2022), polar about (0, -D):

>>> import sympy
>>> r, theta, x, y, D = sympy.symbols("r theta x y D")
>>> polar = CoordinateMap("polar", (r, theta), (x, y),
...                       (r*sympy.sin(theta), -D + r*sympy.cos(theta)))
>>> u = sympy.Function("u")(x, y)
>>> transform(sympy.Derivative(u, x), polar)
sin(theta)*Derivative(u(r, theta), r) + cos(theta)*Derivative(u(r, theta), theta)/r
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy.core.function import AppliedUndef

from pdec.errors import CoordinateError, UnsupportedError
from pdec.symbolic.traces import OneSided


@dataclass(frozen=True)
class CoordinateMap:
    """Old variables as functions of new ones: ``old[i] = forward[i](new)``.

    ``forward`` may contain constant symbols (``D`` in a polar map about (0, -D)) but
    no old variable. The map is checked for shape here; :func:`inverse_jacobian`
    checks that it is invertible (a Jacobian determinant not identically zero).
    """

    name: str
    new: tuple[sympy.Symbol, ...]
    old: tuple[sympy.Symbol, ...]
    forward: tuple[sympy.Expr, ...]

    def __post_init__(self) -> None:
        for role, symbols in (("new", self.new), ("old", self.old)):
            if not all(isinstance(s, sympy.Symbol) for s in symbols):
                raise CoordinateError(f"the {role} variables of map '{self.name}' must be names")
            if len(set(symbols)) != len(symbols):
                raise CoordinateError(f"map '{self.name}' repeats a {role} variable")
        if len(self.forward) != len(self.old) or len(self.new) != len(self.old):
            raise CoordinateError(
                f"map '{self.name}' gives {len(self.forward)} components for "
                f"{len(self.old)} old and {len(self.new)} new variables",
                hint="give one expression per old variable, as many as there are new ones",
            )
        if set(self.new) & set(self.old):
            raise CoordinateError(f"map '{self.name}' uses a name as both old and new variable")
        # the components are SymPy expressions built from the IR (numbers have no symbols);
        # never text to parse
        mentioned = set().union(
            *(f.free_symbols for f in self.forward if isinstance(f, sympy.Basic))
        )
        circular = mentioned & set(self.old)
        if circular:
            names = ", ".join(sorted(str(s) for s in circular))
            raise CoordinateError(
                f"map '{self.name}' uses old variable(s) {names} on its right-hand side",
                hint="write the old variables as functions of the new ones only",
            )
        for variable in self.new:
            if variable not in mentioned:
                raise CoordinateError(
                    f"map '{self.name}' does not depend on {variable}",
                    hint="every new variable must appear in the map",
                )


def jacobian(cmap: CoordinateMap) -> sympy.ImmutableMatrix:
    """∂(old)/∂(new): entry (i, j) is ∂x_i/∂ξ_j, in the new variables."""
    return _jacobian(cmap)


def inverse_jacobian(cmap: CoordinateMap) -> sympy.ImmutableMatrix:
    """∂(new)/∂(old): entry (j, i) is ∂ξ_j/∂x_i, written in the new variables.

    Computed as adj(J)/det(J) with each entry simplified, so that polar coordinates
    give the familiar ``[[sin θ, cos θ], [cos θ/r, -sin θ/r]]`` (for x = r sin θ).
    Raises :class:`CoordinateError` when det J is identically zero.
    """
    return _inverse_jacobian(cmap)


@lru_cache(maxsize=64)
def _jacobian(cmap: CoordinateMap) -> sympy.ImmutableMatrix:
    return sympy.ImmutableMatrix(sympy.Matrix(cmap.forward).jacobian(cmap.new))


@lru_cache(maxsize=64)
def _inverse_jacobian(cmap: CoordinateMap) -> sympy.ImmutableMatrix:
    matrix = sympy.Matrix(_jacobian(cmap))
    determinant = matrix.det()
    candidates = (sympy.trigsimp(determinant), _pythagorean(sympy.cancel(determinant)))
    determinant = sympy.factor_terms(min(candidates, key=sympy.count_ops))
    if determinant == 0 or sympy.simplify(determinant) == 0:
        raise CoordinateError(
            f"map '{cmap.name}' is not invertible: its Jacobian determinant is zero",
            hint="the new variables must be independent, as r and theta are in polar",
        )
    inverse = matrix.adjugate() / determinant
    return sympy.ImmutableMatrix(inverse.applyfunc(_simplify_coefficient))


def transform(expr: sympy.Expr, cmap: CoordinateMap) -> sympy.Expr:
    """``expr``, written in the old variables, rewritten in the new ones.

    * An unknown function whose arguments include every old variable, each once as a
      plain symbol, is renamed slot by slot: ``u(t, x, y)`` becomes ``u(t, r, theta)``
      (other arguments, such as t or a fixed time 0, are kept).
    * An unknown function of some old variables only, ``a(x)``, is composed with the
      map, ``a(r*sin(theta))``: it keeps its meaning as a function of x.
    * A derivative in old variables becomes its chain-rule expansion, applied once per
      order; derivatives in other variables (t) commute with it and are kept.
    * Any other old variable is replaced by its expression in the new variables.

    The result is collected by the unknown functions and their derivatives, each
    coefficient simplified on its own (cheaper and more predictable than simplifying
    the whole). Works inside ``OneSided``, ``sin``, ``atan2`` or any other function.
    """
    inverse = inverse_jacobian(cmap)
    rewriter = _Rewriter(cmap, inverse)
    return collect_by_unknowns(rewriter.rewrite(sympy.sympify(expr, strict=True)))


def collect_by_unknowns(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` as Σ c_k m_k, m_k products of unknowns, each c_k simplified."""
    expanded = sympy.expand(expr, power_base=False, power_exp=False, log=False)
    unknowns = tuple(expanded.atoms(AppliedUndef))
    groups: dict[sympy.Expr, list[sympy.Expr]] = {}
    for term in sympy.Add.make_args(expanded):
        coefficient, monomial = term.as_independent(*unknowns, as_Add=False)
        groups.setdefault(monomial, []).append(coefficient)
    return sympy.Add(
        *(
            _simplify_coefficient(sympy.Add(*coefficients)) * monomial
            for monomial, coefficients in groups.items()
        )
    )


def cut_sides(
    cmap: CoordinateMap,
    angle: sympy.Symbol,
    cut_value: sympy.Expr,
    normal: tuple[sympy.Expr, sympy.Expr],
    point: tuple[sympy.Expr, sympy.Expr],
    constants: Mapping[sympy.Symbol, sympy.Expr] | None = None,
) -> tuple[sympy.Expr, sympy.Expr]:
    """(plus value, minus value) of ``angle`` on a curve lying on ``angle = cut_value``.

    The angle ranges over [cut_value, cut_value + 2π). Crossing the curve along its
    normal n increases the angle when n · e_angle > 0 (e_angle = ∂(x, y)/∂angle at
    ``point``, a point of the curve given in old variables): then the plus side is
    reached as angle → cut_value⁺ and the minus side as angle → (cut_value + 2π)⁻.

    ``constants`` gives values for constant symbols of the map (D = 1). A sign that
    still depends on a constant is decided taking the constants positive, as lengths
    such as D are; :class:`CoordinateError` when it cannot be decided at all.
    """
    if angle not in cmap.new:
        raise CoordinateError(f"the cut variable {angle} is not a variable of map '{cmap.name}'")
    if len(normal) != len(cmap.old) or len(point) != len(cmap.old):
        raise CoordinateError(
            f"the cut's normal and point need {len(cmap.old)} components, as map '{cmap.name}' has"
        )
    cut_value = sympy.sympify(cut_value, strict=True)
    values = dict(constants or {})
    others = [v for v in cmap.new if v != angle]
    equations = [
        (f.subs(angle, cut_value) - p).subs(values)
        for f, p in zip(cmap.forward, point, strict=True)
    ]
    solutions = sympy.solve(equations, others, dict=True)
    if not solutions:
        raise CoordinateError(
            f"the point {tuple(point)} is not on {angle} = {cut_value} of map '{cmap.name}'",
            hint="place the cut along the curve the jump is taken on",
        )
    tangent = [sympy.diff(f, angle).subs(angle, cut_value).subs(values) for f in cmap.forward]
    sides = {
        _sign(sum(n * e for n, e in zip(normal, tangent, strict=True)).subs(s)) for s in solutions
    }
    sides.discard(None)
    if len(sides) != 1 or 0 in sides:
        raise CoordinateError(
            f"cannot tell which side of the cut {angle} = {cut_value} is the plus side",
            hint="the curve's normal must cross the cut; give numeric constants",
        )
    upper = cut_value + 2 * sympy.pi
    return (cut_value, upper) if sides.pop() > 0 else (upper, cut_value)


def apply_cut(
    expr: sympy.Expr,
    angle: sympy.Symbol,
    plus_value: sympy.Expr,
    minus_value: sympy.Expr,
) -> sympy.Expr:
    """One-sided values on the cut made explicit: e⁺ = e(angle = plus_value), e⁻ likewise.

    ``Derivative(u(r, theta), theta)`` at theta = 0 becomes a ``Subs`` (the derivative
    evaluated at 0), not the derivative of u(r, 0). Outside one-sided values the angle
    is set to ``plus_value``: those factors are functions of the point (coefficients
    of the chain rule, sin θ, cos θ), equal at both ends of the angle's range.
    """
    placeholders: dict[sympy.Symbol, sympy.Expr] = {}
    hidden: dict[sympy.Expr, sympy.Symbol] = {}
    for one_sided in expr.atoms(OneSided):
        value = plus_value if one_sided.side > 0 else minus_value
        placeholder = sympy.Dummy("one_sided")
        hidden[one_sided] = placeholder
        placeholders[placeholder] = one_sided.args[0].subs(angle, value)
    on_cut = expr.xreplace(hidden).subs(angle, plus_value)
    return on_cut.xreplace(placeholders)


class _Rewriter:
    """The recursive rewrite behind :func:`transform`, with a cache per call."""

    def __init__(self, cmap: CoordinateMap, inverse: sympy.ImmutableMatrix):
        self.cmap = cmap
        self.inverse = inverse
        self.index = {old: i for i, old in enumerate(cmap.old)}
        self.substitution = dict(zip(cmap.old, cmap.forward, strict=True))
        self.moving = set().union(
            *(sympy.sympify(f, strict=True).free_symbols for f in cmap.forward)
        )
        self.moving |= set().union(*(e.free_symbols for e in inverse))
        self.renamed: set[str] = set()
        self.composed: set[str] = set()
        self.cache: dict[sympy.Basic, sympy.Basic] = {}

    def rewrite(self, expr: sympy.Basic) -> sympy.Basic:
        if expr not in self.cache:
            self.cache[expr] = self._rewrite(expr)
        return self.cache[expr]

    def _rewrite(self, expr: sympy.Basic) -> sympy.Basic:
        if expr in self.index:
            return self.substitution[expr]
        if not expr.free_symbols & set(self.cmap.old):
            return expr
        if isinstance(expr, sympy.Derivative):
            return self._derivative(expr)
        if isinstance(expr, AppliedUndef):
            return self._unknown(expr)
        bound = set(getattr(expr, "bound_symbols", ())) | set(getattr(expr, "variables", ()))
        if bound & set(self.cmap.old):
            raise UnsupportedError(
                f"cannot change coordinates in {expr}: it binds an old variable",
                hint="write integrals and substitutions in the new coordinates",
            )
        return expr.func(*(self.rewrite(arg) for arg in expr.args))

    def _derivative(self, expr: sympy.Derivative) -> sympy.Expr:
        result = self.rewrite(expr.expr)
        spatial: list[tuple[int, int]] = []
        for variable, count in expr.variable_count:
            if variable in self.index:
                spatial.append((self.index[variable], int(count)))
            elif variable in self.moving:
                raise UnsupportedError(
                    f"map '{self.cmap.name}' depends on {variable}, a derivative variable",
                    hint="moving coordinates are not supported; use a map of space only",
                )
            else:
                result = sympy.diff(result, variable, count)
        for i, count in spatial:
            for _ in range(count):
                result = self._chain_rule(result, i)
        return result

    def _chain_rule(self, expr: sympy.Expr, i: int) -> sympy.Expr:
        """∂expr/∂x_i = Σ_j (∂ξ_j/∂x_i) ∂expr/∂ξ_j."""
        return sympy.Add(
            *(
                self.inverse[j, i] * sympy.diff(expr, new)
                for j, new in enumerate(self.cmap.new)
                if self.inverse[j, i] != 0
            )
        )

    def _unknown(self, expr: AppliedUndef) -> sympy.Expr:
        old = set(self.cmap.old)
        slots = [arg for arg in expr.args if arg in old]
        mixed = [arg for arg in expr.args if arg not in old and arg.free_symbols & old]
        name = expr.func.__name__
        if mixed:
            raise CoordinateError(
                f"cannot change coordinates in {expr}: an argument mixes old variables",
                hint="call unknown functions with plain variables, e.g. u(x, y)",
            )
        if sorted(slots, key=str) == sorted(self.cmap.old, key=str):
            self._record(name, self.renamed, self.composed)
            renamed = [self.cmap.new[self.index[a]] if a in old else a for a in expr.args]
            return expr.func(*renamed)
        if not all(isinstance(arg, sympy.Symbol) for arg in expr.args):
            raise CoordinateError(
                f"cannot change coordinates in {expr}: it fixes some old variables",
                hint="state conditions on lines and points in the new coordinates",
            )
        self._record(name, self.composed, self.renamed)
        return expr.func(*(self.substitution.get(arg, arg) for arg in expr.args))

    def _record(self, name: str, kind: set[str], other: set[str]) -> None:
        if name in other:
            raise CoordinateError(
                f"'{name}' is called both with all and with some of the old variables",
                hint="call each unknown function with the same variables everywhere",
            )
        kind.add(name)


def _simplify_coefficient(coefficient: sympy.Expr) -> sympy.Expr:
    """A coefficient of the chain rule, brought to a short exact form, quickly.

    Chain-rule coefficients are rational functions of sin/cos (or sinh/cosh) of the
    new variables, possibly times explicit functions such as tanh(...). They collapse
    through sin² + cos² = 1 and cosh² − sinh² = 1, which :func:`_pythagorean` applies
    exactly; ``trigsimp`` finds the same but can take seconds on such coefficients.
    """
    if coefficient.is_Rational:
        return coefficient
    rational = sympy.cancel(coefficient)
    return sympy.factor_terms(min(rational, _pythagorean(rational), key=sympy.count_ops))


def _pythagorean(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with cos²a → 1 − sin²a and cosh²a → 1 + sinh²a, then cancelled.

    Writing even powers of cos and cosh through sin and sinh is a normal form modulo
    the Pythagorean identities, so ``cancel`` then sees every common factor.
    """

    def is_even_power(e: sympy.Basic) -> bool:
        return (
            e.is_Pow
            and isinstance(e.base, (sympy.cos, sympy.cosh))
            and e.exp.is_Integer
            and e.exp >= 2
        )

    def reduce(power: sympy.Pow) -> sympy.Expr:
        base, exponent = power.base, int(power.exp)
        argument = base.args[0]
        if isinstance(base, sympy.cos):
            square = 1 - sympy.sin(argument) ** 2
        else:
            square = 1 + sympy.sinh(argument) ** 2
        return base ** (exponent % 2) * square ** (exponent // 2)

    numerator, denominator = sympy.fraction(expr)
    numerator = sympy.expand(numerator.replace(is_even_power, reduce))
    denominator = sympy.expand(denominator.replace(is_even_power, reduce))
    return sympy.cancel(numerator / denominator)


def _sign(value: sympy.Expr) -> int | None:
    """+1, -1 or 0 when decidable, taking free symbols positive if need be."""
    for candidate in (value, _positive(value)):
        if candidate.is_zero:
            return 0
        if candidate.is_positive:
            return 1
        if candidate.is_negative:
            return -1
    return None


def _positive(value: sympy.Expr) -> sympy.Expr:
    return value.xreplace({s: sympy.Dummy(s.name, positive=True) for s in value.free_symbols})


__all__ = [
    "CoordinateMap",
    "apply_cut",
    "collect_by_unknowns",
    "cut_sides",
    "inverse_jacobian",
    "jacobian",
    "transform",
]
