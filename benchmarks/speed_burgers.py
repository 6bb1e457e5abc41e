"""Benchmark: time per Adam step of the Burgers PINN — pdec's module, by hand, DeepXDE.

    python -m benchmarks.speed_burgers [--steps N] [--repeats R] [--warmup W]
                                       [--layers 8x20] [--points 10000]
                                       [--boundary-points 500] [--threads T]

Three trainers of `specs/burgers.pde` (u_t + u u_x = ν u_xx, ν = 0.01/π):

* **generated**: the module ``pdec.compile`` writes, trained with its ``fit``
  (derivatives pushed forward with the values, :mod:`pdec.runtime.jets`); two more rows
  run it with ``compile=True`` (torch.compile, which the forward jets allow) and with
  ``derivatives="autograd"`` (nested autograd, as by hand);
* **hand-written**: benchmarks/handwritten/burgers_pinn.py, plain PyTorch with nested
  ``torch.autograd.grad``;
* **DeepXDE** 1.15 with its PyTorch backend (skipped, with a note, when ``deepxde`` is
  not installed): ``TimePDE`` with the interior points as ``anchors`` and the initial
  and boundary points as ``PointSetBC``, so its three loss terms are pdec's.

All three get the same network (pdec's: inputs scaled onto [-1, 1], DEPTH×WIDTH tanh,
the same initial weights), the same points (those pdec's ``fit`` draws with seed 0:
``--points`` interior, ``--boundary-points`` initial and as many boundary), the same
loss (Σ over the three terms of the mean squared residual), Adam with lr 1e-3, float32
and ``--threads`` threads. Before timing, each reports its loss terms at the shared
initial weights: they agree to round-off, or the script says they do not.

A fourth row, **hand-written in a process with pdec loaded**, runs the hand-written
trainer in a process that has also compiled and built pdec's model, as the generated
trainer's process has: the difference between the two hand-written rows is what the
process (not the code) costs.

Each trainer runs in its own process (so the peak RSS is its own), started one after
the other. After ``--warmup`` steps, the trainers take turns (A B C A B C ...) for
``--repeats`` rounds; in each round a trainer runs ``--steps`` + 1 Adam steps of its
own training loop and the time of the last ``--steps`` is divided by ``--steps``.
The table gives the median and the minimum over the rounds and the ratios of the
medians. Prints the table and appends it to benchmarks/RESULTS.md.

``--threads`` defaults to ``torch.get_num_threads()``. On a machine other jobs share,
give fewer threads than there are free cores: with more, the threads of every op wait
for each other (on 2 busy cores, 2 threads made each step about 10× slower than 1).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from benchmarks.handwritten import burgers_pinn
from benchmarks.results import publish

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "burgers.pde"
TERMS = ("momentum", "start", "walls")  # the spec's names: pde, initial, boundary
LABELS = {
    "generated": "generated (pdec)",
    "generated_compiled": "generated (pdec), `compile=True`",
    "generated_autograd": 'generated (pdec), `derivatives="autograd"`',
    "handwritten": "hand-written PyTorch",
    "handwritten_pdec": "hand-written PyTorch, in a process with pdec loaded",
    "deepxde": "DeepXDE {version} (pytorch)",
}


@dataclass(frozen=True)
class Setup:
    """What all trainers share."""

    depth: int = 8
    width: int = 20
    points: int = 10000  # interior
    boundary_points: int = 500  # initial, and as many on the boundary
    lr: float = 1e-3
    seed: int = 0
    threads: int = 1
    out: Path = ROOT / "runs" / "benchmarks" / "burgers"


def compile_model(setup: Setup, **options):
    """The generated class, and a model of it with ``setup``'s network on the CPU
    (``options``: more model options)."""
    import pdec  # here, so that the other trainers' processes do not load it

    Model = pdec.compile(SPEC, target="pinn", out_dir=setup.out)
    model = Model(
        layers=(setup.depth, setup.width), seed=setup.seed, device="cpu", dtype="float32", **options
    )
    return Model, model


def draw_points(model, setup: Setup) -> dict[str, dict[str, np.ndarray]]:
    """The (t, x) points pdec's ``fit`` trains on with ``seed = setup.seed``: each term's
    sampler in term order, from one seeded generator (as ``fit`` draws them)."""
    generator = torch.Generator().manual_seed(setup.seed)
    samplers, interior = model.samplers(), set(model.pde_terms())
    points = {}
    for name in model.residual_names:
        count = setup.points if name in interior else setup.boundary_points
        drawn = samplers[name].sample(count, generator, "uniform")
        points[name] = {"t": drawn["t"].numpy(), "x": drawn["x"].numpy()}
    return points


# ---- the trainers: build, loss terms at the current weights, timed training ---------------


class Generated:
    """pdec's generated module, trained with ``model.fit``; ``fit`` draws the points
    itself (the same as ``points``: the initial losses show it)."""

    untimed_steps = 1  # the steps a call of seconds_per_step runs besides those it times
    model_options: dict = {}
    fit_options: dict = {"compile": False}  # eager: the default for runs this short

    def __init__(self, setup: Setup, points, state: dict[str, torch.Tensor]):
        _, self.model = compile_model(setup, **self.model_options)
        self.model.network.load_state_dict(state)
        self.options = dict(
            **self.fit_options,
            lbfgs_steps=0,
            points=setup.points,
            boundary_points=setup.boundary_points,
            lr=setup.lr,
            seed=setup.seed,
            progress=False,
            checkpoint_dir=None,
        )
        self.version = None

    def parameters(self):
        return self.model.parameters()

    def loss_terms(self) -> dict[str, float]:
        return dict(self.model.fit(steps=0, **self.options).final.terms)

    def seconds_per_step(self, steps: int) -> float:
        """Train ``steps`` + 1 Adam steps; seconds per step over the last ``steps``
        (the run's own clock: ``seconds`` of the records at steps 1 and steps + 1)."""
        records = self.model.fit(steps=steps + 1, log_every=steps, **self.options).records
        first, last = records[0], records[-1]
        assert (first.step, last.step) == (1, steps + 1), (first.step, last.step)
        return (last.seconds - first.seconds) / steps


class GeneratedCompiled(Generated):
    """The generated module trained with ``compile=True``: its residuals (forward jets,
    no double backward) through ``torch.compile``; ``fit`` checks the compiled loss and
    gradients against eager mode and falls back, with a message, where they differ."""

    fit_options = {"compile": True}  # compiled on the first fit (the loss terms)


class GeneratedAutograd(Generated):
    """The generated module with ``derivatives="autograd"``: nested autograd, as the
    hand-written trainer, instead of forward jets."""

    model_options = {"derivatives": "autograd"}
    fit_options = {"compile": False}


class HandWritten:
    """benchmarks/handwritten/burgers_pinn.py on the given points."""

    untimed_steps = 1

    def __init__(self, setup: Setup, points, state: dict[str, torch.Tensor]):
        self.model = burgers_pinn.BurgersPinn(setup.depth, setup.width)
        self.model.network.load_state_dict(state)
        self.points = burgers_pinn.Points.from_arrays(
            *[(points[name]["t"], points[name]["x"]) for name in TERMS]
        )
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=setup.lr)
        self.version = None

    def parameters(self):
        return self.model.parameters()

    def loss_terms(self) -> dict[str, float]:
        residuals = self.model.residuals(self.points)
        return {name: float(r.detach().square().mean()) for name, r in residuals.items()}

    def seconds_per_step(self, steps: int) -> float:
        """Train ``steps`` + 1 Adam steps; seconds per step over the last ``steps``."""
        burgers_pinn.train_step(self.model, self.optimizer, self.points)
        start = time.perf_counter()
        for _ in range(steps):
            burgers_pinn.train_step(self.model, self.optimizer, self.points)
        return (time.perf_counter() - start) / steps


class DeepXDE:
    """DeepXDE's ``TimePDE`` and ``Model.train`` on the given points.

    Interior points are ``anchors`` (no points of its own: num_domain, num_boundary and
    num_initial are 0), the initial and boundary points ``PointSetBC``s with values
    −sin(πx) and 0: the same three terms on the same points as pdec. DeepXDE feeds all
    points through the network at once, so it also evaluates the PDE residual at the
    initial and boundary points and drops it there; that is its design, kept.
    Inputs are (x, t) in DeepXDE; a feature transform scales them as pdec does and
    orders them (t, x), so the same weights give the same network.
    """

    untimed_steps = 2

    def __init__(self, setup: Setup, points, state: dict[str, torch.Tensor]):
        os.environ["DDE_BACKEND"] = "pytorch"
        with _quiet():  # its banner and "Set the default float type ..."
            import deepxde as dde

            dde.config.set_default_float("float32")
        if dde.backend.backend_name != "pytorch":
            raise RuntimeError(f"DeepXDE backend is {dde.backend.backend_name}, not pytorch")
        # deepxde makes CUDA the default device where there is one; back to the CPU,
        # without the per-call cost of a default-device mode
        torch.set_default_device(None)
        self.dde, self.version = dde, dde.__version__
        NU, T_RANGE, X_RANGE = burgers_pinn.NU, burgers_pinn.T_RANGE, burgers_pinn.X_RANGE

        def pde(X, u):
            u_x = dde.grad.jacobian(u, X, i=0, j=0)
            u_t = dde.grad.jacobian(u, X, i=0, j=1)
            u_xx = dde.grad.hessian(u, X, i=0, j=0)
            return u_t + u * u_x - NU * u_xx

        def xt(name):
            return np.stack([points[name]["x"], points[name]["t"]], axis=1).astype(np.float32)

        start, walls = xt("start"), xt("walls")
        conditions = [
            dde.icbc.PointSetBC(start, -np.sin(np.pi * start[:, :1])),
            dde.icbc.PointSetBC(walls, np.zeros((len(walls), 1), dtype=np.float32)),
        ]
        geometry = dde.geometry.GeometryXTime(
            dde.geometry.Interval(*X_RANGE), dde.geometry.TimeDomain(*T_RANGE)
        )
        data = dde.data.TimePDE(
            geometry,
            pde,
            conditions,
            num_domain=0,
            num_boundary=0,
            num_initial=0,
            anchors=xt("momentum"),
        )
        net = dde.nn.FNN([2] + [setup.width] * setup.depth + [1], "tanh", "Glorot normal")
        lower = torch.tensor([T_RANGE[0], X_RANGE[0]])
        span = torch.tensor([T_RANGE[1] - T_RANGE[0], X_RANGE[1] - X_RANGE[0]])
        net.apply_feature_transform(lambda X: 2 * ((X[:, [1, 0]] - lower) / span) - 1)
        linears = [key for key in state if key.endswith(".weight")]
        with torch.no_grad():
            for layer, key in zip(net.linears, linears):
                layer.weight.copy_(state[key])
                layer.bias.copy_(state[key.replace(".weight", ".bias")])
        self.model = dde.Model(data, net)
        with _quiet():
            self.model.compile("adam", lr=setup.lr)

    def parameters(self):
        return self.model.net.parameters()

    def loss_terms(self) -> dict[str, float]:
        self.model.train(iterations=0, verbose=0)
        return dict(zip(TERMS, map(float, self.model.train_state.loss_train)))

    def seconds_per_step(self, steps: int) -> float:
        """Train ``steps`` + 2 Adam steps; seconds per step over steps 2 to steps + 1,
        timed at the start of each step by a callback (the last step, which also
        evaluates the test loss, falls outside)."""
        clock = _clock(self.dde)
        self.model.train(iterations=steps + 2, display_every=10**9, verbose=0, callbacks=[clock])
        return (clock.starts[steps + 1] - clock.starts[1]) / steps


@contextlib.contextmanager
def _quiet():
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def _clock(dde):
    class Clock(dde.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.starts: list[float] = []

        def on_batch_begin(self):
            self.starts.append(time.perf_counter())

    return Clock()


class HandWrittenBesidePdec(HandWritten):
    """The hand-written trainer in a process that has also compiled and built pdec's
    model (SymPy, Lark, the generated module loaded, pdec's model alive), as the
    generated trainer's process has: what the process alone costs, apart from the code."""

    def __init__(self, setup: Setup, points, state: dict[str, torch.Tensor]):
        self.neighbour = compile_model(setup)  # kept alive, never trained
        super().__init__(setup, points, state)


TRAINERS = {
    "generated": Generated,
    "generated_compiled": GeneratedCompiled,
    "generated_autograd": GeneratedAutograd,
    "handwritten": HandWritten,
    "handwritten_pdec": HandWrittenBesidePdec,
    "deepxde": DeepXDE,
}


def build(name: str, setup: Setup, points, state):
    """A trainer with ``setup.threads`` threads; checks that it trains in float32."""
    torch.set_num_threads(setup.threads)
    state = {key: torch.as_tensor(value) for key, value in state.items()}
    trainer = TRAINERS[name](setup, points, state)
    dtypes = {p.dtype for p in trainer.parameters()}
    if dtypes != {torch.float32}:
        raise RuntimeError(f"{name} trains in {dtypes}, not float32")
    return trainer


# ---- one process per trainer -------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident set size. On Linux VmHWM: ``ru_maxrss`` would also
    count the parent's RSS, which a spawned child inherits across fork and exec."""
    try:
        status = Path("/proc/self/status").read_text()
        (line,) = [line for line in status.splitlines() if line.startswith("VmHWM:")]
        return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes or kB


def _worker(connection, name: str, setup: Setup, points, state, warmup: int) -> None:
    """Build the trainer and report its initial loss terms; after ``warmup`` steps,
    answer each ``steps`` with (wall, CPU) seconds per step, until None."""
    start_rss = peak_rss_mb()  # torch and numpy loaded
    try:
        trainer = build(name, setup, points, state)
        terms = trainer.loss_terms()
        if warmup:
            trainer.seconds_per_step(warmup)
        connection.send(
            {
                "terms": terms,
                "threads": torch.get_num_threads(),
                "version": trainer.version,
                "start_rss": start_rss,
            }
        )
        while (steps := connection.recv()) is not None:
            cpu = time.process_time()
            seconds = trainer.seconds_per_step(steps)
            cpu = (time.process_time() - cpu) / (steps + trainer.untimed_steps)
            connection.send((seconds, cpu))
        connection.send({"peak_rss": peak_rss_mb()})
    except Exception:
        connection.send({"error": traceback.format_exc()})


class Worker:
    """One trainer in a process of its own (spawned: no state shared with this one)."""

    def __init__(self, name: str, setup: Setup, points, state, warmup: int):
        context = multiprocessing.get_context("spawn")
        self.name = name
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_worker, args=(child, name, setup, points, state, warmup), daemon=True
        )
        self.process.start()
        self.info = self._receive()
        self.seconds: list[float] = []  # wall time per step, one per round
        self.cpu_seconds: list[float] = []  # process CPU time per step, whole call

    def _receive(self):
        message = self.connection.recv()
        if isinstance(message, dict) and "error" in message:
            self.process.join()
            raise RuntimeError(f"{self.name} trainer failed:\n{message['error']}")
        return message

    def time(self, steps: int) -> None:
        self.connection.send(steps)
        seconds, cpu = self._receive()
        self.seconds.append(seconds)
        self.cpu_seconds.append(cpu)

    def close(self) -> None:
        self.connection.send(None)
        self.info.update(self._receive())
        self.process.join()


# ---- the run ----------------------------------------------------------------------------------


def run(
    setup: Setup, steps: int, repeats: int, warmup: int, names=tuple(TRAINERS), log=print
) -> dict:
    """Time the trainers ``names`` (DeepXDE only where it is installed and builds);
    returns their workers, with the seconds per step of each round, and why DeepXDE
    was skipped (or None)."""
    _, model = compile_model(setup)
    points = draw_points(model, setup)
    state = {key: value.numpy().copy() for key, value in model.network.state_dict().items()}
    names = list(names)
    skipped = None
    if "deepxde" in names and importlib.util.find_spec("deepxde") is None:
        skipped = "deepxde is not installed"
        names.remove("deepxde")
    workers = {}
    for name in names:
        log(f"building {name} ...")
        try:
            workers[name] = Worker(name, setup, points, state, warmup)
        except (RuntimeError, EOFError) as error:
            if name != "deepxde":
                raise
            skipped = str(error).strip().splitlines()[-1]
    for repeat in range(repeats):
        for worker in workers.values():
            worker.time(steps)
        log(
            f"round {repeat + 1}/{repeats}: "
            + ", ".join(f"{n} {1e3 * w.seconds[-1]:.1f} ms" for n, w in workers.items())
        )
    for worker in workers.values():
        worker.close()
    return {"workers": workers, "skipped": skipped}


def agreement(workers: dict) -> tuple[float, str]:
    """Largest relative difference of the initial loss terms between trainers."""
    terms = {name: w.info["terms"] for name, w in workers.items()}
    reference = terms["handwritten"]
    worst = max(
        abs(values[t] - reference[t]) / abs(reference[t])
        for values in terms.values()
        for t in TERMS
    )
    losses = ", ".join(f"{sum(values.values()):.7g} ({name})" for name, values in terms.items())
    return worst, losses


def table(setup: Setup, result: dict, steps: int, repeats: int, warmup: int, command: str) -> str:
    workers, skipped = result["workers"], result["skipped"]
    median = {name: statistics.median(w.seconds) for name, w in workers.items()}
    cpu = {name: statistics.median(w.cpu_seconds) for name, w in workers.items()}
    worst, losses = agreement(workers)
    threads = "/".join(map(str, sorted({w.info["threads"] for w in workers.values()})))
    machine = platform.processor() or platform.machine()
    n_points = setup.points + 2 * setup.boundary_points
    lines = [
        f"### Speed: Burgers PINN, time per Adam step — {time.strftime('%Y-%m-%d')}, {machine}, "
        f"torch {torch.__version__}, {threads} thread{'' if threads == '1' else 's'}, CPU\n",
        f"`{command}`\n",
        f"Same for every trainer: the network ({setup.depth}×{setup.width} tanh MLP on "
        "(t, x) scaled onto [-1, 1], the same initial weights), the points "
        f"({setup.points} interior, {setup.boundary_points} at t = 0, "
        f"{setup.boundary_points} at x = ±1: {n_points} in all, those pdec draws with "
        f"seed {setup.seed}), the loss (Σ of the three mean squared residuals; at the "
        f"shared initial weights {losses}: largest relative difference per term "
        f"{worst:.1e}), Adam with lr {setup.lr:g}, float32, the threads. Each trainer in "
        f"its own process; {warmup} warm-up steps, then {repeats} interleaved rounds of "
        f"{steps} timed steps; ms / step: median and minimum over the rounds; ratios of "
        "medians (> 1: slower). CPU ms / step: the process's CPU time over a round's "
        "whole call (set-up and untimed steps included) per step run, median over the "
        "rounds; less disturbed than wall time by other jobs on the machine. Peak RSS "
        "of the trainer's process, libraries included (a process with torch alone: "
        f"{min(w.info['start_rss'] for w in workers.values()):.0f} MB)."
        + (
            " DeepXDE puts all points through the network at once, so it also computes "
            "the PDE residual at the initial and boundary points (and drops it)."
            if "deepxde" in workers
            else ""
        )
        + "\n",
        "| trainer | ms / step (median) | ms / step (min) | × hand-written | × DeepXDE | "
        "CPU ms / step | CPU × hand-written | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, worker in workers.items():
        label = LABELS[name].format(version=worker.info["version"])
        versus = f"{median[name] / median['deepxde']:.2f}" if "deepxde" in median else "—"
        lines.append(
            f"| {label} | {1e3 * median[name]:.1f} | {1e3 * min(worker.seconds):.1f} | "
            f"{median[name] / median['handwritten']:.2f} | {versus} | "
            f"{1e3 * cpu[name]:.1f} | {cpu[name] / cpu['handwritten']:.2f} | "
            f"{worker.info['peak_rss']:.0f} |"
        )
    ratio = median["generated"] / median["handwritten"]
    cpu_ratio = cpu["generated"] / cpu["handwritten"]
    lines.append("")
    lines.append(
        f"generated ≤ hand-written: {'yes' if ratio <= 1 else 'no'} (median wall-time "
        f"ratio {ratio:.2f}; CPU-time ratio {cpu_ratio:.2f})."
    )
    if skipped:
        lines.append(f"DeepXDE skipped: {skipped}.")
    if worst > 1e-4:
        lines.append(
            f"WARNING: the initial losses differ by up to {worst:.1e} (relative): the "
            "trainers do not compute the same loss."
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="timed Adam steps per round")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    parser.add_argument("--layers", default="8x20", help="DEPTHxWIDTH, e.g. 8x20")
    parser.add_argument("--points", type=int, default=10000, help="interior points")
    parser.add_argument(
        "--boundary-points", type=int, default=500, help="initial points, and boundary points"
    )
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    depth, width = (int(n) for n in args.layers.lower().split("x"))
    setup = Setup(
        depth=depth,
        width=width,
        points=args.points,
        boundary_points=args.boundary_points,
        threads=args.threads,
    )
    result = run(setup, args.steps, args.repeats, args.warmup)
    command = (
        f"python -m benchmarks.speed_burgers --steps {args.steps} --repeats {args.repeats} "
        f"--warmup {args.warmup} --layers {args.layers} --points {args.points} "
        f"--boundary-points {args.boundary_points} --threads {args.threads}"
    )
    publish(table(setup, result, args.steps, args.repeats, args.warmup, command))


if __name__ == "__main__":
    main()
