"""Inverse problems in the PINN target: unknown scalars and fields, and data losses."""

import math
from pathlib import Path

import numpy as np
import pytest
import torch

import pdec
from pdec.compiler import generate_module, import_module, write_module
from pdec.runtime import OptionsError

ROOT = Path(__file__).resolve().parents[3]
SPECS = ROOT / "specs"


def _compile(text: str, tmp_path: Path, name: str = "spec.pde"):
    """The generated class of a spec given as text (written to ``tmp_path``)."""
    path = tmp_path / name
    path.write_text(text)
    return pdec.compile(path, target="pinn", out_dir=tmp_path / "build")


def _batch(model, n=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return {
        name: {k: v.to(torch.float64) for k, v in sampler.sample(n, generator).items()}
        for name, sampler in model.samplers().items()
    }


# ---- unknown scalars ------------------------------------------------------------------------


def test_unknown_scalar_is_a_learnable_parameter_starting_at_its_guess(tmp_path):
    Model = pdec.compile(SPECS / "burgers_inverse.pde", target="pinn", out_dir=tmp_path)
    model = Model(dtype="float64")
    assert model.learned() == pytest.approx({"nu": 0.05})
    raw = dict(model.named_parameters())["unknown_scalars.raw.nu"]
    assert raw.requires_grad and float(raw.detach()) == pytest.approx(math.log(0.05))


def test_residual_uses_the_unknowns_current_value(tmp_path):
    Model = pdec.compile(SPECS / "burgers_inverse.pde", target="pinn", out_dir=tmp_path)

    class Manufactured(Model):
        def network_fields(self, inputs):
            return {"u": torch.exp(-inputs["t"]) * torch.sin(inputs["x"])}

    model = Manufactured(dtype="float64")
    with torch.no_grad():
        model.unknown_scalars.raw["nu"].fill_(math.log(0.2))
    batch = _batch(model)
    residual = model.residuals(batch)["momentum"]
    t, x = batch["momentum"]["t"], batch["momentum"]["x"]
    u = torch.exp(-t) * torch.sin(x)
    expected = -u + u * torch.exp(-t) * torch.cos(x) + 0.2 * u
    assert torch.allclose(residual, expected, atol=1e-12)
    # and the residual's gradient reaches the unknown
    residual.pow(2).mean().backward()
    assert model.unknown_scalars.raw["nu"].grad.abs() > 0


def test_signed_unknown_without_guess_starts_at_zero(tmp_path):
    Model = _compile(
        "model m\nparam k unknown\nregion line = interval(x in [0, 1])\nfield u(x)\n"
        "pde balance: dx(dx(u)) = k in line\n",
        tmp_path,
    )
    assert Model().learned() == {"k": 0.0}


# ---- data ---------------------------------------------------------------------------------


def test_data_residual_is_model_minus_observation(tmp_path):
    Model = pdec.compile(SPECS / "burgers_inverse.pde", target="pinn", out_dir=tmp_path)
    table = {"t": [0.1, 0.5], "x": [0.0, 0.25], "u": [1.0, -2.0]}

    class Known(Model):
        def network_fields(self, inputs):
            return {"u": inputs["t"] + inputs["x"]}

    model = Known(dtype="float64", data={"observations": table})
    residual = model.residuals(_batch(model))["observations"]
    assert residual.tolist() == pytest.approx([0.1 - 1.0, 0.75 + 2.0])


def test_shipped_observations_are_read_relative_to_the_spec(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the spec's folder
    Model = pdec.compile(SPECS / "burgers_inverse.pde", target="pinn", out_dir=tmp_path)
    table = Model().observation_table("observations")
    assert len(table) == 2000
    assert set(table.columns) == {"t", "x", "u"}


def test_data_file_without_a_needed_column_says_which(tmp_path):
    Model = pdec.compile(SPECS / "burgers_inverse.pde", target="pinn", out_dir=tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("t,y,u\n0,0,0\n")
    model = Model(data={"observations": str(bad)})  # reading waits until needed
    with pytest.raises(pdec.PdecError, match="lacks the column.*x") as caught:
        model.fit(steps=1, progress=False)
    assert "it has: t, y, u" in caught.value.hint


def test_missing_data_file_is_a_data_file_error(tmp_path):
    Model = pdec.compile(SPECS / "burgers_inverse.pde", target="pinn", out_dir=tmp_path)
    model = Model(data={"observations": str(tmp_path / "nowhere.csv")})
    with pytest.raises(pdec.PdecError, match="no such data file"):
        model.samplers()


def test_unknown_data_set_name_is_rejected(tmp_path):
    Model = pdec.compile(SPECS / "burgers_inverse.pde", target="pinn", out_dir=tmp_path)
    with pytest.raises(OptionsError, match="no data set named obs"):
        Model(data={"obs": {"t": [0], "x": [0], "u": [0]}})


def test_observations_with_nan_are_rejected(tmp_path):
    Model = pdec.compile(SPECS / "burgers_inverse.pde", target="pinn", out_dir=tmp_path)
    model = Model(data={"observations": {"t": [0.0], "x": [0.0], "u": [float("nan")]}})
    with pytest.raises(pdec.PdecError, match="NaN or inf in column.*u"):
        model.samplers()


# ---- unknown fields -------------------------------------------------------------------------

FAULT_TEXT = (SPECS / "fault.pde").read_text()


@pytest.mark.parametrize("signature", ["mu(x, y)", "mu(y)"])
def test_unknown_modulus_in_polar_coordinates_matches_the_cartesian_equation(tmp_path, signature):
    """The fault's equilibrium with μ unknown, lowered through (r, θ), equals
    r²(μΔu + ∇μ·∇u) computed directly in (x, y) for smooth test functions."""
    text = FAULT_TEXT.replace("param mu(x, y) = 1.0", f"param {signature} unknown(positive)")
    Model = _compile(text, tmp_path)
    assert "mu" in Model.unknowns and Model.unknowns["mu"].positive

    def u_of(x, y):
        return x**2 * y + torch.sin(x) + 0.3 * y

    def mu_of(x, y):
        value = 1 + 0.5 * torch.tanh(-y - 2)
        return value + 0.1 * x if signature == "mu(x, y)" else value

    class Smooth(Model):
        def network_fields(self, inputs):
            coords = self.from_network(inputs)
            return {"u": u_of(coords["x"], coords["y"]), "mu": mu_of(coords["x"], coords["y"])}

    model = Smooth(dtype="float64")
    batch = _batch(model)
    residual = model.residuals(batch)["equilibrium"]

    x = batch["equilibrium"]["x"].clone().requires_grad_(True)
    y = batch["equilibrium"]["y"].clone().requires_grad_(True)
    u, mu = u_of(x, y), mu_of(x, y)

    def d(f, v):
        (grad,) = torch.autograd.grad(f.sum(), v, create_graph=True, allow_unused=True)
        return torch.zeros_like(v) if grad is None else grad

    u_x, u_y = d(u, x), d(u, y)
    laplacian = d(u_x, x) + d(u_y, y)
    r2 = x**2 + (y + 1.0) ** 2
    expected = r2 * (mu * laplacian + d(mu, x) * u_x + d(mu, y) * u_y)
    assert Model.lifted  # the slip is built in: one factor r is kept, clamped at 0.05 D
    expected = expected / r2.sqrt().clamp_min(0.05)
    assert torch.allclose(residual, expected, atol=1e-9)


def test_unknown_field_network_sees_only_its_arguments(tmp_path):
    text = FAULT_TEXT.replace("param mu(x, y) = 1.0", "param mu(y) unknown(positive)")
    model = _compile(text, tmp_path)(dtype="float64")
    assert set(model.unknown_fields) == {"mu"}
    y = torch.tensor([-3.0, -1.0])
    a = model.predict(x=torch.tensor([-5.0, 0.5]), y=y)["mu"]
    b = model.predict(x=torch.tensor([7.0, -2.0]), y=y)["mu"]
    assert torch.equal(a, b) and bool((a > 0).all())


def test_unknown_field_in_cartesian_coordinates(tmp_path):
    """A 1-D diffusion with unknown conductivity k(x): k's jets are named and used."""
    Model = _compile(
        "model rod\nparam k(x) unknown(positive)\nregion line = interval(x in [0, 1])\n"
        "field u(x)\npde balance: dx(k*dx(u)) = -1 in line\n"
        "bc ends: u = 0 on line.boundary\n",
        tmp_path,
    )
    source = (tmp_path / "build" / "rod_pinn.py").read_text()
    assert '"k_x": ("k", "x")' in source and 'k_x = fields["k_x"]' in source

    class Known(Model):
        def network_fields(self, inputs):
            x = inputs["x"]
            return {"u": x * (1 - x) / 2, "k": 1 + 0 * x}

    model = Known(dtype="float64")
    residual = model.residuals(_batch(model))["balance"]
    assert residual.abs().max() < 1e-12


# ---- training ---------------------------------------------------------------------------------


def test_a_short_inverse_run_moves_nu_and_records_it(tmp_path):
    Model = pdec.compile(SPECS / "burgers_inverse.pde", target="pinn", out_dir=tmp_path)
    model = Model(layers="2x8", seed=0)
    history = model.fit(
        steps=20, lbfgs_steps=0, points=64, progress=False, log_every=5, lr_unknowns=0.05
    )
    values = history.unknown("nu")
    assert len(values) == 5 and values[0] != values[-1]
    assert history.records[-1].unknowns == {"nu": pytest.approx(model.learned()["nu"])}


def test_inverse_run_resumes_exactly(tmp_path):
    Model = pdec.compile(SPECS / "burgers_inverse.pde", target="pinn", out_dir=tmp_path / "m")
    options = dict(lbfgs_steps=0, points=64, progress=False, checkpoint_every=5)
    whole = Model(layers="2x8", dtype="float64")
    whole.fit(steps=10, checkpoint_dir=tmp_path / "a", **options)
    part = Model(layers="2x8", dtype="float64")
    part.fit(steps=5, checkpoint_dir=tmp_path / "b", **options)
    again = Model(layers="2x8", dtype="float64")
    again.fit(steps=10, checkpoint_dir=tmp_path / "b", resume=True, **options)
    assert again.learned() == whole.learned()


def test_golden_generated_module_for_the_inverse_spec():
    source = generate_module(pdec.load(SPECS / "burgers_inverse.pde"), "pinn").source
    assert 'unknowns = {"nu": Unknown(positive=True, guess=0.05)}' in source
    assert 'nu = self.unknown("nu")' in source
    assert 'out["observations"] = fields["u"] - observed["u"]' in source


def test_generated_inverse_module_imports_standalone(tmp_path):
    module = generate_module(pdec.load(SPECS / "burgers_inverse.pde"), "pinn")
    imported = import_module(write_module(module, tmp_path), module.module_name)
    cls = getattr(imported, module.class_name)
    assert cls.observations == {"observations": ("data/burgers_observations.csv", ("u",))}
    assert np.isclose(cls.unknowns["nu"].guess, 0.05)


def test_observations_outside_the_domain_are_rejected_with_the_row(tmp_path):
    Model = pdec.compile(SPECS / "burgers_inverse.pde", target="pinn", out_dir=tmp_path)
    swapped = {"t": [0.5, -0.5], "x": [0.2, 0.3], "u": [0.0, 0.0]}  # t = -0.5
    model = Model(data={"observations": swapped})
    with pytest.raises(pdec.PdecError, match=r"1 of 2 observations .* row 2: t = -0.5, x = 0.3"):
        model.samplers()


@pytest.mark.parametrize(
    "text",
    [
        FAULT_TEXT.replace("param mu(x, y) = 1.0", "param mu(x, y) unknown(positive)"),
        "model rod\nparam k(x) unknown\nparam c unknown(positive)\n"
        "region line = interval(x in [0, 1])\nfield u(x)\n"
        "pde balance: dx(k*dx(u)) + c*dx(dx(dx(dx(u)))) = -1 in line\n"
        "bc ends: u = 0 on line.boundary\n",
    ],
    ids=["fault-polar-lifted", "rod-fourth-order"],
)
def test_unknowns_go_through_jets(tmp_path, text):
    """Unknown fields (positive: through exp) and scalars take the forward jets too:
    residuals and their parameter gradients equal nested autograd's."""
    model = _compile(text, tmp_path)(dtype="float64", seed=3)
    assert model.unknowns and model.uses_jets()
    batch = _batch(model, n=16)
    results = []
    for mode in ("auto", "autograd"):
        model.config["derivatives"] = mode
        residuals = model.residuals(batch)
        loss = sum(r.square().mean() for r in residuals.values())
        parameters = [p for p in model.parameters() if p.requires_grad]
        grads = torch.autograd.grad(loss, parameters, allow_unused=True, materialize_grads=True)
        results.append((residuals, torch.cat([g.reshape(-1) for g in grads])))
    (jets, jet_grads), (nested, nested_grads) = results
    for name in nested:
        assert torch.allclose(jets[name], nested[name], rtol=1e-9, atol=1e-10), name
    assert torch.allclose(jet_grads, nested_grads, rtol=1e-8, atol=1e-10)
