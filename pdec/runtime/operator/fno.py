"""The Fourier Neural Operator (Li, Kovachki, Azizzadenesheli, Liu, Bhattacharya,
Stuart & Anandkumar, ICLR 2021) on 1-D and 2-D grids.

    input a (batch, in_channels, *grid)
      → append the grid coordinates as channels (cos, sin of the angle on periodic axes)
      → lift P: pointwise linear map to ``width`` channels
      → ``layers`` Fourier layers  v ← σ(K v + W v)   (no σ after the last)
            K: :class:`SpectralConvolution` on the lowest ``modes`` wavenumbers,
            W: pointwise linear skip, σ: GELU
      → project Q: pointwise width → ``projection`` → out_channels, GELU between
    output u (batch, out_channels, *grid)

Every map but K is pointwise and K acts on fixed wavenumbers, so one set of weights
applies to any grid of the same domain: train at 64², evaluate at 128².

Non-periodic directions are padded with zeros past the high end before the Fourier
layers and cropped after, as Li et al. do, so that the FFT's periodicity does not tie
the two edges together. The padded grid spans (1 + ``padding``) times the domain at every
resolution (``padding=0.125``: 65 points padded by 7, 129 points by 15).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional

from pdec.runtime.operator.spectral_convolution import SpectralConvolution


class Pointwise(nn.Module):
    """A linear map of the channels at every grid point (a 1×…×1 convolution), as one
    batched matrix product over the flattened grid: y_b = W x_b + c, with x_b of shape
    (in, points). In the FNO's training step on one CPU thread (torch 2.13) the
    pointwise maps took about half the time of 1×1 convolutions, whose mkldnn backward
    had dominated the profile.

    >>> Pointwise(3, 5)(torch.randn(2, 3, 8, 4)).shape
    torch.Size([2, 5, 8, 4])
    """

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        # nn.Linear's initialisation (what a 1×1 convolution has too)
        linear = nn.Linear(in_channels, out_channels)
        self.weight = nn.Parameter(linear.weight.detach().clone())
        self.bias = nn.Parameter(linear.bias.detach().clone()[:, None])

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        batch, _, *grid = v.shape
        flat = v.reshape(batch, self.in_channels, -1)
        weight = self.weight.expand(batch, *self.weight.shape)
        out = torch.baddbmm(self.bias, weight, flat)
        return out.view(batch, self.out_channels, *grid)

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}"


def grid_coordinates(
    shape: Sequence[int], domain: Sequence[tuple[float, float]], periodic: Sequence[bool]
) -> list[torch.Tensor]:
    """The points of each axis: lo + j (hi − lo)/N on periodic axes (the end is the start),
    lo + j (hi − lo)/(N − 1) on the others (both ends are grid points).

    >>> [c.tolist() for c in grid_coordinates((4,), [(0.0, 1.0)], [True])]
    [[0.0, 0.25, 0.5, 0.75]]
    >>> [c.tolist() for c in grid_coordinates((3,), [(0.0, 1.0)], [False])]
    [[0.0, 0.5, 1.0]]
    """
    points = []
    for n, (lo, hi), wraps in zip(shape, domain, periodic):
        steps = n if wraps else n - 1
        points.append(lo + (hi - lo) * torch.arange(n, dtype=torch.float64) / steps)
    return points


class FourierNeuralOperator(nn.Module):
    """An FNO mapping input channels on a grid to output channels on the same grid.

    ``modes``: wavenumbers kept per dimension (one int per grid axis); ``domain``: (lo, hi)
    per axis (default [0, 1]); ``periodic``: per axis (default all False, i.e. padded);
    ``coordinates``: append the grid points as input channels (as Li et al.).

    >>> fno = FourierNeuralOperator(1, 1, modes=(8, 8), width=16)
    >>> fno(torch.randn(4, 1, 32, 32)).shape
    torch.Size([4, 1, 32, 32])
    >>> fno(torch.randn(4, 1, 48, 48)).shape   # another resolution, the same weights
    torch.Size([4, 1, 48, 48])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        modes: Sequence[int],
        width: int = 32,
        layers: int = 4,
        projection: int = 128,
        domain: Sequence[tuple[float, float]] | None = None,
        periodic: Sequence[bool] | None = None,
        padding: float = 0.125,
        coordinates: bool = True,
    ):
        super().__init__()
        self.modes = tuple(int(m) for m in modes)
        dim = len(self.modes)
        if dim not in (1, 2, 3):
            raise ValueError(f"modes={modes!r}: one entry per grid axis, 1 to 3 axes")
        self.dim = dim
        self.domain = tuple(tuple(map(float, d)) for d in (domain or [(0.0, 1.0)] * dim))
        self.periodic = tuple(bool(p) for p in (periodic or [False] * dim))
        if len(self.domain) != dim or len(self.periodic) != dim:
            raise ValueError("domain and periodic need one entry per grid axis")
        if not 0 <= padding < 1:
            raise ValueError(f"padding={padding!r}: a fraction of the grid in [0, 1)")
        self.padding = float(padding)
        self.coordinates = coordinates
        self.in_channels, self.out_channels, self.width = in_channels, out_channels, width
        lifted = in_channels + (sum(2 if p else 1 for p in self.periodic) if coordinates else 0)
        self.lift = Pointwise(lifted, width)
        self.spectral = nn.ModuleList(
            SpectralConvolution(width, width, self.modes) for _ in range(layers)
        )
        self.skip = nn.ModuleList(Pointwise(width, width) for _ in range(layers))
        self.project = nn.Sequential(
            Pointwise(width, projection), nn.GELU(), Pointwise(projection, out_channels)
        )

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        if a.dim() != self.dim + 2 or a.shape[1] != self.in_channels:
            raise ValueError(
                f"expected a tensor (batch, {self.in_channels}, {self.dim} grid axes), "
                f"got {tuple(a.shape)}"
            )
        grid = tuple(a.shape[2:])
        if self.coordinates:
            a = torch.cat([a, self.coordinate_channels(a)], dim=1)
        v = self.lift(a)
        pads = self.pads(grid)
        if any(pads):
            # functional.pad lists the last axis first: (left, right) pairs.
            v = functional.pad(v, [p for pad in reversed(pads) for p in (0, pad)])
        for index, (spectral, skip) in enumerate(zip(self.spectral, self.skip)):
            v = spectral(v) + skip(v)
            if index < len(self.spectral) - 1:
                v = functional.gelu(v)
        if any(pads):
            v = v[(slice(None), slice(None), *(slice(0, n) for n in grid))]
        return self.project(v)

    def pads(self, grid: Sequence[int]) -> tuple[int, ...]:
        """Zero points appended past each non-periodic axis's high end: N + P points of
        spacing h = L/(N − 1) make a period of (N + P) h = (1 + padding)·L, the same at
        every resolution, so the Fourier layers' wavenumbers mean the same there too —
        with N + P rounded up to a size with no prime factor above 7, as an FFT of a
        prime length (64 nodes → 71) is several times slower (65 → 72 and 129 → 144
        need no rounding)."""
        return tuple(
            0 if wraps else _fast_size(max(round(self.padding * (n - 1)) - 1, 0) + n) - n
            for n, wraps in zip(grid, self.periodic)
        )

    def coordinate_channels(self, a: torch.Tensor) -> torch.Tensor:
        """The grid points as channels, (batch, channels, *grid): x itself on a
        non-periodic axis; cos and sin of 2π(x − lo)/L on a periodic one, as x would
        jump at the wrap and its harmonics alias differently at every resolution."""
        grid = a.shape[2:]
        points = grid_coordinates(grid, self.domain, self.periodic)
        mesh = torch.meshgrid(*points, indexing="ij")
        channels = []
        for x, (lo, hi), wraps in zip(mesh, self.domain, self.periodic):
            if wraps:
                angle = 2 * torch.pi * (x - lo) / (hi - lo)
                channels += [torch.cos(angle), torch.sin(angle)]
            else:
                channels.append(x)
        stacked = torch.stack(channels).to(dtype=a.dtype, device=a.device)
        return stacked.unsqueeze(0).expand(a.shape[0], *stacked.shape)


def _fast_size(n: int) -> int:
    """The smallest m ≥ n whose prime factors are 2, 3, 5 and 7 only."""
    m = n
    while True:
        rest = m
        for p in (2, 3, 5, 7):
            while rest % p == 0:
                rest //= p
        if rest == 1:
            return m
        m += 1
