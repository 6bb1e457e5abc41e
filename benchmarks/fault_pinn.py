"""Benchmark: the fault PINN (Okazaki et al. 2022) against exact and reference solutions.

    python -m benchmarks.fault_pinn [--case fault|fault_layered ...] [--cut lift|residual]
                                    [--steps N] [--lbfgs-steps M] [--threads T]

Each spec is compiled and trained with its own `train:` hints (fault: 2000 Adam + 100
L-BFGS; fault_layered: 4000 Adam, lr halved every 1000, + 200 L-BFGS) unless --steps /
--lbfgs-steps say otherwise; ``--cut residual`` trains the paper's form (an (r, θ)
network, slip and traction as loss terms) instead of the default lift.

Trains `specs/fault.pde` (homogeneous μ; compared with the closed form) and
`specs/fault_layered.pde` (μ = 1 + 0.5 tanh(−y − 2); compared with the finite-volume
reference of benchmarks/reference/fault_fd.py at n = 400, itself 1.8e-5 from the closed
form in the homogeneous case). Prints a table and appends it to benchmarks/RESULTS.md.
Targets (issue 3): relative L2 ≤ 1e-2 (homogeneous) and ≤ 2e-2 (layered).
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch

import pdec
from benchmarks.reference.fault_fd import closed_form, solve_fault
from benchmarks.results import publish

ROOT = Path(__file__).resolve().parents[1]


def relative_l2(model, reference, n: int = 200, seed: int = 0) -> float:
    """||u − u_ref|| / ||u_ref|| on a uniform random sample of the crust."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-10, 10, n * n)
    y = rng.uniform(-10, 0, n * n)
    x[x == 0] = 1e-9
    u = model.predict(x=x, y=y)["u"]
    exact = reference(x, y)
    return float(np.linalg.norm(u - exact) / np.linalg.norm(exact))


def run_case(name: str, reference, steps, lbfgs_steps, cut: str, out: Path) -> dict:
    Model = pdec.compile(ROOT / "specs" / f"{name}.pde", target="pinn", out_dir=out / name, cut=cut)
    model = Model(seed=0)
    given = {"steps": steps, "lbfgs_steps": lbfgs_steps}
    given = {key: value for key, value in given.items() if value is not None}
    start = time.perf_counter()
    history = model.fit(progress=False, checkpoint_dir=None, **given).to_dict()
    seconds = time.perf_counter() - start
    adam = [r for r in history["records"] if r["phase"] == "adam"]
    per_step = (adam[-1]["seconds"] - adam[0]["seconds"]) / max(
        1, adam[-1]["step"] - adam[0]["step"]
    )
    hints = Model.default_options
    return {
        "case": name,
        "cut": cut,
        "steps": " + ".join(
            str(given.get(key, hints.get(key))) for key in ("steps", "lbfgs_steps")
        ),
        "error": relative_l2(model, reference),
        "seconds": seconds,
        "ms_per_adam_step": 1e3 * per_step,
        "final_loss": history["final"]["loss"] if history.get("final") else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", choices=("fault", "fault_layered"))
    parser.add_argument("--cut", default="lift", choices=("lift", "residual"))
    parser.add_argument("--steps", type=int, default=None, help="Adam steps (default: the spec's)")
    parser.add_argument("--lbfgs-steps", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    out = ROOT / "runs" / "benchmarks"
    if args.threads:
        torch.set_num_threads(args.threads)

    cases = args.case or ["fault", "fault_layered"]
    rows = []
    for case in cases:
        if case == "fault":
            reference, facts = closed_form, {"reference": "closed form", "target": 1e-2}
        else:
            reference = solve_fault(
                lambda x, y: 1 + 0.5 * np.tanh(-y - 2), n=400, far=lambda x, y: 0.0 * x
            )
            facts = {"reference": "FV n=400", "target": 2e-2}
        rows.append(run_case(case, reference, args.steps, args.lbfgs_steps, args.cut, out) | facts)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    machine = platform.processor() or platform.machine()
    header = (
        f"### fault PINN — {time.strftime('%Y-%m-%d')}, {machine}, "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU\n\n"
        f"`python -m benchmarks.fault_pinn {' '.join(sys.argv[1:])}` "
        f"(8×40 tanh, 2000 interior + 500 per condition, Adam lr 1e-3, float32)\n\n"
        "| case | cut | Adam + L-BFGS steps | reference | rel. L2 | target | met | "
        "ms / Adam step | total s | peak RSS MB |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    table = header + "".join(
        f"| {r['case']} | {r['cut']} | {r['steps']} | {r['reference']} | {r['error']:.3e} | "
        f"{r['target']:.0e} | "
        f"{'yes' if r['error'] <= r['target'] else 'no'} | {r['ms_per_adam_step']:.1f} | "
        f"{r['seconds']:.0f} | {peak_mb:.0f} |\n"
        for r in rows
    )
    publish(table)


if __name__ == "__main__":
    main()
