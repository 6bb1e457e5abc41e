"""Benchmark: the fault PINN (Okazaki et al. 2022) against exact and reference solutions.

    python -m benchmarks.fault_pinn [--steps N] [--lbfgs-steps M]

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


def run_case(name: str, reference, steps: int, lbfgs_steps: int, out: Path) -> dict:
    Model = pdec.compile(ROOT / "specs" / f"{name}.pde", target="pinn", out_dir=out / name)
    model = Model(seed=0)
    start = time.perf_counter()
    history = model.fit(
        steps=steps, lbfgs_steps=lbfgs_steps, progress=False, checkpoint_dir=None
    ).to_dict()
    seconds = time.perf_counter() - start
    adam = [r for r in history["records"] if r["phase"] == "adam"]
    per_step = (adam[-1]["seconds"] - adam[0]["seconds"]) / max(
        1, adam[-1]["step"] - adam[0]["step"]
    )
    return {
        "case": name,
        "error": relative_l2(model, reference),
        "seconds": seconds,
        "ms_per_adam_step": 1e3 * per_step,
        "final_loss": history["final"]["loss"] if history.get("final") else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--lbfgs-steps", type=int, default=100)
    args = parser.parse_args()
    out = ROOT / "runs" / "benchmarks"
    torch.set_num_threads(max(1, torch.get_num_threads()))

    layered = solve_fault(lambda x, y: 1 + 0.5 * np.tanh(-y - 2), n=400, far=lambda x, y: 0.0 * x)
    rows = [
        run_case("fault", closed_form, args.steps, args.lbfgs_steps, out)
        | {"reference": "closed form", "target": 1e-2},
        run_case("fault_layered", layered, args.steps, args.lbfgs_steps, out)
        | {"reference": "FV n=400", "target": 2e-2},
    ]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    machine = platform.processor() or platform.machine()
    header = (
        f"### fault PINN — {time.strftime('%Y-%m-%d')}, {machine}, "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU\n\n"
        f"`python -m benchmarks.fault_pinn --steps {args.steps} --lbfgs-steps {args.lbfgs_steps}` "
        f"(8×40 tanh, 2000 interior + 500 per condition, Adam lr 1e-3, float32)\n\n"
        "| case | reference | rel. L2 | target | met | ms / Adam step | total s | peak RSS MB |\n"
        "|---|---|---|---|---|---|---|---|\n"
    )
    table = header + "".join(
        f"| {r['case']} | {r['reference']} | {r['error']:.3e} | {r['target']:.0e} | "
        f"{'yes' if r['error'] <= r['target'] else 'no'} | {r['ms_per_adam_step']:.1f} | "
        f"{r['seconds']:.0f} | {peak_mb:.0f} |\n"
        for r in rows
    )
    publish(table)


if __name__ == "__main__":
    main()
