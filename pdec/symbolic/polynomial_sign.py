"""The sign of a polynomial in the wavenumbers: is p(k) ≥ 0 for every real k?

:mod:`pdec.symbolic.structure` reduces "G is negative semidefinite" to such
questions about the Hermitian part of G's symbol (or its principal minors). The
answer is exact: proven, refuted with a rational point where p < 0 (a witness a
reader can check by hand), or undecided.

>>> k = sympy.Symbol("k")
>>> nonnegative(k**2 + k**4, (k,))
(True, None)
>>> nonnegative(k**2 - 1, (k,))
(False, {k: 0})
"""

from __future__ import annotations

import itertools

import sympy
from sympy import Expr, Symbol

# Rational wavenumbers tried when looking for a point where a symbol is positive.
# Integers first, so that a witness reads simply.
_TRIAL_WAVENUMBERS = tuple(
    sympy.Rational(n, d)
    for n, d in [
        (0, 1),
        (1, 1),
        (-1, 1),
        (2, 1),
        (-2, 1),
        (1, 2),
        (-1, 2),
        (3, 1),
        (-3, 1),
        (10, 1),
    ]
)


def nonnegative(p: Expr, wavenumbers: tuple[Symbol, ...]) -> tuple[bool, dict[Symbol, Expr] | None]:
    """Decide p(k) ≥ 0 for all real k: (True, None) if proven, (False, point) with
    p(point) < 0 if refuted, (False, None) if undecided."""
    p = sympy.expand(p)
    if p == 0 or p.is_nonnegative:
        return True, None
    if p.is_negative:
        return False, dict.fromkeys(wavenumbers, sympy.Integer(0))
    # Sums of squares with nonnegative weights, e.g. k**2 + k**4.
    if wavenumbers and _even_nonnegative_polynomial(p, wavenumbers):
        return True, None
    # Factored forms such as (k**2 - 1)**2 are within reach of the assumptions.
    if sympy.factor(p).is_nonnegative:
        return True, None
    univariate = len(wavenumbers) == 1 and not p.free_symbols - set(wavenumbers)
    if univariate and p.is_polynomial(*wavenumbers):
        return _univariate_nonnegative(p, wavenumbers[0])
    return False, _negative_point(p, wavenumbers)


def _even_nonnegative_polynomial(p: Expr, wavenumbers: tuple[Symbol, ...]) -> bool:
    try:
        poly = sympy.Poly(p, *wavenumbers)
    except sympy.PolynomialError:
        return False
    return all(
        all(e % 2 == 0 for e in monomial) and coefficient.is_nonnegative
        for monomial, coefficient in poly.terms()
    )


def _univariate_nonnegative(p: Expr, k: Symbol) -> tuple[bool, dict[Symbol, Expr] | None]:
    """Exact decision for a univariate polynomial with numeric coefficients: p ≥ 0
    iff p has even degree, a positive leading coefficient and p ≥ 0 at each real
    critical point (where p attains its minimum)."""
    poly = sympy.Poly(p, k)
    if poly.degree() <= 0:
        return bool(poly.LC() >= 0), None if poly.LC() >= 0 else {k: sympy.Integer(0)}
    if poly.degree() % 2 == 1 or poly.LC() < 0:
        return False, _negative_point(p, (k,)) or _far_point(poly, k)
    slope = poly.diff(k)
    common = sympy.gcd(poly, slope)
    for factor, _ in slope.factor_list()[1]:
        # At the roots of a common factor of p and p', p is exactly 0; elsewhere
        # p ≠ 0 at a critical point, so a numerical sign is reliable.
        if factor.degree() == 0 or common.rem(factor).is_zero:
            continue
        for root in factor.real_roots():
            if poly.eval(root).evalf(50) < 0:
                point = _rational_near(root, lambda q: poly.eval(q) < 0)
                return False, {k: point} if point is not None else _negative_point(p, (k,))
    return True, None


def _rational_near(root: Expr, accept) -> Expr | None:
    """The shortest decimal near ``root`` that ``accept`` takes (a readable witness)."""
    for digits in range(1, 16):
        scale = 10**digits
        candidate = sympy.Rational(int((root * scale).evalf(30).round()), scale)
        if accept(candidate):
            return candidate
    return None


def _far_point(poly: sympy.Poly, k: Symbol) -> dict[Symbol, Expr] | None:
    """A point far out where p < 0, for a polynomial that tends to −∞ there."""
    for exponent in range(1, 60):
        for sign in (1, -1):
            point = sign * sympy.Integer(2) ** exponent
            if poly.eval(point) < 0:
                return {k: point}
    return None


def _negative_point(p: Expr, wavenumbers: tuple[Symbol, ...]) -> dict[Symbol, Expr] | None:
    """A rational point among a few trial wavenumbers where p < 0, if any."""
    if p.free_symbols - set(wavenumbers):
        return None
    for values in itertools.product(_TRIAL_WAVENUMBERS, repeat=len(wavenumbers)):
        point = dict(zip(wavenumbers, values, strict=True))
        if p.xreplace(point) < 0:
            return point
    return None


__all__ = ["nonnegative"]
