"""PINNacle: five of its cases as pdec specs, trained with its setup, scored with its metric.

    python -m benchmarks.pinnacle [--steps N] [--cases a,b] [--device auto|cpu|cuda]
                                  [--quick] [--no-publish] [--seed S] [--threads T]
                                  [--set KEY=VALUE ...] [--strict] [--progress]

PINNacle (Hao et al., "PINNacle: A Comprehensive Benchmark of Physics-Informed Neural
Networks for Solving PDEs", NeurIPS 2024; github.com/i207M/PINNacle) trains every
method with a 5×100 tanh network, Adam at lr 1e-3 for 20,000 steps, on 8192 domain and
2048 boundary (and 2048 initial) points, four times that for Heat2d-MS. The specs in
specs/pinnacle/ say the same in their ``train:`` lines, plus the pdec levers they use
(quasi-random points, resampling, L-BFGS after Adam, ...). Cases (``--cases``, by spec
name):

| spec | PINNacle case | reference (test points) |
|---|---|---|
| burgers1d_c | Burgers1d-C | COMSOL, benchmarks/data/pinnacle/burgers1d.dat (101 x × 11 t) |
| poisson2d_c | Poisson2d-C | COMSOL, poisson1_cg_data.dat (1246 mesh nodes) |
| ns2d_c      | NS2d-C      | COMSOL, lid_driven_a4.npz (10,201 nodes; u, v, p) |
| wave1d_c    | Wave1d-C    | closed form on PINNacle's 50 × 50 interior grid |
| heat2d_ms   | Heat2d-MS   | closed form on PINNacle's 8 × 8 × 313 interior grid |

The metric is PINNacle's L2RE = sqrt(mean((u − u_ref)²)) / sqrt(mean(u_ref²)), the
means over every test point and every output column together (NS2d-C: u, v and p in
one norm). For the closed forms, the test points are those PINNacle's tester takes
(DeepXDE's ``uniform_points(n, boundary=False)`` with n = 2500 in 2-D, 20,000 in 3-D).
For Burgers1d-C the error against the exact Cole–Hopf solution
(benchmarks/reference/burgers_exact.py) at the same points is reported too: PINNacle's
COMSOL file is itself 1.3e-2 from it.

``--steps`` is the number of Adam steps (default: PINNacle's 20,000); the L-BFGS steps
of the spec's ``train:`` line follow them (``--set lbfgs_steps=0`` to leave them out).
``--set`` overrides a training or model option for every case. ``--quick`` (for CI):
Burgers1d-C and Wave1d-C, 10 Adam and 2 L-BFGS steps on 256 interior and 64 boundary
points, no torch.compile. Times: wall time of the whole ``fit`` (L-BFGS included), and
ms per Adam step from its history. Published bests from PINNacle's main table (the best
L2RE over its methods). A case whose spec does not compile (a feature pdec lacks) gets
a row saying so, unless ``--strict``. Prints the table and appends it to
benchmarks/RESULTS.md unless ``--no-publish``; ``main(argv)`` returns the rows.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

import pdec
from benchmarks.reference.burgers_exact import burgers_exact
from benchmarks.results import publish

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs" / "pinnacle"
DATA = ROOT / "benchmarks" / "data" / "pinnacle"
PINNACLE_STEPS = 20_000
QUICK_CASES = ("burgers1d_c", "wave1d_c")
QUICK_STEPS = 10
QUICK_OPTIONS = {
    "points": 256,
    "boundary_points": 64,
    "lbfgs_steps": 2,
    "resample_every": 0,
    "compile": False,
    "log_every": 1,
}


@dataclass(frozen=True)
class TestSet:
    """Test points (``coords``: name -> (N,) array) and the reference fields there
    (``values``: field -> (N,) array, in the order they are stacked into columns)."""

    coords: dict[str, np.ndarray]
    values: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(next(iter(self.coords.values())))


@dataclass(frozen=True)
class Case:
    name: str  # the spec's file stem in specs/pinnacle
    label: str  # PINNacle's name
    best: float  # PINNacle's best published L2RE
    method: str  # ... and the method that reached it
    test_set: Callable[[], TestSet]
    needs: str | None = None  # a pdec feature beyond 0.1 the spec uses

    @property
    def spec(self) -> Path:
        return SPECS / f"{self.name}.pde"


# -- the metric -----------------------------------------------------------------------


def l2re(predicted, reference) -> float:
    """PINNacle's L2RE: rms(u − u_ref) / rms(u_ref) over all points and all columns.

    Arrays of shape (N,) or (N, k) (k output columns, normed together).

    >>> l2re([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> round(l2re([[1.1, 0.0], [0.0, 2.2]], [[1.0, 0.0], [0.0, 2.0]]), 12)
    0.1
    """
    predicted = np.asarray(predicted, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if predicted.shape != reference.shape:
        raise ValueError(f"l2re: shapes differ, {predicted.shape} and {reference.shape}")
    return float(np.sqrt(np.mean((predicted - reference) ** 2)) / np.sqrt(np.mean(reference**2)))


def columns(values: dict[str, np.ndarray], names) -> np.ndarray:
    """(N, k) array of the fields ``names``, in that order."""
    return np.stack([np.asarray(values[name], dtype=np.float64) for name in names], axis=1)


# -- test sets ------------------------------------------------------------------------


def comsol_times(path: Path) -> np.ndarray:
    """The times of a COMSOL export's columns, from the ``@ t=...`` of its last header
    line (PINNacle's ``trans_time_data_to_dataset`` reads them the same way)."""
    header = [line for line in path.read_text().splitlines() if line.startswith("%")][-1]
    return np.array([float(match) for match in re.findall(r"@\s*t=\s*([-+.\deE]+)", header)])


def burgers_test_set() -> TestSet:
    """PINNacle's Burgers1d-C test points: the 101 × 11 (x, t) nodes of the COMSOL file."""
    path = DATA / "burgers1d.dat"
    data = np.loadtxt(path, comments="%")
    times = comsol_times(path)
    if len(times) != data.shape[1] - 1:
        raise ValueError(f"{path}: {len(times)} times in the header, {data.shape[1] - 1} columns")
    t, x = np.meshgrid(times, data[:, 0])  # rows: x, columns: t, like the file
    return TestSet({"t": t.ravel(), "x": x.ravel()}, {"u": data[:, 1:].ravel()})


def poisson_test_set() -> TestSet:
    """PINNacle's Poisson2d-C test points: the 1246 COMSOL mesh nodes of the plate."""
    data = np.loadtxt(DATA / "poisson1_cg_data.dat", comments="%")
    return TestSet({"x": data[:, 0], "y": data[:, 1]}, {"u": data[:, 2]})


def ns_test_set() -> TestSet:
    """PINNacle's NS2d-C test points: the 10,201 COMSOL nodes of the cavity; u, v, p."""
    with np.load(DATA / "lid_driven_a4.npz") as data:
        return TestSet(
            {"x": data["x"], "y": data["y"]}, {name: data[name] for name in ("u", "v", "p")}
        )


def interior_grid(n: int) -> np.ndarray:
    """n equally spaced interior points of [0, 1], as DeepXDE's
    ``uniform_points(..., boundary=False)``: k/(n + 1), k = 1..n."""
    return np.linspace(0.0, 1.0, n + 1, endpoint=False)[1:]


def wave_exact(t, x):
    """Wave1d-C's solution: sin(πx) cos(2πt) + ½ sin(4πx) cos(8πt)."""
    return np.sin(np.pi * x) * np.cos(2 * np.pi * t) + 0.5 * np.sin(4 * np.pi * x) * np.cos(
        8 * np.pi * t
    )


def wave_test_set() -> TestSet:
    """PINNacle's Wave1d-C test points: 2500 on its 50 × 50 interior grid of (x, t)."""
    x, t = np.meshgrid(interior_grid(50), interior_grid(50), indexing="ij")
    x, t = x.ravel(), t.ravel()
    return TestSet({"t": t, "x": x}, {"u": wave_exact(t, x)})


HEAT_KX, HEAT_KY = 1 / (500 * np.pi) ** 2, 1 / np.pi**2


def heat_exact(t, x, y):
    """Heat2d-MS's solution: sin(20πx) sin(πy) exp(−(kx (20π)² + ky π²) t)."""
    decay = HEAT_KX * (20 * np.pi) ** 2 + HEAT_KY * np.pi**2
    return np.sin(20 * np.pi * x) * np.sin(np.pi * y) * np.exp(-decay * t)


def heat_test_set() -> TestSet:
    """PINNacle's Heat2d-MS test points: DeepXDE's space-time ``uniform_points(20000,
    boundary=False)`` on [0, 1]² × [0, 5], an 8 × 8 interior grid in (x, y) at 313
    times 5 − 5k/313 (k = 0..312): 20,032 points."""
    x, y = np.meshgrid(interior_grid(8), interior_grid(8), indexing="ij")
    times = np.linspace(5.0, 0.0, 313, endpoint=False)
    t = np.repeat(times, x.size)
    x, y = np.tile(x.ravel(), len(times)), np.tile(y.ravel(), len(times))
    return TestSet({"t": t, "x": x, "y": y}, {"u": heat_exact(t, x, y)})


CASES = {
    case.name: case
    for case in (
        Case("burgers1d_c", "Burgers1d-C", 1.45e-2, "PINN", burgers_test_set),
        Case(
            "poisson2d_c",
            "Poisson2d-C",
            1.23e-2,
            "PINN-NTK",
            poisson_test_set,
            needs="composite regions with holes and their boundary pieces (plate.square)",
        ),
        Case(
            "ns2d_c",
            "NS2d-C",
            3.60e-2,
            "LAAF",
            ns_test_set,
            needs="point conditions (bc pin: p = 0 at (0, 0))",
        ),
        Case("wave1d_c", "Wave1d-C", 9.79e-2, "PINN-NTK", wave_test_set),
        Case("heat2d_ms", "Heat2d-MS", 6.21e-2, "PINN", heat_test_set),
    )
}


# -- running a case -------------------------------------------------------------------


def compile_case(case: Case, out: Path):
    """The case's generated model class (``pdec.compile`` of its spec)."""
    return pdec.compile(case.spec, target="pinn", out_dir=out / case.name)


def predict(model, test: TestSet) -> np.ndarray:
    """The model's fields at the test points, as (N, k) columns in the test set's order."""
    fields = model.predict(**test.coords)
    return columns({name: np.asarray(fields[name]) for name in test.values}, test.values)


def train_case(
    case: Case, steps: int, device: str, seed: int, options: dict, out: Path, progress: bool = False
) -> dict:
    """Compile, train and score one case; a dict of the row's numbers."""
    Model = compile_case(case, out)
    model_options, train_options = pdec_options(options)
    model = Model(device=device, seed=seed, **model_options)
    test = case.test_set()
    start = time.perf_counter()
    history = model.fit(
        steps=steps, seed=seed, progress=progress, checkpoint_dir=None, **train_options
    ).to_dict()
    seconds = time.perf_counter() - start
    adam = [r for r in history["records"] if r["phase"] == "adam"]
    done = history["final"]["step"] if history.get("final") else steps
    per_step = (
        (adam[-1]["seconds"] - adam[0]["seconds"]) / (adam[-1]["step"] - adam[0]["step"])
        if len(adam) > 1
        else float("nan")
    )
    predicted = predict(model, test)
    row = {
        "case": case.name,
        "label": case.label,
        "l2re": l2re(predicted, columns(test.values, test.values)),
        "best": case.best,
        "method": case.method,
        "adam_steps": steps,
        "lbfgs_steps": done - steps,
        "seconds": seconds,
        "ms_per_step": 1e3 * per_step,
        "final_loss": history["final"]["loss"] if history.get("final") else float("nan"),
        "final_terms": history["final"]["terms"] if history.get("final") else {},
        "test_points": len(test),
        "layers": model.config["layers"],
    }
    if case.name == "burgers1d_c":
        exact = burgers_exact(test.coords["t"], test.coords["x"])[:, None]
        row["l2re_exact"] = l2re(predicted, exact)
        row["reference_vs_exact"] = l2re(columns(test.values, ["u"]), exact)
    return row


def pdec_options(options: dict) -> tuple[dict, dict]:
    """Split ``--set`` options into (model, training) ones, as ``pdec train`` does."""
    from pdec.runtime.options import merge_options  # noqa: PLC0415

    model, train = merge_options(options)
    for key in ("device", "seed"):  # given to both explicitly
        model.pop(key, None)
        train.pop(key, None)
    train.pop("dtype", None)  # the model's dtype is the one trained
    return model, train


def run_case(case: Case, args: argparse.Namespace, options: dict, out: Path) -> dict:
    """``train_case``, or a row with the error (the first line of it) unless ``--strict``."""
    try:
        return train_case(case, args.steps, args.device, args.seed, options, out, args.progress)
    except pdec.SpecError as error:
        if args.strict:
            raise
        first = str(error).splitlines()[0]
        needs = f"needs {case.needs}; " if case.needs else ""
        return {**empty_row(case), "error": f"does not compile ({needs}{first})"}
    except Exception as error:  # noqa: BLE001 - one case's failure is its row's error
        if args.strict:
            raise
        return {**empty_row(case), "error": f"{type(error).__name__}: {error}".splitlines()[0]}


def empty_row(case: Case) -> dict:
    return {"case": case.name, "label": case.label, "best": case.best, "method": case.method}


# -- the table ------------------------------------------------------------------------


def number(value, spec: str = ".2e") -> str:
    return "—" if value is None or value != value else format(value, spec)


def table(rows: list[dict], args: argparse.Namespace, command: str) -> str:
    threads = torch.get_num_threads()
    device = torch.device(args.device if args.device != "auto" else default_device())
    machine = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.machine()
    lines = [
        f"### PINNacle, {len(rows)} case{'s' * (len(rows) != 1)} — {time.strftime('%Y-%m-%d')}, "
        f"{machine}, torch {torch.__version__}, {threads} thread{'s' * (threads != 1)}, "
        f"{device.type.upper()}",
        "",
        f"`{command}` (each spec's `train:` line: 5×100 tanh, Adam lr 1e-3, PINNacle's "
        "point counts, the pdec levers it names; L2RE over PINNacle's test points and all "
        "output columns; ratio = L2RE / PINNacle's best published)",
        "",
        "| case | L2RE | PINNacle best (method) | ratio | beaten | steps (Adam + L-BFGS) | "
        "wall s | ms / Adam step | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        best = f"{row['best']:.2e} ({row['method']})"
        if "error" in row:
            lines.append(f"| {row['label']} | — | {best} | — | — | — | — | — | {row['error']} |")
            continue
        ratio = row["l2re"] / row["best"]
        note = ""
        if "l2re_exact" in row:
            note = (
                f"vs exact (Cole–Hopf): {row['l2re_exact']:.2e}; the COMSOL file vs exact: "
                f"{row['reference_vs_exact']:.2e}"
            )
        lines.append(
            f"| {row['label']} | {row['l2re']:.2e} | {best} | {ratio:.2f} | "
            f"{'yes' if ratio < 1 else 'no'} | {row['adam_steps']} + {row['lbfgs_steps']} | "
            f"{row['seconds']:.0f} | {number(row['ms_per_step'], '.1f')} | {note} |"
        )
    return "\n".join(lines) + "\n"


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


# -- command line -----------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None, help="Adam steps (20,000)")
    parser.add_argument("--cases", default=None, help=f"comma-separated, of {', '.join(CASES)}")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--quick", action="store_true", help="two cases, tiny: a CI smoke test")
    parser.add_argument("--no-publish", action="store_true", help="print only")
    parser.add_argument("--seed", type=int, default=0, help="network and points")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a training or model option for every case (repeatable)",
    )
    parser.add_argument("--strict", action="store_true", help="raise a case's exception")
    parser.add_argument("--progress", action="store_true", help="pdec's progress bar")
    args = parser.parse_args(argv)
    if args.steps is None:
        args.steps = QUICK_STEPS if args.quick else PINNACLE_STEPS
    names = args.cases.split(",") if args.cases else list(QUICK_CASES if args.quick else CASES)
    unknown = [name for name in names if name not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")
    args.cases = names
    for item in args.set:
        if "=" not in item:
            parser.error(f"--set {item}: expected KEY=VALUE")
    return args


def main(argv: list[str] | None = None) -> list[dict]:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse(argv)
    options = {**(QUICK_OPTIONS if args.quick else {})}
    options.update(option_value(item) for item in args.set)
    threads = torch.get_num_threads()
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="pdec-pinnacle-") as out:
            for name in args.cases:
                row = run_case(CASES[name], args, options, Path(out))
                rows.append(row)
                print(summary(row), flush=True)
        text = table(rows, args, shlex.join(["python", "-m", "benchmarks.pinnacle", *argv]))
        if args.no_publish:
            print(text, flush=True)
        else:
            publish(text)
    finally:
        torch.set_num_threads(threads)  # main may run inside a test session
    return rows


def option_value(item: str) -> tuple[str, object]:
    """``KEY=VALUE`` of ``--set``: a JSON value (``weights={"ic": 10}``) or a string,
    which pdec's options convert where unambiguous ("100" -> 100).

    >>> option_value('weights={"ic": 10}'), option_value("sampling=sobol")
    (('weights', {'ic': 10}), ('sampling', 'sobol'))
    """
    key, value = item.split("=", 1)
    if value.startswith(("{", "[")):
        return key, json.loads(value)
    return key, value


def summary(row: dict) -> str:
    """One line per case as soon as it is done."""
    if "error" in row:
        return f"{row['label']}: {row['error']}"
    exact = f", vs exact {row['l2re_exact']:.3e}" if "l2re_exact" in row else ""
    terms = ", ".join(f"{name} {value:.1e}" for name, value in row["final_terms"].items())
    return (
        f"{row['label']}: L2RE {row['l2re']:.3e}{exact} (PINNacle best {row['best']:.2e}), "
        f"{row['adam_steps']} + {row['lbfgs_steps']} steps, {row['seconds']:.1f} s, "
        f"{number(row['ms_per_step'], '.1f')} ms / Adam step; final loss terms: {terms}"
    )


if __name__ == "__main__":
    main()
