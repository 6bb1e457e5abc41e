"""EnergyModel: exact energy behaviour of discrete-gradient rollouts, the implicit
solver's failure path, the baselines, and a seconds-long training run."""

import pytest
import torch

from pdec.runtime.energy import (
    ConstantMatrix,
    EnergyModel,
    GridEnergy,
    LearnedDissipative,
    LearnedSkew,
    LearnedSkewPlusDissipative,
    MLPEnergy,
    MLPVectorField,
    NoEnergyError,
    SolverDidNotConverge,
    central_difference,
    laplacian,
    rk4_step,
)

F64 = torch.float64


def model_energies(model, path):
    steps, batch = path.shape[:2]
    return model.energy(path.reshape(steps * batch, *path.shape[2:])).reshape(steps, batch).detach()


def test_skew_rollout_conserves_the_model_energy(generator):
    H = MLPEnergy(4, depth=2, width=16, generator=generator)
    model = EnergyModel(H, LearnedSkew(4, generator=generator), dt=0.1, tol=1e-13)
    path = model.rollout(torch.randn(2, 4, dtype=F64, generator=generator), 1000)
    assert path.shape == (1001, 2, 4)
    energies = model_energies(model, path)
    assert ((energies - energies[0]).abs() / energies[0].abs()).max() <= 1e-10
    assert (path[-1] - path[0]).abs().max() > 0.1  # it did move


@pytest.mark.parametrize("operator", [LearnedDissipative, LearnedSkewPlusDissipative])
def test_dissipative_rollout_never_increases_the_model_energy(operator, generator):
    H = MLPEnergy(4, depth=2, width=16, generator=generator)
    model = EnergyModel(H, operator(4, generator=generator), dt=0.1, tol=1e-13)
    energies = model_energies(
        model, model.rollout(torch.randn(2, 4, dtype=F64, generator=generator), 300)
    )
    increase = energies[1:] - energies[:-1]
    assert (increase <= 1e-12 * energies.abs().max()).all()
    assert (energies[-1] < energies[0] - 0.1).all()  # it did dissipate


def test_grid_rollouts_conserve_or_dissipate(generator):
    n, h = 32, 10 / 32
    H = GridEnergy(1, stencil_width=1, hidden=16, depth=2, spacing=h, generator=generator)
    u0 = torch.randn(2, n, dtype=F64, generator=generator)
    # fixed-point iteration (Newton's Jacobians are the slow part on grids)
    kdv = EnergyModel(H, central_difference(n, h), dt=0.01, tol=1e-13, method="fixed_point")
    energies = model_energies(kdv, kdv.rollout(u0, 100))
    assert ((energies - energies[0]).abs() / energies[0].abs()).max() <= 1e-11
    cahn_hilliard = EnergyModel(H, laplacian(n, h), dt=0.001, tol=1e-13, method="fixed_point")
    path = cahn_hilliard.rollout(u0, 100)
    energies = model_energies(cahn_hilliard, path)
    assert ((energies[1:] - energies[:-1]) <= 1e-12 * energies.abs().max()).all()
    # ∂x² annihilates constants: the mass Σ u is conserved too
    torch.testing.assert_close(
        path.sum(dim=2), path[0].sum(dim=1).expand(101, 2), atol=1e-10, rtol=0
    )


def test_solver_failure_says_what_reached_and_what_to_try(generator):
    H = MLPEnergy(4, depth=2, width=16, generator=generator)
    model = EnergyModel(H, LearnedSkew(4, generator=generator), dt=0.1, max_iter=1, tol=1e-30)
    with pytest.raises(SolverDidNotConverge) as caught:
        model.step(torch.randn(2, 4, dtype=F64, generator=generator))
    error = caught.value
    message = str(error)
    assert "did not converge" in message and "after 1 newton iteration" in message
    assert f"is {error.residual:.3e}, above tol = 1.0e-30" in message
    assert "max_iter" in message and "smaller dt" in message and "looser tol" in message
    assert error.iterations == 1 and len(error.history) == 2 and error.tol == 1e-30
    assert isinstance(error, RuntimeError)


def stiff_oscillator(u):
    """H = 5|u|²: the fixed-point map of a step dt has Lipschitz constant 5·dt."""
    return 5 * u.pow(2).sum(dim=1)


CANONICAL = [[0.0, 1.0], [-1.0, 0.0]]


def test_solver_failure_when_fixed_point_iteration_diverges(generator):
    model = EnergyModel(stiff_oscillator, ConstantMatrix(CANONICAL), 1.0, method="fixed_point")
    with pytest.raises(
        SolverDidNotConverge, match="diverges: use a smaller dt, or method='newton'"
    ) as caught:
        model.step(torch.randn(2, 2, dtype=F64, generator=generator))
    history = caught.value.history
    assert history[-1] > 1e6 * history[0] and caught.value.iterations < model.max_iter


def test_newton_converges_where_fixed_point_iteration_diverges(generator):
    model = EnergyModel(stiff_oscillator, ConstantMatrix(CANONICAL), dt=1.0)
    u0 = torch.randn(2, 2, dtype=F64, generator=generator)
    u1 = model.step(u0)  # Newton: the state is small
    torch.testing.assert_close(stiff_oscillator(u1), stiff_oscillator(u0), rtol=1e-13, atol=0)
    assert (u1 - u0).abs().max() > 0.1


def test_baselines_step_with_rk4(generator):
    H = MLPEnergy(2, depth=1, width=8, generator=generator)
    G = ConstantMatrix([[0.0, 1.0], [-1.0, 0.0]])
    u = torch.randn(3, 2, dtype=F64, generator=generator)
    hnn = EnergyModel(H, G, dt=0.1, mode="hnn")
    torch.testing.assert_close(hnn.step(u), rk4_step(hnn.time_derivative, u, 0.1))
    torch.testing.assert_close(hnn.time_derivative(u), hnn.gradient(u) @ G.matrix().T)
    f = MLPVectorField(2, depth=1, width=8, generator=generator)
    node = EnergyModel(None, None, dt=0.1, mode="node", vector_field=f)
    torch.testing.assert_close(node.step(u), rk4_step(f, u, 0.1))
    assert node.rollout(u, 3).shape == (4, 3, 2)
    with pytest.raises(NoEnergyError, match="no energy"):
        node.energy(u)


def test_constructor_errors(generator):
    H, G = MLPEnergy(2, depth=1, width=4), ConstantMatrix([[0.0, 1.0], [-1.0, 0.0]])
    with pytest.raises(ValueError, match="unknown mode 'sympnet'"):
        EnergyModel(H, G, 0.1, mode="sympnet")
    with pytest.raises(ValueError, match="needs vector_field"):
        EnergyModel(None, None, 0.1, mode="node")
    with pytest.raises(ValueError, match="needs an operator G"):
        EnergyModel(H, None, 0.1)
    with pytest.raises(ValueError, match="needs an energy and an operator G"):
        EnergyModel(None, None, 0.1, mode="hnn")
    with pytest.raises(ValueError, match="pass no energy, operator"):
        EnergyModel(H, G, 0.1, mode="fno", proposal=torch.nn.Identity())
    with pytest.raises(ValueError, match="dt must be a positive number"):
        EnergyModel(H, G, 0.0)


def pendulum_pairs(count, dt, generator):
    """(q, p) → one step dt of q_t = p, p_t = −sin q, by 10 RK4 substeps."""

    def f(u):
        return torch.stack([u[:, 1], -torch.sin(u[:, 0])], dim=1)

    low, high = torch.tensor([-2.0, -1.5], dtype=F64), torch.tensor([2.0, 1.5], dtype=F64)
    u0 = low + (high - low) * torch.rand(count, 2, dtype=F64, generator=generator)
    u1 = u0
    for _ in range(10):
        u1 = rk4_step(f, u1, dt / 10)
    return u0, u1


def test_dgnet_learns_the_frictionless_pendulum(generator):
    u0, u1 = pendulum_pairs(200, 0.1, generator)
    H = MLPEnergy(2, depth=2, width=32, generator=generator)
    model = EnergyModel(H, ConstantMatrix([[0.0, 1.0], [-1.0, 0.0]]), dt=0.1)
    history = model.fit(u0, u1, epochs=60, lr=1e-2, batch_size=50)
    assert len(history) == 60
    assert history.losses[-1] <= history.losses[0] / 10
    path = model.rollout(torch.tensor([[1.0, 0.0]], dtype=F64), 100)
    energies = model_energies(model, path)
    assert ((energies - energies[0]).abs() / energies[0].abs()).max() <= 1e-10
    # and the learned motion is the pendulum's: q swings back through −1
    assert path[:, 0, 0].min() < -0.8
