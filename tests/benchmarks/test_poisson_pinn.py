"""Helpers of the Poisson benchmark (benchmarks/poisson_pinn.py); no training here."""

import doctest
import sys
from pathlib import Path

import numpy as np
import pytest

import pdec

try:
    from benchmarks import poisson_pinn as module
except ModuleNotFoundError:  # plain `pytest` (not `python -m pytest`) leaves the root off sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks import poisson_pinn as module


def test_doctests():
    assert doctest.testmod(module).failed == 0


def test_the_exact_solution_has_no_error_and_a_scaled_one_its_scale():
    assert module.relative_l2(module.poisson_exact) == 0.0
    scaled = module.relative_l2(lambda x, y: 1.01 * module.poisson_exact(x, y))
    assert scaled == pytest.approx(0.01, rel=1e-12)


def test_the_grid_covers_the_square_edges_included():
    x, y = module.grid(5)
    assert x.shape == y.shape == (5, 5)
    np.testing.assert_array_equal(x[0], [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_array_equal(y[:, 0], [0, 0.25, 0.5, 0.75, 1])


def test_the_exact_solution_solves_the_spec_by_finite_differences():
    x, y, h = 0.3, 0.7, 1e-3
    u = module.poisson_exact
    laplacian = (u(x + h, y) + u(x - h, y) + u(x, y + h) + u(x, y - h) - 4 * u(x, y)) / h**2
    assert -laplacian == pytest.approx(2 * np.pi**2 * u(x, y), rel=1e-6)
    edges = np.linspace(0, 1, 11)
    np.testing.assert_allclose(u(edges, 0.0), 0, atol=1e-15)
    np.testing.assert_allclose(u(1.0, edges), 0, atol=1e-15)


def test_the_numpy_reference_matches_the_generated_one(tmp_path):
    Model = pdec.compile(module.ROOT / "specs" / "poisson.pde", target="pinn", out_dir=tmp_path)
    module.check_reference(Model(layers=(1, 4)))
