"""Unknown parameters of inverse problems: learnable scalars and learnable fields.

``param k unknown`` becomes one trainable number, ``param mu(x, y) unknown`` a small
network of its arguments. ``positive`` ones are learned through their logarithm,
value = exp(raw): the value can never cross zero, and a step changes it by a factor,
which suits constants whose size is known only to an order of magnitude (a
viscosity, a modulus). Raissi et al. (2019) learn Burgers' ν the same way.

>>> scalars = UnknownScalars({"nu": Unknown(guess=0.05, positive=True), "k": Unknown()})
>>> {name: round(value, 12) for name, value in scalars.values().items()}
{'nu': 0.05, 'k': 0.0}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from pdec.runtime.network import Embedding, multilayer_perceptron


@dataclass(frozen=True)
class Unknown:
    """An unknown parameter: its arguments (none for a scalar), sign and first guess.

    ``guess`` None means 1 for a positive unknown and 0 otherwise; fields start from
    their network's initialization (≈ 0, or ≈ 1 when positive).
    """

    args: tuple[str, ...] = ()
    positive: bool = False
    guess: float | None = None

    @property
    def first_value(self) -> float:
        if self.guess is not None:
            return float(self.guess)
        return 1.0 if self.positive else 0.0


class UnknownScalars(nn.Module):
    """The scalar unknowns, each one ``nn.Parameter`` (its raw, unconstrained value)."""

    def __init__(self, unknowns: Mapping[str, Unknown]):
        super().__init__()
        self.positive = {name: u.positive for name, u in unknowns.items()}
        self.raw = nn.ParameterDict(
            {
                name: nn.Parameter(
                    torch.tensor(
                        math.log(u.first_value) if u.positive else u.first_value,
                        dtype=torch.float64,
                    )
                )
                for name, u in unknowns.items()
            }
        )

    def value(self, name: str) -> Tensor:
        raw = self.raw[name]
        return torch.exp(raw) if self.positive[name] else raw

    def values(self) -> dict[str, float]:
        """Current values as plain floats (for reports and histories)."""
        return {name: float(self.value(name).detach()) for name in self.positive}


class UnknownField(nn.Module):
    """A field unknown: an MLP of its arguments, scaled from their ``bounds`` (or
    embedded periodically, for those in ``periodic``). ``PinnModel`` also uses it for
    the fields that take fewer arguments than the spec's coordinates."""

    def __init__(
        self,
        unknown: Unknown,
        bounds: Mapping[str, tuple[float, float]],
        depth: int,
        width: int,
        activation: str,
        generator: torch.Generator,
        periodic: Mapping[str, tuple[float, float]] | None = None,
    ):
        super().__init__()
        self.args, self.positive = tuple(unknown.args), unknown.positive
        periodic = {name: span for name, span in (periodic or {}).items() if name in self.args}
        self.embedding = Embedding(self.args, bounds, periodic)
        self.network = multilayer_perceptron(
            self.embedding.size, 1, depth, width, activation, generator
        )

    def forward(self, coords: Mapping[str, Tensor]) -> Tensor:
        """Values at points given by 1-D tensors of (at least) the arguments."""
        columns = [coords[name] for name in self.args]
        z = torch.stack(torch.broadcast_tensors(*columns), dim=1)
        raw = self.network(self.embedding(z))[:, 0]
        return torch.exp(raw) if self.positive else raw
