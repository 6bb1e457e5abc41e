"""The graph neural operator on point clouds: the radius graph, the kernel integral as a
neighbourhood mean, permutation equivariance, any number of points, and a small operator
learned."""

import pytest
import torch

from pdec.runtime.operator.gno import GraphNeuralOperator, KernelIntegral, radius_graph


def small(**overrides) -> GraphNeuralOperator:
    torch.manual_seed(0)
    return GraphNeuralOperator(1, 1, **{"width": 8, "kernel_width": 16, "layers": 2,
                                        "radius": 0.3, **overrides})  # fmt: skip


def test_the_radius_graph_holds_every_close_pair_and_each_point_itself():
    x = torch.tensor([[0.0, 0.0], [0.2, 0.0], [1.0, 0.0]])
    target, source = radius_graph(x, 0.25)
    assert set(zip(target.tolist(), source.tolist())) == {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2)}


def test_the_kernel_integral_is_the_neighbourhood_mean_for_an_identity_kernel():
    layer = KernelIntegral(width=3, edge_features=2, kernel_width=4)
    with torch.no_grad():
        layer.kernel[-1].weight.zero_()
        layer.kernel[-1].bias.copy_(torch.eye(3).flatten())
    x = torch.rand(40, 2, generator=torch.Generator().manual_seed(1))
    v = torch.randn(40, 3, generator=torch.Generator().manual_seed(2))
    target, source = radius_graph(x, 0.3)
    edges = torch.zeros(len(target), 2)
    close = (torch.cdist(x, x) <= 0.3).float()
    expected = close @ v / close.sum(1, keepdim=True)
    torch.testing.assert_close(layer(v, layer.matrices(edges), target, source), expected)


def test_permuting_the_points_permutes_the_output():
    gno = small()
    x, a = torch.rand(1, 60, 2), torch.randn(1, 60, 1)
    order = torch.randperm(60)
    with torch.no_grad():
        torch.testing.assert_close(gno(x[:, order], a[:, order]), gno(x, a)[:, order])


def test_any_number_of_points_and_clear_shape_errors():
    gno = small()
    for n in (10, 75):
        assert gno(torch.rand(2, n, 2), torch.randn(2, n, 1)).shape == (2, n, 1)
    with pytest.raises(ValueError, match="points"):
        gno(torch.rand(2, 10, 3), torch.randn(2, 10, 1))
    with pytest.raises(ValueError, match="values"):
        gno(torch.rand(2, 10, 2), torch.randn(2, 9, 1))
    with pytest.raises(ValueError, match="radius"):
        GraphNeuralOperator(1, 1, radius=0.0)


def test_it_learns_a_local_average_and_applies_it_at_another_density():
    """u(x) = mean of a over B(x, 0.3): an integral operator, the GNO's own form. Trained
    on clouds of 80 points, judged on clouds of 320."""
    gno = small()
    generator = torch.Generator().manual_seed(0)

    def batch(n: int):
        x = torch.rand(4, n, 2, generator=generator)
        k = torch.randn(4, 1, 2, generator=generator) * 2
        a = torch.sin(3 * (x * k).sum(-1, keepdim=True))
        close = (torch.cdist(x, x) <= 0.3).float()
        return x, a, close @ a / close.sum(-1, keepdim=True)

    def error(n: int) -> float:
        x, a, u = batch(n)
        with torch.no_grad():
            return float((gno(x, a) - u).pow(2).mean() / u.pow(2).mean())

    before = error(320)
    optimizer = torch.optim.Adam(gno.parameters(), lr=1e-2)
    for _ in range(60):
        x, a, u = batch(80)
        loss = (gno(x, a) - u).pow(2).mean() / u.pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert error(320) < 0.1 * before


def test_a_capped_graph_keeps_at_most_k_neighbours_the_same_each_time():
    x = torch.rand(300, 2, generator=torch.Generator().manual_seed(3))
    full_target, _ = radius_graph(x, 0.3)
    assert torch.bincount(full_target).max() > 20  # the cap below bites
    target, source = radius_graph(x, 0.3, max_neighbours=20)
    counts = torch.bincount(target, minlength=300)
    full = torch.bincount(full_target, minlength=300)
    assert torch.equal(counts, full.clamp(max=20))  # K each, or all of a smaller ball
    assert bool(((x[target] - x[source]).norm(dim=1) <= 0.3).all())
    again = radius_graph(x, 0.3, max_neighbours=20)
    assert torch.equal(again[0], target) and torch.equal(again[1], source)


def test_the_capped_mean_estimates_the_ball_mean():
    """The mean of a function over K = 32 random neighbours of each point, against the
    mean over all n of them: unbiased, and off by what sampling K of n without
    replacement predicts, σ/√K · √(1 − K/n) (σ: f's spread in the ball)."""
    x = torch.rand(2000, 2, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    f = torch.sin(3 * x[:, 0]) + x[:, 1] ** 2

    def ball_moments(target, source):
        count = torch.bincount(target, minlength=2000).to(f.dtype)
        mean = torch.zeros(2000, dtype=f.dtype).index_add_(0, target, f[source]) / count
        square = torch.zeros(2000, dtype=f.dtype).index_add_(0, target, f[source] ** 2)
        return mean, (square / count - mean**2).clamp_min(0).sqrt(), count

    exact, spread, n = ball_moments(*radius_graph(x, 0.2))
    capped, _, _ = ball_moments(*radius_graph(x, 0.2, max_neighbours=32))
    error = capped - exact
    predicted = spread / 32**0.5 * (1 - 32 / n).clamp_min(0).sqrt()
    assert error.pow(2).mean().sqrt() < 1.2 * predicted.pow(2).mean().sqrt()
    assert error.pow(2).mean().sqrt() > 0.8 * predicted.pow(2).mean().sqrt()
    assert abs(float(error.mean())) < 3 * float(predicted.pow(2).mean().sqrt()) / 2000**0.5
