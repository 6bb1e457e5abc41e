"""The speed benchmark compares like with like: the hand-written Burgers PINN (and
DeepXDE's, where installed) computes pdec's residuals from pdec's weights and points."""

import doctest
import sys
from pathlib import Path

import pytest
import torch

try:
    from benchmarks import speed_burgers
    from benchmarks.handwritten import burgers_pinn
except ModuleNotFoundError:  # plain `pytest` (not `python -m pytest`) leaves the root off sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks import speed_burgers
    from benchmarks.handwritten import burgers_pinn

TERMS = speed_burgers.TERMS


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    return speed_burgers.Setup(
        depth=2, width=8, points=64, boundary_points=16, out=tmp_path_factory.mktemp("burgers")
    )


@pytest.fixture(scope="module")
def shared(setup):
    """pdec's model, its points and its network weights (as the benchmark passes them)."""
    _, model = speed_burgers.compile_model(setup)
    points = speed_burgers.draw_points(model, setup)
    state = {key: value.numpy().copy() for key, value in model.network.state_dict().items()}
    return model, points, state


def test_doctests():
    assert doctest.testmod(burgers_pinn).failed == 0


def test_hand_written_residuals_are_the_generated_ones(setup, shared):
    model, points, _ = shared
    Model = type(model)
    generated = Model(layers=(setup.depth, setup.width), seed=3, device="cpu", dtype="float64")
    hand = burgers_pinn.BurgersPinn(setup.depth, setup.width, dtype=torch.float64)
    hand.network.load_state_dict(generated.network.state_dict())  # strict: same layout
    batch = {
        name: {key: torch.as_tensor(value) for key, value in points[name].items()} for name in TERMS
    }
    expected = generated.residuals(batch)
    got = hand.residuals(
        burgers_pinn.Points.from_arrays(
            *[(batch[name]["t"], batch[name]["x"]) for name in TERMS], dtype=torch.float64
        )
    )
    assert set(got) == set(expected) == set(TERMS)
    for name in TERMS:
        torch.testing.assert_close(got[name], expected[name], rtol=1e-12, atol=1e-12)


def test_same_seed_same_initial_network(setup, shared):
    model, _, _ = shared
    hand = burgers_pinn.BurgersPinn(
        setup.depth, setup.width, generator=torch.Generator().manual_seed(setup.seed)
    )
    for key, value in model.network.state_dict().items():
        assert torch.equal(hand.network.state_dict()[key], value), key


def test_generated_and_hand_written_train_alike_for_two_timed_steps(setup, shared):
    _, points, state = shared
    trainers = {
        name: speed_burgers.build(name, setup, points, state)
        for name in ("generated", "handwritten")
    }
    before = {name: trainer.loss_terms() for name, trainer in trainers.items()}
    assert before["generated"] == pytest.approx(before["handwritten"], rel=1e-5)
    for trainer in trainers.values():  # 3 Adam steps each, from the same weights
        assert 0 < trainer.seconds_per_step(2) < 10
    after = {name: trainer.loss_terms() for name, trainer in trainers.items()}
    assert after["generated"] == pytest.approx(after["handwritten"], rel=1e-4)
    assert sum(after["handwritten"].values()) < sum(before["handwritten"].values())


def test_deepxde_agrees_and_times_two_steps(setup, shared):
    pytest.importorskip("deepxde")
    _, points, state = shared
    trainer = speed_burgers.build("deepxde", setup, points, state)
    reference = speed_burgers.build("handwritten", setup, points, state).loss_terms()
    assert trainer.loss_terms() == pytest.approx(reference, rel=1e-5)
    assert 0 < trainer.seconds_per_step(2) < 10


@pytest.mark.slow
def test_table_from_worker_processes(setup, request):
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("starts two Python processes (10 s and more); run with -m slow")
    result = speed_burgers.run(
        setup, steps=2, repeats=2, warmup=1, names=("generated", "handwritten"), log=lambda _: None
    )
    workers = result["workers"]
    assert set(workers) == {"generated", "handwritten"}
    assert all(len(worker.seconds) == len(worker.cpu_seconds) == 2 for worker in workers.values())
    text = speed_burgers.table(setup, result, 2, 2, 1, "python -m benchmarks.speed_burgers")
    assert "| generated (pdec) |" in text and "| hand-written PyTorch |" in text
    assert "generated ≤ hand-written: " in text
    assert "WARNING" not in text  # the initial losses agree
