"""Specs beyond the shipped ones: the discretisation is derived, not looked up by name."""

import numpy as np
import pytest

import pdec
from pdec.reference import discretize, generate

from .conftest import load

NONLINEAR_WAVE = """
model nonlinear_wave
const c = 1
region line = interval(x in [0, 1], periodic)
time t in [0, 1]
field q(t, x), p(t, x)
energy H = integral(p^2/2 + c^2/2*dx(q)^2 + q^4/4, x)
evolve dt(q, p) = [[0, 1], [-1, 0]] * delta(H, (q, p))
"""

HEAT_2D = """
model heat2
const nu = 0.05
region plate = box(x in [0, 1], y in [0, 2], periodic)
time t in [0, 1]
field u(t, x, y)
pde diffusion: dt(u) = nu*lap(u) in plate
"""


def test_coupled_nonlinear_fields_use_matrix_phi_functions():
    spec = pdec.loads(NONLINEAR_WAVE)
    system = discretize(spec.ir, 32)
    assert not system.diagonal and not system.is_linear
    data = generate(spec, n=2, steps=50, dt=0.01, grid=32, seed=0)
    assert "augmented matrix" in data.integrator
    H = system.energy(data.u)
    assert np.max(np.abs(H - H[:, :1]) / H[:, :1]) < 1e-7


def test_a_two_dimensional_heat_equation_decays_each_mode_exactly():
    spec = pdec.loads(HEAT_2D)
    system = discretize(spec.ir, (8, 12))
    x, y = system.grid.mesh
    mode = np.cos(2 * np.pi * x) * np.sin(np.pi * y)
    data = generate(spec, n=1, steps=5, dt=0.1, grid=(8, 12), initial=mode[None, None])
    rate = 0.05 * (4 * np.pi**2 + np.pi**2)
    expected = mode * np.exp(-rate * data.t)[:, None, None]
    assert data.u.shape == (1, 6, 1, 8, 12) and data.space == ("x", "y")
    assert np.allclose(data.u[0, :, 0], expected, atol=1e-13)


def test_allen_cahn_gradient_flow_decreases_its_energy():
    spec = load("allen_cahn")
    data = generate(spec, n=2, steps=40, dt=2e-3, seed=1)
    H = discretize(spec.ir).energy(data.u)
    assert np.all(np.diff(H, axis=1) <= 1e-14)
    assert data.initial == "phase separation"


def test_the_right_hand_side_matches_the_expanded_dynamics():
    """The split L u + G n(u) equals the spec's F = −6 u u_x + u_xxx on a resolved state."""
    spec = load("kdv")
    system = discretize(spec.ir, 64)
    (x,) = system.grid.coordinates
    w = 2 * np.pi / 10
    u = np.sin(w * x) + 0.5 * np.cos(3 * w * x)
    u_x = w * np.cos(w * x) - 1.5 * w * np.sin(3 * w * x)
    u_xxx = -(w**3) * np.cos(w * x) + 13.5 * w**3 * np.sin(3 * w * x)
    expected = -6 * u * u_x + u_xxx
    assert np.allclose(system.rhs(u[None, None])[0, 0], expected, atol=1e-11)


@pytest.mark.parametrize("grid", [(64, 64), 3, "64", 64.5])
def test_bad_grids_are_refused(grid):
    with pytest.raises(pdec.InvalidValueError, match="grid="):
        discretize(load("kdv").ir, grid)


def test_forcing_in_space_and_time():
    """u_t = ν u_xx + sin(2πx) + cos t from 0: u = (1 − e^{−4π²νt})/(4π²ν) sin(2πx) + sin t."""
    spec = pdec.loads(
        """
model forced
const nu = 0.1
region ring = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
pde forced: dt(u) = nu*dx(dx(u)) + sin(2*pi*x) + cos(t) in ring
"""
    )
    data = generate(spec, n=1, steps=10, dt=0.1, grid=16, initial=np.zeros((1, 1, 16)))
    rate = 4 * np.pi**2 * 0.1
    t, x = data.t[:, None], data.x
    exact = (1 - np.exp(-rate * t)) / rate * np.sin(2 * np.pi * x) + np.sin(t)
    assert np.allclose(data.u[0, :, 0], exact, atol=1e-9)
