"""The PINNacle benchmark (benchmarks/pinnacle.py, specs/pinnacle/): its specs check and
compile, its metric and test sets are PINNacle's, and ``--quick`` runs every case.

Poisson2d-C and NS2d-C use two features being built (composite regions with holes and
their boundary pieces; point conditions): while pdec rejects their specs with a
SpecError, their tests are skipped with the missing feature named."""

import doctest
import math
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import pdec

try:
    from benchmarks import pinnacle
except ModuleNotFoundError:  # plain `pytest` (not `python -m pytest`) leaves the root off sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks import pinnacle

CASES = list(pinnacle.CASES.values())


def skip_if_missing(case, error: Exception):
    """Skip (naming the feature) if ``case`` needs a feature pdec does not have yet."""
    if case.needs and isinstance(error, pdec.SpecError):
        pytest.skip(f"{case.label} needs {case.needs}: {str(error).splitlines()[0]}")
    raise error


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """Each case's model class, or the exception compiling its spec raised (re-raised by
    the tests of that case alone)."""
    out = tmp_path_factory.mktemp("pinnacle")
    classes = {}
    for case in CASES:
        try:
            classes[case.name] = pinnacle.compile_case(case, out)
        except Exception as error:  # noqa: BLE001 - reported by the case's own tests
            classes[case.name] = error
    return classes


def test_doctests():
    assert doctest.testmod(pinnacle).failed == 0


def test_every_spec_is_a_case():
    assert {path.stem for path in pinnacle.SPECS.glob("*.pde")} == set(pinnacle.CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_spec_passes_check(case):
    try:
        spec = pdec.load(case.spec)
        findings = spec.check()
    except pdec.SpecError as error:
        skip_if_missing(case, error)
    assert not [f for f in findings if "not conserved" in str(f)]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_spec_compiles_for_the_pinn_target_with_pinnacles_setup(case, compiled):
    Model = compiled[case.name]
    if isinstance(Model, Exception):
        skip_if_missing(case, Model)
    hints = Model.default_options
    assert hints["layers"] == (5, 100) and hints["activation"] == "tanh"
    assert hints["lr"] == pytest.approx(1e-3)
    assert hints["steps"] == pinnacle.PINNACLE_STEPS
    assert set(pinnacle.CASES[case.name].test_set().values) == set(Model.field_names)


def test_l2re_on_a_toy_case():
    reference = np.array([[3.0, 0.0], [0.0, 4.0]])  # rms over all entries: 2.5
    assert pinnacle.l2re(reference, reference) == 0.0
    assert pinnacle.l2re(reference + [[0.0, 0.0], [0.0, 1.0]], reference) == pytest.approx(
        0.5 / 2.5, rel=1e-15
    )  # one column's error counts against both columns' size
    assert pinnacle.l2re(-reference, reference) == pytest.approx(2.0, rel=1e-15)
    with pytest.raises(ValueError, match="shapes differ"):
        pinnacle.l2re(reference[:, :1], reference)


def test_test_sets_are_pinnacles():
    burgers = pinnacle.burgers_test_set()
    assert len(burgers) == 101 * 11
    np.testing.assert_allclose(np.unique(burgers.coords["t"]), np.linspace(0, 1, 11), atol=1e-12)
    start = burgers.coords["t"] == 0
    np.testing.assert_allclose(
        burgers.values["u"][start], -np.sin(np.pi * burgers.coords["x"][start]), atol=1e-4
    )  # COMSOL's t = 0 column is its finite-element interpolant: within 1e-5
    assert len(pinnacle.poisson_test_set()) == 1246
    ns = pinnacle.ns_test_set()
    assert len(ns) == 10201 and list(ns.values) == ["u", "v", "p"]
    wave = pinnacle.wave_test_set()
    assert len(wave) == 2500 and 0 < wave.coords["x"].min() and wave.coords["t"].max() < 1
    heat = pinnacle.heat_test_set()
    assert len(heat) == 64 * 313 and heat.coords["t"].max() == 5.0 and heat.coords["t"].min() > 0


@pytest.mark.parametrize("name", ["wave1d_c", "heat2d_ms"])
def test_closed_forms_match_the_specs_references(name, compiled):
    test = pinnacle.CASES[name].test_set()
    if isinstance(compiled[name], Exception):
        raise compiled[name]
    model = compiled[name](layers=(1, 4))
    coords = {key: torch.as_tensor(value) for key, value in test.coords.items()}
    generated = model.reference["u"](coords).numpy()
    np.testing.assert_allclose(generated, test.values["u"], atol=1e-12)


def test_burgers_reference_file_is_pinnacles_distance_from_the_exact_solution():
    burgers = pinnacle.burgers_test_set()
    exact = pinnacle.burgers_exact(burgers.coords["t"], burgers.coords["x"])
    assert pinnacle.l2re(burgers.values["u"], exact) == pytest.approx(1.33e-2, abs=5e-4)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_quick_runs(case, capsys):
    argv = ["--quick", "--no-publish", "--device", "cpu", "--threads", "1", "--strict"]
    try:
        rows = pinnacle.main([*argv, "--cases", case.name])
    except pdec.SpecError as error:
        skip_if_missing(case, error)
    (row,) = rows
    assert "error" not in row
    assert math.isfinite(row["l2re"]) and row["l2re"] > 0
    assert row["adam_steps"] == pinnacle.QUICK_STEPS
    assert math.isfinite(row["ms_per_step"]) and row["seconds"] > 0
    printed = capsys.readouterr().out
    assert f"| {case.label} |" in printed and "PINNacle best" in printed
    if case.name == "burgers1d_c":
        assert math.isfinite(row["l2re_exact"])
