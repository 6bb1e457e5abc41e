"""The graph neural operator on Darcy flow sampled at scattered points: trained at one
point density, evaluated at that density and at a four times denser one.

    OMP_NUM_THREADS=1 python -m benchmarks.gno_darcy              # appends RESULTS.md
    OMP_NUM_THREADS=1 python -m benchmarks.gno_darcy --epochs 1 --train 8 --test 4  # smoke

Data: ``pdec data``'s Darcy pairs (specs/darcy.pde: −∇·(a∇u) = 1 on the unit square,
u = 0 on its boundary, a piecewise constant; solved by finite volumes on ``--res``²),
each pair read at ``--points`` points drawn uniformly in the square — a at the
nearest grid node (it is piecewise constant), u by bilinear interpolation — fresh
points for every pair. The test pairs are read both at ``--points`` and at 4 ×
``--points`` points.

Model: :class:`~pdec.runtime.operator.gno.GraphNeuralOperator` (Li et al. 2020's graph
kernel network: kernel integration over the points within ``--radius``, mean
aggregation), Adam with the relative L2 loss. Error: relative L2 per pair, averaged
over the test pairs, as for the FNO benchmarks.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import torch
from scipy.interpolate import RegularGridInterpolator

import pdec
from pdec.reference.operator_data import generate_operator_data
from pdec.runtime.operator.gno import GraphNeuralOperator


def scattered(data, pairs: range, points: int, seed: int) -> tuple[torch.Tensor, ...]:
    """The ``pairs`` of ``data`` read at ``points`` uniform points each: x (pairs,
    points, 2), a and u (pairs, points, 1)."""
    rng = np.random.default_rng(seed)
    axes = tuple(np.asarray(c) for c in data.coordinates)
    xs, as_, us = [], [], []
    for k in pairs:
        x = rng.random((points, 2))
        a = RegularGridInterpolator(axes, data.inputs[k, 0], method="nearest")(x)
        u = RegularGridInterpolator(axes, data.outputs[k, 0], method="linear")(x)
        xs.append(x), as_.append(a[:, None]), us.append(u[:, None])
    return tuple(torch.as_tensor(np.stack(v), dtype=torch.float32) for v in (xs, as_, us))


def relative_l2(predicted: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """Per pair: ‖û − u‖ / ‖u‖ over the points."""
    return (predicted - truth).flatten(1).norm(dim=1) / truth.flatten(1).norm(dim=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=100)
    parser.add_argument("--test", type=int, default=40)
    parser.add_argument("--res", type=int, default=64, help="the finite-volume grid")
    parser.add_argument("--points", type=int, default=256, help="points per training pair")
    parser.add_argument("--radius", type=float, default=0.15)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--no-publish", action="store_true", help="print only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    began = time.perf_counter()
    data = generate_operator_data(pdec.load("specs/darcy.pde"), args.train + args.test, args.res)
    train = scattered(data, range(args.train), args.points, seed=1)
    held = range(args.train, args.train + args.test)
    tests = {n: scattered(data, held, n, seed=2) for n in (args.points, 4 * args.points)}
    model = GraphNeuralOperator(1, 1, 2, width=args.width, kernel_width=2 * args.width,
                                layers=4, radius=args.radius)  # fmt: skip
    shift, spread = train[1].mean(), train[1].std()  # a standardised
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs)
    start = time.perf_counter()
    for epoch in range(args.epochs):
        order = torch.randperm(args.train)
        total = 0.0
        for k in range(0, args.train, args.batch):
            chosen = order[k : k + args.batch]
            x, a, u = (t[chosen] for t in train)
            loss = relative_l2(model(x, (a - shift) / spread), u).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss) * len(chosen)
        schedule.step()
        print(f"epoch {epoch + 1}: train relative L2 {total / args.train:.4f}", flush=True)
    seconds = time.perf_counter() - start
    errors = {}
    with torch.no_grad():  # a pair at a time: the kernel's matrices grow with the points
        for n, (x, a, u) in tests.items():
            each = [relative_l2(model(x[k : k + 1], (a[k : k + 1] - shift) / spread), u[k : k + 1])
                    for k in range(len(x))]  # fmt: skip
            errors[n] = float(torch.cat(each).mean())
    memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = table(args, errors, seconds, memory, time.perf_counter() - began)
    if args.epochs >= 20 and not args.no_publish:
        from benchmarks.results import publish

        publish(text)
    else:
        print(text)


def table(args, errors: dict, seconds: float, memory: float, wall: float) -> str:
    dense = 4 * args.points
    lines = [
        "## Operator: GNO on Darcy at scattered points (graph kernel network)",
        "",
        f"`OMP_NUM_THREADS=1 python -m benchmarks.gno_darcy` — specs/darcy.pde pairs "
        f"solved on {args.res}², read at random points: {args.train} training pairs at "
        f"{args.points} points, {args.test} test pairs at {args.points} and {dense}; "
        f"radius {args.radius}, width {args.width}, 4 kernel integrations, {args.epochs} "
        f"epochs of Adam (lr {args.lr:g}, cosine, batch {args.batch}), float32, one CPU "
        f"thread; wall time {wall / 60:.1f} min.",
        "",
        f"| test relative L2 at {args.points} points | at {dense} points | ratio "
        "| train s / epoch | peak RSS MB |",
        "|---|---|---|---|---|",
        f"| {errors[args.points]:.3e} | {errors[dense]:.3e} | "
        f"{errors[dense] / errors[args.points]:.2f} | {seconds / args.epochs:.1f} | "
        f"{memory:.0f} |",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
