import numpy as np
import pytest
import torch

from pdec.runtime import CheckpointError


def test_predict_keeps_shapes_and_round_trips_numpy(ring):
    model = ring(dtype="float64")
    x, y = np.meshgrid(np.linspace(-1, 1, 7), np.linspace(-1, 1, 5))
    fields = model.predict(x=x, y=y)
    assert set(fields) == {"q", "p"}
    assert isinstance(fields["q"], np.ndarray) and fields["q"].shape == (5, 7)
    assert fields["q"].dtype == np.float64
    # one point at a time gives the same values
    assert np.allclose(model.predict(x=x[2, 3], y=y[2, 3])["q"], fields["q"][2, 3])
    assert model.predict(x=0.5, y=0.5)["p"].shape == ()


def test_predict_with_tensors_returns_tensors_without_grad(bar):
    model = bar()
    x = torch.linspace(0, 1, 12).reshape(3, 4)
    u = model.predict(x=x)["u"]
    assert isinstance(u, torch.Tensor) and u.shape == (3, 4) and not u.requires_grad
    listed = model.predict(x=[0.0, 0.5])["u"]
    assert isinstance(listed, np.ndarray) and listed.shape == (2,)


def test_predict_broadcasts_and_batches(ring, monkeypatch):
    monkeypatch.setattr("pdec.runtime.model.PREDICT_BATCH", 10)
    model = ring(dtype="float64")
    x = np.linspace(-1, 1, 33)
    batched = model.predict(x=x[:, None], y=np.linspace(-1, 1, 3)[None, :])
    assert batched["q"].shape == (33, 3)
    monkeypatch.setattr("pdec.runtime.model.PREDICT_BATCH", 1000)
    whole = model.predict(x=x[:, None], y=np.linspace(-1, 1, 3)[None, :])
    assert np.allclose(batched["q"], whole["q"], rtol=0, atol=1e-14)


def test_predict_names_missing_and_unknown_coordinates(ring):
    with pytest.raises(ValueError, match="missing y; unknown z"):
        ring().predict(x=[1.0], z=[2.0])


def test_evaluate_against_a_reference(bar):
    class Doubled(bar):
        # the reference is twice the network: relative error exactly 1/2
        reference = {"u": lambda coords: 2 * Doubled.current.predict(x=coords["x"])["u"]}

    Doubled.current = Doubled(dtype="float64")
    errors = Doubled.current.evaluate(n=500)
    assert set(errors) == {"u"} and errors["u"] == pytest.approx(0.5, abs=1e-12)
    assert Doubled.current.evaluate(n=500) == errors  # same seed, same points


def test_evaluate_needs_a_reference(ring):
    with pytest.raises(ValueError, match="no reference"):
        ring().evaluate()


def test_save_and_load_round_trip(bar, tmp_path):
    model = bar(layers=(3, 7), activation="silu", seed=4, dtype="float64")
    path = tmp_path / "bar.pt"
    model.save(path)
    loaded = bar.load(path)
    assert loaded.config["layers"] == (3, 7) and loaded.dtype == torch.float64
    x = np.linspace(0, 1, 9)
    assert np.array_equal(model.predict(x=x)["u"], loaded.predict(x=x)["u"])


def test_load_refuses_another_spec(bar, ring, tmp_path):
    path = tmp_path / "bar.pt"
    bar().save(path)

    class Changed(bar):
        spec_sha256 = "f" * 64

    with pytest.raises(CheckpointError, match="strict=False"):
        Changed.load(path)
    assert isinstance(Changed.load(path, strict=False), Changed)
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="is not a readable pdec checkpoint"):
        bar.load(tmp_path / "junk.pt")
