"""What ``pdec train`` and ``pdec eval`` do with ``--target operator`` (the hooks of
:mod:`pdec.cli.models`).

``train``: load the pairs (``pdec data`` NPZ, checked against the spec), hold out the
last ``test_fraction`` of them, build the generated ``<Model>Operator`` (FNO; PINO with
``physics`` > 0; a GNO for data at points), train it for ``--epochs``, and write to the
run folder:

- ``checkpoints/checkpoint.pt`` (atomic, every ``checkpoint_every`` epochs and at the
  end; ``--resume`` continues from it exactly) and ``model.pt`` (the trained model;
  ``pdec eval --checkpoint``);
- ``summary.json`` (options, relative L2 on the training and held-out pairs) and
  ``history.json`` (loss per epoch);
- ``prediction.png``: input, prediction, truth and error for the first held-out pair.

``eval``: rebuild the model from a checkpoint and report its relative L2 on all pairs of
a data file — on any grid of the spec's domain, as the FNO is resolution-independent —
with the same plot beside the checkpoint (``eval/prediction.png``).

Data at scattered points (``pdec data SPEC --points P``) train a graph neural operator:
``architecture=gno`` is then the default. A GNO also reads grid data (every node a
point) and is evaluated on clouds of any size; an FNO refuses scattered data.

Options (``--set key=value``): the model's keyword arguments (architecture, fno or gno;
modes, e.g. ``modes=12`` or ``modes=12x8``; width, layers, projection, padding,
derivatives, mollifier_radius; the GNO's radius and kernel_width; seed) and the
training options epochs, batch_size, lr, schedule (step or cosine),
step_every, gamma, weight_decay, physics, precision (float32, tf32, bf16), test_fraction,
checkpoint_every, device (auto: CUDA where there is one). A run resumed
with more ``--epochs`` follows the learning-rate schedule of its new length.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import torch
import typer
from rich.console import Console
from rich.table import Table

from pdec.cli.models import Trained, main
from pdec.errors import DataError
from pdec.reference.operator_data import OperatorData, load_operator_data
from pdec.runtime import distributed
from pdec.runtime.devices import resolve_device
from pdec.runtime.errors import OptionsError
from pdec.runtime.operator.model import BATCH_SIZES
from pdec.runtime.operator.plots import plot_instance, plot_points
from pdec.runtime.operator.training import (
    TRAINING_OPTIONS,
    load_model,
    read_checkpoint,
    relative_l2,
    save_checkpoint,
    train_epochs,
)
from pdec.runtime.options import check_positive, reject_unknown
from pdec.runtime.progress import ProgressBar

PRECISIONS = ("float32", "tf32", "bf16")
RUN_OPTIONS = {"test_fraction": 0.1, "checkpoint_every": 10, "device": "auto"}
FIXED = ("self", "dtype")
DATA = (
    "the operator target learns from input/output pairs: give --data FILE.npz",
    "make them with `pdec data FILE --n 100 --res 64 -o FILE.npz`",
)


class TooFewPairsError(DataError):
    """Operator data with too few pairs to train on and to hold some out."""


def check_flags(flags: dict) -> None:
    """The operator trains in epochs, not steps."""
    if flags["steps"] is not None:
        raise typer.BadParameter("the operator target trains in epochs: use --epochs N")


def run_folder(spec, mode: str) -> Path:
    return Path("runs") / f"{spec.name}-operator"


def train(request, console: Console) -> Trained:
    """``pdec train FILE --target operator --data FILE.npz``; the summary and history."""
    spec, data_path, epochs, sets, run = (
        request.spec,
        request.data,
        request.epochs,
        request.sets,
        request.run,
    )
    data = load_operator_data(data_path, spec=spec)
    Model = request.compile()
    config, options = _split_options(Model, sets)
    if data.scattered and "architecture" not in config:
        config["architecture"] = "gno"  # the one architecture that reads point clouds
        console.print("the data are at scattered points: a graph neural operator (GNO)")
    if "batch_size" not in sets:
        options["batch_size"] = BATCH_SIZES[config.get("architecture", "fno")]
    if epochs is not None:
        options["epochs"] = epochs
    checkpoint = request.checkpoints / "checkpoint.pt"
    # under torchrun every rank resumes from what rank 0 reads
    start = distributed.current().from_main(
        lambda: read_checkpoint(checkpoint) if request.resume and checkpoint.is_file() else None
    )
    if start is not None:
        model = load_model(Model, checkpoint, start)
        config = dict(start["config"])  # the checkpoint's model, not new --set values
        given = {k: v for k, v in options.items() if k in sets or k == "epochs"}
        options = {**start.get("options", {}), **given}
        console.print(f"resuming from {checkpoint} at epoch {start['epoch']}")
    else:
        model = Model(**config)
    _, device = distributed.join(resolve_device(options["device"]))
    model.to(device)  # the pairs stay on the CPU
    model.check_physics(options["physics"])
    train_set, test_set = _split(_readable(model, data), options["test_fraction"])
    a = model._tensor(train_set.inputs)
    u = model._tensor(train_set.outputs)
    points = model._points(a, train_set.points)
    if start is None:
        model._set_scales(a, u)
    parameters = sum(p.numel() for p in model.parameters())
    kind = model.architecture.upper() if not options["physics"] else "PINO"
    console.print(
        f"[bold]training {Model.__name__}[/bold] ({kind}) — {parameters:,} parameters, "
        f"{a.shape[0]} training pairs, {test_set.inputs.shape[0]} held out, "
        f"{_layout(data)}, run folder {run}"
    )
    training = {k: options[k] for k in TRAINING_OPTIONS}
    first = start["epoch"] if start else 0
    with ProgressBar(options["epochs"], first, main(), phase="train") as bar:
        state = train_epochs(
            model,
            a,
            u,
            points=points,
            **training,
            seed=int(config.get("seed", 0)),
            start=start,
            save=lambda s: save_checkpoint(checkpoint, model, config, s, options=options),
            checkpoint_every=options["checkpoint_every"],
            callback=lambda record: bar.advance("train", f"loss {record['data']:.3e}"),
        )
    if main():
        save_checkpoint(run / "model.pt", model, config)
    history = state["history"]
    summary = {
        "spec": spec.name,
        "model": Model.__name__,
        "data": str(data_path),
        "grid": list(data.grid),
        "scattered": data.scattered,
        "config": config,
        "options": options,
        "epochs": state["epoch"],
        "seconds": sum(r["seconds"] for r in history),
        "final_loss": history[-1]["data"] if history else None,
        "train_pairs": int(a.shape[0]),
        "train_error": _error(model, train_set),
    }
    held_out = _split(data, options["test_fraction"])[1]  # as given: plotted as given
    summary.update(_judge(model, held_out, run, spec.name, "held-out", console))
    _table(summary, console)
    return Trained(summary, {"epochs": history}, run / "model.pt")


def evaluate(request, console: Console) -> dict:
    """``pdec eval FILE --target operator --checkpoint model.pt --data FILE.npz``."""
    from pdec.compiler import compile as compile_spec

    spec, checkpoint, data_path = request.spec, request.checkpoint, request.data

    saved = read_checkpoint(checkpoint)
    Model = compile_spec(spec, target="operator")
    model = load_model(Model, checkpoint, saved)
    data = load_operator_data(data_path, spec=spec)
    first = _readable(model, data).subset(slice(0, 1))
    model._points(model._tensor(first.inputs), first.points)
    summary = {
        "spec": spec.name,
        "model": Model.__name__,
        "checkpoint": str(checkpoint),
        "data": str(data_path),
        "grid": list(data.grid),
        "scattered": data.scattered,
    }
    summary.update(_judge(model, data, checkpoint.parent / "eval", spec.name, "", console))
    _table(summary, console)
    return summary


# ---- data and options ------------------------------------------------------------------------


def _split(data: OperatorData, fraction: float) -> tuple[OperatorData, OperatorData]:
    """The last ``fraction`` of the pairs (at least one) held out."""
    count = data.inputs.shape[0]
    held = max(1, round(fraction * count)) if fraction > 0 else 0
    if count - held < 1:
        raise TooFewPairsError(
            f"{count} pair(s) in the data: too few to train on and hold {held} out",
            None,
            "generate more (pdec data SPEC --n 100 --res 64) or --set test_fraction=0",
        )
    if held == 0:
        return data, data
    return data.subset(slice(0, count - held)), data.subset(slice(count - held, count))


def _readable(model, data: OperatorData) -> OperatorData:
    """``data`` as the model reads them: a GNO reads a grid as a cloud of its nodes; an
    FNO cannot read scattered points."""
    if model.architecture == "gno":
        return data.as_points()
    if data.scattered:
        raise OptionsError(
            "the data are at scattered points and the model is an FNO, which reads grids: "
            "train a graph neural operator (--set architecture=gno, the default for such "
            "data), or give grid data (pdec data SPEC --res R)"
        )
    return data


def _layout(data: OperatorData) -> str:
    if data.scattered:
        return f"{data.grid[0]} scattered points per pair"
    return f"grid {'×'.join(map(str, data.grid))}"


def _split_options(Model, sets: dict) -> tuple[dict, dict]:
    """--set values: the model's keyword arguments, and training and run options."""
    model_keys = [p for p in inspect.signature(Model.__init__).parameters if p not in FIXED]
    defaults = {**TRAINING_OPTIONS, **RUN_OPTIONS}
    valid = sorted(set(model_keys) | set(defaults))
    reject_unknown(sets, valid, "operator-target")
    options = dict(defaults)
    for key, default in defaults.items():
        if key in sets:
            try:
                options[key] = type(default)(sets[key])
            except (TypeError, ValueError):
                raise OptionsError(
                    f"{key}={sets[key]!r}: expected a {type(default).__name__}"
                ) from None
    if options["precision"] not in PRECISIONS:
        raise OptionsError(f"precision={options['precision']!r}: one of {', '.join(PRECISIONS)}")
    if options["schedule"] not in ("step", "cosine"):
        raise OptionsError(f"schedule must be step or cosine, got {options['schedule']!r}")
    if not 0 <= options["test_fraction"] < 1:
        raise OptionsError(f"test_fraction must be in [0, 1), got {options['test_fraction']}")
    for key in ("epochs", "batch_size"):
        if options[key] < 1:
            raise OptionsError(f"{key} must be at least 1, got {options[key]}")
    check_positive(lr=options["lr"], gamma=options["gamma"])
    check_positive(strictly=False, weight_decay=options["weight_decay"], physics=options["physics"])
    config = {k: v for k, v in sets.items() if k in model_keys}
    if isinstance(config.get("modes"), tuple | list):
        config["modes"] = list(config["modes"])  # plain data in the checkpoint
    return config, options


# ---- judging ---------------------------------------------------------------------------------


@torch.no_grad()
def _predict(model, data: OperatorData, batch_size: int = 50) -> torch.Tensor:
    """The predictions for every pair, on the CPU, shaped as ``data.outputs`` (a GNO's
    predictions on a grid's nodes go back onto the grid); under torchrun each rank
    predicts its share of the pairs and every rank gets them all (gathered in order)."""
    world = distributed.current()
    readable = _readable(model, data)
    start, stop = world.part(data.inputs.shape[0])
    rows = slice(start, stop) if stop > start else slice(0, 1)
    part = readable.subset(rows)
    if model.architecture == "gno":  # the GNO's clouds are large: a few at a time
        batch_size = max(1, min(batch_size, 4))
    batches = model._batches(part.inputs, batch_size, part.points)
    local = torch.cat([fields.cpu() for _, fields in batches])
    return world.gather(local[: stop - start]).reshape(-1, *data.outputs.shape[1:])


def _error(model, data: OperatorData) -> float:
    return float(relative_l2(_predict(model, data), model._tensor(data.outputs)).mean())


def _judge(model, data: OperatorData, folder: Path, name: str, which: str, console) -> dict:
    predicted = _predict(model, data)
    errors = relative_l2(predicted, model._tensor(data.outputs))
    label = f"{which} pair" if which else "pair"
    result = {
        "pairs": int(data.inputs.shape[0]),
        "error": float(errors.mean()),
        "error_max": float(errors.max()),
    }
    if not main():  # rank 0 plots
        return result
    title = f"{name}: first {label} (relative L2 {float(errors[0]):.2e})"
    if data.scattered:
        path = plot_points(
            folder / "prediction.png",
            data.points[0],
            data.inputs[0],
            predicted[0].numpy(),
            data.outputs[0],
            data.input_names,
            data.output_names,
            data.space,
            title=title,
        )
    else:
        path = plot_instance(
            folder / "prediction.png",
            data.inputs[0],
            predicted[0].numpy(),
            data.outputs[0],
            data.input_names,
            data.output_names,
            data.coordinates,
            title=title,
        )
    console.print(f"plot: {path}")
    return {**result, "plots": [str(path)]}


def _table(summary: dict, console: Console) -> None:
    grid = "×".join(map(str, summary["grid"]))
    if summary.get("scattered"):
        grid = f"{grid} points each"
    table = Table(title=f"{summary['spec']} ({summary['model']}): summary")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    if "epochs" in summary:
        table.add_row("epochs", str(summary["epochs"]))
        table.add_row("training time", f"{summary['seconds']:.1f} s")
        table.add_row("final loss (relative L2, training batches)", _format(summary["final_loss"]))
        table.add_row(f"relative L2, {summary['train_pairs']} training pairs", _format(
            summary["train_error"]))  # fmt: skip
        which = "held-out pairs"
    else:
        which = "pairs"
    table.add_row(f"relative L2, {summary['pairs']} {which} ({grid})", _format(summary["error"]))
    table.add_row("relative L2, worst pair", _format(summary["error_max"]))
    console.print(table)


def _format(value) -> str:
    return "–" if value is None else f"{value:.3e}"


__all__ = ["DATA", "TooFewPairsError", "check_flags", "evaluate", "run_folder", "train"]
