"""The one rule for naming derivatives, and that both lowerings follow it."""

import pytest
import sympy

from pdec.codegen.derivatives import along, derivative_name
from pdec.targets.operator.lower import lower_on_grid
from pdec.targets.pinn.lower import lower_residual


@pytest.mark.parametrize(
    "function, variables, name",
    [
        ("u", [], "u"),
        ("u", ["x"], "u_x"),
        ("u", ["x", "x"], "u_xx"),
        ("u", ["x", "t"], "u_xt"),
        ("u", ["r", "theta"], "u_r_theta"),
        ("u", ["theta", "theta"], "u_theta_theta"),
        ("flux_1", ["y"], "flux_1_y"),
    ],
)
def test_derivative_name(function, variables, name):
    assert derivative_name(function, variables) == name


def test_along_repeats_by_order():
    assert along((2, 0, 1), ("x", "y", "t")) == ["x", "x", "t"]


@pytest.mark.parametrize("names", [("x", "y"), ("r", "theta")])
def test_both_lowerings_name_alike(names):
    a, b = sympy.symbols(names)
    u = sympy.Function("u")(a, b)
    expr = sympy.Derivative(u, a, 2) + sympy.Derivative(u, b)
    pinn = lower_residual(expr, ("u",), (a, b), {})
    grid = lower_on_grid(expr, (a, b))
    expected = {derivative_name("u", [a.name, a.name]), derivative_name("u", [b.name])}
    assert {j.local for j in pinn.jets} == expected
    assert {str(symbol) for symbol in grid.expr.free_symbols} == expected
