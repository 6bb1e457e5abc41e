"""Errors of the energy-based runtime.

* ``SolverDidNotConverge`` (a ``RuntimeError``) — the implicit discrete-gradient step
  did not bring its residual below the tolerance within the iteration cap. The message
  gives the residual reached, its history and what to try (smaller dt, more
  iterations, a looser tolerance, Newton's method).
* ``StructureError`` (a ``ValueError``) — an operator G's dense matrix is not of the
  class it declares (skew, dissipative).
* ``NoEnergyError`` (a ``ValueError``) — an energy was asked of a model that has none
  (the ``node`` baseline).

All are ``pdec.errors.PdecError``s: exit code 4 for the solver, 2 for the others.
"""

from __future__ import annotations

from pdec.errors import PdecError


class SolverDidNotConverge(PdecError, RuntimeError):  # noqa: N818 (the name is part of the runtime's contract)
    """The implicit step's residual stayed above the tolerance.

    Attributes: ``residual`` (the last relative residual), ``tol``, ``iterations``
    (updates made), ``method`` ("newton" or "fixed_point") and ``history`` (the
    relative residual before each update and after the last one).
    """

    exit_code = 4  # like a diverged run: the model or dt, not the command, must change

    def __init__(
        self, message: str, *, residual: float, tol: float, iterations: int, method: str, history
    ):
        super().__init__(message)
        self.residual = residual
        self.tol = tol
        self.iterations = iterations
        self.method = method
        self.history = tuple(history)


class StructureError(PdecError, ValueError):
    """An operator whose dense matrix contradicts its declared class."""


class NoEnergyError(PdecError, ValueError):
    """The model has no energy: it is the unstructured ``node`` baseline."""
