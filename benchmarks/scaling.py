"""Data-parallel throughput of every target on 1, 2, … processes (torchrun, DDP):
collocation points per second (PINN, Poisson 4×50), pairs per second (operator: Darcy
FNO on 32² grids; energy: KdV DGNet on 64-point grids).

    python -m benchmarks.scaling [--processes 1 2] [--device cpu|cuda] [--steps 60]
        [--no-publish]

Each row is one ``torchrun --standalone --nproc-per-node N`` launch of this script's
worker (``--worker``), which trains with ``fit`` and times the steps after a warm-up
from the history's wall clock. **Strong scaling**: the same global batch on N
processes (ideal: N× the throughput). **Weak scaling**: N× the global batch on N
processes (ideal: the same time per step). The CPU's cores are shared out
(``OMP_NUM_THREADS`` = cores / N), so one process uses them all too: a speed-up on the
CPU is the better use of the cores by independent processes, not more hardware. On
CUDA each process has its own GPU (as many as the machine has).

Prints a table (target, scaling, processes, global batch, ms per step, throughput and
its ratio to 1 process, peak memory of rank 0: resident set on the CPU, allocated on
CUDA) and appends it to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
WARMUP = 10  # steps (epochs for the operator and energy) before the timed ones
# (target, the global batch of 1 process: points per term / pairs per minibatch)
CASES = {"pinn": 4000, "operator": 20, "energy": 400}


# -- the worker: one run, in each process of a torchrun launch --------------------------------


def pinn(batch: int, steps: int, device: str, folder: Path) -> tuple[float, int]:
    import pdec

    Model = pdec.compile(ROOT / "specs" / "poisson.pde", target="pinn", out_dir=folder)
    model = Model(layers=(4, 50), device=device, seed=0)
    history = model.fit(
        steps=steps, points=batch, boundary_points=batch // 4, compile=False, log_every=1
    )
    return _seconds_per_step(history), batch + batch // 4


def operator(batch: int, steps: int, device: str, folder: Path) -> tuple[float, int]:
    import pdec
    from pdec.reference.operator_data import generate_operator_data

    spec = pdec.load(ROOT / "specs" / "darcy.pde")
    data = generate_operator_data(spec, n=batch, res=32, seed=0)
    model = pdec.compile(spec, target="operator", out_dir=folder)(modes=8, width=32, layers=4)
    # one minibatch per epoch: an epoch is a step
    history = model.fit(data.inputs, data.outputs, epochs=steps, batch_size=batch, device=device)
    return _seconds_per_step(history), batch


def energy(batch: int, steps: int, device: str, folder: Path) -> tuple[float, int]:
    import pdec

    generator = torch.Generator().manual_seed(0)
    x = torch.linspace(0, 1, 65, dtype=torch.float64)[:-1]
    phases = torch.rand(batch, 1, generator=generator, dtype=torch.float64) * 6.28
    u0 = torch.sin(2 * torch.pi * x + phases)
    u1 = torch.sin(2 * torch.pi * (x - 1e-3) + phases)
    Model = pdec.compile(ROOT / "specs" / "kdv_learned.pde", target="energy", out_dir=folder)
    model = Model(n=64, dt=1e-3, mode="dgnet", width=32, seed=0)
    history = model.fit(u0, u1, epochs=steps, lr=1e-3, batch_size=batch, device=device)
    return _seconds_per_step(history), batch


def _seconds_per_step(history) -> float:
    seconds = [record.seconds for record in history.records]
    return (seconds[-1] - seconds[WARMUP - 1]) / (len(seconds) - WARMUP)


def worker(target: str, batch: int, steps: int, device: str, out: Path) -> None:
    from pdec.runtime import distributed

    with tempfile.TemporaryDirectory() as folder:
        seconds, items = globals()[target](batch, steps, device, Path(folder))
    world = distributed.current()
    if device == "cuda":
        peak = torch.cuda.max_memory_allocated() / 2**20
    else:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    if world.main:
        found = {"seconds": seconds, "items": items, "world": world.size, "peak": peak}
        out.write_text(json.dumps(found))
    distributed.leave()


# -- the driver ------------------------------------------------------------------------------


def launch(target: str, batch: int, processes: int, steps: int, device: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.json"
        environment = dict(os.environ)
        environment["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // processes))
        command = [
            sys.executable, "-m", "torch.distributed.run", "--standalone",
            f"--nproc-per-node={processes}", "-m", "benchmarks.scaling", "--worker",
            target, str(batch), str(steps), device, str(out),
        ]  # fmt: skip
        result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"{target} on {processes} processes failed:\n{result.stderr[-3000:]}")
        return json.loads(out.read_text())


def table(rows: list[dict], device: str, command: str) -> str:
    unit = {"pinn": "points/s", "operator": "pairs/s", "energy": "pairs/s"}
    lines = [
        f"## Data-parallel scaling ({device}; {platform.node() or 'this machine'}, "
        f"{os.cpu_count()} cores, torch {torch.__version__})",
        "",
        f"`{command}`",
        "",
        "| target | scaling | processes | global batch | ms / step | throughput "
        "| vs 1 process | peak memory, rank 0 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['target']} | {row['scaling']} | {row['processes']} | {row['items']:,} | "
            f"{1e3 * row['seconds']:.1f} | {row['rate']:,.0f} {unit[row['target']]} | "
            f"{row['speedup']:.2f}× | {row['peak']:,.0f} MiB |"
        )
    lines += [
        "",
        "vs 1 process: the throughput over the 1-process run's. On the CPU the processes "
        "share the cores one process already uses (ideal: 1×, the gain is from "
        "independent processes keeping the cores busier); on GPUs each process has its "
        "own (ideal: N×). Weak scaling at N× the batch with the same time per step "
        "would be N×.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--targets", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--no-publish", action="store_true")
    args = parser.parse_args(argv)
    if args.steps <= WARMUP + 1:
        parser.error(f"--steps must be above {WARMUP + 1} (the first {WARMUP} are warm-up)")
    rows = []
    for target in args.targets:
        base = CASES[target]
        for scaling in ("strong", "weak"):
            first = None
            for processes in args.processes:
                batch = base if scaling == "strong" else base * processes
                found = launch(target, batch, processes, args.steps, args.device)
                rate = found["items"] / found["seconds"]
                if first is None:
                    first = found
                speedup = rate / (first["items"] / first["seconds"])
                row = dict(target=target, scaling=scaling, processes=processes, rate=rate)
                rows.append({**row, **found, "speedup": speedup})
                print(f"{target:9s} {scaling:6s} {processes} × → {1e3 * found['seconds']:.1f} ms")
    command = "python -m benchmarks.scaling " + " ".join(argv if argv is not None else sys.argv[1:])
    text = table(rows, args.device, command.strip())
    if args.no_publish:
        print(text)
    else:
        from benchmarks.results import publish

        publish(text)
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        target, batch, steps, device, out = sys.argv[2:7]
        worker(target, int(batch), int(steps), device, Path(out))
    else:
        main()
