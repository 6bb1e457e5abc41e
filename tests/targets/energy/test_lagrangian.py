"""The energy target on a Lagrangian spec (mode "lnn"): the generated L is the spec's,
its accelerations are the Euler–Lagrange ones, the exact flow's energy is kept, unknown
constants are learned from trajectories, and what the mode cannot build is refused at
the Lagrangian's line."""

from pathlib import Path

import numpy as np
import pytest
import torch

import pdec
from pdec.compiler import generate_module
from pdec.reference import generate as reference_trajectories
from pdec.reference.discretize import discretize
from pdec.runtime.energy.training import train_pairs, trajectory_pairs
from pdec.runtime.errors import OptionsError

ROOT = Path(__file__).resolve().parents[3]
SPECS = ROOT / "specs"

PENDULUM = """
model swing
const g = 9.8
time t in [0, 10]
field q(t)
lagrangian L = dt(q)^2/2 + g*cos(q)
"""

UNKNOWN_PENDULUM = """
model swing_unknown
param g unknown(positive, guess = 5)
time t in [0, 10]
field q(t)
lagrangian L = dt(q)^2/2 + g*cos(q)
"""


@pytest.fixture(scope="module")
def double_pendulum(tmp_path_factory):
    out = tmp_path_factory.mktemp("lnn")
    return pdec.compile(SPECS / "double_pendulum.pde", target="energy", out_dir=out)


def random_states(count: int = 32, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(count, 4, dtype=torch.float64, generator=generator) * 2 - 1


def test_accelerations_are_the_euler_lagrange_ones_of_the_spec(double_pendulum):
    """The generated L, differentiated by the runtime, against the reference system's
    q̈ = −M⁻¹c from SymPy's Euler–Lagrange equations (a separate derivation)."""
    model = double_pendulum()
    assert model.mode == "lnn" and model.field_names == ("q1", "q2", "q1_t", "q2_t")
    u = random_states()
    system = discretize(pdec.load(SPECS / "double_pendulum.pde").ir)
    expected = torch.tensor(system.rhs(u.numpy()))
    torch.testing.assert_close(model.time_derivative(u).detach(), expected, rtol=0, atol=1e-10)
    energy = torch.tensor(system.energy(u.numpy()))
    torch.testing.assert_close(model.energy(u).detach(), energy, rtol=0, atol=1e-12)


def test_the_rollout_keeps_the_noether_energy(double_pendulum):
    model = double_pendulum(dt=0.01)
    path = model.rollout(random_states(4), 200)  # 2 time units of RK4
    energies = model.energy(path.reshape(-1, 4)).reshape(201, 4).detach()
    assert torch.isfinite(path).all()
    drift = (energies - energies[0]).abs().max() / energies[0].abs().min()
    assert drift < 1e-6, drift


def test_constants_override_the_spec(double_pendulum):
    u = random_states()
    light = double_pendulum(constants={"g": 0.0}).time_derivative(u).detach()
    still = torch.zeros(len(u), 2, dtype=torch.float64)
    still_state = torch.cat([u[:, :2], still], dim=-1)
    assert double_pendulum(constants={"g": 0.0}).time_derivative(still_state).abs().max() == 0
    assert not torch.allclose(light, double_pendulum().time_derivative(u).detach())


def test_a_lagrangian_model_has_the_lnn_and_node_modes_only(double_pendulum):
    assert double_pendulum.modes == ("lnn", "node")
    assert double_pendulum(mode="node", width=8).f is not None
    with pytest.raises(OptionsError, match="does not fit this model"):
        double_pendulum(mode="dgnet")


def test_the_learned_lagrangian_trains_on_data_of_the_closed_form(tmp_path):
    data = reference_trajectories(pdec.load(SPECS / "double_pendulum.pde"), 4, 20, 0.05)
    u0, u1 = trajectory_pairs(torch.as_tensor(data.u))
    Model = pdec.compile(SPECS / "double_pendulum_learned.pde", target="energy", out_dir=tmp_path)
    source = next(tmp_path.glob("*.py")).read_text()
    assert "LagrangianNetwork(2" in source and "closed_form_lagrangian" not in source
    model = Model(dt=0.05, width=32, depth=2)
    history = model.fit(u0, u1, epochs=40, lr=3e-3)
    assert history.losses[-1] < 0.5 * history.losses[0]
    path = model.rollout(u0[:2], 20)
    energies = model.energy(path.reshape(-1, 4)).reshape(21, 2).detach()
    drift = (energies - energies[0]).abs().max() / energies[0].abs().min()
    assert torch.isfinite(path).all() and drift < 1e-3  # its own energy, RK4 at dt 0.05


def test_unknown_constants_of_the_lagrangian_are_learned(tmp_path):
    data = reference_trajectories(pdec.loads(PENDULUM, "swing.pde"), 8, 10, 0.05)
    u0, u1 = trajectory_pairs(torch.as_tensor(data.u))
    spec = pdec.loads(UNKNOWN_PENDULUM, "swing_unknown.pde")
    model = pdec.compile(spec, target="energy", out_dir=tmp_path)(dt=0.05)
    assert model.learned() == pytest.approx({"g": 5.0})
    assert {name for name, _ in model.named_parameters()} == {"log_g"}
    model.fit(u0, u1, epochs=200, lr=0.02)
    assert model.learned()["g"] == pytest.approx(9.8, rel=1e-4)  # 9.80018 measured


@pytest.mark.parametrize(
    ("lines", "match"),
    [
        (["lagrangian L = dt(q)^2/2 + cos(q)*cos(t)"], "depends on the time t"),
        (["param k(t) unknown", "lagrangian L = dt(q)^2/2 + k*cos(q)"], "parameter functions"),
    ],
)
def test_what_the_lnn_mode_cannot_build_is_refused_at_the_lagrangian(lines, match):
    text = "\n".join(["model m", "time t in [0, 1]", "field q(t)", *lines])
    with pytest.raises(pdec.UnsupportedError, match=match) as caught:
        generate_module(pdec.loads(text), "energy")
    assert caught.value.span.line == len(text.splitlines())  # the lagrangian line


def test_data_of_the_state_fields_load_against_a_learned_spec():
    from pdec.reference import load_trajectories

    assert pdec.load(SPECS / "double_pendulum_learned.pde").ir.state_fields == (
        "q1", "q2", "q1_t", "q2_t",
    )  # fmt: skip
    data = reference_trajectories(pdec.load(SPECS / "double_pendulum.pde"), 1, 2, 0.1)
    assert np.asarray(data.u).shape == (1, 3, 4)
    with pytest.warns(UserWarning, match="made from the spec double_pendulum"):
        load_trajectories(_saved(data), spec=SPECS / "double_pendulum_learned.pde")


def _saved(data):
    import tempfile

    path = Path(tempfile.mkdtemp()) / "dp.npz"
    data.save(path)
    return path


def test_a_resumed_lnn_run_follows_the_same_path(tmp_path):
    """The path `pdec train --resume` takes: checkpoint, rebuild from it, continue."""
    from pdec.runtime.energy.training import load_model, read_checkpoint, save_checkpoint

    data = reference_trajectories(pdec.load(SPECS / "double_pendulum.pde"), 2, 8, 0.05)
    u0, u1 = trajectory_pairs(torch.as_tensor(data.u))
    Model = pdec.compile(SPECS / "double_pendulum_learned.pde", target="energy", out_dir=tmp_path)
    config = {"dt": 0.05, "width": 8, "depth": 1}
    straight = train_pairs(Model(**config), u0, u1, steps=4, batch_size=8)
    first, saved = Model(**config), []
    train_pairs(first, u0, u1, steps=2, batch_size=8, save=saved.append, checkpoint_every=2)
    path = save_checkpoint(tmp_path / "c.pt", first, config, saved[-1])
    state = read_checkpoint(path)
    again = train_pairs(load_model(Model, path, state), u0, u1, steps=4, batch_size=8, start=state)
    assert [s for s, _ in again["history"]] == [1, 2, 3, 4]
    assert again["history"][-1][1] == pytest.approx(straight["history"][-1][1], rel=1e-12)
