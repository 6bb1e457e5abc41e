"""The resolver's own checks that no other test file covers."""

import pytest

import pdec

HEAT = """model heat
time t in [0, 1]
region D = interval(x in [0, 1])
field u(t, x)
pde: dt(u) = lap(u)
"""


@pytest.mark.parametrize("value", ["1e999", "-1e999"])
def test_non_finite_training_hint_is_located(value):
    """A float overflowing to inf would be written into the generated module as `inf`."""
    with pytest.raises(pdec.InvalidValueError, match="not a finite number") as caught:
        pdec.loads(HEAT + f"train: steps = 10, lr = {value}\n", "heat.pde")
    assert (caught.value.line, caught.value.column) == (6, 20)


def test_finite_training_hints_pass():
    spec = pdec.loads(HEAT + "train: lr = 1e-3, steps = 10\n", "heat.pde")
    assert dict(spec.ir.train) == {"lr": 0.001, "steps": 10}
