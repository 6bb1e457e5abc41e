"""Constant-coefficient finite-difference operators on a 1-D grid, given or learned.

A stencil {k: c_k} acts by (G w)_i = Σ_k c_k w_{i+k}: on a periodic grid the indices
wrap (a circulant matrix); otherwise values outside the grid are zero (a banded
Toeplitz matrix). Both are applied with shifts (``torch.roll``), in O(n·width).

The class of a stencil follows from its symbol σ(θ) = Σ_k c_k e^{ikθ}: it is skew
when c_k = −c_{−k} for every k (σ imaginary), and dissipative when the symbol's real
part Σ_k c_k cos kθ is ≤ 0 — at the grid's frequencies θ = 2πj/n (the exact
eigenvalues of the symmetric part of a circulant) or, without periodicity, for every
θ (Toeplitz matrices' quadratic forms are averages of the symbol), checked on a fine
grid of θ.

Stencil arithmetic (``@`` composes, ``+``, ``-``, scalar ``*``, ``**``) is exact:
coefficients are combined as rationals and rounded once, so the composition of two
skew or symmetric stencils keeps its symmetry to the last bit.

>>> h = 0.5
>>> dx = central_difference(8, h)
>>> dx.kind, (dx @ dx).kind, (-(laplacian(8, h) ** 2)).kind
('skew', 'dissipative', 'dissipative')
>>> (dx @ dx).coefficients
{-2: 1.0, 0: -2.0, 2: 1.0}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

import torch
from torch import Tensor, nn

from pdec.runtime.energy.structure import DISSIPATIVE, GENERAL, SKEW, Operator
from pdec.runtime.options import check_sizes

# Relative tolerance on the symbol's real part when deciding "dissipative".
SYMBOL_TOLERANCE = 1e-12
# θ samples in [0, π] for non-periodic stencils.
SYMBOL_SAMPLES = 8192


def shift(w: Tensor, k: int, periodic: bool = True) -> Tensor:
    """(S^k w)_i = w_{i+k} along the last axis; zero outside the grid if not periodic.

    >>> shift(torch.tensor([1.0, 2.0, 3.0]), 1), shift(torch.tensor([1.0, 2.0, 3.0]), 1, False)
    (tensor([2., 3., 1.]), tensor([2., 3., 0.]))
    """
    if k == 0:
        return w
    if periodic:
        return torch.roll(w, -k, dims=-1)
    n = w.shape[-1]
    if abs(k) >= n:
        return torch.zeros_like(w)
    zeros = w.new_zeros(*w.shape[:-1], abs(k))
    if k > 0:
        return torch.cat([w[..., k:], zeros], dim=-1)
    return torch.cat([zeros, w[..., :k]], dim=-1)


def apply_stencil(w: Tensor, offsets, values: Tensor, periodic: bool = True) -> Tensor:
    """Σ_k values[k] · S^{offsets[k]} w, along the last axis."""
    result = torch.zeros_like(w)
    for k, c in zip(offsets, values):
        result = result + c * shift(w, int(k), periodic)
    return result


def stencil_matrix(offsets, values: Tensor, n: int, periodic: bool = True) -> Tensor:
    """The dense n × n matrix of a stencil (differentiable in ``values``)."""
    rows, columns, entries = [], [], []
    index = torch.arange(n, device=values.device)
    for k, c in zip(offsets, values):
        target = index + int(k)
        keep = torch.ones(n, dtype=torch.bool, device=values.device)
        if periodic:
            target = target % n
        else:
            keep = (target >= 0) & (target < n)
        rows.append(index[keep])
        columns.append(target[keep])
        entries.append(c.expand(int(keep.sum())))
    matrix = values.new_zeros(n, n)
    if not rows:
        return matrix
    return matrix.index_put(
        (torch.cat(rows), torch.cat(columns)), torch.cat(entries), accumulate=True
    )


def stencil_kind(coefficients: Mapping[int, float], size: int, periodic: bool = True) -> str:
    """The class of a stencil, from its symbol (see the module docstring).

    >>> stencil_kind({-1: 1.0, 0: -2.0, 1: 1.0}, 16), stencil_kind({0: 1.0}, 16)
    ('dissipative', 'general')
    """
    exact = {k: Fraction(c) for k, c in coefficients.items() if c != 0}
    if all(exact.get(-k, 0) == -c for k, c in exact.items()):
        return SKEW
    if periodic:
        thetas = torch.arange(size, dtype=torch.float64) * (2 * math.pi / size)
    else:
        thetas = torch.linspace(0, math.pi, SYMBOL_SAMPLES, dtype=torch.float64)
    offsets = torch.tensor(list(exact), dtype=torch.float64)
    values = torch.tensor([float(c) for c in exact.values()], dtype=torch.float64)
    real_part = float((torch.cos(thetas[:, None] * offsets) * values).sum(dim=1).max())
    scale = float(values.abs().sum())
    return DISSIPATIVE if real_part <= SYMBOL_TOLERANCE * scale else GENERAL


def _rounded(exact: Mapping[int, Fraction]) -> dict[int, float]:
    return {k: float(c) for k, c in sorted(exact.items()) if c != 0}


class StencilOperator(Operator):
    """A given stencil {k: c_k} on a grid of ``size`` points: (G w)_i = Σ_k c_k w_{i+k}.

    The coefficients include the grid spacing (∂x ≈ {-1: -1/(2h), 1: 1/(2h)}); the
    class is derived from them (:func:`stencil_kind`). ``periodic=False`` takes the
    values outside the grid to be zero, which keeps the class of the stencil.

    >>> G = StencilOperator({-1: -1.0, 1: 1.0}, 4)
    >>> G(torch.tensor([[0.0, 1.0, 2.0, 3.0]], dtype=torch.float64))
    tensor([[-2.,  2.,  2., -2.]], dtype=torch.float64)
    """

    def __init__(
        self,
        coefficients: Mapping[int, float],
        size: int,
        periodic: bool = True,
        *,
        dtype: torch.dtype = torch.float64,
    ):
        super().__init__()
        self.coefficients = _rounded({int(k): Fraction(c) for k, c in coefficients.items()})
        self.size = size
        self.periodic = periodic
        self.offsets = tuple(self.coefficients)
        self.register_buffer("values", torch.tensor(list(self.coefficients.values()), dtype=dtype))
        self.kind = stencil_kind(self.coefficients, size, periodic)

    def forward(self, w: Tensor) -> Tensor:
        self._check_input(w)
        return apply_stencil(w, self.offsets, self.values, self.periodic)

    def matrix(self, size: int | None = None) -> Tensor:
        return stencil_matrix(self.offsets, self.values, self._size(size), self.periodic)

    def transpose(self) -> StencilOperator:
        """Gᵀ: the stencil {−k: c_k}."""
        return self._like({-k: Fraction(c) for k, c in self.coefficients.items()})

    def _like(self, exact: Mapping[int, Fraction]) -> StencilOperator:
        return StencilOperator(_rounded(exact), self.size, self.periodic, dtype=self.values.dtype)

    def _exact(self) -> dict[int, Fraction]:
        return {k: Fraction(c) for k, c in self.coefficients.items()}

    def _compatible(self, other) -> None:
        if not isinstance(other, StencilOperator):
            raise TypeError(f"cannot combine a StencilOperator with {type(other).__name__}")
        if (other.size, other.periodic) != (self.size, self.periodic):
            raise ValueError(
                f"stencils on different grids: size {self.size} periodic={self.periodic} "
                f"and size {other.size} periodic={other.periodic}"
            )

    def __matmul__(self, other: StencilOperator) -> StencilOperator:
        """The composition G ∘ other (the stencils convolved)."""
        self._compatible(other)
        result: dict[int, Fraction] = {}
        for k, a in self._exact().items():
            for j, b in other._exact().items():
                result[k + j] = result.get(k + j, Fraction(0)) + a * b
        return self._like(result)

    def __add__(self, other: StencilOperator) -> StencilOperator:
        self._compatible(other)
        result = self._exact()
        for k, c in other._exact().items():
            result[k] = result.get(k, Fraction(0)) + c
        return self._like(result)

    def __neg__(self) -> StencilOperator:
        return self * -1

    def __sub__(self, other: StencilOperator) -> StencilOperator:
        return self + (-other)

    def __mul__(self, scale: float) -> StencilOperator:
        if not isinstance(scale, int | float | Fraction):
            return NotImplemented
        factor = Fraction(scale)
        return self._like({k: factor * c for k, c in self._exact().items()})

    __rmul__ = __mul__

    def __pow__(self, power: int) -> StencilOperator:
        if not isinstance(power, int) or power < 1:
            raise ValueError(f"a stencil's power must be a positive integer, got {power!r}")
        result = self
        for _ in range(power - 1):
            result = result @ self
        return result

    def extra_repr(self) -> str:
        return f"{self.coefficients}, size={self.size}, periodic={self.periodic}"


def central_difference(size: int, spacing: float, periodic: bool = True) -> StencilOperator:
    """∂x ≈ (w_{i+1} − w_{i−1}) / 2h: skew."""
    half = Fraction(1, 2) / Fraction(spacing)
    return StencilOperator({-1: float(-half), 1: float(half)}, size, periodic)


def laplacian(size: int, spacing: float, periodic: bool = True) -> StencilOperator:
    """∂x² ≈ (w_{i+1} − 2w_i + w_{i−1}) / h²: symmetric negative semidefinite."""
    inverse = 1 / Fraction(spacing) ** 2
    return StencilOperator(
        {-1: float(inverse), 0: float(-2 * inverse), 1: float(inverse)}, size, periodic
    )


def finite_difference(u: Tensor, order: int, spacing: float) -> Tensor:
    """D^j u ≈ ∂x^j u on a periodic grid (last axis): D^j = (δ⁺)^⌈j/2⌉ (δ⁻)^⌊j/2⌋.

    δ⁺u_i = (u_{i+1} − u_i)/h and δ⁻u_i = (u_i − u_{i−1})/h, so D¹ = δ⁺, D² = δ⁺δ⁻ the
    centred second difference, D³ = δ⁺δ⁺δ⁻. The grid energies of the energy target use
    them: for a term c/2 (∂x^j u)² of a density, the gradient of Σ_i c/2 ((D^j u)_i)² h
    is c (D^j)ᵀD^j u h = c (−1)^j (δ⁺δ⁻)^j u h, the centred difference of the
    Euler–Lagrange term c (−1)^j ∂x^{2j} u.

    >>> finite_difference(torch.tensor([0.0, 1.0, 4.0, 9.0]), 1, 1.0)
    tensor([ 1.,  3.,  5., -9.])
    """
    if order < 0:
        raise ValueError(f"the order of a difference must be >= 0, got {order}")
    for _ in range((order + 1) // 2):
        u = (torch.roll(u, -1, dims=-1) - u) / spacing
    for _ in range(order // 2):
        u = (u - torch.roll(u, 1, dims=-1)) / spacing
    return u


def identity(size: int, periodic: bool = True) -> StencilOperator:
    """G = I (so −identity(n) is the L² gradient flow of Allen–Cahn)."""
    return StencilOperator({0: 1.0}, size, periodic)


class LearnedSkewStencil(Operator):
    """A learned antisymmetric periodic stencil, c_{−k} = −c_k, c_0 = 0: skew on any
    grid.

    (G w)_i = Σ_{k=1}^{width} c_k (w_{i+k} − w_{i−k}), with c_k = θ_k / spacing so that
    θ of order one gives a first-derivative-like operator.
    """

    kind = SKEW

    def __init__(
        self,
        width: int = 1,
        *,
        spacing: float = 1.0,
        dtype: torch.dtype = torch.float64,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        check_sizes(operator_width=(width, 1))
        self.width = width
        self.spacing = spacing
        self.weights = nn.Parameter(
            torch.randn(width, dtype=dtype, generator=generator) / math.sqrt(width)
        )

    def coefficients(self) -> tuple[tuple[int, ...], Tensor]:
        """Offsets −width..width (without 0) and their coefficients."""
        half = self.weights / self.spacing
        offsets = tuple(range(-self.width, 0)) + tuple(range(1, self.width + 1))
        return offsets, torch.cat([-half.flip(0), half])

    def forward(self, w: Tensor) -> Tensor:
        self._check_input(w)
        offsets, values = self.coefficients()
        return apply_stencil(w, offsets, values)

    def matrix(self, size: int | None = None) -> Tensor:
        offsets, values = self.coefficients()
        return stencil_matrix(offsets, values, self._size(size))


class LearnedDissipativeStencil(Operator):
    """G = −DᵀD with D a learned periodic stencil: negative semidefinite on any grid.

    D = Σ_{k=0}^{width} d_k S^k with d = θ / spacing (width 1 can learn
    D = forward difference, G = the Laplacian). With ``conserve_mass`` the d_k sum to
    zero, so D annihilates constants and Σ_i u_i is conserved as under ∂x².
    """

    kind = DISSIPATIVE

    def __init__(
        self,
        width: int = 1,
        *,
        spacing: float = 1.0,
        conserve_mass: bool = False,
        dtype: torch.dtype = torch.float64,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        check_sizes(operator_width=(width, 1))
        self.width = width
        self.spacing = spacing
        self.conserve_mass = conserve_mass
        self.weights = nn.Parameter(
            torch.randn(width + 1, dtype=dtype, generator=generator) / math.sqrt(width + 1)
        )

    def difference(self) -> tuple[tuple[int, ...], Tensor]:
        """Offsets 0..width and the coefficients d_k of D."""
        d = self.weights / self.spacing
        if self.conserve_mass:
            d = d - d.mean()
        return tuple(range(self.width + 1)), d

    def forward(self, w: Tensor) -> Tensor:
        self._check_input(w)
        offsets, d = self.difference()
        transposed = tuple(-k for k in offsets)
        return -apply_stencil(apply_stencil(w, offsets, d), transposed, d)

    def matrix(self, size: int | None = None) -> Tensor:
        offsets, d = self.difference()
        D = stencil_matrix(offsets, d, self._size(size))
        return -D.T @ D
