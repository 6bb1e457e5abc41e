"""Training on trajectory pairs (resumable, stops on NaN), checkpoints, rollout
metrics (including a rollout whose implicit step fails), calibration, and the
benchmark's training data."""

import math

import numpy as np
import pytest
import torch

import pdec
from pdec.runtime.energy.evaluation import metrics, roll_out
from pdec.runtime.energy.training import (
    load_model,
    read_checkpoint,
    save_checkpoint,
    train_pairs,
    trajectory_pairs,
)
from pdec.runtime.errors import CheckpointError, TrainingDiverged

LEARNED = """
model spring_learned
time t in [0, 10]
field q(t), p(t)
energy H = learned
evolve dt(q, p) = [[0, 1], [-1, 0]] * grad(H, (q, p))
"""


@pytest.fixture
def Model(tmp_path):
    return pdec.compile(pdec.loads(LEARNED, "spring.pde"), target="energy", out_dir=tmp_path)


def spring_trajectories(count=4, steps=20, dt=0.1) -> torch.Tensor:
    phase = torch.linspace(0, 3, count, dtype=torch.float64)[:, None]
    t = torch.arange(steps + 1, dtype=torch.float64) * dt
    return torch.stack([torch.cos(t + phase), -torch.sin(t + phase)], dim=-1)


def test_pairs_are_consecutive_states():
    u = spring_trajectories(3, 5)
    u0, u1 = trajectory_pairs(u)
    assert u0.shape == (15, 2)
    torch.testing.assert_close(u0[6], u[1, 1])
    torch.testing.assert_close(u1[6], u[1, 2])


def test_a_resumed_run_follows_the_same_path(Model, tmp_path):
    u0, u1 = trajectory_pairs(spring_trajectories())
    straight = Model(width=8)
    state = train_pairs(straight, u0, u1, steps=6, batch_size=16)
    first = Model(width=8)
    saved = []
    train_pairs(first, u0, u1, steps=3, batch_size=16, save=saved.append, checkpoint_every=3)
    path = save_checkpoint(tmp_path / "c.pt", first, {"width": 8}, saved[-1])
    data = read_checkpoint(path)
    resumed = load_model(Model, path, data)
    again = train_pairs(resumed, u0, u1, steps=6, batch_size=16, start=data)
    assert [s for s, _ in again["history"]] == list(range(1, 7))
    assert again["history"][-1][1] == pytest.approx(state["history"][-1][1], rel=1e-12)
    assert state["history"][-1][1] < state["history"][0][1]


def test_a_non_finite_loss_stops_training(Model):
    u0, u1 = trajectory_pairs(spring_trajectories())
    u1 = u1.clone()
    u1[:] = math.nan
    with pytest.raises(TrainingDiverged, match="step 1"):
        train_pairs(Model(width=8), u0, u1, steps=3)


def test_checkpoints_of_other_files_and_specs_are_refused(Model, tmp_path):
    other = tmp_path / "other.pt"
    torch.save({"format": "pdec-model"}, other)
    with pytest.raises(CheckpointError, match="not an energy-model checkpoint"):
        read_checkpoint(other)
    path = save_checkpoint(tmp_path / "c.pt", Model(width=8), {"width": 8})
    data = read_checkpoint(path) | {"spec_sha256": "0" * 64}
    with pytest.raises(CheckpointError, match="retrain"):
        load_model(Model, path, data)


def test_rollout_metrics_of_a_dgnet_model(Model):
    model = Model(width=8)
    rollouts = roll_out(model, spring_trajectories(2, 30))
    result = metrics(model, rollouts)
    assert rollouts.predicted.shape == (2, 31, 2) and rollouts.failure is None
    assert result["energy_drift"] < 1e-12 and result["state_mse"] > 0
    assert "mass_mse" not in result  # an ODE system has no grid


def test_a_failing_implicit_step_is_reported_not_raised(Model):
    model = Model(width=8, max_iter=0, tol=1e-30)
    rollouts = roll_out(model, spring_trajectories(2, 5))
    assert rollouts.failure.startswith("step 1:") and "did not converge" in rollouts.failure
    assert bool(torch.isnan(rollouts.predicted[:, 1:]).all())
    assert math.isnan(metrics(model, rollouts)["state_mse"])


@pytest.fixture(scope="module")
def kdv_pairs():
    from pdec.reference import generate

    data = generate(pdec.load("specs/kdv.pde"), n=4, steps=40, dt=1e-3, seed=0, grid=32)
    return trajectory_pairs(torch.as_tensor(data.u))


def test_calibration_matches_the_data_scale(kdv_pairs):
    """Standardised inputs; an output scale with which a network of unit size (output,
    or gradient for an energy) gives the data's mean-square u_t; the loss relative to it."""
    u0, u1 = kdv_pairs
    Model = pdec.compile("specs/kdv_learned.pde", target="energy")
    for mode in ("dgnet", "node"):
        model = Model(n=32, dt=1e-3, width=8, mode=mode)
        model.calibrate(u0, u1)
        rate = ((u1 - u0) / 1e-3).pow(2).mean()
        torch.testing.assert_close(model.loss_scale, rate)
        network = model.f if mode == "node" else model.H
        with torch.no_grad():
            predicted = model.time_derivative(u0).pow(2).mean() / network.network_size(u0) ** 2
        torch.testing.assert_close(predicted, rate, rtol=1e-10, atol=0)
        torch.testing.assert_close(network.input_shift.squeeze(), u0.mean())
    torch.testing.assert_close(model.f.output_scale, rate.sqrt())


PENDULUM_LEARNED = """
model pendulum_learned
const c = 0.1
time t in [0, 10]
field q(t), p(t)
energy H = learned
evolve dt(q, p) = [[0, 1], [-1, -c]] * grad(H, (q, p))
"""


@pytest.fixture(scope="module")
def pendulum():
    from pdec.reference import generate

    data = generate(pdec.load("specs/pendulum.pde"), n=8, steps=50, dt=0.1, seed=0)
    Model = pdec.compile(pdec.loads(PENDULUM_LEARNED, "pendulum_learned.pde"), target="energy")
    return Model, trajectory_pairs(torch.as_tensor(data.u))


@pytest.mark.parametrize("mode", ["hnn", "node"])
def test_the_output_scale_does_not_follow_the_initial_networks_size(pendulum, mode):
    """A network drawn 100 times smaller gets the same output scale: scaling to the
    random initial network's size would give it 100 times larger."""
    Model, (u0, u1) = pendulum
    scales = []
    for shrink in (1.0, 0.01):
        model = Model(mode=mode, width=16, seed=0)
        network = model.f if mode == "node" else model.H
        with torch.no_grad():
            network.network[-1].weight.mul_(shrink)
        model.calibrate(u0, u1)
        scales.append(float(network.output_scale))
    assert scales[1] == pytest.approx(scales[0], rel=1e-6)


def test_calibration_helps_the_pendulum(pendulum):
    """Seed 0's energy network starts with a small gradient (root mean square 0.03 in
    standardised units): an output scale fitted to it (184 instead of 5.5) left the
    HNN's training loss 10 times that of an uncalibrated run."""
    Model, (u0, u1) = pendulum
    errors = {}
    for calibrate in (True, False):
        model = Model(mode="hnn", width=64, seed=0)
        train_pairs(model, u0, u1, steps=200, lr=2e-3, batch_size=100, calibrate=calibrate)
        errors[calibrate] = float(model.loss(u0, u1).detach()) * float(model.loss_scale)
    assert errors[True] < errors[False] / 1.5


def test_dgnet_fits_kdv_pairs(kdv_pairs):
    """Solitons reach u ≈ −8 and u_t ≈ 100: without calibration the O(1)-initialised
    network is still far from the data after 150 steps."""
    u0, u1 = kdv_pairs
    Model = pdec.compile("specs/kdv_learned.pde", target="energy")
    rate = float(((u1 - u0) / 1e-3).pow(2).mean())
    losses = {}  # mean square error over that of u_t = 0
    for calibrate in (True, False):
        model = Model(n=32, dt=1e-3, width=16, seed=0)
        train_pairs(model, u0, u1, steps=150, lr=1e-2, batch_size=64, calibrate=calibrate)
        error = float(model.loss(u0, u1).detach()) * float(model.loss_scale)
        losses[calibrate] = error / rate
    assert losses[True] < 0.03
    assert losses[True] < losses[False] / 4


def test_the_benchmark_trains_on_every_mode_of_the_grid():
    """A grid energy learns curvature only at the wavelengths its pairs show. Cahn–Hilliard
    states projected onto |m| < n/3 (a dealiased integrator's modes, as ``pdec data``
    once saved them) hold no short waves, and the dynamics damp them: DGNet's learned
    curvature at m = 25 came out negative, and its rollouts' shortest waves grew ×1.3 a
    step (state MSE 1.2). The benchmark's initial states are the raw noise, as Matsubara
    et al.'s: every mode."""
    from benchmarks.energy_kdv_ch import drawn_states

    states = drawn_states("cahn_hilliard", 8)
    spectrum = np.abs(np.fft.rfft(states[:, 0], axis=-1)).mean(axis=0)
    long_waves, short_waves = spectrum[1:17].mean(), spectrum[17:].mean()
    assert short_waves > 0.5 * long_waves
