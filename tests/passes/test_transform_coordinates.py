"""Residuals in declared coordinates, through the public API (Okazaki et al. 2022)."""

from pathlib import Path

import sympy

import pdec

SPECS = Path(__file__).resolve().parents[2] / "specs"
r, theta = sympy.symbols("r theta")
u = sympy.Function("u")(r, theta)
mu = sympy.Function("mu")(r, theta)


def d(f, *args):
    return sympy.Derivative(f, *args)


def test_fault_equilibrium_in_polar_matches_okazaki():
    spec = pdec.load(SPECS / "fault.pde")
    residual = spec.residual("equilibrium", coords="polar")
    expected = (
        r**2 * d(u, (r, 2))
        + r * d(u, r)
        + d(u, (theta, 2))
        + (r**2 * d(mu, r) * d(u, r) + d(mu, theta) * d(u, theta)) / mu
    )
    assert sympy.simplify(residual * r**2 / mu - expected) == 0


def test_fault_first_derivatives_in_polar():
    spec = pdec.loads(
        (SPECS / "fault.pde").read_text()
        + "\nbc ux: dx(u) = 0 on surface\nbc uy: dy(u) = 0 on surface\n"
    )
    u_x = sympy.sin(theta) * d(u, r) + sympy.cos(theta) / r * d(u, theta)
    u_y = sympy.cos(theta) * d(u, r) - sympy.sin(theta) / r * d(u, theta)
    assert sympy.simplify(spec.residual("ux", coords="polar") - u_x) == 0
    assert sympy.simplify(spec.residual("uy", coords="polar") - u_y) == 0


def test_fault_conditions_on_the_cut_are_at_both_ends_of_theta():
    spec = pdec.load(SPECS / "fault.pde")
    s = sympy.Symbol("s")
    slip = spec.residual("slip", coords="polar")
    assert slip == sympy.Function("u")(r, 0) - sympy.Function("u")(r, 2 * sympy.pi) - s
    traction = spec.residual("traction", coords="polar")
    assert not traction.has(theta) or all(
        isinstance(a, sympy.Subs) for a in traction.atoms(sympy.Subs)
    )
    # μ u_x across x = 0 is μ u_θ / r on both sides of the cut
    plus = sympy.Subs(d(u, theta), theta, 0) * sympy.Function("mu")(r, 0) / r
    minus = sympy.Subs(d(u, theta), theta, 2 * sympy.pi) * sympy.Function("mu")(r, 2 * sympy.pi) / r
    assert sympy.simplify(traction - (plus - minus)) == 0


def test_closed_form_solution_satisfies_the_polar_residual_and_the_slip():
    spec = pdec.load(SPECS / "fault.pde")
    residual = spec.residual("equilibrium", coords="polar", substitute=True)
    s, D = 1, 1
    x, y = r * sympy.sin(theta), -D + r * sympy.cos(theta)
    exact = s / (2 * sympy.pi) * (sympy.atan2(x, -y - D) - sympy.atan2(x, -y + D))
    value = residual.subs(sympy.Function("u")(r, theta), exact).doit()
    f = sympy.lambdify((r, theta), value, "mpmath")
    for point in [(0.3, 0.5), (2.0, 3.0), (5.0, 1.2), (0.7, 6.0)]:
        assert abs(f(*point)) < 1e-10
    closed = sympy.lambdify((r, theta), exact, "mpmath")
    assert abs(closed(0.5, 1e-12) - closed(0.5, 2 * sympy.pi.evalf() - 1e-12) - s) < 1e-9


def test_elliptic_laplacian_matches_hand_derivation():
    # x = a cosh ξ cos η, y = a sinh ξ sin η: the scale factors are
    # h_ξ = h_η = a sqrt(sinh²ξ + sin²η), so ∇²u = (u_ξξ + u_ηη) / (a²(sinh²ξ + sin²η)).
    spec = pdec.loads(
        """
model elliptic
const a = 2
region plane = box(x in [-5, 5], y in [-5, 5])
field u(x, y)
coordinates elliptic(xi, eta): x = a*cosh(xi)*cos(eta), y = a*sinh(xi)*sin(eta)
pde laplace: lap(u) = 0 in plane
"""
    )
    xi, eta, a = sympy.symbols("xi eta a")
    w = sympy.Function("u")(xi, eta)
    expected = (d(w, (xi, 2)) + d(w, (eta, 2))) / (
        a**2 * (sympy.sinh(xi) ** 2 + sympy.sin(eta) ** 2)
    )
    residual = spec.residual("laplace", coords="elliptic")
    assert sympy.simplify(residual - expected) == 0


def test_unknown_coordinate_system_suggests_a_name():
    spec = pdec.load(SPECS / "fault.pde")
    try:
        spec.residual("equilibrium", coords="polra")
    except pdec.CoordinateError as error:
        assert "polar" in error.hint
    else:
        raise AssertionError("expected CoordinateError")
