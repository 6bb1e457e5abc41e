"""Pointwise derivatives for residuals, the helpers generated code calls.

``derivatives(u, (t, x))`` gives u_t and u_x from one backward pass; two
``derivative`` calls would take two (and their double backward in training costs as
much again): generated code groups the derivatives of one parent.
"""

from __future__ import annotations

import torch
from torch import Tensor


def derivative(y: Tensor, x: Tensor) -> Tensor:
    """dy/dx at every point of a batch, keeping the graph for higher derivatives.

    ``y`` and ``x`` are 1-D tensors of the same length where ``y[k]`` depends only on
    the ``k``-th point, so summing ``y`` before differentiating gives each ``dy_k/dx_k``.
    When ``y`` does not depend on ``x`` the result is zeros, not None.

    >>> x = torch.linspace(0, 1, 5, dtype=torch.float64, requires_grad=True)
    >>> y = x**3
    >>> y_x = derivative(y, x)
    >>> torch.allclose(derivative(y_x, x), 6 * x)
    True
    """
    if not y.requires_grad:
        return torch.zeros_like(x)
    (dy,) = torch.autograd.grad(
        y, x, grad_outputs=torch.ones_like(y), create_graph=True, allow_unused=True
    )
    return torch.zeros_like(x) if dy is None else dy


def derivatives(y: Tensor, xs: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    """(dy/dx for x in xs), pointwise as :func:`derivative`, from one autograd call.

    >>> t = torch.linspace(0, 1, 4, dtype=torch.float64, requires_grad=True)
    >>> x = torch.linspace(1, 2, 4, dtype=torch.float64, requires_grad=True)
    >>> y_t, y_x = derivatives(t**2 * x, (t, x))
    >>> torch.allclose(y_t, 2 * t * x), torch.allclose(y_x, t**2)
    (True, True)
    """
    if not y.requires_grad:
        return tuple(torch.zeros_like(x) for x in xs)
    grads = torch.autograd.grad(
        y, xs, grad_outputs=torch.ones_like(y), create_graph=True, allow_unused=True
    )
    return tuple(torch.zeros_like(x) if g is None else g for x, g in zip(xs, grads))
