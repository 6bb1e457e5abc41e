"""Cahn–Hilliard (specs/cahn_hilliard.pde): u_t = ∂x²(u³ − u − γ u_xx), γ = 5e-4."""

import numpy as np

from pdec.reference import discretize, generate

from .conftest import load


def test_energy_never_increases_and_mass_is_conserved(cahn_hilliard_data):
    system = discretize(load("cahn_hilliard").ir)
    H = system.energy(cahn_hilliard_data.u)
    mass = system.quantities["mass"](cahn_hilliard_data.u)
    assert np.all(np.diff(H, axis=1) <= 1e-14)
    assert np.all(H[:, -1] < H[:, 0] - 0.02)  # and it does decrease
    assert np.max(np.abs(mass - mass[:, :1])) < 1e-13


def test_small_noise_separates_into_phases(cahn_hilliard_data):
    start, end = cahn_hilliard_data.u[:, 0, 0], cahn_hilliard_data.u[:, -1, 0]
    assert np.max(np.abs(start - start.mean(axis=-1, keepdims=True))) < 0.06
    assert np.all(np.abs(start.mean(axis=-1)) <= 0.1)
    assert np.all(np.max(np.abs(end), axis=-1) > 0.85)
    assert cahn_hilliard_data.initial == "phase separation"


def test_the_data_satisfy_the_discrete_equations(cahn_hilliard_data):
    """The defect (u_{n+1} − u_n)/Δt − F(midpoint) is O(Δt²). The diffusive modes decay
    at rates up to γk⁴ ≈ 10⁵, so Δt must be small for the asymptotic regime: the test
    restarts from a separating state (t = 0.01) with Δt = 2e-5."""
    system = discretize(load("cahn_hilliard").ir)
    start = cahn_hilliard_data.u[:, 100]
    data = generate(load("cahn_hilliard"), n=2, steps=4, dt=2e-5, initial=start)
    defects = []
    for stride in (2, 1):
        u = data.u[:, ::stride][:, :3]
        dt = data.dt * stride
        difference = (u[:, 1:] - u[:, :-1]) / dt
        midpoints = (u[:, 1:] + u[:, :-1]) / 2
        rhs = system.rhs(midpoints.reshape(-1, *u.shape[2:])).reshape(midpoints.shape)
        defects.append(np.max(np.abs(difference - rhs)) / np.max(np.abs(rhs)))
    assert defects[1] < 1e-3
    assert 3.8 < defects[0] / defects[1] < 4.2
