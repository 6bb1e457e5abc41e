"""The elliptic reference solver: the discrete equations hold to round-off, second-order
convergence on manufactured solutions, and clear errors for what it does not solve."""

import math

import numpy as np
import pytest
import sympy

import pdec
from pdec.reference.elliptic import EllipticSolver, NodeGrid, elliptic_form, solve_dirichlet
from pdec.reference.random_fields import GaussianRandomField, threshold


def flux_residual(u, a, f, h, mean):
    """−div(a ∇u) − f at the interior nodes, from the five-point stencil written out."""

    def face(p, q):
        return 2 * p * q / (p + q) if mean == "harmonic" else (p + q) / 2

    c = (slice(1, -1), slice(1, -1))
    east, west = face(a[c], a[2:, 1:-1]), face(a[c], a[:-2, 1:-1])
    north, south = face(a[c], a[1:-1, 2:]), face(a[c], a[1:-1, :-2])
    divergence = (
        east * (u[2:, 1:-1] - u[c])
        - west * (u[c] - u[:-2, 1:-1])
        + north * (u[1:-1, 2:] - u[c])
        - south * (u[c] - u[1:-1, :-2])
    ) / h**2
    return -divergence - f[c]


@pytest.mark.parametrize("mean", ["harmonic", "arithmetic"])
def test_darcy_solutions_satisfy_the_discrete_equations(spec_path, mean):
    """A thresholded (12/3) coefficient on 33² nodes: every interior equation holds to
    round-off relative to its terms, and u = 0 on the boundary."""
    solver = EllipticSolver(pdec.load(spec_path("darcy")).ir, mean=mean)
    grid = NodeGrid(((0.0, 1.0), (0.0, 1.0)), (33, 33))
    field = GaussianRandomField(domain=grid.domain)
    a = threshold(field.sample(np.random.default_rng(4), 2, grid.points))
    u = solver.solve({"a": a}, grid)
    for i in range(2):
        residual = flux_residual(u[i], a[i], np.ones(grid.shape), 1 / 32, mean)
        scale = 12 * np.abs(u[i]).max() / (1 / 32) ** 2
        assert np.abs(residual).max() < 1e-12 * scale
        assert np.abs(u[i][grid.boundary_mask]).max() == 0.0
        assert u[i][1:-1, 1:-1].min() > 0  # maximum principle: f = 1 > 0


def manufactured_spec():
    """−div(A ∇u) + 2u = f with A = 1 + xy/2 + sin(πx)/4, u = eˣ sin(πy) + xy, and u = u
    on the boundary (not zero: the boundary values enter the right-hand side)."""
    x, y = sympy.symbols("x y")
    A = 1 + x * y / 2 + sympy.sin(sympy.pi * x) / 4
    u = sympy.exp(x) * sympy.sin(sympy.pi * y) + x * y
    f = -sympy.diff(A * sympy.diff(u, x), x) - sympy.diff(A * sympy.diff(u, y), y) + 2 * u

    def text(e):
        return sympy.sstr(e).replace("**", "^")

    spec = pdec.loads(
        "model mms\n"
        "region square = box(x in [0, 1], y in [0, 1])\n"
        f"param k(x, y) = {text(A)}\n"
        "field u(x, y)\n"
        f"pde p: -div(k*grad(u)) + 2*u = {text(f)} in square\n"
        f"bc w: u = {text(u)} on square.boundary\n"
    )
    return spec, sympy.lambdify((x, y), u, "numpy")


@pytest.mark.parametrize("mean", ["harmonic", "arithmetic"])
def test_second_order_convergence_on_a_manufactured_solution(mean):
    spec, exact = manufactured_spec()
    solver = EllipticSolver(spec.ir, mean=mean)
    errors = []
    for n in (17, 33, 65, 129):
        grid = NodeGrid(((0.0, 1.0), (0.0, 1.0)), (n, n))
        u = solver.solve({}, grid)[0]
        errors.append(np.abs(u - exact(*grid.mesh)).max())
    rates = [math.log2(a / b) for a, b in zip(errors, errors[1:])]
    assert errors[-1] < 1e-4
    assert all(1.9 < r < 2.1 for r in rates), (errors, rates)


def test_one_dimensional_problems_are_exact_for_quadratics():
    """−u″ = 1 on [0, 1], u(0) = u(1) = 0: u = x(1 − x)/2, which the stencil reproduces."""
    spec = pdec.loads(
        "model bar\nregion I = interval(x in [0, 1])\nfield u(x)\n"
        "pde p: -dx(dx(u)) = 1 in I\nbc ends: u = 0 on I.boundary\n"
    )
    grid = NodeGrid(((0.0, 1.0),), (11,))
    u = EllipticSolver(spec.ir).solve({}, grid)[0]
    (x,) = grid.points
    assert np.abs(u - x * (1 - x) / 2).max() < 1e-14


def test_reads_the_darcy_form_from_the_spec(spec_path):
    form = elliptic_form(pdec.load(spec_path("darcy")).ir)
    x, y = sympy.symbols("x y")
    assert form.diffusion == sympy.Function("a")(x, y)
    assert form.reaction == 0 and form.source == 1 and form.boundary == 0
    assert form.inputs_in_diffusion() == ("a",)


@pytest.mark.parametrize(
    ("equation", "condition", "message"),
    [
        ("-div(a*grad(u)) + dx(u) = 1", "u = 0 on square.boundary", "divergence form"),
        ("-a*lap(u) = 1", "u = 0 on square.boundary", "divergence form"),
        ("-div(a*grad(u)) + u^2 = 1", "u = 0 on square.boundary", "not linear"),
        ("-div(a*grad(u)) = 1", "dn(u) = 0 on square.boundary", "u = g"),
        ("-div(a*grad(u)) = 1", "u = 0 on square.left", "no Dirichlet condition"),
    ],
)
def test_unsupported_problems_say_what_works(equation, condition, message):
    spec = pdec.loads(
        "model m\nregion square = box(x in [0, 1], y in [0, 1])\ninput a(x, y)\n"
        f"field u(x, y)\npde p: {equation} in square\nbc w: {condition}\n"
    )
    with pytest.raises(pdec.UnsupportedError, match=message) as caught:
        EllipticSolver(spec.ir)
    assert caught.value.hint


def test_rejects_a_nonpositive_coefficient():
    grid = NodeGrid(((0.0, 1.0), (0.0, 1.0)), (5, 5))
    a = np.ones(grid.shape)
    a[2, 2] = 0.0
    zeros = np.zeros(grid.shape)
    with pytest.raises(pdec.InvalidValueError, match="> 0"):
        solve_dirichlet(a, zeros, zeros + 1, zeros, grid)
