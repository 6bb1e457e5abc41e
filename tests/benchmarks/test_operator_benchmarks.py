"""Smoke runs of the operator benchmarks (benchmarks/operator_burgers.py, operator_pino.py
and operator_darcy.py) on tiny data: they train, print their table, and publish nothing;
and operator_darcy's peak-memory measurement on a known allocation."""

import functools
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

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
    if name == "operator_darcy" and Path("/proc/self/status").exists():
        assert re.search(r"\| 1\.00 \| \d+ \| 1\.00 \|$", stdout, re.M)  # peak MiB measured


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc/self/status")
def test_peak_memory_counts_what_the_work_allocates(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    operator_darcy = importlib.import_module("benchmarks.operator_darcy")
    floats = 200 * 2**20 // 4
    # prepare(floats) returns the work, torch.ones(floats): 200 MiB written, so resident
    prepare = functools.partial(functools.partial, torch.ones)
    mebibytes, reset = operator_darcy.peak_memory(prepare, floats)
    assert 150 <= mebibytes <= 260
    assert isinstance(reset, bool)
