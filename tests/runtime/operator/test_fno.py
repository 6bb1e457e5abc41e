"""The FNO: shapes, resolution independence, and a seconds-long fit."""

import math

import pytest
import torch

from pdec.runtime.operator.fno import FourierNeuralOperator, grid_coordinates


def strong_spectral(fno: FourierNeuralOperator, seed: int = 0) -> FourierNeuralOperator:
    """Spectral weights of order one, so the Fourier layers matter in the comparisons."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in fno.spectral:
            shape = layer.weight.shape
            real = torch.randn(*shape, generator=generator)
            imag = torch.randn(*shape, generator=generator)
            layer.weight.copy_(torch.complex(real, imag) / math.sqrt(fno.width))
    return fno


def periodic_input(n: int) -> torch.Tensor:
    x = torch.arange(n, dtype=torch.float64) / n
    return (torch.sin(2 * math.pi * x) + 0.5 * torch.cos(6 * math.pi * x)).reshape(1, 1, n)


@pytest.mark.parametrize(
    ("modes", "grid"), [((8,), (32,)), ((6, 5), (24, 20)), ((6, 5), (17, 33))], ids=str
)
def test_shapes(modes, grid):
    fno = FourierNeuralOperator(2, 3, modes=modes, width=8, layers=2, projection=16)
    assert fno(torch.randn(4, 2, *grid)).shape == (4, 3, *grid)


def test_rejects_inputs_of_the_wrong_shape():
    fno = FourierNeuralOperator(1, 1, modes=(4, 4), width=8)
    with pytest.raises(ValueError, match=r"expected a tensor \(batch, 1, 2 grid axes\)"):
        fno(torch.randn(2, 1, 16))
    with pytest.raises(ValueError, match="expected"):
        fno(torch.randn(2, 3, 16, 16))


def test_coordinates_of_node_and_periodic_grids():
    nodes, ring = grid_coordinates((5, 4), [(0.0, 2.0), (-1.0, 1.0)], [False, True])
    assert nodes.tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert ring.tolist() == [-1.0, -0.5, 0.0, 0.5]


def test_periodic_fno_is_resolution_independent():
    """A band-limited input at 64 and 128 points: the outputs agree at the shared points
    to round-off (GELU's harmonics of a smooth periodic field decay fast enough not to
    alias at 64 points; periodic coordinates enter as cos/sin, which do not jump at the
    wrap), while a CNN's differ at O(1)."""
    torch.manual_seed(0)
    fno = strong_spectral(FourierNeuralOperator(1, 1, (8,), width=16, periodic=(True,)).double())
    with torch.no_grad():
        coarse, fine = fno(periodic_input(64)), fno(periodic_input(128))
    difference = float((coarse - fine[..., ::2]).norm() / coarse.norm())
    assert difference < 1e-12

    torch.manual_seed(0)
    cnn = torch.nn.Sequential(
        torch.nn.Conv1d(1, 16, 5, padding=2, padding_mode="circular"),
        torch.nn.GELU(),
        torch.nn.Conv1d(16, 1, 5, padding=2, padding_mode="circular"),
    ).double()
    with torch.no_grad():
        coarse, fine = cnn(periodic_input(64)), cnn(periodic_input(128))
    assert float((coarse - fine[..., ::2]).norm() / coarse.norm()) > 1e-2


def test_linear_fno_is_exactly_resolution_independent():
    """With one Fourier layer and no nonlinearity before the projection's first map the
    lifted field stays band-limited: the agreement is to round-off."""
    torch.manual_seed(1)
    fno = strong_spectral(
        FourierNeuralOperator(1, 1, (8,), width=8, layers=1, periodic=(True,), coordinates=False)
    ).double()
    with torch.no_grad():
        lifted = fno.spectral[0](fno.lift(periodic_input(64))) + fno.skip[0](
            fno.lift(periodic_input(64))
        )
        lifted_fine = fno.spectral[0](fno.lift(periodic_input(128))) + fno.skip[0](
            fno.lift(periodic_input(128))
        )
    assert float((lifted - lifted_fine[..., ::2]).abs().max()) < 1e-12


def test_padded_fno_on_node_grids_converges_under_refinement():
    """Non-periodic axes: 33², 65², 129² nodes against 257² (each coarse grid's nodes are
    fine ones). The padded period is the same at every resolution, so the outputs
    converge as the grid is refined — at first order, as the FFT still sees the field
    jump where the padding wraps around (the zero padding's price)."""
    torch.manual_seed(2)
    fno = strong_spectral(FourierNeuralOperator(1, 1, (8, 8), width=16)).double()

    def sample(n):
        x = torch.linspace(0, 1, n, dtype=torch.float64)
        X, Y = torch.meshgrid(x, x, indexing="ij")
        return (torch.sin(math.pi * X) * torch.cos(2 * math.pi * Y) + X * Y).reshape(1, 1, n, n)

    assert fno.pads((65, 129)) == (7, 15)
    with torch.no_grad():
        finest = fno(sample(257))
        differences = []
        for n in (33, 65, 129):
            stride = 256 // (n - 1)
            out = fno(sample(n))
            differences.append(float((out - finest[..., ::stride, ::stride]).norm() / out.norm()))
    assert differences[0] < 0.3
    assert differences[1] < differences[0] / 1.8
    assert differences[2] < differences[1] / 1.8


def test_fits_a_linear_operator_in_seconds():
    """Learn u = −(d²/dx²)⁻¹ a on a periodic grid (a smoothing operator) from 64 pairs:
    the training loss falls by a factor of 10 in 150 Adam steps."""
    torch.manual_seed(3)
    n, count = 32, 64
    x = torch.arange(n) / n
    k = torch.arange(1, 5).float()
    coefficients = torch.randn(count, 4)
    a = (coefficients[:, :, None] * torch.sin(2 * math.pi * k[None, :, None] * x)).sum(1)
    u = (
        coefficients[:, :, None]
        / (2 * math.pi * k[None, :, None]) ** 2
        * torch.sin(2 * math.pi * k[None, :, None] * x)
    ).sum(1)
    a, u = a.unsqueeze(1), 40 * u.unsqueeze(1)
    fno = FourierNeuralOperator(1, 1, (6,), width=16, layers=2, projection=32, periodic=(True,))
    optimizer = torch.optim.Adam(fno.parameters(), lr=3e-3)
    losses = []
    for _ in range(150):
        optimizer.zero_grad()
        loss = ((fno(a) - u).norm() / u.norm()) ** 2
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 10
