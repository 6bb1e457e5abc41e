"""Data-parallel training under torchrun (gloo, 2 CPU processes) follows the
one-process run: the same global points and minibatches, each rank its share, the
gradients averaged by DDP (:mod:`pdec.runtime.distributed`).

The small float64 runs of ``distributed_job.py`` go once through ``torchrun`` and once
in this process; their loss histories are compared step by step. Rounding differs
(each rank sums its share, then the shares are summed), and what the optimizers do
with it bounds how close the runs can stay: Adam's steps stay within 1e-14; L-BFGS's
steps (20 line-searched iterations each) amplify it, to about 1e-12 after 4 of them.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from pdec.runtime.distributed import World

ROOT = Path(__file__).resolve().parents[2]
JOB = Path(__file__).with_name("distributed_job.py")
_spec = importlib.util.spec_from_file_location("distributed_job", JOB)
jobs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(jobs)
ENV = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "OMP_NUM_THREADS": "1"}
TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node"]


def torchrun(*arguments, processes: int = 2, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    command = [*TORCHRUN, str(processes), *map(str, arguments)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=ENV, timeout=300)


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> dict:
    """Every job of ``distributed_job.py`` on 2 processes (one torchrun launch)."""
    folder = tmp_path_factory.mktemp("two")
    result = torchrun(JOB, folder / "out.json", folder)
    assert result.returncode == 0, result.stderr[-3000:]
    return {"folder": folder, **json.loads((folder / "out.json").read_text())}


@pytest.fixture(scope="module")
def one(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("one")


def relative(a: list[float], b: list[float]) -> float:
    assert len(a) == len(b)
    return max(abs(x - y) / abs(x) for x, y in zip(a, b))


def test_the_run_had_two_processes(two):
    assert two["world_size"] == 2


def test_pinn_history_matches_one_process(two, one):
    """Resampling, RAR and L-BFGS: 20 steps within 1e-10 (the final loss, after the
    20th step's 20 L-BFGS iterations, within 1e-8)."""
    single = jobs.pinn(one)
    assert relative(single[:20], two["pinn"][:20]) <= 1e-10
    assert relative(single[20:], two["pinn"][20:]) <= 1e-8


def test_annealed_weights_match_one_process(two, one):
    assert relative(jobs.pinn_annealing(one), two["pinn_annealing"]) <= 1e-10


def test_energy_and_operator_histories_match_one_process(two, one):
    """Minibatches of 20 pairs (the last of 7) and of 5 grids (the last of 1, which
    leaves one rank with nothing: it counts its stand-in zero times)."""
    assert relative(jobs.energy(one), two["energy"]) <= 1e-10
    assert relative(jobs.operator(one), two["operator"]) <= 1e-9


def test_a_two_process_checkpoint_resumes_on_one(two, one):
    """The first 10 steps on 2 processes, the rest on 1: the history of the one-process
    run, step for step."""
    assert relative(jobs.pinn(one)[:10], two["pinn_first_half"]) <= 1e-10
    resumed = jobs.pinn_second_half(two["folder"])
    straight = jobs.pinn(one)
    assert relative(straight[:20], resumed[:20]) <= 1e-10
    assert relative(straight[20:], resumed[20:]) <= 1e-8


# -- shares ------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 2, 7, 10])
def test_shares_cover_every_item_once(n):
    size = 3
    parts = [World(rank, size).part(n) for rank in range(size)]
    assert parts[0][0] == 0 and parts[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:]))
    assert max(stop - start for start, stop in parts) - min(s - r for r, s in parts) <= 1
    # the same shares as torch.tensor_split
    pieces = torch.arange(n).tensor_split(size)
    assert [len(p) for p in pieces] == [stop - start for start, stop in parts]


def test_split_weighs_each_share_so_the_mean_over_ranks_is_the_global_mean():
    batch = (torch.arange(7.0), {"y": torch.arange(7.0) ** 2})
    values, shares = [], []
    for rank in range(3):
        (x, columns), share = World(rank, 3).split(batch)
        values.append(share * columns["y"].mean())
        shares.append(share)
    assert torch.isclose(sum(values) / 3, batch[1]["y"].mean())
    assert shares == [3 * 3 / 7, 2 * 3 / 7, 2 * 3 / 7]


def test_an_empty_share_stands_in_one_item_counted_zero_times():
    local, share = World(2, 3).split(torch.arange(2.0))
    assert share == 0.0 and local.tolist() == [0.0]
    with pytest.raises(ValueError, match="one leading size"):
        World(0, 2).split((torch.zeros(3), torch.zeros(4)))


def test_a_world_of_one_leaves_the_batch_alone():
    batch = {"x": torch.ones(3)}
    assert World().split(batch) == (batch, 1.0)
    tensor = torch.ones(2)
    assert World().mean(tensor) is tensor and World().gather(tensor) is tensor


def test_world_size_without_torchrun_is_an_options_error(monkeypatch):
    from pdec.runtime.distributed import join
    from pdec.runtime.errors import OptionsError

    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "0")
    for name in ("MASTER_ADDR", "MASTER_PORT", "TORCHELASTIC_RUN_ID"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(OptionsError, match="start them with torchrun"):
        join(torch.device("cpu"))
