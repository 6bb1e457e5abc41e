"""`pdec train/eval --target energy` on tiny data: a seconds-long smoke run, the files it
writes, resuming, and clear errors (exit 2, no traceback) for bad data and options."""

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"


@pytest.fixture(scope="module")
def kdv_data(tmp_path_factory):
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("energy_data")
    path = folder / "kdv.npz"
    command = [sys.executable, "-m", "pdec.cli", "data", SPECS / "kdv.pde", "--n", "3"]
    command += ["--steps", "12", "--dt", "0.001", "--grid", "16", "-o", path]
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "OMP_NUM_THREADS": "1"}
    subprocess.run(list(map(str, command)), check=True, cwd=ROOT, env=env, capture_output=True)
    return path


def no_traceback(result) -> bool:
    return "Traceback" not in result.stdout + result.stderr


def train(pdec, data, run, *extra, spec="kdv_learned"):
    return pdec(
        "train", SPECS / f"{spec}.pde", "--target", "energy", "--data", data,
        "--set", "width=8", "-o", run, *extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def trained(pdec, kdv_data, tmp_path_factory):
    """One 6-step DGNet run, shared: its files, resuming from it, evaluating it."""
    run = tmp_path_factory.mktemp("energy_run") / "run"
    return run, train(pdec, kdv_data, run, "--steps", "6")


def test_train_writes_model_checkpoint_summary_and_plots(trained):
    run, result = trained
    assert result.returncode == 0, result.stderr
    assert "state MSE" in result.stdout and "energy drift" in result.stdout
    for name in ("model.pt", "checkpoints/checkpoint.pt", "summary.json", "history.json"):
        assert (run / name).is_file(), name
    for name in ("spacetime.png", "energy.png"):
        assert (run / name).stat().st_size > 10_000, name
    summary = json.loads((run / "summary.json").read_text())
    assert summary["steps"] == 6 and summary["config"]["n"] == 16
    assert summary["config"]["dt"] == pytest.approx(0.001)
    assert summary["rollout"]["trajectories"] == 1  # the held-out one of three
    assert summary["rollout"]["energy_drift"] < 1e-10  # DGNet, skew G: conserved
    assert summary["rollout"]["mass_mse"] < 1e-20


def test_resume_continues_from_the_checkpoint(pdec, kdv_data, trained, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(trained[0], run)
    result = train(pdec, kdv_data, run, "--steps", "8", "--resume")
    assert result.returncode == 0, result.stderr
    assert "resuming" in result.stdout
    history = json.loads((run / "history.json").read_text())["loss"]
    assert [step for step, _ in history] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_eval_rolls_out_a_trained_model(pdec, kdv_data, trained):
    run = trained[0]
    result = pdec(
        "eval", SPECS / "kdv_learned.pde", "--target", "energy",
        "--checkpoint", run / "model.pt", "--data", kdv_data,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "kdv_learned (dgnet)" in result.stdout and "3 × 12 steps" in result.stdout
    assert (run / "eval" / "spacetime.png").is_file()


def test_node_baseline_trains_and_its_checkpoint_is_refused_by_another_spec(
    pdec, kdv_data, tmp_path
):
    run = tmp_path / "run"
    result = train(pdec, kdv_data, run, "--steps", "2", "--mode", "node", spec="kdv")
    assert result.returncode == 0, result.stderr
    assert "energy drift" not in result.stdout  # NODE has no energy
    result = pdec(
        "eval", SPECS / "kdv_learned.pde", "--target", "energy",
        "--checkpoint", run / "model.pt", "--data", kdv_data,
    )  # fmt: skip
    assert result.returncode == 2 and no_traceback(result)
    assert "written for spec 'kdv'" in result.stderr


def test_the_energy_consistent_neural_operator_trains_from_the_command_line(
    pdec, kdv_data, tmp_path
):
    run = tmp_path / "run"
    small = ("--set", "fno_modes=4", "--set", "fno_width=8", "--set", "fno_layers=1")
    result = train(pdec, kdv_data, run, "--steps", "2", "--mode", "eno", *small)
    assert result.returncode == 0, result.stderr
    summary = json.loads((run / "summary.json").read_text())
    assert summary["mode"] == "eno" and summary["config"]["fno_modes"] == 4
    assert summary["rollout"]["energy_drift"] < 1e-10  # the DGNet step from S's proposal


def test_a_closed_form_model_has_nothing_to_learn(pdec, kdv_data, tmp_path):
    result = train(pdec, kdv_data, tmp_path / "run", "--steps", "2", spec="kdv")
    assert result.returncode == 2 and no_traceback(result)
    assert "nothing to learn" in result.stderr and "energy H = learned" in result.stderr


def test_data_of_another_shape_is_refused_clearly(pdec, tmp_path):
    data = tmp_path / "wave.npz"
    made = pdec("data", SPECS / "wave.pde", "--n", "1", "--steps", "2", "--grid", "8", "-o", data)
    assert made.returncode == 0, made.stderr
    result = train(pdec, data, tmp_path / "run", "--steps", "1")
    assert result.returncode == 2 and no_traceback(result)
    assert "u has 2 fields (q, p)" in result.stderr and "kdv_learned declares u" in result.stderr


def test_missing_data_and_bad_options_exit_2(pdec, kdv_data, tmp_path):
    missing = pdec("train", SPECS / "kdv_learned.pde", "--target", "energy")
    assert missing.returncode == 2 and "--data" in missing.stderr and no_traceback(missing)
    typo = train(pdec, kdv_data, tmp_path / "run", "--set", "widht=3")
    assert typo.returncode == 2 and "did you mean 'width'" in typo.stderr
    mode = train(pdec, kdv_data, tmp_path / "run", "--mode", "sindy")
    assert mode.returncode == 2 and "dgnet, hnn, node" in mode.stderr


# ---- a Lagrangian spec: mode lnn ------------------------------------------------------


@pytest.fixture(scope="module")
def double_pendulum_data(tmp_path_factory):
    import subprocess
    import sys

    path = tmp_path_factory.mktemp("lnn_data") / "double_pendulum.npz"
    command = [sys.executable, "-m", "pdec.cli", "data", SPECS / "double_pendulum.pde"]
    command += ["--n", "3", "--steps", "8", "--dt", "0.05", "-o", path]
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "OMP_NUM_THREADS": "1"}
    subprocess.run(list(map(str, command)), check=True, cwd=ROOT, env=env, capture_output=True)
    return path


def test_a_learned_lagrangian_trains_and_evaluates_as_an_lnn(pdec, double_pendulum_data, tmp_path):
    """No --mode: a Lagrangian spec's default is lnn; the data of the closed-form spec (its
    states q1, q2, q1_t, q2_t) load against the learned one with a note."""
    run = tmp_path / "run"
    result = train(
        pdec, double_pendulum_data, run, "--steps", "3", "--set", "depth=1",
        spec="double_pendulum_learned",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "(lnn)" in result.stdout and "made from the spec double_pendulum" in result.stdout
    summary = json.loads((run / "summary.json").read_text())
    assert summary["mode"] == "lnn" and summary["steps"] == 3
    assert summary["rollout"]["energy_drift"] >= 0  # the learned L's Noether energy
    evaluated = pdec(
        "eval", SPECS / "double_pendulum_learned.pde", "--target", "energy",
        "--checkpoint", run / "model.pt", "--data", double_pendulum_data,
    )  # fmt: skip
    assert evaluated.returncode == 0, evaluated.stderr
    assert "double_pendulum_learned (lnn)" in evaluated.stdout


def test_a_lagrangian_spec_refuses_the_modes_of_h_and_g(pdec, double_pendulum_data, tmp_path):
    result = train(
        pdec, double_pendulum_data, tmp_path / "run", "--steps", "1", "--mode", "dgnet",
        spec="double_pendulum_learned",
    )  # fmt: skip
    assert result.returncode == 2 and no_traceback(result)
    assert "mode 'dgnet' does not fit this model" in result.stderr and "lnn, node" in result.stderr
