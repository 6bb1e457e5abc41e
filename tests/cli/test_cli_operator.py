"""`pdec train/eval --target operator` on tiny data: a seconds-long smoke run, the files it
writes, exact resuming, evaluation on a finer grid, and clear errors (exit 2, no
traceback) for bad data and options."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
TINY = ["--set", "modes=4", "--set", "width=8", "--set", "projection=16", "--set", "batch_size=4"]


def make_data(folder: Path, spec: str, n: int, res: int) -> Path:
    path = folder / f"{spec}-{n}-{res}.npz"
    command = [sys.executable, "-m", "pdec.cli", "data", SPECS / f"{spec}.pde", "--n", n]
    command += ["--res", res, "-o", path]
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "OMP_NUM_THREADS": "1"}
    subprocess.run(list(map(str, command)), check=True, cwd=ROOT, env=env, capture_output=True)
    return path


@pytest.fixture(scope="module")
def darcy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("operator_data")
    return {"train": make_data(folder, "darcy", 10, 16), "fine": make_data(folder, "darcy", 2, 24)}


def no_traceback(result) -> bool:
    return "Traceback" not in result.stdout + result.stderr


def train(pdec, data, run, *extra, spec="darcy"):
    return pdec(
        "train", SPECS / f"{spec}.pde", "--target", "operator", "--data", data, "-o", run,
        *TINY, *extra,
    )  # fmt: skip


def test_train_writes_model_checkpoint_summary_and_plot(pdec, darcy, tmp_path):
    run = tmp_path / "run"
    result = train(pdec, darcy["train"], run, "--epochs", "3")
    assert result.returncode == 0, result.stderr
    assert "relative L2, 1 held-out pairs (16×16)" in result.stdout
    for name in ("model.pt", "checkpoints/checkpoint.pt", "summary.json", "history.json"):
        assert (run / name).is_file(), name
    assert (run / "prediction.png").stat().st_size > 10_000
    summary = json.loads((run / "summary.json").read_text())
    assert summary["epochs"] == 3 and summary["train_pairs"] == 9 and summary["pairs"] == 1
    assert summary["grid"] == [16, 16] and summary["config"]["width"] == 8
    assert 0 < summary["error"] < 10
    assert len(json.loads((run / "history.json").read_text())["epochs"]) == 3


def test_resume_continues_exactly(pdec, darcy, tmp_path):
    """3 epochs, then 2 more from the checkpoint: the same losses as 5 in one go."""
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    assert train(pdec, darcy["train"], straight, "--epochs", "5").returncode == 0
    assert train(pdec, darcy["train"], resumed, "--epochs", "3").returncode == 0
    result = train(pdec, darcy["train"], resumed, "--epochs", "5", "--resume")
    assert result.returncode == 0, result.stderr
    assert "resuming" in result.stdout and "at epoch 3" in result.stdout

    def losses(run):
        return [r["data"] for r in json.loads((run / "history.json").read_text())["epochs"]]

    assert losses(resumed) == pytest.approx(losses(straight), rel=1e-6)


def test_eval_on_a_finer_grid(pdec, darcy, tmp_path):
    run = tmp_path / "run"
    assert train(pdec, darcy["train"], run, "--epochs", "1").returncode == 0
    result = pdec(
        "eval", SPECS / "darcy.pde", "--target", "operator", "-c", run / "model.pt",
        "--data", darcy["fine"],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "relative L2, 2 pairs (24×24)" in result.stdout
    assert (run / "eval" / "prediction.png").is_file()


def test_one_dimensional_pino_run(pdec, tmp_path):
    data = make_data(tmp_path, "burgers_ring", 3, 32)
    run = tmp_path / "run"
    result = train(pdec, data, run, "--epochs", "1", "--set", "physics=0.1", spec="burgers_ring")
    assert result.returncode == 0, result.stderr
    assert "(PINO)" in result.stdout and (run / "prediction.png").is_file()


def test_mismatched_arrays_are_a_data_error(pdec, darcy, tmp_path):
    arrays = dict(np.load(darcy["train"]))
    arrays["outputs"] = arrays["outputs"][:4]
    bad = tmp_path / "bad.npz"
    np.savez(bad, **arrays)
    result = train(pdec, bad, tmp_path / "run", "--epochs", "1")
    assert result.returncode == 2 and no_traceback(result)
    assert "10 inputs but 4 outputs (axis 0)" in result.stderr
    assert "hint: every input needs its output" in result.stderr


def test_data_of_another_spec_is_refused(pdec, darcy, tmp_path):
    data = make_data(tmp_path, "burgers_ring", 2, 16)
    result = train(pdec, data, tmp_path / "run", "--epochs", "1")
    assert result.returncode == 2 and no_traceback(result)
    assert "the spec darcy in (x, y)" in result.stderr and "hint:" in result.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--set", "widht=8"], "did you mean 'width'?"),
        (["--set", "test_fraction=1.5"], "test_fraction must be in [0, 1)"),
        (["--steps", "5"], "use --epochs N"),
        (["--set", "schedule=linear"], "schedule must be step or cosine"),
        (["--set", "precision=fp8"], "precision='fp8': one of float32, tf32, bf16"),
        pytest.param(
            ["--set", "device=cuda"],
            "torch sees no CUDA device here",
            marks=pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA"),
        ),
    ],
    ids=["unknown-option", "bad-fraction", "steps", "schedule", "precision", "no-cuda"],
)
def test_bad_options(pdec, darcy, tmp_path, extra, message):
    result = train(pdec, darcy["train"], tmp_path / "run", *extra)
    assert result.returncode == 2 and no_traceback(result)
    assert message in result.stderr


def test_missing_data_says_how_to_make_it(pdec, tmp_path):
    result = pdec("train", SPECS / "darcy.pde", "--target", "operator", "-o", tmp_path / "run")
    assert result.returncode == 2 and no_traceback(result)
    assert "give --data FILE.npz" in result.stderr and "pdec data" in result.stderr


def test_bf16_autocast_trains_on_the_cpu(pdec, darcy, tmp_path):
    """precision=bf16: matrix products in bfloat16, the spectral layers' FFTs in float32."""
    run = tmp_path / "run"
    result = train(pdec, darcy["train"], run, "--epochs", "2", "--set", "precision=bf16")
    assert result.returncode == 0, result.stderr
    summary = json.loads((run / "summary.json").read_text())
    assert summary["options"]["precision"] == "bf16" and 0 < summary["error"] < 10
