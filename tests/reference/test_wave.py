"""The linear wave equation (specs/wave.pde), q_t = p, p_t = c² q_xx: exact steps."""

import numpy as np
import pytest

from pdec.reference import discretize, generate

from .conftest import load


@pytest.fixture(scope="module")
def wave():
    return load("wave")


def test_a_standing_wave_is_reproduced_exactly(wave):
    system = discretize(wave.ir, 32)
    (x,) = system.grid.coordinates
    start = np.stack([np.sin(2 * np.pi * x), np.zeros_like(x)])[None]
    data = generate(wave, n=1, steps=40, dt=0.0625, grid=32, initial=start)
    t = data.t[:, None]
    assert np.allclose(data.u[0, :, 0], np.sin(2 * np.pi * x) * np.cos(2 * np.pi * t), atol=1e-12)
    assert np.allclose(
        data.u[0, :, 1], -2 * np.pi * np.sin(2 * np.pi * x) * np.sin(2 * np.pi * t), atol=1e-11
    )
    assert "exact exponential" in data.integrator


def test_energy_and_momentum_are_conserved(wave):
    data = generate(wave, n=4, steps=100, dt=0.01, seed=4)
    system = discretize(wave.ir)
    H = system.energy(data.u)
    momentum = system.quantities["momentum"](data.u)
    assert np.max(np.abs(H - H[:, :1]) / H[:, :1]) < 1e-12
    assert np.max(np.abs(momentum - momentum[:, :1])) < 1e-12 * np.max(H)
    assert data.initial == "smooth random" and data.u.shape == (4, 101, 2, 64)
    assert np.allclose(np.sqrt(np.mean(data.u[:, 0] ** 2, axis=-1)), 1)
