"""pdec.estimate: unknown parameters fitted to gridded trajectories by the PDE residual."""

import dataclasses
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import sympy
import torch

import pdec
from pdec.cli import main
from pdec.estimation import evaluate
from pdec.reference import generate

SPECS = Path(__file__).resolve().parents[1] / "specs"
NU = 0.1  # specs/heat.pde


@pytest.fixture(scope="module")
def clean():
    # Modes up to 4 on 64 points, decaying by up to e^{-13} over t ∈ [0, 0.2].
    return generate(pdec.load(SPECS / "heat.pde"), n=2, steps=100, dt=0.002, seed=0, grid=64)


@pytest.fixture(scope="module")
def noisy(clean):
    sigma = 1e-3 * np.abs(clean.u).max()
    noise = sigma * np.random.default_rng(0).standard_normal(clean.u.shape)
    return dataclasses.replace(clean, u=clean.u + noise)


@pytest.fixture(scope="module")
def inverse():
    return pdec.load(SPECS / "heat_inverse.pde")


def _estimate(spec, data, method):
    with warnings.catch_warnings():  # the data were made from heat.pde, not heat_inverse
        warnings.simplefilter("ignore")
        return pdec.estimate(spec, data, derivatives=method)["nu"]


@pytest.mark.parametrize("method", ["mollifier", "finite"])
def test_noise_free_data_give_nu(inverse, clean, method):
    assert _estimate(inverse, clean, method) == pytest.approx(NU, rel=0.01)


def test_mollifier_is_robust_to_noise_where_finite_differences_are_not(inverse, noisy):
    mollifier = abs(_estimate(inverse, noisy, "mollifier") - NU)
    finite = abs(_estimate(inverse, noisy, "finite") - NU)
    assert mollifier < 0.02 * NU
    assert finite > 0.03 * NU  # measured: 5.7 % low (noise in u_xx biases the fit)
    assert mollifier < finite / 5


def test_spec_without_unknowns_is_an_error_with_a_hint(clean):
    with pytest.raises(pdec.SpecError, match="no unknown parameters") as error:
        pdec.estimate(pdec.load(SPECS / "heat.pde"), clean)
    assert "unknown(positive)" in error.value.hint


def test_data_of_another_shape_is_a_data_error(inverse, clean):
    two_fields = dataclasses.replace(
        clean, u=np.concatenate([clean.u, clean.u], axis=2), fields=("u", "v")
    )
    with pytest.raises(pdec.DataError) as error:
        pdec.estimate(inverse, two_fields)
    assert "u" in error.value.hint


def test_unknown_method_is_an_error(inverse, clean):
    with pytest.raises(pdec.SpecError, match="derivative method") as error:
        pdec.estimate(inverse, clean, derivatives="spectral")
    assert "mollifier" in error.value.hint


def test_evaluator_rejects_what_it_does_not_know():
    x = sympy.Symbol("x")
    scope = {x: torch.tensor([0.0, 1.0], dtype=torch.float64)}
    assert evaluate(sympy.exp(x) * sympy.pi + x**2 / 2, scope).tolist() == pytest.approx(
        [np.pi, np.e * np.pi + 0.5]
    )
    with pytest.raises(pdec.UnsupportedError, match="besselj"):
        evaluate(sympy.besselj(0, x), scope)


def _cli(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["pdec", *map(str, args)])
    with pytest.raises(SystemExit) as done:
        main()
    return done.value.code, capsys.readouterr()


@pytest.mark.filterwarnings("ignore:the data were made from the spec heat")
def test_cli_prints_the_estimate(monkeypatch, capsys, tmp_path, clean):
    path = clean.save(tmp_path / "heat.npz")
    code, out = _cli(monkeypatch, capsys, "estimate", SPECS / "heat_inverse.pde", "--data", path)
    assert code == 0, out.err
    lines = out.out.strip().splitlines()
    assert lines[-1].startswith("nu = 0.100")
    # data from heat.pde for heat_inverse.pde: a one-line note, not a Python warning
    assert lines[0].startswith("note: the data were made from the spec heat")
    assert "Warning" not in out.err


def test_cli_exits_2_on_a_spec_without_unknowns(monkeypatch, capsys, tmp_path, clean):
    path = clean.save(tmp_path / "heat.npz")
    code, out = _cli(monkeypatch, capsys, "estimate", SPECS / "heat.pde", "--data", path)
    assert code == 2
    assert "no unknown parameters" in out.err and "hint:" in out.err
