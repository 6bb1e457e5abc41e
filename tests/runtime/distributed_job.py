"""Small float64 training runs of every target, the same under ``torchrun`` and in one
process: ``tests/runtime/test_distributed.py`` runs them both ways and compares.

    python -m torch.distributed.run --standalone --nproc-per-node 2 \\
        tests/runtime/distributed_job.py OUT.json FOLDER

writes (rank 0) the loss history of each job in ``JOBS`` to OUT.json, generated modules
and checkpoints going to FOLDER. Each job is a function ``(folder) -> list of losses``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
F64 = torch.float64


def pinn_model(folder: Path):
    import pdec

    Model = pdec.compile(ROOT / "specs" / "poisson.pde", target="pinn", out_dir=folder / "gen")
    return Model(layers=(2, 16), dtype="float64", device="cpu", seed=3)


# 301 and 101 points: shares of 151/150 and 51/50, so the weighing of unequal shares counts
PINN = dict(points=301, boundary_points=101, lr=1e-2, compile=False, log_every=1)


def pinn(folder: Path) -> list[float]:
    """15 Adam steps (resampled every 5, 11 RAR points at step 7), then 5 L-BFGS steps."""
    options = dict(PINN, steps=15, lbfgs_steps=5, resample_every=5, rar=7)
    history = pinn_model(folder).fit(**options, rar_candidates=203, rar_points=11)
    return [*history.losses, history.final.loss]


def pinn_annealing(folder: Path) -> list[float]:
    """20 Adam steps with learning-rate annealing of the weights every 4 steps."""
    options = dict(PINN, steps=20, adaptive="annealing", adaptive_every=4)
    history = pinn_model(folder).fit(**options)
    return [*history.losses, *(r.weights["wall"] for r in history.records)]


def pinn_first_half(folder: Path) -> list[float]:
    """The first 10 Adam steps of ``pinn``, checkpointed in FOLDER/half (to resume)."""
    options = dict(PINN, steps=10, lbfgs_steps=0, resample_every=5, rar=7)
    history = pinn_model(folder).fit(
        **options, rar_candidates=203, rar_points=11, checkpoint_dir=folder / "half"
    )
    return history.losses


def pinn_second_half(folder: Path) -> list[float]:
    """``pinn`` resumed from the checkpoint of ``pinn_first_half``."""
    options = dict(PINN, steps=15, lbfgs_steps=5, resample_every=5, rar=7)
    history = pinn_model(folder).fit(
        **options, rar_candidates=203, rar_points=11, checkpoint_dir=folder / "half", resume=True
    )
    return [*history.losses, history.final.loss]


def energy(folder: Path) -> list[float]:
    """A DGNet of the pendulum: 4 epochs of 87 pairs in minibatches of 20 (the last of 7)."""
    from pdec.runtime.energy import ConstantMatrix, EnergyModel, MLPEnergy

    generator = torch.Generator().manual_seed(0)
    u0 = torch.rand(87, 2, dtype=F64, generator=generator) * 2 - 1
    u1 = u0 + 0.1 * torch.stack([u0[:, 1], -torch.sin(u0[:, 0])], dim=1)
    H = MLPEnergy(2, depth=2, width=16, generator=generator)
    model = EnergyModel(H, ConstantMatrix([[0.0, 1.0], [-1.0, 0.0]]), dt=0.1)
    return model.fit(u0, u1, epochs=4, lr=1e-2, batch_size=20).losses


def operator(folder: Path) -> list[float]:
    """A PINO of Darcy: 3 epochs of 11 pairs in minibatches of 5 (the last of 1), with
    physics-only inputs drawn at random for each minibatch."""
    import pdec
    from pdec.reference.operator_data import generate_operator_data

    spec = pdec.load(ROOT / "specs" / "darcy.pde")
    data = generate_operator_data(spec, n=14, res=9, seed=0)
    Model = pdec.compile(spec, target="operator", out_dir=folder / "gen")
    model = Model(modes=3, width=8, layers=2, projection=16, seed=0, dtype=F64)
    history = model.fit(
        data.inputs[:11],
        data.outputs[:11],
        physics_inputs=data.inputs[11:],
        epochs=3,
        batch_size=5,
        lr=5e-3,
        physics=1e-2,
    )
    return [*history.term("data"), *history.term("physics")]


JOBS = {job.__name__: job for job in (pinn, pinn_annealing, pinn_first_half, energy, operator)}


def main(out: str, folder: str) -> None:
    from pdec.runtime import distributed

    results = {name: job(Path(folder)) for name, job in JOBS.items()}
    world = distributed.current()
    if world.main:
        Path(out).write_text(json.dumps({"world_size": world.size, **results}))
    distributed.leave()


if __name__ == "__main__":
    main(*sys.argv[1:3])
