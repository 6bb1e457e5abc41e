"""`pdec train` on 2 CPU processes (gloo), for every target, as a user runs it: through
torchrun, or through `pdec train --nproc 2`. Rank 0 alone prints and writes;
summary.json records the world size; a diverged run stops every rank with exit 4 and
keeps the last good checkpoint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
ENV = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "COLUMNS": "120"}


def run(*arguments) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=ENV,
        timeout=300,
    )


def torchrun(*arguments) -> subprocess.CompletedProcess:
    launcher = ("-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2")
    return run(*launcher, "-m", "pdec", "train", *arguments)


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


def test_torchrun_trains_the_poisson_pinn_on_two_processes(tmp_path):
    result = torchrun(SPECS / "poisson.pde", "--steps", "50", "-o", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert summary(tmp_path)["world_size"] == 2
    assert summary(tmp_path)["final"]["step"] == 50
    assert (tmp_path / "checkpoints" / "checkpoint.pt").is_file()
    assert (tmp_path / "loss.png").is_file()
    # rank 0 alone prints: one summary table, one line saying how the run is split
    assert result.stdout.count("training summary") == 1
    assert "data-parallel on 2 processes" in result.stdout


def test_a_diverged_run_stops_every_rank_with_exit_4(tmp_path):
    result = run(
        "-m", "pdec", "train", SPECS / "burgers.pde", "--steps", "30", "--nproc", "2",
        "--set", "lr=1e20", "--set", "checkpoint_every=1", "-o", tmp_path,
    )  # fmt: skip
    assert result.returncode == 4, result.stderr[-2000:]
    assert result.stderr.count("training diverged at step 2") == 1  # said once, by rank 0
    assert "the last good checkpoint is" in result.stderr
    assert (tmp_path / "checkpoints" / "checkpoint.pt").is_file()
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_nproc_must_be_positive(tmp_path):
    result = run("-m", "pdec", "train", SPECS / "poisson.pde", "--nproc", "0", "-o", tmp_path)
    assert result.returncode == 2 and "at least 1 process" in result.stderr


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("distributed_data")
    darcy, kdv = folder / "darcy.npz", folder / "kdv.npz"
    made = [
        run("-m", "pdec", "data", SPECS / "darcy.pde", "--n", "7", "--res", "9", "-o", darcy),
        run(
            "-m",
            "pdec",
            "data",
            SPECS / "kdv.pde",
            "--n",
            "3",
            "--steps",
            "12",
            "--dt",
            "0.001",
            "--grid",
            "16",
            "-o",
            kdv,
        ),  # fmt: skip
    ]
    assert all(result.returncode == 0 for result in made), [r.stderr for r in made]
    return {"darcy": darcy, "kdv": kdv}


@pytest.mark.parametrize("architecture", ["fno", "gno"])
def test_torchrun_trains_an_operator(data, tmp_path, architecture):
    """The FNO on the grid; the GNO reads the same grid as clouds of its nodes."""
    result = torchrun(
        SPECS / "darcy.pde", "--target", "operator", "--data", data["darcy"], "--epochs", "2",
        "--set", "modes=3", "--set", "width=8", "--set", "batch_size=3", "-o", tmp_path,
        "--set", f"architecture={architecture}", "--set", "kernel_width=8",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    written = summary(tmp_path)
    assert written["world_size"] == 2 and written["epochs"] == 2
    assert written["config"]["architecture"] == architecture
    assert (tmp_path / "model.pt").is_file() and (tmp_path / "prediction.png").is_file()
    assert result.stdout.count("summary") == 1


def test_nproc_trains_an_energy_model(data, tmp_path):
    result = run(
        "-m", "pdec", "train", SPECS / "kdv_learned.pde", "--target", "energy", "--nproc", "2",
        "--data", data["kdv"], "--steps", "4", "--set", "width=8", "-o", tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    written = summary(tmp_path)
    assert written["world_size"] == 2 and written["steps"] == 4
    assert (tmp_path / "model.pt").is_file()


@pytest.mark.parametrize(
    ("codes", "expected", "said"),
    [
        ({0: 4, 1: -15}, 4, ""),  # diverged: rank 0 said so, the agent stopped rank 1
        ({0: 2, 1: 2}, 2, ""),  # a user error, said by each rank
        ({1: 3, 0: -15}, 4, "rank 1 of 2 failed (exit code 3)"),  # a crash on one rank
        ({0: -9, 1: -15}, 4, "failed (signal"),  # killed (out of memory)
    ],
)
def test_launch_maps_how_the_ranks_ended_to_one_exit_code(
    monkeypatch, capsys, codes, expected, said
):
    import torch.distributed.run
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError, ProcessFailure

    from pdec.cli.launch import launch

    def failing(_):
        failures = {r: ProcessFailure(r, 100 + r, code, "") for r, code in codes.items()}
        raise ChildFailedError("pdec", failures)

    monkeypatch.setattr(torch.distributed.run, "run", failing)
    assert launch(2, ["train", "x.pde"]) == expected
    assert said in capsys.readouterr().err
