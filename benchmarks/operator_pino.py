"""PINO against FNO with few training pairs, on Darcy flow (specs/darcy.pde): the generated
DarcyOperator trained with ``fit`` — the loop ``pdec train --target operator`` runs — on
the same pairs, for the same epochs, from the same initial weights, once with the data
loss alone (FNO, physics 0) and once with ``physics`` × the generated grid residual
−div(a ∇u) − 1 added (PINO), with each of the residual's derivative options; the last row
adds the residual on further inputs that have no solutions (PINO's unlabelled inputs).

    python -m benchmarks.operator_pino [--train 100] [--unlabelled 400] [--test 100]
        [--res 64] [--epochs 60] [--width 32] [--modes 12] [--physics 0.1]
        [--threads 1] [--no-publish]

Darcy rather than Burgers: the Burgers operator maps u(0, ·) to u(1, ·), with no time
axis on its output grid, so its generated model has no residual (data only). The table
also gives the physics loss (mean squared residual at the interior points) of the true
solutions and of u = 0: a residual whose value at the truth is not far below its value
at 0 cannot pull the model towards the truth.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

import pdec
from benchmarks.results import publish
from pdec.reference.operator_data import generate_operator_data

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (
        ("train", 100),
        ("unlabelled", 400),
        ("test", 100),
        ("res", 64),
        ("epochs", 60),
        ("width", 32),
        ("modes", 12),
        ("batch", 20),
        ("threads", 1),
    ):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--physics", type=float, default=0.1)
    parser.add_argument("--no-publish", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()

    spec = pdec.load(ROOT / "specs" / "darcy.pde")
    train = generate_operator_data(spec, args.train, args.res, seed=0)
    test = generate_operator_data(spec, args.test, args.res, seed=1)
    # inputs only: their solutions are computed by the generator but never used
    unlabelled = generate_operator_data(spec, args.unlabelled, args.res, seed=2).inputs
    data_seconds = time.perf_counter() - start
    Model = pdec.compile(spec, target="operator", out_dir=tempfile.mkdtemp())

    runs = [
        ("FNO (data only)", 0.0, "default", False),
        ("PINO, finite differences", args.physics, "default", False),
        ("PINO, mollifier", args.physics, "mollifier", False),
    ]
    if args.unlabelled:
        runs.append((f"PINO, mollifier, + {args.unlabelled} unlabelled", args.physics,
                     "mollifier", True))  # fmt: skip
    rows = []
    for label, physics, derivatives, extra in runs:
        model = Model(modes=args.modes, width=args.width, derivatives=derivatives, seed=0)
        history = model.fit(
            train.inputs,
            train.outputs,
            epochs=args.epochs,
            batch_size=args.batch,
            physics=physics,
            physics_inputs=unlabelled if extra else None,
        )
        truth, zero = _physics_losses(model, test)
        errors = [model.evaluate(d.inputs, d.outputs) for d in (train, test)]
        seconds = statistics.median(history.durations)
        rows.append(
            f"| {label} | {physics:g} | {derivatives} | {errors[0]:.3e} | {errors[1]:.3e} | "
            f"{truth:.3g} / {zero:.3g} | {seconds:.2f} |"
        )
        print(rows[-1], flush=True)
    wall = time.perf_counter() - start
    command = (
        f"`python -m benchmarks.operator_pino --train {args.train} --unlabelled "
        f"{args.unlabelled} --test {args.test} --res {args.res} --epochs {args.epochs} "
        f"--width {args.width} --modes {args.modes} --batch {args.batch} --physics "
        f"{args.physics:g} --threads {args.threads}`"
    )
    table = "\n".join(
        [
            f"### PINO vs FNO, Darcy, {args.train} training pairs — {time.strftime('%Y-%m-%d')}, "
            f"torch {torch.__version__}, cpu ({platform.machine()}), {args.threads} thread(s)",
            "",
            f"{command} — data {data_seconds:.0f} s, total wall {wall:.0f} s. The same "
            f"{args.train} pairs at {args.res}², {args.epochs} epochs and initial weights in "
            f"every row; relative L2 is the mean over the training pairs and {args.test} "
            "held-out pairs. Physics loss: the mean squared residual of the true held-out "
            "solutions / of u = 0, with the row's derivatives.",
            "",
            "| model | physics weight | derivatives | rel. L2 train | rel. L2 test | "
            "physics loss truth / zero | s / epoch |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    if args.no_publish:
        print(table)
    else:
        publish(table)


@torch.no_grad()
def _physics_losses(model, data) -> tuple[float, float]:
    a, u = model._tensor(data.inputs), model._tensor(data.outputs)
    return float(model.physics_loss(a, u)), float(model.physics_loss(a, torch.zeros_like(u)))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
