"""Whole-step compilation (pdec.runtime.capture): the step compiled as one unit, its
fixed point buffers, the check against eager mode and the fall-backs, and the
finite-loss guard after the update."""

from pathlib import Path

import pytest
import torch

import pdec
from pdec.runtime import TrainingDiverged
from pdec.runtime import checkpoint as checkpoints
from pdec.runtime.capture import CompiledStep, compile_mode
from pdec.runtime.options import TrainOptions

SPECS = Path(__file__).resolve().parents[2] / "specs"
FAST = {"points": 16, "boundary_points": 2, "progress": False}


def _identity_compile(function, **kwargs):
    return function


def _linear_problem():
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

    def step(batch):
        optimizer.zero_grad(set_to_none=True)
        x = batch["pde"]["x"]
        loss = (model(x).squeeze(1) - batch["pde"]["y"]).square().mean()
        loss.backward()
        optimizer.step()
        return loss.detach(), {"pde": loss.detach()}

    return model, optimizer, step


def _batch(seed: int, n: int = 8):
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 2, generator=generator)
    return {"pde": {"x": x, "y": x.sum(1)}}


def test_points_are_refilled_in_place(monkeypatch):
    monkeypatch.setattr(torch, "compile", _identity_compile)
    model, optimizer, step = _linear_problem()
    compiled = CompiledStep(step, model, optimizer, torch.device("cpu"))
    compiled(_batch(0))
    buffer = compiled.buffers["pde"]["x"]
    compiled(_batch(1))
    assert compiled.buffers["pde"]["x"] is buffer  # same tensor: no recompilation
    assert torch.equal(buffer, _batch(1)["pde"]["x"])
    compiled(_batch(2, n=12))  # a new shape (refinement added points): new buffers
    assert compiled.buffers["pde"]["x"].shape == (12, 2)
    assert compiled.compiled


def test_the_compiled_step_is_checked_against_eager_and_falls_back(monkeypatch, capsys):
    def drifting_compile(function, **kwargs):
        def compiled(batch):  # takes two updates: lands somewhere else
            function(batch)
            return function(batch)

        return compiled

    monkeypatch.setattr(torch, "compile", drifting_compile)
    model, optimizer, step = _linear_problem()
    compiled = CompiledStep(step, model, optimizer, torch.device("cpu"))
    compiled(_batch(0))
    assert not compiled.compiled
    assert "moved the parameters elsewhere" in capsys.readouterr().err
    # the run continues from the eager step: the same parameters as one eager step
    reference, reference_optimizer, reference_step = _linear_problem()
    reference_step(_batch(0))
    for ours, theirs in zip(model.parameters(), reference.parameters()):
        assert torch.equal(ours, theirs)


def test_a_failing_compile_falls_back_with_a_message(monkeypatch, capsys):
    def broken_compile(function, **kwargs):
        def compiled(batch):
            raise RuntimeError("unsupported operator\nmore detail")

        return compiled

    monkeypatch.setattr(torch, "compile", broken_compile)
    model, optimizer, step = _linear_problem()
    compiled = CompiledStep(step, model, optimizer, torch.device("cpu"))
    total, _ = compiled(_batch(0))
    assert torch.isfinite(total) and not compiled.compiled
    assert "whole-step compilation not used (RuntimeError: unsupported operator)" in (
        capsys.readouterr().err
    )


def test_a_compiled_run_that_diverges_keeps_the_last_good_checkpoint(
    poisoned, tmp_path, monkeypatch
):
    monkeypatch.setattr(torch, "compile", _identity_compile)
    model = poisoned()
    assert compile_mode(model, TrainOptions(compile="step")) == "step"
    with pytest.raises(TrainingDiverged) as caught:
        # the first step runs twice (eager, then compiled, from the same state), so the
        # 7th evaluation is step 6; the guard runs after its update
        model.fit(steps=20, compile="step", checkpoint_dir=tmp_path, checkpoint_every=2, **FAST)
    assert (caught.value.step, caught.value.terms) == (6, ("pde",))
    data = checkpoints.read(tmp_path / "checkpoint.pt")
    assert data["adam_steps"] == 4
    assert all(bool(torch.isfinite(v).all()) for v in data["state"].values())


def test_the_whole_step_compiled_follows_the_eager_run(capsys):
    """The real thing: inductor compiles Burgers' jet step (about 20 s on two cores)
    and the compiled run follows the eager one."""
    Model = pdec.compile(SPECS / "burgers.pde", target="pinn")
    options = {"steps": 20, "points": 64, "boundary_points": 16, "progress": False}
    torch.manual_seed(0)
    eager = Model(layers="2x8").fit(compile=False, log_every=5, **options)
    torch.manual_seed(0)
    compiled_model = Model(layers="2x8")
    compiled = compiled_model.fit(compile="step", log_every=5, **options)
    said = capsys.readouterr().err
    assert "compiling the whole training step" in said and "not used" not in said
    assert compiled.losses == pytest.approx(eager.losses, rel=1e-4)
    assert compiled.final.loss == pytest.approx(eager.final.loss, rel=1e-4)
