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
"""

from __future__ import annotations

from pdec.errors import PdecError


class OptionsError(PdecError, ValueError):
    """Unknown option, or an option with a wrong type or value."""


class TrainingDiverged(PdecError, RuntimeError):  # noqa: N818 (the name is part of the runtime's contract)
    """The loss or its gradient became non-finite during training.

    Attributes: ``step`` (1-based global step), ``phase`` ("adam" or "lbfgs"),
    ``terms`` (names of the non-finite terms) and ``checkpoint`` (path of the last good
    checkpoint, or None).
    """

    exit_code = 4

    def __init__(self, message: str, *, step: int, phase: str, terms, checkpoint):
        super().__init__(message)
        self.step = step
        self.phase = phase
        self.terms = tuple(terms)
        self.checkpoint = checkpoint


class CheckpointError(PdecError, ValueError):
    """A checkpoint that cannot be used for this model."""
