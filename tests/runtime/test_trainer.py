"""One trainer for every target: each target's ``fit`` runs its updates through
``Trainer.step``, and a run stopped and resumed repeats the straight run exactly."""

import math

import pytest
import torch

import pdec
from pdec.runtime.energy import ConstantMatrix, EnergyModel, MLPEnergy
from pdec.runtime.energy.training import train_pairs
from pdec.runtime.errors import TrainingDiverged
from pdec.runtime.history import Record
from pdec.runtime.operator.training import train_epochs
from pdec.runtime.trainer import Phase, Trainer

F64 = torch.float64
RING = """model ring
region line = interval(x in [0, 1], periodic)
input f(x)
field u(x)
pde poisson: -dx(dx(u)) + u = f   in line
"""
CONFIG = {"modes": 4, "width": 8, "projection": 8, "layers": 2}
PINN = {"points": 32, "boundary_points": 2, "progress": False, "lr": 1e-2, "log_every": 1}


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def counted(monkeypatch):
    """The phases of every ``Trainer.step`` call, in order."""
    calls: list[str] = []
    step = Trainer.step

    def counting(self, model, batch):
        calls.append(self.phase.name)
        return step(self, model, batch)

    monkeypatch.setattr(Trainer, "step", counting)
    return calls


@pytest.fixture
def Ring(tmp_path):
    return pdec.compile(pdec.loads(RING, "ring.pde"), target="operator", out_dir=tmp_path)


def grids(n=8, points=16):
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(n, 1, points, generator=generator)
    return a, 0.5 * a + 0.1 * torch.randn(n, 1, points, generator=generator)


def energy_model():
    H = MLPEnergy(2, depth=1, width=8, generator=torch.Generator().manual_seed(0))
    return EnergyModel(H, ConstantMatrix([[0.0, 1.0], [-1.0, 0.0]]), dt=0.1)


def pairs(count=24):
    generator = torch.Generator().manual_seed(1)
    u0 = torch.randn(count, 2, dtype=F64, generator=generator)
    u1 = u0 + 0.1 * torch.stack([u0[:, 1], -torch.sin(u0[:, 0])], dim=1)
    return u0, u1


def same_weights(one, other) -> bool:
    theirs = other.state_dict()
    return all(torch.equal(value, theirs[key]) for key, value in one.state_dict().items())


# -- every fit goes through the one step function ---------------------------------------


def test_pinn_fit_steps_through_the_trainer_in_two_phases(bar, counted):
    history = bar().fit(steps=3, lbfgs_steps=2, **PINN)
    assert counted == ["adam"] * 3 + ["lbfgs"] * 2
    assert [record.phase for record in history] == counted


def test_energy_fit_and_train_pairs_step_through_the_trainer(counted):
    u0, u1 = pairs()
    energy_model().fit(u0, u1, epochs=2, batch_size=10, progress=False)
    assert counted == ["adam"] * 2 * 3  # 24 pairs in batches of 10: 3 a epoch
    counted.clear()
    train_pairs(energy_model(), u0, u1, steps=4, batch_size=8)
    assert counted == ["adam"] * 4


def test_operator_fit_and_train_epochs_step_through_the_trainer(Ring, counted):
    a, u = grids()
    Ring(**CONFIG).fit(a, u, epochs=2, batch_size=3, progress=False, physics=0.1)
    assert counted == ["adam"] * 2 * 3  # 8 instances in batches of 3: 3 an epoch
    counted.clear()
    train_epochs(Ring(**CONFIG), a, u, epochs=1, batch_size=4)
    assert counted == ["adam"] * 2


# -- resume repeats the straight run, bit for bit ------------------------------------------


@pytest.mark.parametrize(
    "first, second",
    [
        ({"steps": 4}, {"steps": 8}),
        ({"steps": 4, "lbfgs_steps": 1}, {"steps": 4, "lbfgs_steps": 3}),
    ],
    ids=["in adam", "in lbfgs"],
)
def test_pinn_resumed_repeats_the_straight_run(bar, tmp_path, first, second):
    options = {**PINN, "resample_every": 3, "checkpoint_every": 2}
    straight = bar(seed=3)
    whole = straight.fit(**second, **options)
    bar(seed=3).fit(**first, **options, checkpoint_dir=tmp_path)
    resumed = bar(seed=9)
    rest = resumed.fit(**second, **options, checkpoint_dir=tmp_path, resume=True)
    assert rest.losses == whole.losses and rest.final.loss == whole.final.loss
    assert same_weights(resumed, straight)


def test_energy_resumed_repeats_the_straight_run(tmp_path):
    u0, u1 = pairs()
    options = dict(batch_size=10, lr=1e-2, progress=False, checkpoint_every=2)
    straight = energy_model()
    whole = straight.fit(u0, u1, epochs=5, **options)
    energy_model().fit(u0, u1, epochs=3, checkpoint_dir=tmp_path, **options)
    resumed = energy_model()
    rest = resumed.fit(u0, u1, epochs=5, checkpoint_dir=tmp_path, resume=True, **options)
    assert rest.losses == whole.losses and same_weights(resumed, straight)


def test_operator_resumed_repeats_the_straight_run(Ring, tmp_path):
    a, u = grids()
    extra = grids(4)[0] + 1
    options = dict(batch_size=3, lr=1e-2, progress=False, physics=0.1, step_every=1)
    straight = Ring(**CONFIG)
    whole = straight.fit(a, u, epochs=4, physics_inputs=extra, **options)
    Ring(**CONFIG).fit(a, u, epochs=2, physics_inputs=extra, checkpoint_dir=tmp_path, **options)
    resumed = Ring(**CONFIG)
    rest = resumed.fit(
        a, u, epochs=4, physics_inputs=extra, checkpoint_dir=tmp_path, resume=True, **options
    )
    assert rest.losses == whole.losses and same_weights(resumed, straight)


# -- the trainer itself --------------------------------------------------------------------


def scalar():
    model = torch.nn.Module()
    model.w = torch.nn.Parameter(torch.zeros(()))
    return model


def quadratic_phase(model, name, steps, target, seen, message=None):
    """Gradient descent on (w − target)² with a plain SGD, one batch a step."""

    def loss(model, batch):
        value = (model.w - target).pow(2).sum()
        return value, {"loss": value}

    def record(step, outcomes):
        ((_, terms),) = outcomes
        value = float(terms["loss"])
        return Record(step, name, value, {"loss": value}, {"loss": 1.0}, 0.0)

    optimizer = None

    def enter():
        nonlocal optimizer
        optimizer = torch.optim.SGD([model.w], lr=0.25)

    def optimize(total):
        optimizer.zero_grad()
        total.backward()
        optimizer.step()

    extra = {} if message is None else {"message": message}
    return Phase(
        name,
        steps,
        batches=lambda k: seen.append((name, k)) or [None],
        record=record,
        loss=loss,
        optimize=optimize,
        enter=enter,
        **extra,
    )


def test_the_trainer_runs_its_phases_in_order_and_checkpoints_on_time():
    model, seen, saved = scalar(), [], []
    phases = [
        quadratic_phase(model, name, steps, 1.0, seen) for name, steps in [("one", 3), ("two", 2)]
    ]
    trainer = Trainer(model, phases, save=lambda: saved.append(len(seen)), checkpoint_every=2)
    history = trainer.run()
    assert seen == [("one", 0), ("one", 1), ("one", 2), ("two", 0), ("two", 1)]
    assert history.steps == [1, 2, 3, 4, 5] and trainer.done == [3, 2]
    assert saved == [2, 3, 4, 5]  # every 2 steps and at the end of each phase
    assert history.losses[0] == 1.0 and history.losses == sorted(history.losses, reverse=True)


def test_the_trainer_stops_before_a_non_finite_update():
    model = scalar()
    phase = quadratic_phase(model, "one", 3, math.inf, [], lambda step, value: f"{value} at {step}")
    with pytest.raises(TrainingDiverged, match="inf at 1") as caught:
        Trainer(model, [phase]).run()
    assert (caught.value.step, caught.value.phase, caught.value.terms) == (1, "one", ("loss",))
    assert float(model.w.detach()) == 0.0
