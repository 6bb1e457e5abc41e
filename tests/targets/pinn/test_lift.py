"""Lifted fault models (a cut's jump built into u): the slip and traction hold for any
network, the r log r term removes the lift's source at the pole, checkpoints of the two
cut forms are not interchangeable."""

import math
from pathlib import Path

import pytest
import torch

import pdec
from pdec.compiler import generate_module, import_module, write_module
from pdec.runtime import CheckpointError, derivative

SPECS = Path(__file__).resolve().parents[3] / "specs"


def model_class(name, tmp_path, cut=None):
    module = generate_module(pdec.load(SPECS / f"{name}.pde"), "pinn", cut=cut)
    folder = tmp_path / (cut or "auto")
    return getattr(
        import_module(write_module(module, folder), module.module_name), module.class_name
    )


@pytest.mark.parametrize("name", ["fault", "fault_layered"])
def test_slip_and_traction_hold_for_an_untrained_network(tmp_path, name):
    model = model_class(name, tmp_path)(dtype="float64", seed=3)
    r = torch.linspace(0.01, 1.0, 50, dtype=torch.float64)
    plus = torch.zeros_like(r).requires_grad_(True)
    minus = torch.full_like(r, 2 * math.pi).requires_grad_(True)
    u_plus = model.network_fields({"r": r, "theta": plus})["u"]
    u_minus = model.network_fields({"r": r, "theta": minus})["u"]
    assert torch.allclose(u_plus - u_minus, torch.ones_like(r), atol=1e-12)  # s = 1
    # μ is continuous, so jump(μ ∂u/∂n) = 0 is jump(∂u/∂θ) / r = 0
    jump = derivative(u_plus, plus) - derivative(u_minus, minus)
    assert jump.abs().max() < 1e-12
    assert "slip" not in model.residual_names and "traction" not in model.residual_names


def test_pole_term_cancels_the_lifts_source_in_the_layered_crust(tmp_path):
    """r·div(μ∇u) → 0 at the pole for u = lift (network output zeroed); without the r log r
    term it tends to −s(1 − tanh²(D − 2)) sin θ / 4π ≈ −0.033 sin θ, the lift's own source."""
    Model = model_class("fault_layered", tmp_path)

    class Lift(Model):
        pole_term = True

        def lift(self, inputs):
            out = super().lift(inputs)
            if not self.pole_term:
                out["u"] = self.constants["s"] * (0.5 - inputs["theta"] / (2 * math.pi))
            return out

    def r_times_operator(model, r):
        with torch.no_grad():
            model.network[-1].weight.zero_()
            model.network[-1].bias.zero_()
        theta = torch.full_like(r, math.pi / 2)  # sin θ = 1: the source at its largest
        x, y = r * torch.sin(theta), -1.0 + r * torch.cos(theta)
        value = model.residuals({"equilibrium": {"x": x, "y": y}} | _rest(model))["equilibrium"]
        return value * r.clamp_min(0.05) / r  # undo the generated 1/max(r, 0.05)

    r = torch.tensor([1e-4, 1e-3], dtype=torch.float64)
    with_term = r_times_operator(Lift(dtype="float64"), r)
    Lift.pole_term = False
    without = r_times_operator(Lift(dtype="float64"), r)
    # without: a 1/r source, so r·(...) is the same at r = 1e-4 and 1e-3 (the generated
    # residual is a positive multiple of r²·div(μ∇u), the multiple the clearing's)
    assert torch.allclose(without[0], without[1], rtol=2e-2)
    source = (1 - math.tanh(-1.0) ** 2) / (4 * math.pi)
    assert without.abs().min() > source
    assert with_term.abs().max() < 0.05 * without.abs().min()


def _rest(model):
    """One point for each other term (residuals() evaluates every term)."""
    generator = torch.Generator().manual_seed(0)
    return {
        name: {k: v.to(torch.float64) for k, v in sampler.sample(64, generator).items()}
        for name, sampler in model.samplers().items()
        if name != "equilibrium"
    }


def test_prediction_at_the_pole_is_finite(tmp_path):
    model = model_class("fault_layered", tmp_path)(dtype="float64")
    u = model.predict(x=[0.0, 0.0, 1e-9], y=[-1.0, -0.5, -1.0])["u"]
    assert torch.isfinite(torch.as_tensor(u)).all()


def test_checkpoints_of_the_two_cut_forms_are_not_interchangeable(tmp_path):
    Lifted = model_class("fault", tmp_path)
    Penalised = model_class("fault", tmp_path, cut="residual")
    assert Lifted.lifted and not Penalised.lifted
    Lifted(dtype="float64").save(tmp_path / "lifted.pt")
    with pytest.raises(CheckpointError, match="--cut lift"):
        Penalised.load(tmp_path / "lifted.pt")
    Lifted.load(tmp_path / "lifted.pt")  # the same form loads
