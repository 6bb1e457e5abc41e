"""Forward jets (pdec.runtime.jets) against nested autograd, and when models use them."""

from __future__ import annotations

import itertools

import pytest
import torch

from pdec.runtime import PinnModel
from pdec.runtime.capture import compile_mode
from pdec.runtime.losses import LossTerms
from pdec.runtime.options import AUTO_COMPILE_STEPS, TrainOptions

WANTED = {
    "u_t": ("u", "t"),
    "u_x": ("u", "x"),
    "u_xx": ("u", "x", "x"),
    "v_tx": ("v", "x", "t"),  # given in any order: the mixed derivative v_tx
    "v_tt": ("v", "t", "t"),
    "v": ("v",),
}


def _model(activation="tanh", fourier_features=0, periodic=False, **options):
    class Two(PinnModel):
        spec_name = "two"
        coordinates = network_inputs = ("t", "x")
        input_bounds = {"t": (0.0, 1.0), "x": (-1.0, 2.0)}
        field_names = ("u", "v")
        residual_names = ()

    Two.periodic = {"x": (-1.0, 2.0)} if periodic else {}
    return Two(
        layers=(3, 8),
        activation=activation,
        fourier_features=fourier_features,
        dtype="float64",
        **options,
    )


def _points(n=9):
    generator = torch.Generator().manual_seed(1)
    t = torch.rand(n, generator=generator, dtype=torch.float64)
    x = 3 * torch.rand(n, generator=generator, dtype=torch.float64) - 1
    return {"t": t, "x": x}


def _both(model, wanted=WANTED):
    jets = model.network_jets(_points(), wanted)
    model.config["derivatives"] = "autograd"
    nested = model.network_jets(_points(), wanted)
    model.config["derivatives"] = "auto"
    return jets, nested


@pytest.mark.parametrize(
    "activation, fourier, periodic", list(itertools.product(["tanh", "sin"], [0, 6], [False, True]))
)
def test_jets_equal_nested_autograd(activation, fourier, periodic):
    model = _model(activation, fourier, periodic)
    assert model.uses_jets()
    jets, nested = _both(model)
    assert set(jets) == set(nested) == {"u", "v", *WANTED}
    for name in nested:
        scale = nested[name].abs().max().item() + 1.0
        assert (jets[name] - nested[name]).abs().max().item() < 1e-12 * scale, name


def test_jets_give_the_same_parameter_gradients():
    """Training differentiates the residual once more: the gradients agree too."""
    model = _model("tanh", 0, True)
    gradients = []
    for mode in ("auto", "autograd"):
        model.config["derivatives"] = mode
        d = model.network_jets(_points(), WANTED)
        loss = (d["u_t"] + d["u"] * d["u_x"] - 0.1 * d["u_xx"] + d["v_tx"] * d["v_tt"]).square()
        grads = torch.autograd.grad(loss.mean(), list(model.network.parameters()))
        gradients.append(torch.cat([g.reshape(-1) for g in grads]))
    assert torch.allclose(gradients[0], gradients[1], rtol=1e-10, atol=1e-12)


def test_a_constant_direction_at_a_site_has_its_derivative():
    """A site such as the cut θ = 0 holds one input fixed; its derivative is still one."""
    model = _model()
    points = _points()
    points["x"] = torch.full_like(points["t"], 0.5)
    jets = model.network_jets(points, {"u_x": ("u", "x"), "u_xx": ("u", "x", "x")})
    model.config["derivatives"] = "autograd"
    nested = model.network_jets(points, {"u_x": ("u", "x"), "u_xx": ("u", "x", "x")})
    assert torch.allclose(jets["u_xx"], nested["u_xx"], atol=1e-12)


HIGHER = {
    "u_xxx": ("u", "x", "x", "x"),  # KdV
    "u_xxxx": ("u", "x", "x", "x", "x"),  # Cahn–Hilliard, Swift–Hohenberg
    "u_ttxx": ("u", "x", "t", "x", "t"),  # a biharmonic's mixed term
    "v_txx": ("v", "x", "t", "x"),
    "v_ttttt": ("v", "t", "t", "t", "t", "t"),
    "v_x": ("v", "x"),
}


@pytest.mark.parametrize(
    "activation, fourier, periodic", list(itertools.product(["tanh", "sin"], [0, 6], [False, True]))
)
def test_higher_and_mixed_orders_equal_nested_autograd(activation, fourier, periodic):
    """Taylor mode to any order (Faà di Bruno): orders 3, 4 and 5, mixed."""
    model = _model(activation, fourier, periodic)
    jets, nested = _both(model, HIGHER)
    for name in nested:
        scale = nested[name].abs().max().item() + 1.0
        assert (jets[name] - nested[name]).abs().max().item() < 1e-10 * scale, name


def test_higher_orders_give_the_same_parameter_gradients():
    model = _model("tanh", 0, True)
    gradients = []
    for mode in ("auto", "autograd"):
        model.config["derivatives"] = mode
        d = model.network_jets(_points(), HIGHER)
        loss = (d["u_xxxx"] + d["u_ttxx"] + d["u_xxx"] * d["v_txx"] - d["v_x"]).square()
        grads = torch.autograd.grad(  # the last bias is not in any derivative
            loss.mean(), list(model.network.parameters()), allow_unused=True, materialize_grads=True
        )
        gradients.append(torch.cat([g.reshape(-1) for g in grads]))
    assert torch.allclose(gradients[0], gradients[1], rtol=1e-9, atol=1e-11)


def test_a_biharmonic_pushes_forward_the_closure_of_its_indices():
    from pdec.runtime.jets import closure

    keys = closure([(0, 0, 0, 0), (0, 0, 1, 1), (1, 1, 1, 1)])
    assert [len(level) for level in keys] == [2, 3, 4, 3]  # 12 indices, as the docstring says


def test_which_models_use_jets():
    assert _model().uses_jets()
    assert not _model("gelu").uses_jets()  # no jet rule for it: autograd
    assert not _model(derivatives="autograd").uses_jets()

    class Analytic(type(_model())):
        def network_fields(self, inputs):
            return {"u": torch.sin(inputs["x"]), "v": inputs["t"] ** 2}

    analytic = Analytic(layers=(1, 4), dtype="float64")
    assert not analytic.uses_jets()  # an override is what is differentiated
    d = analytic.network_jets(_points(), {"u_xx": ("u", "x", "x"), "v_t": ("v", "t")})
    assert torch.allclose(d["u_xx"], -torch.sin(_points()["x"]))
    assert torch.allclose(d["v_t"], 2 * _points()["t"])


def test_derivatives_option_is_validated():
    from pdec.runtime import OptionsError

    with pytest.raises(OptionsError, match="derivatives"):
        _model(derivatives="forward")


def test_auto_compile_only_for_long_runs_of_jet_models():
    model = _model()
    long = TrainOptions(steps=AUTO_COMPILE_STEPS)
    assert compile_mode(model, long) == "step"
    assert compile_mode(model, TrainOptions(steps=AUTO_COMPILE_STEPS - 1)) is None
    assert compile_mode(_model(derivatives="autograd"), long) is None
    assert compile_mode(_model(derivatives="autograd"), TrainOptions(compile=True)) == "residuals"
    assert compile_mode(model, TrainOptions(steps=10**5, compile=False)) is None
    assert compile_mode(model, TrainOptions(compile=True, adaptive="annealing")) == "residuals"
    assert compile_mode(model, TrainOptions(compile=True, lr_decay=0.5)) == "residuals"
    assert compile_mode(model, TrainOptions(compile="residuals")) == "residuals"


def test_compiled_jet_residuals_match_eager(capfd):
    """No double backward: torch.compile gives the eager terms and gradients."""

    class Heat(type(_model())):
        residual_names = ("heat",)

        def residuals(self, batch):
            d = self.network_jets(batch["heat"], {"u_t": ("u", "t"), "u_xx": ("u", "x", "x")})
            return {"heat": d["u_t"] - 0.1 * d["u_xx"]}

    model = Heat(layers=(2, 8), dtype="float64")
    terms = LossTerms(model, compile=True)
    terms.trial({"heat": _points(32)}, list(model.parameters()))
    message = capfd.readouterr().err
    if not terms.compiled and "differ" not in message:
        pytest.skip(f"torch.compile unavailable here: {message.strip()}")
    assert terms.compiled, message


def _hard(model):
    """``model`` with u = g + φ·F built in: g = sin(x) + t, φ = t (x + 1)(2 − x), zero at
    t = 0 and at both ends of x; v is left alone."""

    class Hard(type(model)):
        def boundary_form(self, inputs):
            t, x = inputs["t"], inputs["x"]
            return {"u": (torch.sin(x) + t, t * (x + 1) * (2 - x))}

    hard = Hard.__new__(Hard)
    hard.__dict__.update(model.__dict__)
    hard.config = {**model.config, "hard": True}
    return hard


def test_a_built_in_condition_holds_exactly_and_leaves_other_fields_alone():
    model = _model()
    hard = _hard(model)
    t = torch.tensor([0.0, 0.3, 0.7], dtype=torch.float64)
    for x in (-1.0, 2.0):  # the ends of x, and t = 0 below
        fields = hard.network_fields({"t": t, "x": torch.full_like(t, x)})
        assert torch.equal(fields["u"], torch.sin(torch.full_like(t, x)) + t)
    fields = hard.network_fields({"t": torch.zeros(3, dtype=torch.float64), "x": t})
    assert torch.equal(fields["u"], torch.sin(t))
    points = _points()
    plain, built = model.network_fields(points), hard.network_fields(points)
    assert torch.equal(plain["v"], built["v"]) and not torch.equal(plain["u"], built["u"])


@pytest.mark.parametrize("wanted", [WANTED, HIGHER], ids=["orders-1-2", "orders-3-5"])
def test_jets_through_a_built_in_condition_equal_nested_autograd(wanted):
    """The product φ·F by Leibniz's rule in Taylor mode, against autograd of g + φ·F."""
    hard = _hard(_model())
    assert hard.uses_jets()
    jets, nested = _both(hard, wanted)
    for name in nested:
        scale = nested[name].abs().max().item() + 1.0
        assert (jets[name] - nested[name]).abs().max().item() < 1e-10 * scale, name


def test_leibniz_rule_on_a_product_of_two_known_functions():
    from pdec.runtime.jets import closure, multiply, of_map

    t = torch.rand(6, dtype=torch.float64, requires_grad=True)
    x = torch.rand(6, dtype=torch.float64, requires_grad=True)
    keys = closure([(0, 0, 1), (1, 1, 1)])
    a = of_map(torch.stack([torch.exp(t) * x], dim=1), (t, x), keys)
    b = of_map(torch.stack([torch.sin(x) + t**2], dim=1), (t, x), keys)
    product = multiply(a, b)
    exact = of_map(torch.stack([torch.exp(t) * x * (torch.sin(x) + t**2)], dim=1), (t, x), keys)
    for level in keys:
        for index in level:
            torch.testing.assert_close(product.derivative(index), exact.derivative(index))
