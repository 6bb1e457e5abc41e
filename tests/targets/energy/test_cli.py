"""`pdec compile --target energy` writes the module; train asks for data (the full
command-line tests are in tests/cli/test_cli_energy.py)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "pdec.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "PYTHONIOENCODING": "utf-8"},
    )


def test_compile_writes_the_energy_module(tmp_path):
    result = run("compile", "specs/pendulum.pde", "--target", "energy", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "PendulumEnergy" in result.stdout
    golden = Path(__file__).parent / "golden" / "pendulum_energy.py"
    assert (tmp_path / "pendulum_energy.py").read_text() == golden.read_text()


def test_train_with_the_energy_target_needs_data():
    result = run("train", "specs/pendulum.pde", "--target", "energy")
    assert result.returncode == 2
    assert "give --data FILE.npz" in result.stdout + result.stderr
