"""Errors of the reference data: both are :class:`pdec.SpecError` s, so the command
line reports them with their hint and exits 2.

* :class:`DataError` — a trajectory file that cannot be used: a missing array, an
  axis of the wrong length, fields or a grid that do not match the spec.
* :class:`IntegrationError` — the reference integrator failed: the solution blew up
  or the step size needed fell below what is reasonable.
"""

from __future__ import annotations

from pdec.errors import SpecError


class DataError(SpecError):
    """Trajectory data whose arrays, shapes, fields or grid do not fit (the message names
    the array and axis, with the expected and the actual value)."""


class IntegrationError(SpecError):
    """The reference integrator could not follow the solution to the requested time."""
