"""Fourier pseudo-spectral tools on a periodic box: points, wavenumbers, derivatives,
symbols of constant-coefficient operators, the 2/3 dealiasing rule, and trigonometric
interpolation onto a finer grid of the same box.

A box [lo, hi) with N points (per dimension) has the points lo + j (hi − lo)/N and the
wavenumbers k = 2π n/(hi − lo), n = 0, 1, …, −1 in FFT order. The last axes of an
array of values are the grid axes; any leading axes (trajectories, fields) ride along.

Odd derivatives at the Nyquist mode n = −N/2 are set to 0, the usual convention that
keeps the derivative of a real function real: a real operator's symbol σ satisfies
σ(−k) = conj σ(k), and at the Nyquist mode k and −k are the same mode, so only the
real part of σ there is consistent.

>>> grid = PeriodicGrid(lo=(0.0,), hi=(2 * np.pi,), shape=(16,))
>>> x, = grid.coordinates
>>> u_x = grid.ifft(grid.fft(np.sin(x)) * grid.derivative_factor((1,)))
>>> bool(np.allclose(u_x, np.cos(x)))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy

from pdec.errors import UnsupportedError


@dataclass(frozen=True)
class PeriodicGrid:
    """N_d equispaced points on each periodic range [lo_d, hi_d)."""

    lo: tuple[float, ...]
    hi: tuple[float, ...]
    shape: tuple[int, ...]

    @property
    def dim(self) -> int:
        return len(self.shape)

    @property
    def axes(self) -> tuple[int, ...]:
        """The grid axes of an array whose last axes are the grid."""
        return tuple(range(-self.dim, 0))

    @property
    def lengths(self) -> tuple[float, ...]:
        return tuple(h - l for l, h in zip(self.lo, self.hi))

    @property
    def cell_volume(self) -> float:
        """The quadrature weight of every point: a sum times this is the integral
        (the trapezoidal rule, spectrally accurate for smooth periodic functions)."""
        return float(np.prod([length / n for length, n in zip(self.lengths, self.shape)]))

    @cached_property
    def coordinates(self) -> tuple[np.ndarray, ...]:
        """The points along each dimension, 1-D arrays."""
        return tuple(
            lo + length * np.arange(n) / n
            for lo, length, n in zip(self.lo, self.lengths, self.shape)
        )

    @cached_property
    def mesh(self) -> tuple[np.ndarray, ...]:
        """The coordinates as arrays broadcastable to the grid's shape."""
        return tuple(self._along(d, c) for d, c in enumerate(self.coordinates))

    @cached_property
    def mode_numbers(self) -> tuple[np.ndarray, ...]:
        """The integer n of every mode (FFT order), broadcastable to the grid."""
        return tuple(
            self._along(d, np.rint(np.fft.fftfreq(n) * n).astype(int))
            for d, n in enumerate(self.shape)
        )

    @cached_property
    def wavenumbers(self) -> tuple[np.ndarray, ...]:
        return tuple(2 * np.pi * m / length for m, length in zip(self.mode_numbers, self.lengths))

    @cached_property
    def nyquist(self) -> tuple[np.ndarray, ...]:
        """Whether each mode is the Nyquist mode of its dimension (even N only)."""
        return tuple((2 * np.abs(m) == n) for m, n in zip(self.mode_numbers, self.shape))

    @cached_property
    def dealias_mask(self) -> np.ndarray:
        """True on the modes kept by the 2/3 rule, |n_d| < N_d/3 in every dimension:
        the product of two functions with only these modes is computed without
        aliasing onto them."""
        keep = np.ones(self.shape, dtype=bool)
        for m, n in zip(self.mode_numbers, self.shape):
            keep = keep & (3 * np.abs(m) < n)
        return keep

    def monomial(self, powers: tuple[int, ...]) -> np.ndarray:
        """Π_d k_d^{p_d} on the grid, with odd powers vanishing at the Nyquist mode."""
        value = np.ones(self.shape)
        for k, nyquist, p in zip(self.wavenumbers, self.nyquist, powers):
            factor = k.astype(float) ** p
            if p % 2:
                factor = np.where(nyquist, 0.0, factor)
            value = value * factor
        return value

    def derivative_factor(self, alpha: tuple[int, ...]) -> np.ndarray:
        """The symbol of ∂^α, Π_d (i k_d)^{α_d}: multiply a transform by it."""
        return (1j ** sum(alpha)) * self.monomial(alpha)

    def symbol(self, expr: sympy.Expr, wavenumbers: tuple[sympy.Symbol, ...]) -> np.ndarray:
        """A polynomial σ(k) in the wavenumber symbols, on the grid (complex)."""
        try:
            poly = sympy.Poly(sympy.expand(expr), *wavenumbers)
        except sympy.PolynomialError:
            raise UnsupportedError(
                f"the operator symbol {sympy.sstr(expr)} is not a polynomial in "
                + ", ".join(map(str, wavenumbers)),
                hint="use constant-coefficient derivatives in G",
            ) from None
        value = np.zeros(self.shape, dtype=complex)
        for powers, coefficient in poly.terms():
            if coefficient.free_symbols:
                raise UnsupportedError(
                    f"the operator symbol {sympy.sstr(expr)} has the non-numeric "
                    f"coefficient {sympy.sstr(coefficient)}",
                    hint="give every constant a value",
                )
            value = value + complex(coefficient) * self.monomial(powers)
        return value

    def fft(self, u: np.ndarray) -> np.ndarray:
        return np.fft.fftn(u, axes=self.axes)

    def ifft(self, v: np.ndarray) -> np.ndarray:
        return np.fft.ifftn(v, axes=self.axes).real

    def project(self, u: np.ndarray) -> np.ndarray:
        """u with only the modes the 2/3 rule keeps."""
        return self.ifft(self.fft(u) * self.dealias_mask)

    def refined(self, factor: int) -> PeriodicGrid:
        """The same box with ``factor`` times the points per dimension; every
        ``factor``-th of its points is one of these (see :meth:`sample`)."""
        return PeriodicGrid(self.lo, self.hi, tuple(factor * n for n in self.shape))

    def interpolate(self, u: np.ndarray, fine: PeriodicGrid) -> np.ndarray:
        """The trigonometric interpolant of u (values on this grid) at the points of a
        finer grid of the same box: the transform padded with zeros, the Nyquist mode of
        an even N split evenly between ±N/2 so that the interpolant is real. It has
        every mode of u, and ``fine.sample(interpolate(u, fine), factor)`` is u again.

        >>> coarse = PeriodicGrid(lo=(0.0,), hi=(1.0,), shape=(4,))
        >>> fine = coarse.refined(2)
        >>> coarse.interpolate(np.array([1.0, -1.0, 1.0, -1.0]), fine).round(12) + 0.0
        array([ 1.,  0., -1.,  0.,  1.,  0., -1.,  0.])
        """
        v = self.fft(u)
        for axis, n, m in zip(self.axes, self.shape, fine.shape):
            v = _pad_modes(np.moveaxis(v, axis, -1), n, m)
            v = np.moveaxis(v * (m / n), -1, axis)
        return fine.ifft(v)

    def sample(self, u: np.ndarray, factor: int) -> np.ndarray:
        """The values of u (on this grid) at every ``factor``-th point per dimension: at
        the points of the grid this one refines by ``factor``."""
        return u[(..., *(slice(None, None, factor),) * self.dim)]

    def integrate(self, values: np.ndarray) -> np.ndarray:
        """∫ values over the box, over the last ``dim`` axes."""
        return values.sum(axis=self.axes) * self.cell_volume

    def _along(self, d: int, values: np.ndarray) -> np.ndarray:
        shape = [1] * self.dim
        shape[d] = -1
        return values.reshape(shape)


def _pad_modes(v: np.ndarray, n: int, m: int) -> np.ndarray:
    """The n modes of v's last axis (FFT order) among m ≥ n, the others zero."""
    if m == n:
        return v
    padded = np.zeros(v.shape[:-1] + (m,), dtype=complex)
    positive = (n + 1) // 2  # modes 0, …, positive − 1
    negative = (n - 1) // 2  # modes −negative, …, −1
    padded[..., :positive] = v[..., :positive]
    if negative:
        padded[..., m - negative :] = v[..., n - negative :]
    if n % 2 == 0:  # the Nyquist mode n/2 is also −n/2: half to each
        padded[..., n // 2] = v[..., n // 2] / 2
        padded[..., m - n // 2] = v[..., n // 2] / 2
    return padded
