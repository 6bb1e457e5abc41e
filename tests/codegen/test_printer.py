"""Exact-string tests of the strict SymPy → torch printer."""

import pytest
import sympy

import pdec
from pdec.codegen.printer import TorchPrinter

x, y, nu, r = sympy.symbols("x y nu r")
NAMES = {x: "x", y: "y", nu: "nu", r: "r"}


@pytest.mark.parametrize(
    "expr, text",
    [
        (sympy.sin(sympy.pi * x), "torch.sin(math.pi*x)"),
        (sympy.atan2(x, -y - 1), "torch.atan2(x, -y - 1)"),
        (sympy.sqrt(x**2 + y**2), "torch.sqrt(x**2 + y**2)"),
        (nu * x / 3, "(1/3)*nu*x"),
        (sympy.sqrt(2) * x, "1.4142135623730951*x"),
        (2 * sympy.pi, "2*math.pi"),
        (sympy.exp(-x) * sympy.tanh(y), "torch.exp(-x)*torch.tanh(y)"),
        (sympy.Abs(x), "torch.abs(x)"),
        (sympy.E * x, "math.e*x"),
        (x**-2, "x**(-2)"),
    ],
)
def test_exact_output(expr, text):
    assert TorchPrinter(NAMES).doprint(expr) == text


@pytest.mark.parametrize(
    "expr",
    [
        sympy.Function("u")(x),
        sympy.Derivative(sympy.Function("u")(x), x),
        sympy.besselj(0, x),
        sympy.Symbol("unbound") * x,
    ],
)
def test_refuses_what_it_cannot_print(expr):
    with pytest.raises(pdec.UnsupportedError):
        TorchPrinter(NAMES).doprint(expr)


def test_functions_of_constants_alone_print_with_math():
    """Constants are bound as floats in generated code: torch.tanh(D - 2) would raise."""
    x, D = sympy.symbols("x D")
    printer = TorchPrinter({x: "x", D: "D"}, floats={D})
    text = printer.doprint(sympy.tanh(D - 2) * sympy.sin(x) + sympy.sqrt(D) + sympy.Abs(D))
    assert "math.tanh(D - 2)" in text and "torch.sin(x)" in text
    assert "math.sqrt(D)" in text and "abs(D)" in text
    assert "torch.tanh" not in text
    # a function of a constant and a tensor stays torch
    assert "torch.tanh(D*x)" in printer.doprint(sympy.tanh(D * x))
