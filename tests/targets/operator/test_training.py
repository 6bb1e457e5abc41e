"""Operator checkpoints: a model file round-trips, a resumed run repeats the straight one
(and one resumed with more epochs follows the longer run's learning-rate schedule), and a
file written for another version of the spec is refused."""

import pytest
import torch

import pdec
from pdec.runtime.errors import CheckpointError, OptionsError
from pdec.runtime.operator.training import (
    learning_rate,
    load_model,
    read_checkpoint,
    save_checkpoint,
    train_epochs,
)

SPEC = """model ring
region line = interval(x in [0, 1], periodic)
input f(x)
field u(x)
pde poisson: -dx(dx(u)) + u = f   in line
"""
CONFIG = {"modes": 4, "width": 8, "projection": 8, "layers": 2}


@pytest.fixture
def Model(tmp_path):
    return pdec.compile(pdec.loads(SPEC, "ring.pde"), target="operator", out_dir=tmp_path)


def pairs(n=8, points=16):
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(n, 1, points, generator=generator)
    return a, 0.5 * a + 0.1 * torch.randn(n, 1, points, generator=generator)


def test_model_file_round_trips(Model, tmp_path):
    model = Model(**CONFIG)
    a, u = pairs()
    model._set_scales(a, u)
    save_checkpoint(tmp_path / "model.pt", model, CONFIG)
    again = load_model(Model, tmp_path / "model.pt")
    with torch.no_grad():
        assert torch.equal(model(a), again(a))


def test_resumed_training_repeats_the_straight_run(Model, tmp_path):
    a, u = pairs()
    options = dict(epochs=4, batch_size=3, lr=1e-2)
    straight = Model(**CONFIG)
    straight._set_scales(a, u)
    train_epochs(straight, a, u, **options)

    saved = []
    first = Model(**CONFIG)
    first._set_scales(a, u)
    train_epochs(first, a, u, **{**options, "epochs": 2}, save=saved.append)
    path = tmp_path / "checkpoint.pt"
    save_checkpoint(path, first, CONFIG, saved[-1])
    start = read_checkpoint(path)
    resumed = load_model(Model, path, start)
    train_epochs(resumed, a, u, **options, start=start)
    for p, q in zip(straight.parameters(), resumed.parameters()):
        assert torch.allclose(p, q, atol=1e-6)


def test_a_run_resumed_with_more_epochs_follows_the_longer_schedule(Model, tmp_path):
    """2 epochs of a 2-epoch run (the rate halved every epoch), resumed to 10: epochs 3 to
    10 run at the 10-epoch schedule's rates (halved every 2), not the first run's."""
    a, u = pairs()
    model = Model(**CONFIG)
    model._set_scales(a, u)
    first = train_epochs(model, a, u, epochs=2, batch_size=4, lr=1e-2)
    assert [r["lr"] for r in first["history"]] == [1e-2, 5e-3]
    resumed = train_epochs(model, a, u, epochs=10, batch_size=4, lr=1e-2, start=first)
    rates = [r["lr"] for r in resumed["history"]]
    assert rates == pytest.approx([1e-2, 5e-3] + [1e-2 * 0.5 ** (e // 2) for e in range(2, 10)])
    assert resumed["optimizer"]["param_groups"][0]["lr"] == pytest.approx(1e-2 / 16)


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [("step", [1.0, 1.0, 0.5, 0.5, 0.25]), ("cosine", [1.0, 0.9045, 0.6545, 0.3455, 0.0955])],
)
def test_learning_rate_schedules(schedule, expected):
    rates = [learning_rate(e, 1.0, epochs=5, schedule=schedule, step_every=2) for e in range(5)]
    assert rates == pytest.approx(expected, abs=1e-4)


def test_an_unknown_schedule_is_refused_before_training(Model):
    a, u = pairs()
    with pytest.raises(OptionsError, match="'step' or 'cosine'"):
        train_epochs(Model(**CONFIG), a, u, epochs=1, schedule="linear")


def test_a_file_of_another_spec_version_is_refused(Model, tmp_path):
    model = Model(**CONFIG)
    save_checkpoint(tmp_path / "model.pt", model, CONFIG)
    Other = type("Other", (Model,), {"spec_sha256": "0" * 64})
    with pytest.raises(CheckpointError, match="retrain with this spec"):
        load_model(Other, tmp_path / "model.pt")


def test_training_state_is_plain_data(Model, tmp_path):
    a, u = pairs()
    model = Model(**CONFIG)
    model._set_scales(a, u)
    state = train_epochs(model, a, u, epochs=1, batch_size=4)
    save_checkpoint(tmp_path / "c.pt", model, CONFIG, state)
    loaded = torch.load(tmp_path / "c.pt", weights_only=True)
    assert loaded["epoch"] == 1 and loaded["format"] == "pdec-checkpoint"
    assert loaded["target"] == "operator"
