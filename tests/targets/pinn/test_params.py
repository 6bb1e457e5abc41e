"""Known parameters defined through other parameters, and fields that take fewer
arguments than the spec's coordinates (issue 15), in the generated PINN."""

import math

import torch

import pdec
from pdec.compiler import generate_module, import_module, write_module

CHAINED = """model chained
region a = box(x in [0, 1], y in [0, 1])
field u(x, y)
param g(x, y) = 1 + x
param f(x, y) = 2*g
pde inside: lap(u) = f in a
bc wall: u = 0 on a.boundary
"""

# a(x, y) does not depend on t: u_t = div(a∇u) with a = 1 + x (lap(a) = 0) and the
# manufactured u = e^{-t} sin(πx) sin(πy), whose source is written out below
STATIC = """model static
region sq = box(x in [0, 1], y in [0, 1])
time t in [0, 1]
field u(t, x, y), a(x, y)
pde heat: dt(u) = div(a*grad(u)) + s in sq
pde coefficient: lap(a) = 0 in sq
ic start: u = sin(pi*x)*sin(pi*y) at t = 0
bc wall: u = 0 on sq.boundary
bc edge: a = 1 + x on sq.boundary
"""


def _model_class(text, tmp_path):
    module = generate_module(pdec.loads(text, "spec.pde"), "pinn")
    return getattr(
        import_module(write_module(module, tmp_path), module.module_name), module.class_name
    )


def _batch(model, n=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return {
        name: {k: v.to(torch.float64) for k, v in sampler.sample(n, generator).items()}
        for name, sampler in model.samplers().items()
    }


def test_a_parameter_defined_through_another_compiles_to_its_full_definition(tmp_path):
    Model = _model_class(CHAINED, tmp_path)

    class Exact(Model):  # lap(u) = 0, so the residual is −f = −2(1 + x)
        def network_fields(self, inputs):
            return {"u": inputs["x"] + 0 * inputs["y"]}

    model = Exact(dtype="float64")
    batch = _batch(model)
    residual = model.residuals(batch)["inside"]
    expected = -2 * (1 + batch["inside"]["x"])
    assert torch.allclose(residual, expected, atol=1e-12)


SOURCE = "exp(-t)*sin(pi*y)*((2*pi^2*(1 + x) - 1)*sin(pi*x) - pi*cos(pi*x))"


def _static_model(tmp_path):
    return _model_class(STATIC.replace("+ s in", f"+ {SOURCE} in"), tmp_path)


def test_a_field_of_fewer_arguments_has_its_own_network(tmp_path):
    Model = _static_model(tmp_path)
    assert Model.field_arguments == {"a": ("x", "y")}
    model = Model(layers=(2, 8), dtype="float64")
    assert model.uses_jets()
    generator = torch.Generator().manual_seed(1)
    t, x, y = torch.rand(3, 32, generator=generator, dtype=torch.float64)
    for derivatives in ("auto", "autograd"):
        model.config["derivatives"] = derivatives
        jets = model.network_jets(
            {"t": t, "x": x, "y": y}, {"a_t": ("a", "t"), "a_tx": ("a", "t", "x")}
        )
        assert torch.equal(jets["a_t"], torch.zeros_like(t)), derivatives
        assert torch.equal(jets["a_tx"], torch.zeros_like(t)), derivatives
    later = model.network_fields({"t": 1 - t, "x": x, "y": y})["a"]
    assert torch.equal(model.network_fields({"t": t, "x": x, "y": y})["a"], later)
    before = [p.detach().clone() for p in model.own_fields["a"].parameters()]
    history = model.fit(steps=3, points=64, boundary_points=16, progress=False, compile=False)
    assert math.isfinite(history.losses[-1])
    after = list(model.own_fields["a"].parameters())
    assert any(not torch.equal(p, q) for p, q in zip(before, after))  # a is trained


def test_a_field_of_fewer_arguments_vanishes_on_a_manufactured_solution(tmp_path):
    Model = _static_model(tmp_path)

    class Exact(Model):
        def network_fields(self, inputs):
            t, x, y = inputs["t"], inputs["x"], inputs["y"]
            u = torch.exp(-t) * torch.sin(math.pi * x) * torch.sin(math.pi * y)
            return {"u": u, "a": 1 + x + 0 * y}

    model = Exact(dtype="float64")
    for name, value in model.residuals(_batch(model)).items():
        assert value.abs().max().item() < 1e-10, name
