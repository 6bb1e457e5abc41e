"""Training an energy model on trajectory data: pairs of states one step Δt apart,
minibatch Adam, a progress bar, atomic checkpoints, and a stop on NaN.

A fresh run first calls the model's ``calibrate(u0, u1)`` (data-dependent
initialisation: standardised network inputs, output and loss scaled to the data's u_t;
see :meth:`pdec.runtime.energy.model.EnergyModel.calibrate`) on at most
``CALIBRATION_PAIRS`` pairs spread evenly over the data; the loss is then relative (1 =
no better than u_t = 0). A resumed run keeps the calibration in its checkpoint.

The loop is the one trainer's (:mod:`pdec.runtime.trainer`), with one phase
(:func:`pair_phase`). Every step draws ``batch_size`` pairs with a generator seeded by
(seed, step), so a resumed run draws the same batches as an uninterrupted one.

Checkpoints are in the one format of :mod:`pdec.runtime.checkpoint` (``"target":
"energy"``; ``"config"``: the keyword arguments that rebuild the model, n, dt, mode,
width, ...), a training checkpoint adding ``"step"`` (steps done), ``"history"``
([[step, loss], ...]), ``"optimizer"`` (Adam's state_dict) and ``"seconds"``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch import Tensor

from pdec.runtime import checkpoint
from pdec.runtime.devices import batch_to
from pdec.runtime.distributed import join
from pdec.runtime.errors import CheckpointError
from pdec.runtime.history import Record
from pdec.runtime.trainer import Phase, Trainer

CALIBRATION_PAIRS = 4096


def trajectory_pairs(u: Tensor) -> tuple[Tensor, Tensor]:
    """(u_k, u_{k+1}) for every step of every trajectory: u (trajectories, steps + 1,
    *state) → two tensors (trajectories·steps, *state)."""
    state = u.shape[2:]
    return u[:, :-1].reshape(-1, *state), u[:, 1:].reshape(-1, *state)


def train_pairs(
    model,
    u0: Tensor,
    u1: Tensor,
    *,
    steps: int,
    lr: float = 1e-3,
    batch_size: int = 200,
    seed: int = 0,
    start: dict | None = None,
    save: Callable[[dict], None] | None = None,
    checkpoint_every: int = 0,
    progress: Callable[[int, float], None] | None = None,
    calibrate: bool = True,
) -> dict:
    """Adam on ``model.loss`` over random minibatches of the pairs, up to ``steps``
    steps in all; returns the training state (step, history, optimizer, seconds).

    ``start`` is a state from an earlier run (resume); ``save(state)`` is called every
    ``checkpoint_every`` steps and at the end; ``progress(step, loss)`` after each
    step. A non-finite loss raises :class:`TrainingDiverged` before the step is
    taken (the last checkpoint stays good). ``calibrate`` False skips the calibration
    of a fresh run. Under ``torchrun`` each rank trains on its share of every
    minibatch (:mod:`pdec.runtime.distributed`); ``batch_size`` is the global one.
    """
    world, _ = join(model.device)
    if start is None and calibrate and hasattr(model, "calibrate"):
        spread = torch.linspace(0, u0.shape[0] - 1, min(u0.shape[0], CALIBRATION_PAIRS))
        chosen = spread.round().long()
        model.calibrate(*batch_to((u0[chosen], u1[chosen]), model.device))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    state = {"step": 0, "history": [], "seconds": 0.0}
    if start is not None:
        optimizer.load_state_dict(start["optimizer"])
        state.update(step=start["step"], history=list(start["history"]), seconds=start["seconds"])
    count = u0.shape[0]
    size = min(batch_size, count)

    def batches(done: int):
        generator = torch.Generator().manual_seed(seed * 1_000_003 + done + 1)
        chosen = torch.randperm(count, generator=generator)[:size]
        yield u0[chosen], u1[chosen]

    def record(step: int, outcomes) -> Record:
        ((_, terms),) = outcomes
        value = float(terms["loss"])
        state["step"] = step
        state["history"].append([step, value])
        state["seconds"] = trainer.seconds()
        if progress is not None:
            progress(step, value)
        return pair_record(step, value, trainer.seconds(), lr)

    def checkpoint() -> None:
        # the trainer's count: after a rollback to the last good state it is behind
        state["step"] = trainer.done[0]
        state["history"] = state["history"][: trainer.done[0]]
        state["seconds"] = trainer.seconds()
        state["optimizer"] = optimizer.state_dict()
        save(state)

    phase = pair_phase(
        optimizer,
        steps,
        batches,
        record,
        lambda step, value: (
            f"the loss became {value} at step {step}: lower the learning "
            "rate (--set lr=...) or the time step of the data"
        ),
    )
    trainer = Trainer(
        model,
        [phase],
        save=checkpoint if save is not None else None,
        checkpoint_every=checkpoint_every,
        done=[state["step"]],
        seconds=state["seconds"],
        world=world,
        keeps=lambda: {"adam": optimizer},
    )
    trainer.run()
    state["optimizer"] = optimizer.state_dict()
    return state


def pair_phase(optimizer, steps: int, batches, record, message) -> Phase:
    """The energy target's one phase: Adam on ``model.loss(u0, u1)`` over the pairs of
    ``batches(k)``; ``record`` and ``message`` as in :class:`Phase`."""

    def loss(model, batch):
        # the pairs stay where they are (the CPU); each minibatch goes to the model
        value = model.loss(*batch_to(batch, model.device))
        return value, {"loss": value}

    def optimize(total: Tensor) -> None:
        optimizer.zero_grad()
        total.backward()
        optimizer.step()

    return Phase("adam", steps, batches, record, loss=loss, optimize=optimize, message=message)


def pair_record(step: int, loss: float, seconds: float, lr: float, unknowns=None) -> Record:
    """The :class:`Record` of one energy step or epoch: its one term is the loss."""
    return Record(
        step=step,
        phase="adam",
        loss=loss,
        terms={"loss": loss},
        weights={"loss": 1.0},
        seconds=seconds,
        unknowns=unknowns or {},
        lr=lr,
    )


def save_checkpoint(path: str | Path, model, config: dict, state: dict | None = None) -> Path:
    """Write the model (and a training state) atomically, in the one checkpoint format."""
    data = checkpoint.model_data(model, config)
    if state is not None:
        data["format"] = checkpoint.TRAINING_FORMAT
        data |= {k: state[k] for k in ("step", "history", "optimizer", "seconds") if k in state}
    return checkpoint.write_atomic(data, path)


def read_checkpoint(path: str | Path) -> dict:
    """Load an energy model's file or checkpoint on the CPU; :class:`CheckpointError` if
    it is not one."""
    return checkpoint.read(path, target="energy")


def load_model(Model, path: str | Path, data: dict | None = None):
    """Rebuild a model of class ``Model`` from its checkpoint, refusing one written for
    another spec or another version of it."""
    data = read_checkpoint(path) if data is None else data
    if data.get("spec_sha256") != Model.spec_sha256:
        raise CheckpointError(
            f"{path} was written for spec {data.get('spec_name')!r} with sha256 "
            f"{str(data.get('spec_sha256'))[:12]}…, not {Model.spec_name!r} with "
            f"{Model.spec_sha256[:12]}…: retrain for this spec"
        )
    model = Model(**checkpoint.rebuild_config(data["config"]))
    checkpoint.load_state(model, data, path)
    return model
