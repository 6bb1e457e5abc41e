"""Every way a hostile new user broke the command line (issue 14), as one table: the
command, the exit code (2: the user's to fix, 4: training diverged; never 3, a bug) and
what the message says first and how to fix it. No traceback reaches the user."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
SMALL = ["--set", "points=64", "--set", "boundary_points=16", "--set", "layers=2x16"]


@pytest.fixture(scope="module")
def place(tmp_path_factory, pdec) -> Path:
    """A folder with a trained checkpoint, broken files, and edited specs."""
    folder = tmp_path_factory.mktemp("errors")
    trained = pdec("train", SPECS / "poisson.pde", "--steps", "2", *SMALL, "-o", folder / "run")
    assert trained.returncode == 0, trained.stderr
    checkpoint = folder / "run" / "checkpoints" / "checkpoint.pt"
    (folder / "truncated.pt").write_bytes(checkpoint.read_bytes()[:1000])
    (folder / "garbage.pt").write_text("not a checkpoint\n")
    (folder / "empty.csv").write_text("")
    (folder / "header.csv").write_text("t,x,u\n")
    (folder / "a_file").write_text("")
    inverse = (SPECS / "burgers_inverse.pde").read_text()
    for name in ("empty", "header"):
        edited = inverse.replace("data/burgers_observations.csv", str(folder / f"{name}.csv"))
        (folder / f"inverse_{name}.pde").write_text(edited)
    poisson = (SPECS / "poisson.pde").read_text()
    (folder / "huge_lr.pde").write_text(poisson + "train: lr = 1e999\n")
    return folder


RUN = "{place}/run"
CHECKPOINT = "{place}/run/checkpoints/checkpoint.pt"
POISSON = str(SPECS / "poisson.pde")
CASES = {
    "device not here": (
        ["train", POISSON, "--steps", "1", "--set", "device=cuda", "-o", "{place}/d"],
        2, "torch sees no CUDA device here",
    ),
    "three-part layers": (
        ["train", POISSON, "--steps", "1", "--set", "layers=8x40x3", "-o", "{place}/l"],
        2, "Tuple should have at most 2 items",
    ),
    "huge seed": (
        ["train", POISSON, "--steps", "1", "--set", f"seed={10**23}", "-o", "{place}/s"],
        2, "a seed is a 64-bit integer",
    ),
    "empty data file": (
        ["train", "{place}/inverse_empty.pde", "--steps", "1", *SMALL, "-o", "{place}/e"],
        2, "empty.csv is empty",
    ),
    "data file without rows": (
        ["train", "{place}/inverse_header.pde", "--steps", "1", *SMALL, "-o", "{place}/h"],
        2, "header.csv has a header but no rows",
    ),
    "resume with other layers": (
        ["train", POISSON, "--steps", "3", *SMALL, "--set", "layers=2x10", "-o", RUN, "--resume"],
        2, "was written for layers 2×16; this model has 2×10: start without --resume, or pass "
        "--set layers=2x16",
    ),
    "eval against an empty file": (
        ["eval", POISSON, "-c", CHECKPOINT, "--reference", "{place}/empty.csv"],
        2, "empty.csv is empty",
    ),
    "truncated checkpoint": (
        ["eval", POISSON, "-c", "{place}/truncated.pt"], 2, "is not a readable pdec checkpoint",
    ),
    "not a checkpoint": (
        ["eval", POISSON, "-c", "{place}/garbage.pt"], 2, "is not a readable pdec checkpoint",
    ),
    "checkpoint of another spec": (
        ["eval", str(SPECS / "heat.pde"), "-c", CHECKPOINT], 2, "was written for spec 'poisson'",
    ),
    "output folder under /proc": (
        ["train", POISSON, "--steps", "1", "-o", "/proc/pdec_run"], 2,
        "cannot write to /proc/pdec_run",
    ),
    "output folder is a file": (
        ["train", POISSON, "--steps", "1", "-o", "{place}/a_file"], 2,
        "a file is in the way of a folder there",
    ),
    "output folder below a file": (
        ["train", POISSON, "--steps", "1", "-o", "{place}/a_file/run"], 2,
        "a file is in the way of a folder there",
    ),
    "data written over a device": (
        ["data", str(SPECS / "darcy.pde"), "--n", "1", "--res", "9", "-o", "/dev/null"], 2,
        "/dev/null is not a regular file",
    ),
    "a learning rate of 1e999": (
        ["check", "{place}/huge_lr.pde"], 2, "huge_lr.pde:8:8: error: the training hint lr = inf "
        "is not a finite number",
    ),
    "training diverges": (
        ["train", str(SPECS / "burgers.pde"), "--steps", "30", "--set", "lr=1e20",
         "-o", "{place}/diverged"],
        4, "training diverged at step 2 (adam): non-finite loss in terms start, walls; the last "
        "good checkpoint is",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_every_user_error_is_one_clear_line_and_its_exit_code(pdec, place, case):
    arguments, code, says = CASES[case]
    if case == "device not here" and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    result = pdec(*(str(a).replace("{place}", str(place)) for a in arguments), columns=200)
    said = " ".join(result.stderr.replace(str(place), "{place}").split())
    assert result.returncode == code, result.stderr
    assert says.replace("{place}", str(place)) in " ".join(result.stderr.split()), said
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    first = result.stderr.lstrip().splitlines()[0]
    assert first.startswith(("error", "training stopped", str(place), "/", "huge_lr")), first
