"""Reference trajectories from a spec, for training and judging energy-based models.

``generate(spec, n, steps, dt, seed, grid)`` integrates the spec's own dynamics
u_t = G δH/δu (or its ``pde`` equations) from seeded random initial states and returns
:class:`Trajectories`; ``.save(path)`` writes them as NPZ with the metadata (spec name
and sha256, dt, integrator, pdec version) and :func:`load_trajectories` reads them back,
checking them against a spec.

Modules, in the order the driver uses them:

=========================  ================================================================
``generate``               the driver
``discretize``             the dynamics as numbers: ODE right-hand sides; on periodic grids
                           the split u_t = L u + N(u), L from the symbols of G and of
                           δH/δu's linear part, N = G n(u) dealiased by the 2/3 rule
``spectral``               periodic grids, wavenumbers, spectral derivatives, symbols
``etdrk4``                 ETDRK4 with Kassam–Trefethen φ-functions and step doubling
``initial``                seeded initial states: solitons, phase separation, …
``trajectories``           the NPZ format, loading and checks
``errors``                 :class:`DataError`, :class:`IntegrationError`
=========================  ================================================================

>>> import pdec
>>> from pdec.reference import generate, load_trajectories
>>> kdv = pdec.loads('''
... model kdv
... const alpha = -6, beta = 1
... region line = interval(x in [0, 10], periodic)
... time t in [0, 10]
... field u(t, x)
... energy H = integral(alpha/6*u^3 - beta/2*dx(u)^2, x)
... evolve dt(u) = dx(delta(H, u))
... ''')
>>> data = generate(kdv, n=1, steps=2, dt=0.001, seed=0, grid=32)
>>> data.u.shape, data.x.shape, data.initial
((1, 3, 1, 32), (32,), 'solitons')
>>> path = data.save(getfixture("tmp_path") / "kdv.npz")
>>> load_trajectories(path, spec=kdv).fields
('u',)
"""

from pdec.reference.discretize import OdeSystem, PeriodicSystem, discretize
from pdec.reference.errors import DataError, IntegrationError
from pdec.reference.generate import generate
from pdec.reference.reading import load_trajectories
from pdec.reference.trajectories import DataWarning, Trajectories

__all__ = [
    "DataError",
    "DataWarning",
    "IntegrationError",
    "OdeSystem",
    "PeriodicSystem",
    "Trajectories",
    "discretize",
    "generate",
    "load_trajectories",
]
