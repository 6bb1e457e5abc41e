"""Every generated model follows ``.to(device)``: no tensor of its forward pass or its
loss stays behind on the CPU.

CI has no GPU, so the model and its batch go to torch's ``meta`` device instead (shapes
without storage): any CPU tensor that a forward pass or a loss creates or keeps — a
buffer not registered, a constant made with ``torch.tensor(...)`` in ``forward``, a
numpy round trip — meets a meta tensor and torch refuses ("Tensor on device meta is not
on the expected device cpu"). On CUDA the same tensor fails as "Expected all tensors
to be on the same device". Moving to float64 would not find these: type promotion
hides a CPU float32 constant.

Every shipped spec, every target that generates it, every model kind of the target.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import torch

import pdec
from pdec import targets
from pdec.compiler import generate_module
from pdec.runtime.losses import LossTerms, total_loss
from pdec.runtime.operator.model import DERIVATIVES
from pdec.runtime.points import PointSet

ROOT = Path(__file__).resolve().parents[2]
META = torch.device("meta")


def _cases() -> list[tuple[str, str]]:
    cases = []
    for path in sorted((ROOT / "specs").glob("*.pde")):
        spec = pdec.load(path)
        for target in targets.names():
            try:
                generate_module(spec, target)
            except pdec.SpecError:
                continue  # the target refuses the spec (tests/test_coverage.py)
            cases.append((path.name, target))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    out = tmp_path_factory.mktemp("meta")
    classes: dict[tuple[str, str], type] = {}

    def model_class(spec: str, target: str) -> type:
        if (spec, target) not in classes:
            classes[spec, target] = pdec.compile(
                ROOT / "specs" / spec, target=target, out_dir=out / f"{target}_{spec}"
            )
        return classes[spec, target]

    return model_class


def _on_meta(model: torch.nn.Module) -> torch.nn.Module:
    model.to(META)
    left = [
        name
        for name, tensor in (*model.named_parameters(), *model.named_buffers())
        if tensor.device != META
    ]
    assert not left, f"not moved by .to(): {left}"
    return model


def _pinn(Model: type, derivatives: str) -> None:
    model = Model(layers=(2, 8), seed=0, derivatives=derivatives)
    samplers = model.samplers()
    points = PointSet(
        {name: samplers[name] for name in model.residual_names},
        dict.fromkeys(model.residual_names, 16),
        "uniform",
        torch.Generator().manual_seed(0),
    )
    points.draw()
    _on_meta(model)
    batch = points.batch(META, torch.float32)
    terms = LossTerms(model, False)(batch)
    assert set(terms) == set(model.residual_names)
    total = total_loss(terms, dict.fromkeys(terms, 1.0))
    assert total.device == META
    total.backward()
    # the network alone, at the points of the first term (prediction, plots)
    first = batch[model.residual_names[0]]
    fields = model({k: v.detach() for k, v in first.items()})
    assert all(value.device == META for value in fields.values())


def _energy(Model: type, mode: str) -> None:
    keywords = {"mode": mode, "seed": 0, "dtype": torch.float32}
    if "n" in inspect.signature(Model).parameters:
        keywords["n"] = 16
    if "width" in inspect.signature(Model).parameters:
        keywords["width"] = 8
    model = Model(**keywords)
    # a grid's state (fields, n); an ODE's (fields,)
    shape = (3, *getattr(model, "state_shape", (len(model.field_names),)))
    u0 = torch.randn(shape, device=META)
    u1 = torch.randn(shape, device=META)
    _on_meta(model)
    loss = model.loss(u0, u1)
    assert loss.device == META
    if any(p.requires_grad for p in model.parameters()):
        loss.backward()
    assert model.time_derivative(u0).shape == u0.shape


def _operator(Model: type, derivatives: str) -> None:
    model = Model(width=4, modes=2, layers=1, seed=0, derivatives=derivatives)
    a = torch.randn(2, len(model.input_names), *(8,) * len(model.space), device=META)
    _on_meta(model)
    u = model(a)
    assert u.device == META
    assert u.shape == (2, len(model.field_names), *a.shape[2:])
    loss = u.pow(2).mean() + model.physics_loss(a, u)
    loss.backward()


def _graph_operator(Model: type) -> None:
    """The GNO on point clouds: the points, the boundary built in and the kernel's
    graph follow the model."""
    if any(Model.periodic.values()):
        return  # no GNO on a ring (refused, tested in tests/targets/operator)
    model = Model(architecture="gno", width=4, kernel_width=4, layers=1, seed=0)
    _on_meta(model)
    a = torch.randn(2, len(model.input_names), 12, device=META)
    points = torch.rand(2, 12, len(model.space), device=META)
    # the radius graph's nonzero() has a data-dependent size, which the meta device
    # cannot know: let it assume every pair is close (the shapes stay consistent)
    from torch.fx.experimental import _config

    with _config.patch(meta_nonzero_assume_all_nonzero=True):
        u = model(a, points)
    assert u.device == META and u.shape == (2, len(model.field_names), 12)
    u.pow(2).mean().backward()


@pytest.mark.parametrize(("spec", "target"), CASES, ids=[f"{t}-{s}" for s, t in CASES])
def test_forward_and_loss_follow_the_model_to_another_device(build, spec, target):
    Model = build(spec, target)
    if target == "pinn":
        for derivatives in ("auto", "autograd"):  # forward jets, nested autograd
            _pinn(Model, derivatives)
    elif target == "operator":
        for derivatives in DERIVATIVES:
            _operator(Model, derivatives)
        _graph_operator(Model)
    else:
        for mode in Model.modes:  # dgnet, hnn, node; lnn, node for a Lagrangian
            _energy(Model, mode)


def test_every_target_is_covered():
    assert {target for _, target in CASES} == set(targets.names())
