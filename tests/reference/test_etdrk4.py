"""ETDRK4: the φ-function coefficients, fourth-order convergence, the failure path."""

import warnings

import numpy as np
import pytest

from pdec.reference.errors import IntegrationError
from pdec.reference.etdrk4 import (
    Etdrk4,
    integrate,
    matrix_coefficients,
    phi_functions,
    scalar_coefficients,
)


def direct(z, h):
    """The closed forms, accurate where |z| is not small."""
    return {
        "Q": h * (np.exp(z / 2) - 1) / z,
        "f1": h * (-4 - z + np.exp(z) * (4 - 3 * z + z**2)) / z**3,
        "f2": h * (2 + z + np.exp(z) * (z - 2)) / z**3,
        "f3": h * (-4 - 3 * z - z**2 + np.exp(z) * (4 - z)) / z**3,
    }


def test_contour_coefficients_match_the_closed_forms_and_their_limits():
    h = 0.1
    L = np.array([-300.0, -20.0, -3.0, 2.0, 15j, -40 + 7j])
    c = scalar_coefficients(L, h)
    for name, value in direct(L * h, h).items():
        assert np.allclose(getattr(c, name), value, rtol=1e-12), name
    # z → 0, where the closed forms cancel: Q → h/2, f1, f2, f3 → h/6
    tiny = scalar_coefficients(np.array([1e-9, -1e-12, 0.0]), h)
    assert np.allclose(tiny.Q, h / 2, rtol=1e-12)
    for name in ("f1", "f2", "f3"):
        assert np.allclose(getattr(tiny, name), h / 6, rtol=1e-12)


def test_matrix_coefficients_agree_with_the_scalar_ones_on_diagonal_matrices():
    h = 0.05
    diagonal = np.array([[-100.0, -1e-10, 4j], [3.0, -7.0, -2 + 1j]])  # (fields, modes)
    L = np.zeros((2, 2, 3), dtype=complex)
    L[0, 0], L[1, 1] = diagonal
    scalar, matrix = scalar_coefficients(diagonal, h), matrix_coefficients(L, h)
    for name in ("E", "E2", "Q", "f1", "f2", "f3"):
        got = getattr(matrix, name)
        assert np.allclose(got[0, 0], getattr(scalar, name)[0], rtol=1e-10, atol=1e-14)
        assert np.allclose(got[1, 1], getattr(scalar, name)[1], rtol=1e-10, atol=1e-14)
        assert np.allclose(got[0, 1], 0) and np.allclose(got[1, 0], 0)


def test_phi_functions_of_a_jordan_block():
    # the k = 0 mode of the wave equation: q' = p, p' = 0
    E, phi1 = phi_functions(np.array([[0.0, 2.0], [0.0, 0.0]]), 1)
    assert np.allclose(E, [[1, 2], [0, 1]]) and np.allclose(phi1, [[1, 1], [0, 1]])


def riccati(lam, v0, t):
    """v' = λv + v², solved by w = 1/v: w' = −λw − 1."""
    return 1 / ((1 / v0 + 1 / lam) * np.exp(-lam * t) - 1 / lam)


def manufactured(lam):
    """v' = λv + N(v, t) with N chosen so that v = cos t."""
    return lambda v, t: v**2 - np.cos(t) ** 2 - lam * np.cos(t) - np.sin(t)


def test_fourth_order_convergence():
    stepper = Etdrk4(np.array([-1.0]), manufactured(-1.0), diagonal=True)
    v0 = np.array([[1.0]])
    errors = [abs(stepper.advance(v0, 0.0, 1.0, m)[0, 0] - np.cos(1.0)) for m in (10, 20)]
    assert 13 < errors[0] / errors[1] < 18  # 2⁴ = 16


def test_stiff_linear_part_is_taken_exactly():
    # λ = −1000 with h up to 0.2: an explicit method would need h < 0.003
    stepper = Etdrk4(np.array([-1000.0]), manufactured(-1000.0), diagonal=True)
    errors = [
        abs(stepper.advance(np.array([[1.0]]), 0.0, 1.0, m)[0, 0] - np.cos(1.0)) for m in (5, 40)
    ]
    assert errors[0] < 1e-5 and errors[1] < 1e-7


def test_step_doubling_meets_the_tolerance_and_reports_the_substeps():
    stepper = Etdrk4(np.array([-1.0]), lambda v, t: v**2, diagonal=True)
    times = np.linspace(0, 2, 5)
    run = integrate(stepper, np.array([[0.5]]), times, tolerance=1e-10)
    exact = riccati(-1.0, 0.5, times)
    assert np.allclose(run.states[0, :, 0], exact, rtol=1e-9)
    assert run.substeps.shape == (4,) and run.substeps.min() >= 2


def test_blow_up_raises_a_clear_error_and_no_numpy_warning():
    stepper = Etdrk4(np.array([0.0]), lambda v, t: v**2, diagonal=True)  # v = 1/(1 − t)
    with pytest.raises(IntegrationError, match="did not reach the tolerance") as caught:
        integrate(stepper, np.array([[1.0]]), np.linspace(0, 2, 3), tolerance=1e-8)
    assert "blow up" in caught.value.hint and "--dt 0.1" in caught.value.hint
    # from 1e200, the first square overflows: the error says so, numpy does not warn
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(IntegrationError, match="estimated error nan") as caught:
            integrate(stepper, np.array([[1e200]]), np.linspace(0, 2, 3), tolerance=1e-8)
    assert "blow up" in caught.value.hint and "--dt 0.1" in caught.value.hint
