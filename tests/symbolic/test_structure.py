"""The class of G in u_t = G w, from its Fourier symbol."""

from __future__ import annotations

import doctest

import pytest
import sympy
from sympy import Derivative, Function, I, Matrix, Rational, Symbol

from pdec.errors import UnsupportedError
from pdec.symbolic import structure
from pdec.symbolic.structure import (
    classify_matrix,
    classify_operator,
    classify_symbol,
    operator_symbol,
)

t, x, y = sympy.symbols("t x y")
k = Symbol("k_x", real=True)
W = Function("W_u")(t, x)


def dx(n=1, w=W):
    return Derivative(w, (x, n))


def classify(rhs):
    return classify_operator([rhs], [W], [x])


def test_first_derivative_is_skew():
    result = classify(dx())
    assert result.symbol == Matrix([[I * k]])
    assert result.wavenumbers == (k,)
    assert result.kind == "skew-adjoint"
    assert result.is_skew and result.is_dissipative
    assert "I*k_x" in result.reason


def test_third_derivative_is_skew():
    assert classify(dx(3)).kind == "skew-adjoint"
    assert operator_symbol([dx(3)], [W], [x])[0] == Matrix([[-I * k**3]])


@pytest.mark.parametrize(
    "rhs",
    [
        dx(2),  # heat, Cahn–Hilliard: −k²
        -W,  # Allen–Cahn, G = −1
        dx(2) + dx(),  # −k² + i k: not skew, but dissipative
        -dx(4),  # −k⁴
        Rational(1, 10) * dx(2),
        -(dx(4) + 2 * dx(2) + W),  # Swift–Hohenberg-like: −(1 − k²)² ≤ 0
        -dx(4) + 3 * dx(2) - 3 * W,  # −k⁴ − 3k² − 3
        -dx(4) - 3 * dx(2) - 3 * W,  # −k⁴ + 3k² − 3, maximum −3/4 at k² = 3/2
    ],
)
def test_negative_semidefinite(rhs):
    result = classify(rhs)
    assert result.kind == "negative semidefinite", result.reason
    assert result.is_dissipative and not result.is_skew


def test_heat_reason_names_the_symbol():
    reason = classify(dx(2)).reason
    assert "-k_x**2" in reason and "≤ 0" in reason


@pytest.mark.parametrize(
    "rhs, value",
    [
        (dx(4), "k_x**4"),  # anti-diffusive
        (W, "1"),  # the identity
        (-dx(2), "k_x**2"),
    ],
)
def test_neither(rhs, value):
    result = classify(rhs)
    assert result.kind == "neither"
    assert not result.is_dissipative and not result.is_skew
    assert value in result.reason and "> 0 at k_x = " in result.reason


def test_positive_only_between_roots_is_found_exactly():
    # −k⁴ + 3k² − 2 = −(k² − 1)(k² − 2) is positive only for 1 < k² < 2, which no
    # trial wavenumber hits; the critical point k = √(3/2) gives the witness.
    result = classify(-dx(4) - 3 * dx(2) - 2 * W)
    assert result.kind == "neither"
    assert "k_x = " in result.reason


def test_two_dimensional_laplacian():
    v = Function("W_u")(t, x, y)
    rhs = Derivative(v, (x, 2)) + Derivative(v, (y, 2))
    result = classify_operator([rhs], [v], [x, y])
    assert result.kind == "negative semidefinite"
    assert [w.name for w in result.wavenumbers] == ["k_x", "k_y"]


def test_two_dimensional_indefinite():
    v = Function("W_u")(t, x, y)
    rhs = Derivative(v, (x, 2)) - Derivative(v, (y, 2))
    assert classify_operator([rhs], [v], [x, y]).kind == "neither"


def test_skew_matrix():
    result = classify_matrix(Matrix([[0, 1], [-1, 0]]))
    assert result.kind == "skew-adjoint"
    assert result.wavenumbers == ()


def test_damped_matrix_is_negative_semidefinite():
    assert classify_matrix(Matrix([[0, 1], [-1, -Rational(1, 10)]])).kind == (
        "negative semidefinite"
    )


def test_anti_damped_matrix_is_neither():
    result = classify_matrix(Matrix([[0, 1], [-1, Rational(1, 10)]]))
    assert result.kind == "neither"
    assert "eigenvector (0, 1)" in result.reason


def test_float_entries_are_read_exactly():
    assert classify_matrix(Matrix([[0, 1], [-1, sympy.Float(-0.1)]])).kind == (
        "negative semidefinite"
    )


def test_zero_matrix():
    result = classify_matrix(sympy.zeros(2, 2))
    assert result.kind == "zero"
    assert result.is_skew and result.is_dissipative


def test_operator_matrix_is_skew():
    w_q, w_p = Function("W_q")(t, x), Function("W_p")(t, x)
    # q_t = ∂x W_p, p_t = ∂x W_q: G = [[0, ∂x], [∂x, 0]].
    result = classify_operator([dx(1, w_p), dx(1, w_q)], [w_q, w_p], [x])
    assert result.symbol == Matrix([[0, I * k], [I * k, 0]])
    assert result.kind == "skew-adjoint"


def test_operator_matrix_with_indefinite_hermitian_part():
    w_q, w_p = Function("W_q")(t, x), Function("W_p")(t, x)
    result = classify_operator([dx(2, w_q) + dx(1, w_p), dx(1, w_q) + w_p], [w_q, w_p], [x])
    assert result.kind == "neither"
    assert "positive eigenvalue" in result.reason


def test_unevaluated_constant_is_unknown_unless_its_sign_is_known():
    c = Symbol("c")
    assert classify(c * dx(2)).kind == "unknown"
    assert classify(Symbol("c", positive=True) * dx(2)).kind == "negative semidefinite"


def test_classify_symbol_directly():
    assert classify_symbol(Matrix([[-(k**2) - k**4]]), (k,)).kind == "negative semidefinite"


@pytest.mark.parametrize(
    "rhs, words",
    [
        (x * Derivative(Function("W_u")(t, x), x), "variable coefficient x"),
        (Function("W_u")(t, x) ** 2, "not linear"),
        (Function("u")(t, x) * Function("W_u")(t, x), r"variable coefficient u\(t, x\)"),
        (sympy.sin(x) + Function("W_u")(t, x), "forcing"),
        (Derivative(Function("W_u")(t, x), t), "not a space variable"),
    ],
)
def test_not_a_constant_coefficient_linear_operator(rhs, words):
    with pytest.raises(UnsupportedError, match=words) as caught:
        classify(rhs)
    assert "constant-coefficient linear operator" in caught.value.hint


def test_docstring_examples():
    assert doctest.testmod(structure).failed == 0
