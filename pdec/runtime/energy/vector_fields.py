"""Unstructured vector fields f for the neural-ODE baseline u_t = f(u).

No energy and no G: nothing is conserved or dissipated by construction. The shapes
mirror :mod:`pdec.runtime.energy.energies`, so that a baseline is one flag away.
"""

from __future__ import annotations

import torch
from torch import Tensor

from pdec.runtime.energy.networks import Scaled, grid_network, perceptron


class MLPVectorField(Scaled):
    """f(u) = MLP(u) for states of ``n_state`` values; the output has u's shape."""

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
        self.network = perceptron(
            n_state, n_state, depth, width, activation, dtype=dtype, generator=generator
        )
        self._register_scaling((n_state,), dtype)

    def _layout(self, u: Tensor) -> Tensor:
        return u.reshape(u.shape[0], -1)

    def forward(self, u: Tensor) -> Tensor:
        return self._apply_network(u).reshape(u.shape)


class GridVectorField(Scaled):
    """f(u)_i = network(u_{i−k..i+k}) on a periodic grid; the output has u's shape."""

    def __init__(
        self,
        fields: int = 1,
        stencil_width: int = 1,
        hidden: int = 32,
        depth: int = 2,
        activation: str = "tanh",
        *,
        dtype: torch.dtype = torch.float64,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        self.fields = fields
        self.network = grid_network(
            fields,
            fields,
            stencil_width,
            hidden,
            depth,
            activation,
            dtype=dtype,
            generator=generator,
        )
        self._register_scaling((fields, 1), dtype)

    def _layout(self, u: Tensor) -> Tensor:
        return u.reshape(u.shape[0], self.fields, -1)

    def forward(self, u: Tensor) -> Tensor:
        return self._apply_network(u).reshape(u.shape)
