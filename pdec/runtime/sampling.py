"""Points in the unit cube, and splitting a count between pieces of a domain.

Every sampler in :mod:`pdec.runtime.geometry` maps draws from :func:`unit_cube` onto
its shape, so the three methods work everywhere:

* ``"uniform"`` — independent uniform draws;
* ``"sobol"`` — a scrambled Sobol sequence (``torch.quasirandom.SobolEngine``) whose
  scrambling seed is drawn from the generator;
* ``"lhs"`` — Latin hypercube: each coordinate has exactly one point in each of the
  ``n`` equal strata, strata paired by random permutations.

All randomness comes from the ``torch.Generator`` passed in, so the same generator
state gives the same points.

>>> g = torch.Generator().manual_seed(0)
>>> u = unit_cube(8, 2, g, "lhs")
>>> u.shape, u.dtype
(torch.Size([8, 2]), torch.float64)
>>> sorted((u[:, 0] * 8).floor().int().tolist())
[0, 1, 2, 3, 4, 5, 6, 7]
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from pdec.runtime.errors import OptionsError

METHODS = ("uniform", "sobol", "lhs")


def unit_cube(
    n: int, dimension: int, generator: torch.Generator, method: str = "uniform"
) -> Tensor:
    """``n`` points in [0, 1)^dimension, float64 on the CPU, shape (n, dimension)."""
    if dimension == 0 or n == 0:
        return torch.zeros(n, dimension, dtype=torch.float64)
    if method == "uniform":
        return torch.rand(n, dimension, generator=generator, dtype=torch.float64)
    if method == "sobol":
        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
        engine = torch.quasirandom.SobolEngine(dimension, scramble=True, seed=seed)
        return engine.draw(n, dtype=torch.float64)
    if method == "lhs":
        columns = []
        for _ in range(dimension):
            strata = torch.randperm(n, generator=generator).to(torch.float64)
            offset = torch.rand(n, generator=generator, dtype=torch.float64)
            columns.append((strata + offset) / n)
        return torch.stack(columns, dim=1)
    raise OptionsError(f"unknown sampling method {method!r}; expected one of {', '.join(METHODS)}")


def allocate(n: int, measures: list[float]) -> list[int]:
    """Split ``n`` points between pieces in proportion to their measures.

    Largest remainders, ties to the earlier piece, so the counts add up to ``n`` and
    each is within one of its exact share.

    >>> allocate(10, [1.0, 1.0, 2.0])
    [3, 2, 5]
    """
    total = math.fsum(measures)
    if total <= 0:
        raise ValueError("cannot sample a domain of zero measure")
    shares = [n * m / total for m in measures]
    counts = [math.floor(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts
