"""Errors of the reference data, kept here for compatibility: they live in
:mod:`pdec.errors` (both are :class:`pdec.SpecError` s, so the command line reports them
with their hint and exits 2).

* :class:`DataError` — a trajectory file that cannot be used: a missing array, an
  axis of the wrong length, fields or a grid that do not match the spec.
* :class:`IntegrationError` — the reference integrator failed: the solution blew up
  or the step size needed fell below what is reasonable.
"""

from pdec.errors import DataError, IntegrationError

__all__ = ["DataError", "IntegrationError"]
