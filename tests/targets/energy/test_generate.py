"""The energy target's generated modules: golden text, determinism, imports, the
closed-form energy, G's class, and the exact energy behaviour of DGNet rollouts."""

import ast
import math
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

import pdec
from pdec.compiler import generate_module
from pdec.reference import generate as reference_trajectories
from pdec.runtime.energy import StructureError

ROOT = Path(__file__).resolve().parents[3]
SPECS = ROOT / "specs"
GOLDEN = Path(__file__).parent / "golden"
GOLDEN_SPECS = ("pendulum", "pendulum_frictionless", "kdv", "cahn_hilliard", "double_pendulum")

LEARNED_PENDULUM = """
model pendulum_learned
time t in [0, 10]
field q(t), p(t)
energy H = learned
evolve dt(q, p) = [[0, 1], [-1, 0]] * grad(H, (q, p))
"""

UNKNOWN_PENDULUM = """
model pendulum_unknown
const l = 1
param g unknown(positive, guess = 5)
param k unknown
time t in [0, 10]
field q(t), p(t)
energy H = p^2/2 - g/l*cos(q) + k*q^2
evolve dt(q, p) = [[0, 1], [-1, 0]] * grad(H, (q, p))
"""


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def model_class(name: str, tmp_path):
    return pdec.compile(SPECS / f"{name}.pde", target="energy", out_dir=tmp_path)


def pendulum_energy(u: torch.Tensor, g: float = 9.8, length: float = 1.0) -> torch.Tensor:
    return u[:, 1] ** 2 / 2 - g / length * torch.cos(u[:, 0])


def random_states(count: int = 64, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(count, 2, dtype=torch.float64, generator=generator) * 2


@pytest.mark.parametrize("name", GOLDEN_SPECS)
def test_generated_module_matches_golden_file(name):
    source = generate_module(pdec.load(SPECS / f"{name}.pde"), "energy").source
    golden = GOLDEN / f"{name}_energy.py"
    if os.environ.get("PDEC_UPDATE_GOLDEN"):
        golden.write_text(source)
    assert source == golden.read_text(), f"regenerate with PDEC_UPDATE_GOLDEN=1 and review {golden}"


def test_same_spec_gives_same_bytes_from_any_path(tmp_path, monkeypatch):
    copy = tmp_path / "elsewhere" / "pendulum.pde"
    copy.parent.mkdir()
    shutil.copy(SPECS / "pendulum.pde", copy)
    monkeypatch.chdir(tmp_path)
    relative = generate_module(pdec.load("elsewhere/pendulum.pde"), "energy").source
    absolute = generate_module(pdec.load(SPECS / "pendulum.pde"), "energy").source
    assert relative == absolute


@pytest.mark.parametrize("name", GOLDEN_SPECS)
def test_generated_module_imports_only_torch_math_and_runtime(name):
    source = (GOLDEN / f"{name}_energy.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported <= {"__future__", "math", "torch", "pdec.runtime", "pdec.runtime.energy"}


@pytest.mark.parametrize("name", GOLDEN_SPECS)
def test_generated_module_is_ruff_clean(name):
    from ruff.__main__ import find_ruff_bin

    path = GOLDEN / f"{name}_energy.py"
    ruff = find_ruff_bin()
    fmt = [ruff, "format", "--check", "--line-length", "100", str(path)]
    assert subprocess.run(fmt).returncode == 0
    lint = [ruff, "check", "--select", "E,F,W,N", "--line-length", "100", str(path)]
    assert subprocess.run(lint).returncode == 0


def test_compile_returns_the_class_named_after_the_model(tmp_path):
    Model = model_class("pendulum_frictionless", tmp_path)
    assert Model.__name__ == "PendulumFrictionlessEnergy"
    assert Model.field_names == ("q", "p")
    assert (tmp_path / "pendulum_frictionless_energy.py").is_file()


@pytest.mark.parametrize("name", ["pendulum", "pendulum_frictionless"])
def test_energy_is_the_closed_form_at_random_states(name, tmp_path):
    model = model_class(name, tmp_path)()
    u = random_states()
    torch.testing.assert_close(model.energy(u), pendulum_energy(u), rtol=0, atol=1e-12)


def test_constants_override_the_spec(tmp_path):
    model = model_class("pendulum", tmp_path)(constants={"g": 1.0, "l": 2.0})
    u = random_states()
    torch.testing.assert_close(
        model.energy(u), pendulum_energy(u, g=1.0, length=2.0), rtol=0, atol=1e-12
    )


@pytest.mark.parametrize(
    ("name", "kind"), [("pendulum_frictionless", "skew"), ("pendulum", "dissipative")]
)
def test_operator_has_the_class_of_the_spec(name, kind, tmp_path):
    Model = model_class(name, tmp_path)
    assert Model.structure == kind
    model = Model()
    assert model.G.kind == kind
    assert model.G.check() == kind


def test_constants_that_break_the_class_of_G_are_refused(tmp_path):
    Model = model_class("pendulum", tmp_path)
    with pytest.raises(StructureError, match="dissipative"):
        Model(constants={"c": -0.1})
    assert Model(constants={"c": 0.0}).G.kind == "skew"  # skew is dissipative too


def test_dgnet_rollout_conserves_the_energy_for_skew_G(tmp_path):
    model = model_class("pendulum_frictionless", tmp_path)(dt=0.1)
    u0 = torch.tensor([[1.0, 0.0], [2.5, 1.0], [-0.5, 3.0]], dtype=torch.float64)
    path = model.rollout(u0, 200)
    energies = torch.stack([model.energy(state) for state in path])
    drift = (energies - energies[0]).abs().max(dim=0).values / energies[0].abs()
    assert float(drift.max()) < 1e-10


def test_dgnet_rollout_never_increases_the_energy_with_friction(tmp_path):
    model = model_class("pendulum", tmp_path)(dt=0.1)
    u0 = torch.tensor([[1.0, 0.0], [2.5, 1.0], [-0.5, 3.0]], dtype=torch.float64)
    path = model.rollout(u0, 200)
    energies = torch.stack([model.energy(state) for state in path])
    steps = energies[1:] - energies[:-1]
    assert float(steps.max()) <= 1e-12 * float(energies.abs().max())
    assert bool((energies[-1] < energies[0] - 0.1).all())  # it does dissipate


def test_baseline_modes_are_one_flag_apart(tmp_path):
    Model = model_class("pendulum", tmp_path)
    u = random_states(8)
    assert Model(mode="hnn").step(u).shape == u.shape
    node = Model(mode="node", width=16)
    assert node.H is None and node.step(u).shape == u.shape


def fit_pairs(name: str, n: int = 16, steps: int = 20, dt: float = 0.1):
    data = reference_trajectories(pdec.load(SPECS / f"{name}.pde"), n=n, steps=steps, dt=dt)
    u = torch.as_tensor(np.asarray(data.u), dtype=torch.float64)
    return u[:, :-1].reshape(-1, 2), u[:, 1:].reshape(-1, 2)


def test_learned_energy_fits_reference_pendulum_data(tmp_path):
    u0, u1 = fit_pairs("pendulum_frictionless")
    spec = pdec.loads(LEARNED_PENDULUM, "pendulum_learned.pde")
    Model = pdec.compile(spec, target="energy", out_dir=tmp_path)
    source = (tmp_path / "pendulum_learned_energy.py").read_text()
    assert "MLPEnergy(2" in source and "closed_form_energy" not in source
    model = Model(dt=0.1, width=32)
    history = model.fit(u0, u1, epochs=150, lr=1e-2)
    assert history.losses[-1] < 0.2 * history.losses[0]
    assert model.G.kind == "skew"


def test_unknown_scalars_are_learnable_parameters(tmp_path):
    u0, u1 = fit_pairs("pendulum_frictionless")
    spec = pdec.loads(UNKNOWN_PENDULUM, "pendulum_unknown.pde")
    model = pdec.compile(spec, target="energy", out_dir=tmp_path)(dt=0.1)
    assert model.learned() == pytest.approx({"g": 5.0, "k": 0.0})
    assert {name for name, _ in model.named_parameters()} == {"log_g", "k"}
    u = random_states()
    expected = pendulum_energy(u, g=5.0)
    torch.testing.assert_close(model.energy(u), expected, rtol=0, atol=1e-12)
    model.fit(u0, u1, epochs=150, lr=0.05)
    learned = model.learned()
    assert abs(learned["g"] - 9.8) < 0.5 and abs(learned["k"]) < 0.1
    assert math.isfinite(learned["g"])


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("kdv", "KdvEnergy"),
        ("cahn_hilliard", "CahnHilliardEnergy"),
        ("wave", "WaveEnergy"),
        ("learned_energy", "WaveLearnedEnergy"),
    ],
)
def test_periodic_1d_specs_compile(name, model):
    assert generate_module(pdec.load(SPECS / f"{name}.pde"), "energy").class_name == model


def test_spec_without_dynamics_is_unsupported():
    spec = pdec.loads("model still\ntime t in [0, 1]\nfield q(t)\nenergy H = q^2\n")
    with pytest.raises(pdec.UnsupportedError, match="no `evolve"):
        generate_module(spec, "energy")


def test_coords_option_is_refused_for_the_energy_target():
    with pytest.raises(pdec.UnsupportedError, match="--coords"):
        generate_module(pdec.load(SPECS / "pendulum.pde"), "energy", coords="polar")


def test_evolve_in_another_order_than_the_fields_gives_the_same_dynamics(tmp_path):
    swapped = pdec.loads(
        "model swapped\nconst g = 9.8, l = 1\ntime t in [0, 10]\nfield q(t), p(t)\n"
        "energy H = p^2/2 - g/l*cos(q)\n"
        "evolve dt(p, q) = [[0, -1], [1, 0]] * grad(H, (p, q))\n",
        "swapped.pde",
    )
    model = pdec.compile(swapped, target="energy", out_dir=tmp_path)()
    u = random_states(8)
    expected = torch.stack([u[:, 1], -9.8 * torch.sin(u[:, 0])], dim=1)
    torch.testing.assert_close(model.time_derivative(u), expected, rtol=0, atol=1e-12)


def test_parameters_defined_through_parameters_are_inserted_to_the_end(tmp_path):
    """param g2 = 2*half after param half = 4.9: both definitions reach the dynamics
    (inserting them once, in order, left `half` in)."""
    chained = pdec.loads(
        "model chained\nparam half = 4.9\nparam g2 = 2*half\ntime t in [0, 10]\n"
        "field q(t), p(t)\nenergy H = p^2/2 - g2*cos(q)\n"
        "evolve dt(q, p) = [[0, 1], [-1, 0]] * grad(H, (q, p))\n",
        "chained.pde",
    )
    model = pdec.compile(chained, target="energy", out_dir=tmp_path)()
    u = random_states(8)
    expected = torch.stack([u[:, 1], -9.8 * torch.sin(u[:, 0])], dim=1)
    torch.testing.assert_close(model.time_derivative(u), expected, rtol=0, atol=1e-12)
