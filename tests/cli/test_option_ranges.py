"""`--set` values out of range are one-line option errors (exit 2), found before any
training: the energy and operator targets' training options and network sizes (issue
14). In-process: the same functions `pdec train` calls, without a process each."""

from pathlib import Path

import pytest

import pdec
from pdec.runtime.errors import OptionsError
from pdec.targets.energy import commands as energy
from pdec.targets.operator import commands as operator

SPECS = Path(__file__).resolve().parents[2] / "specs"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    out = tmp_path_factory.mktemp("ranges")
    return {
        "energy": pdec.compile(SPECS / "kdv_learned.pde", target="energy", out_dir=out),
        "operator": pdec.compile(SPECS / "darcy.pde", target="operator", out_dir=out),
    }


@pytest.mark.parametrize(
    ("target", "sets", "message"),
    [
        ("energy", {"lr": "-1"}, "lr=-1.0: expected a number > 0"),
        ("energy", {"lr": "nan"}, "lr=nan: expected a number > 0"),
        ("energy", {"batch_size": "0"}, "batch_size=0: expected a whole number ≥ 1"),
        ("energy", {"checkpoint_every": "-1"}, "checkpoint_every=-1"),
        ("operator", {"lr": "-1"}, "lr=-1.0: expected a number > 0"),
        ("operator", {"gamma": "0"}, "gamma=0.0: expected a number > 0"),
        ("operator", {"weight_decay": "-1"}, "weight_decay=-1.0: expected a number ≥ 0"),
    ],
)
def test_training_options_out_of_range(models, target, sets, message):
    hooks = energy if target == "energy" else operator
    with pytest.raises(OptionsError, match=message):
        hooks._split_options(models[target], sets)


@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        ({"width": 0}, "width=0: expected a whole number ≥ 1"),
        ({"modes": 0}, "modes=0"),
        ({"modes": (4, 0)}, "modes=0"),
        ({"projection": 0}, "projection=0"),
        ({"layers": 0}, "layers=0"),
    ],
)
def test_operator_sizes_out_of_range(models, sizes, message):
    with pytest.raises(OptionsError, match=message):
        models["operator"](**sizes)


def test_energy_solver_options_out_of_range(models):
    with pytest.raises(OptionsError, match="max_iter=-1"):
        models["energy"](n=16, max_iter=-1)
    with pytest.raises(OptionsError, match="tol=-1.0: expected a number > 0"):
        models["energy"](n=16, tol=-1.0)
