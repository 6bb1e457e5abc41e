"""Explicit one-step integrators of u_t = f(u): the HNN and NODE steps, and the first
guess of the implicit discrete-gradient step."""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor

VectorField = Callable[[Tensor], Tensor]


def rk4_step(f: VectorField, u: Tensor, dt: float) -> Tensor:
    """The classical fourth-order Runge–Kutta step.

    >>> import torch
    >>> rk4_step(lambda u: -u, torch.tensor([1.0]), 0.1)  # e^{-0.1} = 0.904837418...
    tensor([0.9048])
    """
    k1 = f(u)
    k2 = f(u + dt / 2 * k1)
    k3 = f(u + dt / 2 * k2)
    k4 = f(u + dt * k3)
    return u + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def midpoint_step(f: VectorField, u: Tensor, dt: float) -> Tensor:
    """The explicit midpoint (second-order Runge) step: u + Δt f(u + Δt/2 f(u)).

    Second order, like the discrete-gradient scheme, so as a first guess for it the
    error is O(Δt³) for two evaluations of f.
    """
    return u + dt * f(u + dt / 2 * f(u))
