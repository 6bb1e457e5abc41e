"""The GPU benchmark: pdec's training speed and accuracy on one device, in one script of
at most five minutes (``--budget``), each section's table printed and appended to
benchmarks/RESULTS.md as soon as it is done.

    python -m benchmarks.gpu [--device auto|cuda|cpu] [--quick] [--no-publish]
                             [--threads N] [--budget SECONDS] [--strict]

Sections:

1. **Burgers PINN step time** (specs/burgers.pde; 8×20 tanh at 10,000 interior points
   and 5×100 at 200,000; ``--quick``: 2×8 at 500 and 2×16 at 2,000; 500 initial and
   500 boundary points). Rows: pdec with the whole step compiled (``compile="step"``:
   on CUDA, torch.compile's "reduce-overhead" mode, i.e. CUDA graphs), with the
   residuals compiled (``compile="residuals"``), eager (``compile=False``); the
   hand-written PyTorch PINN of benchmarks/handwritten/burgers_pinn.py; DeepXDE where
   it is installed (``--quick``: the compiled rows at the first size only, as a cold
   torch.compile takes 10–30 s on a CPU). ms / step is the median over the steps after
   the first 20 (``--quick``: 4) (pdec: from its History, one record per step; every
   trainer reads the loss back each step, which synchronises the device); compile /
   warm-up s is the wall time of the whole run beyond steps × that median (set-up,
   compiling, the first steps' extra cost); peak memory is
   ``torch.cuda.max_memory_allocated`` per row on CUDA, the process's peak resident
   memory so far on the CPU. The note says when pdec fell back to eager (its
   "pdec: ..." messages), when torch.compile broke the graph, or skipped CUDA graphs.
2. **The fault job**: specs/fault.pde trained with its own ``train:`` hints (2000 Adam
   + 100 L-BFGS steps; ``--quick``: 50 + 5 on few points): the wall time of the whole
   ``fit`` and the relative L2 error of ``model.evaluate()`` against the spec's closed
   form. Target on an H200: ≤ 20 s, error ≈ 1e-3.
3. **Darcy FNO time per epoch** (specs/darcy.pde, operator target): 200 pairs at 64²
   from pdec's own generator (``--quick``: 8 at 16²), batch 20, ``fit(device=...)``;
   seconds per epoch is the median over the epochs after the first. neuraloperator's FNO
   (same width, modes and layers, a plain Adam loop on the same batches) where installed.

Each row is measured on its own: an exception becomes the row's error (its first line
in the table) instead of ending the run, unless ``--strict``; each row's numbers are
also printed as soon as it is done. Once the elapsed time passes the budget (in section
1: the budget less a quarter of it, kept for sections 2 and 3) the remaining rows are
skipped, with "skipped: budget", and a row still running then is stopped (SIGALRM) with
an error. Generated code and runs go to a temporary directory. ``main(argv)`` returns
the rows (dicts), for the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import io
import math
import os
import platform
import resource
import shlex
import signal
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

import pdec
from benchmarks.handwritten.burgers_pinn import (
    NU,
    T_RANGE,
    X_RANGE,
    BurgersPinn,
    Points,
    sample_points,
    train_step,
)
from benchmarks.results import publish
from pdec.runtime.options import OperatorFitOptions

ROOT = Path(__file__).resolve().parents[1]
BOUNDARY_POINTS = 500  # initial points, and boundary points (pdec: per condition)
BURGERS_RESERVE = 0.25  # of the budget, kept for sections 2 and 3 (~60 s on an H200)
FALLBACK_MARKERS = ("not used", "not compiled")  # in pdec's "pdec: ..." messages


@dataclass(frozen=True)
class Size:
    """A Burgers PINN size and how long to time it."""

    depth: int
    width: int
    points: int
    steps: int
    warmup: int  # steps left out of the median (compiling, CUDA graph recording)

    @property
    def label(self) -> str:
        return f"{self.depth}×{self.width} tanh, {self.points:,} points"


FULL_SIZES = (Size(8, 20, 10_000, 300, 20), Size(5, 100, 200_000, 150, 20))
QUICK_SIZES = (Size(2, 8, 500, 12, 4), Size(2, 16, 2_000, 12, 4))
# (row, compile option), in the table's order; measured in this order after the
# hand-written baseline, so that the whole step is the last thing the budget cuts
PDEC_ROWS = (
    ("pdec, whole step captured", "step"),
    ("pdec, residuals compiled", "residuals"),
    ("pdec, eager", False),
)
HANDWRITTEN = "hand-written PyTorch"
DEEPXDE = "DeepXDE"


@dataclass(frozen=True)
class Darcy:
    pairs: int
    res: int
    epochs: int
    modes: int
    width: int


FULL_DARCY = Darcy(pairs=200, res=64, epochs=12, modes=12, width=32)
QUICK_DARCY = Darcy(pairs=8, res=16, epochs=3, modes=4, width=8)


class OverBudget(BaseException):
    """Raised in a row still running when the budget runs out (a BaseException: pdec's
    and torch's ``except Exception`` fallbacks must not swallow it)."""


class Clock:
    """Elapsed time against the budget. Within :meth:`alarms` (on the main thread, where
    signals go), a row that runs past its limit is stopped with :class:`OverBudget`, so
    that a slow compile cannot overrun the budget."""

    def __init__(self, budget: float):
        self.budget = budget
        self.start = time.perf_counter()
        self.armed = False  # alarms installed
        self.measuring = False  # a row is running under :meth:`limit`

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def spent(self, reserve: float = 0.0) -> bool:
        return self.elapsed() > self.budget - reserve

    @contextlib.contextmanager
    def alarms(self):
        main = threading.current_thread() is threading.main_thread()
        if not hasattr(signal, "setitimer") or not main:
            yield
            return

        def stop(signum, frame):
            if self.measuring:
                raise OverBudget(f"stopped: the budget of {self.budget:g} s ran out")

        previous = signal.signal(signal.SIGALRM, stop)
        self.armed = True
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            self.armed = False

    @contextlib.contextmanager
    def limit(self, reserve: float = 0.0):
        """Runs the block, stopping it once the budget less ``reserve`` is spent."""
        if self.armed:
            left = self.budget - reserve - self.elapsed()
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
        self.measuring = True
        try:
            yield
        finally:
            self.measuring = False
            if self.armed:
                signal.setitimer(signal.ITIMER_REAL, 0)


@dataclass
class Context:
    """What every section needs: the device, the options, where to write, the clock."""

    device: torch.device
    quick: bool
    strict: bool
    out: Path
    clock: Clock
    command: str = ""


# -- measuring ---------------------------------------------------------------------------


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def fresh_memory(device: torch.device) -> None:
    """Free what the previous row left and restart the peak (CUDA)."""
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def peak_mib(device: torch.device) -> float:
    """CUDA: the peak allocated since :func:`fresh_memory`; CPU: the process's peak
    resident memory so far (Linux reports KiB, macOS bytes)."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def reset_compiler() -> None:
    """A clean torch.compile state for each row: no cached graphs (their recompile
    limit would silently turn a later row eager), no CUDA graph pools, no counters."""
    import torch._dynamo  # noqa: PLC0415 - loads the compiler only when it is used
    from torch._dynamo.utils import counters  # noqa: PLC0415

    torch._dynamo.reset()
    counters.clear()


def compiler_notes(device: torch.device) -> list[str]:
    """Graph breaks and skipped CUDA graphs that torch.compile counted in this row."""
    from torch._dynamo.utils import counters  # noqa: PLC0415

    notes = []
    breaks = sum(counters["graph_break"].values())
    if breaks:
        notes.append(f"{breaks} graph break(s)")
    skips = counters["inductor"].get("cudagraph_skips", 0)
    if device.type == "cuda" and skips:
        notes.append(f"CUDA graphs skipped ({skips}×)")
    return notes


class Tee(io.TextIOBase):
    """Writes to the stream and keeps a copy."""

    def __init__(self, stream):
        self.stream, self.copy = stream, io.StringIO()

    def write(self, text: str) -> int:
        self.stream.write(text)
        self.copy.write(text)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()


@contextlib.contextmanager
def pdec_messages():
    """Yields a list that, on exit, holds the "pdec: ..." lines printed on stderr."""
    tee = Tee(sys.stderr)
    lines: list[str] = []
    try:
        with contextlib.redirect_stderr(tee):
            yield lines
    finally:
        lines.extend(line for line in tee.copy.getvalue().splitlines() if line.startswith("pdec:"))


def fallbacks(lines: list[str]) -> list[str]:
    return [
        line.removeprefix("pdec: ")[:160]
        for line in lines
        if any(marker in line for marker in FALLBACK_MARKERS)
    ]


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"[:200]


def measured(ctx: Context, row: dict, measure: Callable[[], dict], reserve: float = 0.0) -> dict:
    """``row`` completed by ``measure()``: skipped once the budget less ``reserve`` is
    spent, and stopped if it runs past that; an exception becomes the row's error
    unless ``ctx.strict``."""
    if ctx.clock.spent(reserve):
        return {**row, "skipped": "budget", "note": "skipped: budget"}
    print(f"[{ctx.clock.elapsed():6.1f} s] {row['section']}: {row['name']} ...", flush=True)
    try:
        with ctx.clock.limit(reserve):
            row = {**row, **measure()}
    except (Exception, OverBudget) as error:
        if ctx.strict:
            raise
        row = {**row, "error": first_line(error), "traceback": traceback.format_exc()}
    finally:
        # on the GPU a failed row can leave a broken compiler state for the next one
        with contextlib.suppress(Exception):
            reset_compiler()
    print(f"    {summary(row)}", flush=True)  # in the log even if the run dies later
    return row


def summary(row: dict) -> str:
    numbers = [f"{key} {value:.4g}" for key, value in row.items() if isinstance(value, float)]
    return ", ".join(numbers + [_note(row)] if _note(row) else numbers)


def median_ms(seconds: list[float]) -> float:
    return 1000 * statistics.median(seconds)


# -- section 1: Burgers PINN step time --------------------------------------------------


def pdec_burgers(Model, size: Size, device: torch.device, compile) -> dict:  # noqa: A002
    """ms per step of pdec's ``fit`` with ``compile``, from its per-step History."""
    reset_compiler()
    fresh_memory(device)
    model = Model(layers=(size.depth, size.width), seed=0, device=device.type, dtype="float32")
    start = time.perf_counter()
    with pdec_messages() as messages:
        history = model.fit(
            steps=size.steps,
            lbfgs_steps=0,
            points=size.points,
            boundary_points=BOUNDARY_POINTS,
            progress=False,
            compile=compile,
            log_every=1,
        )
    synchronize(device)
    wall = time.perf_counter() - start
    durations = history.durations
    if len(durations) != size.steps:
        raise RuntimeError(f"{len(durations)} records for {size.steps} steps")
    ms = median_ms(durations[size.warmup :])
    notes = fallbacks(messages) + (compiler_notes(device) if compile else [])
    return {
        "ms_per_step": ms,
        "warmup_s": max(wall - size.steps * ms / 1000, 0.0),
        "peak_mib": peak_mib(device),
        "note": "; ".join(notes),
        "fallback": bool(fallbacks(messages)),
    }


def on_device(points: Points, device: torch.device) -> Points:
    return Points(
        *(
            tuple(v.detach().to(device).requires_grad_(v.requires_grad) for v in pair)
            for pair in points
        )
    )


def handwritten_burgers(size: Size, device: torch.device) -> dict:
    """ms per step of the hand-written PINN on as many points, the loss read back each
    step as pdec's trainer does."""
    fresh_memory(device)
    start = time.perf_counter()
    generator = torch.Generator().manual_seed(0)
    points = on_device(
        sample_points(size.points, BOUNDARY_POINTS, BOUNDARY_POINTS, generator), device
    )
    model = BurgersPinn(size.depth, size.width, generator=generator).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    seconds = []
    for _ in range(size.steps):
        tic = time.perf_counter()
        loss = float(train_step(model, optimizer, points))
        seconds.append(time.perf_counter() - tic)
    wall = time.perf_counter() - start
    if not math.isfinite(loss):
        raise FloatingPointError(f"the hand-written loss is {loss}")
    ms = median_ms(seconds[size.warmup :])
    return {
        "ms_per_step": ms,
        "warmup_s": max(wall - size.steps * ms / 1000, 0.0),
        "peak_mib": peak_mib(device),
        "note": "",
    }


def deepxde_burgers(size: Size, device: torch.device) -> dict:
    """ms per step of DeepXDE's TimePDE on the same points and network (its own
    initial weights), timed at the start of each step by a callback."""
    if importlib.util.find_spec("deepxde") is None:
        return {"note": "not installed"}
    os.environ.setdefault("DDE_BACKEND", "pytorch")
    fresh_memory(device)
    start = time.perf_counter()
    # drawn before the import: deepxde makes CUDA the default device where there is one
    generator = torch.Generator().manual_seed(0)
    points = sample_points(size.points, BOUNDARY_POINTS, BOUNDARY_POINTS, generator)
    with contextlib.redirect_stdout(io.StringIO()):
        import deepxde as dde  # noqa: PLC0415 - optional

    if dde.backend.backend_name != "pytorch":
        raise RuntimeError(f"DeepXDE backend is {dde.backend.backend_name}, not pytorch")
    # build and train on our device, whatever deepxde made the default
    torch.set_default_device(device if device.type == "cuda" else None)
    try:
        ms = _deepxde_ms(dde, size, points, device)
    finally:
        torch.set_default_device(None)
    wall = time.perf_counter() - start
    return {
        "ms_per_step": ms,
        "warmup_s": max(wall - size.steps * ms / 1000, 0.0),
        "peak_mib": peak_mib(device),
        "note": f"DeepXDE {dde.__version__}",
    }


def _deepxde_ms(dde, size: Size, points: Points, device: torch.device) -> float:
    dde.config.set_default_float("float32")

    def xt(pair):  # DeepXDE's inputs are (x, t)
        t, x = (v.detach().numpy() for v in pair)
        return np.stack([x, t], axis=1).astype(np.float32)

    def pde(X, u):
        u_x = dde.grad.jacobian(u, X, i=0, j=0)
        u_t = dde.grad.jacobian(u, X, i=0, j=1)
        u_xx = dde.grad.hessian(u, X, i=0, j=0)
        return u_t + u * u_x - NU * u_xx

    initial, walls = xt(points.initial), xt(points.boundary)
    data = dde.data.TimePDE(
        dde.geometry.GeometryXTime(
            dde.geometry.Interval(*X_RANGE), dde.geometry.TimeDomain(*T_RANGE)
        ),
        pde,
        [
            dde.icbc.PointSetBC(initial, -np.sin(np.pi * initial[:, :1])),
            dde.icbc.PointSetBC(walls, np.zeros((len(walls), 1), dtype=np.float32)),
        ],
        num_domain=0,
        num_boundary=0,
        num_initial=0,
        anchors=xt(points.interior),
    )
    net = dde.nn.FNN([2] + [size.width] * size.depth + [1], "tanh", "Glorot normal")
    model = dde.Model(data, net)
    with contextlib.redirect_stdout(io.StringIO()):
        model.compile("adam", lr=1e-3)

    class Clock(dde.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.starts: list[float] = []

        def on_batch_begin(self):
            synchronize(device)
            self.starts.append(time.perf_counter())

    clock = Clock()
    with contextlib.redirect_stdout(io.StringIO()):
        model.train(iterations=size.steps, display_every=10**9, verbose=0, callbacks=[clock])
    return median_ms(np.diff(clock.starts)[size.warmup :].tolist())


def burgers_rows(ctx: Context) -> list[dict]:
    Model = pdec.compile(ROOT / "specs" / "burgers.pde", target="pinn", out_dir=ctx.out / "burgers")
    reserve = BURGERS_RESERVE * ctx.clock.budget
    rows = []
    for index, size in enumerate(QUICK_SIZES if ctx.quick else FULL_SIZES):

        def row(name, kind, size=size):
            return {"section": "burgers", "size": size.label, "name": name, "kind": kind}

        hand = measured(
            ctx,
            row(HANDWRITTEN, "handwritten"),
            lambda s=size: handwritten_burgers(s, ctx.device),
            reserve,
        )
        ours = {}
        for name, mode in PDEC_ROWS:
            if ctx.quick and mode and index > 0:  # a cold torch.compile on the CPU: 10–30 s
                ours[name] = {**row(name, "pdec"), "skipped": "quick", "note": "skipped: --quick"}
                continue
            ours[name] = measured(
                ctx,
                row(name, "pdec"),
                lambda s=size, m=mode: pdec_burgers(Model, s, ctx.device, m),
                reserve,
            )
        peer = measured(
            ctx, row(DEEPXDE, "deepxde"), lambda s=size: deepxde_burgers(s, ctx.device), reserve
        )
        for entry in (*ours.values(), hand, peer):
            if entry.get("ms_per_step") and hand.get("ms_per_step"):
                entry["ratio"] = entry["ms_per_step"] / hand["ms_per_step"]
            rows.append(entry)
    return rows


def burgers_table(rows: list[dict], ctx: Context) -> str:
    lines = [
        f"| size | trainer | ms / step | × hand-written | compile / warm-up s | {memory(ctx)} "
        "| note |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['size']} | {row['name']} | {_number(row, 'ms_per_step', '.2f')} | "
            f"{_number(row, 'ratio', '.2f')} | {_number(row, 'warmup_s', '.1f')} | "
            f"{_number(row, 'peak_mib', '.0f')} | {_note(row)} |"
        )
    timed = "; ".join(
        f"{s.label}: {s.steps} steps, the median of the last {s.steps - s.warmup}"
        for s in (QUICK_SIZES if ctx.quick else FULL_SIZES)
    )
    return (
        f"{heading(BURGERS, ctx)}\n\n"
        f"float32, Adam, {BOUNDARY_POINTS} initial + {BOUNDARY_POINTS} boundary points; "
        f"{timed}. Compile / warm-up: wall time beyond steps × the median step. "
        + (
            "Whole step captured = torch.compile mode reduce-overhead (CUDA graphs).\n\n"
            if ctx.device.type == "cuda"
            else "\n\n"
        )
        + "\n".join(lines)
        + "\n"
    )


# -- section 2: the fault job -----------------------------------------------------------


def fault_fit(ctx: Context) -> dict:
    """Wall time of the fault PINN's whole ``fit`` on its own hints, and its error."""
    Model = pdec.compile(ROOT / "specs" / "fault.pde", target="pinn", out_dir=ctx.out / "fault")
    given = dict(steps=50, lbfgs_steps=5, points=200, boundary_points=50) if ctx.quick else {}
    hints = {**Model.default_options, **given}
    fresh_memory(ctx.device)
    model = Model(seed=0, device=ctx.device.type)
    start = time.perf_counter()
    with pdec_messages() as messages:
        history = model.fit(progress=False, **given)
    synchronize(ctx.device)
    seconds = time.perf_counter() - start
    errors = model.evaluate()
    return {
        "steps": f"{hints['steps']} + {hints.get('lbfgs_steps', 0)}",
        "layers": "×".join(map(str, hints.get("layers", ("?",)))),
        "fit_s": seconds,
        "rel_l2": errors["u"],
        "final_loss": history.final.loss if history.final else float("nan"),
        "peak_mib": peak_mib(ctx.device),
        "note": "; ".join(fallbacks(messages)),
    }


def fault_rows(ctx: Context) -> list[dict]:
    row = {"section": "fault", "name": "pdec fault PINN", "kind": "pdec"}
    return [measured(ctx, row, lambda: fault_fit(ctx))]


def fault_table(rows: list[dict], ctx: Context) -> str:
    lines = [
        "| spec | layers | Adam + L-BFGS steps | fit s | rel. L2 (u) | final loss | "
        f"{memory(ctx)} | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| fault.pde | {row.get('layers', '–')} | {row.get('steps', '–')} | "
            f"{_number(row, 'fit_s', '.1f')} | {_number(row, 'rel_l2', '.2e')} | "
            f"{_number(row, 'final_loss', '.2e')} | {_number(row, 'peak_mib', '.0f')} | "
            f"{_note(row)} |"
        )
    return (
        f"{heading(FAULT, ctx)}\n\n"
        "specs/fault.pde with its `train:` hints"
        + (" (--quick: 50 + 5 steps, 200 interior and 50 boundary points)" if ctx.quick else "")
        + "; fit s is the whole `fit` call (torch.compile, if any, included); rel. L2 from "
        "`model.evaluate()` against the closed form. Target on an H200: ≤ 20 s, ≈ 1e-3.\n\n"
        + "\n".join(lines)
        + "\n"
    )


# -- section 3: Darcy FNO time per epoch ------------------------------------------------


def darcy_data(setup: Darcy):
    from pdec.reference.operator_data import generate_operator_data  # noqa: PLC0415

    spec = pdec.load(ROOT / "specs" / "darcy.pde")
    return spec, generate_operator_data(spec, setup.pairs, setup.res, seed=0)


def pdec_darcy(ctx: Context, spec, data, setup: Darcy, models: dict) -> dict:
    """Seconds per epoch of the generated FNO's ``fit`` on the device."""
    Model = pdec.compile(spec, target="operator", out_dir=ctx.out / "darcy")
    fresh_memory(ctx.device)
    model = Model(modes=setup.modes, width=setup.width, seed=0)
    if "device" in OperatorFitOptions.model_fields:
        on = {"device": ctx.device.type}  # the pairs go to the device a batch at a time
    else:  # an older runtime: the model and the pairs where they are
        model.to(ctx.device)
        on = {}
    history = model.fit(
        data.inputs, data.outputs, epochs=setup.epochs, batch_size=20, progress=False, **on
    )
    models["pdec"] = model
    return _epoch_times(history.durations, ctx.device)


def neuralop_darcy(ctx: Context, data, setup: Darcy, models: dict) -> dict:
    """Seconds per epoch of neuraloperator's FNO (same width, modes, layers) in a plain
    Adam loop on batches of 20, moved to the device one at a time as pdec's are."""
    if importlib.util.find_spec("neuralop") is None:
        return {"note": "not installed"}
    from benchmarks.operator_darcy import (  # noqa: PLC0415
        ScaledPeer,
        adam,
        epoch_orders,
        neuraloperator_fno,
    )
    from pdec.runtime.operator import relative_l2  # noqa: PLC0415

    ours = models.get("pdec")
    if ours is None:
        raise RuntimeError("needs pdec's model for its input and output scales")
    fresh_memory(ctx.device)
    torch.manual_seed(0)
    scales = (ours.input_mean, ours.input_scale, ours.output_scale)
    model = ScaledPeer(neuraloperator_fno(setup.width, setup.modes), *scales).to(ctx.device)
    optimizer = adam(model, 1e-3)
    a = torch.as_tensor(data.inputs, dtype=torch.float32)
    u = torch.as_tensor(data.outputs, dtype=torch.float32)
    seconds = []
    for _, order in zip(range(setup.epochs), epoch_orders(a.shape[0])):
        tic = time.perf_counter()
        for batch in order.split(20):
            optimizer.zero_grad()
            target = u[batch].to(ctx.device, non_blocking=True)
            loss = relative_l2(model(a[batch].to(ctx.device, non_blocking=True)), target).mean()
            loss.backward()
            optimizer.step()
            float(loss)  # read back each batch, as pdec's training does
        synchronize(ctx.device)
        seconds.append(time.perf_counter() - tic)
    import neuralop  # noqa: PLC0415

    return {**_epoch_times(seconds, ctx.device), "note": f"neuraloperator {neuralop.__version__}"}


def _epoch_times(seconds: list[float], device: torch.device) -> dict:
    later = seconds[1:] or seconds
    return {
        "s_per_epoch": statistics.median(later),
        "first_epoch_s": seconds[0],
        "peak_mib": peak_mib(device),
        "note": "",
    }


def darcy_rows(ctx: Context) -> list[dict]:
    setup = QUICK_DARCY if ctx.quick else FULL_DARCY
    base = {"section": "darcy", "pairs": setup.pairs, "res": setup.res, "epochs": setup.epochs}
    held: dict = {}
    data_row = measured(
        ctx, {**base, "name": "data", "kind": "data"}, lambda: _timed_data(setup, held)
    )
    if "data" not in held:
        return [data_row]
    spec, data = held["data"]
    models: dict = {}
    return [
        data_row,
        measured(
            ctx,
            {**base, "name": "pdec DarcyOperator (FNO)", "kind": "pdec"},
            lambda: pdec_darcy(ctx, spec, data, setup, models),
        ),
        measured(
            ctx,
            {**base, "name": "neuraloperator FNO", "kind": "neuralop"},
            lambda: neuralop_darcy(ctx, data, setup, models),
        ),
    ]


def _timed_data(setup: Darcy, held: dict) -> dict:
    start = time.perf_counter()
    held["data"] = darcy_data(setup)
    return {"data_s": time.perf_counter() - start, "note": ""}


def darcy_table(rows: list[dict], ctx: Context) -> str:
    setup = QUICK_DARCY if ctx.quick else FULL_DARCY
    data = next((row for row in rows if row["kind"] == "data"), {})
    lines = [
        f"| model | s / epoch | first epoch s | {memory(ctx)} | note |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        if row["kind"] == "data":
            if row.get("error") or row.get("skipped"):
                lines.append(f"| data | – | – | – | {_note(row)} |")
            continue
        lines.append(
            f"| {row['name']} | {_number(row, 's_per_epoch', '.3f')} | "
            f"{_number(row, 'first_epoch_s', '.3f')} | {_number(row, 'peak_mib', '.0f')} | "
            f"{_note(row)} |"
        )
    return (
        f"{heading(DARCY, ctx)}\n\n"
        f"{setup.pairs} pairs at {setup.res}² from `pdec.reference` "
        f"({_number(data, 'data_s', '.1f')} s to generate), width {setup.width}, modes "
        f"{setup.modes}, 4 layers, batch 20, {setup.epochs} epochs; s / epoch: median over "
        "the epochs after the first.\n\n" + "\n".join(lines) + "\n"
    )


# -- tables ------------------------------------------------------------------------------


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"CPU, {torch.get_num_threads()} thread(s)"


def memory(ctx: Context) -> str:
    if ctx.device.type == "cuda":
        return "peak MiB (max_memory_allocated)"
    return "peak RSS MiB (process)"


def heading(title: str, ctx: Context) -> str:
    return (
        f"### GPU benchmark: {title} — {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
        f"torch {torch.__version__}, {device_name(ctx.device)}\n\n`{ctx.command}`"
    )


def _number(row: dict, key: str, spec: str) -> str:
    value = row.get(key)
    return "–" if value is None else format(value, spec)


def _note(row: dict) -> str:
    parts = [f"error: {row['error']}"] if row.get("error") else []
    if row.get("note"):
        parts.append(row["note"])
    return "; ".join(parts).replace("|", "/").replace("\n", " ")


BURGERS, FAULT, DARCY = "Burgers PINN step time", "The fault job", "Darcy FNO time per epoch"
SECTIONS = (  # (rows' section, heading, rows, table)
    ("burgers", BURGERS, burgers_rows, burgers_table),
    ("fault", FAULT, fault_rows, fault_table),
    ("darcy", DARCY, darcy_rows, darcy_table),
)


def run_section(ctx: Context, section, title, measure, table) -> tuple[list[dict], str]:
    """The section's rows and table; one row with the error if setting it up failed."""
    if ctx.clock.spent():
        return [
            {"section": section, "name": section, "skipped": "budget"}
        ], f"{heading(title, ctx)}\n\nskipped: budget\n"
    try:
        found = measure(ctx)
        return found, table(found, ctx)
    except Exception as error:
        if ctx.strict:
            raise
        row = {"section": section, "name": section, "error": first_line(error)}
        row["traceback"] = traceback.format_exc()
        print(row["traceback"], file=sys.stderr, flush=True)
        return [row], f"{heading(title, ctx)}\n\nerror: {_note(row)}\n"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("auto", "cuda", "cpu"), default="auto")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a CPU smoke test")
    parser.add_argument("--no-publish", action="store_true", help="print only")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds; then skip")
    parser.add_argument("--strict", action="store_true", help="raise a row's exception")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> list[dict]:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse(argv)
    threads = torch.get_num_threads()
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        return run(args, argv)
    finally:
        torch.set_num_threads(threads)  # main may run inside a test session


def run(args: argparse.Namespace, argv: list[str]) -> list[dict]:
    from pdec.runtime.devices import resolve_device  # noqa: PLC0415

    device = resolve_device(args.device)
    if device.type == "cuda":  # start CUDA and cuBLAS outside the first row's timing
        torch.ones(8, 8, device=device).matmul(torch.ones(8, 8, device=device))
        synchronize(device)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="pdec-gpu-") as out:
        command = shlex.join(["python", "-m", "benchmarks.gpu", *argv])
        ctx = Context(device, args.quick, args.strict, Path(out), Clock(args.budget), command)
        with ctx.clock.alarms():
            for section in SECTIONS:
                found, text = run_section(ctx, *section)
                rows.extend(found)
                if args.no_publish:
                    print(text, flush=True)
                else:
                    publish(text)
    print(f"total {ctx.clock.elapsed():.0f} s", flush=True)
    return rows


if __name__ == "__main__":
    main()
