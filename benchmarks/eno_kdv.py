"""ENO vs FNO vs DGNet on KdV: an energy-consistent neural operator against the plain
neural operator it is built on, trained on the same trajectories in one run, on one CPU
thread.

    OMP_NUM_THREADS=1 python -m benchmarks.eno_kdv              # appends RESULTS.md
    OMP_NUM_THREADS=1 python -m benchmarks.eno_kdv --steps 20   # smoke run

Data: ``pdec data``'s pseudo-spectral reference of specs/kdv.pde (two solitons on a
periodic [0, 10)), sampled on ``--grid`` points every Δt = 0.01; ``--train``
trajectories of 100 steps to train on, ``--test`` others rolled out for 100 steps.

Models, all the generated ``KdvLearnedEnergy`` (specs/kdv_learned.pde: H a learned
grid energy, G = ∂x from the spec as the central difference), one flag apart:

* **fno** — a Fourier neural operator S, û = u + Δt S(u): the plain operator baseline;
* **eno** — the same S proposes, and the step is the discrete-gradient one
  u₁ − u₀ = Δt G ∇̄H(u₁, u₀) solved from the proposal, so H is conserved exactly
  (Tanaka et al. 2025's energy consistency, made exact); trained on the data, on H's
  discrete-gradient fit and on S's consistency with it;
* **dgnet** — the discrete-gradient model alone (its step starts from an explicit
  midpoint guess).

Judged on the test rollouts: state MSE, the model's own energy drift (max relative
change), the true energy's MSE (kdv.pde's discrete H on predicted and reference
states) and the mass MSE (Σ u Δx).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import torch

import pdec
from pdec.reference import generate
from pdec.runtime.energy.evaluation import masses, metrics, roll_out
from pdec.runtime.energy.training import train_pairs, trajectory_pairs

DT = 0.01
MODES = ("fno", "eno", "dgnet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000, help="Adam steps per model")
    parser.add_argument("--train", type=int, default=16)
    parser.add_argument("--test", type=int, default=4)
    parser.add_argument("--grid", type=int, default=64)
    parser.add_argument("--no-publish", action="store_true", help="print only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    began = time.perf_counter()
    spec = pdec.load("specs/kdv.pde")
    data = generate(spec, n=args.train + args.test, steps=100, dt=DT, grid=args.grid, seed=0)
    u = torch.as_tensor(data.u, dtype=torch.float64)
    train_u, test_u = u[: args.train], u[args.train :]
    u0, u1 = trajectory_pairs(train_u)
    truth = pdec.compile(spec, target="energy")(n=args.grid, dt=DT)
    Model = pdec.compile("specs/kdv_learned.pde", target="energy")
    rows = []
    for mode in MODES:
        model = Model(n=args.grid, dt=DT, mode=mode, width=64, seed=0)
        start = time.perf_counter()
        state = train_pairs(model, u0, u1, steps=args.steps, lr=2e-3, batch_size=100, seed=0)
        trained = time.perf_counter() - start
        rollouts = roll_out(model, test_u)
        result = metrics(model, rollouts, energy=truth.energy)
        mass = masses(rollouts.predicted, model.spacing) - masses(test_u, model.spacing)
        row = {
            "mode": mode,
            "loss": state["history"][-1][1],
            "state": result["state_mse"],
            "drift": result.get("energy_drift"),
            "energy": result["energy_mse"],
            "mass": float(mass.pow(2).mean()),
            "train_s": trained,
            "step_ms": 1e3 * result["seconds_per_step"],
            "failure": result["failure"],
            "memory": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        rows.append(row)
        print(row, flush=True)
    text = table(rows, args, time.perf_counter() - began)
    if args.steps >= 1000 and not args.no_publish:
        from benchmarks.results import publish

        publish(text)
    else:
        print(text)


def table(rows: list, args, wall: float) -> str:
    lines = [
        "## Energy target: ENO / FNO / DGNet on KdV (energy-consistent neural operator)",
        "",
        f"`OMP_NUM_THREADS=1 python -m benchmarks.eno_kdv` — pdec data's spectral KdV "
        f"(specs/kdv.pde) on {args.grid} points, Δt = {DT}, {args.train} training and "
        f"{args.test} test trajectories of 100 steps; H a learned grid energy (width 64), "
        f"S an FNO (16 modes, width 32, 4 layers), {args.steps} Adam steps (lr 2e-3, "
        f"batch 100), float64, one CPU thread; wall time {wall / 60:.1f} min. Errors: "
        "mean squares over the test rollouts (true energy: kdv.pde's discrete H); drift: "
        "max relative change of the model's own H.",
        "",
        "| model | final loss | state MSE | own energy drift | true energy MSE | mass MSE "
        "| train s | ms / rollout step | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        drift = "–" if r["drift"] is None else f"{r['drift']:.2e}"
        note = " (rollout failed)" if r["failure"] else ""
        lines.append(
            f"| {r['mode']}{note} | {r['loss']:.3g} | {r['state']:.3g} | {drift} | "
            f"{r['energy']:.3g} | {r['mass']:.3g} | {r['train_s']:.0f} | {r['step_ms']:.2f} "
            f"| {r['memory']:.0f} |"
        )
    found = {r["mode"]: r for r in rows}
    if {"eno", "fno"} <= set(found):
        eno, fno = found["eno"], found["fno"]
        lines += [
            "",
            f"ENO / FNO: state MSE {eno['state'] / fno['state']:.2g}, true energy MSE "
            f"{eno['energy'] / fno['energy']:.2g}.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
