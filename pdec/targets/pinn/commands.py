"""What ``pdec train`` and ``pdec eval`` do with ``--target pinn`` (the hooks of
:mod:`pdec.cli.models`).

``train``: compile the spec into the run folder, merge the spec's ``train:`` options
with ``--steps`` and ``--set``, fit, and write ``summary.json``, ``history.json`` and the
plots of :mod:`pdec.targets.pinn.report`. ``eval``: rebuild the model from a checkpoint
(in the form it was trained with: a cut's jump lifted or penalised) and report the
relative L2 error against the spec's reference or a CSV/NPZ file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pdec.cli.models import Trained, main
from pdec.errors import SpecError
from pdec.targets.pinn.report import plot_run

DATA = None  # trains on the spec's residuals: --data is not needed


def check_flags(flags: dict) -> None:
    """The PINN takes every flag of ``pdec train`` it uses (steps, coords, cut)."""


def run_folder(spec, mode: str) -> Path:
    return Path("runs") / spec.name


def train(request, console: Console) -> Trained:
    """``pdec train FILE`` (``--target pinn``): the summary and history."""
    from pdec.runtime.options import merge_options

    Model = request.compile()
    cli = dict(request.sets)
    if request.steps is not None:
        cli["steps"] = request.steps
    cli.update({"checkpoint_dir": str(request.checkpoints), "resume": request.resume})
    model_options, train_options = merge_options(Model.default_options, cli)
    model = Model(**model_options)
    console.print(
        Text.assemble(
            ("training ", "bold"),
            (Model.__name__, "bold"),
            f" on {model.device} — ",
            f"{sum(p.numel() for p in model.parameters())} parameters, run folder {request.run}",
        )
    )
    if model.config["hard"]:
        built = ", ".join(model.hard_conditions)
        console.print(Text.assemble(("built into the output ", "bold"), f"(hard): {built}"))
    rejection = sampling_report(model)
    if rejection:
        console.print(Text.assemble(("rejection sampling ", "bold"), rejection))
    history = model.fit(**train_options).to_dict()
    return Trained(summarize_training(request.spec, model, history, request.run, console), history)


def sampling_report(model) -> str:
    """Each term drawn by rejection and the fraction of proposed points it keeps
    (``inside plate keeps 87%``), or "" when every term is sampled directly."""
    parts = []
    for name, sampler in model.samplers().items():
        pieces = getattr(sampler, "faces", [sampler])
        fractions = [piece.acceptance for piece in pieces if hasattr(piece, "acceptance")]
        fractions += [sampler.sampler.acceptance] if hasattr(sampler, "sampler") else []
        if fractions and min(fractions) < 1:
            parts.append(f"{name} keeps {min(fractions):.0%}")
    return "; ".join(parts) + (" of the proposed points" if parts else "")


def evaluate(request, console: Console) -> dict:
    """``pdec eval FILE --checkpoint model.pt [--reference FILE]``."""
    from pdec.compiler import compile as compile_spec
    from pdec.runtime.checkpoint import read as read_checkpoint
    from pdec.runtime.tables import read_table

    spec, reference = request.spec, request.reference
    # compile the form the checkpoint was trained with (a cut's jump lifted or penalised)
    lifted = read_checkpoint(request.checkpoint).get("lifted", False)
    Model = compile_spec(spec, target="pinn", cut="lift" if lifted else "residual")
    model = Model.load(request.checkpoint)
    table = Table(show_header=True, box=None)
    table.add_column("field")
    table.add_column("relative L2", justify="right")
    table.add_column("against")
    summary: dict = {"spec": spec.name, "relative_l2": {}}
    learned = model.learned() if hasattr(model, "learned") else {}
    if learned:
        summary["learned"] = learned
        values = ", ".join(f"{name} = {value:.6g}" for name, value in learned.items())
        console.print(Text.assemble(("learned: ", "bold"), values))
    if reference is None:
        if learned and not getattr(model, "reference", None):
            return summary
        if not getattr(model, "reference", None):
            raise SpecError(
                f"the spec '{spec.name}' has no `reference` to evaluate against",
                None,
                "add `reference u = ...` to the spec, or pass --reference data.csv",
            )
        for field, error in model.evaluate().items():
            summary["relative_l2"][field] = error
            table.add_row(field, f"{error:.3e}", "the spec's reference (20,000 interior points)")
    else:
        data = read_table(reference, required=model.coordinates)
        fields = [f for f in model.field_names if f in data]
        if not fields:
            raise SpecError(
                f"{reference} has no column named after a field ({', '.join(model.field_names)})"
            )
        predicted = model.predict(**{c: data[c] for c in model.coordinates})
        for field in fields:
            exact = data[field]
            error = float(np.linalg.norm(predicted[field] - exact) / np.linalg.norm(exact))
            summary["relative_l2"][field] = error
            table.add_row(field, f"{error:.3e}", f"{reference.name} ({len(exact)} points)")
    console.print(table)
    return summary


def summarize_training(spec, model, data: dict, run: Path, console: Console) -> dict:
    """The end of ``pdec train``: a table of the final loss terms, what an inverse
    problem learned, errors against the spec's reference, and the plots; the summary."""
    final = data.get("final") or (data["records"][-1] if data.get("records") else {})
    table = Table(title=f"{spec.name}: training summary", show_lines=False)
    table.add_column("term")
    table.add_column("final loss", justify="right")
    table.add_column("weight", justify="right")
    terms = final.get("terms", {})
    weights = final.get("weights", {})
    for name, value in terms.items():
        table.add_row(name, f"{value:.3e}", f"{weights.get(name, 1.0):g}")
    table.add_row("total", f"{final.get('loss', float('nan')):.3e}", "", style="bold")
    console.print(table)
    summary = {"spec": spec.name, "final": final, "seconds": data.get("seconds")}
    learned = model.learned() if hasattr(model, "learned") else {}
    if learned:
        summary["learned"] = learned
        for name, value in learned.items():
            console.print(f"learned {name} = {value:.6g}")
    if getattr(model, "reference", None):
        errors = model.evaluate()
        summary["relative_l2"] = errors
        for field, error in errors.items():
            console.print(f"relative L2 error of {field} against the spec's reference: {error:.3e}")
    plots = plot_run(spec, model, data, run) if main() else []
    for path in plots:
        console.print(f"plot: {path}")
    return summary
