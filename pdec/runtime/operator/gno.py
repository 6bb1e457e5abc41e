"""The graph neural operator (Li, Kovachki, Azizzadenesheli, Liu, Bhattacharya, Stuart &
Anandkumar 2020, "Neural Operator: Graph Kernel Network for Partial Differential
Equations"): an operator on functions sampled at scattered points.

    input  points x (batch, N, d) and values a(x) (batch, N, in_channels)
      → lift P: v₀(x) = P [a(x), x], pointwise, to ``width`` channels
      → ``layers`` kernel integrations, one kernel shared by all:
            v ← σ( W v(x) + mean_{y ∈ B(x, r)} κ(x, y, a(x), a(y)) v(y) )
        κ a small network giving a width × width matrix per pair (x, y)
      → project Q: pointwise to ``out_channels``
    output u(x) (batch, N, out_channels)

The mean over the ball B(x, r) is a Monte Carlo estimate of (1/|B|) ∫_B κ v dy. It does
not depend on how many points sample the ball, only on the function, so one set of
weights applies to any point cloud of the same domain: train on 400 points, evaluate on
1,600. The graph is every pair within ``radius`` (each point is its own neighbour),
built per batch element from the pairwise distances.

The kernel's matrices cost edges × width² numbers (float32: 4 bytes each), so the
defaults are small (width 32), and a point keeps at most ``max_neighbours`` (64) of its
neighbours, drawn at random: without a cap, a 64² grid read as a cloud with radius 0.15
has about 290 neighbours a point, 1.2 million pairs and 4.8 GB of matrices per layer's
input. Li et al. use 1,000–2,000 points and a radius that gives tens of neighbours.

>>> gno = GraphNeuralOperator(1, 1, dimension=2, width=8, kernel_width=16, radius=0.3)
>>> x = torch.rand(2, 50, 2); a = torch.randn(2, 50, 1)
>>> gno(x, a).shape
torch.Size([2, 50, 1])
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional


def radius_graph(
    x: Tensor, radius: float, max_neighbours: int | None = None, seed: int = 0
) -> tuple[Tensor, Tensor]:
    """The pairs (i, j) of points of one cloud x (N, d) with |x_i − x_j| ≤ radius, as
    two index tensors (targets i, sources j), each point its own neighbour.

    With ``max_neighbours`` K, a point with more than K neighbours keeps K of them,
    drawn at random (a generator seeded with ``seed``: the same cloud gives the same
    graph). The mean over them is still an unbiased estimate of the mean over the ball,
    so the operator stays the same at any density; the kernel's memory stays at most
    N K width² numbers instead of growing with the density squared."""
    close = torch.cdist(x, x) <= radius
    target, source = close.nonzero(as_tuple=True)  # grouped by target, in order
    if max_neighbours is None:
        return target, source
    # shuffle each target's edges (sort by target + a key in [0, 1)), keep the first K
    keys = torch.rand(len(target), generator=torch.Generator().manual_seed(seed))
    order = torch.argsort(target.to(torch.float64) + keys.to(target.device, torch.float64))
    target, source = target[order], source[order]
    first = torch.searchsorted(target, target)  # where each target's edges begin
    rank = torch.arange(len(target), device=target.device) - first
    keep = rank < max_neighbours
    return target[keep], source[keep]


class KernelIntegral(nn.Module):
    """v(x) ↦ mean_{y ∈ B(x, r)} κ(x, y, a(x), a(y)) v(y), κ(·) ∈ ℝ^{width × width}."""

    def __init__(self, width: int, edge_features: int, kernel_width: int):
        super().__init__()
        self.width = width
        self.kernel = nn.Sequential(
            nn.Linear(edge_features, kernel_width),
            nn.GELU(),
            nn.Linear(kernel_width, kernel_width),
            nn.GELU(),
            nn.Linear(kernel_width, width * width),
        )
        # start near a plain average: the matrices are small at first
        with torch.no_grad():
            self.kernel[-1].weight.mul_(1.0 / width)
            self.kernel[-1].bias.zero_()

    def matrices(self, edges: Tensor) -> Tensor:
        """κ for each pair: (E, width, width) from edges (E, edge_features)."""
        return self.kernel(edges).view(-1, self.width, self.width)

    def forward(self, v: Tensor, matrices: Tensor, target: Tensor, source: Tensor) -> Tensor:
        """v (N, width); ``matrices`` (:meth:`matrices`) for the pairs (target, source)."""
        messages = torch.bmm(matrices, v[source].unsqueeze(-1)).squeeze(-1)
        total = torch.zeros_like(v).index_add_(0, target, messages)
        count = torch.zeros(v.shape[0], 1, dtype=v.dtype, device=v.device)
        count.index_add_(0, target, torch.ones_like(messages[:, :1]))
        return total / count


class GraphNeuralOperator(nn.Module):
    """A GNO from ``in_channels`` to ``out_channels`` on point clouds in ``dimension``
    dimensions; see the module docstring."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        dimension: int = 2,
        width: int = 32,
        kernel_width: int = 64,
        layers: int = 4,
        radius: float = 0.1,
        max_neighbours: int | None = 64,
    ):
        super().__init__()
        if radius <= 0:
            raise ValueError(f"radius={radius!r}: a positive distance")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.dimension, self.radius, self.layers = dimension, float(radius), layers
        self.max_neighbours = max_neighbours
        self.lift = nn.Linear(in_channels + dimension, width)
        # κ sees (x, y, a(x), a(y)): the positions and the input's values at both ends
        self.integral = KernelIntegral(width, 2 * (dimension + in_channels), kernel_width)
        self.skip = nn.Linear(width, width)
        self.project = nn.Sequential(
            nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, out_channels)
        )

    def forward(self, x: Tensor, a: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[-1] != self.dimension:
            raise ValueError(f"points (batch, N, {self.dimension}) expected, got {tuple(x.shape)}")
        if a.shape[:2] != x.shape[:2] or a.shape[-1] != self.in_channels:
            raise ValueError(
                f"values (batch, N, {self.in_channels}) at the points {tuple(x.shape)} "
                f"expected, got {tuple(a.shape)}"
            )
        return torch.stack([self._one(xb, ab) for xb, ab in zip(x, a)])

    def _one(self, x: Tensor, a: Tensor) -> Tensor:
        """One cloud: x (N, d), a (N, in) → (N, out)."""
        target, source = radius_graph(x, self.radius, self.max_neighbours)
        edges = torch.cat([x[target], x[source], a[target], a[source]], dim=-1)
        # one kernel for every layer, on the same pairs: its matrices are computed once
        matrices = self.integral.matrices(edges)
        v = self.lift(torch.cat([a, x], dim=-1))
        for index in range(self.layers):
            v = self.integral(v, matrices, target, source) + self.skip(v)
            if index < self.layers - 1:
                v = functional.gelu(v)
        return self.project(v)

    def extra_repr(self) -> str:
        return f"radius={self.radius}, layers={self.layers}, max_neighbours={self.max_neighbours}"


__all__ = ["GraphNeuralOperator", "KernelIntegral", "radius_graph"]
