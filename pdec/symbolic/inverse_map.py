"""The inverse of a polar-type coordinate map, (x, y) ↦ (r, θ), in closed form.

A PINN that sees (r, θ) needs it to read the sampled points and to predict at (x, y).
SymPy's ``solve`` returns branches that divide by x, useless numerically, so polar-type
maps are recognised instead: x = x0 + r·c(θ), y = y0 + r·s(θ) with c² + s² = 1 (plain,
shifted, rotated or reflected polar). Then

    r = √((x − x0)² + (y − y0)²),
    θ = σ·(atan2(y − y0, x − x0) − α0)   wrapped into [θc, θc + 2π),

where α0 = atan2(s(0), c(0)), σ = c s′ − s c′ = ±1 is the orientation, and θc is the
cut's angle (0 without a cut).

>>> import sympy
>>> r, theta, x, y = sympy.symbols("r theta x y")
>>> inverse = polar_inverse((r, theta), (x, y), (r*sympy.sin(theta), -1 + r*sympy.cos(theta)))
>>> inverse.radius
sqrt(x**2 + (y + 1)**2)
>>> inverse.angle_unwrapped
-atan2(y + 1, x) + pi/2
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from pdec.errors import UnsupportedError


@dataclass(frozen=True)
class PolarInverse:
    """r(x, y), and θ(x, y) before wrapping into the angle's range [lo, lo + 2π)."""

    radial: sympy.Symbol
    angular: sympy.Symbol
    radius: sympy.Expr
    angle_unwrapped: sympy.Expr
    pole: tuple[sympy.Expr, sympy.Expr]


def polar_inverse(new, old, forward) -> PolarInverse:
    """Recognise a polar-type map; raise UnsupportedError for any other map."""
    for radial, angular in (tuple(new), tuple(new)[::-1]):
        found = _try(radial, angular, old, forward)
        if found is not None:
            return found
    raise UnsupportedError(
        "the PINN target inverts only polar-type coordinate maps "
        "(x = x0 + r·c(θ), y = y0 + r·s(θ) with c² + s² = 1) so far",
        None,
        "use polar coordinates, or let the network see Cartesian coordinates",
    )


def _try(radial, angular, old, forward) -> PolarInverse | None:
    if len(forward) != 2:
        return None
    pole = tuple(sympy.simplify(f.subs(radial, 0)) for f in forward)
    if any(p.has(radial, angular) for p in pole):
        return None
    c, s = (sympy.simplify((f - p) / radial) for f, p in zip(forward, pole))
    if c.has(radial) or s.has(radial) or sympy.simplify(c**2 + s**2 - 1) != 0:
        return None
    orientation = sympy.simplify(c * sympy.diff(s, angular) - s * sympy.diff(c, angular))
    if orientation not in (1, -1):
        return None
    x, y = old
    offset = sympy.atan2(s.subs(angular, 0), c.subs(angular, 0))
    radius = sympy.sqrt((x - pole[0]) ** 2 + (y - pole[1]) ** 2)
    angle = orientation * (sympy.atan2(y - pole[1], x - pole[0]) - offset)
    return PolarInverse(radial, angular, radius, sympy.expand(angle), pole)
