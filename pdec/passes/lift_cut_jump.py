"""lift_cut_jump: a prescribed jump across a cut, built into the field exactly.

With polar-type coordinates (r, θ) about a pole P and the cut θ = θ₀ along a curve
from P to the domain's boundary (the fault of Okazaki et al. 2022), a condition
``jump(u) = g`` with g free of θ is satisfied identically by

    u = L + N,    L(r, θ) = g · (1/2 − (θ − θ₀)/2π),

where N is any field continuous across the cut — a network of the Cartesian
coordinates. L's two one-sided values at θ₀⁺ and θ₀ + 2π⁻ differ by exactly g, and
other conditions on the cut that L and N satisfy identically (``jump(mu*dn(u)) = 0``
for a continuous μ and a constant g) drop out of the loss. Why not learn u(r, θ) and
penalise the jump, as the paper does: a network of (r, θ) can put a point source at
the pole (an error c·log r) at almost no cost in the r²-cleared equation, and the
error it radiates dominates (benchmarks/fault_accuracy.py measured 8e-2 → 8e-4).

The lift has a source of its own where the operator has variable coefficients:
div(μ∇L) = ∇μ·∇L ~ 1/r at the pole, which a smooth N cannot cancel (it needs
r log r terms). :func:`lift_cut_jump` adds the next term of the expansion,

    E = r log r · (c₁ cos θ + c₂ sin θ) · exp(−(r/R)²),

with c₁, c₂ chosen so that r·(operator applied to L + E) → 0 at the pole (found by
matching the limits r → 0 of r·operator[·] symbolically), so the residual of L + E is
bounded and N smooth; the cut-off exp(−(r/R)²) (R three cut lengths) keeps E local.

:func:`pole_flux` gives the other thing the r-cleared equation loses: for an equation
div(F) = 0, the flux (1/2π)∮ F·n ds through circles about the pole must vanish.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from pdec.ir import nodes as ir
from pdec.passes.derive_residuals import substitute_definitions
from pdec.passes.transform_coordinates import (
    coordinate_map,
    cut_values,
    transform_coordinates,
)
from pdec.symbolic.coordinates import transform
from pdec.symbolic.inverse_map import PolarInverse

CUTOFF_LENGTHS = 3  # the enrichment's cut-off radius R, in lengths of the cut curve


@dataclass(frozen=True)
class CutLift:
    """u = lift + N on the spec's cut; expressions in the network inputs and constants.

    ``lift`` is g(1/2 − (θ − θ₀)/2π); ``enrichment`` the coefficient c₁ cos θ + c₂ sin θ
    of r log r·exp(−(r/cutoff)²), or 0. ``exact`` names the conditions the lift
    satisfies identically (they leave the loss), ``slip`` the one that set g.
    """

    field: str
    slip: str
    jump: sympy.Expr
    lift: sympy.Expr
    enrichment: sympy.Expr
    exact: tuple[str, ...]
    pole: tuple[sympy.Expr, sympy.Expr]
    length: sympy.Expr  # of the cut curve: the near-field length scale
    pole_inside: bool  # strictly inside the domain: circles about it fit

    @property
    def cutoff(self) -> sympy.Expr:
        return CUTOFF_LENGTHS * self.length


def lift_cut_jump(
    spec: ir.SpecIR, system: ir.CoordinateSystem, inverse: PolarInverse
) -> tuple[CutLift | None, str]:
    """The lift for ``system``'s cut, or (None, why not) when it does not apply."""
    cut = system.cut
    if cut is None:
        return None, "the coordinates have no cut"
    curve = spec.lookup("curves", cut.curve)
    if len(curve.points) != 2:
        return None, f"the cut curve '{curve.name}' is not a single segment"
    values = spec.constant_values
    pole = inverse.pole
    ends = curve.points
    at_pole = [_same_point(end, pole, values) for end in ends]
    if not any(at_pole):
        return None, f"the cut curve '{curve.name}' does not start at the pole"
    far_end = ends[1] if at_pole[0] else ends[0]
    if not _on_boundary(spec, far_end, values):
        # the lift's jump runs along the whole ray θ = θ₀: it must end where the curve does
        return None, f"the cut curve '{curve.name}' does not reach the domain's boundary"
    on_cut = [
        e
        for e in spec.equations
        if isinstance(e.location, ir.OnCurve) and e.location.curve == cut.curve
    ]
    polar = {e.name: transform_coordinates(spec, e, _residual(spec, e), system) for e in on_cut}
    plus_value, _ = cut_values(spec, system)
    slip = _jump_condition(spec, on_cut, polar, system, plus_value)
    if slip is None:
        return None, f"no condition jump(u) = g with g free of {cut.angle} on '{curve.name}'"
    equation, field, jump = slip
    r, theta = inverse.radial, inverse.angular
    # L(θ⁺) − L(θ⁻) = g, whichever end of [θ₀, θ₀ + 2π) the plus side is
    side = 1 if sympy.simplify(plus_value - cut.value) == 0 else -1
    lift = side * jump * (sympy.Rational(1, 2) - (theta - cut.value) / (2 * sympy.pi))
    exact = tuple(e.name for e in on_cut if _holds_identically(polar[e.name], field, lift, system))
    if equation.name not in exact:  # cannot happen if the algebra above is right
        return None, f"the lift does not satisfy '{equation.name}' identically"
    length = _with_positive_constants(spec, sympy.sqrt(sum((a - b) ** 2 for a, b in zip(*ends))))
    pdes = [e for e in spec.equations if e.kind == "pde"]
    enrichment = sympy.Integer(0)
    if len(pdes) == 1 and not jump.free_symbols & {r}:
        operator = transform_coordinates(spec, pdes[0], _residual(spec, pdes[0]), system)
        enrichment = _enrichment(operator, field, lift, r, theta)
    lift_ = CutLift(
        field=field,
        slip=equation.name,
        jump=jump,
        lift=lift,
        enrichment=enrichment,
        exact=exact,
        pole=pole,
        length=length,
        pole_inside=_strictly_inside(spec, pole, values),
    )
    return lift_, ""


def pole_flux(
    spec: ir.SpecIR,
    equation: ir.Equation,
    system: ir.CoordinateSystem,
    inverse: PolarInverse,
    prepare: Callable[[sympy.Expr], sympy.Expr] = lambda expr: expr,
) -> sympy.Expr | None:
    """For ``equation`` of the form div(F) = 0: F·n per unit angle on circles about the
    pole (r μ ∂u/∂r for div(μ∇u)), in the network inputs; None for other equations.
    Its mean over a circle, (1/2π)∮ F·n ds, vanishes for the exact solution.
    ``prepare`` is applied to F in (x, y) first (the PINN promotes unknown fields)."""
    flux = _divergence_argument(spec, equation)
    if flux is None:
        return None
    cmap = coordinate_map(system)
    r, theta = inverse.radial, inverse.angular
    x_of, y_of = system.forward
    jacobian = sympy.simplify(
        sympy.diff(x_of, r) * sympy.diff(y_of, theta)
        - sympy.diff(x_of, theta) * sympy.diff(y_of, r)
    )
    orientation = sympy.simplify(jacobian / r)
    if orientation not in (1, -1):
        return None
    # n ds = ±(∂y/∂θ, −∂x/∂θ) dθ: outward when (r, θ) is positively oriented
    f_x, f_y = (transform(prepare(component), cmap) for component in flux)
    normal_flux = orientation * (f_x * sympy.diff(y_of, theta) - f_y * sympy.diff(x_of, theta))
    return _simplify_by_unknowns(normal_flux)


# ---- the pieces --------------------------------------------------------------------------


def _residual(spec: ir.SpecIR, equation: ir.Equation) -> sympy.Expr:
    return spec.residual(equation.name)


def _jump_condition(spec, on_cut, polar, system, plus_value):
    """(equation, field, g) for the first condition on the cut whose polar residual is
    ±(u(r, θ⁺) − u(r, θ⁻)) − g0, g = u⁺ − u⁻ free of fields and of θ."""
    fields = {f.name for f in spec.fields}
    angle = system.cut.angle
    position = system.new.index(angle)
    for equation in on_cut:
        residual = sympy.expand(polar[equation.name])
        values = [a for a in residual.atoms(AppliedUndef) if a.func.__name__ in fields]
        if len(values) != 2 or residual.atoms(sympy.Derivative, sympy.Subs):
            continue
        if values[0].func != values[1].func:
            continue
        plus = [a for a in values if a.args[position] == plus_value]
        if len(plus) != 1:
            continue
        (minus,) = [a for a in values if a is not plus[0]]
        sign = residual.coeff(plus[0])
        if sign not in (1, -1) or residual.coeff(minus) != -sign:
            continue
        jump = sympy.expand(sign * (sign * (plus[0] - minus) - residual))
        if jump.atoms(AppliedUndef) or angle in jump.free_symbols:
            continue
        return equation, plus[0].func.__name__, jump
    return None


def _holds_identically(residual, field, lift, system) -> bool:
    """Does u = lift + N(x, y), N any smooth function, make ``residual`` vanish?"""
    new = system.new
    smooth = sympy.Function("N_smooth")(*system.forward)
    lifted = residual.subs(sympy.Function(field), sympy.Lambda(new, lift + smooth)).doit()
    return sympy.simplify(lifted) == 0


def _enrichment(operator, field, lift, r, theta) -> sympy.Expr:
    """c₁ cos θ + c₂ sin θ with lim r·operator[L + r log r (c₁ cos θ + c₂ sin θ)] = 0;
    0 when the operator is not linear in the field, or no such c exists."""
    u = sympy.Function(field)
    others = {a.func for a in operator.atoms(AppliedUndef)} - {u}
    if others or not _linear_in(operator, field):
        # an unknown coefficient (a learned μ): its gradient at the pole is not known
        # when the module is written, so there is no fixed r log r term to add
        return sympy.Integer(0)
    apply = lambda w: operator.subs(u, sympy.Lambda((r, theta), w)).doit()  # noqa: E731
    source = apply(sympy.Integer(0))
    a = _pole_limit(apply(lift) - source, r)
    if a is None or a == 0:
        return sympy.Integer(0)
    basis = (sympy.cos(theta), sympy.sin(theta))
    b = [_pole_limit(apply(r * sympy.log(r) * f) - source, r) for f in basis]
    if any(v is None for v in b):
        return sympy.Integer(0)
    c = sympy.symbols("c_1 c_2")
    # match a + c₁b₁ + c₂b₂ = 0 at two angles (exact values), then check it for all θ
    residual = a + c[0] * b[0] + c[1] * b[1]
    at = [residual.subs(theta, t) for t in (0, sympy.pi / 2)]
    solution = sympy.solve(at, c, dict=True)
    if len(solution) != 1 or set(solution[0]) != set(c):
        return sympy.Integer(0)
    if sympy.simplify(residual.subs(solution[0])) != 0:
        return sympy.Integer(0)
    coefficient = sum(sympy.simplify(solution[0][ci]) * f for ci, f in zip(c, basis))
    return sympy.simplify(coefficient)


def _pole_limit(expr, r):
    """lim_{r→0} r·expr, or None when it is not finite."""
    try:
        value = sympy.limit(sympy.expand(r * expr), r, 0)
    except (NotImplementedError, ValueError, TypeError):
        return None
    if value.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan, sympy.Limit):
        return None
    return sympy.simplify(value)


def _linear_in(expr, field) -> bool:
    jets = [
        a
        for a in expr.atoms(AppliedUndef, sympy.Derivative)
        if (a.func.__name__ if isinstance(a, AppliedUndef) else a.expr.func.__name__) == field
    ]
    stand_ins = sympy.symbols(f"j0:{len(jets)}")
    replaced = expr.xreplace(dict(zip(jets, stand_ins)))
    if not stand_ins:
        return False
    return all(sympy.diff(replaced, a, b) == 0 for a in stand_ins for b in stand_ins)


def _divergence_argument(spec, equation) -> tuple[sympy.Expr, ...] | None:
    """F for ``div(F) = 0`` (known parameters inserted), or None for other equations."""
    if equation.kind != "pde" or equation.rhs != 0:
        return None
    space = tuple(spec.space)
    components: dict[sympy.Symbol, sympy.Expr] = {}
    for term in sympy.Add.make_args(equation.lhs):
        coefficient, rest = term.as_coeff_Mul()
        if not isinstance(rest, sympy.Derivative) or len(rest.variables) != 1:
            return None
        (variable,) = rest.variables
        if variable not in space or variable in components:
            return None
        components[variable] = coefficient * rest.expr
    if set(components) != set(space):
        return None
    return tuple(substitute_definitions(spec, components[v], constants=False) for v in space)


def _simplify_by_unknowns(expr: sympy.Expr) -> sympy.Expr:
    """Collect by field values and derivatives, each coefficient simplified (so that
    μ r (sin²θ + cos²θ) u_r reads r μ u_r)."""
    jets = sorted(expr.atoms(sympy.Derivative, AppliedUndef), key=sympy.default_sort_key)
    collected = sympy.collect(sympy.expand(expr), jets, evaluate=False)
    return sympy.Add(*(sympy.simplify(c) * (1 if k == 1 else k) for k, c in collected.items()))


def _with_positive_constants(spec: ir.SpecIR, expr: sympy.Expr) -> sympy.Expr:
    """``expr`` simplified knowing which constants are positive (√(D²) → D)."""
    values = spec.constant_values
    positive = {
        c.symbol: sympy.Symbol(c.name, positive=True)
        for c in spec.constants
        if values[c.symbol].is_positive
    }
    simplified = sympy.simplify(expr.xreplace(positive))
    return simplified.xreplace({v: k for k, v in positive.items()})


def _same_point(a, b, values) -> bool:
    return all(sympy.simplify((p - q).subs(values)) == 0 for p, q in zip(a, b))


def _box_ranges(spec: ir.SpecIR, values) -> dict | None:
    """The domain's hull as floats; None unless every region is a box."""
    return spec.domain.numeric(values) if spec.domain.only_boxes else None


def _on_boundary(spec, point, values) -> bool:
    ranges = _box_ranges(spec, values)
    if ranges is None or len(spec.regions) != 1:
        return False
    coords = [float(c.subs(values)) for c in point]
    inside = all(lo - 1e-12 <= c <= hi + 1e-12 for c, (lo, hi) in zip(coords, ranges.values()))
    touches = any(
        abs(c - lo) < 1e-12 or abs(c - hi) < 1e-12 for c, (lo, hi) in zip(coords, ranges.values())
    )
    return inside and touches


def _strictly_inside(spec, point, values) -> bool:
    ranges = _box_ranges(spec, values)
    if ranges is None:
        return False
    coords = [float(c.subs(values)) for c in point]
    return all(lo < c < hi for c, (lo, hi) in zip(coords, ranges.values()))
