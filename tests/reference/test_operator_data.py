"""Operator data from specs: Darcy pairs (GRF inputs, elliptic solutions) and Burgers
pairs (GRF initial states, states at the end time); the NPZ format and its checks."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pdec
from pdec.reference.operator_data import (
    OperatorData,
    OperatorDataError,
    generate_operator_data,
    load_operator_data,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def darcy():
    return pdec.load(ROOT / "specs" / "darcy.pde")


@pytest.fixture(scope="module")
def darcy_data(darcy):
    return generate_operator_data(darcy, n=3, res=17, seed=5)


def test_darcy_pairs(darcy_data, darcy):
    data = darcy_data
    assert data.inputs.shape == data.outputs.shape == (3, 1, 17, 17)
    assert data.input_names == ("a",) and data.output_names == ("u",)
    assert data.space == ("x", "y") and data.periodic == (False, False)
    assert set(np.unique(data.inputs)) == {3.0, 12.0}
    assert np.all(data.outputs[:, 0, 0, :] == 0) and np.all(data.outputs[:, 0, :, -1] == 0)
    assert data.spec_sha256 == darcy.ir.sha256 and data.seed == 5
    assert data.generator["field"]["shift"] == 9.0
    assert data.generator["thresholded"] == {"a": {"high": 12.0, "low": 3.0}}
    assert "harmonic mean" in data.solver


def test_the_same_seed_gives_the_same_inputs_at_two_resolutions(darcy, darcy_data):
    fine = generate_operator_data(darcy, n=3, res=33, seed=5)
    assert np.array_equal(fine.inputs[..., ::2, ::2], darcy_data.inputs)
    # the solutions differ by the discretisation error only
    difference = np.abs(fine.outputs[..., ::2, ::2] - darcy_data.outputs).max()
    assert difference < 0.1 * np.abs(fine.outputs).max()


def test_round_trip_through_npz(tmp_path, darcy, darcy_data):
    path = darcy_data.save(tmp_path / "darcy.npz")
    back = load_operator_data(path, spec=darcy)
    assert np.array_equal(back.inputs, darcy_data.inputs)
    assert np.array_equal(back.outputs, darcy_data.outputs)
    assert back.generator == json.loads(json.dumps(darcy_data.generator))
    assert back.domain == ((0.0, 1.0), (0.0, 1.0)) and back.seed == 5
    assert np.allclose(back.coordinates[0], np.linspace(0, 1, 17))
    with np.load(path, allow_pickle=False) as archive:  # plain arrays, no pickles
        assert str(archive["spec_name"]) == "darcy"


def test_burgers_ring_pairs_conserve_mass_and_do_not_depend_on_the_grid():
    spec = pdec.load(ROOT / "specs" / "burgers_ring.pde")
    # from 192 points up the 2/3 rule keeps every mode of the field (|k| < 64)
    coarse = generate_operator_data(spec, n=2, res=256, seed=1)
    fine = generate_operator_data(spec, n=2, res=512, seed=1)
    assert coarse.inputs.shape == (2, 1, 256) and coarse.input_names == ("u0",)
    assert coarse.periodic == (True,)
    # Burgers conserves ∫u; the GRF has zero mean
    assert np.abs(coarse.outputs.mean(-1) - coarse.inputs.mean(-1)).max() < 1e-12
    assert np.abs(fine.inputs[..., ::2] - coarse.inputs).max() < 1e-12
    assert np.abs(fine.outputs[..., ::2] - coarse.outputs).max() < 1e-8 * np.abs(fine.outputs).max()
    assert np.abs(coarse.outputs).max() < np.abs(coarse.inputs).max()  # viscosity damps


def test_burgers_on_an_interval_with_walls_is_refused(spec_path):
    with pytest.raises(pdec.UnsupportedError, match="not periodic") as caught:
        generate_operator_data(pdec.load(spec_path("burgers")), n=1, res=32)
    assert "burgers_ring" in caught.value.hint


def write(path, **arrays):
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"inputs": np.zeros((2, 1, 8, 8))}, "no array 'outputs'"),
        ({"inputs": np.zeros((2, 8, 8)), "outputs": np.zeros((2, 8, 8))}, "2 grid axes"),
        ({"inputs": np.zeros((2, 1, 8, 8)), "outputs": np.zeros((3, 1, 8, 8))}, "2 inputs but 3"),
        ({"inputs": np.zeros((2, 1, 8, 8)), "outputs": np.zeros((2, 1, 8, 9))}, "same grid"),
        (
            {"inputs": np.zeros((2, 1, 8, 8)), "outputs": np.full((2, 1, 8, 8), np.nan)},
            "NaN",
        ),
        (
            {
                "inputs": np.zeros((2, 1, 8, 8)),
                "outputs": np.zeros((2, 1, 8, 8)),
                "output_names": np.array(["p"]),
            },
            "the spec's fields",
        ),
        (
            {"inputs": np.zeros((2, 1, 8)), "outputs": np.zeros((2, 1, 8))},
            r"the spec darcy needs \(instances, channels, 2 grid axes\)",
        ),
        (
            {
                "inputs": np.zeros((2, 2, 8, 8)),
                "outputs": np.zeros((2, 1, 8, 8)),
                "input_names": np.array(["a"]),
            },
            "input_names has 1 entries for 2 input channels",
        ),
    ],
    ids=["missing", "no-channel", "count", "grid", "nan", "fields", "space", "names"],
)
def test_data_shape_errors_are_spec_errors_with_hints(tmp_path, darcy, arrays, message):
    path = write(tmp_path / "bad.npz", **arrays)
    with pytest.raises(OperatorDataError, match=message) as caught:
        load_operator_data(path, spec=darcy)
    assert isinstance(caught.value, pdec.SpecError)
    if message != "NaN":
        assert caught.value.hint


def test_a_missing_or_unreadable_file(tmp_path):
    with pytest.raises(OperatorDataError, match="no such data file"):
        load_operator_data(tmp_path / "nothing.npz")
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(OperatorDataError, match="cannot read"):
        load_operator_data(tmp_path / "text.npz")


def test_the_constructor_checks_too():
    with pytest.raises(OperatorDataError, match="grid points x"):
        OperatorData(
            inputs=np.zeros((1, 1, 4)),
            outputs=np.zeros((1, 1, 4)),
            input_names=("a",),
            output_names=("u",),
            space=("x",),
            coordinates=(np.zeros(5),),
            domain=((0.0, 1.0),),
            periodic=(False,),
        )


def test_bad_counts_are_invalid_values(darcy):
    with pytest.raises(pdec.InvalidValueError, match="res = 2"):
        generate_operator_data(darcy, n=1, res=2)


def test_pdec_data_writes_operator_data(tmp_path):
    out = tmp_path / "d.npz"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pdec.cli",
            "data",
            "specs/darcy.pde",
            "--n",
            "2",
            "--res",
            "9",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "inputs (2, 1, 9, 9) (a)" in result.stdout
    assert load_operator_data(out).inputs.shape == (2, 1, 9, 9)
    refused = subprocess.run(
        [sys.executable, "-m", "pdec.cli", "data", "specs/burgers.pde", "--res", "16"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert refused.returncode == 2 and "not periodic" in refused.stderr
