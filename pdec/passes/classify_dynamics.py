"""classify_dynamics: the class of G in ``evolve dt(u) = G δH/δu``, found once.

Run in the *read* stage (:func:`pdec.spec.loads`), so ``check_structure``, ``pdec
check``, :attr:`pdec.Spec.structure`, the energy target's grid and the reference
initial states all read ``spec.dynamics`` rather than classifying G again. It costs a
few milliseconds (a Fourier symbol or a small matrix).

G that cannot be classified (variable coefficients, a non-periodic domain, ...) is not
an error of the spec by itself: the fact keeps the reason, and a consumer that needs
the class raises it (``spec.dynamics.require()``).

>>> from pdec import loads
>>> text = "model m\\nregion I = interval(x in [0, 1], periodic)\\nfield u(t, x)"
>>> text += "\\nenergy H = integral(u^2/2, x)\\nevolve dt(u) = dx(delta(H, u))"
>>> loads(text).ir.dynamics.require().kind
'skew-adjoint'
"""

from __future__ import annotations

import dataclasses

from pdec.errors import SpecError
from pdec.ir import nodes as ir
from pdec.passes.check_structure import dynamics_structure


def classify_dynamics(spec: ir.SpecIR) -> ir.SpecIR:
    """``spec`` with its ``dynamics`` fact."""
    try:
        dynamics = ir.Dynamics(dynamics_structure(spec))
    except SpecError as error:
        dynamics = ir.Dynamics(None, error)
    return dataclasses.replace(spec, dynamics=dynamics)
