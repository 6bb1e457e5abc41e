"""The resolver's own checks that no other test file covers."""

import pytest

import pdec

HEAT = """model heat
time t in [0, 1]
region D = interval(x in [0, 1])
field u(t, x)
pde: dt(u) = lap(u)
"""


@pytest.mark.parametrize("value", ["1e999", "-1e999"])
def test_non_finite_training_hint_is_located(value):
    """A float overflowing to inf would be written into the generated module as `inf`."""
    with pytest.raises(pdec.InvalidValueError, match="not a finite number") as caught:
        pdec.loads(HEAT + f"train: steps = 10, lr = {value}\n", "heat.pde")
    assert (caught.value.line, caught.value.column) == (6, 20)


def test_finite_training_hints_pass():
    spec = pdec.loads(HEAT + "train: lr = 1e-3, steps = 10\n", "heat.pde")
    assert dict(spec.ir.train) == {"lr": 0.001, "steps": 10}


@pytest.mark.parametrize("value", ["asin(2)", "sqrt(-1)", "log(-1)", "(-2)^(1/2)"])
def test_non_real_numbers_are_located(value):
    """The printer would refuse them later, without a line to point at."""
    with pytest.raises(pdec.InvalidValueError, match="not a real number") as caught:
        pdec.loads(f"model m\nconst c = 1 + {value}\n", "m.pde")
    assert caught.value.line == 2


def test_what_tensors_cannot_express_is_refused_where_it_is_built():
    import sympy

    from pdec.errors import Span
    from pdec.passes.vocabulary import check_expressible

    a, b = sympy.symbols("a b")
    span = Span("m.pde", 2, 11, 2, 20, "model m\nconst c = min(a, b)\n")
    check_expressible(sympy.sin(a) * sympy.sqrt(b) + sympy.Function("u")(a), span)
    for expr in (
        sympy.Min(a, b),
        sympy.sin(sympy.Max(a, b)),
        sympy.Piecewise((a, b > 0), (b, True)),
    ):
        with pytest.raises(pdec.UnsupportedError, match="cannot be computed on tensors") as caught:
            check_expressible(expr, span)
        assert caught.value.span == span
