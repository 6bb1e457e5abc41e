"""The driver: ``generate(spec, n, steps, dt, seed, grid)`` → :class:`Trajectories`.

Stages, one call each:

1. :func:`~pdec.reference.discretize.discretize` — the spec's dynamics as numbers (an
   ODE right-hand side, or the pseudo-spectral split u_t = L u + N(u) on the grid);
2. :func:`~pdec.reference.initial.sample_initial` — n seeded initial states, of the
   family that fits the dynamics (solitons, phase separation, …);
3. integrate — ``solve_ivp`` (DOP853) for ODE systems; for periodic fields the exact
   exponential (linear dynamics) or ETDRK4 with error-controlled substeps on a grid
   :data:`REFINEMENT` times finer, so that the dealiased modes it evolves hold every
   mode of the output grid, sampled back at the output points;
4. :class:`Trajectories` with the metadata (spec name and sha256, dt, integrator).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.integrate

from pdec.errors import InvalidValueError
from pdec.ir import nodes as ir
from pdec.reference.discretize import PeriodicSystem, discretize
from pdec.reference.errors import IntegrationError
from pdec.reference.etdrk4 import CONTOUR_POINTS, integrate, phi_functions
from pdec.reference.initial import sample_initial
from pdec.reference.trajectories import Trajectories

REFINEMENT = 2
"""Nonlinear periodic dynamics are solved on a grid this many times finer per dimension:
its 2/3-rule modes |n| < 2N/3 hold all |n| ≤ N/2 of the N-point output grid."""
ODE_RTOL = 1e-10
ODE_ATOL = 1e-12
TOLERANCE = 1e-8


def generate(
    spec,
    n: int,
    steps: int,
    dt: float,
    seed: int | None = 0,
    grid: int | Sequence[int] | None = None,
    *,
    initial: np.ndarray | None = None,
    tolerance: float = TOLERANCE,
) -> Trajectories:
    """n reference trajectories of ``steps`` steps of length ``dt`` from the spec.

    ``spec``: a :class:`pdec.Spec`, its IR, or a path to a .pde file; ``seed``: of
    the random initial states (see :mod:`pdec.reference.initial`); ``grid``: points
    per space dimension (default 64); ``initial``: the initial states instead, shaped
    (n, fields, *grid). Periodic states keep every mode of the grid: the first snapshot
    is the initial state as drawn or given, and nonlinear dynamics are solved on a grid
    :data:`REFINEMENT` times finer (the initial states interpolated onto it) and sampled
    at the output points. ``tolerance``: the relative error per sampling interval that
    ETDRK4's substeps aim for. Times start at the spec's ``time t in [t0, ...]``.

    >>> import pdec
    >>> spec = pdec.loads('''
    ... model pendulum
    ... time t in [0, 10]
    ... field q(t), p(t)
    ... energy H = p^2/2 - 9.8*cos(q)
    ... evolve dt(q, p) = [[0, 1], [-1, -0.1]] * grad(H, (q, p))
    ... ''')
    >>> data = generate(spec, n=2, steps=3, dt=0.1, seed=0)
    >>> data.u.shape, data.fields, data.initial
    ((2, 4, 2), ('q', 'p'), 'below the separatrix')
    """
    spec_ir = _spec_ir(spec)
    _check_counts(n, steps, dt, tolerance)
    system = discretize(spec_ir, grid)
    if initial is None:
        states, family = sample_initial(system, np.random.default_rng(seed), n)
    else:
        states, family = _given_states(system, initial, n), "given"
    t0 = float(spec_ir.time.lo) if spec_ir.time.lo is not None else 0.0
    times = t0 + dt * np.arange(steps + 1)
    if not isinstance(system, PeriodicSystem):  # an ODE system, or a Lagrangian's (q, q̇)
        u, integrator = _integrate_ode(system, states, times)
        space, coordinates, domain = (), (), ()
    else:
        u, integrator = _integrate_periodic(system, states, times, tolerance)
        grid_ = system.grid
        space = tuple(map(str, system.space))
        coordinates = grid_.coordinates
        domain = tuple(zip(grid_.lo, grid_.hi))
    return Trajectories(
        u=u,
        t=times,
        dt=float(dt),
        fields=system.fields,
        space=space,
        coordinates=coordinates,
        domain=domain,
        spec_name=spec_ir.name,
        spec_sha256=spec_ir.sha256,
        integrator=integrator,
        initial=family,
        seed=seed,
    )


def _integrate_ode(system, states: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, str]:
    """All trajectories as one system, so that one call does them all."""
    n, fields = states.shape

    def rhs(t, y):
        return system.rhs(y.reshape(n, fields), t).ravel()

    solution = scipy.integrate.solve_ivp(
        rhs,
        (times[0], times[-1]),
        states.ravel(),
        method="DOP853",
        t_eval=times,
        rtol=ODE_RTOL,
        atol=ODE_ATOL,
    )
    if not solution.success or solution.y.shape[1] != times.size:
        raise IntegrationError(
            f"solve_ivp stopped at t = {solution.t[-1]:g}: {solution.message}",
            hint="the solution may blow up; check the spec's signs and constants",
        )
    u = solution.y.T.reshape(times.size, n, fields).transpose(1, 0, 2)
    description = (
        f"scipy.integrate.solve_ivp DOP853 (rtol={ODE_RTOL:g}, atol={ODE_ATOL:g}), "
        "dense output sampled every dt"
    )
    return u, description


def _integrate_periodic(
    system: PeriodicSystem, states: np.ndarray, times: np.ndarray, tolerance: float
) -> tuple[np.ndarray, str]:
    """The states at ``times`` on the output grid, every mode of it evolved.

    Linear dynamics take the exact exponential on the output grid itself. Nonlinear
    ones are dealiased, which keeps only the modes |n| < N/3 of a grid of N points, so
    they are solved on the grid :data:`REFINEMENT` times finer, whose kept modes hold
    all |n| ≤ N/2 of the output grid: the initial states are interpolated onto it
    (trigonometric interpolation, the same states at the output points) and the
    solution is sampled back at the output points, as the true solution would be.
    """
    grid = system.grid
    points = "×".join(map(str, grid.shape))
    if system.is_linear:
        u = grid.ifft(_exact_exponential(system, grid.fft(states), times))
        u[:, 0] = states
        return u, (
            f"Fourier pseudo-spectral on {points} points; linear dynamics: exact "
            "exponential e^(L dt) of the Fourier symbol"
        )
    fine = system.refined(REFINEMENT)
    v0 = fine.grid.fft(grid.interpolate(states, fine.grid))
    run = integrate(fine.stepper(), v0, times, tolerance)
    u = np.ascontiguousarray(fine.grid.sample(fine.grid.ifft(run.states), REFINEMENT))
    u[:, 0] = states  # the same up to round-off; exactly the states drawn or given
    phi = (
        f"φ-functions by Kassam–Trefethen contour means ({CONTOUR_POINTS} points)"
        if system.diagonal
        else "φ-functions by the exponential of an augmented matrix"
    )
    substeps = (
        f"{run.substeps.min()}–{run.substeps.max()}"
        if run.substeps.min() != run.substeps.max()
        else f"{run.substeps.min()}"
    )
    fine_points = "×".join(map(str, fine.grid.shape))
    description = (
        f"Fourier pseudo-spectral on {fine_points} points ({REFINEMENT}× the {points} "
        "output points, at which it is sampled), 2/3-rule dealiasing of nonlinear terms "
        "(the kept modes hold every mode of the output grid); ETDRK4 (Cox–Matthews; "
        f"{phi}) with {substeps} substeps per dt chosen by step doubling (relative "
        f"tolerance {tolerance:g} per dt)"
    )
    return u, description


def _exact_exponential(system: PeriodicSystem, v0: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Transforms at ``times`` of v_t = L v: v_{k+1} = e^(L dt) v_k, mode by mode."""
    dt = float(times[1] - times[0])
    if system.diagonal:
        E = np.exp(dt * system.linear)
        step = lambda v: E * v  # noqa: E731
    else:
        Z = np.moveaxis(dt * system.linear, (0, 1), (-2, -1))
        E = np.moveaxis(phi_functions(Z, 0)[0], (-2, -1), (0, 1))
        step = lambda v: np.einsum("ij...,bj...->bi...", E, v)  # noqa: E731
    transforms = [v0]
    for _ in range(times.size - 1):
        transforms.append(step(transforms[-1]))
    return np.stack(transforms, axis=1)


def _spec_ir(spec) -> ir.SpecIR:
    if isinstance(spec, str | Path):
        from pdec.spec import load

        spec = load(spec)
    return getattr(spec, "ir", spec)


def _check_counts(n, steps, dt, tolerance) -> None:
    for name, value, what in (
        ("n", n, "the number of trajectories"),
        ("steps", steps, "the number of steps"),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise InvalidValueError(
                f"{name} = {value!r}: {what} must be a whole number ≥ 1", hint=f"e.g. {name}=10"
            )
    if not isinstance(dt, int | float | np.floating) or not math.isfinite(dt) or dt <= 0:
        raise InvalidValueError(f"dt = {dt!r}: the time step must be a number > 0")
    if not (0 < tolerance < 1):
        raise InvalidValueError(f"tolerance = {tolerance!r}: expected a number in (0, 1)")


def _given_states(system, initial, n: int) -> np.ndarray:
    states = np.asarray(initial, dtype=float)
    expected = (n, len(system.fields)) + (
        system.grid.shape if isinstance(system, PeriodicSystem) else ()
    )
    if states.shape != expected:
        raise InvalidValueError(
            f"initial has shape {states.shape}, expected {expected} (trajectories, fields, *grid)"
        )
    return states
