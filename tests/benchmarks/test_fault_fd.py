"""The finite-volume reference for the strike-slip fault benchmark (specs/fault*.pde)."""

import doctest
import sys
from pathlib import Path

import numpy as np
import pytest

try:
    from benchmarks.reference import fault_fd
except ModuleNotFoundError:  # plain `pytest` (not `python -m pytest`) leaves the root off sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.reference import fault_fd

closed_form, solve_fault = fault_fd.closed_form, fault_fd.solve_fault


def homogeneous(x, y):
    return np.ones_like(x)


def layered(x, y):
    """specs/fault_layered.pde: the crust stiffens with depth."""
    return 1.0 + 0.5 * np.tanh(-y - 2.0)


def tilted(x, y):
    """Layered, and stiffer on the plus side: no symmetry makes the fault's traction match."""
    return layered(x, y) + 0.25 * np.tanh(x - 0.5)


def zero(x, y):
    return 0.0


# Points of the crust on neither the fault line x = 0 nor the boundary.
X, Y = np.meshgrid(np.linspace(-9.95, 9.95, 200), np.linspace(-9.95, -0.05, 100))


def relative_l2(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def surface_slope(u, h):
    """u_y at y = 0 of the quadratic through the top three cell centres of each column."""
    return (2.0 * u[-1] - 3.0 * u[-2] + u[-3]) / h


def fault_traces(solution, column):
    """u and u_x on the fault face x = 0, extrapolated (quadratically) from each side."""
    u, h = solution.u, solution.h
    left, right = u[:, column - 3 : column][:, ::-1], u[:, column : column + 3]
    value, slope = {}, {}
    for side, cells, sign in (("-", left, 1.0), ("+", right, -1.0)):
        near, middle, far = cells[:, 0], cells[:, 1], cells[:, 2]
        value[side] = (15 * near - 10 * middle + 3 * far) / 8
        slope[side] = sign * (2 * near - 3 * middle + far) / h
    return value, slope


# --- the closed form ----------------------------------------------------------------------


@pytest.mark.parametrize(("s", "D"), [(1.0, 1.0), (2.5, 1.5)])
def test_closed_form_jumps_by_s_on_the_fault_and_is_continuous_below(s, D):
    on_fault = np.linspace(-D + 1e-2, -1e-2, 50)
    jump = closed_form(1e-9, on_fault, s, D) - closed_form(-1e-9, on_fault, s, D)
    np.testing.assert_allclose(jump, s, atol=1e-7)
    below = np.linspace(-10.0, -D - 1e-2, 50)
    step = closed_form(1e-9, below, s, D) - closed_form(-1e-9, below, s, D)
    np.testing.assert_allclose(step, 0.0, atol=1e-7)
    # x == 0 (and -0.0) is the plus side
    np.testing.assert_allclose(closed_form(-0.0, on_fault, s, D), s / 2)


@pytest.mark.parametrize(("s", "D"), [(1.0, 1.0), (2.5, 1.5)])
def test_closed_form_has_a_free_surface(s, D):
    x, h = np.linspace(-10.0, 10.0, 101), 1e-4
    u = [closed_form(x, -k * h, s, D) for k in range(3)]
    slope = (-3 * u[0] + 4 * u[1] - u[2]) / (2 * h)  # second-order one-sided difference
    np.testing.assert_allclose(slope, 0.0, atol=1e-7)


@pytest.mark.parametrize(("s", "D"), [(1.0, 1.0), (2.5, 1.5)])
def test_closed_form_is_harmonic(s, D):
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-10, 10, 200), rng.uniform(-10, -0.01, 200)
    keep = (np.abs(x) > 0.05) & (np.hypot(x, y + D) > 0.1)
    x, y, h = x[keep], y[keep], 1e-3
    neighbours = sum(closed_form(x + dx, y + dy, s, D) for dx, dy in
                     ((h, 0), (-h, 0), (0, h), (0, -h)))  # fmt: skip
    laplacian = (neighbours - 4 * closed_form(x, y, s, D)) / h**2
    np.testing.assert_allclose(laplacian, 0.0, atol=1e-4)


# --- homogeneous mu against the closed form -------------------------------------------------


@pytest.mark.parametrize(
    ("subtract_tip", "resolutions", "least_order"),
    [(True, (100, 200), 1.9), (False, (200, 400), 0.9)],
)
def test_homogeneous_solution_converges_to_the_closed_form(subtract_tip, resolutions, least_order):
    # Relative L2 on the points X, Y, measured at n = 100, 200, 400, 800:
    #   subtract_tip=True:  2.9e-4, 7.3e-5, 1.8e-5, 4.6e-6 (order 2.0)
    #   subtract_tip=False: 2.9e-3, 2.3e-3, 5.1e-4, 1.3e-4 (order 1.0 over the cell
    #   centres, where grad u ~ 1/r at the tip leaves O(1) errors in the cells around
    #   it; the points nearest the tip make the first step pre-asymptotic).
    exact = closed_form(X, Y)
    errors = [
        relative_l2(solve_fault(homogeneous, n=n, subtract_tip=subtract_tip)(X, Y), exact)
        for n in resolutions
    ]
    assert errors[0] <= 1e-2
    assert np.log2(errors[0] / errors[1]) >= least_order


def test_homogeneous_error_is_small_at_the_default_resolution():
    solution = solve_fault(homogeneous)  # n = 400, 80,000 unknowns
    assert solution.unknowns == 80_000
    assert relative_l2(solution(X, Y), closed_form(X, Y)) < 2e-5
    assert np.abs(solution(X, Y) - closed_form(X, Y)).max() < 2e-5


# --- variable mu: specs/fault_layered.pde, and a tilted variant ------------------------------


def net_flux_out(solution, mu, far):
    """Each cell's net flux out under the plain jump scheme, written out face by face."""
    u, x, y, s, D = solution.u, solution.x, solution.y, solution.s, solution.D
    cells = np.broadcast_to(mu(x[None, :], y[:, None]), u.shape)
    flux = np.zeros_like(u)
    # between columns: harmonic mean of mu, slip subtracted across the fault faces
    mu_x = 2 * cells[:, 1:] * cells[:, :-1] / (cells[:, 1:] + cells[:, :-1])
    difference = u[:, 1:] - u[:, :-1]
    on_fault = (np.abs(x[1:] + x[:-1]) < 1e-9)[None, :] & (y > -D)[:, None]
    difference = difference - s * on_fault
    flux[:, :-1] += mu_x * difference
    flux[:, 1:] -= mu_x * difference
    mu_y = 2 * cells[1:, :] * cells[:-1, :] / (cells[1:, :] + cells[:-1, :])
    flux[:-1, :] += mu_y * (u[1:, :] - u[:-1, :])
    flux[1:, :] -= mu_y * (u[1:, :] - u[:-1, :])
    # far field: half a cell from the centre to the face
    for index, xb, yb in (
        ((slice(None), 0), -10.0, y),
        ((slice(None), -1), 10.0, y),
        ((0, slice(None)), x, -10.0),
    ):
        flux[index] += 2 * mu(xb, yb) * (far(xb, yb) - u[index])
    return flux  # the free surface carries nothing


@pytest.fixture(scope="module")
def layered_solutions():
    wanted = [(100, True), (200, True), (400, True), (200, False), (400, False)]
    return {(n, tip): solve_fault(layered, n=n, far=zero, subtract_tip=tip) for n, tip in wanted}


@pytest.mark.parametrize(("mu", "far"), [(layered, zero), (tilted, closed_form)])
def test_solution_satisfies_the_discrete_equations(mu, far):
    solution = solve_fault(mu, n=200, far=far, subtract_tip=False)
    residual = net_flux_out(solution, mu, far)
    assert np.abs(residual).max() < 1e-12  # measured 7e-16; the fluxes are O(0.1)


@pytest.mark.parametrize("tip", [True, False])
def test_layered_solution_has_a_free_surface(layered_solutions, tip):
    # u_y at y = 0, extrapolated from the cells, against the slope scale s/(pi D) = 0.32.
    # Measured max |u_y| at n = 200, 400: 1.4e-3, 1.3e-4 (subtract_tip), 1.5e-3, 1.7e-4.
    solutions = [layered_solutions[n, tip] for n in (200, 400)]
    slopes = [np.abs(surface_slope(solution.u, solution.h)).max() for solution in solutions]
    assert slopes[1] < 5e-4
    assert slopes[1] < slopes[0] / 3


@pytest.mark.parametrize("tip", [True, False])
def test_solution_slips_by_s_with_continuous_traction(tip):
    solution = solve_fault(tilted, n=400, subtract_tip=tip)
    value, slope = fault_traces(solution, column=200)
    # Traces extrapolated from three cells on each side are third-order accurate where u
    # is smooth on the scale of the stencil: keep 0.45 away from the tip. Measured
    # (either scheme): |jump - s| and |traction jump| <= 2.4e-4, traction up to 0.2.
    above_tip = solution.y > -0.55
    below_tip = solution.y < -1.45
    jump = value["+"] - value["-"]
    np.testing.assert_allclose(jump[above_tip], 1.0, atol=5e-4)
    np.testing.assert_allclose(jump[below_tip], 0.0, atol=5e-4)
    traction_jump = tilted(0.0, solution.y) * (slope["+"] - slope["-"])
    np.testing.assert_allclose(traction_jump[above_tip | below_tip], 0.0, atol=5e-4)


def test_interpolant_takes_the_side_of_the_query_point(layered_solutions):
    solution = layered_solutions[200, True]
    y = np.linspace(-0.95, -0.05, 10)
    np.testing.assert_allclose(solution(1e-9, y) - solution(-1e-9, y), 1.0, atol=1e-12)
    np.testing.assert_allclose(solution(0.0, y), solution(1e-12, y), atol=1e-9)


def test_layered_solution_converges_under_refinement(layered_solutions):
    # Cell values against n = 1600, relative L2 over the cell centres, measured:
    # 1.8e-3, 4.8e-4, 1.2e-4, 3.1e-5 at n = 100, 200, 400, 800 (order 2; the cells
    # around the fault's lower edge converge at order 1 pointwise: 3e-4 at n = 400).
    finest = layered_solutions[400, True]
    differences = []
    for n in (100, 200):
        coarse = layered_solutions[n, True]
        xc, yc = np.meshgrid(coarse.x, coarse.y)
        differences.append(relative_l2(coarse.u, finest(xc, yc)))
    assert differences[1] < 1e-3  # measured 4.5e-4
    assert differences[1] < differences[0] / 3  # measured 4.0


@pytest.mark.parametrize(("mu", "far"), [(layered, zero), (tilted, None)])
def test_the_plain_jump_flux_converges_to_the_same_solution(mu, far):
    # Relative differences at n = 200, 400, measured: 3.2e-3, 7.1e-4 (layered),
    # 2.9e-3, 6.5e-4 (tilted, whose grad(mu) has an x component).
    differences = []
    for n in (200, 400):
        plain, subtracted = (
            solve_fault(mu, n=n, far=far, subtract_tip=tip) for tip in (False, True)
        )
        differences.append(relative_l2(plain(X, Y), subtracted(X, Y)))
    assert differences[1] < 2e-3
    assert differences[1] < differences[0] / 1.5


# --- the solution object ---------------------------------------------------------------------


def test_interpolant_reproduces_the_cells_and_the_far_field():
    solution = solve_fault(layered, n=100, far=zero)
    xc, yc = np.meshgrid(solution.x, solution.y)
    np.testing.assert_allclose(solution(xc, yc), solution.u, atol=1e-12)
    np.testing.assert_allclose(solution(solution.x, -10.0), 0.0, atol=1e-12)
    np.testing.assert_allclose(solution(10.0, solution.y), 0.0, atol=1e-12)
    np.testing.assert_allclose(solution(np.linspace(-10, 10, 7), -10.0), 0.0, atol=1e-5)
    with pytest.raises(ValueError):
        solution(0.5, 0.1)


def test_grid_must_put_the_fault_on_cell_faces():
    with pytest.raises(ValueError, match="lower edge"):
        solve_fault(homogeneous, n=50)  # h = 0.4 does not divide 9
    with pytest.raises(ValueError, match="x = 0"):
        solve_fault(homogeneous, n=40, extent=(-5.25, 14.75, -10, 0))


def test_docstring_examples():
    assert doctest.testmod(fault_fd).failed == 0
