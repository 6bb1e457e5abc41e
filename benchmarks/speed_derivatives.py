"""Benchmark: how the generated residuals differentiate the network, per Adam step.

    python -m benchmarks.speed_derivatives [--steps 20] [--repeats 5] [--threads 1]
                                           [--specs burgers fault kdv_soliton plate] [--no-publish]

For each spec, one generated model (float32, the spec's network or the size below) on
one fixed batch, trained with Adam in three ways, in one process, rounds interleaved:

* **autograd**: ``derivatives="autograd"`` — nested ``torch.autograd.grad``, a double
  backward in training (what a hand-written PINN does);
* **jets**: the default — derivatives pushed forward with the values
  (:mod:`pdec.runtime.jets`), one backward pass;
* **jets + torch.compile**: the same residuals through ``torch.compile``, checked
  against eager mode by :class:`pdec.runtime.losses.LossTerms` first (the row says
  so if it fell back). Compile time is reported apart.

Median ms / step over the rounds and its ratio to the autograd row. Prints the table
and appends it to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import statistics
import time
from pathlib import Path

import torch

import pdec
from benchmarks.results import publish
from pdec.runtime.losses import LossTerms, total_loss

ROOT = Path(__file__).resolve().parents[1]
# spec: (layers, interior points, points per condition)
OUT = ROOT / "runs" / "benchmarks" / "derivatives"
CASES = {
    "burgers": ((8, 20), 10000, 500),  # orders 1 and 2
    "fault": ((8, 40), 2000, 500),  # order 2 through a coordinate map, lifted
    "kdv_soliton": ((4, 40), 4000, 500),  # order 3
    "plate": ((4, 40), 2000, 500),  # order 4, mixed (Δ²u)
}


class Trainer:
    """One way of training ``model`` on ``batch``."""

    def __init__(self, model, batch, derivatives: str, compile: bool):
        self.model, self.batch, self.derivatives = model, batch, derivatives
        self.parameters = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.Adam(self.parameters, lr=1e-3)
        self.compile_seconds = None
        with self.mode():
            self.terms = LossTerms(model, compile)
            if compile:
                start = time.perf_counter()
                self.terms.trial(batch, self.parameters)
                self.compile_seconds = time.perf_counter() - start
        self.fell_back = compile and not self.terms.compiled

    @contextlib.contextmanager
    def mode(self):
        """The model's ``derivatives`` option set to this trainer's, for a while."""
        saved = self.model.config["derivatives"]
        self.model.config["derivatives"] = self.derivatives
        try:
            yield
        finally:
            self.model.config["derivatives"] = saved

    def seconds_per_step(self, steps: int) -> float:
        with self.mode():
            self.step()
            start = time.perf_counter()
            for _ in range(steps):
                self.step()
            return (time.perf_counter() - start) / steps

    def step(self) -> None:
        total = total_loss(self.terms(self.batch), dict.fromkeys(self.model.residual_names, 1.0))
        self.optimizer.zero_grad(set_to_none=True)
        total.backward()
        self.optimizer.step()


def run_case(spec: str, steps: int, repeats: int, log=print) -> list[dict]:
    layers, interior, per_condition = CASES[spec]
    Model = pdec.compile(ROOT / "specs" / f"{spec}.pde", target="pinn", out_dir=OUT)
    generator = torch.Generator().manual_seed(0)
    rows = []
    trainers = {}
    for name, derivatives, compile in (
        ("autograd", "autograd", False),
        ("jets", "auto", False),
        ("jets + torch.compile", "auto", True),
    ):
        model = Model(layers=layers, seed=0, device="cpu", dtype="float32")
        samplers, interior_terms = model.samplers(), set(model.pde_terms())
        generator.manual_seed(0)
        batch = {  # in the model's precision, as fit gives them
            term: {
                name: values.float()
                for name, values in samplers[term]
                .sample(interior if term in interior_terms else per_condition, generator, "uniform")
                .items()
            }
            for term in model.residual_names
        }
        log(f"{spec}: building {name} ...")
        trainers[name] = Trainer(model, batch, derivatives, compile)
    seconds = {name: [] for name in trainers}
    for trainer in trainers.values():
        trainer.seconds_per_step(3)  # warm up
    for repeat in range(repeats):
        for name, trainer in trainers.items():
            seconds[name].append(trainer.seconds_per_step(steps))
        log(
            f"{spec} round {repeat + 1}/{repeats}: "
            + ", ".join(f"{n} {1e3 * s[-1]:.1f} ms" for n, s in seconds.items())
        )
    base = statistics.median(seconds["autograd"])
    for name, trainer in trainers.items():
        median = statistics.median(seconds[name])
        rows.append(
            {
                "spec": spec,
                "layers": layers,
                "points": sum(len(next(iter(v.values()))) for v in trainer.batch.values()),
                "mode": name + (" (fell back to eager)" if trainer.fell_back else ""),
                "ms": 1e3 * median,
                "min_ms": 1e3 * min(seconds[name]),
                "ratio": median / base,
                "compile_s": trainer.compile_seconds,
            }
        )
    return rows


def table(rows: list[dict], command: str, threads: int) -> str:
    machine = platform.processor() or platform.machine()
    lines = [
        f"### Speed: derivatives in generated residuals — {time.strftime('%Y-%m-%d')}, "
        f"{machine}, torch {torch.__version__}, {threads} thread(s), CPU\n",
        f"`{command}`\n",
        "One generated model per row (float32, the same initial weights and one fixed "
        "batch per spec), Adam lr 1e-3, rounds interleaved in one process; median and "
        "minimum ms per step over the rounds, ratio of medians to nested autograd "
        "(< 1: faster). Compile time: `torch.compile` plus the check against eager mode, "
        "once (inductor keeps compiled kernels in an on-disk cache: a first compile on a "
        "fresh machine takes longer, 10–60 s on this one).\n",
        "| spec | network | points | derivatives | ms / step (median) | ms / step (min) "
        "| × autograd | compile s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        compile_s = "—" if row["compile_s"] is None else f"{row['compile_s']:.0f}"
        lines.append(
            f"| {row['spec']} | {row['layers'][0]}×{row['layers'][1]} tanh | {row['points']} | "
            f"{row['mode']} | {row['ms']:.1f} | {row['min_ms']:.1f} | {row['ratio']:.2f} | "
            f"{compile_s} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed Adam steps per round")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--specs", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--no-publish", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = [row for spec in args.specs for row in run_case(spec, args.steps, args.repeats)]
    command = (
        f"python -m benchmarks.speed_derivatives --steps {args.steps} --repeats {args.repeats} "
        f"--threads {args.threads} --specs {' '.join(args.specs)}"
    )
    text = table(rows, command, args.threads)
    if args.no_publish:
        print(text)
    else:
        publish(text)


if __name__ == "__main__":
    main()
