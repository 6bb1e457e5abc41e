"""What cannot be integrated says why, as a pdec.SpecError with a hint."""

import numpy as np
import pytest

import pdec
from pdec.reference import generate

from .conftest import load


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("learned_energy", "the energy H is learned"),
        ("burgers", "not periodic in x"),
        ("darcy", "the input a"),
        ("poisson", "no time-dependent fields"),
    ],
)
def test_specs_that_cannot_be_integrated(name, message):
    with pytest.raises(pdec.UnsupportedError, match=message):
        generate(load(name), n=1, steps=1, dt=0.1)


def test_an_unknown_parameter_needs_a_value():
    spec = pdec.loads(
        """
model drift
param k unknown
region ring = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
pde transport: dt(u) = k*dx(u) + u^2 in ring
"""
    )
    with pytest.raises(pdec.UnsupportedError, match="k has no value") as caught:
        generate(spec, n=1, steps=1, dt=0.1)
    assert "param k = 1" in caught.value.hint


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n": 0}, "n = 0: the number of trajectories"),
        ({"steps": 2.5}, "steps = 2.5: the number of steps"),
        ({"dt": -0.1}, "dt = -0.1: the time step"),
        ({"dt": float("nan")}, "dt = nan"),
        ({"grid": 32}, "is an ODE system with no space"),
        ({"initial": np.zeros((1, 2))}, r"initial has shape \(1, 2\), expected \(2, 2\)"),
    ],
)
def test_bad_arguments(arguments, message):
    values = {"n": 2, "steps": 3, "dt": 0.1, **arguments}
    with pytest.raises(pdec.InvalidValueError, match=message):
        generate(load("pendulum"), **values)


def test_a_blow_up_is_an_integration_error():
    spec = pdec.loads(
        """
model explode
region ring = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
pde growth: dt(u) = u^2 in ring
"""
    )
    start = np.ones((1, 1, 8))
    with pytest.raises(pdec.SpecError, match="did not reach the tolerance"):
        generate(spec, n=1, steps=4, dt=0.5, grid=8, initial=start)


def test_an_ode_blow_up_is_an_integration_error():
    spec = pdec.loads("model explode\ntime t in [0, 2]\nfield q(t)\npde growth: dt(q) = q^2\n")
    with pytest.raises(pdec.SpecError, match="solve_ivp stopped at t = 1"):
        generate(spec, n=1, steps=4, dt=0.5, initial=np.ones((1, 1)))
