"""The operator models' training loop, with checkpoints that resume exactly.

:func:`train_epochs` runs Adam on the relative L2 data loss (Li et al.) plus
``physics`` × the mean squared grid residual (PINO), over shuffled batches of the
training pairs, with the learning rate of :func:`learning_rate`: halved every
``step_every`` epochs (``schedule="step"``, Li et al.'s) or annealed along a half cosine
towards 0 at the end of the run (``schedule="cosine"``). Everything a resumed run needs —
weights, Adam's moments, the shuffling generator, the epoch and the history — is in
:func:`training_state`, plain data that ``torch.load(weights_only=True)`` reads back;
``save`` is called with it every ``checkpoint_every`` epochs and after the last.

The learning rate is a function of the epoch and the options alone, not state carried
in the checkpoint: a run resumed with more epochs follows the schedule of its new
length from the epoch it resumes at (with the same options it repeats the straight run
exactly).

``OperatorModel.fit`` runs this loop with the checkpoints, resume and progress bar every
target's ``fit`` shares (:mod:`pdec.runtime.base`); ``pdec train --target operator``
(:mod:`pdec.targets.operator.commands`) calls it directly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import partial

import torch

from pdec.runtime import checkpoint
from pdec.runtime.devices import precision_context
from pdec.runtime.distributed import join
from pdec.runtime.errors import OptionsError
from pdec.runtime.history import Record
from pdec.runtime.trainer import Phase, Trainer

TRAINING_OPTIONS = {
    "epochs": 100,
    "batch_size": 20,
    "lr": 1e-3,
    "schedule": "step",
    "step_every": 0,  # 0: epochs / 5
    "gamma": 0.5,
    "weight_decay": 1e-4,
    "physics": 0.0,
    "precision": "float32",
}


def train_epochs(
    model,
    a: torch.Tensor,
    u: torch.Tensor,
    epochs: int = 100,
    batch_size: int = 20,
    lr: float = 1e-3,
    schedule: str = "step",
    step_every: int = 0,
    gamma: float = 0.5,
    weight_decay: float = 1e-4,
    physics: float = 0.0,
    physics_inputs: torch.Tensor | None = None,
    points: torch.Tensor | None = None,
    precision: str = "float32",
    seed: int = 0,
    start: dict | None = None,
    save: Callable[[dict], None] | None = None,
    checkpoint_every: int = 0,
    callback: Callable[[dict], None] | None = None,
    progress: bool = False,
) -> dict:
    """Train ``model`` on inputs ``a`` and outputs ``u`` (scales already set) up to epoch
    ``epochs``, from ``start`` (a :func:`training_state`) or from scratch; returns the
    final training state. ``callback`` gets one record per epoch (loss terms, learning
    rate, seconds); ``progress`` shows the progress bar. The loop is the one trainer's
    (:mod:`pdec.runtime.trainer`), with one phase: an epoch is one trainer step.

    Under ``torchrun`` every rank draws the same permutation and each trains on its
    share of every minibatch (the sampler of :mod:`pdec.runtime.distributed`):
    ``batch_size`` is the global batch, and the run follows the one-process run.

    ``points`` (instances, P, dims): where each pair is sampled, for a graph neural
    operator (``architecture="gno"``); None on a grid."""
    world, _ = join(model.device)
    model.check_physics(physics)
    extra = physics_inputs if physics_inputs is not None else a[:0]
    rate = dict(lr=lr, epochs=epochs, schedule=schedule, step_every=step_every, gamma=gamma)
    learning_rate(0, **rate)  # an unknown schedule fails before any work
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    generator = torch.Generator().manual_seed(seed)
    history: list[dict] = []
    first = 0
    if start is not None:
        checkpoint.load_state(model, start, "the checkpoint")
        optimizer.load_state_dict(start["optimizer"])
        generator.set_state(start["generator"])
        history, first = list(start["history"]), int(start["epoch"])
    count = a.shape[0]
    # the pairs stay where they are (the CPU); each minibatch goes to the model
    device = model.device
    epoch_began = {"lr": lr, "tic": 0.0}

    def schedule(epoch: int) -> None:
        epoch_began["tic"] = time.perf_counter()
        epoch_began["lr"] = current = learning_rate(epoch, **rate)
        for group in optimizer.param_groups:
            group["lr"] = current

    def batches(epoch: int):
        """(indices of the pairs,) or (indices, indices of physics-only inputs), drawn
        as each batch is reached: all random draws happen here, the same on every rank."""
        for chosen in torch.randperm(count, generator=generator).split(batch_size):
            if physics and extra.shape[0]:
                yield chosen, torch.randint(extra.shape[0], (len(chosen),), generator=generator)
            else:
                yield (chosen,)

    def loss(model, batch):
        inputs = a[batch[0]].to(device, non_blocking=True)
        if points is None:
            predicted = model(inputs)
        else:
            predicted = model(inputs, points[batch[0]].to(device, non_blocking=True))
        data = relative_l2(predicted, u[batch[0]].to(device, non_blocking=True)).mean()
        terms, total = {"data": data}, data
        if physics:
            residual = model.physics_loss(inputs, predicted)
            if len(batch) > 1:
                more = extra[batch[1]].to(device, non_blocking=True)
                residual = residual + model.physics_loss(more, model(more))
            terms["physics"] = residual
            total = total + physics * residual
        return total, terms

    def optimize(total: torch.Tensor) -> None:
        optimizer.zero_grad()
        total.backward()
        optimizer.step()

    def record(step: int, outcomes) -> Record:
        totals = {"data": 0.0, "physics": 0.0}
        for batch, terms in outcomes:
            for name, term in terms.items():
                totals[name] += term.item() * len(batch[0])
        entry = {k: v / count for k, v in totals.items()}
        entry.update(epoch=step, lr=epoch_began["lr"])
        entry["seconds"] = time.perf_counter() - epoch_began["tic"]
        history.append(entry)
        if callback is not None:
            callback(entry)
        return epoch_record(entry, physics, trainer.seconds())

    def message(epoch: int, value: float) -> str:
        return (
            f"the loss became {value} in epoch {epoch}: lower lr (--set lr=...) or the "
            "physics weight"
        )

    def write_checkpoint():
        done = trainer.done[0]  # behind the history after a rollback to the last good state
        return save(training_state(model, optimizer, generator, done, history[:done]))

    phase = Phase(
        "adam",
        epochs,
        batches,
        record,
        loss=loss,
        optimize=optimize,
        message=message,
        schedule=schedule,
    )
    trainer = Trainer(
        model,
        [phase],
        save=write_checkpoint if save is not None else None,
        checkpoint_every=checkpoint_every,
        progress=progress,
        done=[first],
        precision=partial(precision_context, precision, device),
        world=world,
        keeps=lambda: {"adam": optimizer},
    )
    trainer.run()
    return training_state(model, optimizer, generator, max(first, epochs), history)


def epoch_record(entry: dict, physics: float, seconds: float) -> Record:
    """The :class:`Record` of one epoch's entry in a training state's history."""
    return Record(
        step=entry["epoch"],
        phase="adam",
        loss=entry["data"] + physics * entry["physics"],
        terms={"data": entry["data"], "physics": entry["physics"]},
        weights={"data": 1.0, "physics": physics},
        seconds=seconds,
        lr=entry["lr"],
    )


def learning_rate(
    epoch: int,
    lr: float,
    epochs: int,
    schedule: str = "step",
    step_every: int = 0,
    gamma: float = 0.5,
) -> float:
    """The learning rate in epoch ``epoch`` (from 0) of a run of ``epochs``: ``"step"``
    multiplies ``lr`` by ``gamma`` every ``step_every`` epochs (0: every epochs/5, five
    steps in all); ``"cosine"`` anneals it from ``lr`` to 0 along a half cosine.

    >>> [learning_rate(e, 1.0, 10) for e in (0, 1, 2, 9)]
    [1.0, 1.0, 0.5, 0.0625]
    >>> [round(learning_rate(e, 1.0, 4, "cosine"), 3) for e in range(4)]
    [1.0, 0.854, 0.5, 0.146]
    """
    if schedule == "step":
        return lr * gamma ** (epoch // (step_every or max(1, epochs // 5)))
    if schedule == "cosine":
        return lr * 0.5 * (1 + math.cos(math.pi * min(epoch, epochs) / max(1, epochs)))
    raise OptionsError(f"schedule={schedule!r}: 'step' or 'cosine'")


def training_state(model, optimizer, generator, epoch, history) -> dict:
    """Plain data (tensors, numbers, lists, dicts) for ``torch.load(weights_only=True)``."""
    return {
        "state": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "optimizer": optimizer.state_dict(),
        "generator": generator.get_state(),
        "epoch": epoch,
        "history": history,
    }


def relative_l2(predicted: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """‖predicted − target‖ / ‖target‖ per instance (over channels and grid)."""
    difference = (predicted - target).flatten(1).norm(dim=1)
    return difference / target.flatten(1).norm(dim=1).clamp_min(1e-30)


# ---- files ---------------------------------------------------------------------------------

# Kept for the CLI until it reads the unified format's names (pdec.runtime.checkpoint).
MODEL_FORMAT = checkpoint.MODEL_FORMAT
CHECKPOINT_FORMAT = checkpoint.TRAINING_FORMAT


def save_checkpoint(path, model, config: dict, state: dict | None = None, **extra) -> None:
    """The model (``state`` is None: a model file) or a training checkpoint, written
    atomically in the one checkpoint format (:mod:`pdec.runtime.checkpoint`), plus, for
    a checkpoint, the :func:`training_state` entries and ``extra`` (the run's options)."""
    data = checkpoint.model_data(model, config)
    if state is not None:
        data.update(format=checkpoint.TRAINING_FORMAT, **state, **extra)
    checkpoint.write_atomic(data, path)


def read_checkpoint(path) -> dict:
    """A model file or training checkpoint of an operator model."""
    return checkpoint.read(path, target="operator")


def load_model(Model, path, data: dict | None = None):
    """Rebuild a generated operator class's model from a file of :func:`save_checkpoint`,
    refusing one written for another version of the spec."""
    data = data if data is not None else read_checkpoint(path)
    checkpoint.check_spec(data, Model.spec_sha256, path, hint="retrain with this spec")
    model = Model(**checkpoint.rebuild_config(data["config"]))
    checkpoint.load_state(model, data, path)
    return model


__all__ = [
    "TRAINING_OPTIONS",
    "epoch_record",
    "learning_rate",
    "load_model",
    "read_checkpoint",
    "relative_l2",
    "save_checkpoint",
    "train_epochs",
    "training_state",
]
