"""δH/δu by the Euler operator, and recognising total divergences."""

from __future__ import annotations

import doctest

import pytest
import sympy
from sympy import Derivative, Function, Rational, Symbol, cos, sin

from pdec.errors import UnsupportedError
from pdec.symbolic import variational
from pdec.symbolic.variational import (
    euler_operator_vanishes,
    exact_numbers,
    readable,
    variational_derivative,
)

t, x, y, z = sympy.symbols("t x y z")
u = Function("u")(t, x)


def dx(f, n=1):
    return Derivative(f, (x, n))


def test_kdv_energy():
    alpha, beta = sympy.symbols("alpha beta")
    density = alpha / 6 * u**3 - beta / 2 * dx(u) ** 2
    assert variational_derivative(density, u, [x]) == sympy.expand(
        alpha / 2 * u**2 + beta * dx(u, 2)
    )


def test_cahn_hilliard_energy():
    gamma = Symbol("gamma")
    density = (u**2 - 1) ** 2 / 4 + gamma / 2 * dx(u) ** 2
    assert variational_derivative(density, u, [x]) == u**3 - u - gamma * dx(u, 2)


def test_dirichlet_energy_in_two_dimensions():
    v = Function("u")(t, x, y)
    density = (Derivative(v, x) ** 2 + Derivative(v, y) ** 2) / 2
    expected = -(Derivative(v, (x, 2)) + Derivative(v, (y, 2)))
    assert variational_derivative(density, v, [x, y]) == expected


def test_dirichlet_energy_in_three_dimensions():
    v = Function("u")(t, x, y, z)
    density = sum(Derivative(v, s) ** 2 for s in (x, y, z)) / 2
    expected = -sum(Derivative(v, (s, 2)) for s in (x, y, z))
    assert variational_derivative(density, v, [x, y, z]) == expected


def test_fourth_order_density():
    assert variational_derivative(dx(u, 2) ** 2 / 2, u, [x]) == dx(u, 4)


def test_mixed_derivatives_written_in_either_order_are_one_jet_variable():
    v = Function("u")(t, x, y)
    density = Derivative(v, x, y) * Derivative(v, y, x) / 2
    assert variational_derivative(density, v, [x, y]) == Derivative(v, (x, 2), (y, 2))


def test_derivative_of_compound_expression_is_expanded():
    # (u²)_x = 2 u u_x, and δ/δu ∫ (u²)_x²/8 = δ/δu ∫ u² u_x²/2 = u u_x² - (u² u_x)_x.
    expected = sympy.expand(u * dx(u) ** 2 - sympy.diff(u**2 * dx(u), x))
    assert variational_derivative(Derivative(u**2, x) ** 2 / 8, u, [x]) == expected


def test_two_fields_vary_one_at_a_time():
    c = Symbol("c")
    q, p = Function("q")(t, x), Function("p")(t, x)
    density = p**2 / 2 + c**2 / 2 * Derivative(q, x) ** 2
    assert variational_derivative(density, q, [x]) == -(c**2) * Derivative(q, (x, 2))
    assert variational_derivative(density, p, [x]) == p


def test_explicit_dependence_on_x():
    density = x * dx(u) ** 2 / 2 + sin(x) * u
    expected = sin(x) - dx(u) - x * dx(u, 2)
    assert variational_derivative(density, u, [x]) == expected


def test_field_absent_from_density_has_zero_derivative():
    assert variational_derivative(x**2, u, [x]) == 0


def test_ode_case_is_the_partial_derivative():
    q, p = Function("q")(t), Function("p")(t)
    g, length = sympy.symbols("g l")
    hamiltonian = p**2 / 2 - g / length * cos(q)
    assert variational_derivative(hamiltonian, q, []) == g * sin(q) / length
    assert variational_derivative(hamiltonian, p, []) == p


def test_time_derivative_in_density_is_unsupported():
    with pytest.raises(UnsupportedError, match="not a space variable") as caught:
        variational_derivative(Derivative(u, t) ** 2 / 2, u, [x])
    assert caught.value.span is None
    assert caught.value.hint


def test_u_times_u_xx_is_not_a_total_derivative():
    # u u_xx = (u u_x)_x − u_x²: the leftover −u_x² has a nonzero Euler operator.
    assert not euler_operator_vanishes(u * dx(u, 2), [u], [x])


@pytest.mark.parametrize(
    "expr",
    [
        dx(u) * dx(u, 2),  # (u_x²/2)_x
        u**2 * dx(u),  # (u³/3)_x
        dx(u, 3),
        sin(u) * dx(u),  # (−cos u)_x
        Rational(1, 2000) * dx(u, 4) + 3 * u**2 * dx(u, 2) + 6 * u * dx(u) ** 2,  # (u³)_xx
    ],
)
def test_total_derivatives(expr):
    assert euler_operator_vanishes(expr, [u], [x])


def test_total_derivative_in_two_dimensions():
    v = Function("u")(t, x, y)
    divergence = sympy.diff(v * Derivative(v, y), x) + sympy.diff(v**2, y)
    assert euler_operator_vanishes(sympy.expand(divergence), [v], [x, y])
    assert not euler_operator_vanishes(Derivative(v, x) ** 2, [v], [x, y])


def test_total_derivative_needs_every_field():
    q, p = Function("q")(t, x), Function("p")(t, x)
    # −p p_x + q_x q_xx is a total derivative; p q_x is not.
    assert euler_operator_vanishes(
        -p * Derivative(p, x) + Derivative(q, x) * Derivative(q, (x, 2)), [q, p], [x]
    )
    assert not euler_operator_vanishes(p * Derivative(q, x), [q, p], [x])


def test_ode_total_derivative_means_identically_zero():
    q, p = Function("q")(t), Function("p")(t)
    assert euler_operator_vanishes(sin(q) * p - p * sin(q), [q, p], [])
    assert euler_operator_vanishes(sin(q) ** 2 + cos(q) ** 2 - 1, [q], [])
    assert not euler_operator_vanishes(p**2, [q, p], [])


def test_floats_are_read_exactly():
    # 0.1*3 − 0.3 is not 0 in floating point, but is in the decimals as written.
    expr = sympy.Float("0.1") * 3 * u * dx(u) - sympy.Float("0.3") * u * dx(u) + u**2
    assert not euler_operator_vanishes(expr, [u], [x])
    assert euler_operator_vanishes(expr - u**2, [u], [x])
    assert exact_numbers(sympy.Float("0.0005") * u) == u / 2000


def test_readable_uses_jet_notation():
    v = Function("u")(t, x, y)
    assert readable(u * dx(u, 2), [u], [x]) == "u*u_xx"
    assert readable(Derivative(v, y, x), [v], [x, y]) == "u_xy"


def test_docstring_examples():
    assert doctest.testmod(variational).failed == 0
