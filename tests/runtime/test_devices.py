"""Devices in options: what "auto" and "cuda" mean, and data that stay on the CPU while
the model is elsewhere (minibatches follow the model)."""

import pytest
import torch

from pdec.runtime import OptionsError
from pdec.runtime.devices import batch_to, resolve_device
from pdec.runtime.energy import ConstantMatrix, EnergyModel
from pdec.runtime.energy.evaluation import metrics, roll_out

NO_CUDA = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")


def test_auto_is_cuda_where_there_is_one():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device("cpu") == torch.device("cpu")


@NO_CUDA
@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_cuda_without_cuda_is_an_options_error(device):
    with pytest.raises(OptionsError, match="torch sees no CUDA device here"):
        resolve_device(device)


def test_an_unknown_device_is_an_options_error():
    with pytest.raises(OptionsError, match="expected auto, cpu or cuda"):
        resolve_device("gpu0")


def test_batch_to_moves_nested_batches():
    batch = {"a": (torch.zeros(2), [torch.ones(1)]), "b": 3}
    moved = batch_to(batch, torch.device("meta"))
    assert moved["a"][0].device.type == "meta" and moved["a"][1][0].device.type == "meta"
    assert isinstance(moved["a"], tuple) and isinstance(moved["a"][1], list)
    assert moved["b"] == 3


class Learned(torch.nn.Module):
    """H(q, p) = p²/2 + w q²/2 with w learned (starts at 2; the data have w = 1)."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor(2.0, dtype=torch.float64))

    def forward(self, u):
        return u[:, 1] ** 2 / 2 + self.w * u[:, 0] ** 2 / 2


def oscillator_pairs():
    exact = EnergyModel(
        lambda u: (u**2).sum(1) / 2, ConstantMatrix([[0.0, 1.0], [-1.0, 0.0]]), dt=0.1
    )
    u0 = torch.randn(64, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    return exact, u0, exact.step(u0)


def test_energy_fit_rollout_and_metrics_take_cpu_data_to_the_models_device():
    """The same run with the data on the CPU and the model moved by ``device=``: on this
    machine both are the CPU, so this checks the plumbing; tests/runtime/
    test_meta_device.py checks that nothing stays behind on another device."""
    exact, u0, u1 = oscillator_pairs()
    model = EnergyModel(Learned(), ConstantMatrix([[0.0, 1.0], [-1.0, 0.0]]), dt=0.1)
    history = model.fit(u0, u1, epochs=60, lr=0.05, device="cpu", progress=False)
    assert history.records[-1].loss < 1e-2 * history.records[0].loss
    assert abs(model.H.w.item() - 1.0) < 0.05
    reference = torch.stack([u0[:4], u1[:4]], dim=1)
    result = metrics(model, roll_out(model, reference))
    assert result["state_mse"] < 1e-3 and result["energy_drift"] < 1e-10
