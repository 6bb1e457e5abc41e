"""Random initial states, seeded, chosen by the form of the spec's dynamics.

The first family whose test the spec passes draws the states (n of them, shaped
(n, fields, *grid), or (n, fields) for an ODE system):

``solitons``
    One field on a periodic line with u_t = a u u_x + b u_xxx (KdV, any signs): two
    solitons, the faster one behind the slower so that they collide, as in Matsubara
    et al. (NeurIPS 2020): κ₁, κ₂ ~ U(0.5, 2), the first centred anywhere, the second a
    distance U(0.2, 0.5)·L downstream. Each is the exact travelling wave
    :func:`soliton`, summed over periodic images.
``phase separation``
    One field whose G is dissipative (Cahn–Hilliard, Allen–Cahn): a mean m ~ U(−0.1,
    0.1) plus independent U(−0.05, 0.05) noise at every point, its own mean removed
    (Matsubara et al. use the noise alone), which spinodal decomposition turns into ±1
    domains.
``below the separatrix``
    An ODE system with an energy: states uniform in the box [−π, π]^d, kept when their
    energy lies below E_min + 0.9 (E_saddle − E_min), E_saddle the lowest saddle of H
    found by Newton's method from a few starts (the separatrix energy g/l for the
    pendulum), so every trajectory stays in the well; with no saddle, the whole box.
``smooth random`` (other periodic fields, e.g. the wave equation)
    Every field a random smooth function: Fourier modes 1 ≤ |n| ≤ 4 with independent
    Gaussian coefficients weighted by 1/|n|, scaled to root-mean-square 1.
``gaussian`` (other ODE systems)
    Standard normal states.

Periodic states keep every mode of the grid, as drawn: :func:`pdec.reference.generate`
solves nonlinear dynamics on a finer grid whose dealiased modes hold all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize
import sympy

from pdec.errors import UnsupportedError
from pdec.passes.check_conservation import dynamics
from pdec.passes.derive_residuals import substitute_definitions
from pdec.reference.discretize import OdeSystem, PeriodicSystem, System
from pdec.symbolic.variational import multi_index, to_jet

SEPARATRIX_FRACTION = 0.9


@dataclass(frozen=True)
class KdvCoefficients:
    """u_t = a u u_x + b u_xxx."""

    a: float
    b: float

    def amplitude(self, kappa: np.ndarray) -> np.ndarray:
        return 12 * self.b * kappa**2 / self.a

    def velocity(self, kappa: np.ndarray) -> np.ndarray:
        return -4 * self.b * kappa**2


def soliton(
    x: np.ndarray, t: float, kappa: float, x0: float, kdv: KdvCoefficients, length: float
) -> np.ndarray:
    """The soliton of u_t = a u u_x + b u_xxx, (12bκ²/a) sech²(κ(x − x0 + 4bκ²t)),
    summed over its periodic images on a line of the given length.

    (With w = (6b/a)⁻¹ u and τ = −bt the equation becomes w_τ + 6ww_x + w_xxx = 0,
    whose soliton is 2κ² sech²(κ(x − 4κ²τ)).) For kdv.pde, a = −6 and b = 1: the
    solitons are troughs −2κ² sech²(κ(x − x0 + ct)) moving left at c = 4κ².
    """
    shift = x - x0 - kdv.velocity(kappa) * t
    images = np.arange(-3, 4)[:, None] * length
    waves = 1 / np.cosh(kappa * (shift[None, :] - images)) ** 2
    return kdv.amplitude(kappa) * waves.sum(axis=0)


def kdv_coefficients(system: System) -> KdvCoefficients | None:
    """(a, b) when the dynamics are u_t = a u u_x + b u_xxx on a periodic line."""
    if not isinstance(system, PeriodicSystem) or len(system.fields) != 1 or system.grid.dim != 1:
        return None
    spec = system.spec
    u = spec.fields[0].function
    flux = dynamics(spec).get(u)
    if flux is None:
        return None
    jet, back = to_jet(sympy.expand(flux), [u], system.space)
    by_order = {
        0 if original == u else multi_index(original, system.space)[0]: symbol
        for symbol, original in back.items()
    }
    if 1 not in by_order or 3 not in by_order or jet.free_symbols - set(back):
        return None
    u0, u1, u3 = by_order[0], by_order[1], by_order[3]
    a = jet.coeff(u0 * u1)
    b = jet.coeff(u3)
    if not (a.is_number and b.is_number) or a == 0 or b == 0:
        return None
    if sympy.expand(jet - a * u0 * u1 - b * u3) != 0:
        return None
    return KdvCoefficients(float(a), float(b))


def two_solitons(
    system: PeriodicSystem, kdv: KdvCoefficients, rng: np.random.Generator, n: int
) -> np.ndarray:
    (x,) = system.grid.coordinates
    length = system.grid.lengths[0]
    states = np.empty((n, 1, x.size))
    downstream = np.sign(kdv.velocity(1.0))
    for i in range(n):
        slow, fast = np.sort(rng.uniform(0.5, 2.0, 2))
        x_slow = system.grid.lo[0] + rng.uniform(0, length)
        x_fast = x_slow - downstream * rng.uniform(0.2, 0.5) * length
        states[i, 0] = soliton(x, 0.0, slow, x_slow, kdv, length) + soliton(
            x, 0.0, fast, x_fast, kdv, length
        )
    return states


def phase_separation(system: PeriodicSystem, rng: np.random.Generator, n: int) -> np.ndarray:
    shape = (n, len(system.fields), *system.grid.shape)
    grid_axes = tuple(range(2, 2 + system.grid.dim))
    means = rng.uniform(-0.1, 0.1, (n, len(system.fields)))
    noise = rng.uniform(-0.05, 0.05, shape)
    noise -= noise.mean(axis=grid_axes, keepdims=True)
    return means.reshape(means.shape + (1,) * system.grid.dim) + noise


def smooth_random(system: PeriodicSystem, rng: np.random.Generator, n: int) -> np.ndarray:
    grid = system.grid
    shape = (n, len(system.fields), *grid.shape)
    radius = np.sqrt(sum(m.astype(float) ** 2 for m in grid.mode_numbers))
    envelope = np.where((radius >= 1) & (radius <= 4), 1 / np.maximum(radius, 1), 0.0)
    coefficients = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * envelope
    states = grid.ifft(coefficients)
    grid_axes = tuple(range(2, 2 + grid.dim))
    rms = np.sqrt(np.mean(states**2, axis=grid_axes, keepdims=True))
    return states / rms


def below_separatrix(system: OdeSystem, rng: np.random.Generator, n: int) -> np.ndarray:
    dim = len(system.fields)
    energy = system.energy
    threshold = _separatrix_threshold(system)
    accepted: list[np.ndarray] = []
    for _ in range(1000):
        candidates = rng.uniform(-np.pi, np.pi, (max(4 * n, 64), dim))
        accepted.extend(candidates[energy(candidates) < threshold])
        if len(accepted) >= n:
            return np.array(accepted[:n])
    raise UnsupportedError(  # pragma: no cover - the box always holds the minimum's well
        f"could not draw states of {system.spec.name} below the energy {threshold:g}"
    )


def _separatrix_threshold(system: OdeSystem) -> float:
    """E_min + 0.9 (E_saddle − E_min) over the critical points of H found from starts
    in [−π, π]^d; +inf when H has no saddle there."""
    spec = system.spec
    energy = next(e for e in spec.energies if not e.learned)
    variables = [f.function for f in spec.fields]
    symbols = [sympy.Dummy(f.name) for f in spec.fields]
    H = substitute_definitions(spec, energy.density).xreplace(dict(zip(variables, symbols)))
    gradient = sympy.lambdify([symbols], [sympy.diff(H, s) for s in symbols], modules="numpy")
    hessian = sympy.lambdify([symbols], sympy.hessian(H, symbols).tolist(), modules="numpy")
    value = sympy.lambdify([symbols], H, modules="numpy")
    starts = np.random.default_rng(0).uniform(-np.pi, np.pi, (32, len(symbols)))
    minima, saddles = [], []
    for start in starts:
        result = scipy.optimize.root(
            lambda s: np.asarray(gradient(s), dtype=float),
            start,
            jac=lambda s: np.asarray(hessian(s), dtype=float),
        )
        if not result.success or np.max(np.abs(result.x)) > np.pi + 1e-9:
            continue
        eigenvalues = np.linalg.eigvalsh(np.asarray(hessian(result.x), dtype=float))
        level = float(value(result.x))
        if np.all(eigenvalues > 1e-9):
            minima.append(level)
        elif np.any(eigenvalues > 1e-9) and np.any(eigenvalues < -1e-9):
            saddles.append(level)
    if not minima or not saddles:
        return np.inf
    low, saddle = min(minima), min(saddles)
    return low + SEPARATRIX_FRACTION * (saddle - low)


def sample_initial(system: System, rng: np.random.Generator, n: int) -> tuple[np.ndarray, str]:
    """n initial states and the name of the family they come from."""
    if system.spec.lagrangian is not None:
        from pdec.reference.lagrangian import initial_states

        return initial_states(system, rng, n), "q and dt(q) uniform in [-1, 1]"
    if isinstance(system, OdeSystem):
        if any(not e.learned for e in system.spec.energies):
            return below_separatrix(system, rng, n), "below the separatrix"
        return rng.standard_normal((n, len(system.fields))), "gaussian"
    kdv = kdv_coefficients(system)
    structure = _structure_kind(system)
    if kdv is not None:
        states, family = two_solitons(system, kdv, rng, n), "solitons"
    elif len(system.fields) == 1 and structure == "negative semidefinite":
        states, family = phase_separation(system, rng, n), "phase separation"
    else:
        states, family = smooth_random(system, rng, n), "smooth random"
    return states, family


def _structure_kind(system: System) -> str | None:
    dynamics = system.spec.fact("dynamics")
    if isinstance(dynamics.error, UnsupportedError):
        return None
    structure = dynamics.require()
    return structure.kind if structure is not None else None
