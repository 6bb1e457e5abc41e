"""The structure of a constant-coefficient linear operator G in u_t = G w.

Energy-based dynamics are written u_t = G δH/δu. Along them
dH/dt = ∫ w·G w dx with w = δH/δu, so

* G skew-adjoint (∫ w·G w = 0 for all w) ⇒ H is conserved (Hamiltonian dynamics);
* G negative semidefinite (∫ w·G w ≤ 0) ⇒ H decreases (a gradient flow).

On a periodic box a constant-coefficient operator acts on Fourier modes e^{ik·x}
by multiplication with its *symbol* σ(k), obtained by D_x → i k_x. By Parseval,
∫ w·G w = Σ_k ŵ(k)ᴴ σ(k) ŵ(k), which depends only on the Hermitian part
Hm(k) = (σ + σᴴ)/2: G is skew-adjoint iff Hm ≡ 0 and negative semidefinite iff
Hm(k) ⪯ 0 for every real k. This module computes σ and decides these, exactly;
the sign of each polynomial in k that this comes down to is decided in
:mod:`pdec.symbolic.polynomial_sign`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy
from sympy import Derivative, Expr, Matrix, Symbol
from sympy.core.function import AppliedUndef

from pdec.errors import UnsupportedError
from pdec.symbolic.polynomial_sign import nonnegative
from pdec.symbolic.variational import exact_numbers, expand_derivatives, multi_index

_HINT = (
    "G must be a constant-coefficient linear operator; write the dynamics as "
    "evolve dt(u) = G*delta(H, u) with G built from dx, dy and constants"
)


@dataclass(frozen=True)
class OperatorStructure:
    """What is known about G: its symbol, a classification, and why.

    ``kind`` is one of "skew-adjoint", "negative semidefinite", "zero", "neither"
    (a witness shows ∫ w·G w > 0 for some w) or "unknown" (nothing proven).
    """

    symbol: Matrix
    wavenumbers: tuple[Symbol, ...]
    kind: str
    reason: str

    @property
    def is_skew(self) -> bool:
        """∫ w·G w = 0 for every w: energies of u_t = G δH/δu are conserved."""
        return self.kind in ("skew-adjoint", "zero")

    @property
    def is_dissipative(self) -> bool:
        """∫ w·G w ≤ 0 for every w: energies of u_t = G δH/δu do not increase."""
        return self.kind in ("negative semidefinite", "skew-adjoint", "zero")


def wavenumber(variable: Symbol) -> Symbol:
    """The real wavenumber dual to a space variable: x ↦ k_x."""
    return Symbol(f"k_{variable.name}", real=True)


def operator_symbol(
    rhs: Sequence[Expr], placeholders: Sequence[AppliedUndef], space: Sequence[Symbol]
) -> tuple[Matrix, tuple[Symbol, ...]]:
    """The symbol σ(k) of G, where ``rhs[i] = Σ_j G_ij(placeholders[j])``.

    Each ``rhs[i]`` must be a linear combination, with constant coefficients, of the
    placeholders and their space derivatives; D_x becomes i k_x.

    >>> t, x = sympy.symbols("t x")
    >>> w = sympy.Function("W_u")(t, x)
    >>> operator_symbol([Derivative(w, (x, 3))], [w], [x])
    (Matrix([[-I*k_x**3]]), (k_x,))

    Raises ``UnsupportedError`` naming the first term that is nonlinear, has a
    variable coefficient, or involves no placeholder (a forcing term).
    """
    space = tuple(space)
    wavenumbers = tuple(wavenumber(v) for v in space)
    column = {w: j for j, w in enumerate(placeholders)}
    # Anything the placeholders depend on (space, time) must not appear in a
    # coefficient, or the coefficient would vary.
    variables = set(space).union(*(w.free_symbols for w in placeholders))
    sigma = sympy.zeros(len(rhs), len(placeholders))
    for i, expr in enumerate(rhs):
        for term in sympy.Add.make_args(sympy.expand(expand_derivatives(expr))):
            if term == 0:
                continue
            j, alpha, coefficient = _split_term(term, column, space, variables)
            factor = sympy.Mul(
                *[(sympy.I * k) ** a for k, a in zip(wavenumbers, alpha, strict=True)]
            )
            sigma[i, j] += coefficient * factor
    return sigma.applyfunc(sympy.expand), wavenumbers


def _split_term(
    term: Expr,
    column: dict[AppliedUndef, int],
    space: tuple[Symbol, ...],
    variables: set[Symbol],
) -> tuple[int, tuple[int, ...], Expr]:
    """Split ``c * D^α W_j`` into (j, α, c), or say why ``term`` is not of that form."""
    text = sympy.sstr(term)
    placeholders = tuple(column)
    applied = [f for f in sympy.Mul.make_args(term) if f.has(*placeholders)]
    if not applied:
        raise UnsupportedError(
            f"the term {text} of G's right-hand side does not act on delta(H, .) (a forcing term)",
            hint=_HINT,
        )
    if len(applied) > 1 or not _is_placeholder_jet(applied[0], column):
        raise UnsupportedError(
            f"the term {text} of G's right-hand side is not linear in delta(H, .)",
            hint=_HINT,
        )
    jet = applied[0]
    coefficient = term / jet
    if coefficient.atoms(AppliedUndef) or coefficient.free_symbols & variables:
        raise UnsupportedError(
            f"the term {text} of G's right-hand side has the variable coefficient "
            f"{sympy.sstr(coefficient)}",
            hint=_HINT,
        )
    if isinstance(jet, Derivative):
        try:
            alpha = multi_index(jet, space)
        except ValueError as error:
            raise UnsupportedError(
                f"the term {text} of G's right-hand side differentiates along "
                f"{error.args[0]}, which is not a space variable",
                hint=_HINT,
            ) from None
        return column[jet.expr], alpha, coefficient
    return column[jet], (0,) * len(space), coefficient


def _is_placeholder_jet(factor: Expr, column: dict[AppliedUndef, int]) -> bool:
    if isinstance(factor, Derivative):
        return factor.expr in column
    return factor in column


def classify_operator(
    rhs: Sequence[Expr], placeholders: Sequence[AppliedUndef], space: Sequence[Symbol]
) -> OperatorStructure:
    """Classify G given by ``rhs[i] = Σ_j G_ij(placeholders[j])`` (see
    :func:`operator_symbol`).

    >>> t, x = sympy.symbols("t x")
    >>> w = sympy.Function("W_u")(t, x)
    >>> classify_operator([Derivative(w, (x, 2))], [w], [x]).kind
    'negative semidefinite'
    """
    sigma, wavenumbers = operator_symbol(rhs, placeholders, space)
    return classify_symbol(sigma, wavenumbers)


def classify_matrix(matrix: Matrix) -> OperatorStructure:
    """Classify a constant matrix G (ODE systems u_t = G ∇H) by its symmetric part.

    >>> classify_matrix(Matrix([[0, 1], [-1, 0]])).kind
    'skew-adjoint'
    """
    return classify_symbol(Matrix(matrix), ())


def classify_symbol(symbol: Matrix, wavenumbers: Sequence[Symbol]) -> OperatorStructure:
    """Classify the operator with symbol σ(k) by its Hermitian part for real k.

    Symbols other than the wavenumbers (constants left unevaluated) are taken to
    be real. Floats are read as exact rationals for the decisions.
    """
    wavenumbers = tuple(wavenumbers)
    symbol = Matrix(symbol)
    sigma = symbol.applyfunc(lambda e: sympy.expand(exact_numbers(e)))
    if sigma.is_zero_matrix:
        return OperatorStructure(symbol, wavenumbers, "zero", "G is zero")
    real = {
        s: Symbol(s.name, real=True)
        for s in sigma.free_symbols
        if s not in wavenumbers and not s.is_real
    }
    sigma = sigma.xreplace(real)
    hermitian = ((sigma + sigma.H) / 2).applyfunc(sympy.expand)
    if hermitian.is_zero_matrix:
        return OperatorStructure(
            symbol,
            wavenumbers,
            "skew-adjoint",
            f"{_describe(sigma, wavenumbers)} is skew-Hermitian "
            f"({'σ + σᴴ' if wavenumbers else 'G + Gᴴ'} = 0{_for_real(wavenumbers)}),"
            f" so {_form(wavenumbers)} = 0",
        )
    if hermitian.shape == (1, 1):
        return _classify_scalar(symbol, hermitian[0, 0], wavenumbers)
    return _classify_hermitian(symbol, hermitian, wavenumbers)


def _classify_scalar(
    symbol: Matrix, part: Expr, wavenumbers: tuple[Symbol, ...]
) -> OperatorStructure:
    """Classify a 1×1 symbol by the sign of its (real) Hermitian part."""
    what = f"{_hermitian_name(wavenumbers)}, {sympy.sstr(part)},"
    proven, witness = nonnegative(-part, wavenumbers)
    if proven:
        return OperatorStructure(
            symbol,
            wavenumbers,
            "negative semidefinite",
            f"{what} is ≤ 0{_for_all(wavenumbers)}, so {_form(wavenumbers)} ≤ 0",
        )
    if witness is not None:
        value = sympy.sstr(part.xreplace(witness))
        return OperatorStructure(
            symbol,
            wavenumbers,
            "neither",
            f"{what} is {value} > 0{_at(witness)}, so {_form(wavenumbers)} > 0 for that mode",
        )
    return OperatorStructure(
        symbol,
        wavenumbers,
        "unknown",
        f"could not decide the sign of {what[:-1]}",
    )


def _classify_hermitian(
    symbol: Matrix, hermitian: Matrix, wavenumbers: tuple[Symbol, ...]
) -> OperatorStructure:
    """Classify an n×n symbol: Hm ⪯ 0 iff every principal minor of −Hm is ≥ 0."""
    what = f"{_hermitian_name(wavenumbers)}, {sympy.sstr(hermitian.tolist())},"
    negated = -hermitian
    n = hermitian.shape[0]
    undecided = []
    for size in range(1, n + 1):
        for rows in itertools.combinations(range(n), size):
            minor = sympy.expand(negated.extract(list(rows), list(rows)).det())
            proven, witness = nonnegative(minor, wavenumbers)
            if proven:
                continue
            if witness is not None and not hermitian.xreplace(witness).free_symbols:
                return _positive_direction(symbol, hermitian, wavenumbers, witness)
            if witness is not None:
                return OperatorStructure(
                    symbol,
                    wavenumbers,
                    "neither",
                    f"the principal minor {sympy.sstr(minor)} of minus {what[:-1]} is "
                    f"< 0{_at(witness)}, so {_form(wavenumbers)} > 0 for some w",
                )
            undecided.append(sympy.sstr(minor))
    if not undecided:
        return OperatorStructure(
            symbol,
            wavenumbers,
            "negative semidefinite",
            f"{what} is negative semidefinite{_for_all(wavenumbers)} (all principal "
            f"minors of its negative are ≥ 0), so {_form(wavenumbers)} ≤ 0",
        )
    return OperatorStructure(
        symbol,
        wavenumbers,
        "unknown",
        f"could not decide the sign of the principal minor {undecided[0]} of minus {what[:-1]}",
    )


def _positive_direction(
    symbol: Matrix,
    hermitian: Matrix,
    wavenumbers: tuple[Symbol, ...],
    point: dict[Symbol, Expr],
) -> OperatorStructure:
    """The "neither" verdict for a matrix, with the eigenvector of Hm(k) that has
    the largest eigenvalue as the witness (a minor of −Hm is negative at k, so
    that eigenvalue is positive)."""
    values = np.array(hermitian.xreplace(point).evalf().tolist(), dtype=complex)
    eigenvalues, eigenvectors = np.linalg.eigh(values)
    vector = eigenvectors[:, -1]
    vector = vector / vector[np.argmax(np.abs(vector))]
    if np.all(np.abs(vector.imag) < 1e-12):
        vector = vector.real
    shown = ", ".join(f"{v:.3g}" for v in np.round(vector, 6) + 0.0)
    return OperatorStructure(
        symbol,
        wavenumbers,
        "neither",
        f"{_hermitian_name(wavenumbers)} has the positive eigenvalue "
        f"{eigenvalues[-1]:.3g} with eigenvector ({shown}){_at(point)}, so "
        f"{_form(wavenumbers)} > 0 for that w",
    )


def _form(wavenumbers: tuple[Symbol, ...]) -> str:
    """The quadratic form whose sign is decided: an integral for operators."""
    return "∫ w·G w" if wavenumbers else "w·G w"


def _hermitian_name(wavenumbers: tuple[Symbol, ...]) -> str:
    return "the Hermitian part of the symbol" if wavenumbers else "the symmetric part of G"


def _describe(sigma: Matrix, wavenumbers: tuple[Symbol, ...]) -> str:
    if not wavenumbers:
        return f"G = {sympy.sstr(sigma.tolist())}"
    if sigma.shape == (1, 1):
        return f"the symbol {sympy.sstr(sigma[0, 0])}"
    return f"the symbol {sympy.sstr(sigma.tolist())}"


def _for_real(wavenumbers: tuple[Symbol, ...]) -> str:
    if not wavenumbers:
        return ""
    return " for real " + ", ".join(k.name for k in wavenumbers)


def _for_all(wavenumbers: tuple[Symbol, ...]) -> str:
    if not wavenumbers:
        return ""
    return " for all real " + ", ".join(k.name for k in wavenumbers)


def _at(point: dict[Symbol, Expr]) -> str:
    if not point:
        return ""
    return " at " + ", ".join(f"{k.name} = {sympy.sstr(v)}" for k, v in point.items())


__all__ = [
    "OperatorStructure",
    "classify_matrix",
    "classify_operator",
    "classify_symbol",
    "operator_symbol",
    "wavenumber",
]
