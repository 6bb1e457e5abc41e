import math

import pytest
import torch

from pdec.runtime import ModelOptions, OptionsError


def test_periodic_input_makes_the_network_exactly_periodic(ring):
    model = ring(layers=(2, 16), dtype="float64", device="cpu", fourier_features=8)
    r = torch.linspace(0.1, 2.0, 40, dtype=torch.float64)
    theta = torch.linspace(-3.0, 3.0, 40, dtype=torch.float64)
    base = model.network_fields({"r": r, "theta": theta})
    for shift in (2 * math.pi, -4 * math.pi):
        shifted = model.network_fields({"r": r, "theta": theta + shift})
        for name in ("q", "p"):
            assert torch.allclose(base[name], shifted[name], rtol=0, atol=1e-12)
    # both sides of the cut theta = 0 / 2π see the same network value
    zero = model.network_fields({"r": r, "theta": torch.zeros_like(r)})
    full = model.network_fields({"r": r, "theta": torch.full_like(r, 2 * math.pi)})
    assert torch.allclose(zero["q"], full["q"], rtol=0, atol=1e-12)


def test_a_non_periodic_input_is_not_periodic(bar):
    model = bar(dtype="float64")
    x = torch.linspace(0, 1, 10, dtype=torch.float64)
    assert not torch.allclose(
        model.network_fields({"x": x})["u"], model.network_fields({"x": x + 1})["u"]
    )


def test_same_seed_same_network_other_seed_other_network(bar):
    first, again, other = bar(seed=5), bar(seed=5), bar(seed=6)
    for key, value in first.state_dict().items():
        assert torch.equal(value, again.state_dict()[key])
    assert not torch.equal(first.network[0].weight, other.network[0].weight)


def test_layers_activation_and_outputs(bar, ring):
    model = bar(layers=(3, 10), activation="sin")
    linears = [m for m in model.network if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (1, 10),
        (10, 10),
        (10, 10),
        (10, 1),
    ]
    assert type(model.network[1]).__name__ == "Sine"
    assert all(bool((m.bias == 0).all()) for m in linears)
    polar = ring(layers="2x8")
    assert polar.network[0].in_features == 3  # r, cos θ, sin θ
    assert polar.network[-1].out_features == 2
    fields = polar.network_fields({"r": torch.ones(5), "theta": torch.zeros(5)})
    assert list(fields) == ["q", "p"] and fields["q"].shape == (5,)


def test_defaults_come_from_the_spec_hints_then_the_base(bar):
    assert bar().config["layers"] == (2, 16)  # Bar.default_options
    assert bar(layers=(1, 4)).config["layers"] == (1, 4)
    assert bar().config["activation"] == "tanh"
    assert bar().dtype == torch.float32


def test_bad_model_options_are_reported(bar):
    with pytest.raises(OptionsError, match="activation"):
        bar(activation="sigmoid")
    with pytest.raises(OptionsError, match="DEPTHxWIDTH"):
        bar(layers="deep")

    class Hinted(bar):
        default_options = {"layers": (2, 4), "stpes": 10}

    with pytest.raises(OptionsError, match="did you mean 'steps'"):
        Hinted()
    assert ModelOptions(layers="8 x 40").layers == (8, 40)


def test_inputs_without_a_range_are_refused(bar):
    class Unbounded(bar):
        input_bounds = {}

    with pytest.raises(ValueError, match="no range"):
        Unbounded()


def test_fourier_features_are_seeded(bar):
    first, again = (
        bar(fourier_features=4, fourier_scale=2.0),
        bar(fourier_features=4, fourier_scale=2.0),
    )
    assert first.network[0].in_features == 8
    assert torch.equal(first.embedding.frequencies, again.embedding.frequencies)


def test_building_a_model_leaves_torch_global_generator_alone(bar):
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    bar(layers=(3, 9), fourier_features=2)
    assert torch.equal(torch.rand(3), expected)
