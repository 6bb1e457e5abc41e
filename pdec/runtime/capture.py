"""Whole-step compilation: one training step — the forward with its derivative jets,
the loss, the backward pass and the optimizer's update — compiled as one unit.

``torch.compile`` of the loss alone (``compile="residuals"``) leaves the backward pass
to AOTAutograd's compiled graph and the optimizer to eager ``foreach`` kernels: three
pieces, and Python between them. :class:`CompiledStep` compiles the whole step function
instead, the backward pass through compiled autograd, so that inductor fuses each
piece end to end (on CUDA, ``mode="reduce-overhead"`` replays them as CUDA graphs). With
torch 2.13 it is not yet one program: dynamo breaks the graph at ``zero_grad``, at
``backward()`` and twice in ``torch.optim``'s wrapper around ``Adam.step`` (four
breaks, counted by benchmarks/gpu.py), so some Python runs between the pieces. On one
CPU thread this made a Burgers step (8×20 tanh, 10,000 points,
forward jets) 4× faster than eager, after 15–30 s of compiling: worth it for long runs
only (``compile="auto"`` decides, see :class:`pdec.runtime.options.TrainOptions`).

What changes with it:

* **The points live in fixed buffers.** The step reads its batch from tensors that keep
  their shapes and places; resampling and refinement refill them in place
  (:meth:`CompiledStep.load`), so nothing is recompiled when the points change. A
  change of shape (refinement adds points) recompiles once.
* **The finite-loss guard runs after the update.** Checking before it would need the
  loss on the host inside the step. The guard still stops the run at the step whose
  loss is not finite, and the checkpoint on disk is still the last good one (a
  checkpoint is written only after a finite step, with finite parameters).
* **It is checked against eager on the first batch**: the parameters after one
  compiled step must equal those after one eager step from the same state. On an error
  or a mismatch it says why, once, and the run goes on eagerly.

This module imports ``torch._dynamo`` only when a step is compiled, so importing the
runtime does not load the compiler (nor SymPy, which it imports).
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable

import torch
from torch import Tensor

from pdec.runtime.options import AUTO_COMPILE_STEPS

Batch = dict[str, dict[str, Tensor]]
# (total loss, detached loss terms) of one step
StepResult = tuple[Tensor, dict[str, Tensor]]


def notify(message: str) -> None:
    print(f"pdec: {message}", file=sys.stderr)


class CompiledStep:
    """``CompiledStep(step, model, optimizer)``: ``step(batch) -> (total, terms)`` is the
    eager step function (zero the gradients, loss, backward, optimizer step); calling
    the object runs its compiled form on the fixed batch buffers.

    ``compiled`` says whether the compiled form is in use; ``reason`` why not.
    """

    def __init__(
        self,
        step: Callable[[Batch], StepResult],
        model: torch.nn.Module,
        optimizer: torch.optim.Optimizer,
        device: torch.device,
    ):
        self.eager, self.model, self.optimizer = step, model, optimizer
        self.buffers: Batch | None = None
        self.compiled = True
        self.reason = ""
        self.checked = False
        mode = "reduce-overhead" if device.type == "cuda" else None
        try:
            self.function = torch.compile(step, mode=mode)
        except Exception as error:  # torch.compile is unavailable on some platforms
            self._fall_back(error)

    def load(self, batch: Batch) -> Batch:
        """Copy ``batch`` into the fixed buffers (new buffers when a shape changed)."""
        if self.buffers is None or not _same_shapes(self.buffers, batch):
            self.buffers = {
                term: {
                    # leaves as the batch's were: nested-autograd derivatives need them
                    name: value.detach().clone().requires_grad_(value.requires_grad)
                    for name, value in columns.items()
                }
                for term, columns in batch.items()
            }
        else:
            with torch.no_grad():
                for term, columns in batch.items():
                    for name, value in columns.items():
                        self.buffers[term][name].copy_(value)
        return self.buffers

    def __call__(self, batch: Batch) -> StepResult:
        if not self.compiled:
            return self.eager(batch)
        buffers = self.load(batch)
        if not self.checked:
            return self._trial(buffers)
        try:
            return self._run(buffers)
        except Exception as error:
            self._fall_back(error)
            return self.eager(batch)

    def _run(self, buffers: Batch) -> StepResult:
        import torch._dynamo  # noqa: PLC0415 - loads the compiler (and SymPy) only here

        with torch._dynamo.config.patch(compiled_autograd=True):
            return self.function(buffers)

    def _trial(self, buffers: Batch) -> StepResult:
        """One eager and one compiled step from the same state; keep the compiled
        form if both land on the same parameters."""
        self.checked = True
        notify("compiling the whole training step with torch.compile (once; it takes seconds)")
        model_state = copy.deepcopy(self.model.state_dict())
        optimizer_state = copy.deepcopy(self.optimizer.state_dict())
        eager_result = self.eager(buffers)
        eager = _flat_parameters(self.optimizer)
        eager_model_state = copy.deepcopy(self.model.state_dict())
        eager_optimizer_state = copy.deepcopy(self.optimizer.state_dict())
        self.model.load_state_dict(model_state)
        self.optimizer.load_state_dict(optimizer_state)
        try:
            result = self._run(buffers)
            compiled = _flat_parameters(self.optimizer)
        except Exception as error:
            self._fall_back(error)
        else:
            single = compiled.dtype in (torch.float32, torch.float16, torch.bfloat16)
            tolerance = 1e-4 if single else 1e-9
            scale = float(eager.abs().max()) or 1.0
            if torch.allclose(compiled, eager, rtol=tolerance, atol=tolerance * scale):
                return result
            self._fall_back(RuntimeError("the compiled step moved the parameters elsewhere"))
        # back to where the eager step left the run
        self.model.load_state_dict(eager_model_state)
        self.optimizer.load_state_dict(eager_optimizer_state)
        return eager_result

    def _fall_back(self, error: BaseException) -> None:
        text = str(error).strip()
        first_line = text.splitlines()[0][:200] if text else ""
        notify(
            f"whole-step compilation not used ({type(error).__name__}: {first_line}); "
            "training eagerly"
        )
        self.compiled = False
        self.reason = f"{type(error).__name__}: {first_line}"


def compile_mode(model, options) -> str | None:
    """What ``options.compile`` asks of ``model``'s run: "step" (the whole step),
    "residuals" (the loss alone, :class:`pdec.runtime.losses.LossTerms`) or None.

    The whole step needs derivatives pushed forward (compiled double backward can be
    silently wrong), fixed loss weights and a fixed learning rate (a changing Python
    number in the step would recompile it each time): without them, ``True`` compiles
    the residuals and says why not the step; "auto" compiles where it pays — at least
    ``AUTO_COMPILE_STEPS`` steps."""
    wanted = options.compile
    if wanted is False:
        return None
    if wanted == "residuals":
        return "residuals"
    jets = getattr(model, "uses_jets", None)
    forward = bool(jets and jets())
    if wanted == "auto":
        if not forward or options.steps + options.lbfgs_steps < AUTO_COMPILE_STEPS:
            return None
    why = (
        "derivatives by nested autograd (double backward)"
        if not forward
        else "adaptive loss weights"
        if options.adaptive != "none"
        else "a decaying learning rate"
        if options.lr_decay is not None
        else ""
    )
    if not why:
        return "step"
    if wanted is True or wanted == "step":
        notify(f"the whole step is not compiled ({why}); compiling the residuals")
    return "residuals"


def _same_shapes(buffers: Batch, batch: Batch) -> bool:
    return buffers.keys() == batch.keys() and all(
        buffers[term].keys() == columns.keys()
        and all(
            buffers[term][name].shape == value.shape
            and buffers[term][name].dtype == value.dtype
            and buffers[term][name].device == value.device
            and buffers[term][name].requires_grad == value.requires_grad
            for name, value in columns.items()
        )
        for term, columns in batch.items()
    )


def _flat_parameters(optimizer: torch.optim.Optimizer) -> Tensor:
    return torch.cat(
        [p.detach().reshape(-1) for group in optimizer.param_groups for p in group["params"]]
    )


__all__ = ["CompiledStep", "compile_mode"]
