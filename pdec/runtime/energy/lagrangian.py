"""Lagrangian neural networks (Cranmer et al. 2020): the accelerations of a Lagrangian.

For L(q, q̇) the Euler–Lagrange equations d/dt ∂L/∂q̇ = ∂L/∂q read

    q̈ = (∇_q̇ ∇_q̇ᵀ L)⁻¹ [∇_q L − (∇_q ∇_q̇ᵀ L) q̇],

with ∂²L/∂q̇∂q̇ᵀ the mass matrix. :func:`acceleration` computes this for any L given as
a batched function of states (q, q̇) — a network or a closed form. The Hessians are
taken by reverse mode over the whole batch at once: states are independent, so one
backward pass of Σ_b L_b gives every state's gradient, and one more per coordinate a
row of every state's Hessian (n + 1 passes in all, for n coordinates): no per-state
loop and no vmap, which suits the small n of mechanics. Forward-over-reverse Hessians
(``vmap(jacfwd(grad(L)))`` of torch.func) give the same q̈ (to 7e-18) but a training
step's forward and backward took 3.3× as long (49 ms against 15 ms: double pendulum,
batch 200, a 3×128 network, one CPU thread, torch 2.13).
:class:`LagrangianNetwork` is a learned L = MLP(q, q̇); :func:`energy` is
E = q̇·∂L/∂q̇ − L, which the exact flow conserves.

The energy target's ``mode="lnn"`` (:class:`~pdec.runtime.energy.model.EnergyModel`)
steps (RK4), trains and judges any such L: the generated module of a spec with
``lagrangian L = learned`` passes a :class:`LagrangianNetwork`, one with a closed-form
L (unknown constants learned) its printed formula.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from pdec.runtime.energy.networks import Scaled, perceptron
from pdec.runtime.errors import OptionsError

Lagrangian = Callable[[Tensor, Tensor], Tensor]  # (q (B, n), q̇ (B, n)) → L (B,)


def acceleration(lagrangian: Lagrangian, q: Tensor, v: Tensor) -> Tensor:
    """q̈ for states q, v shaped (B, n): the Euler–Lagrange equations solved per state.

    >>> L = lambda q, v: (v**2).sum(-1) / 2 - (q**2).sum(-1) / 2  # harmonic oscillator
    >>> q = torch.tensor([[0.5]], dtype=torch.float64); v = torch.zeros_like(q)
    >>> acceleration(L, q, v).detach()
    tensor([[-0.5000]], dtype=torch.float64)
    """
    with torch.enable_grad():
        if not q.requires_grad:
            q = q.detach().requires_grad_()
        if not v.requires_grad:
            v = v.detach().requires_grad_()
        # the states are independent, so one backward pass of Σ_b L_b gives every
        # state's gradient, and one more per coordinate a row of every Hessian
        force, momentum = torch.autograd.grad(
            lagrangian(q, v).sum(), (q, v), create_graph=True, materialize_grads=True
        )
        rows = [
            torch.autograd.grad(
                momentum[:, i].sum(), (v, q), create_graph=True, materialize_grads=True
            )
            for i in range(q.shape[-1])
        ]  # materialize: a term of L without q (or without q̇) has a zero block, not None
    mass = torch.stack([row[0] for row in rows], dim=-2)  # [b, i, j] = ∂²L/∂q̇_i∂q̇_j
    mixed = torch.stack([row[1] for row in rows], dim=-2)  # [b, i, j] = ∂²L/∂q̇_i∂q_j
    rhs = force - (mixed @ v.unsqueeze(-1)).squeeze(-1)
    # a singular mass matrix leaves q̈ undetermined: NaN there (no host sync), which a
    # training step reports as divergence and a rollout as a failed step
    solution, info = torch.linalg.solve_ex(mass, rhs)
    return solution.masked_fill((info != 0).unsqueeze(-1), float("nan"))


def energy(lagrangian: Lagrangian, q: Tensor, v: Tensor) -> Tensor:
    """E = q̇·∂L/∂q̇ − L for states (B, n) → (B,)."""
    with torch.enable_grad():
        if not v.requires_grad:
            v = v.detach().requires_grad_()
        value = lagrangian(q, v)
        (momentum,) = torch.autograd.grad(value.sum(), v, create_graph=True)
    return (v * momentum).sum(-1) - value


class LagrangianNetwork(Scaled):
    """L(q, q̇) = MLP(q, q̇) for ``n`` coordinates; states u = (q, q̇) shaped (B, 2n).

    As a :class:`~pdec.runtime.energy.networks.Scaled` network it sees x = (q, q̇)
    standardised by the data's mean and spread (set by calibration), and

        L = ½ |x_q̇|² + MLP(x),

    with x_q̇ the standardised velocities. The first term is a reparametrisation, not a
    constraint (any L is ½|x_q̇|² plus the rest): it starts the mass matrix near the
    identity. A bare random MLP's mass matrix is indefinite and singular on whole
    surfaces of the state space, so its first accelerations are huge or undefined (the
    double pendulum: a first loss 180 times that of predicting q̈ = 0, and singular
    matrices within the first RK4 step at width 64); with the term the first loss is
    about 1. The output scale is left at 1: q̈ is invariant under L → cL.

    The mass matrix is L's Hessian in q̇, so the activation needs a second derivative
    that does not vanish: softplus (Cranmer et al.'s choice, the default). A tanh
    network with zero biases has a singular mass matrix at the origin; relu has none.

    >>> L = LagrangianNetwork(2, depth=2, width=16,
    ...                       generator=torch.Generator().manual_seed(0))
    >>> q = torch.zeros(3, 2, dtype=torch.float64)
    >>> L(q, q).shape, acceleration(L, q, q).shape
    (torch.Size([3]), torch.Size([3, 2]))
    """

    def __init__(
        self,
        n: int,
        depth: int = 3,
        width: int = 128,
        activation: str = "softplus",
        *,
        dtype: torch.dtype = torch.float64,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        if activation == "relu":
            raise OptionsError(
                "an LNN needs a smooth activation: relu has no second derivative "
                "(use softplus, the default, or tanh)"
            )
        self.n = n
        self.network = perceptron(
            2 * n, 1, depth, width, activation, dtype=dtype, generator=generator
        )
        self._register_scaling((2 * n,), dtype)

    def _layout(self, u: Tensor) -> Tensor:
        return u.reshape(u.shape[0], -1)

    def lagrangian(self, q: Tensor, v: Tensor) -> Tensor:
        """L of states q, q̇ shaped (B, n): (B,)."""
        x = self._standardize(torch.cat([q, v], dim=-1))
        kinetic = x[:, self.n :].pow(2).sum(-1) / 2
        return kinetic + self.network(x).squeeze(-1) * self.output_scale

    def forward(self, q: Tensor, v: Tensor) -> Tensor:
        return self.lagrangian(q, v)


__all__ = ["LagrangianNetwork", "acceleration", "energy"]
