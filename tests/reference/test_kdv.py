"""KdV (specs/kdv.pde): u_t = ∂x δH/δu, H = ∫ −u³ − u_x²/2, i.e. u_t = −6 u u_x + u_xxx."""

import numpy as np
import pytest
import sympy

from pdec.passes.check_conservation import dynamics
from pdec.reference import discretize, generate
from pdec.reference.initial import KdvCoefficients, kdv_coefficients, soliton


def test_the_spec_is_recognised_as_kdv_with_its_own_signs(kdv_system):
    assert kdv_coefficients(kdv_system) == KdvCoefficients(a=-6.0, b=1.0)


def test_the_soliton_solves_the_spec_equation(kdv):
    """Plug u = A sech²(κ(x − x0 − vt)) into u_t − F[u] with the spec's own F: with
    α = −6 the solitons are troughs (A = −2κ² < 0) moving left (v = −4κ²)."""
    t, x = sympy.symbols("t x")
    u = kdv.ir.fields[0].function
    flux = dynamics(kdv.ir)[u]
    coefficients = KdvCoefficients(-6.0, 1.0)
    kappa = sympy.Rational(3, 4)
    A = sympy.nsimplify(coefficients.amplitude(float(kappa)))
    v = sympy.nsimplify(coefficients.velocity(float(kappa)))
    assert A == -2 * kappa**2 and v == -4 * kappa**2
    wave = A * sympy.sech(kappa * (x - 1 - v * t)) ** 2
    residual = sympy.diff(wave, t) - flux.subs(u, wave).doit()
    evaluate = sympy.lambdify((t, x), residual, modules="numpy")
    points = np.linspace(-4, 6, 41)
    assert np.max(np.abs(evaluate(0.3, points))) < 1e-12
    assert np.max(np.abs(wave.subs(t, 0).subs(x, 1))) > 1  # not trivially zero


def test_a_single_soliton_travels_at_its_speed(kdv, kdv_system):
    """κ = 1: amplitude −2, speed 4 to the left; after t = 1 it has moved 4 of the 10."""
    (x,) = kdv_system.grid.coordinates
    coefficients = kdv_coefficients(kdv_system)
    start = soliton(x, 0.0, 1.0, 7.0, coefficients, 10.0)
    data = generate(kdv, n=1, steps=100, dt=0.01, initial=start[None, None])
    exact = soliton(x, 1.0, 1.0, 7.0, coefficients, 10.0)
    assert np.argmin(exact) == np.argmin(start) - round(4 / (x[1] - x[0]))
    error = np.max(np.abs(data.u[0, -1, 0] - exact)) / np.max(np.abs(exact))
    assert error < 1e-6


def test_initial_states_are_two_colliding_troughs(kdv_data, kdv_system):
    (x,) = kdv_system.grid.coordinates
    for u0 in kdv_data.u[:, 0, 0]:
        assert u0.max() < 1e-3 < -u0.min()  # troughs
        minima = np.flatnonzero((u0 < np.roll(u0, 1)) & (u0 < np.roll(u0, -1)) & (u0 < -0.3))
        assert len(minima) == 2
        # the deeper (faster) trough starts to the right, upstream of the slower one
        deep, shallow = sorted(minima, key=lambda i: u0[i])
        gap = (x[deep] - x[shallow]) % 10.0
        assert 2.0 - 0.2 <= gap <= 5.0 + 0.2


def test_two_soliton_runs_conserve_mass_and_energy(kdv_data, kdv_system):
    mass = kdv_system.quantities["mass"](kdv_data.u)
    H = kdv_system.energy(kdv_data.u)
    assert np.max(np.abs(mass - mass[:, :1]) / np.abs(mass[:, :1])) < 1e-10
    assert np.max(np.abs(H - H[:, :1]) / np.abs(H[:, :1])) < 1e-6


def test_the_data_satisfy_the_discrete_equations(kdv, kdv_system):
    """(u_{n+1} − u_n)/Δt − F((u_n + u_{n+1})/2) = O(Δt²): the defect shrinks 4× when
    Δt halves (the data taken every other step, then every step). The defect is taken
    on the modes |n| < N/4, whose dispersion (ω = k³ < 1000) Δt samples finely: the
    data carry every mode of the grid, and at the shortest waves (ω ≈ 8000) the point
    samples' aliasing error (about 1e-4 of u, times k³) would outweigh Δt²."""
    data = generate(kdv, n=2, steps=100, dt=2.5e-4, seed=1)
    grid = kdv_system.grid
    low = np.abs(grid.mode_numbers[0]) < grid.shape[0] // 4

    def low_modes(values):
        return grid.ifft(grid.fft(values) * low)

    defects = []
    for stride in (2, 1):
        u = data.u[:, ::stride][:, :51]
        dt = data.dt * stride
        difference = (u[:, 1:] - u[:, :-1]) / dt
        midpoints = (u[:, 1:] + u[:, :-1]) / 2
        rhs = kdv_system.rhs(midpoints.reshape(-1, *u.shape[2:])).reshape(midpoints.shape)
        defect = low_modes(difference - rhs)
        defects.append(np.max(np.abs(defect)) / np.max(np.abs(low_modes(rhs))))
    assert defects[1] < 1e-4
    assert 3.5 < defects[0] / defects[1] < 4.5


def test_the_metadata_name_the_spec_and_the_integrator(kdv, kdv_data):
    assert kdv_data.spec_name == "kdv" and kdv_data.spec_sha256 == kdv.ir.sha256
    assert kdv_data.fields == ("u",) and kdv_data.space == ("x",)
    assert kdv_data.u.shape == (3, 301, 1, 64) and kdv_data.t.shape == (301,)
    assert np.allclose(kdv_data.x, np.arange(64) * 10 / 64)
    assert "ETDRK4" in kdv_data.integrator and kdv_data.initial == "solitons"


def test_the_same_seed_gives_the_same_data(kdv):
    first = generate(kdv, n=2, steps=2, dt=0.001, seed=5)
    again = generate(kdv, n=2, steps=2, dt=0.001, seed=5)
    other = generate(kdv, n=2, steps=2, dt=0.001, seed=6)
    assert np.array_equal(first.u, again.u) and not np.allclose(first.u, other.u)


def test_solitons_collide_with_the_exact_phase_shifts(kdv):
    """Troughs κ = 2 (speed 16) and κ = 1.5 (speed 9), 5 apart on the ring of length 10:
    the fast one overtakes the slow one and by t = 1 both are apart again, with their
    depths −2κ², the fast one shifted forward and the slow one back by the exact
    two-soliton phase shifts ln((κ₂ + κ₁)/(κ₂ − κ₁))/κ (1.30 and 0.97)."""
    system = discretize(kdv.ir, 128)
    (x,) = system.grid.coordinates
    coefficients = kdv_coefficients(system)
    slow, fast = 1.5, 2.0
    start = soliton(x, 0, slow, 2.5, coefficients, 10.0) + soliton(
        x, 0, fast, 7.5, coefficients, 10.0
    )
    data = generate(kdv, 1, 10, 0.1, grid=128, initial=start[None, None], tolerance=1e-6)
    # the band-limited end state between the grid points
    fine = np.linspace(0, 10, 4001)[:-1]
    k = 2 * np.pi * np.fft.fftfreq(128, 10 / 128)
    values = np.real(np.exp(1j * np.outer(fine, k)) @ np.fft.fft(data.u[0, -1, 0])) / 128
    minima = np.flatnonzero(
        (values < np.roll(values, 1)) & (values < np.roll(values, -1)) & (values < -1)
    )
    (at_fast, at_slow) = sorted(minima, key=lambda i: values[i])
    assert values[at_fast] == pytest.approx(-2 * fast**2, abs=1e-3)
    assert values[at_slow] == pytest.approx(-2 * slow**2, abs=1e-3)
    shift = np.log((fast + slow) / (fast - slow))
    assert fine[at_fast] == pytest.approx((7.5 - 16 - shift / fast) % 10, abs=2e-3)
    assert fine[at_slow] == pytest.approx((2.5 - 9 + shift / slow) % 10, abs=2e-3)
