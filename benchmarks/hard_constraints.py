"""Soft against hard boundary conditions on PINNacle's Poisson2d-C (Laplace's equation on
a square plate with four round holes; u = 1 on the square, u = 0 on the rims), at the
same small budget, on one CPU thread.

    OMP_NUM_THREADS=1 python -m benchmarks.hard_constraints            # appends RESULTS.md
    OMP_NUM_THREADS=1 python -m benchmarks.hard_constraints --steps 50  # smoke run

* **soft** — the generated PINN of specs/pinnacle/poisson2d_c.pde as it is: the two
  conditions are loss terms beside the Laplacian's.
* **hard (generated)** — the same class with ``hard=True``: the PINN target's
  ``boundary_form`` (:mod:`pdec.targets.pinn.emit_hard`) builds both conditions in,
  u = g + φ·N with φ from the pieces' factors (2 (x − lo)/L per side of the square,
  (ρ² − r²)/(ρ² + r²) per rim) joined by :func:`pdec.runtime.hard.transfinite_form`.
* **hard (by hand)** — the first version, written before the generator: the same form
  with the square's factor 16 (x + ½)(½ − x)(y + ½)(½ − y) (u = g + φ·N, N the network):
  φ = φ₀ φ₁ … φ₄ vanishes on every piece of the boundary (φ₀ = 16 (x + ½)(½ − x)(y + ½)(½ − y)
  on the square, φₖ = (ρₖ² − r²)/(ρₖ² + r²) on the k-th rim, ρₖ the distance to its
  centre: each in [0, 1]), and g = Σᵢ gᵢ wᵢ interpolates the pieces' values with
  wᵢ = Πⱼ≠ᵢ φⱼ / Σₘ Πⱼ≠ₘ φⱼ (= 1 on piece i, 0 on the others) — transfinite
  interpolation (Sukumar & Srivastava 2022). The conditions hold exactly; only the
  Laplacian is trained. A subclass overriding ``boundary_form`` (derivatives by forward
  jets, φ·N by Leibniz's rule).

Both: the spec's 5×100 tanh network, Adam lr 1e-3, ``--points`` interior and
``--boundary-points`` per condition (Sobol, drawn once), no L-BFGS. L2RE as PINNacle
defines it, against its COMSOL solution (benchmarks/data/pinnacle/poisson1_cg_data.dat).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

import pdec

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "pinnacle" / "poisson2d_c.pde"
REFERENCE = ROOT / "benchmarks" / "data" / "pinnacle" / "poisson1_cg_data.dat"
HOLES = ((0.3, 0.3), (-0.3, 0.3), (0.3, -0.3), (-0.3, -0.3))
RADIUS = 0.1


def hard_form(Model: type) -> type:
    """``Model`` with u = g + φ·N (see the module docstring)."""

    class Hard(Model):
        def boundary_form(self, inputs):
            x, y = inputs["x"], inputs["y"]
            pieces = [16 * (x + 0.5) * (0.5 - x) * (y + 0.5) * (0.5 - y)]
            for a, b in HOLES:
                squared = (x - a) ** 2 + (y - b) ** 2
                pieces.append((squared - RADIUS**2) / (squared + RADIUS**2))
            values = (1.0, 0.0, 0.0, 0.0, 0.0)  # u on the square, then on each rim
            others = []  # Π_{j ≠ i} φ_j
            for i in range(len(pieces)):
                product = torch.ones_like(x)
                for j, piece in enumerate(pieces):
                    if j != i:
                        product = product * piece
                others.append(product)
            lift = sum(g * w for g, w in zip(values, others)) / sum(others)
            return {"u": (lift, others[0] * pieces[0])}  # u = lift + φ·N

    return Hard


def l2re(model, reference: np.ndarray) -> float:
    u = np.asarray(model.predict(x=reference[:, 0], y=reference[:, 1])["u"]).reshape(-1)
    return float(np.sqrt(np.mean((u - reference[:, 2]) ** 2) / np.mean(reference[:, 2] ** 2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--boundary-points", type=int, default=512)
    parser.add_argument("--no-publish", action="store_true", help="print only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    began = time.perf_counter()
    reference = np.loadtxt(REFERENCE, comments="%")
    Model = pdec.compile(pdec.load(SPEC), target="pinn", out_dir=tempfile.mkdtemp())
    rows = []
    variants = (
        ("soft", Model, False),
        ("hard (generated)", Model, True),
        ("hard (by hand)", hard_form(Model), True),
    )
    for name, Class, hard in variants:
        model = Class(seed=0, hard=hard)
        tic = time.perf_counter()
        history = model.fit(
            steps=args.steps, points=args.points, boundary_points=args.boundary_points,
            lbfgs_steps=0, sampling="sobol", resample_every=0, lr=1e-3, progress=False,
        )  # fmt: skip
        seconds = time.perf_counter() - tic
        terms = history.records[-1].terms
        rows.append((name, l2re(model, reference), terms, seconds / args.steps * 1e3))
        print(f"{name}: L2RE {rows[-1][1]:.3e}, {terms}", flush=True)
    memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = table(args, rows, memory, time.perf_counter() - began)
    if args.steps >= 1000 and not args.no_publish:
        from benchmarks.results import publish

        publish(text)
    else:
        print(text)


def table(args, rows, memory: float, wall: float) -> str:
    lines = [
        "## Soft against hard boundary conditions: PINNacle Poisson2d-C at a small budget",
        "",
        f"`OMP_NUM_THREADS=1 python -m benchmarks.hard_constraints --steps {args.steps}` — "
        f"specs/pinnacle/poisson2d_c.pde's 5×100 tanh PINN, {args.steps} Adam steps (lr "
        f"1e-3), {args.points} interior and {args.boundary_points} points per condition "
        "(Sobol, drawn once), no L-BFGS, one CPU thread; hard: u = g + φ·N written by hand "
        f"(see the script); wall time {wall / 60:.1f} min, peak RSS {memory:.0f} MB.",
        "",
        "| conditions | L2RE | PINNacle best (PINN-NTK, 20,000 steps) | final Laplace term "
        "| square term | rims term | ms / step |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, error, terms, ms in rows:
        lines.append(
            f"| {name} | {error:.3e} | 1.23e-02 | {terms['laplace']:.2e} | "
            f"{terms['outer']:.2e} | {terms['rims']:.2e} | {ms:.0f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
