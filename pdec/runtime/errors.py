"""Errors raised while building, training and restoring PINN models.

They are not ``SpecError``s: the spec was fine, something about running it is not. All
are ``pdec.errors.PdecError``s, which carry the ``pdec`` command's exit code (2, or 4
for a diverged run).

* ``OptionsError`` (a ``ValueError``) — a training or model option is unknown or has
  the wrong type or value. The message lists the bad keys, suggests the nearest valid
  key, and lists every valid key with its type and default.
* ``TrainingDiverged`` (a ``RuntimeError``) — a loss term or a gradient became NaN or
  infinite. The message names the step, the terms, and the last good checkpoint.
* ``CheckpointError`` (a ``ValueError``) — a checkpoint belongs to another spec or
  another kind of file, or cannot be read.
* ``DataFileError`` (a ``ValueError``) — an observation table (CSV/NPZ) that is missing,
  unreadable, lacks columns, has NaN or inf, or lies outside the domain; or a
  parameter's table (``param k(x, y) = table("k.csv")``) that is missing, unreadable,
  lacks columns, has NaN or inf, has values of the wrong shape, or does not cover the
  domain.
* ``GridShapeError`` (a ``ValueError``) — a batch of grids that does not fit an
  operator model.

``DataFileError`` and ``GridShapeError`` carry ``message`` and ``hint`` and render as
``error: message`` / ``hint: ...``, like a located-nowhere ``SpecError``. The runtime
never raises front-end (``SpecError``) errors: it is a leaf that the front end does not
load.
"""

from __future__ import annotations

from pdec.errors import PdecError


class OptionsError(PdecError, ValueError):
    """Unknown option, or an option with a wrong type or value."""


class TrainingDiverged(PdecError, RuntimeError):  # noqa: N818 (the name is part of the runtime's contract)
    """The loss or its gradient became non-finite during training.

    Attributes: ``step`` (1-based global step), ``phase`` ("adam" or "lbfgs"),
    ``terms`` (names of the non-finite terms), ``checkpoint`` (path of the last good
    checkpoint, or None) and ``good_step`` (the steps that checkpoint holds, if known).
    The message ends with where the last good checkpoint is (the trainer may write one
    as the run stops: :meth:`pdec.runtime.trainer.Trainer.keep_last_good`).
    """

    exit_code = 4

    def __init__(self, message: str, *, step: int, phase: str, terms, checkpoint):
        super().__init__(message)
        self.message = message
        self.step = step
        self.phase = phase
        self.terms = tuple(terms)
        self.checkpoint = checkpoint
        self.good_step: int | None = None
        self.before_any_step = False  # no step completed: no good state to keep

    def __str__(self) -> str:
        if self.checkpoint is None and self.before_any_step:
            return f"{self.message}; no step had completed, so there was no good state to keep"
        if self.checkpoint is None:
            return f"{self.message}; no checkpoint was written (set checkpoint_dir to keep one)"
        after = f" (after step {self.good_step})" if self.good_step is not None else ""
        return f"{self.message}; the last good checkpoint is {self.checkpoint}{after}"


class CheckpointError(PdecError, ValueError):
    """A checkpoint that cannot be used for this model."""


class HintedError(PdecError, ValueError):
    """A runtime error with a one-line ``message`` and a ``hint`` saying what to change."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"error: {self.message}" + (f"\nhint: {self.hint}" if self.hint else "")


class DataFileError(HintedError):
    """An observation or coefficient table that cannot be used: missing, unreadable,
    wrong columns, non-finite values, a grid of the wrong shape, or points outside the
    domain (a coefficient table: a domain outside the table)."""


class GridShapeError(HintedError):
    """A batch of input grids whose shape does not fit an operator model."""
