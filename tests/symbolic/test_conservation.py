"""Conserved, dissipated or not: the acceptance cases of pdec's energy checks."""

from __future__ import annotations

import doctest
import math

import pytest
import scipy.integrate
import sympy
from sympy import Derivative, Float, Function, Rational, cos, sin

from pdec.errors import UnsupportedError
from pdec.symbolic import conservation
from pdec.symbolic.conservation import check_quantity
from pdec.symbolic.variational import variational_derivative
from pdec.symbolic.witness import find_witness

t, x, y = sympy.symbols("t x y")
u = Function("u")(t, x)


def dx(f, n=1):
    return Derivative(f, (x, n))


def gradient_flow(density, operator):
    """u_t = operator(δH/δu), with the derivatives carried out, as the lead builds it."""
    return sympy.expand(operator(variational_derivative(density, u, [x])).doit())


# --- KdV: u_t = ∂x δH/δu -------------------------------------------------------------

KDV_H = -6 * u**3 / 6 - dx(u) ** 2 / 2  # alpha = −6, beta = 1
KDV = {u: gradient_flow(KDV_H, lambda w: Derivative(w, x))}
KDV_BOX = {x: (0, 10)}


def test_kdv_energy_conserved():
    verdict = check_quantity(KDV_H, [u], KDV, [x], KDV_BOX)
    assert verdict.verdict == "conserved"
    assert "total derivative" in verdict.reason
    assert verdict.witness is None


def test_kdv_mass_conserved():
    verdict = check_quantity(u, [u], KDV, [x], KDV_BOX)
    assert verdict.verdict == "conserved"
    assert verdict.rate == sympy.expand(KDV[u])


def test_kdv_with_unevaluated_constants():
    alpha, beta = sympy.symbols("alpha beta")
    density = alpha / 6 * u**3 - beta / 2 * dx(u) ** 2
    flux = {u: gradient_flow(density, lambda w: Derivative(w, x))}
    assert check_quantity(density, [u], flux, [x], KDV_BOX).verdict == "conserved"


# --- Cahn–Hilliard and Allen–Cahn ----------------------------------------------------


def phase_field_energy(gamma):
    return (u**2 - 1) ** 2 / 4 + gamma / 2 * dx(u) ** 2


GAMMAS = [Rational(5, 10000), Float(0.0005)]


@pytest.mark.parametrize("gamma", GAMMAS, ids=["rational", "float"])
def test_cahn_hilliard(gamma):
    energy = phase_field_energy(gamma)
    flux = {u: gradient_flow(energy, lambda w: Derivative(w, (x, 2)))}
    verdict = check_quantity(energy, [u], flux, [x], {x: (0, 1)})
    assert verdict.verdict == "dissipated"
    assert "G = ∂x²" in verdict.reason and "u_xx/2000" in verdict.reason
    assert check_quantity(u, [u], flux, [x], {x: (0, 1)}).verdict == "conserved"


@pytest.mark.parametrize("gamma", GAMMAS, ids=["rational", "float"])
def test_allen_cahn(gamma):
    energy = phase_field_energy(gamma)
    flux = {u: gradient_flow(energy, lambda w: -w)}
    assert check_quantity(energy, [u], flux, [x], {x: (0, 1)}).verdict == "dissipated"
    mass = check_quantity(u, [u], flux, [x], {x: (0, 1)})
    assert mass.verdict == "not conserved"
    assert set(mass.witness) == {"u", "dQ/dt"}
    assert abs(mass.witness["dQ/dt"]) > 1e-3


# --- heat and anti-diffusion ---------------------------------------------------------

HEAT = {u: dx(u, 2) / 10}


def test_heat_mass_conserved():
    assert check_quantity(u, [u], HEAT, [x], {x: (0, 1)}).verdict == "conserved"


def test_heat_square_dissipated():
    verdict = check_quantity(u**2 / 2, [u], HEAT, [x], {x: (0, 1)})
    assert verdict.verdict == "dissipated"
    assert "1/10*∂x²" in verdict.reason


def test_anti_diffusion_square_not_conserved():
    # u_t = −u_xx: ∫ u² grows, d/dt ∫u² = 2∫u_x² > 0.
    verdict = check_quantity(u**2, [u], {u: -dx(u, 2)}, [x], {x: (0, 1)})
    assert verdict.verdict == "not conserved"
    assert verdict.witness["dQ/dt"] > 0
    assert verdict.witness["u"] == "0.3 + 0.5*sin(2*pi*x) + 0.2*cos(4*pi*x + 1)"


def test_heat_in_two_dimensions():
    v = Function("u")(t, x, y)
    flux = {v: Derivative(v, (x, 2)) + Derivative(v, (y, 2))}
    box = {x: (0, 1), y: (0, 2)}
    assert check_quantity(v, [v], flux, [x, y], box).verdict == "conserved"
    assert check_quantity(v**2 / 2, [v], flux, [x, y], box).verdict == "dissipated"
    anti = {v: -flux[v]}
    assert check_quantity(v**2 / 2, [v], anti, [x, y], box).verdict == "not conserved"


# --- pendulum (ODE) ------------------------------------------------------------------

q, p = Function("q")(t), Function("p")(t)
G_OVER_L = Rational(49, 5)
PENDULUM_H = p**2 / 2 - G_OVER_L * cos(q)


def test_pendulum_energy_conserved():
    flux = {q: p, p: -G_OVER_L * sin(q)}
    verdict = check_quantity(PENDULUM_H, [q, p], flux, [], {})
    assert verdict.verdict == "conserved"
    assert verdict.rate == 0


def test_pendulum_with_friction_dissipated():
    flux = {q: p, p: -G_OVER_L * sin(q) - p / 10}
    verdict = check_quantity(PENDULUM_H, [q, p], flux, [], {})
    assert verdict.verdict == "dissipated"
    assert "[[0, 1], [-1, -1/10]]" in verdict.reason
    assert verdict.rate == -(p**2) / 10


def test_pendulum_with_negative_friction_not_conserved():
    flux = {q: p, p: -G_OVER_L * sin(q) + p / 10}
    verdict = check_quantity(PENDULUM_H, [q, p], flux, [], {})
    assert verdict.verdict == "not conserved"
    assert verdict.witness == {"q": "0.3", "p": "-0.7", "dQ/dt": pytest.approx(0.049)}


# --- wave equation, two fields ------------------------------------------------------

Q, P = Function("q")(t, x), Function("p")(t, x)
WAVE = {Q: P, P: dx(Q, 2)}  # c = 1


def test_wave_energy_conserved():
    energy = P**2 / 2 + dx(Q) ** 2 / 2
    assert check_quantity(energy, [Q, P], WAVE, [x], {x: (0, 1)}).verdict == "conserved"


def test_wave_momentum_conserved():
    assert check_quantity(P * dx(Q), [Q, P], WAVE, [x], {x: (0, 1)}).verdict == "conserved"


def test_wave_in_hamiltonian_form_found_by_the_ansatz():
    # ∫ p²/2 + q²/2 with q_t = p_x, p_t = q_x: G = [[0, ∂x], [∂x, 0]] is skew.
    flux = {Q: dx(P), P: dx(Q)}
    verdict = check_quantity(P**2 / 2 + Q**2 / 2, [Q, P], flux, [x], {x: (0, 1)})
    assert verdict.verdict == "conserved"


# --- Burgers -------------------------------------------------------------------------


def test_inviscid_burgers_square_conserved():
    verdict = check_quantity(u**2, [u], {u: -u * dx(u)}, [x], {x: (0, 1)})
    assert verdict.verdict == "conserved"
    assert verdict.rate == -2 * u**2 * dx(u)


def test_viscous_burgers_square_not_shown_by_operator_but_decreasing():
    # u_t = −u u_x + u_xx/10: the ansatz finds no G, the witness shows a nonzero rate.
    verdict = check_quantity(u**2 / 2, [u], {u: -u * dx(u) + dx(u, 2) / 10}, [x], {x: (0, 1)})
    assert verdict.verdict == "not conserved"
    assert verdict.witness["dQ/dt"] < 0


# --- other outcomes ------------------------------------------------------------------


def test_constant_forcing_is_not_conserved_for_every_state():
    verdict = check_quantity(u, [u], {u: dx(u, 2) + 1}, [x], {x: (0, 2)})
    assert verdict.verdict == "not conserved"
    assert verdict.witness["dQ/dt"] == 2.0


def test_explicit_x_dependence_is_not_taken_for_a_periodic_divergence():
    # ∫ (x u)_x dx = [x u] ≠ 0 on a periodic box, though the Euler operator vanishes.
    verdict = check_quantity(x * u, [u], {u: dx(u)}, [x], {x: (0, 1)})
    assert verdict.verdict == "not conserved"


def test_not_shown_when_nothing_applies():
    c = sympy.Symbol("c")
    verdict = check_quantity(u**2, [u], {u: c * u**3}, [x], {x: (0, 1)})
    assert verdict.verdict == "not shown"
    assert "2*c*u**4" in verdict.reason


def test_missing_dynamics_is_unsupported():
    with pytest.raises(UnsupportedError, match="no evolution equation for p"):
        check_quantity(P**2, [Q, P], {Q: P}, [x], {x: (0, 1)})


def test_find_witness_for_a_rate_that_is_zero_on_average_only():
    assert find_witness(dx(u), [u], [x], {x: (0, 1)}) is None
    witness = find_witness(dx(u) ** 2, [u], [x], {x: (0, 1)})
    assert witness is not None and witness["dQ/dt"] > 0


def test_docstring_examples():
    assert doctest.testmod(conservation).failed == 0


def test_periodic_explicit_coefficients_keep_the_operator_argument():
    # w = (2 + sin 2πx) u is periodic, and u_t = −w: G = −1.
    a = 2 + sin(2 * sympy.pi * x)
    verdict = check_quantity(a * u**2 / 2, [u], {u: -a * u}, [x], {x: (0, 1)})
    assert verdict.verdict == "dissipated"


def test_nonperiodic_explicit_coefficients_skip_the_operator_argument():
    # w = x is not periodic, so ∫ w·G(w) dx ≤ 0 would not follow from G's symbol.
    verdict = check_quantity(x * u, [u], {u: -x}, [x], {x: (0, 1)})
    assert verdict.verdict == "not conserved"
    assert "G = -1" not in verdict.reason


def test_nonperiodic_integrand_is_integrated_accurately():
    # ∫₀¹ (x − 1/2) dx = 0 exactly; the rectangle rule would give −1/(2n) ≠ 0.
    assert find_witness(x - sympy.Rational(1, 2), [u], [x], {x: (0, 1)}) is None
    witness = find_witness(-(x**2) * u, [u], [x], {x: (0, 1)})
    assert witness is not None

    # u = 0.3 + 0.5 sin 2πx + 0.2 cos(4πx + 1): ∫ −x² u dx, worked out exactly.
    def rate(s):
        return -(s**2) * (0.3 + math.sin(2 * math.pi * s) / 2 + math.cos(4 * math.pi * s + 1) / 5)

    exact, _ = scipy.integrate.quad(rate, 0, 1, epsabs=1e-14, epsrel=1e-14)
    assert witness["dQ/dt"] == pytest.approx(exact, rel=1e-10)


def test_trial_states_are_not_symmetric():
    # ∫ u_x³ dx vanishes for every state symmetric under x ↦ L/2 − x; for mKdV's ∫ u³
    # the rate reduces to 3∫ u_x³ dx, which the trial states must see.
    flux = {u: sympy.expand(Derivative(u**3 / 3 + dx(u, 2), x).doit())}
    verdict = check_quantity(u**3, [u], flux, [x], {x: (0, 1)})
    assert verdict.verdict == "not conserved"
