"""The operator G of u_t = G ∇H(u), as torch modules with a declared class.

An operator maps a batch of gradients w of shape (B, n) to G w, shape (B, n), and
declares its class ``kind``:

* ``"skew"`` — Gᵀ = −G, so w·G w = 0: H is conserved;
* ``"dissipative"`` — G + Gᵀ ⪯ 0 (negative semidefinite), so w·G w ≤ 0: H does not
  increase (a skew G is dissipative too; ``kind`` names the narrowest class);
* ``"general"`` — nothing is claimed.

:func:`classify` decides the class of a dense matrix numerically, and
:meth:`Operator.check` compares it with the declared one. ``"skew"`` corresponds to
the symbolic classes "skew-adjoint" and "zero" of :mod:`pdec.symbolic.structure`,
``"dissipative"`` to "negative semidefinite" (:func:`from_symbolic`).

This module holds the base class and the dense operators (ODE systems, fields coupled
pointwise); grid stencils are in :mod:`pdec.runtime.energy.stencils`. Learned operators
have their class by construction: A − Aᵀ is skew and −LLᵀ negative semidefinite for
every A and L, so training cannot break it.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from pdec.runtime.energy.errors import StructureError

SKEW = "skew"
DISSIPATIVE = "dissipative"
GENERAL = "general"
KINDS = (SKEW, DISSIPATIVE, GENERAL)


def classify(matrix: Tensor, tol: float | None = None) -> str:
    """The narrowest class of a square matrix G: "skew", "dissipative" or "general".

    Skew when ‖G + Gᵀ‖ ≤ tol·‖G‖, dissipative when the largest eigenvalue of the
    symmetric part (G + Gᵀ)/2 is ≤ tol·‖G‖ (Frobenius norms). The default ``tol`` is
    1000 machine epsilons of the matrix's dtype.

    >>> classify(torch.tensor([[0.0, 1.0], [-1.0, -0.1]]))
    'dissipative'
    >>> classify(torch.tensor([[0.0, 1.0], [-1.0, 0.0]]))
    'skew'
    """
    matrix = torch.as_tensor(matrix).detach()
    if not matrix.is_floating_point():
        matrix = matrix.to(torch.get_default_dtype())
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"classify expects a square matrix, got shape {tuple(matrix.shape)}")
    if tol is None:
        tol = 1000 * torch.finfo(matrix.dtype).eps
    scale = float(torch.linalg.matrix_norm(matrix))
    if scale == 0.0:
        return SKEW
    symmetric = (matrix + matrix.T) / 2
    if float(torch.linalg.matrix_norm(2 * symmetric)) <= tol * scale:
        return SKEW
    if float(torch.linalg.eigvalsh(symmetric).max()) <= tol * scale:
        return DISSIPATIVE
    return GENERAL


def from_symbolic(kind: str) -> str:
    """The class matching a kind of :class:`pdec.symbolic.structure.OperatorStructure`.

    >>> from_symbolic("skew-adjoint"), from_symbolic("negative semidefinite")
    ('skew', 'dissipative')
    """
    return {"skew-adjoint": SKEW, "zero": SKEW, "negative semidefinite": DISSIPATIVE}.get(
        kind, GENERAL
    )


def conforms(declared: str, found: str) -> bool:
    """Whether an operator of class ``found`` has the properties ``declared`` promises.

    >>> conforms("dissipative", "skew"), conforms("skew", "dissipative")
    (True, False)
    """
    if declared not in KINDS or found not in KINDS:
        raise ValueError(f"operator classes are {', '.join(KINDS)}; got {declared!r}, {found!r}")
    return declared == GENERAL or declared == found or (declared, found) == (DISSIPATIVE, SKEW)


class Operator(nn.Module):
    """Base of the operators G: ``forward`` maps (B, n) to (B, n), row-wise G w.

    ``size`` is n, or None for operators defined on grids of any size (learned
    stencils), whose :meth:`matrix` then needs the size.
    """

    kind: str = GENERAL
    size: int | None = None

    def forward(self, w: Tensor) -> Tensor:
        raise NotImplementedError

    def matrix(self, size: int | None = None) -> Tensor:
        """The dense n × n matrix of G (for checks; n² memory).

        This default applies G to the basis vectors; subclasses that can build the
        matrix directly do, so that ``forward`` can be tested against it.
        """
        n = self._size(size)
        basis = torch.eye(n, dtype=self._dtype(), device=self._device())
        return self(basis).T

    def check(self, size: int | None = None, tol: float | None = None) -> str:
        """Classify the dense matrix; raise ``StructureError`` if it is not of the
        declared class. Returns the class found."""
        found = classify(self.matrix(size).detach(), tol)
        if not conforms(self.kind, found):
            raise StructureError(
                f"{type(self).__name__} declares class {self.kind!r} but its matrix is {found!r}"
            )
        return found

    def _size(self, size: int | None) -> int:
        if size is None:
            if self.size is None:
                raise ValueError(f"{type(self).__name__} acts on any grid: give the size")
            return self.size
        if self.size is not None and size != self.size:
            raise ValueError(f"{type(self).__name__} acts on size {self.size}, not {size}")
        return size

    def _check_input(self, w: Tensor) -> None:
        if w.ndim != 2:
            raise ValueError(f"G acts on a batch of flat gradients (B, n); got {tuple(w.shape)}")
        if self.size is not None and w.shape[1] != self.size:
            raise ValueError(f"{type(self).__name__} acts on size {self.size}, got {w.shape[1]}")

    def _dtype(self) -> torch.dtype:
        for tensor in [*self.parameters(), *self.buffers()]:
            if tensor.is_floating_point():
                return tensor.dtype
        return torch.get_default_dtype()

    def _device(self) -> torch.device:
        for tensor in [*self.parameters(), *self.buffers()]:
            return tensor.device
        return torch.device("cpu")


class ConstantMatrix(Operator):
    """A given matrix M: G = M for ODE systems, or G = M ⊗ I for fields on a grid.

    With ``grid_size`` N > 1 the state is F fields of N values each (field-major,
    flattened to n = F·N), and G couples the fields pointwise: (G w)_f = Σ_g M_fg w_g,
    the matrix of the wave equation's [[0, 1], [-1, 0]] δH/δ(q, p). The declared class
    is that of M (:func:`classify`), which M ⊗ I shares.

    >>> G = ConstantMatrix([[0.0, 1.0], [-1.0, -0.1]])  # the pendulum with friction
    >>> G.kind
    'dissipative'
    >>> G(torch.tensor([[1.0, 2.0]], dtype=torch.float64))
    tensor([[ 2.0000, -1.2000]], dtype=torch.float64)
    """

    def __init__(self, matrix, grid_size: int = 1, *, dtype: torch.dtype = torch.float64):
        super().__init__()
        matrix = torch.as_tensor(matrix, dtype=dtype)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"G must be a square matrix, got shape {tuple(matrix.shape)}")
        self.register_buffer("M", matrix)
        self.grid_size = grid_size
        self.size = matrix.shape[0] * grid_size
        self.kind = classify(matrix)

    def forward(self, w: Tensor) -> Tensor:
        self._check_input(w)
        fields = w.reshape(w.shape[0], self.M.shape[0], self.grid_size)
        return torch.einsum("fg,bgn->bfn", self.M, fields).reshape(w.shape)

    def matrix(self, size: int | None = None) -> Tensor:
        self._size(size)
        identity = torch.eye(self.grid_size, dtype=self.M.dtype, device=self.M.device)
        return torch.kron(self.M, identity)


def _square_parameter(
    n: int, std: float, dtype: torch.dtype, generator: torch.Generator | None
) -> nn.Parameter:
    return nn.Parameter(torch.randn(n, n, dtype=dtype, generator=generator) * std)


class LearnedSkew(Operator):
    """G = A − Aᵀ with A learned: skew for every A.

    >>> G = LearnedSkew(3)
    >>> bool((G.matrix() + G.matrix().T).abs().max() == 0)
    True
    """

    kind = SKEW

    def __init__(
        self,
        n: int,
        *,
        std: float | None = None,
        dtype: torch.dtype = torch.float64,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        self.size = n
        self.A = _square_parameter(
            n, 1 / math.sqrt(2 * n) if std is None else std, dtype, generator
        )

    def matrix(self, size: int | None = None) -> Tensor:
        self._size(size)
        return self.A - self.A.T

    def forward(self, w: Tensor) -> Tensor:
        self._check_input(w)
        return w @ self.matrix().T


class LearnedDissipative(Operator):
    """G = −LLᵀ with L learned: symmetric negative semidefinite for every L.

    w·G w = −|Lᵀw|² ≤ 0.
    """

    kind = DISSIPATIVE

    def __init__(
        self,
        n: int,
        *,
        std: float | None = None,
        dtype: torch.dtype = torch.float64,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        self.size = n
        self.L = _square_parameter(n, 1 / math.sqrt(n) if std is None else std, dtype, generator)

    def matrix(self, size: int | None = None) -> Tensor:
        self._size(size)
        return -self.L @ self.L.T

    def forward(self, w: Tensor) -> Tensor:
        self._check_input(w)
        return -(w @ self.L) @ self.L.T


class LearnedSkewPlusDissipative(Operator):
    """G = S − R with S = A − Aᵀ skew and R = LLᵀ positive semidefinite, both learned.

    The port-Hamiltonian form of a damped system: w·G w = −|Lᵀw|² ≤ 0.
    """

    kind = DISSIPATIVE

    def __init__(
        self,
        n: int,
        *,
        std: float | None = None,
        dtype: torch.dtype = torch.float64,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        self.size = n
        self.A = _square_parameter(
            n, 1 / math.sqrt(2 * n) if std is None else std, dtype, generator
        )
        self.L = _square_parameter(n, 1 / math.sqrt(n) if std is None else std, dtype, generator)

    def matrix(self, size: int | None = None) -> Tensor:
        self._size(size)
        return (self.A - self.A.T) - self.L @ self.L.T

    def forward(self, w: Tensor) -> Tensor:
        self._check_input(w)
        return w @ (self.A.T - self.A) - (w @ self.L) @ self.L.T
