"""What ``pdec train`` and ``pdec eval`` do with ``--target energy`` (the hooks of
:mod:`pdec.cli.models`).

``train``: load the trajectories (``pdec data`` NPZ, checked against the spec), build the
model with the data's grid size n and Δt, train it on pairs of consecutive states of
the training trajectories (the last ``test_fraction`` of the trajectories are held out),
roll it out from the held-out initial states, and write to the run folder:

- ``checkpoints/checkpoint.pt`` (atomic, every ``checkpoint_every`` steps; ``--resume``
  continues from it) and ``model.pt`` (the trained model; ``pdec eval --checkpoint``);
- ``summary.json`` (options, final loss, rollout errors) and ``history.json``;
- ``spacetime.png`` and ``energy.png`` for the first held-out trajectory
  (:mod:`pdec.runtime.energy.plots`).

``eval``: rebuild the model from a checkpoint and report the rollout errors on all
trajectories of a data file, with the same plots beside the checkpoint (``eval/``).

Options (``--set key=value``): the model's keyword arguments (width, depth,
stencil_width, seed, tol, ...; see the generated class) and lr, batch_size,
checkpoint_every, test_fraction.
"""

from __future__ import annotations

import inspect
import math
import warnings
from pathlib import Path

import numpy as np
import torch
import typer
from rich.console import Console
from rich.table import Table

from pdec.cli.models import Trained, main
from pdec.errors import SpecError
from pdec.runtime import distributed
from pdec.runtime.devices import resolve_device
from pdec.runtime.energy.evaluation import masses, metrics, roll_out, series
from pdec.runtime.energy.plots import plot_energy, plot_spacetime
from pdec.runtime.energy.training import (
    load_model,
    read_checkpoint,
    save_checkpoint,
    train_pairs,
    trajectory_pairs,
)
from pdec.runtime.errors import OptionsError
from pdec.runtime.options import check_positive, check_sizes, reject_unknown
from pdec.runtime.progress import ProgressBar

TRAINING_OPTIONS = {
    "lr": 1e-3,
    "batch_size": 200,
    "checkpoint_every": 500,
    "test_fraction": 0.1,
    "device": "auto",  # CUDA where there is one
}
FIXED = ("self", "n", "dt", "mode", "options")  # set from the data and --mode, not --set
DEFAULT_STEPS = 2000
DATA = (
    "the energy target learns from trajectories: give --data FILE.npz",
    "make them with `pdec data FILE --n 20 --steps 200 --dt 0.01 -o FILE.npz`",
)


class NothingToLearnError(SpecError):
    """The model has no trainable parameters: the spec gives H and G in closed form."""


def check_flags(flags: dict) -> None:
    """--mode, if given, must name one of the energy models."""
    from pdec.runtime.energy import MODES

    if flags["mode"] is not None and flags["mode"] not in MODES:
        raise typer.BadParameter(f"expected one of {', '.join(MODES)}", param_hint="--mode")


def default_mode(spec) -> str:
    """The mode when --mode is not given: lnn for a Lagrangian spec, else dgnet."""
    return "lnn" if spec.ir.lagrangian is not None else "dgnet"


def run_folder(spec, mode: str | None) -> Path:
    return Path("runs") / f"{spec.name}-energy-{mode or default_mode(spec)}"


def train(request, console: Console) -> Trained:
    """``pdec train FILE --target energy --data FILE.npz``; the summary and history."""
    spec, data_path, mode, steps, run = (
        request.spec,
        request.data,
        request.mode,
        request.steps,
        request.run,
    )
    mode = mode or default_mode(spec)
    data = _load(spec, data_path, console)
    Model = request.compile()
    config, options = _split_options(Model, request.sets)
    config = {**_grid_config(data), "mode": mode, **config}
    model = Model(**config)
    if not any(p.requires_grad for p in model.parameters()):
        lagrangian = spec.ir.lagrangian is not None
        given = "Lagrangian" if lagrangian else "energy and G"
        learned = "lagrangian L = learned" if lagrangian else "energy H = learned"
        raise NothingToLearnError(
            f"the spec '{spec.name}' gives its {given} in closed form: a {mode} model "
            "has nothing to learn",
            None,
            f"declare `{learned}` or unknown parameters (`param m unknown`), or "
            "train the unstructured baseline with --mode node",
        )
    u = torch.as_tensor(data.u, dtype=torch.float64)
    train_u, test_u = _split(u, options["test_fraction"])
    u0, u1 = trajectory_pairs(train_u)
    checkpoint = request.checkpoints / "checkpoint.pt"
    start = None
    # under torchrun every rank resumes from what rank 0 reads
    saved = distributed.current().from_main(
        lambda: read_checkpoint(checkpoint) if request.resume and checkpoint.is_file() else None
    )
    if saved is not None:
        model = load_model(Model, checkpoint, saved)
        start, config = saved, saved["config"]  # the checkpoint's model, not new --set values
        console.print(f"resuming from {checkpoint} at step {saved['step']}")
    _, device = distributed.join(resolve_device(options["device"]))
    model.to(device)  # the pairs stay on the CPU
    steps = DEFAULT_STEPS if steps is None else steps
    parameters = sum(p.numel() for p in model.parameters())
    console.print(
        f"[bold]training {Model.__name__}[/bold] ({mode}) — {parameters} parameters, "
        f"{u0.shape[0]} pairs from {train_u.shape[0]} trajectories, n = "
        f"{config.get('n', '–')}, dt = {data.dt:g}, run folder {run}"
    )
    with ProgressBar(steps, start["step"] if start else 0, main(), phase="train") as bar:
        state = train_pairs(
            model,
            u0,
            u1,
            steps=steps,
            lr=options["lr"],
            batch_size=options["batch_size"],
            seed=config.get("seed", 0),
            start=start,
            save=lambda s: save_checkpoint(checkpoint, model, config, s),
            checkpoint_every=options["checkpoint_every"],
            progress=lambda step, loss: bar.advance("train", f"loss {loss:.3e}"),
        )
    if main():
        save_checkpoint(run / "model.pt", model, config)
    summary = {
        "spec": spec.name,
        "mode": mode,
        "data": str(data_path),
        "config": {k: v for k, v in config.items() if k != "dtype"},
        "options": options,
        "steps": state["step"],
        "seconds": state["seconds"],
        "final_loss": state["history"][-1][1] if state["history"] else None,
    }
    summary["rollout"] = _judge(model, test_u, data, run, spec.name, console)
    _table(summary, console, model)
    return Trained(summary, {"loss": state["history"]}, run / "model.pt")


def evaluate(request, console: Console) -> dict:
    """``pdec eval FILE --target energy --checkpoint model.pt --data FILE.npz``."""
    from pdec.compiler import compile as compile_spec

    spec, checkpoint, data_path = request.spec, request.checkpoint, request.data

    saved = read_checkpoint(checkpoint)
    Model = compile_spec(spec, target="energy")
    model = load_model(Model, checkpoint, saved)
    data = _load(spec, data_path, console)
    grid = _grid_config(data)
    if "n" in grid and grid["n"] != getattr(model, "n", None):
        raise SpecError(
            f"{data_path} is on a grid of {grid['n']} points, but the model in {checkpoint} "
            f"was trained on {model.n}",
            None,
            "evaluate on data with the training grid, or retrain",
        )
    if not math.isclose(data.dt, model.dt, rel_tol=1e-9):
        console.print(
            f"[yellow]note:[/yellow] the data's dt = {data.dt:g} differs from the model's "
            f"dt = {model.dt:g}; the model steps with its own"
        )
    u = torch.as_tensor(data.u, dtype=torch.float64)
    summary = {"spec": spec.name, "checkpoint": str(checkpoint), "data": str(data_path)}
    summary["rollout"] = _judge(model, u, data, checkpoint.parent / "eval", spec.name, console)
    summary["mode"] = model.mode
    _table(summary, console, model)
    return summary


def _load(spec, path: Path, console: Console):
    from pdec.reference import load_trajectories

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = load_trajectories(path, spec=spec)
    for warning in caught:
        console.print(f"[yellow]note:[/yellow] {warning.message}")
    return data


def _grid_config(data) -> dict:
    config = {"dt": float(data.dt)}
    if data.grid:
        if len(data.grid) != 1:
            raise SpecError(f"the energy target trains on 1-D grids; the data have {data.grid}")
        config["n"] = int(data.grid[0])
    return config


def _split_options(Model, sets: dict) -> tuple[dict, dict]:
    """--set values: the model's keyword arguments, and training options."""
    accepted = [name for name in inspect.signature(Model.__init__).parameters if name not in FIXED]
    model_keys = set(accepted) | {"tol", "max_iter", "method", "newton_max_size"}
    if "fno_modes" in accepted:  # a grid model: the ENO's consistency weight too
        model_keys.add("consistency")
    valid = sorted(model_keys | set(TRAINING_OPTIONS))
    reject_unknown(sets, valid, "energy-target")
    options = dict(TRAINING_OPTIONS)
    for key in TRAINING_OPTIONS:
        if key in sets:
            options[key] = type(TRAINING_OPTIONS[key])(sets[key])
    check_positive(lr=options["lr"])
    check_sizes(
        batch_size=(options["batch_size"], 1), checkpoint_every=(options["checkpoint_every"], 0)
    )
    if not 0 <= options["test_fraction"] < 1:
        raise OptionsError(f"test_fraction must be in [0, 1), got {options['test_fraction']}")
    config = {k: v for k, v in sets.items() if k in model_keys}
    return config, options


def _split(u: torch.Tensor, fraction: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The last ``fraction`` of the trajectories (at least one) held out; a single
    trajectory is both trained on and judged."""
    count = u.shape[0]
    held = min(max(1, round(fraction * count)), count - 1) if fraction > 0 else 0
    if held == 0:
        return u, u
    return u[: count - held], u[count - held :]


def _judge(model, reference, data, folder: Path, name: str, console: Console) -> dict:
    rollouts = roll_out(model, reference)
    result = metrics(model, rollouts)
    if rollouts.failure:
        console.print(f"[yellow]rollout stopped:[/yellow] {rollouts.failure}")
    result["trajectories"] = int(reference.shape[0])
    result["steps"] = int(reference.shape[1] - 1)
    if not main():  # rank 0 plots
        return result
    t = np.asarray(data.t[: reference.shape[1]])
    first_ref = rollouts.reference[0].numpy()
    first_model = rollouts.predicted[0].numpy()
    x = data.coordinates[0] if data.coordinates else None
    title = f"{name} ({model.mode}): held-out trajectory"
    paths = [
        plot_spacetime(folder / "spacetime.png", first_ref, first_model, t, data.fields, x, title)
    ]
    energies = {}
    if getattr(model, "H", None) is not None:
        for what, states in (("reference", rollouts.reference), ("rollout", rollouts.predicted)):
            along = series(model.energy, states[:1], model.device)
            energies[f"{_energy_name(model)}, {what}"] = along[0].numpy()
    mass = {}
    if getattr(model, "spacing", None) is not None:
        reference_mass = masses(rollouts.reference[0], model.spacing).numpy()
        rollout_mass = masses(rollouts.predicted[0], model.spacing).numpy()
        for i, field in enumerate(data.fields):
            mass[f"{field}, reference"] = reference_mass[:, i]
            mass[f"{field}, rollout"] = rollout_mass[:, i]
    paths.append(plot_energy(folder / "energy.png", t, energies, mass, title))
    result["plots"] = [str(p) for p in paths]
    for path in paths:
        console.print(f"plot: {path}")
    return result


def _energy_name(model) -> str:
    """What the model's energy is called: its H, or its L's Noether energy (lnn)."""
    return "the learned L's energy" if model.mode == "lnn" else "model's H"


def _table(summary: dict, console: Console, model) -> None:
    rollout = summary["rollout"]
    table = Table(title=f"{summary['spec']} ({summary['mode']}): summary")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    if "steps" in summary:
        table.add_row("training steps", str(summary["steps"]))
        table.add_row("training time", f"{summary['seconds']:.1f} s")
        table.add_row("final loss (pairs)", _format(summary["final_loss"]))
    table.add_row("rollouts", f"{rollout['trajectories']} × {rollout['steps']} steps")
    table.add_row("state MSE", _format(rollout["state_mse"]))
    if "energy_mse" in rollout:
        table.add_row(f"energy MSE ({_energy_name(model)})", _format(rollout["energy_mse"]))
        table.add_row("energy drift (own rollout, relative)", _format(rollout["energy_drift"]))
    if "mass_mse" in rollout:
        table.add_row("mass MSE", _format(rollout["mass_mse"]))
    table.add_row("time per step", f"{1e3 * rollout['seconds_per_step']:.2f} ms")
    console.print(table)


def _format(value) -> str:
    return "–" if value is None else f"{value:.3e}"
