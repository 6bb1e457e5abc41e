"""lift_cut_jump: the fault's slip built into u exactly, the enrichment at the pole, the
pole flux, and the specs where the lift does not apply."""

import math
from pathlib import Path

import pytest
import sympy

import pdec
from pdec.passes.derive_residuals import derive_residuals
from pdec.passes.lift_cut_jump import lift_cut_jump, pole_flux
from pdec.symbolic.inverse_map import polar_inverse

SPECS = Path(__file__).resolve().parents[2] / "specs"


def lift_of(spec):
    s = derive_residuals(spec.ir)
    system = s.coordinates[0]
    inverse = polar_inverse(system.new, system.old, system.forward)
    return lift_cut_jump(s, system, inverse), s, system, inverse


def test_fault_slip_is_lifted_and_traction_holds_identically():
    (lift, why), s, _, _ = lift_of(pdec.load(SPECS / "fault.pde"))
    assert why == "" and lift is not None
    r, theta = sympy.symbols("r theta")
    S, D = sympy.symbols("s D")
    assert lift.field == "u" and lift.slip == "slip" and lift.jump == S
    assert sympy.simplify(lift.lift - S * (sympy.Rational(1, 2) - theta / (2 * sympy.pi))) == 0
    assert lift.exact == ("slip", "traction")
    assert lift.enrichment == 0  # μ constant: the lift has no source
    assert lift.pole == (0, -D) and lift.length == D and lift.pole_inside


def test_layered_fault_enrichment_matches_the_gradient_of_mu_at_the_pole():
    """c = s/(4πμ₀)(g_x cos θ − g_y sin θ) with g = ∇μ at the pole (0, −D), derived by hand
    for div(μ∇u) in these polar coordinates (x = r sin θ, y = −D + r cos θ)."""
    (lift, _), s, _, _ = lift_of(pdec.load(SPECS / "fault_layered.pde"))
    theta = sympy.Symbol("theta")
    y = sympy.Symbol("y")
    D = 1.0
    mu = 1 + sympy.tanh(-y - 2) / 2
    mu0 = float(mu.subs(y, -D))
    g_y = float(sympy.diff(mu, y).subs(y, -D))
    expected = 1.0 / (4 * math.pi * mu0) * (-g_y) * sympy.sin(theta)
    values = {sympy.Symbol("s"): 1.0, sympy.Symbol("D"): D}
    for angle in (0.3, 1.7, 4.0):
        got = float(lift.enrichment.subs(values).subs(theta, angle))
        assert got == pytest.approx(float(expected.subs(theta, angle)), rel=1e-12)
    assert abs(g_y) > 0.1  # the test means something: μ varies at the pole


def test_pole_flux_of_div_mu_grad_u_is_r_mu_u_r():
    (lift, _), s, system, inverse = lift_of(pdec.load(SPECS / "fault_layered.pde"))
    r, theta = inverse.radial, inverse.angular
    u = sympy.Function("u")(r, theta)
    D = sympy.Symbol("D")
    mu = 1 + sympy.tanh(-(-D + r * sympy.cos(theta)) - 2) / 2
    flux = pole_flux(s, s.lookup("equations", "equilibrium"), system, inverse)
    assert sympy.simplify(flux - r * mu * sympy.Derivative(u, r)) == 0


def test_pole_flux_is_none_for_a_condition():
    (_, _), s, system, inverse = lift_of(pdec.load(SPECS / "fault.pde"))
    assert pole_flux(s, s.lookup("equations", "free_surface"), system, inverse) is None


BURIED = (
    (SPECS / "fault.pde")
    .read_text()
    .replace("curve fault = segment((0, -D), (0, 0))", "curve fault = segment((0, -D), (0, -0.5))")
)


def test_buried_fault_is_not_lifted_and_says_why():
    (lift, why), *_ = lift_of(pdec.loads(BURIED, "buried.pde"))
    assert lift is None and "does not reach the domain's boundary" in why


def test_cut_lift_on_a_buried_fault_is_an_error_and_auto_falls_back(tmp_path):
    from pdec.compiler import generate_module

    spec = pdec.loads(BURIED, "buried.pde")
    with pytest.raises(pdec.UnsupportedError, match="--cut lift does not apply") as info:
        generate_module(spec, "pinn", cut="lift")
    assert "--cut residual" in info.value.hint
    source = generate_module(spec, "pinn").source
    assert "lifted = True" not in source and '"slip"' in source


def test_unknown_cut_form_is_an_error():
    from pdec.compiler import generate_module

    with pytest.raises(pdec.UnsupportedError, match="unknown cut form 'lifted'"):
        generate_module(pdec.load(SPECS / "fault.pde"), "pinn", cut="lifted")
