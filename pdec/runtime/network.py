"""The network of a PINN: input embedding, optional Fourier features, then an MLP.

The embedding turns each network input into features the MLP sees:

* an input in ``periodic`` (range lo..hi) becomes cos and sin of 2π(z - lo)/(hi - lo),
  so the network is exactly periodic in it;
* any other input is scaled affinely from its ``bounds`` onto [-1, 1].

With ``fourier_features = m > 0`` the embedded vector e is then mapped to
[cos(2π B e), sin(2π B e)] with B an (m, len(e)) matrix of N(0, scale²) entries
(Tancik et al. 2020), fixed at construction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
from torch import Tensor, nn

ACTIVATIONS = ("tanh", "sin", "gelu", "silu", "relu", "softplus")


class Sine(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return torch.sin(x)


def activation_module(name: str) -> nn.Module:
    modules = {
        "tanh": nn.Tanh,
        "sin": Sine,
        "gelu": nn.GELU,
        "silu": nn.SiLU,
        "relu": nn.ReLU,
        "softplus": nn.Softplus,  # the LNN's: its second derivative is nowhere 0
    }
    if name not in modules:
        raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}")
    return modules[name]()


class Embedding(nn.Module):
    """Scale or periodically embed the network inputs, stacked in ``names`` order."""

    def __init__(
        self,
        names: tuple[str, ...],
        bounds: Mapping[str, tuple[float, float]],
        periodic: Mapping[str, tuple[float, float]],
        fourier_features: int = 0,
        fourier_scale: float = 1.0,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        missing = [name for name in names if name not in bounds and name not in periodic]
        if missing:
            raise ValueError(
                f"network inputs {missing} have no range: give them in input_bounds or periodic"
            )
        self.names = tuple(names)
        self.periodic = tuple(name in periodic for name in names)
        ranges = [periodic[name] if name in periodic else bounds[name] for name in names]
        lo = torch.tensor([float(a) for a, _ in ranges], dtype=torch.float64)
        width = torch.tensor([float(b) - float(a) for a, b in ranges], dtype=torch.float64)
        if (width <= 0).any():
            raise ValueError(f"network input ranges must be non-empty: {dict(zip(names, ranges))}")
        self.register_buffer("lo", lo)
        self.register_buffer("width", width)
        size = len(names) + sum(self.periodic)
        if fourier_features > 0:
            frequencies = torch.randn(
                fourier_features, size, generator=generator, dtype=torch.float64
            )
            self.register_buffer("frequencies", fourier_scale * frequencies)
            size = 2 * fourier_features
        else:
            self.register_buffer("frequencies", None)
        self.size = size

    def forward(self, z: Tensor) -> Tensor:
        """(n, len(names)) inputs -> (n, size) features."""
        unit = (z - self.lo) / self.width
        columns = []
        for k, periodic in enumerate(self.periodic):
            if periodic:
                angle = (2 * math.pi) * unit[:, k]
                columns += [torch.cos(angle), torch.sin(angle)]
            else:
                columns.append(2 * unit[:, k] - 1)
        features = torch.stack(columns, dim=1)
        if self.frequencies is not None:
            projected = (2 * math.pi) * features @ self.frequencies.T
            features = torch.cat([torch.cos(projected), torch.sin(projected)], dim=1)
        return features


def multilayer_perceptron(
    inputs: int, outputs: int, depth: int, width: int, activation: str, generator: torch.Generator
) -> nn.Sequential:
    """``depth`` hidden layers of ``width`` units; Xavier-normal weights, zero biases."""
    sizes = [inputs] + [width] * depth + [outputs]
    layers: list[nn.Module] = []
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        # skip_init: no draw from torch's global generator; ours initializes below
        linear = nn.utils.skip_init(nn.Linear, a, b, dtype=torch.float64)
        nn.init.xavier_normal_(linear.weight, generator=generator)
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if k < depth:
            layers.append(activation_module(activation))
    return nn.Sequential(*layers)
