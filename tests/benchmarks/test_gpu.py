"""benchmarks/gpu.py runs end to end on the CPU (``--quick``): every section yields rows,
and every pdec and hand-written row was measured, without an error.

One cold run compiles the whole Burgers step and its residuals with torch.compile on the
CPU (20–40 s on two loaded cores; seconds once inductor's on-disk cache is warm)."""

import contextlib
import io
import math
import sys
from pathlib import Path

import pytest

try:
    from benchmarks import gpu
except ModuleNotFoundError:  # plain `pytest` (not `python -m pytest`) leaves the root off sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks import gpu

ARGV = ["--device", "cpu", "--quick", "--no-publish", "--threads", "1"]


@pytest.fixture(scope="module")
def run():
    """The rows, and what the run printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        rows = gpu.main(ARGV)
    return rows, printed.getvalue()


@pytest.fixture(scope="module")
def rows(run):
    return run[0]


def failures(rows):
    return "\n\n".join(
        f"{row['section']} / {row.get('name')}: {row['error']}\n{row.get('traceback', '')}"
        for row in rows
        if row.get("error")
    )


def finite_positive(value) -> bool:
    return isinstance(value, float) and math.isfinite(value) and value > 0


def test_no_row_failed_or_ran_out_of_budget(rows):
    assert not failures(rows), failures(rows)
    assert not [row for row in rows if row.get("skipped") == "budget"]


def test_every_section_has_rows(rows):
    assert {row["section"] for row in rows} == {"burgers", "fault", "darcy"}


def test_burgers_rows_are_timed(rows):
    burgers = [row for row in rows if row["section"] == "burgers"]
    sizes = [size.label for size in gpu.QUICK_SIZES]
    names = [name for name, _ in gpu.PDEC_ROWS] + [gpu.HANDWRITTEN, gpu.DEEPXDE]
    assert [(row["size"], row["name"]) for row in burgers] == [
        (size, name) for size in sizes for name in names
    ]
    for row in burgers:
        if row["kind"] not in ("pdec", "handwritten"):
            continue
        if row.get("skipped") == "quick":  # compiled rows: at the first size only
            assert row["size"] == sizes[1] and row["name"] != "pdec, eager", row
            continue
        assert finite_positive(row["ms_per_step"]), row
        assert row["warmup_s"] >= 0 and row["peak_mib"] > 0, row
        assert finite_positive(row["ratio"]), row
    compiled = [row for row in burgers if row["name"].startswith("pdec, whole step")]
    assert finite_positive(compiled[0]["ms_per_step"])  # the whole step, compiled, ran
    peers = [row for row in burgers if row["kind"] == "deepxde"]
    assert all(row.get("ms_per_step") or row["note"] == "not installed" for row in peers)


def test_fault_row_trains(rows):
    (fault,) = [row for row in rows if row["section"] == "fault"]
    assert fault["steps"] == "50 + 5"
    assert finite_positive(fault["fit_s"])
    assert finite_positive(fault["rel_l2"]) and fault["rel_l2"] < 1.0, fault


def test_darcy_rows_are_timed(rows):
    darcy = {row["name"]: row for row in rows if row["section"] == "darcy"}
    assert finite_positive(darcy["data"]["data_s"])
    pdec_row = darcy["pdec DarcyOperator (FNO)"]
    assert finite_positive(pdec_row["s_per_epoch"]) and finite_positive(pdec_row["first_epoch_s"])
    peer = darcy["neuraloperator FNO"]
    assert peer.get("s_per_epoch") or peer["note"] == "not installed"


def test_tables_are_printed_with_the_command(run):
    _, printed = run
    for title in (gpu.BURGERS, gpu.FAULT, gpu.DARCY):
        assert f"### GPU benchmark: {title} — " in printed
    assert printed.count("`python -m benchmarks.gpu " + " ".join(ARGV) + "`") == 3
    assert "| 2×8 tanh, 500 points | pdec, whole step captured | " in printed
