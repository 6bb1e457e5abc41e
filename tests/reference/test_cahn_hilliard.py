"""Cahn–Hilliard (specs/cahn_hilliard.pde): u_t = ∂x²(u³ − u − γ u_xx), γ = 5e-4."""

import numpy as np

from pdec.reference import discretize, generate
from pdec.reference.initial import phase_separation

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


def test_the_data_carry_every_mode_of_the_grid_as_drawn(cahn_hilliard_data):
    """The first snapshot is the drawn noise itself, every mode of the grid in it: the
    dealiased solver runs on a grid twice as fine, whose kept modes |n| < 2N/3 hold all
    of the output grid's, so nothing above N/3 is projected away (a grid energy learned
    from these data sees its shortest waves)."""
    system = discretize(load("cahn_hilliard").ir)
    drawn = phase_separation(system, np.random.default_rng(2), 2)
    assert np.array_equal(cahn_hilliard_data.u[:, 0], drawn)
    spectrum = np.abs(np.fft.rfft(cahn_hilliard_data.u[:, 0, 0], axis=-1)).mean(axis=0)
    short, long = spectrum[22:].mean(), spectrum[1:21].mean()  # |n| > N/3 and below
    assert short > 0.5 * long


def test_the_data_are_the_converged_solution_at_the_grid_points(cahn_hilliard_data):
    """The early, fastest phase (noise decaying at rates up to γk⁴ ≈ 8·10⁵) agrees with a
    solve on a grid twice as fine, from the same initial function (the trigonometric
    interpolant of the drawn noise), sampled at the data's points."""
    spec = load("cahn_hilliard")
    coarse = discretize(spec.ir).grid
    start = cahn_hilliard_data.u[:, 0]
    finer = generate(
        spec, n=2, steps=20, dt=1e-4, grid=128, initial=coarse.interpolate(start, coarse.refined(2))
    )
    u = cahn_hilliard_data.u[:, :21]
    error = np.sqrt(np.sum((u - finer.u[..., ::2]) ** 2, axis=-1) / np.sum(u**2, axis=-1))
    assert np.max(error) < 1e-7


def test_the_data_satisfy_the_discrete_equations(cahn_hilliard_data):
    """The defect (u_{n+1} − u_n)/Δt − F(midpoint) is O(Δt²), on the modes |n| < N/4.
    The diffusive modes decay at rates up to γk⁴, so Δt must be small for the
    asymptotic regime: the test restarts from a separating state (t = 0.01, settled for
    1e-4 on 128 points) with Δt = 2e-5. On 128 points, not the data's 64: there the
    interfaces (width ≈ 0.03) are resolved only to about 1e-4, and the point samples'
    aliasing, not Δt, would set the defect."""
    spec = load("cahn_hilliard")
    system = discretize(spec.ir, 128)
    coarse = discretize(spec.ir).grid
    start = coarse.interpolate(cahn_hilliard_data.u[:, 100], system.grid)
    settled = generate(spec, n=2, steps=1, dt=1e-4, grid=128, initial=start).u[:, -1]
    data = generate(spec, n=2, steps=4, dt=2e-5, grid=128, initial=settled)
    low = np.abs(system.grid.mode_numbers[0]) < 32

    def low_modes(values):
        return system.grid.ifft(system.grid.fft(values) * low)

    defects = []
    for stride in (2, 1):
        u = data.u[:, ::stride][:, :3]
        dt = data.dt * stride
        difference = (u[:, 1:] - u[:, :-1]) / dt
        midpoints = (u[:, 1:] + u[:, :-1]) / 2
        rhs = system.rhs(midpoints.reshape(-1, *u.shape[2:])).reshape(midpoints.shape)
        defect = low_modes(difference - rhs)
        defects.append(np.max(np.abs(defect)) / np.max(np.abs(low_modes(rhs))))
    assert defects[1] < 2e-4
    assert 3.6 < defects[0] / defects[1] < 4.2
