"""The periodic grid: points, spectral derivatives, the Nyquist convention, symbols."""

import numpy as np
import pytest
import sympy

from pdec.errors import UnsupportedError
from pdec.reference.spectral import PeriodicGrid

GRID = PeriodicGrid(lo=(0.0,), hi=(2 * np.pi,), shape=(16,))


def test_points_exclude_the_end_point():
    (x,) = GRID.coordinates
    assert x[0] == 0 and x[-1] == pytest.approx(2 * np.pi * 15 / 16)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_derivatives_of_a_resolved_mode_are_exact(order):
    (x,) = GRID.coordinates
    u = np.sin(3 * x)
    expected = np.imag((3j) ** order * np.exp(3j * x))
    derivative = GRID.ifft(GRID.fft(u) * GRID.derivative_factor((order,)))
    assert np.allclose(derivative, expected, atol=1e-13 * 3**order)


def test_odd_derivatives_vanish_at_the_nyquist_mode_even_ones_do_not():
    (x,) = GRID.coordinates
    nyquist = np.cos(8 * x)  # alternates ±1 on 16 points
    first = GRID.ifft(GRID.fft(nyquist) * GRID.derivative_factor((1,)))
    second = GRID.ifft(GRID.fft(nyquist) * GRID.derivative_factor((2,)))
    assert np.allclose(first, 0, atol=1e-12)
    assert np.allclose(second, -64 * nyquist, atol=1e-10)


def test_symbols_are_polynomials_in_the_wavenumbers():
    k = sympy.Symbol("k_x", real=True)
    (wavenumbers,) = GRID.wavenumbers
    values = GRID.symbol(sympy.I * k**3 - k**2 / 2, (k,))
    expected = np.where(GRID.nyquist[0], 0, 1j * wavenumbers**3) - wavenumbers**2 / 2
    assert np.allclose(values, expected)
    with pytest.raises(UnsupportedError, match="not a polynomial"):
        GRID.symbol(sympy.Abs(k), (k,))


def test_dealiasing_keeps_the_modes_below_a_third():
    grid = PeriodicGrid(lo=(0.0,), hi=(1.0,), shape=(64,))
    assert grid.dealias_mask.sum() == 43  # |n| <= 21
    # the product of two functions with |n| <= 21 is exact on the kept modes
    (x,) = grid.coordinates
    u = np.cos(2 * np.pi * 21 * x) + np.sin(2 * np.pi * 5 * x)
    square = grid.project(u**2)
    # u² = 1 − ½cos(10·) − sin(16·) + sin(26·) + ½cos(42·); 26 and 42 (aliased to −22) go
    exact = 1 - 0.5 * np.cos(2 * np.pi * 10 * x) - np.sin(2 * np.pi * 16 * x)
    assert np.allclose(square, exact, atol=1e-12)


def test_integrals_and_two_dimensions():
    grid = PeriodicGrid(lo=(0.0, -1.0), hi=(1.0, 1.0), shape=(8, 12))
    x, y = grid.mesh
    assert grid.integrate(np.ones(grid.shape)) == pytest.approx(2.0)
    u = np.sin(2 * np.pi * x) * np.cos(np.pi * y)
    u_xy = grid.ifft(grid.fft(u) * grid.derivative_factor((1, 1)))
    expected = -2 * np.pi**2 * np.cos(2 * np.pi * x) * np.sin(np.pi * y)
    assert np.allclose(u_xy, expected, atol=1e-10)


@pytest.mark.parametrize("points", [7, 8])
def test_interpolation_onto_a_finer_grid_keeps_every_mode(points):
    """Zero padding: the interpolant has the data's values at the data's points, and is
    the trigonometric polynomial itself between them; the Nyquist mode of an even N,
    split half to +N/2 and half to −N/2, stays real."""
    grid = PeriodicGrid(lo=(0.0,), hi=(1.0,), shape=(points,))
    fine = grid.refined(2)
    (x,), (x_fine,) = grid.coordinates, fine.coordinates
    assert np.array_equal(fine.sample(x_fine, 2), x)
    u = np.random.default_rng(0).standard_normal((3, points))
    interpolant = grid.interpolate(u, fine)
    assert interpolant.shape == (3, 2 * points)
    assert np.allclose(fine.sample(interpolant, 2), u, atol=1e-14)
    assert np.allclose(np.fft.fft(interpolant)[:, points], 0, atol=1e-12)  # nothing above N/2
    top = points // 2  # the highest mode: 3 of 7 points, the Nyquist mode 4 of 8
    values = np.sin(2 * np.pi * top * x + 0.3)
    if points % 2:
        expected = np.sin(2 * np.pi * top * x_fine + 0.3)
    else:  # sin(πj + 0.3) = sin(0.3)(−1)^j at the 8 points: the real interpolant
        expected = np.sin(0.3) * np.cos(2 * np.pi * top * x_fine)
    assert np.allclose(grid.interpolate(values, fine), expected, atol=1e-12)


def test_interpolation_in_two_dimensions():
    grid = PeriodicGrid(lo=(0.0, -1.0), hi=(1.0, 1.0), shape=(8, 6))
    fine = grid.refined(3)
    x, y = fine.mesh
    u = np.sin(2 * np.pi * 3 * x) * np.cos(np.pi * 2 * y) + np.cos(2 * np.pi * 4 * x)
    coarse_values = fine.sample(u, 3)
    assert coarse_values.shape == (8, 6)
    assert np.allclose(grid.interpolate(coarse_values, fine), u, atol=1e-12)
