"""Smoke runs of the operator benchmarks (benchmarks/operator_burgers.py, operator_pino.py
and operator_darcy.py) on tiny data: they train, print their table, and publish nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--test", "2", "--res", "32", "--epochs", "1", "--width", "8", "--modes", "4"]


def run_benchmark(name: str, *extra: str) -> str:
    command = [sys.executable, "-m", f"benchmarks.{name}", *TINY, *extra, "--no-publish"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("name", "extra", "rows"),
    [
        ("operator_burgers", ["--train", "4", "--eval-res", "48"], ["pdec BurgersRingOperator"]),
        (
            "operator_pino",
            ["--train", "4", "--unlabelled", "2"],
            ["FNO (data only)", "PINO, finite differences", "PINO, mollifier, + 2 unlabelled"],
        ),
        (
            "operator_darcy",
            ["--train", "4", "--eval-res", "40", "--schedule", "cosine", "--no-peer"],
            ["pdec DarcyOperator"],
        ),
    ],
)
def test_a_tiny_run_prints_its_table(name, extra, rows):
    stdout = run_benchmark(name, *extra)
    assert "| model |" in stdout
    for row in rows:
        assert f"| {row} |" in stdout
