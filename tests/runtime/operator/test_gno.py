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
