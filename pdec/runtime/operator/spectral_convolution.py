"""The Fourier layer's global part: K v = Re F⁻¹[W(k) · (F v)(k)], with W nonzero only
on the lowest ``modes`` wavenumbers of each dimension (Li et al., ICLR 2021).

For a grid of N_1 × … × N_d points the transform F is the real FFT over the grid axes,
so the last axis keeps only k_d ≥ 0. The layer keeps

* along every axis but the last, the wavenumbers −m_i ≤ k_i < m_i, stored as two
  blocks of m_i: k = 0 … m_i − 1, then k = −m_i … −1;
* along the last axis, 0 ≤ k_d < m_d.

Each kept wavenumber has its own complex matrix W(k) ∈ ℂ^{out × in}. The output is the
real part of the inverse transform of the weighted half spectrum — what ``irfftn``
computes, i.e. (with N = Π N_i and c(k_d) = 1 for k_d = 0, else 2)

    (K v)_o(x) = Re Σ_k c(k_d) Σ_i W_oi(k) v̂_i(k) e^{2πi k·j/N} / N.

The same weights act on the same wavenumbers at every resolution, which is what makes
the layer (and the FNO) resolution-independent: a band-limited v sampled on a finer grid
gives the same K v at the shared points, up to round-off. On a grid too coarse to hold
m_i modes the layer keeps as many as fit (|k_i| < N_i/2), with the same W(k).
"""

from __future__ import annotations

import torch
from torch import nn


class SpectralConvolution(nn.Module):
    """Multiply the lowest Fourier modes by learned complex matrices (1-D, 2-D or 3-D).

    >>> layer = SpectralConvolution(3, 5, modes=(4, 4))
    >>> layer(torch.randn(2, 3, 16, 12)).shape
    torch.Size([2, 5, 16, 12])
    """

    def __init__(self, in_channels: int, out_channels: int, modes: tuple[int, ...]):
        super().__init__()
        if not 1 <= len(modes) <= 3 or any(int(m) < 1 for m in modes):
            raise ValueError(f"modes={modes!r}: expected 1 to 3 whole numbers ≥ 1")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.modes = tuple(int(m) for m in modes)
        # Axes but the last hold k ≥ 0 and k < 0: two blocks of m each.
        shape = (in_channels, out_channels, *(2 * m for m in self.modes[:-1]), self.modes[-1])
        # Li et al.'s scale: the output's variance does not grow with the channels.
        scale = 1.0 / (in_channels * out_channels)
        self.weight = nn.Parameter(scale * torch.rand(*shape, dtype=torch.cfloat))

    @property
    def dim(self) -> int:
        return len(self.modes)

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        """v: (batch, in_channels, *grid) → (batch, out_channels, *grid)."""
        if v.dim() != self.dim + 2 or v.shape[1] != self.in_channels:
            raise ValueError(
                f"expected (batch, {self.in_channels}, {self.dim} grid axes), got {tuple(v.shape)}"
            )
        grid = v.shape[2:]
        axes = tuple(range(2, 2 + self.dim))
        weight = self.weight if v.dtype != torch.float64 else self.weight.to(torch.cdouble)
        v_hat = torch.fft.rfftn(v, dim=axes)
        out_hat = torch.zeros(
            v.shape[0], self.out_channels, *v_hat.shape[2:], dtype=v_hat.dtype, device=v.device
        )
        kept = [min(m, n // 2) for m, n in zip(self.modes[:-1], grid[:-1])]
        kept.append(min(self.modes[-1], (grid[-1] + 1) // 2))
        for v_block, out_block, w_block in _blocks(self.modes, kept, grid):
            out_hat[out_block] = torch.einsum("bi...,io...->bo...", v_hat[v_block], weight[w_block])
        return torch.fft.irfftn(out_hat, s=grid, dim=axes)

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, modes={self.modes}"


def _blocks(modes, kept, grid):
    """(index into v̂, index into the output, index into W) for each corner of kept
    wavenumbers: 2^(d−1) corners (k_i ≥ 0 or k_i < 0 along each axis but the last)."""
    d = len(modes)
    for signs in range(2 ** (d - 1)):
        spectrum, weights = [slice(None), slice(None)], [slice(None), slice(None)]
        for axis in range(d - 1):
            m, kept_m = modes[axis], kept[axis]
            if (signs >> axis) & 1:  # k = −kept_m … −1
                spectrum.append(slice(grid[axis] - kept_m, grid[axis]))
                weights.append(slice(2 * m - kept_m, 2 * m))
            else:  # k = 0 … kept_m − 1
                spectrum.append(slice(0, kept_m))
                weights.append(slice(0, kept_m))
        spectrum.append(slice(0, kept[-1]))
        weights.append(slice(0, kept[-1]))
        yield tuple(spectrum), tuple(spectrum), tuple(weights)
