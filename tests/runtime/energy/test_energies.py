"""Learned energies and vector fields: shapes, the grid energy's form Σ_i h Δx."""

import pytest
import torch

from pdec.runtime.energy import GridEnergy, GridVectorField, MLPEnergy, MLPVectorField

F64 = torch.float64


def test_mlp_energy_maps_states_to_numbers(generator):
    H = MLPEnergy(6, depth=2, width=8, generator=generator)
    assert H(torch.randn(5, 6, dtype=F64, generator=generator)).shape == (5,)
    assert H(torch.randn(5, 2, 3, dtype=F64, generator=generator)).shape == (5,)
    with pytest.raises(ValueError, match="expects states of 6 values, got 4"):
        H(torch.zeros(5, 4, dtype=F64))


def test_grid_energy_is_a_sum_of_local_densities(generator):
    H = GridEnergy(1, stencil_width=1, hidden=8, depth=2, spacing=0.2, generator=generator)
    u = torch.randn(3, 20, dtype=F64, generator=generator)
    density = H.density(u)
    assert density.shape == (3, 20)
    torch.testing.assert_close(H(u), density.sum(dim=1) * 0.2)
    # h_i depends on u_{i-1}, u_i, u_{i+1} only (periodically)
    bumped = u.clone()
    bumped[:, 10] += 1.0
    changed = (H.density(bumped) - density).abs().amax(dim=0) > 0
    assert changed.nonzero().flatten().tolist() == [9, 10, 11]
    # translation invariant, and defined on any grid
    torch.testing.assert_close(H(torch.roll(u, 7, dims=1)), H(u))
    assert H(torch.randn(2, 50, dtype=F64, generator=generator)).shape == (2,)


def test_grid_energy_of_two_fields_accepts_flat_states(generator):
    H = GridEnergy(2, stencil_width=1, hidden=8, spacing=0.1, generator=generator)
    u = torch.randn(4, 2, 16, dtype=F64, generator=generator)
    torch.testing.assert_close(H(u), H(u.reshape(4, 32)))


def test_vector_fields_keep_the_state_shape(generator):
    f = MLPVectorField(6, depth=2, width=8, generator=generator)
    assert f(torch.randn(5, 2, 3, dtype=F64, generator=generator)).shape == (5, 2, 3)
    f = GridVectorField(2, stencil_width=1, hidden=8, generator=generator)
    u = torch.randn(4, 2, 16, dtype=F64, generator=generator)
    assert f(u).shape == (4, 2, 16)
    torch.testing.assert_close(f(torch.roll(u, 3, dims=2)), torch.roll(f(u), 3, dims=2))


def test_generators_make_networks_reproducible():
    a = MLPEnergy(3, generator=torch.Generator().manual_seed(5))
    b = MLPEnergy(3, generator=torch.Generator().manual_seed(5))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
