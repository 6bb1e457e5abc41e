"""The collocation points of a training run, per residual term.

Each term has a *base* set, drawn from its sampler (and redrawn on resampling), and
the points residual-based refinement *added* to it, kept for the rest of the run.
Points are stored as the samplers give them (float64 on the CPU), so a resumed run
sees bit-identical points; ``batch`` casts and moves them, and marks the coordinates
(not the normals) as requiring gradients for the residuals' derivatives.

In a run of several processes every rank holds the same global points (drawn by the
same seeded generator) and ``batch`` gives this rank's contiguous share of each term,
with ``shares``: each term's n_local · world_size / n, by which the loss weighs the
term's mean so that the mean over ranks is the mean over all points
(:mod:`pdec.runtime.distributed`).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from pdec.runtime.distributed import World
from pdec.runtime.geometry import Sampler

Points = dict[str, Tensor]


class PointSet:
    def __init__(
        self,
        samplers: dict[str, Sampler],
        counts: dict[str, int],
        method: str,
        generator: torch.Generator,
        world: World | None = None,
    ):
        self.samplers, self.counts = samplers, counts
        self.method, self.generator = method, generator
        self.world = world or World()
        self.base: dict[str, Points] = {}
        self.added: dict[str, Points | None] = {name: None for name in samplers}
        self._batch: dict[str, Points] | None = None
        self.shares: dict[str, float] = {name: 1.0 for name in samplers}

    def draw(self) -> None:
        """Draw fresh base points for every term (in term order, for reproducibility)."""
        self.base = {
            name: sampler.sample(self.counts[name], self.generator, self.method)
            for name, sampler in self.samplers.items()
        }
        self._batch = None

    def add(self, name: str, points: Points) -> None:
        """Add points to one term for the rest of the run."""
        previous = self.added[name]
        if previous is not None:
            points = {key: torch.cat([previous[key], points[key]]) for key in previous}
        self.added[name] = points
        self._batch = None

    def points(self, name: str) -> Points:
        added = self.added[name]
        if added is None:
            return self.base[name]
        return {key: torch.cat([value, added[key]]) for key, value in self.base[name].items()}

    def batch(self, device: torch.device, dtype: torch.dtype) -> dict[str, Points]:
        """All terms' points (this rank's share of them) on ``device`` in ``dtype``,
        cached until the points change; ``shares`` is set with them."""
        if self._batch is None:
            batch = {}
            for name in self.samplers:
                local, self.shares[name] = self.world.split(self.points(name))
                batch[name] = self.prepare(name, local, device, dtype)
            self._batch = batch
        return self._batch

    def prepare(self, name: str, points: Points, device, dtype) -> Points:
        coordinates = set(self.samplers[name].names)
        return {
            key: value.to(device=device, dtype=dtype).requires_grad_(key in coordinates)
            for key, value in points.items()
        }

    def state_dict(self) -> dict[str, Any]:
        return {"base": self.base, "added": self.added}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.base = state["base"]
        self.added = {name: state["added"].get(name) for name in self.samplers}
        self._batch = None
