"""``GeneratedModel``: the one base of every generated class (``PinnModel``,
``EnergyModel``, ``OperatorModel``), and what the three targets share at run time.

* **one fit signature**: ``model.fit(*data, **options) -> History``. The data are
  positional (none for a PINN, whose points come from the spec; the pairs ``u0, u1``
  for an energy model; the grids ``a, u`` for an operator); the options are keywords,
  validated by the target's pydantic class (``fit_options``, a subclass of
  :class:`~pdec.runtime.options._Options`) before any work::

      model.fit(steps=2000, lbfgs_steps=100)                       # PINN
      model.fit(u0, u1, epochs=100, lr=1e-2)                       # energy
      model.fit(a, u, epochs=24, batch_size=5, schedule="cosine")  # operator

* **one history**: :class:`~pdec.runtime.history.History` of
  :class:`~pdec.runtime.history.Record` (step, phase, loss, terms, weights, seconds);
* **one checkpoint format and one reader** (:mod:`pdec.runtime.checkpoint`):
  ``model_data`` / ``save`` / ``load`` write and read the same envelope
  ``{"format", "version", "target", "spec_name", "spec_sha256", "model_class",
  "config", "state"}`` for every target;
* **one divergence guard** (:func:`check_finite`): a non-finite loss raises
  :class:`~pdec.runtime.errors.TrainingDiverged` before the update, so the last
  checkpoint on disk stays good;
* **device and dtype**: the ``device`` and ``dtype`` properties read the model's first
  floating tensor; ``resolve_device`` ("auto" → cuda when available) and ``DTYPES``
  come from :mod:`pdec.runtime.devices`.

* **one trainer** (:mod:`pdec.runtime.trainer`): every ``fit`` (and ``train_pairs``,
  ``train_epochs``) runs :class:`~pdec.runtime.trainer.Trainer` — steps or epochs over
  the target's phases (the PINN: Adam, then L-BFGS), the learning-rate hook, History,
  the finite-loss guard, checkpoints on time and resume, the progress bar — with each
  target supplying its batches, its loss and its optimizers.

Where whole-step compilation and data parallelism go: every update goes through the
trainer's one step function, ``Trainer.step(model, batch)`` → the detached loss terms,
or a phase's ``update``. The PINN's Adam phase compiles its whole step there
(:mod:`pdec.runtime.capture`, ``compile="step"``). Under ``torchrun`` the same function
takes this rank's share of the global batch and computes the loss inside
``DistributedDataParallel``, with :func:`check_finite` on the all-reduced loss
(:mod:`pdec.runtime.distributed`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import torch
from torch import nn

from pdec.runtime import checkpoint, distributed
from pdec.runtime.errors import TrainingDiverged
from pdec.runtime.history import History
from pdec.runtime.options import _Options


class GeneratedModel(nn.Module):
    """The base of generated classes; see the module docstring.

    Class attributes set by the generator: ``spec_name``, ``spec_sha256``,
    ``field_names``, ``residual_names``, ``default_options`` (the spec's ``train:``
    hints). ``target`` and ``fit_options`` are set by each target's base.
    """

    target: ClassVar[str] = ""
    fit_options: ClassVar[type[_Options] | None] = None
    spec_name: ClassVar[str] = "model"
    spec_sha256: ClassVar[str] = ""
    field_names: ClassVar[tuple[str, ...]] = ()
    residual_names: ClassVar[tuple[str, ...]] = ()
    default_options: ClassVar[dict[str, Any]] = {}

    def fit(self, *data: Any, **options: Any) -> History:
        """Train in place on ``data`` with ``options``; see the module docstring."""
        raise NotImplementedError(f"{type(self).__name__} must implement fit(*data, **options)")

    # -- device and dtype ----------------------------------------------------------------

    def _first_float(self) -> torch.Tensor | None:
        for tensor in (*self.parameters(), *self.buffers()):
            if tensor.is_floating_point():
                return tensor
        return None

    @property
    def device(self) -> torch.device:
        tensor = self._first_float()
        return tensor.device if tensor is not None else torch.device("cpu")

    @property
    def dtype(self) -> torch.dtype:
        tensor = self._first_float()
        return tensor.dtype if tensor is not None else torch.get_default_dtype()

    # -- files ---------------------------------------------------------------------------

    def model_data(self, config: dict[str, Any] | None = None) -> dict[str, Any]:
        """The model part of every checkpoint: identification, ``config`` (the keyword
        arguments that rebuild the model; default ``self.config``) and CPU state."""
        if config is None:
            config = getattr(self, "config", None)
            if config is None:
                raise TypeError(f"{type(self).__name__} keeps no config: pass config=")
        return checkpoint.model_data(self, config)

    def save(self, path: str | os.PathLike, config: dict[str, Any] | None = None) -> None:
        """Write the model (config and weights) atomically."""
        checkpoint.write_atomic(self.model_data(config), path)

    @classmethod
    def load(cls, path: str | os.PathLike, *, strict: bool = True, **overrides: Any):
        """A model of this class from a model file or a training checkpoint of its
        spec; ``overrides`` replace config entries (``device=...``). ``strict=False``
        accepts a file of another version of the spec (same network shape needed)."""
        data = checkpoint.read(path, target=cls.target or None)
        if strict:
            checkpoint.check_spec(data, cls.spec_sha256, path, "pass strict=False to load anyway")
        model = cls(**{**checkpoint.rebuild_config(data["config"]), **overrides})
        checkpoint.load_state(model, data, path)
        return model


TRAINING_FILE_OPTIONS = ("checkpoint_dir", "checkpoint_every", "resume")


def training_files(
    model: GeneratedModel, options: _Options
) -> tuple[dict[str, Any] | None, Callable[[dict[str, Any]], Path] | None]:
    """Checkpoints of a ``fit``, in the one format: ``(start, save)``.

    ``start`` is the training checkpoint in ``options.checkpoint_dir`` when
    ``options.resume`` is set and one is there (refused if written for another spec or
    another target), else None — in a run of several processes, the one rank 0 reads;
    ``save(state)`` writes the model and the trainer's ``state`` (plain data) with the
    options atomically to ``<checkpoint_dir>/checkpoint.pt``; None without a
    ``checkpoint_dir``.
    """
    if options.checkpoint_dir is None:
        return None, None
    path = Path(options.checkpoint_dir) / checkpoint.FILENAME

    def read() -> dict[str, Any] | None:
        if not (options.resume and path.is_file()):
            return None
        found = checkpoint.read(path, formats=(checkpoint.TRAINING_FORMAT,), target=model.target)
        checkpoint.check_spec(found, model.spec_sha256, path, "start without resume")
        return found

    start = distributed.current().from_main(read)  # what rank 0 reads, every rank uses

    def save(state: dict[str, Any]) -> Path:
        data = model.model_data(getattr(model, "config", None) or {})
        data.update(state)
        data.update(format=checkpoint.TRAINING_FORMAT, options=options.model_dump(mode="json"))
        return checkpoint.write_atomic(data, path)

    return start, save


def check_finite(
    value: float, *, step: int, phase: str, terms, message: str, checkpoint_path=None
) -> None:
    """The divergence guard every trainer calls before an update: a non-finite loss
    raises :class:`TrainingDiverged` (exit code 4) with ``message``."""
    if not math.isfinite(value):
        raise TrainingDiverged(
            message, step=step, phase=phase, terms=terms, checkpoint=checkpoint_path
        )


__all__ = ["TRAINING_FILE_OPTIONS", "GeneratedModel", "check_finite", "training_files"]
