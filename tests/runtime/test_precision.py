"""The ``precision`` training option: float64 weights, or float32 weights with cheaper
arithmetic (tf32, bf16 autocast) in the Adam steps only."""

import pytest
import torch

from pdec.runtime import OptionsError

FAST = {"points": 32, "boundary_points": 2, "progress": False}


def _recording(bar):
    class Recording(bar):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seen = []

        def residuals(self, batch):
            self.seen.append(
                (torch.is_autocast_enabled("cpu"), torch.backends.cuda.matmul.allow_tf32)
            )
            return super().residuals(batch)

    return Recording


def test_float64_precision_trains_float64_weights(bar):
    model = bar()
    model.fit(steps=2, precision="float64", **FAST)
    assert model.dtype == torch.float64


def test_precision_and_dtype_must_agree(bar):
    with pytest.raises(OptionsError, match="precision=bf16 trains float32 weights"):
        bar().fit(steps=1, precision="bf16", dtype="float64", **FAST)


def test_bf16_autocasts_the_adam_steps_only(bar):
    model = _recording(bar)()
    history = model.fit(steps=3, lbfgs_steps=1, precision="bf16", log_every=1, **FAST)
    adam, rest = model.seen[:3], model.seen[3:]
    assert all(autocast for autocast, _ in adam)
    assert rest and not any(autocast for autocast, _ in rest)  # L-BFGS, the final loss
    assert model.dtype == torch.float32 and history.final.loss < float("inf")
    assert not torch.is_autocast_enabled("cpu")


def test_tf32_is_set_for_the_steps_and_restored(bar):
    before = torch.backends.cuda.matmul.allow_tf32
    model = _recording(bar)()
    model.fit(steps=2, precision="tf32", **FAST)
    assert [tf32 for _, tf32 in model.seen[:2]] == [True, True]
    assert torch.backends.cuda.matmul.allow_tf32 == before
