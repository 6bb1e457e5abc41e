"""`pdec compile` and `pdec train` for the PINN target, as a user runs them."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
# small and short: the spec hints' L-BFGS steps (100 for the fault) are overridden too
SMALL = ["--set", "points=128", "--set", "boundary_points=32", "--set", "layers=2x16"]
SMALL += ["--set", "lbfgs_steps=2"]


def test_compile_writes_a_module(pdec, tmp_path):
    result = pdec("compile", SPECS / "fault.pde", "--target", "pinn", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "fault_pinn.py"
    assert "class FaultPinn(PinnModel):" in path.read_text()
    assert "wrote" in result.stdout


def test_compile_unknown_target_is_a_clean_error(pdec, tmp_path):
    result = pdec("compile", SPECS / "fault.pde", "--target", "fem", "-o", tmp_path)
    assert result.returncode == 2
    assert "unknown target 'fem'" in result.stderr and "Traceback" not in result.stderr


def test_train_smoke_run_reports_and_plots(pdec, tmp_path):
    result = pdec("train", SPECS / "fault.pde", "--steps", "3", *SMALL, "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "relative L2 error of u" in result.stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["final"]["loss"] > 0 and "u" in summary["relative_l2"]
    for name in ("loss.png", "field.png", "surface.png"):
        assert (tmp_path / name).stat().st_size > 1000
    assert list((tmp_path / "checkpoints").iterdir())


def test_cut_forms_compile_train_and_evaluate(pdec, tmp_path):
    """--cut residual gives the paper's form; eval compiles the form a checkpoint holds."""
    result = pdec("compile", SPECS / "fault.pde", "--cut", "residual", "-o", tmp_path / "paper")
    assert result.returncode == 0, result.stderr
    paper = (tmp_path / "paper" / "fault_pinn.py").read_text()
    assert '"slip"' in paper and "lifted = True" not in paper
    # the default (lifted) form: the golden file tests/targets/pinn/golden/fault_pinn.py
    run = tmp_path / "run"
    trained = pdec(
        "train", SPECS / "fault.pde", "--cut", "residual", "--steps", "2", *SMALL, "-o", run
    )
    assert trained.returncode == 0, trained.stderr
    result = pdec("eval", SPECS / "fault.pde", "-c", run / "checkpoints" / "checkpoint.pt")
    assert result.returncode == 0, result.stderr
    assert "the spec's reference" in result.stdout
    result = pdec("compile", SPECS / "fault.pde", "--cut", "sideways", "-o", tmp_path)
    assert result.returncode == 2 and "unknown cut form 'sideways'" in result.stderr


def test_train_rejects_a_misspelled_option(pdec, tmp_path):
    result = pdec(
        "train", SPECS / "burgers.pde", "--steps", "1", "--set", "lr_rate=1e-3", "-o", tmp_path
    )
    assert result.returncode == 2
    assert "lr_rate" in result.stderr and "Traceback" not in result.stderr


def test_eval_against_the_spec_reference_and_a_data_file(pdec, tmp_path):
    import numpy as np

    run = tmp_path / "run"
    trained = pdec("train", SPECS / "poisson.pde", "--steps", "3", *SMALL, "-o", run)
    assert trained.returncode == 0, trained.stderr
    checkpoint = run / "checkpoints" / "checkpoint.pt"
    result = pdec("eval", SPECS / "poisson.pde", "--checkpoint", checkpoint)
    assert result.returncode == 0, result.stderr
    assert "the spec's reference" in result.stdout
    x = np.linspace(0.1, 0.9, 9)
    data = tmp_path / "obs.csv"
    np.savetxt(
        data,
        np.c_[x, x, np.sin(np.pi * x) ** 2],
        delimiter=",",
        header="x,y,u",
        comments="",
    )
    result = pdec("eval", SPECS / "poisson.pde", "-c", checkpoint, "--reference", data)
    assert result.returncode == 0, result.stderr
    assert "obs.csv (9 points)" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = pdec("eval", SPECS / "poisson.pde", "-c", checkpoint, "--reference", bad)
    assert result.returncode == 2 and "lacks the column" in result.stderr
    bad.write_text("x,y,u\n")
    result = pdec("eval", SPECS / "poisson.pde", "-c", checkpoint, "--reference", bad)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {bad} has a header")  # once, not "error: error:"


def test_train_an_inverse_problem_reports_what_it_learned(pdec, tmp_path):
    result = pdec("train", SPECS / "burgers_inverse.pde", "--steps", "5", *SMALL, "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "learned nu = " in result.stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary["learned"]) == {"nu"} and summary["learned"]["nu"] > 0
    assert (tmp_path / "unknowns.png").stat().st_size > 1000
    evaluated = pdec(
        "eval", SPECS / "burgers_inverse.pde", "-c", tmp_path / "checkpoints" / "checkpoint.pt"
    )
    assert evaluated.returncode == 0, evaluated.stderr
    assert f"nu = {summary['learned']['nu']:.6g}" in evaluated.stdout


def test_data_writes_reference_trajectories(pdec, tmp_path):
    import numpy as np

    out = tmp_path / "pendulum.npz"
    result = pdec(
        "data", SPECS / "pendulum.pde", "--n", "2", "--steps", "5", "--dt", "0.1", "-o", out
    )
    assert result.returncode == 0, result.stderr
    assert "u (2, 6, 2)" in result.stdout
    with np.load(out) as archive:
        assert archive["u"].shape == (2, 6, 2) and list(archive["fields"]) == ["q", "p"]


def test_data_for_a_spec_without_dynamics_is_a_clean_error(pdec, tmp_path):
    result = pdec("data", SPECS / "fault.pde", "-o", tmp_path / "x.npz")
    assert result.returncode == 2
    assert "no time-dependent fields" in result.stderr and "Traceback" not in result.stderr
