"""Dirichlet conditions built into a PINN's output (hard constraints).

With ``hard=True`` a generated model writes a field as u = g + φ·F, F what the network
gives: φ vanishes on the pieces of boundary that carry conditions u = gᵢ and is positive
inside, and g takes the value gᵢ on the i-th condition's pieces. The conditions then hold
exactly, whatever the network says, and the loss is left with the equations. On
PINNacle's Poisson2d-C the soft form sits at the compromise u = ½ between its two
conditions; built in, the same network reaches 2.8e-2 (benchmarks/hard_constraints.py).

:func:`transfinite_form` joins the conditions (Sukumar & Srivastava 2022): with φᵢ the
factor of condition i (zero on its pieces, positive inside),

    φ = Πᵢ φᵢ,     g = Σᵢ gᵢ wᵢ,     wᵢ = Πⱼ≠ᵢ φⱼ / Σₘ Πⱼ≠ₘ φⱼ,

so that wᵢ = 1 on condition i's pieces and 0 on the others'. A generated
``boundary_form`` builds each φᵢ from its pieces' factors, each in [0, 1] so that
products stay of order one: (x − lo)/L for a side x = lo of the domain's box, L the
box's length along x; (ρ² − r²)/(ρ² + r²) for a hole's rim, ρ the distance to its
centre. Where two conditions meet (a corner) the weights are 0/0; the denominator is
kept above the smallest normal number, so u = φ·F = 0 there… unless the conditions'
values differ there, which no continuous field can satisfy anyway.

>>> import torch
>>> x = torch.tensor([0.0, 0.5, 1.0])
>>> g, phi = transfinite_form([(1.0, x), (2.0, 1 - x)])  # u = 1 at x = 0, u = 2 at x = 1
>>> g.tolist(), phi.tolist()
([1.0, 1.5, 2.0], [0.0, 0.25, 0.0])
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor


def transfinite_form(parts: Sequence[tuple[Tensor | float, Tensor]]) -> tuple[Tensor, Tensor]:
    """(g, φ) of a field with the conditions ``parts`` (gᵢ, φᵢ) built in; see the module
    docstring."""
    if len(parts) == 1:
        g, phi = parts[0]
        return torch.as_tensor(g, dtype=phi.dtype, device=phi.device).expand_as(phi), phi
    factors = [phi for _, phi in parts]
    others = []  # Π_{j ≠ i} φ_j
    for i in range(len(factors)):
        product = torch.ones_like(factors[0])
        for j, factor in enumerate(factors):
            if j != i:
                product = product * factor
        others.append(product)
    total = sum(others).clamp_min(torch.finfo(factors[0].dtype).tiny)
    g = sum(value * weight for (value, _), weight in zip(parts, others)) / total
    return g, others[0] * factors[0]


__all__ = ["transfinite_form"]
