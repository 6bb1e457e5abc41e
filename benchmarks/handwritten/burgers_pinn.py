"""A hand-written PyTorch PINN for viscous Burgers: the baseline of benchmarks/speed_burgers.py.

    u_t + u u_x = ν u_xx,  ν = 0.01/π,  t ∈ [0, 1], x ∈ [-1, 1]
    u(0, x) = −sin(πx),  u(t, ±1) = 0

What a competent user writes by hand (Raissi et al. 2019, in PyTorch): an MLP on the
inputs scaled onto [-1, 1] (tanh, Xavier-normal weights, zero biases), derivatives by
nested ``torch.autograd.grad`` — u_t and u_x from one backward pass, u_xx from a second
— and the loss Σ mean(residual²) over the interior, initial and boundary points,
minimised with Adam. The network has the same layout as pdec's (``network`` is an
``nn.Sequential`` of Linear and Tanh, built the same way), so weights copy across.

>>> generator = torch.Generator().manual_seed(0)
>>> model = BurgersPinn(depth=2, width=8, generator=generator)
>>> points = sample_points(200, 50, 50, generator)
>>> optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
>>> first = train_step(model, optimizer, points)
>>> bool(train_step(model, optimizer, points) < first)
True
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import Tensor, nn

NU = 0.01 / math.pi
T_RANGE = (0.0, 1.0)
X_RANGE = (-1.0, 1.0)


class Points(NamedTuple):
    """1-D tensors of t and x for each term; the interior ones require gradients."""

    interior: tuple[Tensor, Tensor]
    initial: tuple[Tensor, Tensor]
    boundary: tuple[Tensor, Tensor]

    @classmethod
    def from_arrays(cls, interior, initial, boundary, dtype=torch.float32) -> Points:
        """From (t, x) pairs of arrays or tensors, cast to ``dtype``."""

        def pair(t, x, grad=False):
            return tuple(
                torch.as_tensor(v).to(dtype).detach().clone().requires_grad_(grad) for v in (t, x)
            )

        return cls(pair(*interior, grad=True), pair(*initial), pair(*boundary))


def sample_points(interior: int, initial: int, boundary: int, generator: torch.Generator) -> Points:
    """Uniform random points: inside, on t = 0, and on x = ±1 (half on each side)."""

    def uniform(n, lo, hi):
        return lo + (hi - lo) * torch.rand(n, generator=generator, dtype=torch.float64)

    left = boundary // 2
    walls_x = torch.cat([torch.full((left,), -1.0), torch.full((boundary - left,), 1.0)])
    return Points.from_arrays(
        (uniform(interior, *T_RANGE), uniform(interior, *X_RANGE)),
        (torch.zeros(initial), uniform(initial, *X_RANGE)),
        (uniform(boundary, *T_RANGE), walls_x),
    )


class BurgersPinn(nn.Module):
    """u(t, x) as a tanh MLP with ``depth`` hidden layers of ``width`` units."""

    def __init__(
        self,
        depth: int = 8,
        width: int = 20,
        generator: torch.Generator | None = None,
        dtype: torch.dtype = torch.float32,
    ):
        super().__init__()
        sizes = [2] + [width] * depth + [1]
        layers: list[nn.Module] = []
        for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            linear = nn.Linear(a, b, dtype=torch.float64)
            nn.init.xavier_normal_(linear.weight, generator=generator)
            nn.init.zeros_(linear.bias)
            layers.append(linear)
            if k < depth:
                layers.append(nn.Tanh())
        self.network = nn.Sequential(*layers).to(dtype)
        self.register_buffer("lower", torch.tensor([T_RANGE[0], X_RANGE[0]], dtype=dtype))
        self.register_buffer(
            "span", torch.tensor([T_RANGE[1] - T_RANGE[0], X_RANGE[1] - X_RANGE[0]], dtype=dtype)
        )

    def forward(self, t: Tensor, x: Tensor) -> Tensor:
        """u at the points (t[k], x[k]), as a 1-D tensor."""
        z = torch.stack([t, x], dim=1)
        return self.network(2 * ((z - self.lower) / self.span) - 1)[:, 0]

    def residuals(self, points: Points) -> dict[str, Tensor]:
        """The PDE, initial and boundary residuals at their points."""
        t, x = points.interior
        u = self(t, x)
        ones = torch.ones_like(u)
        u_t, u_x = torch.autograd.grad(u, (t, x), ones, create_graph=True)
        (u_xx,) = torch.autograd.grad(u_x, x, ones, create_graph=True)
        t0, x0 = points.initial
        return {
            "momentum": u_t + u * u_x - NU * u_xx,
            "start": self(t0, x0) + torch.sin(math.pi * x0),
            "walls": self(*points.boundary),
        }

    def loss(self, points: Points) -> Tensor:
        """Σ over the terms of the mean squared residual."""
        return sum(r.square().mean() for r in self.residuals(points).values())


def train_step(model: BurgersPinn, optimizer: torch.optim.Optimizer, points: Points) -> Tensor:
    """One optimizer update on the full loss; returns the loss before it."""
    optimizer.zero_grad(set_to_none=True)
    loss = model.loss(points)
    loss.backward()
    optimizer.step()
    return loss.detach()
