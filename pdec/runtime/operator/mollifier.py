"""Mollifier derivatives: ∂^α of a gridded field as a convolution with the analytic
derivatives of a smooth, compactly supported bump (the idea of *Mollifier Layers*:
differentiate the mollified field φ_ε * u exactly instead of u itself; cheap at high
orders, and robust to noise because every derivative averages over the bump's support).

The bump is the standard mollifier φ(s) = exp(−1/(1 − s²)) for |s| < 1 (0 outside),
scaled to a support of ``radius`` grid cells: ε = radius·h. In d dimensions it is the
product of the 1-D bumps, so ∂^α(φ_ε * u) is a chain of 1-D convolutions, one per axis,
with φ_ε^(α_d) along axis d (α_d = 0: smoothing only).

Discrete normalisation. On the grid the stencil weights are the bump's values (or its
derivatives') at the offsets j = −R … R, R the largest integer below ``radius``,
then rescaled so that the discrete sums have the moments of the continuous kernels:

* order 0: Σ c_j = 1 (a weighted average; exact for constants and, as the weights are
  even, linear functions);
* order 1: c_j ∝ −φ′(j/r); Σ j h c_j = 1, so linear fields are differentiated exactly
  (and quadratics too: the weights are odd);
* order 2: c_j ∝ φ″(j/r), less a multiple of the order-0 weights so that Σ c_j = 0,
  scaled so that Σ (j h)² c_j / 2 = 1; exact for cubics.

The error on a smooth field is the mollifier's smoothing bias, O(ε²) = O((radius·h)²):
second order under grid refinement at a fixed radius in cells. Noise of standard
deviation σ adds O(σ / (h^order · radius^(order + 1/2))) instead of finite differences'
O(σ / h^order).

Edges of a non-periodic axis, where the stencil reaches past the grid (``boundary``):

* ``"extrapolate"`` (default): the field is continued past each edge by the cubic
  fitted by least squares to the 2R + 1 points next to that edge, then convolved —
  one-sided in effect, and exact for cubics, so the O(h²) bound holds up to the edge;
* ``"reflect"``: even reflection about the edge point (u_{−j} = u_j), right for fields
  whose normal derivative vanishes there (Neumann); other fields get an O(1) error in
  odd derivatives within R points of the edge.

Periodic axes wrap around.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import torch
from torch.nn import functional

BOUNDARIES = ("extrapolate", "reflect")
EXTRAPOLATION_DEGREE = 3


def bump(s: np.ndarray, order: int = 0) -> np.ndarray:
    """φ(s) = exp(−1/(1 − s²)) on |s| < 1, or its first or second derivative; 0 outside.

    >>> float(bump(np.array(0.0))) == math.exp(-1)
    True
    """
    s = np.asarray(s, dtype=np.float64)
    inside = np.abs(s) < 1
    q = np.where(inside, 1 - s**2, 1.0)  # 1 − s², kept away from 0 outside
    phi = np.where(inside, np.exp(-1 / q), 0.0)
    if order == 0:
        return phi
    if order == 1:
        return phi * (-2 * s / q**2)
    if order == 2:
        return phi * (4 * s**2 / q**4 - 2 / q**2 - 8 * s**2 / q**3)
    raise ValueError(f"bump derivatives of order {order}: 0, 1 and 2 are supported")


@lru_cache(maxsize=64)
def stencil(order: int, radius: float) -> tuple[float, ...]:
    """The weights c_{−R} … c_R of ∂^order for unit spacing: (∂^order u)_i ≈
    Σ_j c_j u_{i+j} / h^order.

    >>> weights = np.array(stencil(1, 4.0))
    >>> j = np.arange(-3, 4)
    >>> float(abs(weights.sum())) < 1e-15, float(np.dot(j, weights))
    (True, 1.0)
    """
    if radius <= 1:
        raise ValueError(f"radius={radius!r}: the bump must reach past the neighbours (> 1)")
    reach = math.ceil(radius) - 1
    j = np.arange(-reach, reach + 1, dtype=np.float64)
    smooth = bump(j / radius)
    smooth = smooth / smooth.sum()
    if order == 0:
        weights = smooth
    elif order == 1:
        weights = -bump(j / radius, 1)
        weights = weights / np.dot(j, weights)
    elif order == 2:
        weights = bump(j / radius, 2)
        weights = weights - weights.sum() * smooth
        weights = weights / (np.dot(j**2, weights) / 2)
    else:
        raise ValueError(f"mollifier derivatives of order {order}: 0, 1 and 2 are supported")
    return tuple(float(w) for w in weights)


@lru_cache(maxsize=64)
def _extrapolation(reach: int, points: int) -> np.ndarray:
    """(reach × points): the values at −1 … −reach of the least-squares cubic through
    the values at 0 … points − 1 (rows: the nearest padding point last)."""
    degree = min(EXTRAPOLATION_DEGREE, points - 1)
    inside = np.vander(np.arange(points, dtype=np.float64), degree + 1)
    outside = np.vander(-np.arange(reach, 0, -1, dtype=np.float64), degree + 1)
    return outside @ np.linalg.pinv(inside)


def _pad(u: torch.Tensor, reach: int, periodic: bool, boundary: str) -> torch.Tensor:
    """u (…, N) continued by ``reach`` points past both ends of its last axis."""
    n = u.shape[-1]
    if periodic:
        return torch.cat([u[..., n - reach :], u, u[..., :reach]], dim=-1)
    if boundary == "reflect":
        return torch.cat(
            [u[..., 1 : reach + 1].flip(-1), u, u[..., n - reach - 1 : -1].flip(-1)], -1
        )
    points = min(n, 2 * reach + 1)
    matrix = torch.as_tensor(_extrapolation(reach, points), dtype=u.dtype, device=u.device)
    low = u[..., :points] @ matrix.T
    high = (u[..., n - points :].flip(-1) @ matrix.T).flip(-1)
    return torch.cat([low, u, high], dim=-1)


def _convolve(
    u: torch.Tensor, axis: int, weights: tuple[float, ...], periodic: bool, boundary: str
) -> torch.Tensor:
    reach = len(weights) // 2
    if reach == 0:
        return u * weights[0]
    moved = u.movedim(axis, -1)
    if moved.shape[-1] <= 2 * reach:
        raise ValueError(
            f"{moved.shape[-1]} points along an axis: the mollifier needs more than "
            f"{2 * reach} (lower the radius)"
        )
    padded = _pad(moved, reach, periodic, boundary)
    kernel = torch.as_tensor(weights, dtype=u.dtype, device=u.device).reshape(1, 1, -1)
    flat = padded.reshape(-1, 1, padded.shape[-1])
    # conv1d correlates: out_i = Σ_k w_k in_{i+k}, i.e. Σ_j c_j u_{i+j} on the padded row.
    out = functional.conv1d(flat, kernel).reshape(moved.shape)
    return out.movedim(-1, axis)


def mollified_derivative(
    u: torch.Tensor,
    alpha: Sequence[int],
    spacing: Sequence[float],
    periodic: Sequence[bool],
    radius: float = 4.0,
    boundary: str = "extrapolate",
) -> torch.Tensor:
    """∂^α (φ_ε * u) over the last len(α) axes of u, ε = radius·h per axis.

    ``alpha``: the order along each grid axis (each 0, 1 or 2); ``spacing``: h per axis;
    ``periodic``: per axis; ``radius``: the bump's half-width in cells.

    >>> x = torch.linspace(0, 1, 33, dtype=torch.float64)
    >>> u_x = mollified_derivative(x**3, (1,), (1 / 32,), (False,))
    >>> round(float((u_x - 3 * x**2).abs().max()), 4)   # the bias h² Σ j³ c_j · u‴/6
    0.0071
    """
    if boundary not in BOUNDARIES:
        raise ValueError(f"boundary={boundary!r}: one of {', '.join(BOUNDARIES)}")
    dim = len(alpha)
    if not (len(spacing) == len(periodic) == dim) or u.dim() < dim:
        raise ValueError("alpha, spacing and periodic need one entry per grid axis")
    for d, order in enumerate(alpha):
        axis = u.dim() - dim + d
        u = _convolve(u, axis, stencil(order, float(radius)), periodic[d], boundary)
        u = u / spacing[d] ** order
    return u


class Mollifier:
    """Mollifier derivatives on one grid: ``Mollifier(spacing, periodic)(u, alpha)``."""

    def __init__(
        self,
        spacing: Sequence[float],
        periodic: Sequence[bool],
        radius: float = 4.0,
        boundary: str = "extrapolate",
    ):
        self.spacing, self.periodic = tuple(spacing), tuple(periodic)
        self.radius, self.boundary = float(radius), boundary

    def __call__(self, u: torch.Tensor, alpha: Sequence[int]) -> torch.Tensor:
        return mollified_derivative(
            u, alpha, self.spacing, self.periodic, self.radius, self.boundary
        )
