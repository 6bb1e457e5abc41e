"""Speed, second opinion: pdec's generated Burgers PINN and the hand-written one timed
in one process, interleaved round by round.

    python -m benchmarks.speed_burgers_inprocess [--rounds 5] [--steps 100] [--threads 1]

benchmarks/speed_burgers.py runs each trainer in its own process (for peak memory, and
DeepXDE); this script times the two PyTorch trainers side by side in one process, so
that the interpreter, allocator and thread pool are shared. Each round: a fresh model
trained by ``fit`` for ``steps`` Adam steps (the whole call: set-up, point drawing,
the steps and the final loss), then ``steps`` steps of the hand-written PINN on the
same points. Prints ms per step (median over rounds) and the ratio, and appends the
table to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

import torch

import pdec
from benchmarks.handwritten.burgers_pinn import BurgersPinn, Points, train_step
from benchmarks.results import publish
from pdec.runtime.options import TrainOptions
from pdec.runtime.training import _Run

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--points", type=int, default=10000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    out = Path(tempfile.mkdtemp(prefix="pdec-speed-"))
    Model = pdec.compile(ROOT / "specs" / "burgers.pde", target="pinn", out_dir=out)
    options = dict(points=args.points, boundary_points=500, progress=False, lbfgs_steps=0)

    # the hand-written PINN gets pdec's first points and initial weights
    first = Model(layers="8x20", seed=0)
    batch = _Run(first, TrainOptions(steps=1, **options)).batch()
    points = Points.from_arrays(
        *[(batch[k]["t"].detach(), batch[k]["x"].detach()) for k in ("momentum", "start", "walls")]
    )
    hand = BurgersPinn(8, 20)
    hand.network.load_state_dict(first.network.state_dict())
    optimizer = torch.optim.Adam(hand.parameters(), lr=1e-3)

    generated, handwritten = [], []
    for _ in range(args.rounds):
        model = Model(layers="8x20", seed=0)
        start = time.perf_counter()
        model.fit(steps=args.steps, **options)
        generated.append(1000 * (time.perf_counter() - start) / args.steps)
        train_step(hand, optimizer, points)  # warm
        start = time.perf_counter()
        for _ in range(args.steps):
            train_step(hand, optimizer, points)
        handwritten.append(1000 * (time.perf_counter() - start) / args.steps)
    g, h = statistics.median(generated), statistics.median(handwritten)
    rounds = ", ".join(f"{a:.1f}/{b:.1f}" for a, b in zip(generated, handwritten))
    publish(
        f"### Speed, in one process: Burgers PINN — {time.strftime('%Y-%m-%d')}, "
        f"{platform.machine()}, torch {torch.__version__}, {args.threads} thread(s), CPU\n\n"
        f"`python -m benchmarks.speed_burgers_inprocess --rounds {args.rounds} --steps "
        f"{args.steps} --points {args.points} --threads {args.threads}` (8×20 tanh, "
        f"{args.points} interior + 500 + 500 points, float32, Adam; pdec timed over its whole "
        "`fit` call)\n\n"
        "| trainer | ms / step (median) | × hand-written |\n|---|---|---|\n"
        f"| generated (pdec, `fit`) | {g:.1f} | {g / h:.3f} |\n"
        f"| hand-written PyTorch | {h:.1f} | 1.000 |\n\n"
        f"Rounds (generated/hand-written ms): {rounds}.\n"
    )


if __name__ == "__main__":
    main()
