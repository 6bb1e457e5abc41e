"""The graph neural operator on Darcy flow sampled at scattered points: trained at one
point density, evaluated at that density and at a four times denser one.

    OMP_NUM_THREADS=1 python -m benchmarks.gno_darcy              # appends RESULTS.md
    OMP_NUM_THREADS=1 python -m benchmarks.gno_darcy --epochs 1 --train 8 --test 4  # smoke

What runs is what a user gets: the operator target's generated ``DarcyOperator`` with
``architecture="gno"``, trained by its ``fit``, on the data ``pdec data specs/darcy.pde
--res R --points P`` writes (:func:`pdec.reference.operator_data.at_points`): Darcy
pairs (−∇·(a∇u) = 1 on the unit square, u = 0 on its boundary, a piecewise constant)
solved by finite volumes on ``--res``², each read at ``--points`` points drawn
uniformly in the square — a at the nearest node, u bilinearly — fresh points for every
pair. The test pairs are read at ``--points`` and at 4 × ``--points`` points.

Model: Li et al. 2020's graph kernel network — kernel integration over the points within
``--radius``, one kernel shared by the ``--layers`` integrations, mean aggregation —
with the spec's u = 0 built into the output. Adam on the relative L2 loss, cosine
schedule. Error: relative L2 per pair, averaged over the test pairs, as for the FNO.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time

import torch

import pdec
from pdec.reference.operator_data import at_points, generate_operator_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=100)
    parser.add_argument("--test", type=int, default=40)
    parser.add_argument("--res", type=int, default=64, help="the finite-volume grid")
    parser.add_argument("--points", type=int, default=256, help="points per training pair")
    parser.add_argument("--radius", type=float, default=0.15)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--kernel-width", type=int, default=64)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--max-neighbours", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--no-publish", action="store_true", help="print only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    began = time.perf_counter()
    spec = pdec.load("specs/darcy.pde")
    data = generate_operator_data(spec, args.train + args.test, args.res)
    train = at_points(data.subset(slice(0, args.train)), args.points, seed=1)
    held = data.subset(slice(args.train, args.train + args.test))
    tests = {n: at_points(held, n, seed=2) for n in (args.points, 4 * args.points)}
    Model = pdec.compile(spec, target="operator", out_dir=tempfile.mkdtemp())
    model = Model(architecture="gno", radius=args.radius, width=args.width,
                  kernel_width=args.kernel_width, layers=args.layers,
                  max_neighbours=args.max_neighbours)  # fmt: skip
    history = model.fit(
        train.inputs, train.outputs, points=train.points, epochs=args.epochs,
        batch_size=args.batch, lr=args.lr, schedule="cosine", weight_decay=0.0,
        callback=lambda r: print(f"epoch {r['epoch'] + 1}: train {r['data']:.4f}", flush=True),
    )  # fmt: skip
    seconds = history.records[-1].seconds
    train_error = model.evaluate(train.inputs, train.outputs, batch_size=4, points=train.points)
    errors = {
        n: model.evaluate(d.inputs, d.outputs, batch_size=1, points=d.points)
        for n, d in tests.items()
    }
    memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall = time.perf_counter() - began
    text = table(args, train_error, errors, seconds, memory, wall)
    if args.epochs >= 20 and not args.no_publish:
        from benchmarks.results import publish

        publish(text)
    else:
        print(text)


def table(args, train_error: float, errors: dict, seconds: float, memory, wall) -> str:
    dense = 4 * args.points
    lines = [
        "## Operator: GNO on Darcy at scattered points (graph kernel network)",
        "",
        f"`OMP_NUM_THREADS=1 python -m benchmarks.gno_darcy --radius {args.radius} "
        f"--width {args.width} --kernel-width {args.kernel_width} --layers {args.layers} "
        f"--max-neighbours {args.max_neighbours} --epochs {args.epochs}` — the generated "
        "DarcyOperator with architecture=gno; "
        f"specs/darcy.pde pairs solved on {args.res}², read at random points: {args.train} "
        f"training pairs at {args.points} points, {args.test} test pairs at {args.points} "
        f"and {dense}; Adam (lr {args.lr:g}, cosine, batch {args.batch}), float32, one CPU "
        f"thread; wall time {wall / 60:.1f} min.",
        "",
        f"| train relative L2 | test at {args.points} points | at {dense} points | ratio "
        "| train s / epoch | peak RSS MB |",
        "|---|---|---|---|---|---|",
        f"| {train_error:.3e} | {errors[args.points]:.3e} | {errors[dense]:.3e} | "
        f"{errors[dense] / errors[args.points]:.2f} | {seconds / args.epochs:.1f} | "
        f"{memory:.0f} |",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
