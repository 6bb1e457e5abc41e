"""Adaptive loss weights: learning-rate annealing (Wang, Teng & Perdikaris 2021).

For each non-pde term i, from the gradients of the losses with respect to the
network parameters θ:

    ŵ_i = max |∇θ L_pde| / mean |∇θ L_i|,      w_i ← (1 - α) w_i + α ŵ_i

where L_pde is the weighted sum of the pde terms, whose weights stay fixed. Terms
whose gradient is zero (or not finite) keep their weight. In a run of several
processes ``average`` takes each gradient's mean over ranks first (each rank's terms
are weighed by its share), so that every rank computes the same new weights.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


def _gradient(loss: Tensor, parameters: list[Tensor], average: Callable[[Tensor], Tensor]):
    gradients = torch.autograd.grad(loss, parameters, retain_graph=True, allow_unused=True)
    flat = [g.reshape(-1) for g in gradients if g is not None]
    return average(torch.cat(flat)).abs() if flat else torch.zeros(1)


def _same(gradient: Tensor) -> Tensor:
    return gradient


def anneal(
    terms: dict[str, Tensor],
    weights: dict[str, float],
    pde_terms: tuple[str, ...],
    parameters: list[Tensor],
    alpha: float,
    average: Callable[[Tensor], Tensor] = _same,
) -> dict[str, float]:
    """New weights after one annealing update; the graph of ``terms`` is kept."""
    pde_loss = sum(weights[name] * terms[name] for name in pde_terms)
    largest = float(_gradient(pde_loss, parameters, average).max())
    updated = dict(weights)
    for name, term in terms.items():
        if name in pde_terms or not term.requires_grad:
            continue
        mean = float(_gradient(term, parameters, average).mean())
        if mean > 0 and torch.isfinite(torch.tensor(largest / mean)):
            updated[name] = (1 - alpha) * weights[name] + alpha * largest / mean
    return updated
