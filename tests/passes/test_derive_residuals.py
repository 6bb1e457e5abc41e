"""derive_residuals: lhs − rhs with the operators carried out, definitions inserted."""

import sympy

import pdec
from pdec.passes.derive_residuals import derive_residual

SPEC = """model m
region I = interval(x in [0, 1])
param k(x) = 1 + x
field u(x)
pde p: -dx(k*dx(u)) = 1 in I
bc w: u = 0 on I.boundary
"""


def test_a_parameter_defined_by_its_own_argument_is_inserted_at_that_argument():
    """k(x) = 1 + x in −(k u')' = 1 gives −(1 + x)u'' − u' − 1 (a past bug bound the
    parameter's argument to the whole k(x), giving −(k(x) + 1)u'' − k'(x)u' − 1)."""
    spec = pdec.loads(SPEC)
    x = sympy.Symbol("x")
    u = sympy.Function("u")(x)
    residual = derive_residual(spec.ir, spec.ir.equations[0], substitute=True)
    expected = -(1 + x) * u.diff(x, 2) - u.diff(x) - 1
    assert sympy.expand(residual - expected) == 0


def test_a_parameter_of_two_variables_is_inserted_in_order():
    text = SPEC.replace("interval(x in [0, 1])", "box(x in [0, 1], y in [0, 1])")
    text = text.replace("param k(x) = 1 + x", "param k(x, y) = x - 2*y")
    text = text.replace("field u(x)", "field u(x, y)")
    spec = pdec.loads(text)
    x, y = sympy.symbols("x y")
    u = sympy.Function("u")(x, y)
    residual = derive_residual(spec.ir, spec.ir.equations[0], substitute=True)
    expected = -(x - 2 * y) * u.diff(x, 2) - u.diff(x) - 1
    assert sympy.expand(residual - expected) == 0


def test_a_parameter_defined_through_a_later_one_is_inserted_to_the_end():
    text = SPEC.replace("param k(x) = 1 + x", "param c(x) = 1 + x\nparam k(x) = 2*c")
    spec = pdec.loads(text)
    x = sympy.Symbol("x")
    u = sympy.Function("u")(x)
    residual = derive_residual(spec.ir, spec.ir.equations[0], substitute=True)
    expected = -2 * (1 + x) * u.diff(x, 2) - 2 * u.diff(x) - 1
    assert sympy.expand(residual - expected) == 0
