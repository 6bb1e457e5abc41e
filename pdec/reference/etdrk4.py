"""Exponential time differencing, fourth order (ETDRK4), for v_t = L v + N(v, t).

L is diagonal in Fourier space (per mode a number, or an n×n matrix when fields are
coupled linearly, as q and p of the wave equation); N is the nonlinear rest, computed
pseudo-spectrally. The scheme of Cox & Matthews (J. Comput. Phys. 176, 2002), with
h = the step and z = hL:

    a = e^{z/2} v + Q N(v),            Q = (h/2) φ1(z/2)
    b = e^{z/2} v + Q N(a)
    c = e^{z/2} a + Q (2 N(b) − N(v))
    v⁺ = e^{z} v + f1 N(v) + 2 f2 (N(a) + N(b)) + f3 N(c)

    f1 = h (φ1 − 3φ2 + 4φ3)(z) = h [−4 − z + e^z (4 − 3z + z²)] / z³
    f2 = h (φ2 − 2φ3)(z)       = h [2 + z + e^z (z − 2)] / z³
    f3 = h (4φ3 − φ2)(z)       = h [−4 − 3z − z² + e^z (4 − z)] / z³

The formulas cancel catastrophically for small |z|. Kassam & Trefethen (SIAM J. Sci.
Comput. 26, 2005) evaluate them as the mean over points on a circle of radius 1 around
each z (Cauchy's integral formula, the trapezoidal rule converging geometrically):
:func:`scalar_coefficients` does that. For coupled fields the φ functions of each
mode's matrix come from one exponential of an augmented matrix (the top block row of
exp [[Z, I, 0, 0], [0, 0, I, 0], [0, 0, 0, I], [0, 0, 0, 0]] is e^Z, φ1(Z), φ2(Z),
φ3(Z)): :func:`matrix_coefficients`.

:func:`integrate` samples the solution every Δt with m substeps of h = Δt/m, m chosen
by step doubling: each interval is taken with m and 2m substeps, and the error of the
finer, about their difference/15 for a fourth-order scheme, must stay below a
relative tolerance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from pdec.reference.errors import IntegrationError

CONTOUR_POINTS = 64
MAX_SUBSTEPS = 2**12

Nonlinear = Callable[[np.ndarray, float], np.ndarray]


@dataclass(frozen=True)
class Coefficients:
    """The ETDRK4 coefficients for one step h: per mode a number (``diagonal``, arrays
    shaped (fields, *grid)) or a matrix (arrays shaped (fields, fields, *grid))."""

    E: np.ndarray
    E2: np.ndarray
    Q: np.ndarray
    f1: np.ndarray
    f2: np.ndarray
    f3: np.ndarray
    diagonal: bool

    def apply(self, C: np.ndarray, v: np.ndarray) -> np.ndarray:
        """C v for v shaped (batch, fields, *grid)."""
        if self.diagonal:
            return C * v
        return np.einsum("ij...,bj...->bi...", C, v)


def scalar_coefficients(L: np.ndarray, h: float) -> Coefficients:
    """Coefficients for a diagonal L (any shape), by Kassam & Trefethen's contour means."""
    z = h * L
    r = np.exp(2j * np.pi * (np.arange(1, CONTOUR_POINTS + 1) - 0.5) / CONTOUR_POINTS)
    zr = z[..., None] + r
    ez, ez2 = np.exp(zr), np.exp(zr / 2)
    Q = h * np.mean((ez2 - 1) / zr, axis=-1)
    f1 = h * np.mean((-4 - zr + ez * (4 - 3 * zr + zr**2)) / zr**3, axis=-1)
    f2 = h * np.mean((2 + zr + ez * (zr - 2)) / zr**3, axis=-1)
    f3 = h * np.mean((-4 - 3 * zr - zr**2 + ez * (4 - zr)) / zr**3, axis=-1)
    if np.isrealobj(L):
        Q, f1, f2, f3 = Q.real, f1.real, f2.real, f3.real
    return Coefficients(np.exp(z), np.exp(z / 2), Q, f1, f2, f3, diagonal=True)


def phi_functions(Z: np.ndarray, order: int) -> list[np.ndarray]:
    """[e^Z, φ1(Z), …, φ_order(Z)] for matrices Z shaped (..., n, n), from the
    exponential of the augmented block matrix (exact up to expm's accuracy)."""
    n = Z.shape[-1]
    size = (order + 1) * n
    B = np.zeros(Z.shape[:-2] + (size, size), dtype=np.result_type(Z, float))
    B[..., :n, :n] = Z
    for j in range(order):
        B[..., j * n : (j + 1) * n, (j + 1) * n : (j + 2) * n] = np.eye(n)
    top = scipy.linalg.expm(B)[..., :n, :]
    return [top[..., j * n : (j + 1) * n] for j in range(order + 1)]


def matrix_coefficients(L: np.ndarray, h: float) -> Coefficients:
    """Coefficients for L shaped (n, n, *grid): a matrix per mode."""
    Z = np.moveaxis(h * L, (0, 1), (-2, -1))
    E, phi1, phi2, phi3 = phi_functions(Z, 3)
    E2, half_phi1 = phi_functions(Z / 2, 1)

    def back(M: np.ndarray) -> np.ndarray:
        return np.moveaxis(M, (-2, -1), (0, 1))

    return Coefficients(
        E=back(E),
        E2=back(E2),
        Q=back(h / 2 * half_phi1),
        f1=back(h * (phi1 - 3 * phi2 + 4 * phi3)),
        f2=back(h * (phi2 - 2 * phi3)),
        f3=back(h * (4 * phi3 - phi2)),
        diagonal=False,
    )


class Etdrk4:
    """ETDRK4 for v_t = L v + N(v, t), v shaped (batch, fields, *grid) in Fourier space.

    ``linear``: L shaped (fields, *grid) when diagonal, else (fields, fields, *grid).
    """

    def __init__(self, linear: np.ndarray, nonlinear: Nonlinear, diagonal: bool):
        self.linear = linear
        self.nonlinear = nonlinear
        self.diagonal = diagonal
        self._cache: dict[float, Coefficients] = {}

    def coefficients(self, h: float) -> Coefficients:
        if h not in self._cache:
            make = scalar_coefficients if self.diagonal else matrix_coefficients
            self._cache[h] = make(self.linear, h)
        return self._cache[h]

    def step(self, v: np.ndarray, t: float, h: float) -> np.ndarray:
        c = self.coefficients(h)
        N = self.nonlinear
        Nv = N(v, t)
        half = c.apply(c.E2, v)
        a = half + c.apply(c.Q, Nv)
        Na = N(a, t + h / 2)
        b = half + c.apply(c.Q, Na)
        Nb = N(b, t + h / 2)
        d = c.apply(c.E2, a) + c.apply(c.Q, 2 * Nb - Nv)
        Nd = N(d, t + h)
        return c.apply(c.E, v) + c.apply(c.f1, Nv) + 2 * c.apply(c.f2, Na + Nb) + c.apply(c.f3, Nd)

    def advance(self, v: np.ndarray, t: float, dt: float, substeps: int) -> np.ndarray:
        h = dt / substeps
        for i in range(substeps):
            v = self.step(v, t + i * h, h)
        return v


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """max over the batch of ‖a − b‖ / ‖a‖ (L² norms over all other axes)."""
    axes = tuple(range(1, a.ndim))
    difference = np.sqrt(np.sum(np.abs(a - b) ** 2, axis=axes))
    size = np.sqrt(np.sum(np.abs(a) ** 2, axis=axes))
    return float(np.max(difference / np.maximum(size, np.finfo(float).tiny)))


@dataclass(frozen=True)
class Run:
    """The states at the sample times and the substeps each interval took."""

    states: np.ndarray
    substeps: np.ndarray


def integrate(stepper: Etdrk4, v0: np.ndarray, times: np.ndarray, tolerance: float) -> Run:
    """Sample the solution at ``times`` (equispaced), choosing the substeps per interval
    so that the estimated relative error of each interval stays below ``tolerance``."""
    # a step that blows up overflows before the error estimate says so: numpy's warnings
    # would reach the user beside the one error below that explains it
    with np.errstate(over="ignore", invalid="ignore"):
        return _integrate(stepper, v0, times, tolerance)


def _integrate(stepper: Etdrk4, v0: np.ndarray, times: np.ndarray, tolerance: float) -> Run:
    states = [v0]
    used = []
    v, m = v0, 1
    for i in range(len(times) - 1):
        t0, dt = float(times[i]), float(times[i + 1] - times[i])
        coarse = stepper.advance(v, t0, dt, m)
        while True:
            fine = stepper.advance(v, t0, dt, 2 * m)
            error = relative_difference(fine, coarse) / 15
            if np.isfinite(error) and error <= tolerance:
                break
            if 4 * m > MAX_SUBSTEPS:
                raise IntegrationError(
                    f"ETDRK4 did not reach the tolerance {tolerance:g} between t = {t0:g} "
                    f"and t = {t0 + dt:g} with {2 * m} substeps (estimated error {error:.3g})",
                    hint="the solution may blow up; check the spec's signs and constants, "
                    f"or use a smaller dt (e.g. --dt {dt / 10:g}) or a coarser grid",
                )
            m, coarse = 2 * m, fine
        states.append(fine)
        used.append(2 * m)
        v = fine
        if error < tolerance / 64 and m > 1:
            m //= 2
    return Run(np.stack(states, axis=1), np.array(used, dtype=int))
