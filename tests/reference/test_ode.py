"""ODE systems: the pendulum with and without friction, integrated by DOP853."""

import numpy as np
import pytest

from pdec.reference import OdeSystem, discretize, generate

from .conftest import load


@pytest.fixture(scope="module")
def frictionless():
    spec = load("pendulum_frictionless")
    return spec, discretize(spec.ir), generate(spec, n=8, steps=200, dt=0.05, seed=3)


@pytest.fixture(scope="module")
def damped():
    spec = load("pendulum")
    return spec, discretize(spec.ir), generate(spec, n=8, steps=200, dt=0.05, seed=3)


def test_the_right_hand_side_is_g_grad_h():
    system = discretize(load("pendulum").ir)
    assert isinstance(system, OdeSystem)
    state = np.array([[0.3, -1.2]])
    q, p = state[0]
    assert np.allclose(system.rhs(state), [[p, -9.8 * np.sin(q) - 0.1 * p]])


def test_initial_states_lie_below_the_separatrix(frictionless):
    _, system, data = frictionless
    H0 = system.energy(data.u[:, 0])
    # the separatrix is H = g/l = 9.8; states are kept below −9.8 + 0.9·19.6
    assert np.all(H0 < -9.8 + 0.9 * 19.6) and np.all(np.abs(data.u[:, 0]) <= np.pi)
    assert data.initial == "below the separatrix"
    assert len(np.unique(np.round(H0, 6))) == 8  # all different


def test_energy_is_conserved_without_friction(frictionless):
    _, system, data = frictionless
    H = system.energy(data.u)
    assert np.max(np.abs(H - H[:, :1])) < 1e-8 * 9.8


def test_energy_decreases_with_friction(damped):
    _, system, data = damped
    H = system.energy(data.u)
    assert np.all(np.diff(H, axis=1) < 0)
    # dH/dt = −c p²: the loss over the run matches ∫ c p² dt (trapezoidal rule)
    p = data.u[:, :, 1]
    loss = 0.1 * np.sum((p[:, 1:] ** 2 + p[:, :-1] ** 2) / 2, axis=1) * data.dt
    assert np.allclose(H[:, 0] - H[:, -1], loss, rtol=1e-2)


def test_the_data_satisfy_the_discrete_equations(damped):
    _, system, data = damped
    defects = []
    for stride in (2, 1):
        u = data.u[:, ::stride][:, :41]
        dt = data.dt * stride
        difference = (u[:, 1:] - u[:, :-1]) / dt
        rhs = system.rhs((u[:, 1:] + u[:, :-1]) / 2)
        defects.append(np.max(np.abs(difference - rhs)) / np.max(np.abs(rhs)))
    assert defects[1] < 1e-2
    assert 3.5 < defects[0] / defects[1] < 4.5


def test_ode_metadata(damped):
    spec, _, data = damped
    assert data.u.shape == (8, 201, 2) and data.fields == ("q", "p")
    assert data.space == () and data.grid == ()
    assert data.spec_sha256 == spec.ir.sha256 and "DOP853" in data.integrator
