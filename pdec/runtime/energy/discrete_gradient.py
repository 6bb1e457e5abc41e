"""Gradients and discrete gradients of an energy H of a batch of states.

An energy is any callable ``H`` mapping a batch of states ``u`` of shape
``(B, *state_shape)`` to ``(B,)``, each state independently of the others (no batch
normalisation); a network is fine. Dot products below are over the flattened state.

A *discrete gradient* ∇̄H(u1, u0) is a map with

    H(u1) − H(u0) = ∇̄H(u1, u0) · (u1 − u0)       (the discrete chain rule)
    ∇̄H(u, u) = ∇H(u)                             (consistency).

With it the scheme (u1 − u0)/Δt = G ∇̄H(u1, u0) inherits the energy behaviour of
u_t = G ∇H exactly in discrete time: H(u1) − H(u0) = Δt ∇̄H·G∇̄H, which is zero when G
is skew and ≤ 0 when G is negative semidefinite.

Matsubara, Ishikawa & Yaguchi (NeurIPS 2020, DGNet) obtain a discrete gradient of a
network by *automatic discrete differentiation*, a discrete analogue of backpropagation
through the layers. That is the reference; pdec uses Gonzalez's midpoint discrete
gradient (J. Nonlinear Sci. 1996) instead, :func:`discrete_gradient`, because it needs
only H and ∇H (one forward pass at three states and one backward pass), so it applies to
any differentiable H, generated or hand-written, without a per-layer rule. The
coordinate-increment (Itoh–Abe 1988) discrete gradient is :func:`itoh_abe_gradient`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

Energy = Callable[[Tensor], Tensor]


def energy_gradient(H: Energy, u: Tensor, *, create_graph: bool | None = None) -> Tensor:
    """∇H(u) by automatic differentiation, in the shape of ``u``.

    ``create_graph`` (default: whether grad mode is on where this is called) keeps the
    graph, so that a loss built from ∇H can be differentiated with respect to H's
    parameters (training) or to ``u`` (Newton's method).

    >>> H = lambda u: 0.5 * (u**2).sum(dim=1)
    >>> energy_gradient(H, torch.tensor([[1.0, -2.0]]), create_graph=False)
    tensor([[ 1., -2.]])
    """
    if create_graph is None:
        create_graph = torch.is_grad_enabled()
    with torch.enable_grad():
        x = u if u.requires_grad else u.detach().requires_grad_(True)
        energy = H(x)
        if not energy.requires_grad:  # H does not depend on u at all
            return torch.zeros_like(u)
        (gradient,) = torch.autograd.grad(
            energy.sum(), x, create_graph=create_graph, allow_unused=True
        )
    return torch.zeros_like(u) if gradient is None else gradient


def discrete_gradient(
    H: Energy,
    u1: Tensor,
    u0: Tensor,
    *,
    create_graph: bool | None = None,
    roundoff: float = 64.0,
) -> Tensor:
    """Gonzalez's midpoint discrete gradient ∇̄H(u1, u0), in the shape of the states.

    With m = (u0 + u1)/2 and Δ = u1 − u0,

        ∇̄H(u1, u0) = ∇H(m) + [(H(u1) − H(u0) − ∇H(m)·Δ) / |Δ|²] Δ.

    The chain rule holds by construction, whatever H is: the dot product with Δ is
    ∇H(m)·Δ + (H(u1) − H(u0) − ∇H(m)·Δ) = H(u1) − H(u0). The correction is O(|Δ|²)
    (the midpoint rule's error in H(u1) − H(u0) is O(|Δ|³)), so ∇̄H(u, u) = ∇H(u).

    In floating point, H(u1) − H(u0) carries a rounding error ε of order
    eps·(|H(u1)| + |H(u0)|), and any discrete gradient that reproduces it exactly has
    a component ε/|Δ| along Δ, which grows without bound as the steps shrink (near an
    equilibrium of a dissipative flow) and would keep an implicit solve from
    converging. So the defect d = H(u1) − H(u0) − ∇H(m)·Δ enters with the weight
    w = d⁴/(d⁴ + τ⁴), τ = ``roundoff``·eps·(|H(u1)| + |H(u0)| + Σ|∇H(m)ᵢΔᵢ|): w = 1
    where d is well above round-off and the formula above is used unchanged, w ≈ 0
    where d is round-off noise. The chain rule then holds to within 0.6·τ, that is,
    to round-off. Where |Δ|² ≤ eps·(1 + |m|²), ∇H(m) is returned (the identity then
    holds to O(|Δ|³) = O(eps^1.5)). Both guards keep gradients finite.

    ``create_graph`` (default: whether grad mode is on) keeps the result
    differentiable with respect to H's parameters and to ``u1``, ``u0``.

    >>> H = lambda u: (u**4).sum(dim=1) / 4
    >>> u0, u1 = torch.tensor([[1.0, 0.0]]), torch.tensor([[2.0, 1.0]])
    >>> g = discrete_gradient(H, u1, u0, create_graph=False)
    >>> float(H(u1) - H(u0)), float((g * (u1 - u0)).sum())
    (4.0, 4.0)
    """
    if u1.shape != u0.shape:
        raise ValueError(f"states of different shapes: u1 {tuple(u1.shape)}, u0 {tuple(u0.shape)}")
    eps = torch.finfo(u0.dtype).eps
    batch = u0.shape[0]
    midpoint = (u0 + u1) / 2
    grad_midpoint = energy_gradient(H, midpoint, create_graph=create_graph).reshape(batch, -1)
    energies = H(torch.cat([u1, u0]))
    delta = (u1 - u0).reshape(batch, -1)
    products = grad_midpoint * delta
    defect = (energies[:batch] - energies[batch:]) - products.sum(dim=1)
    tau = roundoff * eps * (energies[:batch].abs() + energies[batch:].abs() + products.abs().sum(1))
    squared = (delta * delta).sum(dim=1)
    small = squared <= eps * (1 + midpoint.reshape(batch, -1).pow(2).sum(dim=1))
    noise = small | (defect == 0)
    # Substitute harmless values where a branch is not taken, so that no 0/0 or ∞
    # reaches backward; (τ/d)⁴ is capped at 1e32 (w ≈ 1e-32).
    ratio = (tau / torch.where(noise, 1.0, defect)).abs().clamp(max=1e8)
    weight = torch.where(noise, 0.0, 1 / (1 + ratio**4))
    coefficient = weight * defect / torch.where(small, 1.0, squared)
    return (grad_midpoint + coefficient[:, None] * delta).reshape(u0.shape)


def itoh_abe_gradient(
    H: Energy,
    u1: Tensor,
    u0: Tensor,
    *,
    create_graph: bool | None = None,
    threshold: float | None = None,
) -> Tensor:
    """The Itoh–Abe (coordinate increment) discrete gradient.

    With v_i the state whose first i coordinates are those of u1 and the others those
    of u0 (v_0 = u0, v_n = u1),

        ∇̄H(u1, u0)_i = (H(v_i) − H(v_{i−1})) / (u1_i − u0_i),

    so the chain rule telescopes: Σ_i ∇̄H_i Δ_i = H(u1) − H(u0). Where
    |Δ_i| ≤ threshold·(1 + |u0_i| + |u1_i|) (default: the square root of the machine
    epsilon) the partial derivative ∂_iH at the middle of that segment is used. It
    costs n + 1 evaluations of H per state (one batched call), so it suits small
    states; it is not symmetric in (u1, u0).

    >>> H = lambda u: (u**4).sum(dim=1) / 4 + u.prod(dim=1)
    >>> u0, u1 = torch.tensor([[1.0, 0.0]]), torch.tensor([[2.0, 1.0]])
    >>> g = itoh_abe_gradient(H, u1, u0, create_graph=False)
    >>> float(H(u1) - H(u0)), float((g * (u1 - u0)).sum())
    (6.0, 6.0)
    """
    if u1.shape != u0.shape:
        raise ValueError(f"states of different shapes: u1 {tuple(u1.shape)}, u0 {tuple(u0.shape)}")
    if threshold is None:
        threshold = torch.finfo(u0.dtype).eps ** 0.5
    batch, shape = u0.shape[0], u0.shape[1:]
    a, b = u0.reshape(batch, -1), u1.reshape(batch, -1)
    n = a.shape[1]
    # path[:, i] = v_i: coordinates j < i from u1, the rest from u0.
    taken = (
        torch.arange(n, device=a.device)[None, :] < torch.arange(n + 1, device=a.device)[:, None]
    )
    path = torch.where(taken, b[:, None, :], a[:, None, :])
    energies = H(path.reshape(batch * (n + 1), *shape)).reshape(batch, n + 1)
    delta = b - a
    small = delta.abs() <= threshold * (1 + a.abs() + b.abs())
    quotient = (energies[:, 1:] - energies[:, :-1]) / torch.where(small, 1.0, delta)
    if not bool(small.any()):
        return quotient.reshape(u0.shape)
    # Partial derivatives at the middles of the segments v_{i-1} → v_i.
    middles = torch.where(taken[1:], b[:, None, :], a[:, None, :])
    middles = middles + torch.diag_embed((a - b) / 2)
    partials = energy_gradient(
        H, middles.reshape(batch * n, *shape), create_graph=create_graph
    ).reshape(batch, n, n)
    return torch.where(small, partials.diagonal(dim1=1, dim2=2), quotient).reshape(u0.shape)
