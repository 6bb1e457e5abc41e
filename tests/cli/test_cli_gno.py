"""`pdec data --points` and `pdec train/eval --target operator` on scattered points: the
graph neural operator picked for such data, trained, resumed exactly and evaluated on
a denser cloud and on a grid; the FNO and the physics loss refused for points (exit 2,
one line)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
DARCY = ROOT / "specs" / "darcy.pde"
TINY = ["--set", "width=8", "--set", "kernel_width=8", "--set", "layers=2"]


def make_data(folder: Path, n: int, *extra) -> Path:
    path = folder / f"darcy-{n}-{'-'.join(map(str, extra))}.npz"
    command = [sys.executable, "-m", "pdec.cli", "data", DARCY, "--n", n, "--res", 12,
               *extra, "-o", path]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "OMP_NUM_THREADS": "1",
           "COLUMNS": "200"}  # fmt: skip
    done = subprocess.run(list(map(str, command)), cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True)  # fmt: skip
    return path, done.stdout


@pytest.fixture(scope="module")
def clouds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gno_data")
    train, said = make_data(folder, 7, "--points", 40)
    dense, _ = make_data(folder, 2, "--points", 160, "--seed", 3)
    grid, _ = make_data(folder, 2, "--seed", 3)
    return {"train": train, "dense": dense, "grid": grid, "said": said}


@pytest.fixture(scope="module")
def trained(pdec, clouds, tmp_path_factory):
    run = tmp_path_factory.mktemp("gno_run") / "run"
    result = pdec("train", DARCY, "--target", "operator", "--data", clouds["train"], "-o", run,
                  "--epochs", "3", *TINY)  # fmt: skip
    return run, result


def no_traceback(result) -> bool:
    return "Traceback" not in result.stdout + result.stderr


def test_data_at_points_says_where_the_values_are(clouds):
    said = " ".join(clouds["said"].split())  # however the console wrapped it
    assert "at the points (7, 40, 2) (instance, point, coordinate)" in said
    with np.load(clouds["train"]) as arrays:
        assert arrays["points"].shape == (7, 40, 2) and arrays["inputs"].shape == (7, 1, 40)


def test_scattered_data_train_a_gno(trained):
    run, result = trained
    assert result.returncode == 0, result.stderr
    assert "graph neural operator (GNO)" in result.stdout and "(GNO)" in result.stdout
    assert "relative L2, 1 held-out pairs (40 points each)" in result.stdout
    summary = json.loads((run / "summary.json").read_text())
    assert summary["config"]["architecture"] == "gno" and summary["scattered"]
    assert summary["options"]["batch_size"] == 1  # the GNO's default: one cloud a step
    assert 0 < summary["error"] < 10
    assert (run / "prediction.png").stat().st_size > 10_000


@pytest.mark.parametrize(("which", "label"), [("dense", "(160 points each)"), ("grid", "(12×12)")])
def test_the_gno_evaluates_on_other_clouds_and_on_grids(pdec, trained, clouds, which, label):
    run, _ = trained
    result = pdec("eval", DARCY, "--target", "operator", "-c", run / "model.pt",
                  "--data", clouds[which])  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"relative L2, 2 pairs {label}" in result.stdout
    assert (run / "eval" / "prediction.png").is_file()


def test_a_gno_run_resumes_exactly(pdec, trained, clouds, tmp_path):
    straight, _ = trained
    resumed = tmp_path / "resumed"
    common = ("train", DARCY, "--target", "operator", "--data", clouds["train"], "-o", resumed)
    assert pdec(*common, "--epochs", "2", *TINY).returncode == 0
    result = pdec(*common, "--epochs", "3", "--resume", *TINY)
    assert result.returncode == 0, result.stderr

    def losses(run):
        return [r["data"] for r in json.loads((run / "history.json").read_text())["epochs"]]

    assert losses(resumed) == pytest.approx(losses(straight), rel=1e-6)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--set", "architecture=fno"], "the model is an FNO, which reads grids"),
        (["--set", "physics=0.1"], "the residual is evaluated on a grid"),
        (["--set", "radius=-1"], "radius"),
    ],
    ids=["fno", "physics", "radius"],
)
def test_what_points_refuse_is_one_line(pdec, clouds, tmp_path, extra, message):
    result = pdec("train", DARCY, "--target", "operator", "--data", clouds["train"],
                  "-o", tmp_path / "run", "--epochs", "1", *extra)  # fmt: skip
    assert result.returncode == 2 and no_traceback(result), result.stderr
    assert message in result.stderr
