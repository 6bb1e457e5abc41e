"""The closed-form inverse of polar-type maps round-trips numerically."""

import math

import pytest
import sympy

import pdec
from pdec.symbolic.inverse_map import polar_inverse

r, theta, x, y = sympy.symbols("r theta x y")
PHI, X0, Y0 = sympy.Rational(3, 10), sympy.Rational(1, 2), -2

MAPS = {
    "fault polar": (r * sympy.sin(theta), -1 + r * sympy.cos(theta)),
    "shifted rotated": (X0 + r * sympy.cos(theta + PHI), Y0 + r * sympy.sin(theta + PHI)),
    "reflected": (r * sympy.cos(theta), -r * sympy.sin(theta)),
}


@pytest.mark.parametrize("name", MAPS)
def test_round_trip(name):
    forward = MAPS[name]
    inverse = polar_inverse((r, theta), (x, y), forward)
    for radius, angle in [(0.5, 0.1), (2.0, 1.5), (3.0, 3.0), (1.2, 4.5), (0.7, 6.2)]:
        point = {r: radius, theta: angle}
        px, py = (float(f.subs(point)) for f in forward)
        back_r = float(inverse.radius.subs({x: px, y: py}))
        back_theta = float(inverse.angle_unwrapped.subs({x: px, y: py})) % (2 * math.pi)
        assert back_r == pytest.approx(radius, abs=1e-12)
        assert back_theta == pytest.approx(angle, abs=1e-12)


def test_swapped_variable_order_is_recognised():
    inverse = polar_inverse((theta, r), (x, y), (r * sympy.cos(theta), r * sympy.sin(theta)))
    assert inverse.radial == r and inverse.angular == theta


def test_elliptic_map_is_unsupported_with_a_hint():
    xi, eta = sympy.symbols("xi eta")
    with pytest.raises(pdec.UnsupportedError) as info:
        polar_inverse(
            (xi, eta), (x, y), (sympy.cosh(xi) * sympy.cos(eta), sympy.sinh(xi) * sympy.sin(eta))
        )
    assert "polar" in info.value.hint
