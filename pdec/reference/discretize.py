"""The spec's dynamics u_t = F[u] as numbers: an ODE right-hand side, or a Fourier
pseudo-spectral split F = L u + N(u) on a periodic grid.

Everything comes from the spec's own equations. For ``evolve dt(u) = G δH/δu`` the
constant-coefficient operator G is read off as its Fourier symbol σ_G(k) (the one
``pdec check`` classifies) and δH/δu by the Euler operator; δH/δu is split into its
part linear in the fields with constant coefficients, whose symbol Λ(k) makes the stiff
linear operator L = σ_G Λ, and the rest n(u, u_x, …), evaluated pointwise on the grid
and then differentiated spectrally by G in conservative form: N(u) = G n(u). For KdV
(δH/δu = −3u² + u_xx, G = ∂x) that is L = i k³ and N = ∂x(−3u²), which conserves
∫u exactly. Dynamics given as ``pde`` equations, or an evolve whose G is not a
constant-coefficient operator, are split the same way with G = identity.

Nonlinear terms are dealiased by the 2/3 rule: N's transform is kept only on the modes
|n| < N/3 (which is why :func:`pdec.reference.generate` solves on a finer grid than the
one it samples). The fields' jets are evaluated on the grid by
:mod:`pdec.reference.pointwise`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property

import numpy as np
import sympy
from sympy import Derivative

from pdec.errors import InvalidValueError, UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.check_conservation import dynamics
from pdec.passes.check_structure import periods
from pdec.passes.derive_residuals import substitute_definitions
from pdec.reference.etdrk4 import Etdrk4
from pdec.reference.pointwise import Jet, Pointwise, compile_pointwise
from pdec.reference.spectral import PeriodicGrid
from pdec.symbolic.structure import operator_symbol
from pdec.symbolic.variational import multi_index, to_jet, variational_derivative

DEFAULT_POINTS = 64


class System:
    """What both kinds of system share: the spec, its fields, functionals of the state."""

    def __init__(self, spec: ir.SpecIR, space: tuple[sympy.Symbol, ...]):
        self.spec = spec
        self.space = space
        self.fields = tuple(f.name for f in spec.fields)
        self.coordinates: tuple[np.ndarray, ...] = ()  # the grid, broadcastable

    def functional(self, density: sympy.Expr) -> Callable[[np.ndarray], np.ndarray]:
        """Q(u) = ∫ density (or the density itself for an ODE) for states u shaped
        (..., fields, *grid); returns an array shaped (...)."""
        pointwise = compile_pointwise(
            self.spec, [substitute_definitions(self.spec, density)], self.space
        )

        def value(u: np.ndarray, t: float = 0.0) -> np.ndarray:
            shape = self.pointwise_shape(u)
            jets = self.jet_values(u, pointwise)
            (density_values,) = pointwise(self.coordinates, t, jets, shape)
            return self.integrate(density_values)

        return value

    @cached_property
    def quantities(self) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
        """Every energy with a formula and every claimed quantity, by name."""
        found = {}
        for energy in self.spec.energies:
            if not energy.learned:
                found[energy.name] = self.functional(energy.density)
        for claim in self.spec.claims:
            if claim.density is not None and claim.name not in found:
                found[claim.name] = self.functional(claim.density)
        return found

    def energy(self, u: np.ndarray) -> np.ndarray:
        """The spec's first energy of the states u."""
        energies = [e for e in self.spec.energies if not e.learned]
        if not energies:
            raise UnsupportedError(f"the spec {self.spec.name} has no energy with a formula")
        return self.quantities[energies[0].name](u)

    # implemented by the subclasses

    def jet_values(self, u: np.ndarray, pointwise: Pointwise) -> list[np.ndarray]:
        raise NotImplementedError

    def pointwise_shape(self, u: np.ndarray) -> tuple[int, ...]:
        """The shape of one field's values in states u: u's shape without the field axis."""
        raise NotImplementedError

    def integrate(self, values: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class OdeSystem(System):
    """u_t = F(u, t) for a state of scalars (fields of time only)."""

    def __init__(self, spec: ir.SpecIR):
        super().__init__(spec, ())
        flux = dynamics(spec)
        missing = [f.name for f in spec.fields if f.function not in flux]
        if missing:
            raise UnsupportedError(
                f"the spec gives no dt({missing[0]}): no dynamics to integrate",
                hint="add evolve dt(...) = ... or a pde solved for dt(...)",
            )
        self.flux = compile_pointwise(spec, [flux[f.function] for f in spec.fields], ())

    def rhs(self, u: np.ndarray, t: float = 0.0) -> np.ndarray:
        """F(u, t) for states shaped (..., fields)."""
        values = self.flux((), t, self.jet_values(u, self.flux), self.pointwise_shape(u))
        return np.stack(values, axis=-1)

    def jet_values(self, u: np.ndarray, pointwise: Pointwise) -> list[np.ndarray]:
        return [u[..., jet.field] for jet in pointwise.jets]

    def pointwise_shape(self, u: np.ndarray) -> tuple[int, ...]:
        return u.shape[:-1]

    def integrate(self, values: np.ndarray) -> np.ndarray:
        return values


class PeriodicSystem(System):
    """u_t = L u + N(u, t) on a periodic grid, states shaped (..., fields, *grid).

    ``linear``: L in Fourier space, (fields, *grid) when it does not couple fields
    (``diagonal``), else (fields, fields, *grid). ``operator``: σ_G (fields, terms,
    *grid) with the dealiasing mask, applied to the transform of ``pointwise``, the
    nonlinear terms n_j.
    """

    def __init__(self, spec: ir.SpecIR, space: tuple[sympy.Symbol, ...], grid: PeriodicGrid):
        super().__init__(spec, space)
        self.grid = grid
        self.coordinates = grid.mesh
        terms, sigma, wavenumbers = _operator_form(spec, space)
        linear_terms, nonlinear_terms = zip(*(_split_linear(spec, w, space) for w in terms))
        sigma_values = np.array(
            [[grid.symbol(entry, wavenumbers) for entry in row] for row in sigma.tolist()]
        )
        Lambda = np.array([_symbol_of(part, len(self.fields), grid) for part in linear_terms])
        L = np.einsum("ij...,jl...->il...", sigma_values, Lambda)
        off_diagonal = ~np.eye(len(self.fields), dtype=bool)
        self.diagonal = not np.any(L[off_diagonal])
        self.linear = np.einsum("ii...->i...", L) if self.diagonal else L
        if np.all(np.isreal(self.linear)):
            self.linear = self.linear.real
        self.is_linear = all(term == 0 for term in nonlinear_terms)
        self.pointwise = compile_pointwise(spec, nonlinear_terms, space)
        self.operator = sigma_values * grid.dealias_mask

    def jet_values(self, u: np.ndarray, pointwise: Pointwise) -> list[np.ndarray]:
        return self._jets_from_transform(self.grid.fft(u), pointwise)

    def _jets_from_transform(self, v: np.ndarray, pointwise: Pointwise) -> list[np.ndarray]:
        field_axis = -self.grid.dim - 1
        return [
            self.grid.ifft(
                np.take(v, jet.field, axis=field_axis) * self.grid.derivative_factor(jet.alpha)
            )
            for jet in pointwise.jets
        ]

    def pointwise_shape(self, u: np.ndarray) -> tuple[int, ...]:
        dim = self.grid.dim
        return u.shape[: -dim - 1] + u.shape[-dim:]

    def integrate(self, values: np.ndarray) -> np.ndarray:
        return self.grid.integrate(values)

    def nonlinear(self, v: np.ndarray, t: float) -> np.ndarray:
        """N(v, t) in Fourier space, for transforms v shaped (batch, fields, *grid)."""
        if self.is_linear:
            return np.zeros_like(v)
        jets = self._jets_from_transform(v, self.pointwise)
        terms = self.pointwise(self.coordinates, t, jets, self.pointwise_shape(v))
        transform = self.grid.fft(np.stack(terms, axis=-self.grid.dim - 1))
        return np.einsum("ij...,bj...->bi...", self.operator, transform)

    def apply_linear(self, v: np.ndarray) -> np.ndarray:
        if self.diagonal:
            return self.linear * v
        return np.einsum("ij...,bj...->bi...", self.linear, v)

    def rhs(self, u: np.ndarray, t: float = 0.0) -> np.ndarray:
        """F(u, t) = L u + N(u, t) in physical space, for states (batch, fields, *grid)."""
        v = self.grid.fft(u)
        return self.grid.ifft(self.apply_linear(v) + self.nonlinear(v, t))

    def stepper(self) -> Etdrk4:
        return Etdrk4(self.linear, self.nonlinear, self.diagonal)

    def refined(self, factor: int) -> PeriodicSystem:
        """The same dynamics on a grid with ``factor`` times the points per dimension."""
        return PeriodicSystem(self.spec, self.space, self.grid.refined(factor))


def discretize(spec: ir.SpecIR, grid: int | Sequence[int] | None = None) -> System:
    """The spec's dynamics as an :class:`OdeSystem` or a :class:`PeriodicSystem`.

    ``grid``: points per space dimension (an int for all, or one per dimension);
    default 64. Raises ``UnsupportedError`` for what cannot be integrated here.
    """
    _check_integrable(spec)
    if spec.lagrangian is not None:
        from pdec.reference.lagrangian import LagrangianSystem

        return LagrangianSystem(spec)
    time = spec.time.symbol
    space = space_variables(spec)
    if not space:
        if grid is not None:
            raise InvalidValueError(
                f"grid={grid!r} given, but {spec.name} is an ODE system with no space",
                hint="leave out the grid",
            )
        return OdeSystem(spec)
    for f in spec.fields:
        if tuple(v for v in f.args if v != time) != space:
            raise UnsupportedError(
                f"the fields depend on different space variables ({f.name} on "
                f"{', '.join(str(v) for v in f.args if v != time)})",
                hint="reference data need all fields on one grid",
            )
    ranges = periods(spec, space)
    lo = tuple(float(ranges[v][0]) for v in space)
    hi = tuple(float(ranges[v][1]) for v in space)
    shape = _grid_shape(grid, len(space))
    return PeriodicSystem(spec, space, PeriodicGrid(lo, hi, shape))


def space_variables(spec: ir.SpecIR) -> tuple[sympy.Symbol, ...]:
    """The space variables the fields depend on, in the spec's order."""
    time = spec.time.symbol if spec.time else None
    used = {v for f in spec.fields for v in f.args if v != time}
    return tuple(v for v in spec.space if v in used)


def _check_integrable(spec: ir.SpecIR) -> None:
    for energy in spec.energies:
        if energy.learned:
            raise UnsupportedError(
                f"the energy {energy.name} is learned: there are no equations to generate "
                "reference trajectories from",
                energy.span,
                "give the energy a formula, or bring trajectories in pdec's NPZ format "
                "(see pdec.reference.Trajectories)",
            )
    if spec.inputs:
        raise UnsupportedError(
            f"the spec has the input {spec.inputs[0].name}: reference data for operator "
            "learning are not generated yet",
            spec.inputs[0].span,
        )
    if spec.time is None or not spec.fields:
        raise UnsupportedError(
            f"the spec {spec.name} declares no time-dependent fields: nothing to integrate",
            hint="declare time t in [0, T] and fields u(t, x)",
        )
    for f in spec.fields:
        if spec.time.symbol not in f.args:
            raise UnsupportedError(
                f"the field {f.name} does not depend on time",
                f.span,
                f"declare it as {f.name}({spec.time.symbol}, ...)",
            )


def _grid_shape(grid: int | Sequence[int] | None, dim: int) -> tuple[int, ...]:
    if grid is None:
        return (DEFAULT_POINTS,) * dim
    if isinstance(grid, int | np.integer):
        shape = (grid,) * dim
    elif isinstance(grid, Sequence) and not isinstance(grid, str):
        shape = tuple(grid)
    else:
        shape = ()
    if len(shape) != dim or not all(
        isinstance(n, int | np.integer) and not isinstance(n, bool) and n >= 4 for n in shape
    ):
        raise InvalidValueError(
            f"grid={grid!r}: expected {dim} whole number(s) ≥ 4 (points per space dimension)",
            hint="e.g. grid=64" if dim == 1 else f"e.g. grid={(64,) * dim}",
        )
    return tuple(int(n) for n in shape)


def _operator_form(
    spec: ir.SpecIR, space: tuple[sympy.Symbol, ...]
) -> tuple[list[sympy.Expr], sympy.Matrix, tuple[sympy.Symbol, ...]]:
    """(W, σ_G, k) with F_i = Σ_j G_ij W_j: W_j = δH/δu_j for an evolve with a
    constant-coefficient G, else W = F and G = identity."""
    evolution = spec.evolution
    fields = [f.name for f in spec.fields]
    if evolution is not None and set(evolution.fields) == set(fields):
        try:
            rhs = [substitute_definitions(spec, r) for r in evolution.rhs]
            placeholders = [p.function for p in evolution.placeholders]
            sigma, wavenumbers = operator_symbol(rhs, placeholders, space)
        except UnsupportedError:
            pass
        else:
            terms = []
            for p in evolution.placeholders:
                energy = spec.lookup("energies", p.energy)
                field = spec.lookup("fields", p.field)
                terms.append(
                    variational_derivative(
                        substitute_definitions(spec, energy.density), field.function, energy.space
                    )
                )
            rows = [evolution.fields.index(name) for name in fields]
            return terms, sigma.extract(rows, list(range(sigma.cols))), wavenumbers
    flux = dynamics(spec)
    missing = [f.name for f in spec.fields if f.function not in flux]
    if missing:
        raise UnsupportedError(
            f"the spec gives no dt({missing[0]}): no dynamics to integrate",
            hint="add evolve dt(...) = ... or a pde solved for dt(...)",
        )
    wavenumbers = tuple(sympy.Symbol(f"k_{v}", real=True) for v in space)
    return [flux[f.function] for f in spec.fields], sympy.eye(len(fields)), wavenumbers


def _symbol_of(linear: list[tuple[Jet, complex]], fields: int, grid: PeriodicGrid) -> np.ndarray:
    """The symbol of Σ c·∂^α u_l, one row (fields, *grid)."""
    row = np.zeros((fields, *grid.shape), dtype=complex)
    for jet, coefficient in linear:
        row[jet.field] += coefficient * grid.derivative_factor(jet.alpha)
    return row


def _split_linear(
    spec: ir.SpecIR, expr: sympy.Expr, space: tuple[sympy.Symbol, ...]
) -> tuple[list[tuple[Jet, complex]], sympy.Expr]:
    """expr = Σ c·(jet) + rest, with constant c: the linear terms and the rest."""
    fields = [f.function for f in spec.fields]
    index = {f: i for i, f in enumerate(fields)}
    jet_expr, back = to_jet(sympy.expand(expr), fields, space)
    linear, rest = [], sympy.Integer(0)
    for term in sympy.Add.make_args(sympy.expand(jet_expr)):
        coefficient, factor = term.as_independent(*back)
        if factor in back and not coefficient.free_symbols:
            original = back[factor]
            if isinstance(original, Derivative):
                jet = Jet(index[original.expr], multi_index(original, space))
            else:
                jet = Jet(index[original], (0,) * len(space))
            linear.append((jet, complex(coefficient)))
        else:
            rest += term.xreplace(back)
    return linear, rest
