"""The PINN target's generated modules: golden text, determinism, imports, and
residuals that vanish on analytic solutions."""

import ast
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import torch

import pdec
from pdec.compiler import generate_module, import_module, write_module

ROOT = Path(__file__).resolve().parents[3]
SPECS = ROOT / "specs"
GOLDEN = Path(__file__).parent / "golden"
GOLDEN_SPECS = ("fault", "burgers", "poisson", "burgers_inverse")
# (spec, cut form): the fault lifted (the default) and in the paper's residual form
GOLDEN_CASES = [(name, None) for name in GOLDEN_SPECS] + [
    ("fault", "residual"),
    ("fault_layered", None),
]
GOLDEN_FILES = [f"{name}{'_' + cut if cut else ''}_pinn.py" for name, cut in GOLDEN_CASES]


@pytest.mark.parametrize(("name", "cut"), GOLDEN_CASES)
def test_generated_module_matches_golden_file(name, cut):
    source = generate_module(pdec.load(SPECS / f"{name}.pde"), "pinn", cut=cut).source
    golden = GOLDEN / f"{name}{'_' + cut if cut else ''}_pinn.py"
    if os.environ.get("PDEC_UPDATE_GOLDEN"):
        golden.write_text(source)
    assert source == golden.read_text(), f"regenerate with PDEC_UPDATE_GOLDEN=1 and review {golden}"


def test_same_spec_gives_same_bytes_from_any_path(tmp_path, monkeypatch):
    copy = tmp_path / "elsewhere" / "fault.pde"
    copy.parent.mkdir()
    shutil.copy(SPECS / "fault.pde", copy)
    monkeypatch.chdir(tmp_path)
    relative = generate_module(pdec.load("elsewhere/fault.pde"), "pinn").source
    absolute = generate_module(pdec.load(SPECS / "fault.pde"), "pinn").source
    assert relative == absolute


@pytest.mark.parametrize("filename", GOLDEN_FILES)
def test_generated_module_imports_only_torch_math_and_runtime(filename):
    source = (GOLDEN / filename).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported <= {"__future__", "math", "torch", "pdec.runtime"}


@pytest.mark.parametrize("filename", GOLDEN_FILES)
def test_generated_module_is_ruff_clean(filename):
    from ruff.__main__ import find_ruff_bin

    path = GOLDEN / filename
    ruff = find_ruff_bin()
    assert (
        subprocess.run([ruff, "format", "--check", "--line-length", "100", str(path)]).returncode
        == 0
    )
    assert (
        subprocess.run(
            [ruff, "check", "--select", "E,F,W", "--line-length", "100", str(path)]
        ).returncode
        == 0
    )


def test_energy_only_spec_is_unsupported_for_pinn():
    with pytest.raises(pdec.UnsupportedError, match="no `pde` equation"):
        generate_module(pdec.load(SPECS / "kdv.pde"), "pinn")


def _model_class(name, tmp_path, cut=None):
    module = generate_module(pdec.load(SPECS / f"{name}.pde"), "pinn", cut=cut)
    return getattr(
        import_module(write_module(module, tmp_path), module.module_name), module.class_name
    )


def _batch(model, n=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return {
        name: {k: v.to(torch.float64) for k, v in sampler.sample(n, generator).items()}
        for name, sampler in model.samplers().items()
    }


@pytest.mark.parametrize("cut", [None, "residual"])
def test_fault_residuals_vanish_on_the_closed_form(tmp_path, cut):
    Model = _model_class("fault", tmp_path, cut)

    class Exact(Model):
        def network_fields(self, inputs):
            r, theta = inputs["r"], inputs["theta"]
            s, D = self.constants["s"], self.constants["D"]
            x, y = r * torch.sin(theta), -D + r * torch.cos(theta)
            u = s / (2 * math.pi) * (torch.atan2(x, -y - D) - torch.atan2(x, -y + D))
            return {"u": u}

    model = Exact(dtype="float64")
    residuals = model.residuals(_batch(model))
    assert set(residuals) == set(Model.residual_names)
    for name, value in residuals.items():
        assert value.abs().max().item() < 1e-10, name


@pytest.mark.parametrize("cut", [None, "residual"])
def test_fault_residuals_see_a_wrong_solution(tmp_path, cut):
    """The same check must fail for a field that is not the solution."""
    Model = _model_class("fault", tmp_path, cut)

    class Wrong(Model):
        def network_fields(self, inputs):
            return {"u": inputs["r"] * torch.sin(inputs["theta"] / 2) ** 2}

    residuals = Wrong(dtype="float64").residuals(_batch(Wrong(dtype="float64")))
    assert residuals["equilibrium"].abs().max() > 1e-3
    if cut == "residual":
        assert residuals["slip"].abs().max() > 1e-3
    else:  # u_r ≠ 0 on average about the pole: a source there
        assert residuals["equilibrium_pole_flux"].abs().max() > 1e-3


@pytest.mark.parametrize(
    "spec, cut",
    [("fault", None), ("fault", "residual"), ("fault_layered", None), ("burgers", None)],
)
def test_residuals_from_forward_jets_equal_nested_autograd(tmp_path, spec, cut):
    """The generated residuals of a real network, with derivatives pushed forward
    (lifted fault: through the coordinate map and the lift) or by nested autograd."""
    Model = _model_class(spec, tmp_path, cut)
    model = Model(layers=(3, 16), dtype="float64")
    assert model.uses_jets()
    batch = _batch(model)
    jets = model.residuals(batch)
    model.config["derivatives"] = "autograd"
    nested = model.residuals(batch)
    for name in Model.residual_names:
        scale = nested[name].abs().max().item()
        assert (jets[name] - nested[name]).abs().max().item() <= 1e-12 * max(scale, 1e-6), name
    first = Model.residual_names[0]  # an interior term: one residual per point
    values = model.network_jets(model.to_network(batch[first]), {"u": ("u",)})["u"]
    assert values.shape == jets[first].shape


def test_poisson_residuals_vanish_on_the_manufactured_solution(tmp_path):
    Model = _model_class("poisson", tmp_path)

    class Exact(Model):
        def network_fields(self, inputs):
            return {"u": torch.sin(math.pi * inputs["x"]) * torch.sin(math.pi * inputs["y"])}

    model = Exact(dtype="float64")
    for name, value in model.residuals(_batch(model)).items():
        assert value.abs().max().item() < 1e-10, name


def test_burgers_residual_matches_a_hand_computation(tmp_path):
    Model = _model_class("burgers", tmp_path)

    class Manufactured(Model):
        def network_fields(self, inputs):
            return {"u": torch.exp(-inputs["t"]) * torch.sin(inputs["x"])}

    model = Manufactured(dtype="float64")
    batch = _batch(model)
    residual = model.residuals(batch)["momentum"]
    t, x = batch["momentum"]["t"], batch["momentum"]["x"]
    nu = 0.01 / math.pi
    u = torch.exp(-t) * torch.sin(x)
    expected = -u + u * torch.exp(-t) * torch.cos(x) + nu * u
    assert torch.allclose(residual, expected, atol=1e-12)
