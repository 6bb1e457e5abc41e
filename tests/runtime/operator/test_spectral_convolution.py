"""The Fourier layer against the explicit DFT sums of its definition, in float64."""

import itertools
import math

import numpy as np
import pytest
import torch

from pdec.runtime.operator.spectral_convolution import SpectralConvolution


def random_layer(in_channels, out_channels, modes, seed=0):
    layer = SpectralConvolution(in_channels, out_channels, modes)
    generator = torch.Generator().manual_seed(seed)
    shape = layer.weight.shape
    real = torch.randn(*shape, generator=generator, dtype=torch.float64)
    imag = torch.randn(*shape, generator=generator, dtype=torch.float64)
    layer.weight = torch.nn.Parameter(torch.complex(real, imag))
    return layer


def frequencies(m_kept, m, n, last):
    """(wavenumber k, its index in W along this axis) for each kept wavenumber."""
    if last:
        return [(k, k) for k in range(m_kept)]
    return [(k, k) for k in range(m_kept)] + [(-k, 2 * m - k) for k in range(m_kept, 0, -1)]


def direct(layer, v: np.ndarray) -> np.ndarray:
    """(K v)_o(j) = Re Σ_k c(k_d) Σ_i W_oi(k) v̂_i(k) e^{2πi k·j/N} / N with
    v̂_i(k) = Σ_j v_i(j) e^{−2πi k·j/N}, summed point by point (no FFT)."""
    batch, _, *grid = v.shape
    dim = len(grid)
    weight = layer.weight.detach().numpy()
    kept = [min(m, n // 2) for m, n in zip(layer.modes[:-1], grid[:-1])]
    kept.append(min(layer.modes[-1], (grid[-1] + 1) // 2))
    axes = [frequencies(kept[d], layer.modes[d], grid[d], last=(d == dim - 1)) for d in range(dim)]
    points = np.array(list(itertools.product(*(range(n) for n in grid))))  # (P, dim)
    out = np.zeros((batch, layer.out_channels, len(points)), dtype=complex)
    flat = v.reshape(batch, v.shape[1], -1)
    for combination in itertools.product(*axes):
        k = np.array([c[0] for c in combination])
        index = tuple(c[1] for c in combination)
        phase = 2 * np.pi * (points @ (k / np.array(grid)))
        v_hat = flat @ np.exp(-1j * phase)  # (batch, in)
        c = 1.0 if k[-1] == 0 else 2.0
        mixed = np.einsum("bi,io->bo", v_hat, weight[(slice(None), slice(None), *index)])
        out += c * mixed[:, :, None] * np.exp(1j * phase)[None, None, :]
    return (out.real / math.prod(grid)).reshape(batch, layer.out_channels, *grid)


@pytest.mark.parametrize(
    ("modes", "grid"),
    [((5,), (16,)), ((5,), (15,)), ((4, 3), (12, 10)), ((3, 4), (9, 11)), ((8, 6), (8, 10))],
    ids=["1d-even", "1d-odd", "2d-even", "2d-odd", "2d-coarse-grid"],
)
def test_matches_the_explicit_dft(modes, grid):
    layer = random_layer(3, 2, modes)
    v = np.random.default_rng(1).standard_normal((2, 3, *grid))
    got = layer(torch.from_numpy(v)).detach().numpy()
    want = direct(layer, v)
    assert got.shape == (2, 2, *grid)
    assert np.max(np.abs(got - want)) < 1e-12 * np.max(np.abs(want))


def test_only_the_kept_modes_pass():
    """A mode above the cut-off is removed entirely; one below is kept."""
    layer = random_layer(1, 1, (4,))
    x = torch.arange(32, dtype=torch.float64) / 32
    high = layer(torch.sin(2 * math.pi * 6 * x).reshape(1, 1, -1)).detach()
    low = layer(torch.sin(2 * math.pi * 3 * x).reshape(1, 1, -1)).detach()
    assert float(high.abs().max()) < 1e-14
    assert float(low.abs().max()) > 1e-2


def test_band_limited_inputs_are_resolution_independent():
    """The same weights at 32 and 64 points: equal at the shared points to round-off."""
    layer = random_layer(2, 3, (6, 5))

    def sample(n):
        x = torch.arange(n, dtype=torch.float64) / n
        X, Y = torch.meshgrid(x, x, indexing="ij")
        first = torch.sin(2 * math.pi * (X + 2 * Y)) + torch.cos(2 * math.pi * 3 * X)
        second = torch.cos(2 * math.pi * (4 * Y - X))
        return torch.stack([first, second]).unsqueeze(0)

    with torch.no_grad():
        coarse, fine = layer(sample(32)), layer(sample(64))
    assert float((coarse - fine[..., ::2, ::2]).abs().max()) < 1e-12 * float(coarse.abs().max())


def test_gradients_reach_the_weights():
    layer = SpectralConvolution(2, 2, (3, 3))
    layer(torch.randn(1, 2, 8, 8)).pow(2).sum().backward()
    assert layer.weight.grad is not None and float(layer.weight.grad.abs().sum()) > 0


@pytest.mark.parametrize("modes", [(), (0,), (1, 2, 3, 4)])
def test_rejects_bad_modes(modes):
    with pytest.raises(ValueError, match="modes"):
        SpectralConvolution(1, 1, modes)


def test_rejects_wrong_channels():
    with pytest.raises(ValueError, match="expected"):
        SpectralConvolution(2, 2, (3,))(torch.randn(1, 3, 16))


@pytest.mark.parametrize(
    ("modes", "grid"), [((3,), (10,)), ((3,), (7,)), ((2, 3), (6, 7)), ((4, 3), (6, 5))], ids=str
)
def test_gradients_match_finite_differences(modes, grid):
    """The pruned transforms and the hand-written rfft backward (LowRfft) against
    finite differences, for the input and the weights, on even, odd and coarse grids."""
    layer = random_layer(2, 2, modes)
    v = torch.randn(1, 2, *grid, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda v, w: _with_weight(layer, w)(v), (v, layer.weight))


def _with_weight(layer, weight):
    def apply(v):
        return torch.func.functional_call(layer, {"weight": weight}, (v,))

    return apply


def test_pointwise_is_a_one_by_one_convolution():
    from pdec.runtime.operator.fno import Pointwise

    layer = Pointwise(3, 4)
    v = torch.randn(2, 3, 5, 6)
    want = torch.nn.functional.conv2d(v, layer.weight[:, :, None, None], layer.bias[:, 0])
    assert torch.allclose(layer(v), want, atol=1e-6)
