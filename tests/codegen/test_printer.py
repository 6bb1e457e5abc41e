"""Exact-string tests of the strict SymPy → torch printer."""

import math

import pytest
import sympy
import torch

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


@pytest.mark.parametrize(
    "expr, name",
    [
        (sympy.Min(x, y), "Min"),
        (sympy.Max(x, 2 * y), "Max"),
        (sympy.Sum(x**r, (r, 0, 3)).func(x**r, (r, 0, y)), "Sum"),
        (sympy.Integral(x, (x, 0, y)), "Integral"),
        (sympy.Piecewise((x, x > 0), (y, True)), "Piecewise"),
    ],
)
def test_what_tensors_cannot_express_is_refused_at_the_span(expr, name):
    """Python's min/max (SymPy's default) would fail on tensors when the module runs."""
    span = pdec.Span("s.pde", 3, 1, 3, 12, "model m\nfield u(x)\npde: u = x\n")
    with pytest.raises(pdec.UnsupportedError, match=name) as caught:
        TorchPrinter(NAMES, span=span).doprint(expr)
    assert caught.value.span == span
    assert "s.pde:3:1" in caught.value.render()


def test_non_finite_numbers_are_refused():
    with pytest.raises(pdec.UnsupportedError, match="not a finite float"):
        TorchPrinter(NAMES).doprint(sympy.Float("1e400") * x + sympy.exp(sympy.Integer(800)))


def test_sign_of_a_float_prints_plain_python():
    """torch.sign refuses a float; math has no sign."""
    D = sympy.Symbol("D")
    text = TorchPrinter({D: "D"}, floats={D}).doprint(sympy.sign(D))
    assert text == "((D > 0) - (D < 0))"
    for value, sign in ((-2.5, -1), (0.0, 0), (3.0, 1)):
        assert eval(text, {"D": value}) == sign  # noqa: S307 - generated code


ATOMS = [
    sympy.S.Zero, sympy.S.One, sympy.S.NegativeOne, sympy.S.Half, sympy.Rational(1, 3),
    sympy.Integer(2**53), sympy.Integer(10**30), sympy.Rational(1, 10**30),
    sympy.Integer(10**400), sympy.Rational(10**400, 3), sympy.Integer(3) ** 1000,
    sympy.Float("1e-300"), sympy.Float("1e308"), sympy.Float("1e400"), sympy.Float("1e-400"),
    sympy.pi, sympy.E, sympy.S.EulerGamma, sympy.S.Catalan, sympy.S.GoldenRatio,
    sympy.S.TribonacciConstant, sympy.oo, -sympy.oo, sympy.zoo, sympy.nan, sympy.I,
    sympy.sqrt(2), sympy.cbrt(2), sympy.exp(800), sympy.log(2), sympy.sqrt(-1 - sympy.sqrt(2)),
    10**20 * sympy.pi,
]  # fmt: skip


@pytest.mark.parametrize("atom", ATOMS, ids=lambda atom: str(atom)[:24])
def test_every_number_prints_as_code_that_runs_or_is_refused(atom):
    """The printer never emits a name that does not exist (``inf``, ``zoo``) or a number
    torch cannot take (an integer beyond int64 against a tensor): each number, alone and
    in an expression with a tensor, prints as code that runs with torch and math only
    and gives a finite value, or is refused with an UnsupportedError."""
    for expr in (atom, atom * x + 1):
        try:
            text = TorchPrinter(NAMES).doprint(expr)
        except pdec.UnsupportedError as error:
            assert len(str(error).splitlines()[0]) < 200
            continue
        half = torch.tensor(0.5, dtype=torch.float64)
        value = eval(text, {"torch": torch, "math": math, "x": half})  # noqa: S307
        assert bool(torch.isfinite(torch.as_tensor(value, dtype=torch.float64))), text
        assert float(value) == pytest.approx(float(expr.subs(x, 0.5)), rel=1e-12)
