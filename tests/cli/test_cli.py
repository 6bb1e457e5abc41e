"""The `pdec` command as a user runs it: exit codes, no tracebacks, readable output."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"


def test_version(pdec):
    result = pdec("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("pdec ")


@pytest.mark.parametrize("command", [[], ["check", "--help"], ["show", "--help"]])
def test_help(pdec, command):
    result = pdec(*command, "--help") if not command else pdec(*command)
    assert result.returncode == 0
    assert "Usage" in result.stdout


def test_check_prints_a_line_per_claim_and_energy(pdec):
    result = pdec("check", SPECS / "cahn_hilliard.pde")
    assert result.returncode == 0, result.stderr
    assert "conserved mass" in result.stdout and "dissipated H" in result.stdout
    assert "negative semidefinite" in result.stdout


def test_check_exits_1_on_a_refuted_claim(pdec, tmp_path):
    spec = tmp_path / "wrong.pde"
    spec.write_text(
        (SPECS / "allen_cahn.pde").read_text().replace("quantity mass", "conserved mass")
    )
    result = pdec("check", spec)
    assert result.returncode == 1
    assert "refuted: conserved mass" in result.stdout


def test_check_json(pdec):
    result = pdec("check", SPECS / "kdv.pde", "--json")
    data = json.loads(result.stdout)
    assert {f["claim"]: f["verdict"] for f in data["findings"]} == {
        "conserved mass": "conserved",
        "energy H": "conserved",
    }
    assert data["structure"]["kind"] == "skew-adjoint"


def test_spec_error_is_rendered_without_traceback(pdec, tmp_path):
    spec = tmp_path / "bad.pde"
    spec.write_text(
        "model m\nregion I = interval(x in [0, 1])\nfield u(x)\npde eq: dx(v) = 0 in I\n"
    )
    result = pdec("check", spec)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{spec}:4:12: error: undefined name 'v'" in result.stderr
    assert "^" in result.stderr and "hint:" in result.stderr


def test_missing_file_exits_2(pdec):
    result = pdec("show", "no_such.pde")
    assert result.returncode == 2
    assert "no such file" in result.stderr and "Traceback" not in result.stderr


def test_unknown_coordinates_exits_2(pdec):
    result = pdec("show", SPECS / "fault.pde", "--coords", "polr")
    assert result.returncode == 2
    assert "did you mean 'polar'" in result.stderr


def test_bad_option_is_a_usage_error(pdec):
    result = pdec("show", SPECS / "fault.pde", "--colour")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_show_fault_in_polar_fits_one_screen(pdec):
    result = pdec("show", SPECS / "fault.pde", "--coords", "polar")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) <= 40
    assert "u(r, 0) - u(r, 2*π)" in result.stdout
    assert "θ = 0⁺ | 2*π⁻" in result.stdout


def test_show_latex_and_json(pdec):
    latex = pdec("show", SPECS / "kdv.pde", "--latex")
    assert latex.returncode == 0
    assert "\\frac{\\delta H}{\\delta u}" in latex.stdout
    shown = pdec("show", SPECS / "fault.pde", "--json", "--coords", "polar")
    data = json.loads(shown.stdout)
    assert data["ir"]["name"] == "fault"
    assert data["residuals"]["slip"]["sympy"] == "-s + u(r, 0) - u(r, 2*pi)"
    assert data["ir"]["equations"][0]["span"]["line"] == 21


def test_show_rejects_latex_with_json(pdec):
    result = pdec("show", SPECS / "kdv.pde", "--latex", "--json")
    assert result.returncode == 2


def _exit_of(monkeypatch, error):
    """The exit code `main` gives when a command raises ``error``."""
    from pdec.cli import entry as cli_app

    def command(standalone_mode):
        raise error

    monkeypatch.setattr(cli_app, "app", command)
    with pytest.raises(SystemExit) as done:
        cli_app.main()
    return done.value.code


def test_every_pdec_error_exits_with_its_code_and_only_bugs_exit_3(monkeypatch):
    from pdec.errors import PdecError, SpecError

    class DivergedError(PdecError):  # as the runtime's divergence error
        exit_code = 4

    assert _exit_of(monkeypatch, SpecError("bad spec")) == 2
    assert _exit_of(monkeypatch, PdecError("bad option")) == 2
    assert _exit_of(monkeypatch, DivergedError("loss is nan")) == 4
    assert _exit_of(monkeypatch, KeyError("a bug")) == 3


def test_a_file_system_refusing_a_write_is_the_users_to_fix(monkeypatch, capsys):
    import errno

    full = OSError(errno.ENOSPC, "No space left on device", "runs/x/loss.png")
    assert _exit_of(monkeypatch, full) == 2
    assert "No space left on device: runs/x/loss.png" in capsys.readouterr().err
    assert _exit_of(monkeypatch, PermissionError(errno.EACCES, "Permission denied", "f")) == 2
    # an OSError that is not about writing is still a bug
    assert _exit_of(monkeypatch, OSError(errno.EBADF, "Bad file descriptor")) == 3
