"""A reference solver for linear elliptic specs on boxes: −div(A ∇u) + c u = f in the
box, u = g on its whole boundary, with A, c, f, g known functions of the coordinates
and of the spec's ``input`` functions (Darcy: A = a, c = 0, f = 1, g = 0).

The form is read off the spec's own residual (:func:`elliptic_form`): the residual must
be linear in u with the coefficients of the divergence form, −A u_xx − A u_yy − A_x u_x
− A_y u_y + c u − f — the expanded −div(A ∇u) + c u − f. Anything else is
:class:`~pdec.errors.UnsupportedError` with what was found.

Discretisation (:func:`assemble`). A node grid with N_d points per axis including both
ends, h_d = L_d/(N_d − 1); unknowns at the interior nodes; the flux form

    −Σ_d [A_{i+½e_d}(u_{i+e_d} − u_i) − A_{i−½e_d}(u_i − u_{i−e_d})]/h_d² + c_i u_i = f_i,

with A on the cell faces the *harmonic* mean of its values at the two nodes by default
(2 A_i A_j/(A_i + A_j): the conductance of two half-cells in series, which keeps the
flux continuous across a jump in A such as the thresholded Darcy coefficient), or the
arithmetic mean ``mean="arithmetic"``. For smooth A both are second order. Boundary
values g move to the right-hand side. The matrix is symmetric positive definite for
A > 0, c ≥ 0, and is solved by a sparse LU (SuperLU).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse
import scipy.sparse.linalg
import sympy
from sympy.core.function import AppliedUndef

from pdec.errors import InvalidValueError, UnsupportedError
from pdec.ir import nodes as ir
from pdec.passes.derive_residuals import derive_residual, substitute_definitions
from pdec.symbolic.dirichlet import dirichlet_value
from pdec.symbolic.variational import multi_index, to_jet

MEANS = ("harmonic", "arithmetic")


@dataclass(frozen=True)
class EllipticForm:
    """−div(A ∇u) + c u = f in ``box``, u = g on its boundary (SymPy, in ``space`` and
    the inputs' applied functions ``inputs``)."""

    field: ir.Field
    inputs: tuple[ir.Field, ...]
    space: tuple[sympy.Symbol, ...]
    domain: tuple[tuple[float, float], ...]
    diffusion: sympy.Expr
    reaction: sympy.Expr
    source: sympy.Expr
    boundary: sympy.Expr

    def inputs_in_diffusion(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs if self.diffusion.has(i.function))


@dataclass(frozen=True)
class NodeGrid:
    """N_d nodes on [lo_d, hi_d], both ends included."""

    domain: tuple[tuple[float, float], ...]
    shape: tuple[int, ...]

    @property
    def spacing(self) -> tuple[float, ...]:
        return tuple((hi - lo) / (n - 1) for (lo, hi), n in zip(self.domain, self.shape))

    @property
    def points(self) -> tuple[np.ndarray, ...]:
        return tuple(np.linspace(lo, hi, n) for (lo, hi), n in zip(self.domain, self.shape))

    @property
    def mesh(self) -> tuple[np.ndarray, ...]:
        return tuple(np.meshgrid(*self.points, indexing="ij"))

    @property
    def boundary_mask(self) -> np.ndarray:
        mask = np.zeros(self.shape, dtype=bool)
        for d in range(len(self.shape)):
            index = [slice(None)] * len(self.shape)
            for end in (0, -1):
                index[d] = end
                mask[tuple(index)] = True
        return mask


def elliptic_form(spec: ir.SpecIR) -> EllipticForm:
    """The spec as −div(A ∇u) + c u = f on a box with u = g on all of its boundary."""
    if spec.time is not None or len(spec.fields) != 1:
        raise UnsupportedError(
            f"the elliptic reference solver takes one steady field; {spec.name} has "
            + ("time" if spec.time is not None else f"{len(spec.fields)} fields"),
            hint="a spec like darcy.pde: one field u(x, y), one pde, u = g on the boundary",
        )
    (field,) = spec.fields
    pdes = [e for e in spec.equations if e.kind == "pde"]
    if len(pdes) != 1 or not isinstance(pdes[0].location, ir.InRegion):
        raise UnsupportedError(
            f"the elliptic reference solver takes one pde in a region; {spec.name} has {len(pdes)}"
        )
    region = spec.lookup("regions", pdes[0].location.region) or spec.regions[0]
    if not isinstance(region.shape, ir.Box) or any(r.periodic for r in region.shape.ranges):
        raise UnsupportedError(
            f"the region {region.name} is not a box with Dirichlet sides",
            region.span,
            "the elliptic reference solver works on boxes (interval, box) without periodic sides",
        )
    space = region.shape.variables
    if tuple(field.args) != tuple(space):
        raise UnsupportedError(
            f"the field {field.name} depends on {field.args}, the box on {space}", field.span
        )
    domain = tuple(spec.domain.numeric(spec.constant_values, region.shape.ranges).values())
    residual = substitute_definitions(spec, derive_residual(spec, pdes[0]))
    diffusion, reaction, source = _divergence_form(residual, field.function, space, pdes[0])
    boundary = _dirichlet_values(spec, region, field.function, space)
    return EllipticForm(field, spec.inputs, space, domain, diffusion, reaction, source, boundary)


def _divergence_form(residual, u, space, equation):
    """(A, c, f) with residual = −div(A ∇u) + c u − f, or UnsupportedError."""
    hint = "write the equation as -div(A*grad(u)) + c*u = f, e.g. -div(a*grad(u)) = 1"
    jet_residual, back = to_jet(sympy.expand(residual), [u], space)
    by_index = {
        (multi_index(e, space) if isinstance(e, sympy.Derivative) else (0,) * len(space)): s
        for s, e in back.items()
    }
    if any(sum(alpha) > 2 for alpha in by_index):
        raise UnsupportedError(
            "the pde has derivatives of the field of order above 2", equation.span, hint
        )
    symbols = list(back)
    poly = sympy.Poly(jet_residual, *symbols) if symbols else None
    if poly is None or poly.total_degree() > 1:
        raise UnsupportedError("the pde is not linear in the field", equation.span, hint)

    def coefficient(*alpha):
        symbol = by_index.get(tuple(alpha))
        return poly.coeff_monomial(symbol) if symbol is not None else sympy.Integer(0)

    dim = len(space)
    unit = [tuple(int(e == d) for e in range(dim)) for d in range(dim)]
    second = [coefficient(*(2 * np.array(unit[d]))) for d in range(dim)]
    diffusion = -second[0]
    mixed = [
        coefficient(*(np.array(unit[d]) + np.array(unit[e])))
        for d in range(dim)
        for e in range(d + 1, dim)
    ]
    first = [coefficient(*unit[d]) for d in range(dim)]
    divergence = (
        diffusion != 0
        and all(sympy.simplify(s + diffusion) == 0 for s in second)
        and all(sympy.simplify(m) == 0 for m in mixed)
        and all(sympy.simplify(f + sympy.diff(diffusion, v)) == 0 for f, v in zip(first, space))
    )
    if not divergence:
        raise UnsupportedError(
            "the pde is not in divergence form −div(A ∇u) + c u = f with a scalar A",
            equation.span,
            hint,
        )
    reaction = coefficient(*(0,) * dim)
    source = -poly.coeff_monomial(1)
    for name, expr in (("A", diffusion), ("c", reaction), ("f", source)):
        if expr.atoms(sympy.Derivative):
            raise UnsupportedError(
                f"{name} = {sympy.sstr(expr)} holds a derivative of an input",
                equation.span,
                "the reference solver evaluates A, c and f pointwise",
            )
    return diffusion, reaction, source


def _dirichlet_values(spec, region, u, space) -> sympy.Expr:
    """g with u = g on every side of the box (one expression for all sides)."""
    sides = {(p.region, p.side) for p in _box_sides(region)}
    found: dict[tuple[str, str], sympy.Expr] = {}
    for condition in spec.equations:
        if not isinstance(condition.location, ir.OnBoundary):
            continue
        residual = substitute_definitions(spec, derive_residual(spec, condition))
        g = dirichlet_value(residual, u, constants=())
        if g is None:
            raise UnsupportedError(
                f"the condition {condition.name} is not of the form u = g",
                condition.span,
                "the elliptic reference solver takes Dirichlet conditions u = g",
            )
        for piece in condition.location.boundary.pieces:
            found[(piece.region, piece.side)] = g
    missing = sides - set(found)
    if missing:
        names = ", ".join(f"{r}.{s}" for r, s in sorted(missing))
        raise UnsupportedError(
            f"no Dirichlet condition on {names}",
            region.span,
            f"add e.g. `bc wall: u = 0 on {region.name}.boundary`",
        )
    values = set(found.values())
    if len(values) > 1:
        # one expression on every side: pick by position with Piecewise would hide errors;
        # distinct g per side are evaluated side by side in ``boundary_values``.
        return sympy.Tuple(*[(side, found[side]) for side in sorted(found)])
    return values.pop()


def _box_sides(region: ir.Region):
    names = {0: ("left", "right"), 1: ("bottom", "top"), 2: ("back", "front")}
    for d, _ in enumerate(region.shape.ranges):
        for side in names[d]:
            yield ir.BoundaryPiece(region.name, side, ())


def assemble(
    diffusion: np.ndarray,
    reaction: np.ndarray,
    source: np.ndarray,
    boundary: np.ndarray,
    grid: NodeGrid,
    mean: str = "harmonic",
) -> tuple[scipy.sparse.csr_matrix, np.ndarray]:
    """The flux-form system K u_interior = b for values on the grid's nodes."""
    if mean not in MEANS:
        raise InvalidValueError(f"mean={mean!r}", hint=f"one of {', '.join(MEANS)}")
    if np.any(diffusion <= 0) or not np.all(np.isfinite(diffusion)):
        raise InvalidValueError(
            "the diffusion coefficient A must be finite and > 0 at every node",
            hint="for Darcy, a > 0 (the thresholded field takes 12 and 3)",
        )
    shape = grid.shape
    interior = ~grid.boundary_mask
    number = -np.ones(shape, dtype=np.int64)
    number[interior] = np.arange(int(interior.sum()))
    rows, cols, values = [], [], []
    diagonal = np.where(interior, reaction, 0.0).astype(float)
    rhs = np.where(interior, source, 0.0).astype(float)
    for d, h in enumerate(grid.spacing):
        low = [slice(None)] * len(shape)
        high = [slice(None)] * len(shape)
        low[d], high[d] = slice(0, -1), slice(1, None)
        low, high = tuple(low), tuple(high)
        a, b = diffusion[low], diffusion[high]
        face = 2 * a * b / (a + b) if mean == "harmonic" else (a + b) / 2
        weight = face / h**2
        for this, other in ((low, high), (high, low)):
            mine = interior[this]
            diagonal[this] += np.where(mine, weight, 0.0)
            theirs = interior[other]
            couple = mine & theirs
            rows.append(number[this][couple])
            cols.append(number[other][couple])
            values.append(-weight[couple])
            lifted = mine & ~theirs
            rhs[this] += np.where(lifted, weight * boundary[other], 0.0)
    count = int(interior.sum())
    rows.append(np.arange(count))
    cols.append(np.arange(count))
    values.append(diagonal[interior])
    matrix = scipy.sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
        shape=(count, count),
    )
    return matrix, rhs[interior]


def solve_dirichlet(
    diffusion: np.ndarray,
    reaction: np.ndarray,
    source: np.ndarray,
    boundary: np.ndarray,
    grid: NodeGrid,
    mean: str = "harmonic",
) -> np.ndarray:
    """u on all nodes: the boundary values there, the flux-form solution inside."""
    matrix, rhs = assemble(diffusion, reaction, source, boundary, grid, mean)
    u = np.array(boundary, dtype=float)
    u[~grid.boundary_mask] = scipy.sparse.linalg.splu(matrix.tocsc()).solve(rhs)
    return u


class EllipticSolver:
    """The spec's elliptic problem, ready to solve for given inputs on a node grid.

    >>> import pdec
    >>> solver = EllipticSolver(pdec.load("specs/darcy.pde").ir)
    >>> grid = NodeGrid(solver.form.domain, (9, 9))
    >>> u = solver.solve({"a": np.ones((1, 9, 9))}, grid)
    >>> u.shape, float(u[0, 4, 4]) > 0, float(u[0, 0, 3])
    ((1, 9, 9), True, 0.0)
    """

    def __init__(self, spec: ir.SpecIR, mean: str = "harmonic"):
        self.form = elliptic_form(spec)
        self.mean = mean
        names = [i.name for i in self.form.inputs]
        symbols = [sympy.Symbol(f"input_{n}") for n in names]
        replace = {i.function: s for i, s in zip(self.form.inputs, symbols)}
        arguments = (*self.form.space, *symbols)
        self._functions: dict[str, Callable] = {}
        for key in ("diffusion", "reaction", "source"):
            expr = getattr(self.form, key).xreplace(replace)
            _check_pointwise(expr, arguments, key)
            self._functions[key] = sympy.lambdify(arguments, expr, modules="numpy")
        self._boundary = self.form.boundary
        self.input_names = tuple(names)

    def coefficients(self, inputs: dict[str, np.ndarray], grid: NodeGrid) -> dict[str, np.ndarray]:
        """A, c, f on the nodes for one instance (inputs shaped as the grid)."""
        args = (*grid.mesh, *(inputs[n] for n in self.input_names))
        return {
            key: np.broadcast_to(np.asarray(f(*args), dtype=float), grid.shape).copy()
            for key, f in self._functions.items()
        }

    def boundary_values(self, grid: NodeGrid) -> np.ndarray:
        """g on the boundary nodes (0 inside)."""
        values = np.zeros(grid.shape)
        space = self.form.space
        if isinstance(self._boundary, sympy.Tuple):
            names = {0: ("left", "right"), 1: ("bottom", "top"), 2: ("back", "front")}
            for (_, side), g in self._boundary:
                d = next(d for d, pair in names.items() if side in pair)
                end = 0 if side == names[d][0] else -1
                index = [slice(None)] * len(grid.shape)
                index[d] = end
                function = sympy.lambdify(space, g, modules="numpy")
                side_values = np.broadcast_to(function(*grid.mesh), grid.shape)
                values[tuple(index)] = side_values[tuple(index)]
            return values
        function = sympy.lambdify(space, self._boundary, modules="numpy")
        everywhere = np.broadcast_to(np.asarray(function(*grid.mesh), dtype=float), grid.shape)
        return np.where(grid.boundary_mask, everywhere, 0.0)

    def solve(self, inputs: dict[str, np.ndarray], grid: NodeGrid) -> np.ndarray:
        """u for each instance: ``inputs[name]`` shaped (n, *grid) → (n, *grid)."""
        counts = {v.shape[0] for v in inputs.values()} or {1}
        (n,) = counts
        boundary = self.boundary_values(grid)
        out = np.empty((n, *grid.shape))
        for i in range(n):
            c = self.coefficients({k: v[i] for k, v in inputs.items()}, grid)
            out[i] = solve_dirichlet(
                c["diffusion"], c["reaction"], c["source"], boundary, grid, self.mean
            )
        return out

    def description(self, grid: NodeGrid) -> str:
        points = "×".join(map(str, grid.shape))
        return (
            f"finite differences (flux form, {self.mean} mean of A on cell faces) on "
            f"{points} nodes including the boundary; scipy.sparse SuperLU"
        )


def _check_pointwise(expr: sympy.Expr, arguments: Sequence[sympy.Symbol], key: str) -> None:
    others = expr.atoms(AppliedUndef) | (expr.free_symbols - set(arguments))
    if others:
        raise UnsupportedError(
            f"{key} depends on {sympy.sstr(next(iter(others)))}, which has no value",
            hint="give parameters and constants values in the spec",
        )
