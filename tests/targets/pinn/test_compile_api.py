"""`pdec.compile(...)` returns a trainable class (the README's Python API)."""

from pathlib import Path

import numpy as np

import pdec

SPECS = Path(__file__).resolve().parents[3] / "specs"


def test_compile_fit_predict(tmp_path):
    Model = pdec.compile(SPECS / "poisson.pde", target="pinn", out_dir=tmp_path)
    model = Model(layers=(2, 16), seed=0)
    history = model.fit(steps=30, points=128, boundary_points=32, progress=False)
    records = history.to_dict()["records"]
    assert records[-1]["loss"] < records[0]["loss"]
    x = np.linspace(0, 1, 7)
    u = model.predict(x=x, y=x)["u"]
    assert isinstance(u, np.ndarray) and u.shape == (7,)


def test_constants_can_be_overridden(tmp_path):
    Model = pdec.compile(SPECS / "fault.pde", target="pinn", out_dir=tmp_path)
    assert Model(constants={"D": 2.0}).constants == {"s": 1.0, "D": 2.0}
