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
        if v.dtype in (torch.bfloat16, torch.float16):
            # under autocast (precision="bf16") the spectral part stays float32: FFTs of
            # half types exist only on CUDA and only for power-of-two grids
            with torch.autocast(v.device.type, enabled=False):
                return self.forward(v.float())
        grid = v.shape[2:]
        weight = self.weight if v.dtype != torch.float64 else self.weight.to(torch.cdouble)
        kept = self.kept(grid)
        # Pruned transforms: the last axis first (rfft), cut to its kept wavenumbers, so
        # the FFTs along the other axes run over kept[-1] columns instead of N/2 + 1.
        v_hat = LowRfft.apply(v, kept[-1])
        index = [slice(None), slice(None)]
        for axis, (m, k, n) in enumerate(zip(self.modes[:-1], kept[:-1], grid[:-1])):
            dim = 2 + axis
            v_hat = torch.fft.fft(v_hat, dim=dim)
            v_hat = torch.cat([v_hat.narrow(dim, 0, k), v_hat.narrow(dim, n - k, k)], dim)
            # W's blocks k = 0 … kept − 1 and k = −kept … −1 (the same when kept = m)
            index.append(torch.cat([torch.arange(k), torch.arange(2 * m - k, 2 * m)]))
        index.append(slice(0, kept[-1]))
        weight = _select(weight, index)
        out_hat = torch.einsum("bi...,io...->bo...", v_hat, weight)
        for axis in reversed(range(self.dim - 1)):
            dim, k, n = 2 + axis, kept[axis], grid[axis]
            shape = list(out_hat.shape)
            shape[dim] = n - 2 * k
            zeros = out_hat.new_zeros(shape)
            low, high = out_hat.narrow(dim, 0, k), out_hat.narrow(dim, k, k)
            out_hat = torch.fft.ifft(torch.cat([low, zeros, high], dim), dim=dim)
        # irfft pads the kept wavenumbers with zeros up to N/2 + 1
        return torch.fft.irfft(out_hat, n=grid[-1], dim=-1)

    def kept(self, grid) -> list[int]:
        """Wavenumbers kept per axis on this grid: |k| < N/2 on the axes but the last
        (k and −k both fit), 0 ≤ k < (N + 1)/2 on the last; at most the layer's modes."""
        kept = [min(m, n // 2) for m, n in zip(self.modes[:-1], grid[:-1])]
        kept.append(min(self.modes[-1], (grid[-1] + 1) // 2))
        return kept

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, modes={self.modes}"


class LowRfft(torch.autograd.Function):
    """rfft along the last axis, cut to the wavenumbers 0 ≤ k < kept (kept ≤ (N + 1)/2),
    with a backward of one real inverse transform. Autograd's own backward for
    ``rfft(v)[..., :kept]`` pads the gradient to the full spectrum and runs a complex FFT
    of the whole grid, which took a fifth of the FNO's training time on the CPU.

    For real v and v̂_k = Σ_j v_j e^{−2πi jk/N}, the gradient is ∂L/∂v_j = Re Σ_k g_k
    e^{2πi jk/N}; with h = g but h_0 = 2 g_0 that is (N/2) · irfft(h, N)_j, as irfft(h)_j
    = (Re h_0 + 2 Re Σ_{k≥1} h_k e^{2πi jk/N}) / N when no k is N/2.

    >>> v = torch.randn(2, 3, 10, dtype=torch.float64, requires_grad=True)
    >>> torch.autograd.gradcheck(lambda v: LowRfft.apply(v, 4), (v,))
    True
    """

    @staticmethod
    def forward(ctx, v: torch.Tensor, kept: int) -> torch.Tensor:
        n = v.shape[-1]
        if not 1 <= kept <= (n + 1) // 2:
            raise ValueError(f"kept={kept}: between 1 and (N + 1)/2 = {(n + 1) // 2}")
        ctx.n = n
        return torch.fft.rfft(v, dim=-1)[..., :kept]

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        h = torch.cat([2 * grad[..., :1], grad[..., 1:]], dim=-1)
        return (ctx.n / 2) * torch.fft.irfft(h, n=ctx.n, dim=-1), None


def _select(weight: torch.Tensor, index: list) -> torch.Tensor:
    """W at the kept wavenumbers: one axis at a time, as index tensors do not combine
    into an outer product when given together."""
    for axis, which in enumerate(index):
        if isinstance(which, torch.Tensor):
            if len(which) != weight.shape[axis]:
                weight = weight.index_select(axis, which.to(weight.device))
        elif which != slice(None):
            weight = weight[(slice(None),) * axis + (which,)]
    return weight
