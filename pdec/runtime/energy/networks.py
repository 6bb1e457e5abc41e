"""The two network shapes behind energies and vector fields.

* :func:`perceptron` — an MLP on a flat state (ODE systems);
* :func:`grid_network` — a periodic convolution over a stencil of 2·width + 1 points
  followed by pointwise (1 × 1) convolutions: a function of u_{i−w..i+w} at every grid
  point i, the same at every point (translation equivariant), as in DGNet.

Weights are Xavier-normal from ``generator`` (reproducible without touching torch's
global generator), biases zero. :class:`Scaled` is the base of the modules that wrap
them: the network sees standardised states and its output is multiplied by a scale,
both set from data before training (see :meth:`EnergyModel.calibrate
<pdec.runtime.energy.model.EnergyModel.calibrate>`), so that a network initialised for
O(1) inputs and outputs fits data of any magnitude (KdV: u ≈ −8, δH/δu ≈ 200).
"""

from __future__ import annotations

import torch
from torch import nn

from pdec.runtime.network import activation_module
from pdec.runtime.options import check_sizes


class Scaled(nn.Module):
    """network((u − shift)/spread) · output_scale, with buffers (saved in checkpoints)
    that start at shift 0, spread 1, output_scale 1, i.e. the bare network.

    Subclasses set ``self.network`` and ``self._layout(u)``, the network's input
    layout of a batch of states; statistics are per channel: per field on grids, per
    component of flat states. Those whose model uses the network's gradient (energies)
    override :meth:`network_size`.
    """

    def _register_scaling(self, channels: tuple[int, ...], dtype: torch.dtype) -> None:
        self.register_buffer("input_shift", torch.zeros(channels, dtype=dtype))
        self.register_buffer("input_spread", torch.ones(channels, dtype=dtype))
        self.register_buffer("output_scale", torch.ones((), dtype=dtype))

    def _layout(self, u: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _standardize(self, u: torch.Tensor) -> torch.Tensor:
        return (self._layout(u) - self.input_shift) / self.input_spread

    def _apply_network(self, u: torch.Tensor) -> torch.Tensor:
        """The network on standardised input, output scaled."""
        return self.network(self._standardize(u)) * self.output_scale

    @torch.no_grad()
    def network_size(self, u: torch.Tensor) -> torch.Tensor:
        """The root mean square of the bare network's output on the standardised states:
        what calibration divides out, so that the output scale does not depend on how
        large the random initial network happens to be."""
        return self.network(self._standardize(u.detach())).pow(2).mean().sqrt()

    @torch.no_grad()
    def standardize_inputs(self, u: torch.Tensor) -> None:
        """Shift and spread from a batch of states: their mean and standard deviation
        per channel (a spread of 0, a constant channel, is taken as 1)."""
        x = self._layout(u.detach()).to(self.input_shift.dtype)
        reduce = [0] + list(range(2, x.ndim))  # all but the channel axis
        spread = x.std(dim=reduce, keepdim=True)[0]
        self.input_shift.copy_(x.mean(dim=reduce, keepdim=True)[0])
        self.input_spread.copy_(torch.where(spread > 0, spread, torch.ones_like(spread)))


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
    check_sizes(depth=(depth, 1), width=(width, 1))
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
    # depth ≥ 1: the first hidden layer is the stencil convolution
    check_sizes(stencil_width=(stencil_width, 0), width=(hidden, 1), depth=(depth, 1))
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
