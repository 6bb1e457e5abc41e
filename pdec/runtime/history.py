"""What a training run records, for every target: one ``Record`` every ``log_every``
steps (a PINN) or every epoch (energy and operator ``fit``), and final values.

A record's ``loss`` and ``terms`` are those the step's update was computed from (the
loss at the parameters before the step); ``step`` counts updates over both phases,
from 1. ``final`` holds the loss terms at the final parameters and points.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Record:
    step: int
    phase: str  # "adam" or "lbfgs"
    loss: float  # Σ weight_i · term_i
    terms: dict[str, float]  # mean squared residual per term
    weights: dict[str, float]
    seconds: float  # wall time since training started, summed over resumed runs
    unknowns: dict[str, float] = field(default_factory=dict)  # scalar unknowns' values
    lr: float | None = None  # the learning rate of the step (operator epochs), if recorded


@dataclass
class History:
    records: list[Record] = field(default_factory=list)
    final: Record | None = None
    resumed_from: str | None = None  # checkpoint this run continued from

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):
        return iter(self.records)

    @property
    def steps(self) -> list[int]:
        return [record.step for record in self.records]

    @property
    def losses(self) -> list[float]:
        return [record.loss for record in self.records]

    @property
    def durations(self) -> list[float]:
        """Wall time between consecutive records, the first from the start (one epoch
        each for energy and operator runs)."""
        seconds = [record.seconds for record in self.records]
        return [b - a for a, b in zip([0.0, *seconds], seconds)]

    def term(self, name: str) -> list[float]:
        """The history of one loss term."""
        return [record.terms[name] for record in self.records]

    def unknown(self, name: str) -> list[float]:
        """The history of one scalar unknown (inverse problems)."""
        return [record.unknowns[name] for record in self.records]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (and for checkpoints)."""
        return {
            "records": [asdict(record) for record in self.records],
            "final": asdict(self.final) if self.final else None,
            "resumed_from": self.resumed_from,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        return cls(
            records=[Record(**record) for record in data["records"]],
            final=Record(**data["final"]) if data.get("final") else None,
            resumed_from=data.get("resumed_from"),
        )
