"""``Trainer``: the one training loop of every target (PINN, energy, operator).

The trainer owns what every run shares; a target supplies only what differs, as one
:class:`Phase` per optimizer (the PINN: Adam, then L-BFGS; energy and operator: Adam):

==========================  ==========================================================
the trainer                 the target's :class:`Phase`
==========================  ==========================================================
steps over phases, resume   ``steps`` (a step is one update, or one epoch of minibatches)
the learning-rate hook      ``schedule(k)`` before step k's batches (k from 0)
drawing the batches         ``batches(k)``: the batches of step k, drawn lazily
**the step function**       ``loss(model, batch)`` → (total, terms); ``optimize(total)``
the finite-loss guard       ``message(step, value)``: what to tell the user
recording the History       ``record(step, outcomes)`` → :class:`Record`
checkpoints (when, where)   ``save()`` → path: the target's state, in the one envelope
the progress bar            —
==========================  ==========================================================

Every update goes through :meth:`Trainer.step` ``(model, batch) -> detached loss terms``:
the loss, :func:`~pdec.runtime.base.check_finite` before the update (so the last
checkpoint on disk stays good), then the update. A phase whose optimizer evaluates the
loss itself (L-BFGS's closure) supplies ``update(model, batch)`` instead and guards
inside it.

That one function is where whole-step compilation and data parallelism go. The PINN's
Adam phase compiles its whole step as its ``update`` (:mod:`pdec.runtime.capture`).
In a run of several processes (``torchrun``; :mod:`pdec.runtime.distributed`) the step
takes this rank's share of the global batch (``World.split``, or the phase's own
``shard``), computes the loss inside ``DistributedDataParallel`` (:class:`Replicas`:
the backward averages the gradients over ranks), scales it by the share, and guards
and records the all-reduced loss, so every rank stops together. Only rank 0 writes
checkpoints and shows the progress bar.

**The last good state is kept.** With ``save`` and ``keeps`` (the optimizers and
schedulers besides the model), the trainer holds in memory the state at the start of
the last two steps. When a step stops the run (:class:`TrainingDiverged`: a non-finite
loss, gradient or parameter), it puts back the state at the start of the last step
that completed — its loss and gradients were finite — with the step counters and the
history of that moment, writes it with ``save()`` over any later checkpoint (which may
hold the state whose loss is not finite), and the error names it. So ``pdec train``
always leaves a checkpoint to resume from with a lower learning rate, whatever
``checkpoint_every`` is. (The points and generators are written as they are: a resumed
run redraws from there.)

The order of random draws is the targets' own: ``batches`` is a generator consumed one
batch at a time, between the steps on the previous batches.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from pdec.runtime.base import check_finite
from pdec.runtime.distributed import Replicas, World
from pdec.runtime.errors import TrainingDiverged
from pdec.runtime.history import History, Record
from pdec.runtime.progress import ProgressBar

DISPLAY_EVERY = 10  # steps between progress-bar loss updates when a step is not logged

Terms = dict[str, Tensor]


def _nothing(*_: Any) -> None:
    return None


@dataclass
class Phase:
    """One optimizer's part of a run; see the module docstring's table.

    ``loss`` returns the total to minimise and its named terms (with their graphs);
    ``optimize(total)`` takes the update (zero the gradients, backward, optimizer step,
    per-update schedule). ``update`` replaces both for an optimizer that evaluates the
    loss itself. ``enter()`` is called when the run enters the phase (build an
    optimizer that keeps state across steps); ``schedule(k)`` before step k (from 0 in
    the phase): set the learning rate.
    """

    name: str
    steps: int
    batches: Callable[[int], Iterable[Any]]
    record: Callable[[int, list[tuple[Any, Terms]]], Record]
    loss: Callable[[nn.Module, Any], tuple[Tensor, Terms]] | None = None
    optimize: Callable[[Tensor], None] | None = None
    update: Callable[[nn.Module, Any], Terms] | None = None
    message: Callable[[int, float], str] = lambda step, value: (
        f"the loss became {value} at step {step}: lower the learning rate"
    )
    schedule: Callable[[int], Any] = _nothing
    enter: Callable[[], None] = _nothing
    # the finite-loss guard on the (all-reduced) terms before the update; None: the
    # total's, with ``message``
    check: Callable[[Terms], None] | None = None
    # True: ``batches`` yields this rank's share already, and ``loss`` weighs it (the
    # PINN's points, whose terms have shares of their own); False: the trainer splits
    # each batch (``World.split``) and weighs the loss by the share
    sharded: bool = False
    # whether the run's reduced precision (tf32, bf16) applies; False: the weights' own
    reduced_precision: bool = True


class Trainer:
    """One run of ``model`` through ``phases``; :meth:`run` trains in place.

    ``done`` (steps done per phase), ``current`` (the phase reached), ``history`` and
    ``seconds`` (wall time before this process) restore a resumed run; ``save()``
    writes a checkpoint and returns its path, every ``checkpoint_every`` steps (0:
    never) and at the end of each phase. A step is logged in ``history`` when it is
    the first, a multiple of ``log_every`` or a phase's last.
    """

    def __init__(
        self,
        model: nn.Module,
        phases: list[Phase],
        *,
        save: Callable[[], Path | None] | None = None,
        checkpoint_every: int = 0,
        log_every: int = 1,
        progress: bool = False,
        done: list[int] | None = None,
        current: int = 0,
        history: History | None = None,
        seconds: float = 0.0,
        checkpoint_path: Path | None = None,
        precision: Callable[[], Any] | None = None,
        world: World | None = None,
        keeps: Callable[[], dict[str, Any]] | None = None,
    ):
        self.model, self.phases = model, phases
        self.save, self.checkpoint_every = save, checkpoint_every
        self.log_every, self.progress = log_every, progress
        self.done = list(done) if done is not None else [0] * len(phases)
        self.current = current
        self.history = history if history is not None else History()
        self.seconds_before = seconds
        self.last_checkpoint = checkpoint_path
        self.started = time.perf_counter()
        # a context manager factory: the arithmetic of each step (devices.precision_context)
        self.precision = precision or contextlib.nullcontext
        self.world = world or World()
        # the model's replicas across ranks (DDP), or the model itself in a world of one
        self.forward = Replicas(model, self.world)
        # name → object with state_dict/load_state_dict besides the model (optimizers,
        # schedulers), and the states at the start of the last two steps
        self.keeps = keeps
        self.kept: list[dict[str, Any]] = []

    @property
    def phase(self) -> Phase:
        return self.phases[self.current]

    @property
    def steps_done(self) -> int:
        return sum(self.done)

    @property
    def total_steps(self) -> int:
        return sum(phase.steps for phase in self.phases)

    def seconds(self) -> float:
        """Wall time of the run, summed over resumed runs."""
        return self.seconds_before + time.perf_counter() - self.started

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> History:
        """Every phase from the current one, each to its ``steps``; returns the history."""
        shown = self.progress and self.world.main
        with ProgressBar(self.total_steps, self.steps_done, shown) as bar:
            for index in range(self.current, len(self.phases)):
                phase = self.phases[index]
                if self.done[index] >= phase.steps:
                    continue
                self.current = index
                phase.enter()
                while self.done[index] < phase.steps:
                    step = self.steps_done + 1
                    self.remember()
                    phase.schedule(self.done[index])
                    try:
                        outcomes = [
                            (batch, self.step(self.model, batch))
                            for batch in phase.batches(self.done[index])
                        ]
                        self.done[index] += 1
                        last = self.done[index] == phase.steps
                        self.after_step(phase, step, outcomes, bar, last)
                    except TrainingDiverged as error:
                        self.keep_last_good(error)
                        raise
        return self.history

    def step(self, model: nn.Module, batch: Any) -> Terms:
        """The step function: one update of ``model`` on ``batch``, returning the
        detached loss terms it was computed from (all-reduced over ranks). The single
        place where whole-step ``torch.compile`` / CUDA graphs and
        ``DistributedDataParallel`` go (see the module docstring)."""
        phase = self.phase
        precision = self.precision if phase.reduced_precision else contextlib.nullcontext
        if phase.update is not None:
            with precision():
                return phase.update(model, batch)
        share = 1.0
        if not phase.sharded:
            batch, share = self.world.split(batch)
        with precision():
            total, terms = self.forward(phase.loss, batch)
        if share != 1.0:
            total, terms = total * share, {name: term * share for name, term in terms.items()}
        total_value, reduced = self.reduce(total, terms)
        step = self.steps_done + 1
        if phase.check is not None:
            phase.check(reduced)
        check_finite(
            total_value,
            step=step,
            phase=phase.name,
            terms=tuple(terms),
            message=phase.message(step, total_value),
            checkpoint_path=self.last_checkpoint,
        )
        phase.optimize(total)
        return reduced

    def reduce(self, total: Tensor, terms: Terms) -> tuple[float, Terms]:
        """The total (a float) and the detached terms, averaged over ranks (one
        all-reduce); as they are in a world of one."""
        if not self.world.distributed:
            return float(total.detach()), {name: term.detach() for name, term in terms.items()}
        values = torch.stack([total.detach(), *(term.detach() for term in terms.values())])
        values = self.world.mean(values.to(torch.float64))
        return float(values[0]), dict(zip(terms, values[1:].to(total.dtype)))

    # -- the last good state --------------------------------------------------------------

    def remember(self) -> None:
        """Hold the state at the start of this step (and of the one before)."""
        if self.save is None or self.keeps is None or not self.world.main:
            return
        state = {
            "model": _cloned(self.model.state_dict()),
            "keeps": {name: _cloned(keep.state_dict()) for name, keep in self.keeps().items()},
            "done": list(self.done),
            "current": self.current,
            "records": len(self.history.records),
        }
        self.kept = [*self.kept[-1:], state]

    def keep_last_good(self, error: TrainingDiverged) -> None:
        """Write the state at the start of the last step that completed (see the module
        docstring) and name it in ``error``; nothing without one."""
        if len(self.kept) < 2:
            error.before_any_step = self.save is not None and self.keeps is not None
            return
        good = self.kept[0]
        self.model.load_state_dict(good["model"])
        for name, keep in self.keeps().items():  # one made since (L-BFGS) stays as it is
            if name in good["keeps"]:
                keep.load_state_dict(good["keeps"][name])
        self.done, self.current = list(good["done"]), good["current"]
        del self.history.records[good["records"] :]
        self.last_checkpoint = self.save()
        error.checkpoint, error.good_step = self.last_checkpoint, self.steps_done

    def after_step(
        self, phase: Phase, step: int, outcomes: list[tuple[Any, Terms]], bar, last: bool
    ) -> None:
        logged = step == 1 or step % self.log_every == 0 or last
        record = None
        if logged or (bar.enabled and step % DISPLAY_EVERY == 0):
            record = phase.record(step, outcomes)
        if logged:
            self.history.records.append(record)
        bar.advance(phase.name, record)
        every = self.checkpoint_every
        saving = self.save is not None and self.world.main
        if saving and ((every and step % every == 0) or last):
            self.last_checkpoint = self.save()


def _cloned(state):
    """A copy of a state dict whose tensors do not move with the live ones: tensors
    cloned, containers rebuilt, the rest shared (numbers, strings). A third of
    ``copy.deepcopy``'s time, which matters once per step."""
    if isinstance(state, Tensor):
        return state.detach().clone()
    if isinstance(state, dict):
        return {key: _cloned(value) for key, value in state.items()}
    if isinstance(state, list | tuple):
        return type(state)(_cloned(value) for value in state)
    return state


__all__ = ["DISPLAY_EVERY", "Phase", "Trainer"]
