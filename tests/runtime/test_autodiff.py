import torch

from pdec.runtime import derivative


def points(n=50):
    return torch.linspace(-2, 2, n, dtype=torch.float64).requires_grad_(True)


def test_first_and_second_derivatives_match_the_analytic_ones():
    x = points()
    y = torch.sin(x) * x**2
    y_x = derivative(y, x)
    y_xx = derivative(y_x, x)
    with torch.no_grad():
        assert torch.allclose(y_x, torch.cos(x) * x**2 + 2 * x * torch.sin(x))
        expected = -torch.sin(x) * x**2 + 4 * x * torch.cos(x) + 2 * torch.sin(x)
        assert torch.allclose(y_xx, expected)


def test_mixed_partial_derivative():
    x, y = points(), points().flip(0).detach().requires_grad_(True)
    u = x**2 * y**3
    u_xy = derivative(derivative(u, x), y)
    assert torch.allclose(u_xy.detach(), (6 * x * y**2).detach())


def test_an_unused_input_gives_zeros_not_none():
    x, t = points(), points()
    u = torch.exp(x)
    u_t = derivative(u, t)
    assert u_t is not None and torch.equal(u_t, torch.zeros_like(t))
    # ... and derivatives of that are zeros too
    assert torch.equal(derivative(u_t, t), torch.zeros_like(t))


def test_third_derivative_keeps_the_graph():
    x = points()
    y = x**4
    d3 = derivative(derivative(derivative(y, x), x), x)
    assert d3.requires_grad
    assert torch.allclose(d3.detach(), (24 * x).detach())
