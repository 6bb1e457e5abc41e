"""Pointwise derivatives for residuals, the one helper generated code calls."""

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
