"""The NPZ format: round trips, user data, and clear errors for files that do not fit."""

import numpy as np
import pytest

import pdec
from pdec.reference import DataError, DataWarning, Trajectories, load_trajectories

from .conftest import SPECS, load


def small(**changes) -> Trajectories:
    values = dict(
        u=np.zeros((2, 4, 1, 8)),
        t=np.arange(4) * 0.5,
        dt=0.5,
        fields=("u",),
        space=("x",),
        coordinates=(np.arange(8) * 10 / 8,),
        domain=((0.0, 10.0),),
        spec_name="kdv",
        spec_sha256=load("kdv").ir.sha256,
    )
    values.update(changes)
    return Trajectories(**values)


def test_round_trip_keeps_arrays_and_metadata(kdv_data, tmp_path):
    path = kdv_data.save(tmp_path / "kdv.npz")
    back = load_trajectories(path, spec=load("kdv"))
    assert np.array_equal(back.u, kdv_data.u) and np.array_equal(back.t, kdv_data.t)
    assert np.array_equal(back.x, kdv_data.x)
    for name in ("dt", "fields", "space", "domain", "spec_name", "spec_sha256", "integrator"):
        assert getattr(back, name) == getattr(kdv_data, name), name
    assert back.seed == 1 and back.initial == "solitons" and back.pdec_version == pdec.__version__
    with np.load(path, allow_pickle=False) as archive:  # plain arrays, no pickles
        assert {"u", "t", "x", "dt", "fields", "spec_sha256", "pdec_version"} <= set(archive)


def test_the_path_is_used_as_given_and_written_atomically(tmp_path):
    path = small().save(tmp_path / "nested" / "data.bin")
    assert path.is_file() and [p.name for p in path.parent.iterdir()] == ["data.bin"]


def test_user_data_need_only_u_and_t(tmp_path):
    path = tmp_path / "mine.npz"
    np.savez(path, u=np.ones((3, 5, 2, 16)), t=np.linspace(0, 1, 5))
    data = load_trajectories(path, spec=load("wave"))
    assert data.fields == ("q", "p") and data.space == ("x",)
    assert np.allclose(data.x, np.arange(16) / 16) and data.dt == 0.25


def test_a_spec_path_is_accepted(tmp_path):
    path = small().save(tmp_path / "a.npz")
    assert load_trajectories(path, spec=SPECS / "kdv.pde").fields == ("u",)


def save_raw(tmp_path, **arrays):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"t": np.arange(3.0)}, "has no array 'u'"),
        ({"u": np.zeros((2, 3))}, r"u has shape \(2, 3\), but needs at least 3 axes"),
        ({"u": np.zeros((2, 3, 1))}, "neither t nor dt"),
        ({"u": np.zeros((2, 3, 1, 8)), "t": np.arange(3.0)}, "neither grid points 'x' nor a"),
        (
            {"u": np.zeros((2, 3, 1, 8)), "t": np.arange(4.0), "x": np.arange(8.0)},
            r"t has shape \(4,\), but u's time axis \(axis 1\) has 3 entries",
        ),
        (
            {"u": np.zeros((2, 3, 1, 8)), "t": np.array([0, 1, 3.0]), "x": np.arange(8.0)},
            r"t is not equispaced with step dt = 1: t\[2\] − t\[1\] = 2",
        ),
        (
            {"u": np.full((2, 3, 1, 8), np.nan), "t": np.arange(3.0), "x": np.arange(8.0)},
            "NaN or infinite values",
        ),
        (
            {"u": np.zeros((2, 3, 1, 8)), "t": np.arange(3.0), "x": np.arange(6.0)},
            r"x has shape \(6,\), but u's grid axis 3 \(x\) has 8 points",
        ),
        (
            {
                "u": np.zeros((2, 3, 1, 8)),
                "t": np.arange(3.0),
                "x": np.arange(8.0),
                "fields": np.array(["a", "b"]),
            },
            r"u has 1 entries on its field axis \(axis 2\), but 2 field names",
        ),
    ],
)
def test_inconsistent_files_say_which_array_and_axis(tmp_path, arrays, message):
    with pytest.raises(DataError, match=message):
        load_trajectories(save_raw(tmp_path, **arrays))


def test_fields_that_do_not_match_the_spec(tmp_path):
    path = save_raw(tmp_path, u=np.zeros((2, 3, 3, 16)), t=np.arange(3.0))
    with pytest.raises(DataError, match="u has 3 fields on axis 2 but the spec wave declares q, p"):
        load_trajectories(path, spec=load("wave"))
    swapped = small(fields=("p", "q"), u=np.zeros((2, 4, 2, 8)), spec_sha256="")
    with pytest.raises(
        DataError, match="the data's fields are p, q, but the spec wave declares q, p"
    ):
        swapped.check(load("wave"))
    three = small(fields=("q", "p", "r"), u=np.zeros((2, 4, 3, 8)), spec_sha256="")
    with pytest.raises(DataError, match=r"u has 3 fields \(q, p, r\) on axis 2, but .* q, p"):
        three.check(load("wave"))


def test_grid_dimensionality_and_domain_are_checked(tmp_path):
    on_a_grid = small(fields=("q", "p"), u=np.zeros((2, 4, 2, 8)), spec_sha256="")
    with pytest.raises(DataError, match=r"u has 1 grid axis \(x\), but it is an ODE system"):
        on_a_grid.check(load("pendulum_frictionless"))
    path = save_raw(tmp_path, u=np.zeros((2, 3, 2)), t=np.arange(3.0))
    with pytest.raises(DataError, match="u has no grid axes .* the fields depend on x") as caught:
        load_trajectories(path, spec=load("wave"))
    assert "(trajectories, steps + 1, 2, N_x)" in caught.value.hint
    shifted = small(domain=((0.0, 1.0),), coordinates=(np.arange(8) / 8,))
    with pytest.raises(DataError, match=r"x spans \[0, 1\], but the spec kdv has x in \[0, 10\]"):
        shifted.check(load("kdv"))
    with pytest.raises(DataError, match="not the periodic grid"):
        small(coordinates=(np.linspace(0, 10, 8),))


def test_another_version_of_the_spec_warns_or_fails_when_strict(tmp_path):
    path = small(spec_sha256="0" * 64).save(tmp_path / "old.npz")
    with pytest.warns(DataWarning, match="the spec changed since"):
        load_trajectories(path, spec=load("kdv"))
    with pytest.raises(DataError, match="the spec changed since") as caught:
        load_trajectories(path, spec=load("kdv"), strict=True)
    assert "pdec data" in caught.value.hint


def test_unreadable_files(tmp_path):
    with pytest.raises(DataError, match="no such data file"):
        load_trajectories(tmp_path / "missing.npz")
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(DataError, match="cannot read .* as NPZ"):
        load_trajectories(tmp_path / "text.npz")
    pickled = tmp_path / "objects.npz"
    np.savez(pickled, u=np.array([{"a": 1}], dtype=object))
    with pytest.raises(DataError, match="cannot read"):
        load_trajectories(pickled)


def test_errors_are_spec_errors_with_hints(tmp_path):
    path = save_raw(tmp_path, u=np.zeros((2, 3)))
    with pytest.raises(pdec.SpecError) as caught:
        load_trajectories(path)
    assert caught.value.hint and "error:" in str(caught.value)
