"""The two network shapes behind energies and vector fields.

* :func:`perceptron` — an MLP on a flat state (ODE systems);
* :func:`grid_network` — a periodic convolution over a stencil of 2·width + 1 points
  followed by pointwise (1 × 1) convolutions: a function of u_{i−w..i+w} at every grid
  point i, the same at every point (translation equivariant), as in DGNet.

Weights are Xavier-normal from ``generator`` (reproducible without touching torch's
global generator), biases zero.
"""

from __future__ import annotations

import torch
from torch import nn

from pdec.runtime.network import activation_module


def _initialize(module: nn.Module, generator: torch.Generator | None) -> None:
    for layer in module.modules():
        if isinstance(layer, nn.Linear | nn.Conv1d):
            nn.init.xavier_normal_(layer.weight, generator=generator)
            nn.init.zeros_(layer.bias)


def perceptron(
    inputs: int,
    outputs: int,
    depth: int,
    width: int,
    activation: str = "tanh",
    *,
    dtype: torch.dtype = torch.float64,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """``depth`` hidden layers of ``width`` units: (B, inputs) → (B, outputs)."""
    sizes = [inputs] + [width] * depth + [outputs]
    layers: list[nn.Module] = []
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b, dtype=dtype))
        if k < depth:
            layers.append(activation_module(activation))
    network = nn.Sequential(*layers)
    _initialize(network, generator)
    return network


def grid_network(
    fields: int,
    outputs: int,
    stencil_width: int,
    hidden: int,
    depth: int,
    activation: str = "tanh",
    *,
    dtype: torch.dtype = torch.float64,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """(B, fields, N) → (B, outputs, N) on a periodic grid.

    The first of the ``depth`` hidden layers is the stencil convolution (kernel
    2·stencil_width + 1, circular padding); the others and the output are pointwise.
    """
    if depth < 1:
        raise ValueError(f"a grid network needs depth >= 1 (the stencil layer), got {depth}")
    layers: list[nn.Module] = [
        nn.Conv1d(
            fields,
            hidden,
            2 * stencil_width + 1,
            padding=stencil_width,
            padding_mode="circular",
            dtype=dtype,
        ),
        activation_module(activation),
    ]
    for _ in range(depth - 1):
        layers += [nn.Conv1d(hidden, hidden, 1, dtype=dtype), activation_module(activation)]
    layers.append(nn.Conv1d(hidden, outputs, 1, dtype=dtype))
    network = nn.Sequential(*layers)
    _initialize(network, generator)
    return network
