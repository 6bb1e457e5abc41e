"""Learned energies H: a batch of states (B, *state_shape) → (B,).

* :class:`MLPEnergy` — ODE systems: H(u) = MLP(u).
* :class:`GridEnergy` — fields on a periodic 1-D grid, the DGNet energy: a density
  h(u_{i−k..i+k}) computed by a network at every grid point, integrated by the
  rectangle rule (spectrally accurate for periodic functions):

      H(u) = Σ_i h(u_{i−k}, …, u_{i+k}) Δx.

  Translation invariant by construction, and defined on any grid size.
"""

from __future__ import annotations

import torch
from torch import Tensor

from pdec.runtime.energy.networks import Scaled, grid_network, perceptron


class ScaledEnergy(Scaled):
    """A :class:`~pdec.runtime.energy.networks.Scaled` energy: the model uses its
    gradient, so its size is that of the gradient."""

    def network_size(self, u: Tensor) -> Tensor:
        """The root mean square of ∇ of the bare network's output (summed over the grid)
        with respect to the standardised state: the size of the ∇H it gives."""
        with torch.enable_grad():
            x = self._standardize(u.detach()).requires_grad_()
            (gradient,) = torch.autograd.grad(self.network(x).sum(), x)
        return gradient.pow(2).mean().sqrt().detach()


class MLPEnergy(ScaledEnergy):
    """H(u) = MLP(u) for states of ``n_state`` values (any shape, flattened).

    >>> H = MLPEnergy(2, depth=2, width=8, generator=torch.Generator().manual_seed(0))
    >>> H(torch.zeros(5, 2, dtype=torch.float64)).shape
    torch.Size([5])
    """

    def __init__(
        self,
        n_state: int,
        depth: int = 2,
        width: int = 64,
        activation: str = "tanh",
        *,
        dtype: torch.dtype = torch.float64,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        self.n_state = n_state
        self.network = perceptron(
            n_state, 1, depth, width, activation, dtype=dtype, generator=generator
        )
        self._register_scaling((n_state,), dtype)

    def _layout(self, u: Tensor) -> Tensor:
        flat = u.reshape(u.shape[0], -1)
        if flat.shape[1] != self.n_state:
            raise ValueError(
                f"MLPEnergy expects states of {self.n_state} values, got {flat.shape[1]}"
            )
        return flat

    def forward(self, u: Tensor) -> Tensor:
        return self._apply_network(u).squeeze(-1)


class GridEnergy(ScaledEnergy):
    """H(u) = Σ_i h(u_{i−k..i+k}) Δx on a periodic grid (k = ``stencil_width``).

    States are (B, N) for one field, or (B, fields, N), or flat (B, fields·N)
    field-major. h is :func:`~pdec.runtime.energy.networks.grid_network` with
    ``depth`` hidden layers of ``hidden`` channels.

    >>> H = GridEnergy(fields=1, stencil_width=1, hidden=8, spacing=0.1)
    >>> u = torch.randn(3, 16, dtype=torch.float64)
    >>> torch.allclose(H(u), H(torch.roll(u, 5, dims=1)))  # translation invariant
    True
    """

    def __init__(
        self,
        fields: int = 1,
        stencil_width: int = 1,
        hidden: int = 32,
        depth: int = 2,
        spacing: float = 1.0,
        activation: str = "tanh",
        *,
        dtype: torch.dtype = torch.float64,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        self.fields = fields
        self.spacing = spacing
        self.network = grid_network(
            fields, 1, stencil_width, hidden, depth, activation, dtype=dtype, generator=generator
        )
        self._register_scaling((fields, 1), dtype)

    def _layout(self, u: Tensor) -> Tensor:
        return u.reshape(u.shape[0], self.fields, -1)

    def density(self, u: Tensor) -> Tensor:
        """h at every grid point: (B, N)."""
        return self._apply_network(u).squeeze(1)

    def forward(self, u: Tensor) -> Tensor:
        return self.density(u).sum(dim=-1) * self.spacing
