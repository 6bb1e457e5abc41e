"""The time budget of symbolic work: a claim that takes too long is "not shown: too
expensive", never a hang; the timer and the signal handler are put back afterwards."""

import signal
import time
from pathlib import Path

import pytest

import pdec
from pdec.symbolic.budget import OverBudget, available, time_budget

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not available(), reason="no SIGALRM here")


def test_a_budget_stops_work_that_runs_past_it_and_cleans_up():
    before = signal.getsignal(signal.SIGALRM)
    started = time.perf_counter()
    with pytest.raises(OverBudget, match="budget 0.05 s"), time_budget(0.05):
        while True:
            pass
    assert time.perf_counter() - started < 2
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_work_within_the_budget_is_untouched():
    with time_budget(5):
        total = sum(range(1000))
    assert total == 499500 and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_claims_past_the_budget_are_not_shown_as_too_expensive():
    spec = pdec.load(ROOT / "specs" / "cahn_hilliard.pde")
    assert {f.verdict for f in spec.check()} <= {"conserved", "dissipated"}
    findings = spec.check(budget=1e-6)
    assert findings and all(f.verdict == "not shown" for f in findings)
    assert all("too expensive (budget 1e-06 s)" in f.reason for f in findings)
    assert not any(f.refuted for f in findings)


def test_check_takes_a_budget_on_the_command_line(pdec_cli):
    result = pdec_cli("check", ROOT / "specs" / "cahn_hilliard.pde", "--budget", "0.000001")
    assert result.returncode == 0, result.stderr
    assert "not shown" in result.stdout and "too expensive" in result.stdout
    assert pdec_cli("check", ROOT / "specs" / "kdv.pde", "--budget", "0").returncode == 2


@pytest.fixture
def pdec_cli():
    import subprocess
    import sys

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "pdec", *map(str, args)],
            capture_output=True, text=True, cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"},
        )  # fmt: skip

    return run


def test_a_rate_infinite_at_every_trial_state_is_not_shown_not_a_crash():
    """Found by benchmarks/fuzz.py: dx(u)^x in an energy makes the rate zoo at the
    witness search's states, which numpy's printer cannot print (KeyError)."""
    text = (ROOT / "specs" / "kdv.pde").read_text().replace("beta/2*dx(u)^2", "beta/2*dx(u)^x")
    findings = pdec.loads(text).check(budget=2)
    assert [f.verdict for f in findings] == ["not shown", "not shown"]


def test_a_rate_with_an_integer_beyond_float_range_is_not_shown_not_a_crash():
    """The fuzzer's OverflowError in check: 10^400 cannot be evaluated in floats."""
    text = (ROOT / "specs" / "kdv.pde").read_text()
    text = text.replace("evolve dt(u) = dx(delta(H, u))", "evolve dt(u) = 10^400*u")
    findings = pdec.loads(text).check(budget=5)
    assert [f.verdict for f in findings] == ["not shown", "not shown"]
    assert not any(f.refuted for f in findings)
