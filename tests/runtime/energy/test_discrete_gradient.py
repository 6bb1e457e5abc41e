"""The discrete chain rule H(u1) − H(u0) = ∇̄H(u1, u0)·(u1 − u0), to round-off, and
consistency ∇̄H(u, u) = ∇H(u), for network energies in float64."""

import pytest
import torch

from pdec.runtime.energy import (
    GridEnergy,
    MLPEnergy,
    discrete_gradient,
    energy_gradient,
    itoh_abe_gradient,
)

F64 = torch.float64


def mlp_energy(generator):
    return MLPEnergy(6, depth=3, width=32, generator=generator), (6,)


def shaped_mlp_energy(generator):
    return MLPEnergy(6, depth=2, width=16, generator=generator), (2, 3)


def grid_energy(generator):
    return GridEnergy(1, stencil_width=2, hidden=16, depth=2, spacing=0.3, generator=generator), (
        32,
    )


def two_field_grid_energy(generator):
    return GridEnergy(2, stencil_width=1, hidden=16, depth=3, spacing=0.1, generator=generator), (
        2,
        16,
    )


ENERGIES = [mlp_energy, shaped_mlp_energy, grid_energy, two_field_grid_energy]


def chain_rule_error(H, gradient, u1, u0):
    """|H(u1) − H(u0) − g·Δ| relative to |H(u1) − H(u0)|, per state."""
    increment = H(u1) - H(u0)
    product = (gradient * (u1 - u0)).flatten(1).sum(dim=1)
    return ((increment - product).abs() / increment.abs()).detach()


@pytest.mark.parametrize("make", ENERGIES)
def test_gonzalez_chain_rule_holds_to_round_off(make, generator):
    H, shape = make(generator)
    u0 = torch.randn(64, *shape, dtype=F64, generator=generator)
    u1 = torch.randn(64, *shape, dtype=F64, generator=generator)
    g = discrete_gradient(H, u1, u0)
    assert g.shape == u0.shape
    assert chain_rule_error(H, g, u1, u0).max() <= 1e-12


@pytest.mark.parametrize("make", ENERGIES)
def test_gonzalez_chain_rule_for_close_states(make, generator):
    # steps of all sizes, down to where the formula falls back to ∇H(m)
    H, shape = make(generator)
    u0 = torch.randn(12, *shape, dtype=F64, generator=generator)
    sizes = torch.logspace(-1, -12, 12, dtype=F64).reshape(12, *[1] * len(shape))
    u1 = u0 + sizes * torch.randn(12, *shape, dtype=F64, generator=generator)
    g = discrete_gradient(H, u1, u0, create_graph=False)
    increment = H(u1) - H(u0)
    product = (g * (u1 - u0)).flatten(1).sum(dim=1)
    scale = H(u1).abs() + H(u0).abs()
    assert ((increment - product).abs() / scale).max() <= 1e-13
    # and ∇̄H stays close to ∇H at the midpoint
    midpoint = energy_gradient(H, (u0 + u1) / 2, create_graph=False)
    assert ((g - midpoint).flatten(1).norm(dim=1) <= sizes.flatten() + 1e-9).all()


@pytest.mark.parametrize("make", ENERGIES)
def test_gonzalez_is_consistent(make, generator):
    H, shape = make(generator)
    u = torch.randn(8, *shape, dtype=F64, generator=generator)
    assert torch.equal(discrete_gradient(H, u, u), energy_gradient(H, u))


@pytest.mark.parametrize("make", [mlp_energy, shaped_mlp_energy])
def test_itoh_abe_chain_rule_and_consistency(make, generator):
    H, shape = make(generator)
    u0 = torch.randn(32, *shape, dtype=F64, generator=generator)
    u1 = torch.randn(32, *shape, dtype=F64, generator=generator)
    assert chain_rule_error(H, itoh_abe_gradient(H, u1, u0), u1, u0).max() <= 1e-12
    # one coordinate unchanged: its component is a partial derivative
    u1.view(32, -1)[:, 0] = u0.view(32, -1)[:, 0]
    assert chain_rule_error(H, itoh_abe_gradient(H, u1, u0), u1, u0).max() <= 1e-12
    torch.testing.assert_close(itoh_abe_gradient(H, u0, u0), energy_gradient(H, u0))


def test_gonzalez_is_differentiable_in_the_states(generator):
    # what Newton's method relies on: exact derivatives through the correction term
    H = MLPEnergy(3, depth=2, width=8, generator=generator)
    u0 = torch.randn(2, 3, dtype=F64, generator=generator)
    u1 = (u0 + 0.3 * torch.randn(2, 3, dtype=F64, generator=generator)).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda v: discrete_gradient(H, v, u0), (u1,))


def test_gonzalez_is_differentiable_in_the_parameters(generator):
    # what training relies on: the loss reaches H's parameters through ∇̄H
    H = GridEnergy(1, stencil_width=1, hidden=8, spacing=0.5, generator=generator)
    u0 = torch.randn(4, 16, dtype=F64, generator=generator)
    u1 = torch.randn(4, 16, dtype=F64, generator=generator)
    discrete_gradient(H, u1, u0).pow(2).sum().backward()
    *gradients, offset = [p.grad for p in H.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in [*gradients, offset])
    assert all(g.abs().max() > 0 for g in gradients)
    # the density's last bias adds a constant to H: no gradient of H depends on it
    assert offset.abs().max() <= 1e-12


def test_states_must_match():
    H = MLPEnergy(2, depth=1, width=4)
    with pytest.raises(ValueError, match="different shapes"):
        discrete_gradient(H, torch.zeros(3, 2, dtype=F64), torch.zeros(2, 2, dtype=F64))
