"""The energy target on periodic 1-D grids: grid energies converge to the spec's H, G's
stencil has the class `pdec check` finds, and DGNet rollouts conserve (KdV, wave) or
dissipate (Cahn–Hilliard) the model's energy exactly while conserving mass."""

import math
from pathlib import Path

import numpy as np
import pytest
import torch

import pdec
from pdec.compiler import generate_module
from pdec.reference import generate as reference_trajectories
from pdec.runtime.energy import (
    GridEnergy,
    LearnedDissipativeStencil,
    LearnedSkewStencil,
    StructureError,
    central_difference,
    identity,
    laplacian,
)

ROOT = Path(__file__).resolve().parents[3]
SPECS = ROOT / "specs"

OPERATOR_SPEC = """
model ring
const nu = 1
region line = interval(x in [0, 2], periodic)
time t in [0, 1]
field u(t, x)
energy H = integral(u^2/2 + dx(u)^2/2, x)
evolve dt(u) = {rhs}
"""

LEARNED_DISSIPATIVE = """
model phase_learned
region line = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
energy H = learned
structure G = dissipative
conserved mass = integral(u, x)
"""

UNKNOWN_KDV = """
model kdv_unknown
const alpha = -6
param beta unknown(positive, guess = 2)
region line = interval(x in [0, 10], periodic)
time t in [0, 10]
field u(t, x)
energy H = integral(alpha/6*u^3 - beta/2*dx(u)^2, x)
evolve dt(u) = dx(delta(H, u))
"""


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def model_class(spec, tmp_path):
    if isinstance(spec, str) and not spec.lstrip().startswith("model"):
        spec = pdec.load(SPECS / f"{spec}.pde")
    elif isinstance(spec, str):
        spec = pdec.loads(spec, "inline.pde")
    return pdec.compile(spec, target="energy", out_dir=tmp_path)


def smooth_state(model, fields: int = 1) -> torch.Tensor:
    lo, hi = model.domain
    length = hi - lo
    x = lo + torch.arange(model.n, dtype=torch.float64) * model.spacing
    waves = [
        torch.sin(2 * math.pi * x / length) + 0.5 * torch.cos(4 * math.pi * x / length + f)
        for f in range(fields)
    ]
    return torch.stack(waves)[None]


def exact_energy(name: str, model) -> float:
    """H[u] of :func:`smooth_state` by the rectangle rule on a fine grid and exact u_x."""
    lo, hi = model.domain
    length = hi - lo
    x = lo + torch.arange(20000, dtype=torch.float64) * length / 20000
    k1, k2 = 2 * math.pi / length, 4 * math.pi / length
    u = [torch.sin(k1 * x) + 0.5 * torch.cos(k2 * x + f) for f in range(2)]
    u_x = [k1 * torch.cos(k1 * x) - 0.5 * k2 * torch.sin(k2 * x + f) for f in range(2)]
    density = {
        "kdv": -(u[0] ** 3) - u_x[0] ** 2 / 2,
        "cahn_hilliard": (u[0] ** 2 - 1) ** 2 / 4 + 0.0005 / 2 * u_x[0] ** 2,
        "wave": u[1] ** 2 / 2 + u_x[0] ** 2 / 2,
    }[name]
    return float(density.sum() * length / 20000)


@pytest.mark.parametrize(("name", "fields"), [("kdv", 1), ("cahn_hilliard", 1), ("wave", 2)])
def test_grid_energy_converges_to_the_spec_energy_at_second_order(name, fields, tmp_path):
    Model = model_class(name, tmp_path)
    errors = []
    for n in (32, 64, 128, 256):
        model = Model(n=n)
        exact = exact_energy(name, model)
        errors.append(abs(float(model.energy(smooth_state(model, fields))) - exact) / abs(exact))
    assert errors[-1] < 1e-3
    for coarse, fine in zip(errors, errors[1:]):
        assert 3.5 < coarse / fine < 4.5  # O(Δx²)


def test_kdv_gradient_is_the_discrete_variational_derivative(tmp_path):
    model = model_class("kdv", tmp_path)(n=32)
    u = smooth_state(model)[:, 0]
    h = model.spacing
    expected = (-3 * u**2 + (u.roll(-1, -1) - 2 * u + u.roll(1, -1)) / h**2) * h
    torch.testing.assert_close(model.gradient(u), expected, rtol=1e-12, atol=1e-12)


def test_generated_operators_are_the_stencils_of_the_symbol_over_dx(tmp_path):
    kdv = model_class("kdv", tmp_path)(n=16)
    h = 10 / 16
    expected = central_difference(16, h).matrix() / h
    torch.testing.assert_close(kdv.G.matrix(), expected, rtol=1e-15, atol=0)
    ch = model_class("cahn_hilliard", tmp_path)(n=16)
    torch.testing.assert_close(ch.G.matrix(), laplacian(16, 1 / 16).matrix() * 16)


@pytest.mark.parametrize(
    ("rhs", "kind", "stencil"),
    [
        (
            "dx(dx(dx(delta(H, u))))",
            "skew",
            lambda n, h: central_difference(n, h) @ laplacian(n, h),
        ),
        ("-dx(dx(dx(dx(delta(H, u)))))", "dissipative", lambda n, h: -(laplacian(n, h) ** 2)),
        (
            "nu*dx(dx(delta(H, u))) - delta(H, u)",
            "dissipative",
            lambda n, h: laplacian(n, h) - identity(n),
        ),
        (
            "dx(delta(H, u)) + 2*dx(dx(delta(H, u)))",
            "dissipative",
            lambda n, h: central_difference(n, h) + laplacian(n, h) * 2,
        ),
    ],
)
def test_compositions_of_derivatives_become_convolved_stencils(rhs, kind, stencil, tmp_path):
    Model = model_class(OPERATOR_SPEC.format(rhs=rhs), tmp_path)
    assert Model.structure == kind
    model = Model(n=8)
    expected = stencil(8, model.spacing)
    assert model.G.coefficients == pytest.approx(
        {k: c / model.spacing for k, c in expected.coefficients.items()}, rel=1e-15
    )
    assert model.G.kind == kind and model.G.check() == kind


def test_constants_that_break_the_class_of_G_are_refused(tmp_path):
    Model = model_class(OPERATOR_SPEC.format(rhs="nu*dx(dx(delta(H, u)))"), tmp_path)
    assert Model(constants={"nu": 0.5}).G.kind == "dissipative"
    with pytest.raises(StructureError, match="dissipative"):
        Model(constants={"nu": -0.5})


def reference_states(name: str, count: int, n: int, dt: float) -> torch.Tensor:
    data = reference_trajectories(
        pdec.load(SPECS / f"{name}.pde"), n=count, steps=1, dt=dt, seed=0, grid=n
    )
    return torch.as_tensor(np.asarray(data.u[:, 0]), dtype=torch.float64)


def test_kdv_dgnet_rollout_conserves_energy_and_mass_over_1000_steps(tmp_path):
    model = model_class("kdv", tmp_path)(n=64, dt=0.01)
    u0 = reference_states("kdv", 2, 64, 0.01)  # two-soliton states
    path = model.rollout(u0, 1000)
    energies = torch.stack([model.energy(state) for state in path])
    drift = (energies - energies[0]).abs().max(dim=0).values / energies[0].abs()
    assert float(drift.max()) < 1e-10
    masses = torch.stack([model.quantities(state)["mass"] for state in path])
    assert float((masses - masses[0]).abs().max()) < 1e-11
    assert float((path[-1] - path[0]).abs().max()) > 1.0  # the solitons did move


def test_cahn_hilliard_dgnet_rollout_never_increases_energy_and_conserves_mass(tmp_path):
    model = model_class("cahn_hilliard", tmp_path)(n=64, dt=1e-4)
    u0 = reference_states("cahn_hilliard", 2, 64, 1e-4)
    path = model.rollout(u0, 300)
    energies = torch.stack([model.energy(state) for state in path])
    steps = energies[1:] - energies[:-1]
    assert float(steps.max()) <= 1e-13 * float(energies.abs().max())
    assert bool((energies[-1] < 0.8 * energies[0]).all())  # it does separate
    masses = torch.stack([model.quantities(state)["mass"] for state in path])
    assert float((masses - masses[0]).abs().max()) < 1e-13


def test_wave_dgnet_rollout_conserves_energy(tmp_path):
    model = model_class("wave", tmp_path)(n=32, dt=0.01)
    u0 = torch.cat([smooth_state(model, 2), 0.5 * smooth_state(model, 2).flip(1)])
    path = model.rollout(u0, 200)
    energies = torch.stack([model.energy(state) for state in path])
    drift = (energies - energies[0]).abs().max(dim=0).values / energies[0].abs()
    assert float(drift.max()) < 1e-12
    assert set(model.quantities(u0)) == {"momentum"}


def test_learned_energy_spec_gets_a_grid_energy_and_a_learned_skew_stencil(tmp_path):
    Model = model_class("learned_energy", tmp_path)
    assert Model.__name__ == "WaveLearnedEnergy" and Model.structure == "skew"
    model = Model(n=16, dt=0.01, width=8)
    assert isinstance(model.H, GridEnergy) and isinstance(model.G, LearnedSkewStencil)
    u = torch.randn(4, 1, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    u1 = u + 0.01 * torch.randn_like(u)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    for _ in range(5):
        optimizer.zero_grad()
        model.loss(u, u1).backward()
        optimizer.step()
    assert model.G.check(16) == "skew"  # still skew after training steps
    torch.testing.assert_close(model.energy(u), model.energy(u.roll(3, -1)))


def test_learned_dissipative_G_conserves_mass_when_the_spec_claims_it(tmp_path):
    model = model_class(LEARNED_DISSIPATIVE, tmp_path)(n=16, width=8)
    assert isinstance(model.G, LearnedDissipativeStencil) and model.G.conserve_mass
    assert model.G.check(16) == "dissipative"
    ones = torch.ones(1, 16, dtype=torch.float64)
    assert float(model.G(ones).detach().abs().max()) < 1e-9  # 1ᵀG = 0: Σ u conserved


def test_unknown_scalars_of_a_grid_energy_are_learnable(tmp_path):
    model = model_class(UNKNOWN_KDV, tmp_path)(n=32)
    assert model.learned() == pytest.approx({"beta": 2.0})
    assert {name for name, _ in model.named_parameters()} == {"log_beta"}
    u = smooth_state(model)
    model.energy(u).sum().backward()
    assert model.log_beta.grad is not None and float(model.log_beta.grad) != 0


def test_baseline_modes_are_one_flag_apart_on_grids(tmp_path):
    Model = model_class("kdv", tmp_path)
    u = reference_states("kdv", 2, 32, 0.01)
    for mode in ("hnn", "node"):
        model = Model(n=32, mode=mode, width=8)
        assert model.step(u).shape == u.shape
    assert Model(n=32, mode="node").H is None


def test_states_may_drop_the_field_axis_for_one_field(tmp_path):
    model = model_class("kdv", tmp_path)(n=32)
    u = smooth_state(model)
    torch.testing.assert_close(model.energy(u), model.energy(u[:, 0]))


def test_the_grid_module_is_deterministic():
    first = generate_module(pdec.load(SPECS / "wave.pde"), "energy").source
    assert first == generate_module(pdec.load(SPECS / "wave.pde"), "energy").source


GRID_HEAD = "time t in [0, 1]\n"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "model plane\nregion sq = box(x in [0, 1], y in [0, 1])\nfield u(t, x, y)\n"
            "energy H = learned\nstructure G = skew\n",
            "1-D periodic grids",
        ),
        (
            "model bare\nregion line = interval(x in [0, 1], periodic)\nfield u(t, x)\n"
            "energy H = integral(u^2, x)\n",
            "no `evolve",
        ),
        (
            "model pair\nregion line = interval(x in [0, 1], periodic)\nfield q(t, x), p(t, x)\n"
            "energy H = integral(q^2 + p^2, x)\n"
            "evolve dt(q, p) = [[0, 1], [-1, 0]] * delta(H, (q, p))\n"
            "structure G = skew\n",
            None,
        ),
        (
            "model pair\nregion line = interval(x in [0, 1], periodic)\nfield q(t, x), p(t, x)\n"
            "energy H = integral(q^2 + p^2, x)\n"
            "evolve dt(q, p) = [[0, 1], [-1, 0]] * delta(H, (q, p))\n",
            None,
        ),
        (
            "model pair\nregion line = interval(x in [0, 1], periodic)\nfield q(t, x), p(t, x)\n"
            "energy H = integral(q^2 + p^2, x)\nstructure G = skew\n",
            "one field",
        ),
        (
            "model open\nregion line = interval(x in [0, 1])\nfield u(t, x)\n"
            "energy H = integral(u^2, x)\nevolve dt(u) = dx(delta(H, u))\n",
            "not periodic",
        ),
    ],
)
def test_unsupported_grid_specs_say_why(text, match):
    spec = pdec.loads(GRID_HEAD + text, "inline.pde")
    if match is None:  # supported: a contrast to the cases around it
        assert generate_module(spec, "energy").class_name.endswith("Energy")
        return
    with pytest.raises(pdec.UnsupportedError, match=match):
        generate_module(spec, "energy")
