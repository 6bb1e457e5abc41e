"""L-BFGS that keeps making progress after Adam.

``torch.optim.LBFGS`` has absolute thresholds — it drops a curvature pair when
y·s <= 1e-10, and stops at ``tolerance_grad`` / ``tolerance_change`` — so once a PINN
loss is small (1e-5 and below, typical after Adam) it stops learning curvature and
crawls or stops: the complaint about DeepXDE's PyTorch L-BFGS. Here:

* the optimizer sees the loss divided by a running *scale* (about the current loss),
  so those thresholds are relative; when the loss has moved by more than a factor 10
  the scale is reset and the optimizer's memory rescaled to match, exactly (y, 1/ρ,
  the previous gradient and loss scale with the objective; steps and directions do
  not);
* a step whose line search does not move the parameters clears the memory, so the
  next step restarts from the gradient instead of repeating a stale direction;
* each ``step`` is one ``LBFGS.step`` of up to ``max_iter`` iterations with a
  strong-Wolfe line search, and the memory carries over between steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

RESCALE_FACTOR = 10.0


class LBFGS:
    def __init__(self, parameters: list[Tensor], max_iter: int = 20, history_size: int = 50):
        self.parameters = parameters
        self.optimizer = torch.optim.LBFGS(
            parameters,
            lr=1.0,
            max_iter=max_iter,
            tolerance_grad=1e-12,
            tolerance_change=1e-15,
            history_size=history_size,
            line_search_fn="strong_wolfe",
        )
        self.scale: float | None = None

    def step(self, closure: Callable[[], Tensor]) -> list[float]:
        """One L-BFGS step. ``closure`` computes the loss and its gradient (``.grad``)
        and returns the loss; returns the losses of all evaluations, in order."""
        losses: list[float] = []

        def scaled() -> Tensor:
            loss = closure()
            value = float(loss.detach())
            losses.append(value)
            if self.scale is None:
                self.scale = abs(value) if value != 0 and math.isfinite(value) else 1.0
            for parameter in self.parameters:
                if parameter.grad is not None:
                    parameter.grad.div_(self.scale)
            return loss.detach() / self.scale

        before = torch.cat([p.detach().reshape(-1) for p in self.parameters]).clone()
        self.optimizer.step(scaled)
        after = torch.cat([p.detach().reshape(-1) for p in self.parameters])
        if torch.equal(before, after):
            self.optimizer.state.clear()
        self._rescale(min(losses))
        return losses

    def _rescale(self, loss: float) -> None:
        if not (math.isfinite(loss) and loss > 0 and self.scale):
            return
        ratio = self.scale / loss  # the objective is multiplied by this
        if 1 / RESCALE_FACTOR <= ratio <= RESCALE_FACTOR:
            return
        state = self.optimizer.state.get(self.parameters[0])
        if state:
            for y in state.get("old_dirs", []):
                y.mul_(ratio)
            state["ro"] = [rho / ratio for rho in state.get("ro", [])]
            if "H_diag" in state:
                state["H_diag"] = state["H_diag"] / ratio
            if state.get("prev_flat_grad") is not None:
                state["prev_flat_grad"].mul_(ratio)
            if state.get("prev_loss") is not None:
                state["prev_loss"] = state["prev_loss"] * ratio
        self.scale = loss

    def state_dict(self) -> dict[str, Any]:
        return {"optimizer": self.optimizer.state_dict(), "scale": self.scale}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.optimizer.load_state_dict(state["optimizer"])
        self.scale = state["scale"]
