"""Modes eno and fno of the energy target's grid models: the Fourier proposal, the ENO
step's exact energy law whatever the proposal, and training that moves both networks."""

from pathlib import Path

import pytest
import torch

import pdec
from pdec.reference import generate as reference_trajectories
from pdec.runtime.energy import FourierProposal
from pdec.runtime.energy.discrete_gradient import discrete_gradient
from pdec.runtime.energy.training import train_pairs, trajectory_pairs

ROOT = Path(__file__).resolve().parents[3]
SMALL = {"n": 32, "dt": 0.01, "width": 8, "fno_modes": 6, "fno_width": 8, "fno_layers": 2}


@pytest.fixture(scope="module")
def kdv(tmp_path_factory):
    out = tmp_path_factory.mktemp("eno")
    return pdec.compile(ROOT / "specs" / "kdv_learned.pde", target="energy", out_dir=out)


@pytest.fixture(scope="module")
def pairs():
    data = reference_trajectories(pdec.load(ROOT / "specs" / "kdv.pde"), 2, 6, 0.01, grid=32)
    return trajectory_pairs(torch.as_tensor(data.u))


def test_the_proposal_keeps_complex_spectral_weights_and_any_grid():
    S = FourierProposal(2, modes=4, width=8, layers=2, domain=(0.0, 10.0))
    kinds = {p.dtype for p in S.parameters()}
    assert kinds == {torch.float64, torch.complex128}  # not cast to real
    for n in (16, 40):
        assert S(torch.randn(3, 2, n, dtype=torch.float64)).shape == (3, 2, n)


def test_the_same_seed_gives_the_same_proposal():
    def make():
        return FourierProposal(1, 4, 8, 2, generator=torch.Generator().manual_seed(3))

    u = torch.randn(2, 16, dtype=torch.float64)
    torch.testing.assert_close(make()(u), make()(u), rtol=0, atol=0)


def test_an_eno_step_obeys_the_discrete_gradient_law_from_any_proposal(kdv, pairs):
    """Untrained, the proposal is far off; the step is still the implicit DGNet step, so
    H is conserved (skew G) to round-off, and u1 − u0 = Δt G ∇̄H(u1, u0) to the solver's
    tolerance."""
    model = kdv(mode="eno", **SMALL)
    u0 = pairs[0][:3]
    u1 = model.step(u0)
    residual = u1 - u0 - model.dt * model._apply_G(discrete_gradient(model.H, u1, u0))
    assert residual.abs().max() < 1e-10 * (1 + u0.abs().max())
    path = model.rollout(u0, 20)
    energies = model.energy(path.reshape(-1, 1, 32)).reshape(21, 3).detach()
    assert (energies - energies[0]).abs().max() < 1e-11 * energies[0].abs().max()
    proposal = u0 + model.dt * model.S(u0)
    assert (proposal - u1).abs().max() > 1e-6  # the law came from the solve, not S


def test_the_fno_baseline_steps_by_its_proposal_and_has_no_energy(kdv, pairs):
    model = kdv(mode="fno", **SMALL)
    u0 = pairs[0][:2]
    torch.testing.assert_close(model.step(u0), u0 + model.dt * model.S(u0))
    assert model.H is None and model.G is None


def test_eno_training_moves_the_energy_and_the_proposal(kdv, pairs):
    model = kdv(mode="eno", **SMALL)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    state = train_pairs(model, *pairs, steps=30, lr=3e-3, batch_size=10)
    losses = [loss for _, loss in state["history"]]
    assert losses[-1] < 0.5 * losses[0]
    moved = {
        name.split(".")[0]
        for name, p in model.named_parameters()
        if not torch.equal(p, before[name])
    }
    assert moved == {"H", "S"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"width": 0}, "width=0: expected a whole number ≥ 1"),
        ({"depth": 0}, "depth=0"),
        ({"stencil_width": -1}, "stencil_width=-1: expected a whole number ≥ 0"),
        ({"mode": "eno", "fno_modes": 0}, "fno_modes=0"),
        ({"mode": "fno", "fno_layers": -1}, "fno_layers=-1"),
        ({"mode": "eno", "consistency": -1.0}, "consistency=-1.0: expected a number ≥ 0"),
    ],
)
def test_sizes_out_of_range_are_option_errors_not_crashes(kdv, options, message):
    """`pdec train --set width=0` and the like exit 2 with this line (issue 14)."""
    from pdec.runtime.errors import OptionsError

    with pytest.raises(OptionsError, match=message):
        kdv(n=16, **options)


def test_a_resumed_eno_run_follows_the_same_path(kdv, pairs, tmp_path):
    from pdec.runtime.energy.training import load_model, read_checkpoint, save_checkpoint

    config = {**SMALL, "mode": "eno"}
    straight = train_pairs(kdv(**config), *pairs, steps=4, batch_size=5)
    first, saved = kdv(**config), []
    train_pairs(first, *pairs, steps=2, batch_size=5, save=saved.append, checkpoint_every=2)
    path = save_checkpoint(tmp_path / "c.pt", first, config, saved[-1])
    state = read_checkpoint(path)
    again = train_pairs(load_model(kdv, path, state), *pairs, steps=4, batch_size=5, start=state)
    assert [s for s, _ in again["history"]] == [1, 2, 3, 4]
    assert again["history"][-1][1] == pytest.approx(straight["history"][-1][1], rel=1e-12)
