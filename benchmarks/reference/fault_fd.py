"""Finite-volume reference solution of the antiplane strike-slip fault (specs/fault*.pde).

The benchmark of Okazaki, Ito, Hirahara & Ueda (Nat. Commun. 2022): in the crust
``x in [-10, 10], y in [-10, 0]`` (y up, y = 0 the ground) find the antiplane
displacement u with

    div(mu grad u) = 0                        in the crust
    u(0+, y) - u(0-, y) = s,  [mu u_x] = 0    on the fault x = 0, -D < y < 0
    mu u_y = 0                                on the free surface y = 0
    u = g                                     on x = -10, x = 10, y = -10

For homogeneous mu the half-space solution is known in closed form (:func:`closed_form`);
for a depth-varying mu, :func:`solve_fault` is what the PINN is compared against.

Discretisation (cell-centred finite volumes):

* Square cells of side ``h = (x1 - x0) / n``: ``n`` cells across, ``(y1 - y0) / h``
  down, one unknown per cell centre. ``n = 400`` on the default extent gives h = 0.05
  and 400 x 200 = 80,000 unknowns (0.2 s on 2 cores; n = 1600, 1.28 million
  unknowns, takes about 10 s).
* Each cell's equation is "net flux out = 0". The flux through a face between cells
  P and Q is ``mu_f (u_Q - u_P)`` (gradient (u_Q - u_P) / h times the face length h);
  ``mu_f`` is the *harmonic* mean of mu at the two cell centres (exact for mu piecewise
  constant across the face, second order for smooth mu).
* The fault lies on the cell faces x = 0 and its lower edge on the face y = -D (the
  grid must be chosen so; :func:`solve_fault` raises ``ValueError`` otherwise). Across
  a fault face the flux is ``mu_f (u_right - u_left - s)``: u jumps by s while one
  traction mu u_x leaves one cell and enters the other.
* Free surface: the faces on y = 0 carry no flux (no ghost node needed).
* Far field: a Dirichlet face carries ``2 mu(face) (g(face) - u_P)`` (the centre is
  h/2 away), with mu and g taken at the face midpoint.
* The matrix is symmetric positive definite; SuperLU factorises it
  (``scipy.sparse.linalg.spsolve`` with the symmetric ordering ``MMD_AT_PLUS_A``).

The fault's lower edge. Near (0, -D) u turns like the angle about that point, so
grad u ~ 1/r, and with the scheme above alone (``subtract_tip=False``) the cells around
the edge keep an error of about 0.005 s however fine the grid: relative L2 error order
1, order 2 away from the edge. By default (``subtract_tip=True``) the solver writes
``u = s psi + v`` with ``psi = atan2(x, -y - D) / (2 pi)``, the angle about the edge
normalised to jump by 1 across the fault (psi is harmonic), and solves for v, which
has no jump and no 1/r gradient, with the same matrix:

* a cell's equation is ``net flux of v out = -s * integral of grad(mu) . grad(psi)``
  over the cell, computed as ``grad(mu)(P) . (integral of psi n over the cell's
  boundary)``: grad(mu) by central differences of mu between face midpoints, the face
  integrals of psi by 4-point Gauss-Legendre. psi is bounded, so this holds in the
  cells at the edge too, where the fluxes of psi through the faces ending at the edge
  are infinite;
* the fault faces carry the plain flux ``mu_f (v_right - v_left)``;
* on the free surface the flux of v out is ``-s mu * (exact integral of psi_y)``;
* on the far boundary v = g - s psi at the face midpoint.

Measured (``python -m benchmarks.reference.fault_fd`` prints the first): for mu = 1 the
relative L2 error converges at order 2 (1.8e-5 at n = 400, against 1.15e-3 without
the subtraction); for specs/fault_layered.pde the cell values converge at order 2 in
relative L2 (1.2e-4 at n = 400 against n = 1600), while in the few cells around the
edge v's remaining r log r behaviour leaves order 1 (3e-4 at n = 400).

Example:

>>> solution = solve_fault(lambda x, y: 1.0 + 0.0 * y, n=100)
>>> solution.u.shape, solution.unknowns
((50, 100), 5000)
>>> jump = solution([1e-9], [-0.5]) - solution([-1e-9], [-0.5])
>>> round(float(jump[0]), 6)
1.0
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.interpolate import RegularGridInterpolator
from scipy.sparse.linalg import spsolve

Extent = tuple[float, float, float, float]
FieldFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]

DEFAULT_EXTENT: Extent = (-10.0, 10.0, -10.0, 0.0)

# Gauss-Legendre nodes and weights on [-1, 1] for the face integrals of psi.
_GAUSS_NODES, _GAUSS_WEIGHTS = np.polynomial.legendre.leggauss(4)


def closed_form(x, y, s: float = 1.0, D: float = 1.0) -> np.ndarray:
    """Displacement of a fault slipping by s from y = -D to the surface, homogeneous mu.

    ``u = s/(2 pi) (atan2(x, -y - D) - atan2(x, -y + D))``: the first angle is measured
    about the fault's lower edge (0, -D) with its branch cut along the fault, the second
    about the image edge (0, +D), whose cut lies outside the crust. u jumps by +s from
    x < 0 to x > 0 on the fault, is continuous below it, harmonic, and u_y = 0 at y = 0.
    On the fault line itself (x == 0, -D < y < 0) it returns the plus side's value s/2;
    ``x = -0.0`` counts as ``+0.0``.
    """
    x = np.asarray(x, dtype=float) + 0.0  # -0.0 + 0.0 == +0.0: x == 0 is the plus side
    y = np.asarray(y, dtype=float)
    return s / (2.0 * math.pi) * (np.arctan2(x, -y - D) - np.arctan2(x, -y + D))


def _tip_angle(x, y, D: float) -> np.ndarray:
    """psi: the angle about (0, -D) over 2 pi; jumps by +1 across the fault, x = -0.0 is -."""
    return np.arctan2(x, -np.asarray(y, dtype=float) - D) / (2.0 * math.pi)


@dataclass(frozen=True, eq=False)
class FaultSolution:
    """A discrete solution on cell centres, and its interpolant.

    ``u[j, i]`` approximates u at ``(x[i], y[j])``; both coordinate arrays ascend. No
    cell centre lies on the fault (it runs along cell faces), so every value belongs
    to one side. Calling the solution interpolates at arbitrary points of the crust:
    the known discontinuous part ``closed_form(x, y, s, D)`` is subtracted, the
    remainder (continuous across the fault for any mu, since the slip is the same) is
    interpolated bilinearly on the cell centres extended by the boundary values, and
    the closed form is added back at the query point. So the jump is exact and not
    smeared, and each query point takes the value of its own side; points exactly on
    the fault (x == 0) get the plus side (x > 0).
    """

    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    s: float
    D: float
    remainder: RegularGridInterpolator = field(repr=False)

    @property
    def unknowns(self) -> int:
        return self.u.size

    @property
    def h(self) -> float:
        return float(self.x[1] - self.x[0])

    def __call__(self, xq, yq) -> np.ndarray:
        """u at the points (xq, yq), broadcast together; ValueError outside the crust."""
        xq, yq = np.broadcast_arrays(np.asarray(xq, dtype=float) + 0.0, np.asarray(yq, float))
        points = np.stack([yq.ravel(), xq.ravel()], axis=-1)
        values = self.remainder(points).reshape(xq.shape)
        return values + closed_form(xq, yq, self.s, self.D)


@dataclass(frozen=True)
class _Grid:
    extent: Extent
    h: float
    x: np.ndarray  # cell centres, (nx,)
    y: np.ndarray  # cell centres, (ny,)
    fault_column: int  # first column right of the fault (cell faces at x = 0)
    tip_row: int  # first row above the fault's lower edge y = -D


@dataclass(frozen=True)
class _Faces:
    """Face coefficients ``mu_f * length / distance`` and far-field values."""

    inner_x: np.ndarray  # faces between columns, (ny, nx - 1)
    inner_y: np.ndarray  # faces between rows, (ny - 1, nx)
    left: np.ndarray  # Dirichlet faces on x = x0, (ny,)
    right: np.ndarray  # on x = x1, (ny,)
    bottom: np.ndarray  # on y = y0, (nx,)
    far_left: np.ndarray
    far_right: np.ndarray
    far_bottom: np.ndarray


def _make_grid(n: int, D: float, extent: Extent) -> _Grid:
    x0, x1, y0, y1 = extent
    if not (x0 < 0.0 < x1 and y0 < -D < 0.0 and y1 == 0.0):
        raise ValueError(
            f"extent {extent} with D = {D}: need x0 < 0 < x1, y0 < -D < 0 and y1 = 0 "
            "(the ground), with the fault from (0, -D) to (0, 0)"
        )
    h = (x1 - x0) / n

    def cells(length: float, what: str) -> int:
        count = round(length / h)
        if count < 1 or abs(count * h - length) > 1e-9 * max(1.0, length):
            raise ValueError(
                f"n = {n} gives cells of side h = {h:g}, which do not fit {what} "
                f"({length:g} long); choose n so that h divides it"
            )
        return count

    ny = cells(y1 - y0, "the depth of the crust")
    fault_column = cells(-x0, "the distance from x0 to the fault x = 0")
    tip_row = cells(-D - y0, "the distance from y0 to the fault's lower edge y = -D")
    x = x0 + h * (np.arange(n) + 0.5)
    y = y0 + h * (np.arange(ny) + 0.5)
    return _Grid(extent, h, x, y, fault_column, tip_row)


def _sample(function: FieldFunction, x, y, what: str) -> np.ndarray:
    """function(x, y) broadcast to the points' shape (it may return a constant)."""
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    values = np.broadcast_to(np.asarray(function(x, y), dtype=float), x.shape)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{what} is not finite somewhere on the grid")
    if what == "mu" and np.any(values <= 0):  # a modulus: a zero would divide by zero
        raise ValueError("mu must be positive")
    return values


def _faces(mu: FieldFunction, far: FieldFunction, grid: _Grid) -> _Faces:
    x0, x1, y0, _ = grid.extent
    mu_cells = _sample(mu, grid.x[None, :], grid.y[:, None], "mu")

    def harmonic(a, b):
        return 2.0 * a * b / (a + b)

    return _Faces(
        inner_x=harmonic(mu_cells[:, :-1], mu_cells[:, 1:]),
        inner_y=harmonic(mu_cells[:-1, :], mu_cells[1:, :]),
        left=2.0 * _sample(mu, x0, grid.y, "mu"),
        right=2.0 * _sample(mu, x1, grid.y, "mu"),
        bottom=2.0 * _sample(mu, grid.x, y0, "mu"),
        far_left=_sample(far, x0, grid.y, "far"),
        far_right=_sample(far, x1, grid.y, "far"),
        far_bottom=_sample(far, grid.x, y0, "far"),
    )


def _matrix(faces: _Faces) -> sparse.csc_array:
    """``(A w)_P = sum over faces of coefficient * (w_P - w_Q)``, w_Q = 0 on Dirichlet faces."""
    ny, nx = faces.left.size, faces.bottom.size
    diagonal = np.zeros((ny, nx))
    diagonal[:, :-1] += faces.inner_x
    diagonal[:, 1:] += faces.inner_x
    diagonal[:-1, :] += faces.inner_y
    diagonal[1:, :] += faces.inner_y
    diagonal[:, 0] += faces.left
    diagonal[:, -1] += faces.right
    diagonal[0, :] += faces.bottom  # the top faces (free surface) carry no flux
    east = np.zeros((ny, nx))
    east[:, :-1] = faces.inner_x
    east = east.ravel()[:-1]
    north = faces.inner_y.ravel()
    return sparse.diags_array(
        [diagonal.ravel(), -east, -east, -north, -north],
        offsets=[0, 1, -1, nx, -nx],
        shape=(nx * ny, nx * ny),
        format="csc",
    )


def _dirichlet_rhs(faces: _Faces, left, right, bottom) -> np.ndarray:
    rhs = np.zeros((faces.left.size, faces.bottom.size))
    rhs[:, 0] += faces.left * left
    rhs[:, -1] += faces.right * right
    rhs[0, :] += faces.bottom * bottom
    return rhs


def _jump_rhs(faces: _Faces, grid: _Grid, s: float) -> np.ndarray:
    """Right side for u itself: far field, and the slip in the fault faces' fluxes."""
    rhs = _dirichlet_rhs(faces, faces.far_left, faces.far_right, faces.far_bottom)
    rows, column = slice(grid.tip_row, None), grid.fault_column
    rhs[rows, column - 1] -= s * faces.inner_x[rows, column - 1]
    rhs[rows, column] += s * faces.inner_x[rows, column - 1]
    return rhs


def _face_integrals(grid: _Grid, D: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integrals of psi over vertical faces (seen from the cell on their left, and on
    their right: they differ on the fault) and over horizontal faces."""
    h = grid.h
    x0, x1, y0, y1 = grid.extent
    x_faces = np.linspace(x0, x1, grid.x.size + 1)
    y_faces = np.linspace(y0, y1, grid.y.size + 1)
    offsets = 0.5 * h * _GAUSS_NODES
    weights = 0.5 * h * _GAUSS_WEIGHTS
    x_faces[grid.fault_column] = 0.0  # exactly, whatever linspace rounded it to
    along_y = grid.y[:, None, None] + offsets[None, None, :]
    seen_from_left = np.where(x_faces == 0.0, -0.0, x_faces)  # the fault face's minus side
    from_left = (_tip_angle(seen_from_left[None, :, None], along_y, D) * weights).sum(-1)
    from_right = (_tip_angle(x_faces[None, :, None], along_y, D) * weights).sum(-1)
    along_x = grid.x[None, :, None] + offsets[None, None, :]
    horizontal = (_tip_angle(along_x, y_faces[:, None, None], D) * weights).sum(-1)
    return from_left, from_right, horizontal


def _subtracted_rhs(
    mu: FieldFunction,
    faces: _Faces,
    grid: _Grid,
    s: float,
    D: float,
) -> np.ndarray:
    """Right side for v = u - s psi (see the module docstring)."""
    x0, x1, y0, _ = grid.extent
    h, x, y = grid.h, grid.x, grid.y
    rhs = _dirichlet_rhs(
        faces,
        faces.far_left - s * _tip_angle(x0, y, D),
        faces.far_right - s * _tip_angle(x1, y, D),
        faces.far_bottom - s * _tip_angle(x, y0, D),
    )
    # Free surface: v's outward flux is -s mu * integral of psi_y = x / (2 pi (x^2 + D^2)).
    a, b = x - h / 2, x + h / 2
    psi_y_integral = np.log((b**2 + D**2) / (a**2 + D**2)) / (4.0 * math.pi)
    rhs[-1, :] -= s * _sample(mu, x, 0.0, "mu") * psi_y_integral
    # Source: net flux of v out = -s grad(mu)(P) . (boundary integral of psi n).
    X, Y = x[None, :], y[:, None]
    mu_x = (_sample(mu, X + h / 2, Y, "mu") - _sample(mu, X - h / 2, Y, "mu")) / h
    mu_y = (_sample(mu, X, Y + h / 2, "mu") - _sample(mu, X, Y - h / 2, "mu")) / h
    from_left, from_right, horizontal = _face_integrals(grid, D)
    psi_n_x = from_left[:, 1:] - from_right[:, :-1]  # east face minus west face
    psi_n_y = horizontal[1:, :] - horizontal[:-1, :]  # north face minus south face
    rhs += s * (mu_x * psi_n_x + mu_y * psi_n_y)
    return rhs


def solve_fault(
    mu: FieldFunction,
    n: int = 400,
    s: float = 1.0,
    D: float = 1.0,
    far: FieldFunction | None = None,
    extent: Extent = DEFAULT_EXTENT,
    subtract_tip: bool = True,
) -> FaultSolution:
    """Solve div(mu grad u) = 0 with slip s on the fault, free surface, Dirichlet far field.

    ``mu(x, y)`` and ``far(x, y)`` take numpy arrays (and may return a constant); ``far``
    defaults to the homogeneous half-space solution ``closed_form(x, y, s, D)`` (exact
    for mu = 1); specs/fault_layered.pde asks for ``far = lambda x, y: 0.0``. ``n`` is
    the number of cells across the extent, so ``h = (x1 - x0) / n``; the fault x = 0
    and its edge y = -D must fall on cell faces (on the default extent with D = 1: n a
    multiple of 20). Unknowns: ``n * (y1 - y0) / h``, 80,000 for n = 400.
    ``subtract_tip=False`` solves for u with the slip in the fault faces' fluxes only
    (first order in L2 because of the edge); the default solves for u - s psi.
    """
    if far is None:

        def far(x, y):
            return closed_form(x, y, s, D)

    extent = tuple(float(v) for v in extent)
    grid = _make_grid(n, D, extent)
    faces = _faces(mu, far, grid)
    if subtract_tip:
        rhs = _subtracted_rhs(mu, faces, grid, s, D)
    else:
        rhs = _jump_rhs(faces, grid, s)
    u = spsolve(_matrix(faces), rhs.ravel(), permc_spec="MMD_AT_PLUS_A").reshape(rhs.shape)
    if subtract_tip:
        u += s * _tip_angle(grid.x[None, :], grid.y[:, None], D)  # u = v + s psi
    return FaultSolution(grid.x, grid.y, u, s, D, _remainder_interpolant(grid, u, s, D, far))


def _remainder_interpolant(grid: _Grid, u, s, D, far) -> RegularGridInterpolator:
    """Bilinear interpolant of u - closed_form on cell centres plus the boundary lines.

    The boundary lines carry the far-field values on x = x0, x = x1, y = y0, and on
    the free surface y = 0 the value of the quadratic with zero slope there through the
    two top cell centres, ``(9 r_top - r_below) / 8`` (second order).
    """
    x0, x1, y0, y1 = grid.extent
    x = np.concatenate([[x0], grid.x, [x1]])
    y = np.concatenate([[y0], grid.y, [y1]])
    X, Y = np.meshgrid(x, y)
    values = np.empty(X.shape)
    values[1:-1, 1:-1] = u
    boundary = np.zeros(X.shape, dtype=bool)
    boundary[:, 0] = boundary[:, -1] = boundary[0, :] = True
    values[boundary] = _sample(far, X[boundary], Y[boundary], "far")
    remainder = values - closed_form(X, Y, s, D)
    remainder[-1, 1:-1] = (9.0 * remainder[-2, 1:-1] - remainder[-3, 1:-1]) / 8.0
    return RegularGridInterpolator((y, x), remainder, method="linear")


def relative_l2_error(solution: FaultSolution) -> float:
    """Relative discrete L2 error of the cell values against :func:`closed_form`."""
    X, Y = np.meshgrid(solution.x, solution.y)
    exact = closed_form(X, Y, solution.s, solution.D)
    return float(np.linalg.norm(solution.u - exact) / np.linalg.norm(exact))


def _print_convergence_table(resolutions=(100, 200, 400, 800, 1600)) -> None:
    def homogeneous(x, y):
        return np.ones_like(x)

    print("homogeneous mu = 1, far field = closed form; rel L2 over cell centres")
    for subtract_tip in (True, False):
        print(f"\nsubtract_tip={subtract_tip}")
        print(f"{'n':>6} {'h':>7} {'unknowns':>10} {'seconds':>8} {'rel L2':>10} {'order':>6}")
        previous = None
        for n in resolutions:
            start = time.perf_counter()
            solution = solve_fault(homogeneous, n=n, subtract_tip=subtract_tip)
            seconds = time.perf_counter() - start
            error = relative_l2_error(solution)
            order = "" if previous is None else f"{math.log2(previous / error):.2f}"
            print(
                f"{n:>6} {solution.h:>7.4f} {solution.unknowns:>10,} {seconds:>8.2f} "
                f"{error:>10.3e} {order:>6}"
            )
            previous = error


if __name__ == "__main__":
    _print_convergence_table()
