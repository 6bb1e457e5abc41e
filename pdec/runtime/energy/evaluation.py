"""Judging an energy model by long rollouts against reference trajectories.

From each reference trajectory's first state the model takes as many steps as the
reference has; the errors are mean squares over all steps, trajectories and grid
points, as in Matsubara et al. (2020):

* ``state_mse`` — of the states;
* ``energy_drift`` — max over time of |H(û_t) − H(û_0)| / |H(û_0)| with the model's own
  H along its own rollout: ≈ round-off for DGNet with skew G;
* ``energy_mse`` — of an energy (the model's, or a given one such as the spec's
  closed form) between the rollout and the reference;
* ``mass_mse`` — of Σ_k u_k Δx per field (grids).

A rollout whose implicit step fails, or that overflows, keeps its states up to there
and NaN after, and the failure is reported (``failure``), not raised.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from pdec.runtime.energy.errors import SolverDidNotConverge


@dataclass(frozen=True)
class Rollouts:
    """Reference and predicted trajectories (B, T + 1, *state), and how long a step took."""

    reference: Tensor
    predicted: Tensor
    seconds_per_step: float
    failure: str | None = None


def roll_out(model, reference: Tensor, steps: int | None = None) -> Rollouts:
    """Roll the model out from ``reference[:, 0]`` for ``steps`` steps (default: as many
    as the reference has)."""
    steps = reference.shape[1] - 1 if steps is None else steps
    reference = reference[:, : steps + 1]
    # the model steps on its own device; the rollout comes back to the reference's
    states = [reference[:, 0].detach().to(getattr(model, "device", reference.device))]
    failure = None
    began = time.perf_counter()
    with torch.no_grad():
        for k in range(steps):
            try:
                state = model.step(states[-1]).detach()
            except SolverDidNotConverge as error:
                failure = f"step {k + 1}: {error}"
                break
            states.append(state)
            if not bool(torch.isfinite(state).all()):
                failure = f"step {k + 1}: the state overflowed (inf or NaN)"
                break
    seconds = (time.perf_counter() - began) / max(len(states) - 1, 1)
    while len(states) < steps + 1:
        states.append(torch.full_like(states[0], math.nan))
    predicted = torch.stack(states, dim=1).to(reference.device)
    return Rollouts(reference, predicted, seconds, failure)


def series(
    function: Callable[[Tensor], Tensor], states: Tensor, device: torch.device | None = None
) -> Tensor:
    """A function of a batch of states evaluated along trajectories: (B, T + 1), on the
    states' device; ``device``: where to evaluate it (a model's energy on its own)."""
    batch, times = states.shape[:2]
    home = states.device
    with torch.no_grad():
        flat = states.reshape(batch * times, *states.shape[2:]).detach()
        values = function(flat if device is None else flat.to(device))
    return values.detach().reshape(batch, times).to(home)


def masses(states: Tensor, spacing: float) -> Tensor:
    """Σ_k u_k Δx of each field: (..., fields) from states (..., fields, n)."""
    return states.sum(dim=-1) * spacing


def metrics(model, rollouts: Rollouts, energy: Callable[[Tensor], Tensor] | None = None) -> dict:
    """The errors of the module docstring; ``energy`` is the one for ``energy_mse``
    (default: the model's own, when it has one)."""
    reference, predicted = rollouts.reference, rollouts.predicted
    result = {
        "state_mse": _mean_square(predicted - reference),
        "seconds_per_step": rollouts.seconds_per_step,
        "failure": rollouts.failure,
    }
    own = model.energy if getattr(model, "H", None) is not None else None
    device = getattr(model, "device", None)
    if own is not None:
        along = series(own, _finite_prefix(predicted), device)
        change = (along - along[:, :1]).abs().amax(dim=1) / along[:, 0].abs().clamp_min(1e-300)
        result["energy_drift"] = float(change.max())
    energy = energy or own
    if energy is not None:
        where = device if energy is own else None
        result["energy_mse"] = _mean_square(
            series(energy, predicted, where) - series(energy, reference, where)
        )
    spacing = getattr(model, "spacing", None)
    if spacing is not None:
        result["mass_mse"] = _mean_square(masses(predicted, spacing) - masses(reference, spacing))
    return result


def _mean_square(difference: Tensor) -> float:
    return float(difference.pow(2).mean())


def _finite_prefix(states: Tensor) -> Tensor:
    """The steps before the first non-finite state of any trajectory."""
    finite = torch.isfinite(states.reshape(*states.shape[:2], -1)).all(dim=2).all(dim=0)
    bad = (~finite).nonzero()
    return states if len(bad) == 0 else states[:, : max(int(bad[0]), 1)]
