"""Gaussian random fields: sample statistics against the covariance, one field at every
resolution, and the thresholded Darcy coefficient."""

import numpy as np
import pytest

from pdec.reference.random_fields import GaussianRandomField, threshold

SAMPLES = 20000


@pytest.mark.parametrize(
    "field",
    [
        GaussianRandomField(domain=((0.0, 1.0), (0.0, 1.0))),
        GaussianRandomField(
            domain=((0.0, 1.0),), scale=625, shift=25, boundary="periodic", modes=64
        ),
        GaussianRandomField(domain=((-1.0, 2.0),), shift=4, power=1.5, modes=16),
    ],
    ids=["darcy-neumann-2d", "burgers-periodic-1d", "neumann-1d-other-box"],
)
def test_sample_mean_and_variance_match_the_covariance(field):
    """Mean 0 and E ψ(x)² = Σ λ_k e_k(x)² at a few points, each within 5 standard errors
    (20,000 samples: the variance's relative standard error is √(2/20000) = 1 %)."""
    lo, hi = field.domain[0]
    points = [np.array([lo, lo + 0.13 * (hi - lo), (lo + hi) / 2, hi])] * len(field.domain)
    psi = field.sample(np.random.default_rng(7), SAMPLES, points)
    variance = field.variance(points)
    assert np.all(np.abs(psi.mean(0)) < 5 * np.sqrt(variance / SAMPLES))
    assert np.all(np.abs(psi.var(0) / variance - 1) < 5 * np.sqrt(2 / SAMPLES))


def test_the_covariance_between_two_points():
    field = GaussianRandomField(domain=((0.0, 1.0),), shift=9, modes=32)
    points = [np.array([0.3, 0.4])]
    psi = field.sample(np.random.default_rng(8), SAMPLES, points)
    basis = field.basis(0, points[0])
    covariance = (basis[0] * basis[1] * field.eigenvalues()).sum()
    measured = np.mean(psi[:, 0] * psi[:, 1])
    standard_error = np.sqrt((field.variance(points).prod() + covariance**2) / SAMPLES)
    assert abs(measured - covariance) < 5 * standard_error
    assert covariance > 10 * standard_error  # nearby points are correlated


def test_one_seed_gives_one_field_at_every_resolution():
    field = GaussianRandomField(domain=((0.0, 1.0), (0.0, 1.0)))
    coarse = field.sample(np.random.default_rng(3), 2, [np.linspace(0, 1, 33)] * 2)
    fine = field.sample(np.random.default_rng(3), 2, [np.linspace(0, 1, 65)] * 2)
    assert np.abs(coarse - fine[:, ::2, ::2]).max() < 1e-12


def test_periodic_fields_wrap_around():
    field = GaussianRandomField(domain=((0.0, 2.0),), boundary="periodic")
    psi = field.sample(np.random.default_rng(1), 3, [np.array([0.0, 2.0])])
    assert np.allclose(psi[:, 0], psi[:, 1], rtol=0, atol=1e-12)


def test_threshold_makes_a_two_phase_medium_split_about_evenly():
    field = GaussianRandomField(domain=((0.0, 1.0), (0.0, 1.0)))
    a = threshold(field.sample(np.random.default_rng(2), 200, [np.linspace(0, 1, 32)] * 2))
    assert set(np.unique(a)) == {3.0, 12.0}
    assert 0.45 < float(np.mean(a == 12.0)) < 0.55


@pytest.mark.parametrize(
    "options", [{"boundary": "dirichlet"}, {"shift": 0.0}, {"modes": 1}], ids=str
)
def test_rejects_bad_parameters(options):
    from pdec.errors import InvalidValueError

    with pytest.raises(InvalidValueError) as caught:
        GaussianRandomField(domain=((0.0, 1.0),), **options)
    assert caught.value.hint
