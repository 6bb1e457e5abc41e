"""The Cole–Hopf reference for the viscous Burgers benchmark (specs/burgers.pde)."""

import doctest
import sys
from pathlib import Path

import numpy as np
import pytest

try:
    from benchmarks.reference import burgers_exact as module
except ModuleNotFoundError:  # plain `pytest` (not `python -m pytest`) leaves the root off sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.reference import burgers_exact as module

burgers_exact, NU = module.burgers_exact, module.NU


def test_doctests():
    assert doctest.testmod(module).failed == 0


def test_initial_condition():
    x = np.linspace(-1, 1, 101)
    np.testing.assert_allclose(burgers_exact(0.0, x), -np.sin(np.pi * x), atol=1e-15)


def test_vectorised_over_broadcast_arrays():
    t = np.array([[0.0], [0.25], [0.75]])
    x = np.linspace(-1, 1, 7)
    u = burgers_exact(t, x)
    assert u.shape == (3, 7)
    for i in range(3):
        for j in range(7):
            assert u[i, j] == pytest.approx(float(burgers_exact(t[i, 0], x[j])), abs=1e-14)


def test_negative_time_is_rejected():
    with pytest.raises(ValueError, match="t must be"):
        burgers_exact(-0.1, 0.0)


@pytest.mark.parametrize("t", [0.1, 0.5, 1.0])
def test_boundary_values_vanish(t):
    np.testing.assert_allclose(burgers_exact(t, np.array([-1.0, 1.0])), 0.0, atol=1e-12)


def test_odd_in_x():
    x = np.linspace(0, 1, 33)
    np.testing.assert_allclose(burgers_exact(0.6, -x), -burgers_exact(0.6, x), atol=1e-13)


@pytest.mark.parametrize("x", [-0.8, -0.5, -0.25, 0.3, 0.6, 0.9])
def test_pde_residual_by_finite_differences(x):
    t, h, k = 0.3, 1e-4, 1e-4
    u = burgers_exact(t, x)
    u_t = (burgers_exact(t + k, x) - burgers_exact(t - k, x)) / (2 * k)
    u_x = (burgers_exact(t, x + h) - burgers_exact(t, x - h)) / (2 * h)
    u_xx = (burgers_exact(t, x + h) - 2 * u + burgers_exact(t, x - h)) / h**2
    residual = u_t + u * u_x - NU * u_xx
    scale = abs(u_t) + abs(u * u_x) + abs(NU * u_xx)
    assert abs(residual) < 1e-6 * scale  # ~1e-8 observed; truncation error of the stencils


def test_converged_in_nodes():
    x = np.concatenate([np.linspace(-1, -0.02, 50), np.linspace(0.02, 1, 50)])
    np.testing.assert_allclose(
        burgers_exact(0.5, x, nodes=150), burgers_exact(0.5, x, nodes=400), atol=1e-8
    )


def test_steep_front_at_t_075():
    """The picture of Raissi et al. (2019, fig. 1): a front at x = 0 of height ≈ 0.85."""
    assert burgers_exact(0.75, -0.01) > 0.6 and burgers_exact(0.75, 0.01) < -0.6
    x = np.linspace(-0.05, 0.05, 201)
    peak = np.max(burgers_exact(0.75, x))
    assert 0.8 < peak < 0.9
    assert abs(float(burgers_exact(0.75, 0.0))) < 1e-12


def test_basdevant_maximum_slope():
    """Basdevant et al. (1986): max |u_x| = 152.00516, reached at x = 0, t = 1.6037/π."""
    t, h = 1.6037 / np.pi, 1e-6
    slope = (burgers_exact(t, h) - burgers_exact(t, -h)) / (2 * h)
    assert slope == pytest.approx(-152.00516, abs=2e-3)
    earlier = (burgers_exact(t - 0.02, h) - burgers_exact(t - 0.02, -h)) / (2 * h)
    later = (burgers_exact(t + 0.02, h) - burgers_exact(t + 0.02, -h)) / (2 * h)
    assert abs(earlier) < abs(slope) and abs(later) < abs(slope)
