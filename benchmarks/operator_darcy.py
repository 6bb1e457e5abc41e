"""Darcy flow with the operator target: the generated DarcyOperator (FNO) trained at
res² on pairs from `pdec data`, relative L2 on held-out pairs at res² and at eval-res²
(the same coefficient fields, solved on the finer grid), and time per epoch against
neuraloperator's FNO at the same width and modes, in the same process, epochs
interleaved, and the peak memory training adds.

    python -m benchmarks.operator_darcy [--train 1000] [--test 100] [--res 64]
        [--eval-res 128] [--epochs 30] [--width 32] [--modes 12] [--batch 20]
        [--lr 1e-3] [--schedule step] [--physics 0] [--threads 1] [--no-peer]
        [--no-memory] [--no-publish]

Both models see the same batches and the same loop (Adam with the operator training's
:func:`~pdec.runtime.operator.training.learning_rate`: lr halved every epochs/5, or a
half cosine with ``--schedule cosine``; relative L2 loss, batch 20); neuraloperator's
FNO is configured as Li et al.'s original (no channel MLPs, linear skips, projection
width 4×width, grid embedding) and gets its inputs centred and scaled the same way.
Peak memory on CUDA is torch.cuda.max_memory_allocated over the timed epochs. On the CPU
(Linux), each model trains for MEMORY_STEPS batches of the first epoch's order in a
process of its own (spawned, so nothing is inherited), and the peak is the resident
high-water mark during those steps less the resident memory just before them, with the
data loaded and the model built (:func:`peak_memory`); ``--no-memory`` skips it. Every
epochs/10 epochs the script prints pdec's held-out error.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import ctypes
import ctypes.util
import gc
import multiprocessing
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

import pdec
from benchmarks.results import publish
from pdec.reference.operator_data import generate_operator_data
from pdec.runtime.operator import relative_l2
from pdec.runtime.operator.training import learning_rate

ROOT = Path(__file__).resolve().parents[1]
STATUS = Path("/proc/self/status")
# Training steps in the memory measurement: by the second step the activations, the
# gradients and Adam's two moments are all live, so the peak is reached well before 10.
MEMORY_STEPS = 10


def neuraloperator_fno(width: int, modes: int):
    """neuraloperator's FNO set up as the original architecture, or None if absent."""
    try:
        from neuralop.models import FNO
    except ImportError:
        return None
    return FNO(
        n_modes=(2 * modes, 2 * modes),  # total modes per axis: −m … m − 1 (last: 0 … m)
        in_channels=1,
        out_channels=1,
        hidden_channels=width,
        n_layers=4,
        lifting_channel_ratio=1,
        projection_channel_ratio=4,
        use_channel_mlp=False,
        fno_skip="linear",
    )


class ScaledPeer(torch.nn.Module):
    """A peer model behind pdec's input centring and scaling and output scale, so that
    both models train on the same targets with the same loss."""

    def __init__(self, model: torch.nn.Module, input_mean, input_scale, output_scale):
        super().__init__()
        self.model = model
        for name, value in (
            ("input_mean", input_mean),
            ("input_scale", input_scale),
            ("output_scale", output_scale),
        ):
            self.register_buffer(name, torch.as_tensor(value, dtype=torch.float32).clone())

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return self.model((a - self.input_mean) / self.input_scale) * self.output_scale


def adam(model: torch.nn.Module, lr: float) -> torch.optim.Adam:
    return torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)


def train_batches(model, optimizer, a, u, batches, physics: float = 0.0) -> None:
    """One Adam step per batch of indices: relative L2 loss, plus ``physics`` × the
    model's physics loss when it is nonzero (pdec's model only)."""
    for batch in batches:
        optimizer.zero_grad()
        predicted = model(a[batch])
        loss = relative_l2(predicted, u[batch]).mean()
        if physics:
            loss = loss + physics * model.physics_loss(a[batch], predicted)
        loss.backward()
        optimizer.step()


def epoch_orders(count: int):
    """The order of the training pairs in each epoch, from one seeded generator."""
    generator = torch.Generator().manual_seed(0)
    while True:
        yield torch.randperm(count, generator=generator)


def peak_memory(prepare: Callable, *args) -> tuple[float, bool]:
    """Peak resident memory, in MiB, that running ``prepare(*args)()`` adds over the
    resident memory once ``prepare(*args)`` has returned, both in a fresh spawned
    process (Linux: /proc/self/status). ``prepare`` sets up (loads data, builds the
    model) and returns the work to measure; it must be picklable, as must ``args``.

    Returns (MiB, reset): ``reset`` says whether the kernel let the process reset its
    high-water mark before the work (writing 5 to /proc/self/clear_refs). If not, the
    number is VmHWM − the resident memory before the work, which also counts any
    earlier peak (imports, setup) above that baseline, so it can only overstate.
    """
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_peak_in_this_process, prepare, args).result()


def _peak_in_this_process(prepare: Callable, args: tuple) -> tuple[float, bool]:
    work = prepare(*args)
    gc.collect()
    _trim_heap()  # freed setup memory goes back to the system, not to the work's peak
    baseline = _status_kib("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")
        reset = _status_kib("VmHWM") <= _status_kib("VmRSS") + 1024
    except OSError:
        reset = False
    work()
    return (_status_kib("VmHWM") - baseline) / 1024, reset


def _status_kib(key: str) -> int:
    for line in STATUS.read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def _trim_heap() -> None:
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    if libc is not None and hasattr(libc, "malloc_trim"):  # glibc
        libc.malloc_trim(0)


def memory_training(peer: bool, options: dict, inputs, outputs, scales) -> Callable:
    """Set up one model's training as in :func:`main` and return MEMORY_STEPS steps of it
    (run by :func:`peak_memory` in a process of its own)."""
    torch.set_num_threads(options["threads"])
    a = torch.as_tensor(inputs, dtype=torch.float32)
    u = torch.as_tensor(outputs, dtype=torch.float32)
    if peer:
        torch.manual_seed(0)
        model = ScaledPeer(neuraloperator_fno(options["width"], options["modes"]), *scales)
    else:
        spec = pdec.load(ROOT / "specs" / "darcy.pde")
        Model = pdec.compile(spec, target="operator", out_dir=tempfile.mkdtemp())
        model = Model(modes=options["modes"], width=options["width"], seed=0)
        model._set_scales(a, u)
    optimizer = adam(model, options["lr"])
    batches = next(epoch_orders(a.shape[0])).split(options["batch"])[:MEMORY_STEPS]
    physics = 0.0 if peer else options["physics"]
    # One step on a copy first, so that library code paged in and caches filled on first
    # use are not counted as this model's training memory.
    warm = copy.deepcopy(model)
    train_batches(warm, adam(warm, options["lr"]), a, u, batches[:1], physics)
    del warm
    return lambda: train_batches(model, optimizer, a, u, batches, physics)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (
        ("train", 1000),
        ("test", 100),
        ("res", 64),
        ("eval-res", 128),
        ("epochs", 30),
        ("width", 32),
        ("modes", 12),
        ("batch", 20),
        ("threads", 1),
    ):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--schedule", choices=("step", "cosine"), default="step")
    parser.add_argument("--physics", type=float, default=0.0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument(
        "--memory",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="on the CPU, measure each model's training peak in a process of its own",
    )
    parser.add_argument("--no-publish", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    start = time.perf_counter()

    spec = pdec.load(ROOT / "specs" / "darcy.pde")
    train = generate_operator_data(spec, args.train, args.res, seed=0)
    test = generate_operator_data(spec, args.test, args.res, seed=1)
    test_fine = generate_operator_data(spec, args.test, args.eval_res, seed=1)
    data_seconds = time.perf_counter() - start

    Model = pdec.compile(spec, target="operator", out_dir=tempfile.mkdtemp())
    ours = Model(modes=args.modes, width=args.width, seed=0).to(device)
    a = torch.as_tensor(train.inputs, dtype=torch.float32, device=device)
    u = torch.as_tensor(train.outputs, dtype=torch.float32, device=device)
    ours._set_scales(a, u)  # the same scaling fit() uses
    models = {"pdec DarcyOperator": ours}
    scales = (ours.input_mean, ours.input_scale, ours.output_scale)
    torch.manual_seed(0)  # the peer's initial weights
    peer = None if args.no_peer else neuraloperator_fno(args.width, args.modes)
    if peer is not None:
        models["neuraloperator FNO"] = ScaledPeer(peer, *scales).to(device)
    optimizers = {name: adam(m, args.lr) for name, m in models.items()}

    def error(model, data):
        with torch.no_grad():
            inputs = torch.as_tensor(data.inputs, dtype=torch.float32, device=device)
            target = torch.as_tensor(data.outputs, dtype=torch.float32, device=device)
            return float(relative_l2(model(inputs), target).mean())

    seconds = {name: [] for name in models}
    peak = {name: None for name in models}
    for epoch, order in zip(range(args.epochs), epoch_orders(a.shape[0])):
        rate = learning_rate(epoch, args.lr, args.epochs, args.schedule)
        for optimizer in optimizers.values():
            for group in optimizer.param_groups:
                group["lr"] = rate
        for name, model in models.items():  # interleaved: the same machine state
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats()
                torch.cuda.synchronize()
            tic = time.perf_counter()
            physics = args.physics if model is ours else 0.0
            train_batches(model, optimizers[name], a, u, order.split(args.batch), physics)
            if device.type == "cuda":
                torch.cuda.synchronize()
                peak[name] = max(peak[name] or 0, torch.cuda.max_memory_allocated())
            seconds[name].append(time.perf_counter() - tic)
        if (epoch + 1) % max(1, args.epochs // 10) == 0:
            held_out = error(ours, test)
            print(f"epoch {epoch + 1}: pdec held-out rel. L2 {held_out:.3e}", flush=True)

    memory_note = ""
    if device.type == "cuda":
        peak = {name: value / 2**20 for name, value in peak.items()}
        memory_note = " Peak MiB: torch.cuda.max_memory_allocated over the timed epochs."
    elif args.memory and STATUS.exists():
        options = {k: getattr(args, k) for k in ("threads", "width", "modes", "lr", "batch")}
        options["physics"] = args.physics
        numpy_scales = tuple(s.detach().cpu().numpy() for s in scales)
        resets = []
        for name in models:
            peak[name], reset = peak_memory(
                memory_training,
                name != "pdec DarcyOperator",
                options,
                train.inputs,
                train.outputs,
                numpy_scales,
            )
            resets.append(reset)
        memory_note = (
            f" Peak MiB: resident memory added by {MEMORY_STEPS} training steps (batches "
            "of the first epoch, same for both), each model in a spawned process of its "
            "own: VmHWM after the steps less VmRSS just before, with the data loaded, "
            "the model built and one warm-up step run on a copy of it, "
            + (
                "the high-water mark reset there (clear_refs)."
                if all(resets)
                else "the high-water mark NOT reset (clear_refs refused), so it may "
                "include an earlier peak."
            )
        )

    rows = []
    base = statistics.median(seconds["pdec DarcyOperator"])
    base_peak = peak["pdec DarcyOperator"]
    for name, model in models.items():
        per_epoch = statistics.median(seconds[name])
        memory, memory_ratio = "–", "–"
        if peak[name] is not None:
            memory = f"{peak[name]:.0f}"
            if base_peak:
                memory_ratio = f"{peak[name] / base_peak:.2f}"
        rows.append(
            f"| {name} | {sum(p.numel() for p in model.parameters()):,} | "
            f"{error(model, test):.3e} | {error(model, test_fine):.3e} | "
            f"{per_epoch:.2f} | {per_epoch / base:.2f} | {memory} | {memory_ratio} |"
        )
    wall = time.perf_counter() - start
    command = (
        f"`python -m benchmarks.operator_darcy --train {args.train} --test {args.test} "
        f"--res {args.res} --eval-res {args.eval_res} --epochs {args.epochs} --width "
        f"{args.width} --modes {args.modes} --batch {args.batch} --lr {args.lr:g} --schedule "
        f"{args.schedule} --physics {args.physics:g} --threads {args.threads} --device "
        f"{args.device}{' --no-peer' if args.no_peer else ''}"
        f"{'' if args.memory else ' --no-memory'}`"
    )
    peer_note = "."
    if peer is not None:
        theirs = "neuraloperator FNO"
        ratios = f"time {base / statistics.median(seconds[theirs]):.2f}"
        if base_peak and peak[theirs]:
            ratios += f", peak memory {base_peak / peak[theirs]:.2f}"
        peer_note = (
            "; neuraloperator's FNO runs unpadded (its default), so it computes on fewer "
            "points. Time ratio: s/epoch over pdec's, epochs interleaved; memory ratio: "
            f"peak over pdec's. pdec / neuraloperator: {ratios}."
        )
    table = "\n".join(
        [
            f"### Darcy operator (FNO) — {time.strftime('%Y-%m-%d')}, torch {torch.__version__}, "
            f"{args.device} ({platform.machine()}), {args.threads} thread(s)",
            "",
            f"{command} — data {data_seconds:.0f} s, total wall {wall:.0f} s. Relative L2 (mean "
            f"over {args.test} held-out pairs) at {args.res}² (trained) and {args.eval_res}² "
            "(same coefficients, solved on the finer grid). pdec pads each non-periodic "
            f"axis by 1/8 ({args.res}² → {'×'.join(map(str, _padded(ours, args.res)))} in the "
            f"Fourier layers){peer_note}{memory_note}",
            "",
            f"| model | parameters | rel. L2 {args.res}² | rel. L2 {args.eval_res}² | "
            "s / epoch | time ratio | peak MiB | memory ratio |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    if args.no_publish:
        print(table)
    else:
        publish(table)


def _padded(model, res: int) -> tuple[int, ...]:
    return tuple(n + p for n, p in zip((res, res), model.fno.pads((res, res))))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
