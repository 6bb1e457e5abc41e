"""Derivatives of fields on grids: spectral on periodic axes, finite differences on
the others. Both act on the last axes of a tensor (batch, channels, *grid), one grid
axis at a time, and compose for mixed derivatives (∂x∂y = ∂x applied to ∂y).

* :func:`spectral_derivative` — multiply the real FFT by (i k)^order; odd orders vanish
  at the Nyquist mode (as in :mod:`pdec.reference.spectral`), so real stays real.
  Exact for trigonometric polynomials the grid resolves.
* :func:`finite_difference` — second-order central differences inside, second-order
  one-sided ones at the two edges of a non-periodic axis (whose grid includes both ends),
  so the error is O(h²) at every point; wrapped central differences on periodic axes.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

# One-sided second-order stencils at the low edge (points 0, 1, 2[, 3]); the high edge
# uses them mirrored, with the sign of odd orders flipped.
EDGE_STENCILS = {1: (-1.5, 2.0, -0.5), 2: (2.0, -5.0, 4.0, -1.0)}


def spectral_derivative(u: torch.Tensor, axis: int, order: int, length: float) -> torch.Tensor:
    """∂^order u along ``axis`` of a periodic grid of ``length`` (points lo + j L/N).

    >>> import math
    >>> x = torch.arange(16, dtype=torch.float64) * 2 * math.pi / 16
    >>> bool(torch.allclose(spectral_derivative(torch.sin(x), 0, 1, 2 * math.pi), torch.cos(x)))
    True
    """
    if order == 0:
        return u
    n = u.shape[axis]
    transform = torch.fft.rfft(u, dim=axis)
    k = 2 * torch.pi * torch.fft.rfftfreq(n, d=1.0 / n, dtype=torch.float64) / length
    factor = (1j * k.to(torch.complex128)) ** order
    if order % 2 and n % 2 == 0:
        factor[-1] = 0.0
    shape = [1] * u.dim()
    shape[axis] = -1
    factor = factor.to(transform.dtype).to(u.device).reshape(shape)
    return torch.fft.irfft(transform * factor, n=n, dim=axis)


def finite_difference(
    u: torch.Tensor, axis: int, order: int, spacing: float, periodic: bool
) -> torch.Tensor:
    """∂^order u (order 0, 1 or 2) along ``axis`` by second-order differences.

    >>> x = torch.linspace(0, 1, 11, dtype=torch.float64)
    >>> finite_difference(x**2, 0, 1, 0.1, periodic=False)[[0, 5, 10]].round(decimals=12).tolist()
    [0.0, 1.0, 2.0]
    """
    if order == 0:
        return u
    if order not in (1, 2):
        raise ValueError(f"finite differences of order {order}: 1 and 2 are supported")
    if periodic:
        forward, backward = torch.roll(u, -1, axis), torch.roll(u, 1, axis)
        if order == 1:
            return (forward - backward) / (2 * spacing)
        return (forward - 2 * u + backward) / spacing**2
    n = u.shape[axis]
    if n < 4:
        raise ValueError(f"finite differences need at least 4 points along an axis, got {n}")
    ahead, behind = u.narrow(axis, 2, n - 2), u.narrow(axis, 0, n - 2)
    middle = u.narrow(axis, 1, n - 2)
    inside = (ahead - behind) / 2 if order == 1 else ahead - 2 * middle + behind
    stencil = EDGE_STENCILS[order]
    low = sum(c * u.narrow(axis, i, 1) for i, c in enumerate(stencil))
    sign = -1 if order == 1 else 1
    high = sign * sum(c * u.narrow(axis, n - 1 - i, 1) for i, c in enumerate(stencil))
    return torch.cat([low, inside, high], dim=axis) / spacing**order


def grid_derivative(
    u: torch.Tensor,
    alpha: Sequence[int],
    spacing: Sequence[float],
    periodic: Sequence[bool],
    lengths: Sequence[float],
    method: str = "default",
) -> torch.Tensor:
    """∂^α u over the last len(α) axes. ``method``: "default" (spectral on periodic axes,
    finite differences on the others) or "finite_difference" (on every axis)."""
    dim = len(alpha)
    for d, order in enumerate(alpha):
        if order == 0:
            continue
        axis = u.dim() - dim + d
        if periodic[d] and method == "default":
            u = spectral_derivative(u, axis, order, lengths[d])
        else:
            u = finite_difference(u, axis, order, spacing[d], periodic[d])
    return u
