"""Change of coordinates: chain rule, cuts, and the Okazaki et al. fault in polar form."""

from __future__ import annotations

import doctest
import math

import mpmath
import pytest
import sympy
from sympy import Derivative, Function, cos, pi, simplify, sin

from pdec.errors import CoordinateError, UnsupportedError
from pdec.symbolic import coordinates
from pdec.symbolic.coordinates import (
    CoordinateMap,
    apply_cut,
    cut_sides,
    inverse_jacobian,
    jacobian,
    transform,
)
from pdec.symbolic.traces import OneSided, jump

t, x, y, r, theta, D, s = sympy.symbols("t x y r theta D s")
u_old = Function("u")(x, y)
u = Function("u")(r, theta)


def assert_equal(actual: sympy.Expr, expected: sympy.Expr) -> None:
    assert simplify(actual - expected) == 0, f"{actual} != {expected}"


def assert_exact(expr: sympy.Expr) -> None:
    assert not expr.atoms(sympy.Float), f"floats in {expr}"


def laplacian(field: sympy.Expr) -> sympy.Expr:
    return Derivative(field, (x, 2)) + Derivative(field, (y, 2))


@pytest.fixture(scope="module")
def fault_polar() -> CoordinateMap:
    """Polar coordinates about the fault's bottom tip (0, -D), θ measured from +y."""
    return CoordinateMap("polar", (r, theta), (x, y), (r * sin(theta), -D + r * cos(theta)))


# --- Okazaki et al. (Nat. Commun. 2022): an antiplane fault from (0, -D) to (0, 0) ---


def test_inverse_jacobian_of_polar(fault_polar):
    assert jacobian(fault_polar) == sympy.Matrix(
        [[sin(theta), r * cos(theta)], [cos(theta), -r * sin(theta)]]
    )
    expected = sympy.Matrix([[sin(theta), cos(theta)], [cos(theta) / r, -sin(theta) / r]])
    assert (inverse_jacobian(fault_polar) - expected).applyfunc(simplify).is_zero_matrix


def test_result_is_collected_by_derivatives(fault_polar):
    # Not only equal: each derivative appears once, its coefficient in closed form.
    polar = transform(laplacian(u_old), fault_polar)
    assert polar == u.diff(r, 2) + u.diff(r) / r + u.diff(theta, 2) / r**2


def test_first_derivatives_in_polar(fault_polar):
    u_x = transform(Derivative(u_old, x), fault_polar)
    u_y = transform(Derivative(u_old, y), fault_polar)
    assert_equal(u_x, sin(theta) * u.diff(r) + cos(theta) / r * u.diff(theta))
    assert_equal(u_y, cos(theta) * u.diff(r) - sin(theta) / r * u.diff(theta))


def test_variable_rigidity_residual_in_polar(fault_polar):
    mu_old = Function("mu")(x, y)
    mu = Function("mu")(r, theta)
    residual = (
        mu_old * laplacian(u_old)
        + Derivative(mu_old, x) * Derivative(u_old, x)
        + Derivative(mu_old, y) * Derivative(u_old, y)
    )
    polar = transform(residual, fault_polar) * r**2 / mu
    expected = (
        r**2 * u.diff(r, 2)
        + r * u.diff(r)
        + u.diff(theta, 2)
        + (r**2 * mu.diff(r) * u.diff(r) + mu.diff(theta) * u.diff(theta)) / mu
    )
    assert_equal(polar, expected)


def test_explicit_rigidity_is_substituted(fault_polar):
    mu_xy = 1 + sympy.tanh(-y - 2) / 2
    residual = (
        mu_xy * laplacian(u_old)
        + mu_xy.diff(x) * Derivative(u_old, x)
        + mu_xy.diff(y) * Derivative(u_old, y)
    )
    mu = mu_xy.subs(y, -D + r * cos(theta))
    polar = transform(residual, fault_polar)
    expected = (
        r**2 * u.diff(r, 2)
        + r * u.diff(r)
        + u.diff(theta, 2)
        + (r**2 * mu.diff(r) * u.diff(r) + mu.diff(theta) * u.diff(theta)) / mu
    )
    assert_equal(polar * r**2 / mu, expected)
    assert_exact(polar)
    assert not polar.free_symbols & {x, y}


def test_fault_cut_sides_and_jump(fault_polar):
    # The segment (0, -D) → (0, 0) has normal (1, 0): its plus side is x > 0, which
    # small θ > 0 reaches (x = r sin θ), so plus is θ = 0 and minus is θ = 2π.
    sides = cut_sides(fault_polar, theta, sympy.Integer(0), (1, 0), (0, -D / 2))
    assert sides == (0, 2 * pi)
    jump_polar = transform(jump(u_old), fault_polar)
    assert apply_cut(jump_polar, theta, *sides) == u.subs(theta, 0) - u.subs(theta, 2 * pi)


def test_jump_of_a_derivative_keeps_it_evaluated_on_the_cut(fault_polar):
    sides = cut_sides(fault_polar, theta, sympy.Integer(0), (1, 0), (0, -D / 2))
    traction = apply_cut(transform(jump(Derivative(u_old, x)), fault_polar), theta, *sides)
    # u_x on the fault (θ = 0) is u_θ / r, taken on each end of the angle's range.
    expected = (sympy.Subs(u.diff(theta), theta, 0) - sympy.Subs(u.diff(theta), theta, 2 * pi)) / r
    assert_equal(traction, expected)
    assert traction.atoms(sympy.Subs)
    assert theta not in traction.free_symbols  # every factor is read on the cut
    assert not traction.has(Derivative(u.subs(theta, 0), theta))


def test_cut_sides_with_the_normal_reversed(fault_polar):
    assert cut_sides(fault_polar, theta, sympy.Integer(0), (-1, 0), (0, -D / 2)) == (
        2 * pi,
        0,
    )


def test_cut_sides_rejects_a_point_off_the_cut(fault_polar):
    with pytest.raises(CoordinateError):
        cut_sides(fault_polar, theta, sympy.Integer(0), (1, 0), (1, -D), {D: 1})


def test_closed_form_fault_solution_in_polar(fault_polar):
    exact = s / (2 * pi) * (sympy.atan2(x, -y - D) - sympy.atan2(x, -y + D))
    polar = transform(exact, fault_polar)
    assert not polar.free_symbols & {x, y}
    laplace = r**2 * polar.diff(r, 2) + r * polar.diff(r) + polar.diff(theta, 2)
    residual = sympy.lambdify((r, theta, D, s), laplace, modules="mpmath")
    value = sympy.lambdify((r, theta, D, s), polar, modules="mpmath")
    for radius in (0.3, 0.8, 1.7):
        for angle in (0.4, 2.0, 3.5, 5.9):
            assert abs(residual(radius, angle, 1, 1)) < 1e-12
    for radius in (0.2, 0.5, 0.9):  # r < D: the cut θ = 0 is the fault itself
        plus = value(radius, mpmath.mpf("1e-9"), 1, 1)
        minus = value(radius, 2 * mpmath.pi - mpmath.mpf("1e-9"), 1, 1)
        assert math.isclose(plus - minus, 1, abs_tol=1e-7)


# --- other maps ---------------------------------------------------------------------


def test_laplacian_in_elliptic_coordinates():
    # Hand derivation: x + iy = a cosh(ξ + iη) is conformal, so
    # Δu = (u_ξξ + u_ηη) / |d(x + iy)/d(ξ + iη)|², and
    # |a sinh(ξ + iη)|² = a² (sinh²ξ cos²η + cosh²ξ sin²η) = a² (sinh²ξ + sin²η).
    a, xi, eta = sympy.symbols("a xi eta")
    elliptic = CoordinateMap(
        "elliptic",
        (xi, eta),
        (x, y),
        (a * sympy.cosh(xi) * cos(eta), a * sympy.sinh(xi) * sin(eta)),
    )
    w = Function("u")(xi, eta)
    expected = (w.diff(xi, 2) + w.diff(eta, 2)) / (a**2 * (sympy.sinh(xi) ** 2 + sin(eta) ** 2))
    assert_equal(transform(laplacian(u_old), elliptic), expected)


def test_laplacian_in_rotated_shifted_polar():
    phi, x0, y0 = sympy.symbols("phi x0 y0")
    rotated = CoordinateMap(
        "rotated",
        (r, theta),
        (x, y),
        (x0 + r * cos(theta + phi), y0 + r * sin(theta + phi)),
    )
    expected = u.diff(r, 2) + u.diff(r) / r + u.diff(theta, 2) / r**2
    assert_equal(transform(laplacian(u_old), rotated), expected)


def test_time_derivatives_commute_with_the_map(fault_polar):
    v_old = Function("u")(t, x, y)
    v = Function("u")(t, r, theta)
    assert transform(Derivative(v_old, t), fault_polar) == Derivative(v, t)
    assert_equal(
        transform(Derivative(v_old, t, x), fault_polar),
        sin(theta) * v.diff(t, r) + cos(theta) / r * v.diff(t, theta),
    )
    assert transform(v_old.subs(t, 0), fault_polar) == v.subs(t, 0)


def test_third_derivative_matches_the_first_order_rule_applied_three_times(fault_polar):
    def d_dx(g: sympy.Expr) -> sympy.Expr:
        return sin(theta) * g.diff(r) + cos(theta) / r * g.diff(theta)

    assert_equal(transform(Derivative(u_old, (x, 3)), fault_polar), d_dx(d_dx(d_dx(u))))


def test_inside_other_functions(fault_polar):
    expr = sympy.sin(Derivative(u_old, x)) + OneSided(x * u_old, 1) + sympy.atan2(x, y)
    expected = (
        sin(sin(theta) * u.diff(r) + cos(theta) / r * u.diff(theta))
        + r * sin(theta) * OneSided(u, 1)
        + sympy.atan2(r * sin(theta), -D + r * cos(theta))
    )
    assert_equal(transform(expr, fault_polar), expected)


def test_function_of_one_old_variable_is_composed(fault_polar):
    a = Function("a")
    result = transform(Derivative(a(x), x), fault_polar)
    # d/dx a(x) read at x = r sin θ: the chain rule's sin² θ + cos² θ collapses to 1.
    assert_equal(result, Derivative(a(x), x).subs(x, r * sin(theta)))
    assert_equal(result.doit(), a(r * sin(theta)).diff(r) / sin(theta))


def test_module_examples_run():
    assert doctest.testmod(coordinates).failed == 0


# --- errors -------------------------------------------------------------------------


def test_degenerate_map_is_rejected():
    degenerate = CoordinateMap("degenerate", (r, theta), (x, y), (r + theta, r + theta))
    with pytest.raises(CoordinateError, match="not invertible"):
        inverse_jacobian(degenerate)
    with pytest.raises(CoordinateError):
        transform(Derivative(u_old, x), degenerate)


@pytest.mark.parametrize(
    "forward",
    [
        (r * sin(theta),),  # one component for two old variables
        (r, r**2),  # θ does not appear
        (r * sin(theta), y + r),  # an old variable on the right-hand side
    ],
)
def test_malformed_maps_are_rejected(forward):
    with pytest.raises(CoordinateError):
        CoordinateMap("bad", (r, theta), (x, y), forward)


def test_field_at_a_fixed_coordinate_is_rejected(fault_polar):
    with pytest.raises(CoordinateError):
        transform(Function("u")(x, 0), fault_polar)


def test_derivative_in_a_map_constant_is_unsupported(fault_polar):
    with pytest.raises(UnsupportedError):
        transform(Derivative(u_old, D), fault_polar)
