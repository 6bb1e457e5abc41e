"""Gaussian random fields for operator-learning inputs: ψ ~ N(0, C) on a box, with the
covariance C = scale · (−Δ + shift·I)^(−power), as in the FNO data sets (Li et al.
2021): Darcy's coefficients threshold ψ ~ N(0, (−Δ + 9I)^(−2)) (a = 12 where ψ ≥ 0,
3 elsewhere); Burgers' initial states are u0 ~ N(0, 625 (−Δ + 25I)^(−2)).

ψ is the Karhunen–Loève sum ψ = Σ_k √λ_k ξ_k e_k over the Laplacian's eigenfunctions
e_k on the box, normalised in L², with λ_k = scale · (μ_k + shift)^(−power), μ_k the
eigenvalue of −Δ, and ξ_k independent standard normals:

* ``boundary="neumann"`` (non-periodic boxes, as in the FNO Darcy set): e_k = Π_d
  cos(π k_d (x_d − lo_d)/L_d) · √(2 or 1 for k_d = 0)/√L_d, μ_k = Σ_d (π k_d/L_d)²,
  0 ≤ k_d < ``modes``;
* ``boundary="periodic"``: ψ = Re Σ_k √λ_k (ξ_k + i η_k) e^{2πi k·(x − lo)/L}/√|L| over
  |k_d| < ``modes``, μ_k = Σ_d (2π k_d/L_d)² — the same covariance Σ_k λ_k e_k(x) e_k(y)
  as the real series.

The constant mode k = 0 is left out: ψ has zero spatial mean, so the threshold at 0
splits the box about evenly. The coefficients are drawn first and the sum is then
evaluated at the requested points, so one seed gives the same field at every
resolution (data at 64² and at 128² share their inputs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from pdec.errors import InvalidValueError

BOUNDARIES = ("neumann", "periodic")


@dataclass(frozen=True)
class GaussianRandomField:
    """N(0, scale·(−Δ + shift·I)^(−power)) on ``domain``, truncated to ``modes`` per axis.

    >>> field = GaussianRandomField(domain=((0.0, 1.0), (0.0, 1.0)))
    >>> x = np.linspace(0, 1, 5)
    >>> field.sample(np.random.default_rng(0), 3, (x, x)).shape
    (3, 5, 5)
    """

    domain: tuple[tuple[float, float], ...]
    scale: float = 1.0
    shift: float = 9.0
    power: float = 2.0
    boundary: str = "neumann"
    modes: int = 32

    def __post_init__(self):
        if self.boundary not in BOUNDARIES:
            raise InvalidValueError(
                f"boundary={self.boundary!r}", hint=f"one of {', '.join(BOUNDARIES)}"
            )
        if not (self.scale > 0 and self.shift > 0 and self.power > 0 and self.modes >= 2):
            raise InvalidValueError(
                "a Gaussian random field needs scale, shift, power > 0 and modes ≥ 2",
                hint="e.g. GaussianRandomField(domain, scale=1, shift=9, power=2)",
            )

    @property
    def lengths(self) -> tuple[float, ...]:
        return tuple(hi - lo for lo, hi in self.domain)

    def wavenumbers(self) -> list[np.ndarray]:
        """The integer k of each axis's modes."""
        if self.boundary == "neumann":
            return [np.arange(self.modes)] * len(self.domain)
        return [np.arange(-self.modes + 1, self.modes)] * len(self.domain)

    def eigenvalues(self) -> np.ndarray:
        """λ_k on the grid of wavenumbers (shape: modes per axis), 0 at k = 0."""
        factor = math.pi if self.boundary == "neumann" else 2 * math.pi
        mu = sum(
            np.reshape((factor * k / length) ** 2, _along(d, len(self.domain)))
            for d, (k, length) in enumerate(zip(self.wavenumbers(), self.lengths))
        )
        values = self.scale * (mu + self.shift) ** (-self.power)
        zero = tuple(int(np.flatnonzero(k == 0)[0]) for k in self.wavenumbers())
        values[zero] = 0.0
        return values

    def basis(self, d: int, points: np.ndarray) -> np.ndarray:
        """e_k along axis d at ``points``: (points, modes), complex for periodic."""
        lo, length = self.domain[d][0], self.lengths[d]
        k = self.wavenumbers()[d]
        s = (np.asarray(points, dtype=float)[:, None] - lo) / length
        if self.boundary == "neumann":
            norm = np.where(k == 0, 1.0, math.sqrt(2.0)) / math.sqrt(length)
            return norm * np.cos(math.pi * k * s)
        return np.exp(2j * math.pi * k * s) / math.sqrt(length)

    def coefficients(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """√λ_k ξ_k for n fields: (n, modes per axis), complex for periodic."""
        shape = (n, *self.eigenvalues().shape)
        xi = rng.standard_normal(shape)
        if self.boundary == "periodic":
            xi = xi + 1j * rng.standard_normal(shape)
        return np.sqrt(self.eigenvalues()) * xi

    def evaluate(self, coefficients: np.ndarray, points: Sequence[np.ndarray]) -> np.ndarray:
        """Σ_k c_k e_k at the grid spanned by ``points`` (one array per axis)."""
        if len(points) != len(self.domain):
            raise InvalidValueError(f"expected points along {len(self.domain)} axes")
        values = coefficients
        for d, p in enumerate(points):
            # contract the mode axis d + 1 with the basis, and leave a point axis at the end
            values = np.tensordot(values, self.basis(d, p), axes=([1], [1]))
        return values.real if np.iscomplexobj(values) else values

    def sample(self, rng: np.random.Generator, n: int, points: Sequence[np.ndarray]) -> np.ndarray:
        """n fields at the grid spanned by ``points``: (n, *(len(p) for p in points))."""
        return self.evaluate(self.coefficients(rng, n), points)

    def variance(self, points: Sequence[np.ndarray]) -> np.ndarray:
        """E ψ(x)² = Σ_k λ_k |e_k(x)|² at the grid spanned by ``points`` (for periodic
        fields, Re((ξ + iη) e_k) has variance |e_k|²)."""
        values = self.eigenvalues()[None]
        for d, p in enumerate(points):
            values = np.tensordot(values, np.abs(self.basis(d, p)) ** 2, axes=([1], [1]))
        return values[0]

    def metadata(self) -> dict:
        return {"kind": "gaussian random field", **asdict(self)}


def threshold(psi: np.ndarray, high: float = 12.0, low: float = 3.0) -> np.ndarray:
    """``high`` where ψ ≥ 0, ``low`` elsewhere: a two-phase medium (the FNO Darcy a)."""
    return np.where(psi >= 0, high, low)


def _along(d: int, dim: int) -> tuple[int, ...]:
    shape = [1] * dim
    shape[d] = -1
    return tuple(shape)
