"""One base for every target: ``GeneratedModel``, ``fit(*data, **options) -> History``,
one checkpoint format and reader, and resume that repeats the straight run."""

import inspect

import pytest
import torch

import pdec
from pdec.runtime import checkpoint
from pdec.runtime.base import GeneratedModel
from pdec.runtime.energy import ConstantMatrix, EnergyModel, MLPEnergy
from pdec.runtime.errors import CheckpointError, OptionsError
from pdec.runtime.history import History
from pdec.runtime.model import PinnModel
from pdec.runtime.operator import OperatorModel

F64 = torch.float64
RING = """model ring
region line = interval(x in [0, 1], periodic)
input f(x)
field u(x)
pde poisson: -dx(dx(u)) + u = f   in line
"""
CONFIG = {"modes": 4, "width": 8, "projection": 8, "layers": 2}


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


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


@pytest.mark.parametrize("base", [PinnModel, EnergyModel, OperatorModel])
def test_every_target_shares_the_base_and_the_fit_signature(base):
    assert issubclass(base, GeneratedModel)
    parameters = inspect.signature(base.fit).parameters.values()
    assert any(p.kind is p.VAR_KEYWORD for p in parameters)
    assert base.target in ("pinn", "energy", "operator")
    assert base.fit_options is not None


def test_energy_fit_returns_a_history_and_validates_its_options():
    u0, u1 = pairs()
    history = energy_model().fit(u0, u1, epochs=3, batch_size=8, progress=False)
    assert isinstance(history, History) and history.steps == [1, 2, 3]
    assert len(history.durations) == 3 and history.term("loss") == history.losses
    with pytest.raises(OptionsError, match="did you mean 'epochs'"):
        energy_model().fit(u0, u1, epoch=3)


def test_energy_fit_resumed_repeats_the_straight_run(tmp_path):
    u0, u1 = pairs()
    options = dict(batch_size=8, lr=1e-2, progress=False)
    straight = energy_model()
    whole = straight.fit(u0, u1, epochs=6, **options)
    parts = energy_model()
    parts.fit(u0, u1, epochs=3, checkpoint_dir=tmp_path, **options)
    resumed = energy_model()
    rest = resumed.fit(u0, u1, epochs=6, checkpoint_dir=tmp_path, resume=True, **options)
    assert rest.losses == whole.losses and rest.resumed_from
    for key, value in straight.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[key])
    data = checkpoint.read(tmp_path / "checkpoint.pt", target="energy")
    assert data["format"] == "pdec-checkpoint" and data["epoch"] == 6


def test_operator_fit_resumed_repeats_the_straight_run(Ring, tmp_path):
    a, u = grids()
    options = dict(batch_size=3, lr=1e-2, progress=False, step_every=1)  # lr per epoch fixed
    whole = Ring(**CONFIG).fit(a, u, epochs=4, **options)
    Ring(**CONFIG).fit(a, u, epochs=2, checkpoint_dir=tmp_path, **options)
    rest = Ring(**CONFIG).fit(a, u, epochs=4, checkpoint_dir=tmp_path, resume=True, **options)
    assert rest.term("data") == whole.term("data")
    assert [record.lr for record in rest] == [record.lr for record in whole]


def test_one_reader_tells_the_targets_apart(Ring, tmp_path):
    a, u = grids()
    model = Ring(**CONFIG)
    model.fit(a, u, epochs=1, batch_size=4, progress=False)
    model.save(tmp_path / "ring.pt")
    again = Ring.load(tmp_path / "ring.pt")
    with torch.no_grad():
        assert torch.equal(model(a), again(a))
    with pytest.raises(CheckpointError, match="not an energy-model checkpoint.*--target operator"):
        checkpoint.read(tmp_path / "ring.pt", target="energy")
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        checkpoint.read(tmp_path / "none.pt")


def test_resume_needs_a_checkpoint_directory():
    u0, u1 = pairs()
    with pytest.raises(OptionsError, match="resume=True needs checkpoint_dir"):
        energy_model().fit(u0, u1, epochs=1, resume=True)


@pytest.mark.parametrize(
    "arguments",
    [{"mode": "sympnet"}, {"dt": -0.1}, {"dt": float("nan")}, {"mode": "node"}],
    ids=["unknown mode", "negative dt", "nan dt", "node without f"],
)
def test_a_wrong_constructor_argument_is_a_user_error_not_a_bug(arguments):
    """What a user passes wrongly is an OptionsError (exit 2 from `pdec`), still a
    ValueError for code that catches those."""
    H = MLPEnergy(2, depth=1, width=4, generator=torch.Generator().manual_seed(0))
    G = ConstantMatrix(torch.tensor([[0.0, 1.0], [-1.0, 0.0]], dtype=torch.float64))
    given = {"dt": 0.1, **arguments}
    with pytest.raises(OptionsError) as caught:
        EnergyModel(H, G, **given)
    assert isinstance(caught.value, ValueError) and caught.value.exit_code == 2
