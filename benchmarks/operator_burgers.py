"""Burgers on a ring with the operator target: the generated BurgersRingOperator (FNO)
learns u(0, ·) ↦ u(1, ·) for ν = 0.1 (specs/burgers_ring.pde, the FNO paper's setting),
trained with ``fit`` — the loop ``pdec train --target operator`` runs — on pairs from
`pdec data`, and judged by the relative L2 error on held-out pairs at the training
resolution and at eval-res (the same initial states, solved on the finer grid).

    python -m benchmarks.operator_burgers [--train 1000] [--test 100] [--res 256]
        [--eval-res 1024] [--epochs 150] [--width 64] [--modes 16] [--batch 20]
        [--lr 1e-3] [--threads 1] [--no-publish]

The defaults are Li et al.'s (ICLR 2021) architecture and optimiser — width 64, 16
modes, 4 Fourier layers, Adam at 1e-3 with weight decay 1e-4 halved every fifth of the
run, batch 20, 1000 training pairs — with fewer epochs (150 rather than 500) and
training at 256 points rather than 1024, so that data and training take about ten
minutes on one CPU thread: the reference solver (ETDRK4 with 2/3-rule dealiasing, on a
grid twice as fine as the output) costs about 0.15 s a pair at 256 points and 0.55 s at
1024, and training at 1024 points four times as long per epoch as at 256. The initial
states have the modes |k| < 64 only, so the 256-point inputs are the 1024-point ones
sampled, and evaluating at 1024 tests the same model on the same states. The issue's
target is a relative L2 ≤ 1e-2; the paper reports 1.6e-3 at 1024 points after 500
epochs.
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
TARGET = 1e-2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (
        ("train", 1000),
        ("test", 100),
        ("res", 256),
        ("eval-res", 1024),
        ("epochs", 150),
        ("width", 64),
        ("modes", 16),
        ("batch", 20),
        ("threads", 1),
    ):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--no-publish", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()

    spec = pdec.load(ROOT / "specs" / "burgers_ring.pde")
    train = generate_operator_data(spec, args.train, args.res, seed=0)
    test = generate_operator_data(spec, args.test, args.res, seed=1)
    fine = generate_operator_data(spec, args.test, args.eval_res, seed=1) if args.eval_res else None
    data_seconds = time.perf_counter() - start

    Model = pdec.compile(spec, target="operator", out_dir=tempfile.mkdtemp())
    model = Model(modes=args.modes, width=args.width, seed=0)
    tic = time.perf_counter()
    history = model.fit(
        train.inputs,
        train.outputs,
        epochs=args.epochs,
        batch_size=args.batch,
        lr=args.lr,
        callback=lambda record: _progress(record, args.epochs),
    )
    train_seconds = time.perf_counter() - tic
    errors = {
        "train": model.evaluate(train.inputs, train.outputs),
        "test": model.evaluate(test.inputs, test.outputs),
        "fine": model.evaluate(fine.inputs, fine.outputs) if fine else None,
    }
    wall = time.perf_counter() - start
    per_epoch = statistics.median(history.durations)
    best = min(e for e in (errors["test"], errors["fine"]) if e is not None)
    worst = max(e for e in (errors["test"], errors["fine"]) if e is not None)
    verdict = (
        f"met at both resolutions ({worst:.1e} ≤ {TARGET:.0e})"
        if worst <= TARGET
        else f"not met: {worst:.1e} is {worst / TARGET:.1f}× the target"
        if best > TARGET
        else f"met at one resolution only (worst {worst:.1e})"
    )
    command = (
        f"`python -m benchmarks.operator_burgers --train {args.train} --test {args.test} "
        f"--res {args.res} --eval-res {args.eval_res} --epochs {args.epochs} --width "
        f"{args.width} --modes {args.modes} --batch {args.batch} --lr {args.lr:g} "
        f"--threads {args.threads}`"
    )
    fine_column = f"{errors['fine']:.3e}" if fine else "–"
    table = "\n".join(
        [
            f"### Burgers operator (FNO, ν = 0.1) — {time.strftime('%Y-%m-%d')}, torch "
            f"{torch.__version__}, cpu ({platform.machine()}), {args.threads} thread(s)",
            "",
            f"{command} — data {data_seconds:.0f} s, training {train_seconds:.0f} s, total "
            f"wall {wall:.0f} s. u(0, ·) ↦ u(1, ·) from specs/burgers_ring.pde, trained with "
            f"the generated model's `fit` at {args.res} points; relative L2 is the mean over "
            f"the {args.train} training pairs and the {args.test} held-out pairs, at "
            f"{args.res} points and at {args.eval_res} (the same initial states solved on the "
            f"finer grid). Issue target ≤ {TARGET:.0e}: {verdict}.",
            "",
            f"| model | parameters | epochs | rel. L2 train | rel. L2 test {args.res} | "
            f"rel. L2 test {args.eval_res} | s / epoch |",
            "|---|---|---|---|---|---|---|",
            f"| pdec BurgersRingOperator | {sum(p.numel() for p in model.parameters()):,} | "
            f"{args.epochs} | {errors['train']:.3e} | {errors['test']:.3e} | {fine_column} | "
            f"{per_epoch:.2f} |",
        ]
    )
    if args.no_publish:
        print(table)
    else:
        publish(table)


def _progress(record: dict, epochs: int) -> None:
    if record["epoch"] % max(1, epochs // 10) == 0:
        print(f"epoch {record['epoch']}: training loss {record['data']:.3e}", flush=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
