import os

import pytest
import torch

from pdec.runtime import CheckpointError, TrainingDiverged
from pdec.runtime import checkpoint as checkpoints

# resampling, RAR, annealing and a decaying learning rate all carry state across a resume
OPTIONS = dict(
    points=64,
    boundary_points=2,
    lr=1e-2,
    lr_decay=0.5,
    sampling="sobol",
    resample_every=3,
    rar=4,
    rar_points=5,
    rar_candidates=100,
    adaptive="annealing",
    adaptive_every=3,
    dtype="float64",
    progress=False,
    log_every=1,
)


def parameters(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


@pytest.mark.parametrize(
    "first, second",
    [
        ({"steps": 10}, {"steps": 20}),  # stop and go on in Adam
        ({"steps": 10, "lbfgs_steps": 2}, {"steps": 10, "lbfgs_steps": 4}),  # ... in L-BFGS
    ],
)
def test_resume_follows_the_uninterrupted_run(bar, tmp_path, first, second):
    straight = bar(seed=3)
    whole = straight.fit(**second, **OPTIONS, checkpoint_dir=tmp_path / "straight")

    interrupted = bar(seed=3)
    interrupted.fit(**first, **OPTIONS, checkpoint_dir=tmp_path / "parts", checkpoint_every=5)
    resumed = bar(seed=99)  # different initial weights: all come from the checkpoint
    rest = resumed.fit(**second, **OPTIONS, checkpoint_dir=tmp_path / "parts", resume=True)

    assert rest.resumed_from == str(tmp_path / "parts" / "checkpoint.pt")
    assert rest.final.loss == pytest.approx(whole.final.loss, rel=1e-6, abs=1e-12)
    assert torch.allclose(parameters(resumed), parameters(straight), rtol=0, atol=1e-6)
    assert rest.steps == whole.steps
    for mine, theirs in zip(rest.records, whole.records):
        assert mine.loss == pytest.approx(theirs.loss, rel=1e-6)
        assert mine.weights == pytest.approx(theirs.weights, rel=1e-6)


def test_checkpoint_contents(bar, tmp_path):
    model = bar()
    model.fit(steps=6, points=16, boundary_points=2, progress=False, checkpoint_dir=tmp_path)
    data = checkpoints.read(tmp_path / "checkpoint.pt")
    assert data["format"] == "pdec-checkpoint" and data["spec_sha256"] == bar.spec_sha256
    assert (data["adam_steps"], data["lbfgs_steps"], data["phase"]) == (6, 0, "adam")
    assert set(data["optimizers"]) == {"adam", "scheduler", "lbfgs"}
    assert set(data["points"]["base"]) == {"pde", "ends"}
    assert data["options"]["steps"] == 6 and data["history"]["records"]
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]  # no temporary left
    # a training checkpoint also loads as a model
    loaded = bar.load(tmp_path / "checkpoint.pt")
    assert torch.equal(parameters(loaded), parameters(model))


def test_resume_without_a_checkpoint_starts_afresh(bar, tmp_path):
    history = bar().fit(
        steps=3, points=16, boundary_points=2, progress=False, checkpoint_dir=tmp_path, resume=True
    )
    assert history.resumed_from is None and history.steps[-1] == 3


def test_resume_refuses_a_checkpoint_of_another_spec(bar, tmp_path):
    bar().fit(steps=2, points=16, boundary_points=2, progress=False, checkpoint_dir=tmp_path)

    class Edited(bar):
        spec_sha256 = "e" * 64

    with pytest.raises(CheckpointError, match="written for spec 'bar'"):
        Edited().fit(steps=4, progress=False, checkpoint_dir=tmp_path, resume=True)


def test_nan_stops_training_and_keeps_the_last_good_checkpoint(poisoned, tmp_path):
    model = poisoned()  # the pde residual turns NaN at its 7th evaluation: step 7
    with pytest.raises(TrainingDiverged) as caught:
        model.fit(
            steps=20,
            points=16,
            boundary_points=2,
            progress=False,
            checkpoint_dir=tmp_path,
            checkpoint_every=2,
        )
    error = caught.value
    path = tmp_path / "checkpoint.pt"
    assert (error.step, error.phase, error.terms, error.checkpoint) == (7, "adam", ("pde",), path)
    message = str(error)
    assert "step 7" in message and "non-finite loss in term pde" in message
    assert str(path) in message
    # the last good state: the start of step 6, the last step that completed (the
    # checkpoint written after step 6 holds the parameters whose loss is not finite)
    assert error.good_step == 5 and f"{path} (after step 5)" in message
    data = checkpoints.read(path)
    assert data["adam_steps"] == 5 and all(r["step"] <= 5 for r in data["history"]["records"])
    assert all(bool(torch.isfinite(v).all()) for v in data["state"].values())
    # the good checkpoint resumes, and the model diverges again at the same step
    resumed = poisoned()
    resumed.calls = 5
    with pytest.raises(TrainingDiverged, match="step 7"):
        resumed.fit(
            steps=20,
            points=16,
            boundary_points=2,
            progress=False,
            checkpoint_dir=tmp_path,
            resume=True,
        )


def test_the_last_good_state_is_kept_whatever_checkpoint_every_is(poisoned, tmp_path):
    """No checkpoint is due before step 1000, yet the run stops at step 7 with the state
    after step 5 on disk; a resume with a lower learning rate takes that rate."""
    with pytest.raises(TrainingDiverged) as caught:
        poisoned().fit(steps=20, points=16, boundary_points=2, lr=1e-2, checkpoint_dir=tmp_path)
    assert caught.value.checkpoint == tmp_path / "checkpoint.pt" and caught.value.good_step == 5
    data = checkpoints.read(tmp_path / "checkpoint.pt")
    assert data["adam_steps"] == 5 and data["options"]["lr"] == 1e-2
    resumed = poisoned()
    resumed.nan_from = 10**9  # healthy from here
    history = resumed.fit(
        steps=8, points=16, boundary_points=2, lr=1e-3, checkpoint_dir=tmp_path, resume=True
    )
    assert history.final.step == 8
    assert checkpoints.read(tmp_path / "checkpoint.pt")["optimizers"]["adam"]["param_groups"][0][
        "lr"
    ] == pytest.approx(1e-3)


def test_a_run_that_diverges_in_its_first_step_says_there_was_nothing_to_keep(poisoned, tmp_path):
    class First(poisoned):
        nan_from = 1

    with pytest.raises(TrainingDiverged, match="no step had completed") as caught:
        First().fit(steps=5, points=16, boundary_points=2, checkpoint_dir=tmp_path)
    assert caught.value.checkpoint is None


def test_nan_in_lbfgs_and_without_checkpoints(poisoned):
    class Late(poisoned):
        nan_from = 4  # 3 Adam steps, then inside the first L-BFGS step

    with pytest.raises(TrainingDiverged) as caught:
        Late().fit(steps=3, lbfgs_steps=2, points=16, boundary_points=2, progress=False)
    assert caught.value.phase == "lbfgs" and caught.value.step == 4
    assert caught.value.checkpoint is None and "no checkpoint was written" in str(caught.value)


def test_non_finite_gradient_names_the_term(bad_gradient):
    with pytest.raises(TrainingDiverged, match="step 1 .*non-finite gradient in term ends"):
        bad_gradient().fit(steps=3, points=16, boundary_points=2, progress=False)


def test_atomic_write_leaves_the_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "file.pt"
    checkpoints.write_atomic({"a": 1}, path)

    def failing_save(data, file):
        file.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", failing_save)
    with pytest.raises(CheckpointError, match="cannot write .*disk full"):
        checkpoints.write_atomic({"a": 2}, path)
    monkeypatch.undo()
    assert torch.load(path) == {"a": 1}
    assert os.listdir(tmp_path) == ["file.pt"]


def test_a_full_disk_is_a_checkpoint_error_and_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.pt"
    checkpoints.write_atomic({"a": 1}, path)

    def full(*_, **__):
        raise RuntimeError("PytorchStreamWriter failed writing file data/0: file write failed")

    monkeypatch.setattr(torch, "save", full)
    with pytest.raises(CheckpointError, match="cannot write .*file write failed.*unchanged"):
        checkpoints.write_atomic({"a": 2}, path)
    monkeypatch.undo()
    assert checkpoints.torch.load(path, weights_only=True) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]  # no temporary left
