"""``pdec train --nproc N``: the same run as ``torchrun --standalone --nproc-per-node N
-m pdec train ...``, started through PyTorch's own launcher (``torch.distributed.run``),
with its failures turned into pdec's exit codes.

torchrun stops every rank when one fails. What it reports is mapped so that a script
can tell the cases apart: 4 when the run diverged (every rank stops together, and rank
0 says where the last good checkpoint is), else 2 when a rank stopped on a user error
(bad options, a missing file), else 4 with one line naming the rank that failed in
another way (the other ranks were stopped; the last good checkpoint is kept). A rank
the agent stopped with a signal after another failed is not the cause.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from rich.text import Text

from pdec.cli.output import console

USER_ERROR, STOPPED = 2, 4


def train_arguments(
    *,
    file: Path,
    target: str,
    steps: int | None,
    epochs: int | None,
    data: Path | None,
    mode: str | None,
    sets: list[str] | None,
    out: Path | None,
    resume: bool,
    coords: str | None,
    cut: str | None,
) -> list[str]:
    """The arguments of ``pdec train`` that each rank runs: the flags as given, without
    ``--nproc``."""
    arguments = ["train", str(file), "--target", target]
    for flag, value in (
        ("--mode", mode),
        ("--steps", steps),
        ("--epochs", epochs),
        ("--data", data),
        ("--out", out),
        ("--coords", coords),
        ("--cut", cut),
    ):
        if value is not None:
            arguments += [flag, str(value)]
    for item in sets or []:
        arguments += ["--set", item]
    if resume:
        arguments.append("--resume")
    return arguments


def launch(nproc: int, arguments: list[str]) -> int:
    """Run ``python -m pdec ARGUMENTS`` on ``nproc`` local processes under torchrun's
    agent; the exit code (see the module docstring)."""
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import get_args_parser, run

    parsed = get_args_parser().parse_args(
        ["--standalone", f"--nproc-per-node={nproc}", "--module", "pdec", *arguments]
    )
    # torchrun gives each process 1 thread; the machine's cores shared out use them all
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // nproc)))
    # the agent's INFO lines (rendezvous, worker groups) are for debugging torchrun
    logging.getLogger("torch.distributed.elastic").setLevel(logging.WARNING)
    try:
        run(parsed)
    except ChildFailedError as failed:
        codes = {rank: failure.exitcode for rank, failure in failed.failures.items()}
        for code in (STOPPED, USER_ERROR):  # said by the ranks themselves
            if code in codes.values():
                return code
        # the rank that exited by itself, not one the agent stopped with a signal after it
        exited = [rank for rank, code in codes.items() if code >= 0]
        rank = min(exited) if exited else failed.get_first_failure()[0]
        code = codes[rank]
        reason = f"exit code {code}" if code >= 0 else f"signal {-code}"
        console(stderr=True).print(
            Text(
                f"training stopped: rank {rank} of {nproc} failed ({reason}); the other "
                "ranks were stopped, and the last good checkpoint in the run folder is kept",
                style="bold red",
            )
        )
        return STOPPED
    return 0


__all__ = ["launch", "train_arguments"]
