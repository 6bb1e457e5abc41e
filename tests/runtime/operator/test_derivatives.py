"""Grid derivatives: spectral exactness on periodic axes, second-order finite
differences up to the edges of bounded ones."""

import math

import pytest
import torch

from pdec.runtime.operator.derivatives import (
    finite_difference,
    grid_derivative,
    spectral_derivative,
)


def test_spectral_is_exact_for_resolved_trigonometric_fields():
    n, length = 32, 2.0
    x = torch.arange(n, dtype=torch.float64) * length / n
    w = 2 * math.pi / length
    u = torch.sin(3 * w * x) + torch.cos(5 * w * x)
    assert torch.allclose(
        spectral_derivative(u, 0, 1, length),
        3 * w * torch.cos(3 * w * x) - 5 * w * torch.sin(5 * w * x),
        rtol=0,
        atol=1e-11,
    )
    assert torch.allclose(
        spectral_derivative(u, 0, 2, length),
        -((3 * w) ** 2) * torch.sin(3 * w * x) - (5 * w) ** 2 * torch.cos(5 * w * x),
        rtol=0,
        atol=1e-10,
    )


@pytest.mark.parametrize("order", [1, 2])
def test_finite_differences_are_second_order_at_every_point(order):
    errors = []
    for n in (65, 129, 257):
        x = torch.linspace(0, 1, n, dtype=torch.float64)
        u = torch.exp(x) * torch.sin(3 * x)
        exact = (
            torch.exp(x) * (torch.sin(3 * x) + 3 * torch.cos(3 * x))
            if order == 1
            else torch.exp(x) * (-8 * torch.sin(3 * x) + 6 * torch.cos(3 * x))
        )
        errors.append(
            float((finite_difference(u, 0, order, 1 / (n - 1), False) - exact).abs().max())
        )
    rates = [math.log2(a / b) for a, b in zip(errors, errors[1:])]
    assert all(1.9 < r < 2.2 for r in rates), errors


def test_mixed_derivative_on_a_periodic_by_bounded_grid():
    """u = sin(2πx) y³ on [0, 1) × [0, 1]: ∂x∂y spectral in x, differences in y."""
    nx, ny = 16, 65
    x = torch.arange(nx, dtype=torch.float64) / nx
    y = torch.linspace(0, 1, ny, dtype=torch.float64)
    X, Y = torch.meshgrid(x, y, indexing="ij")
    u = torch.sin(2 * math.pi * X) * Y**3
    got = grid_derivative(u, (1, 1), (1 / nx, 1 / (ny - 1)), (True, False), (1.0, 1.0))
    exact = 2 * math.pi * torch.cos(2 * math.pi * X) * 3 * Y**2
    assert float((got - exact).abs().max()) < 3 * 2 * math.pi * 6 / (ny - 1) ** 2
