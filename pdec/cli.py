"""The ``pdec`` command.

    pdec check FILE                 conservation claims and energies, one line each
    pdec show FILE [--coords NAME] [--latex | --json]
    pdec estimate FILE --data FILE.npz [--derivatives mollifier|finite] [--radius R]
    pdec --version

Exit codes: 0 fine; 1 a claim in the spec is refuted; 2 the spec, an option or the
command line is wrong — the message points at file:line:col; 3 an internal error;
4 training diverged (NaN/inf; the last good checkpoint is kept).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

import pdec
from pdec.errors import PdecError, SpecError

app = typer.Typer(
    name="pdec",
    help="Compile declarative PDE specs (.pde) to trainable PyTorch models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

VERDICT_STYLE = {
    "conserved": "green",
    "dissipated": "cyan",
    "not conserved": "red",
    "not shown": "yellow",
}


def _console(stderr: bool = False) -> Console:
    # Wide enough for residuals when piped; rich wraps to the terminal otherwise.
    width = None if sys.stdout.isatty() else 120
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pdec {pdec.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool | None,  # noqa: UP007 - typer needs Optional on Python 3.10
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    """pdec: PDE specs → PINN, energy-based and neural-operator models."""


SpecFile = Annotated[
    Path, typer.Argument(help="A .pde spec file.", metavar="FILE", show_default=False)
]


@app.command()
def check(
    file: SpecFile,
    as_json: Annotated[bool, typer.Option("--json", help="Findings as JSON.")] = False,
) -> None:
    """Check the spec's conservation claims and energies symbolically.

    One line per claim and per energy: conserved, dissipated, not conserved (with a
    state where the rate is nonzero) or not shown (with the reason). Exits 1 if a
    claim in the spec is refuted.
    """
    spec = pdec.load(file)
    findings = spec.check()
    structure = _structure_line(spec)
    if as_json:
        from pdec.ir.serialize import to_data

        typer.echo(json.dumps({"findings": to_data(findings), "structure": structure[1]}, indent=2))
    else:
        out = _console()
        out.print(Text.assemble((spec.name, "bold"), f"  ({spec.file})"))
        if structure[0]:
            out.print(structure[0])
        if not findings:
            out.print("no energies or claims to check")
        table = Table(show_header=False, box=None, pad_edge=False, padding=(0, 2, 0, 0))
        for finding in findings:
            mark = "✗" if finding.refuted else ("✓" if finding.verdict != "not shown" else "?")
            line = f"line {finding.span.line}" if finding.span else ""
            table.add_row(
                Text(mark, style="red" if finding.refuted else VERDICT_STYLE[finding.verdict]),
                Text(finding.claim, style="bold"),
                Text(finding.verdict, style=VERDICT_STYLE[finding.verdict]),
                Text(line, style="dim"),
            )
            table.add_row("", "", Text(finding.reason, style="dim"), "")
        out.print(table)
        refuted = [f.claim for f in findings if f.refuted]
        if refuted:
            out.print(Text("refuted: " + ", ".join(refuted), style="bold red"))
    if any(f.refuted for f in findings):
        raise typer.Exit(1)


def _structure_line(spec) -> tuple[Text | None, dict | None]:
    try:
        structure = spec.structure
    except SpecError as error:
        return Text(f"G: not classified — {error.message}", style="yellow"), {
            "kind": "unknown",
            "reason": error.message,
        }
    if structure is None:
        return None, None
    declared = f" (declared {spec.ir.structure.kind})" if spec.ir.structure else ""
    line = Text.assemble(
        "G is ", (structure.kind, "bold"), declared, ": ", (structure.reason, "dim")
    )
    return line, {"kind": structure.kind, "reason": structure.reason}


@app.command()
def show(
    file: SpecFile,
    coords: Annotated[
        str | None,  # noqa: UP007
        typer.Option("--coords", help="Write residuals in this declared coordinate system."),
    ] = None,
    latex: Annotated[bool, typer.Option("--latex", help="LaTeX instead of text.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="The IR and derived math as JSON.")
    ] = False,
) -> None:
    """Show the derived equations: residuals, δH/δu, the class of G, and claims."""
    if latex and as_json:
        raise typer.BadParameter("choose one of --latex and --json")
    spec = pdec.load(file)
    if as_json:
        typer.echo(json.dumps(spec.to_json(coords=coords), indent=2, ensure_ascii=False))
        return
    from pdec.show import render_latex, render_text

    if latex:
        typer.echo(render_latex(spec, coords))
    else:
        render_text(spec, coords, _console())


@app.command(name="compile")
def compile_command(
    file: SpecFile,
    target: Annotated[
        str, typer.Option("--target", "-t", help="pinn, energy or operator.")
    ] = "pinn",
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the module to.")] = Path(
        "."
    ),
    coords: Annotated[
        str | None,
        typer.Option(
            "--coords", help="Coordinates the network sees (default: the one with a cut)."
        ),
    ] = None,
    cut: Annotated[
        str | None,
        typer.Option(
            "--cut",
            help="A cut's jump: lift (built into the field; default where it applies) or "
            "residual (a loss term, as Okazaki et al.).",
        ),
    ] = None,
) -> None:
    """Generate a readable PyTorch module (<model>_<target>.py) from the spec."""
    from pdec.compiler import generate_module, write_module

    spec = pdec.load(file)
    module = generate_module(spec, target, coords, cut)
    path = write_module(module, out)
    _console().print(
        Text.assemble(
            "wrote ",
            (str(path), "bold"),
            f"  (class {module.class_name}, {len(module.source.splitlines())} lines)",
        )
    )


def _parse_value(text: str):
    """--set values: 8x40 → (8, 40); ints, floats, true/false; else the string."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if "x" in lowered and all(p.strip().isdigit() for p in lowered.split("x")):
        depth, width = lowered.split("x")
        return (int(depth), int(width))
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _parse_sets(items: list[str]) -> dict:
    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"expected key=value, got {item!r}", param_hint="--set")
        options[key.strip()] = _parse_value(value)
    return options


def _pinn_only(command: str, target: str) -> None:
    """train and eval drive the PINN target only, for now."""
    if target == "energy":
        raise pdec.UnsupportedError(
            f"pdec {command} --target energy is not built yet",
            None,
            "use the Python API: Model = pdec.compile(path, target='energy'); "
            "Model(dt=...).fit(u0, u1) on pairs of states from `pdec data`",
        )


@app.command()
def train(
    file: SpecFile,
    target: Annotated[
        str, typer.Option("--target", "-t", help="pinn, energy or operator.")
    ] = "pinn",
    steps: Annotated[int | None, typer.Option("--steps", help="Adam steps.")] = None,
    epochs: Annotated[
        int | None, typer.Option("--epochs", help="Operator target: passes over the pairs.")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Energy target: trajectories; operator target: input/output pairs "
            "(NPZ from `pdec data`).",
        ),
    ] = None,
    mode: Annotated[
        str, typer.Option("--mode", help="Energy target: dgnet, hnn or node.")
    ] = "dgnet",
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="An option, key=value (repeatable): lr=1e-3, layers=8x40, ..."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run folder (default runs/<model>).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue from the last checkpoint.")
    ] = False,
    coords: Annotated[
        str | None, typer.Option("--coords", help="Coordinates the network sees.")
    ] = None,
    cut: Annotated[
        str | None,
        typer.Option(
            "--cut",
            help="A cut's jump: lift (built into the field; default where it applies) or "
            "residual (a loss term, as Okazaki et al.).",
        ),
    ] = None,
) -> None:
    """Compile the spec, train the model, report its error against the spec's reference.

    Options come from the spec's `train:` line, overridden by --steps and --set.
    Checkpoints are written atomically to OUT/checkpoints; --resume continues there.
    """
    from pdec.compiler import generate_module, import_class
    from pdec.runtime.options import merge_options

    if target == "energy":
        _train_energy(file, data, mode, steps, sets, out, resume)
        return
    if target == "operator":
        _train_operator(file, data, steps, epochs, sets, out, resume)
        return
    _pinn_only("train", target)
    spec = pdec.load(file)
    run = out or Path("runs") / spec.name
    module = generate_module(spec, target, coords, cut)
    Model = import_class(spec, module, run)
    cli = _parse_sets(sets or [])
    if steps is not None:
        cli["steps"] = steps
    cli.update({"checkpoint_dir": str(run / "checkpoints"), "resume": resume})
    model_options, train_options = merge_options(Model.default_options, cli)
    model = Model(**model_options)
    console = _console()
    console.print(
        Text.assemble(
            ("training ", "bold"),
            (module.class_name, "bold"),
            f" on {model.device} — ",
            f"{sum(p.numel() for p in model.parameters())} parameters, run folder {run}",
        )
    )
    history = model.fit(**train_options)
    from pdec.report import summarize_training

    summarize_training(spec, model, history, run, console)


@app.command()
def data(
    file: SpecFile,
    n: Annotated[int, typer.Option("--n", min=1, help="Number of trajectories.")] = 10,
    steps: Annotated[int, typer.Option("--steps", min=1, help="Steps per trajectory.")] = 100,
    dt: Annotated[float, typer.Option("--dt", min=0.0, help="Time between samples.")] = 0.01,
    grid: Annotated[
        int | None, typer.Option("--grid", min=4, help="Grid points per space dimension (64).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the initial states.")] = 0,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="NPZ file (default <model>.npz).")
    ] = None,
    res: Annotated[
        int | None,
        typer.Option("--res", min=5, help="Operator data: grid points per axis (64)."),
    ] = None,
) -> None:
    """Reference data (NPZ): trajectories of an evolution spec, for the energy target;
    with --res, or for a spec with an `input`, pairs (input, solution) on a grid for the
    operator target.

    Trajectories: pseudo-spectral in space with ETDRK4 in time for periodic PDEs, DOP853
    for ODE systems. Operator data: Gaussian-random-field inputs and a finite-difference
    elliptic solver, or random initial states and ETDRK4 up to the spec's end time
    (see pdec.reference.operator_data). How the data were made is recorded in the file.
    """
    if dt <= 0:
        raise typer.BadParameter("--dt must be positive")
    from pdec.reference import generate

    spec = pdec.load(file)
    if res is not None or spec.ir.inputs:
        _operator_data(spec, n, res or 64, seed, out)
        return
    trajectories = generate(spec, n, steps, dt, seed=seed, grid=grid)
    path = trajectories.save(out or Path(f"{spec.name}.npz"))
    console = _console()
    console.print(
        f"wrote {path}: u {tuple(trajectories.u.shape)} (trajectory, time, field"
        + (", grid" if trajectories.space else "")
        + f"), dt = {trajectories.dt:g}, fields {', '.join(trajectories.fields)}"
    )
    console.print(f"integrator: {trajectories.integrator}")


def _operator_data(spec, n: int, res: int, seed: int, out: Path | None) -> None:
    from pdec.reference.operator_data import generate_operator_data

    data = generate_operator_data(spec, n, res, seed=seed)
    path = data.save(out or Path(f"{spec.name}.npz"))
    console = _console()
    console.print(
        f"wrote {path}: inputs {tuple(data.inputs.shape)} ({', '.join(data.input_names)}), "
        f"outputs {tuple(data.outputs.shape)} ({', '.join(data.output_names)}) "
        "(instance, channel, grid)"
    )
    console.print(f"solver: {data.solver}")


@app.command()
def estimate(
    file: SpecFile,
    data: Annotated[
        Path,
        typer.Option("--data", help="Trajectories NPZ (from pdec data).", show_default=False),
    ],
    derivatives: Annotated[
        str,
        typer.Option("--derivatives", help="How derivatives are taken: mollifier or finite."),
    ] = "mollifier",
    radius: Annotated[
        float, typer.Option("--radius", help="The mollifier's half-width in grid cells.")
    ] = 4.5,
) -> None:
    """Fit the spec's unknown parameters (`param k unknown`) to gridded trajectories by
    minimising the mean squared PDE residual on the data grid (see pdec.estimate)."""
    console = _console()
    with warnings.catch_warnings(record=True) as caught:  # data notes: one line, no path
        warnings.simplefilter("always")
        values = pdec.estimate(file, data, derivatives=derivatives, radius=radius)
    for warning in caught:
        console.print(f"[yellow]note:[/yellow] {warning.message}")
    for name, value in values.items():
        console.print(f"{name} = {value:.6g}")


@app.command(name="eval")
def eval_command(
    file: SpecFile,
    checkpoint: Annotated[
        Path, typer.Option("--checkpoint", "-c", help="A checkpoint or saved model (.pt).")
    ],
    reference: Annotated[
        Path | None,
        typer.Option(
            "--reference", "-r", help="CSV or NPZ with columns named after coordinates and fields."
        ),
    ] = None,
    target: Annotated[
        str, typer.Option("--target", "-t", help="pinn, energy or operator.")
    ] = "pinn",
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Energy target: trajectories (NPZ) to roll out against; operator target: "
            "pairs to predict.",
        ),
    ] = None,
) -> None:
    """Relative L2 error of a trained model against the spec's `reference` or a data file;
    energy target: rollout errors against trajectories (--data)."""
    from pdec.compiler import compile as compile_spec
    from pdec.data import read_table
    from pdec.runtime.checkpoint import read as read_checkpoint

    if target == "energy":
        from pdec.energy_commands import evaluate

        evaluate(pdec.load(file), checkpoint, _energy_data(data), _console())
        return
    if target == "operator":
        from pdec.operator_commands import evaluate as evaluate_operator

        evaluate_operator(pdec.load(file), checkpoint, _operator_pairs(data), _console())
        return
    _pinn_only("eval", target)
    spec = pdec.load(file)
    # compile the form the checkpoint was trained with (a cut's jump lifted or penalised)
    lifted = read_checkpoint(checkpoint).get("lifted", False)
    Model = compile_spec(spec, target=target, cut="lift" if lifted else "residual")
    model = Model.load(checkpoint)
    table = Table(show_header=True, box=None)
    table.add_column("field")
    table.add_column("relative L2", justify="right")
    table.add_column("against")
    learned = model.learned() if hasattr(model, "learned") else {}
    if learned:
        values = ", ".join(f"{name} = {value:.6g}" for name, value in learned.items())
        _console().print(Text.assemble(("learned: ", "bold"), values))
    if reference is None:
        if learned and not getattr(model, "reference", None):
            return
        if not getattr(model, "reference", None):
            raise SpecError(
                f"the spec '{spec.name}' has no `reference` to evaluate against",
                None,
                "add `reference u = ...` to the spec, or pass --reference data.csv",
            )
        for field, error in model.evaluate().items():
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
            table.add_row(field, f"{error:.3e}", f"{reference.name} ({len(exact)} points)")
    _console().print(table)


def _energy_data(data: Path | None) -> Path:
    if data is None:
        raise SpecError(
            "the energy target learns from trajectories: give --data FILE.npz",
            None,
            "make them with `pdec data FILE --n 20 --steps 200 --dt 0.01 -o FILE.npz`",
        )
    return data


def _train_energy(file, data, mode, steps, sets, out, resume) -> None:
    """`pdec train --target energy` (see pdec.energy_commands)."""
    from pdec.energy_commands import train as train_energy
    from pdec.runtime.energy import MODES

    if mode not in MODES:
        raise typer.BadParameter(f"expected one of {', '.join(MODES)}", param_hint="--mode")
    spec = pdec.load(file)
    run = out or Path("runs") / f"{spec.name}-energy-{mode}"
    options = _parse_sets(sets or [])
    train_energy(spec, _energy_data(data), mode, steps, options, run, resume, _console())


def _operator_pairs(data: Path | None) -> Path:
    if data is None:
        raise SpecError(
            "the operator target learns from input/output pairs: give --data FILE.npz",
            None,
            "make them with `pdec data FILE --n 100 --res 64 -o FILE.npz`",
        )
    return data


def _train_operator(file, data, steps, epochs, sets, out, resume) -> None:
    """`pdec train --target operator` (see pdec.operator_commands)."""
    from pdec.operator_commands import train as train_operator

    if steps is not None:
        raise typer.BadParameter("the operator target trains in epochs: use --epochs N")
    spec = pdec.load(file)
    run = out or Path("runs") / f"{spec.name}-operator"
    options = _parse_sets(sets or [])
    train_operator(spec, _operator_pairs(data), epochs, options, run, resume, _console())


def main() -> None:
    """Entry point: run the app; spec errors are rendered, never shown as tracebacks."""
    try:
        # Without standalone mode click returns a typer.Exit's code rather than exiting.
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except SpecError as error:
        _print_error(error)
        sys.exit(error.exit_code)
    except PdecError as error:  # runtime errors: options, checkpoints, a diverged run
        prefix = "training stopped" if error.exit_code == 4 else "error"
        style = "bold red" if error.exit_code == 4 else "red"
        _console(stderr=True).print(Text(f"{prefix}: {error}", style=style))
        sys.exit(error.exit_code)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # usage errors, and anything unexpected
        if isinstance(error, _usage_errors()):
            error.show()
            sys.exit(error.exit_code)
        _internal_error(error)


def _internal_error(error: Exception) -> None:
    """A bug in pdec: one readable line, exit 3 (PDEC_DEBUG=1 shows the traceback)."""
    if os.environ.get("PDEC_DEBUG"):
        raise error
    _console(stderr=True).print(
        Text.assemble(
            ("pdec: internal error: ", "bold red"),
            f"{type(error).__name__}: {error}\n",
            (
                "this is a bug in pdec, not in your spec; rerun with PDEC_DEBUG=1 for the "
                "traceback and report it",
                "dim",
            ),
        )
    )
    sys.exit(3)


def _usage_errors() -> tuple[type, ...]:
    """Click's exception class as typer raises it: recent typer vendors its own click,
    older typer uses the click package."""
    classes: list[type] = []
    for module in ("typer._click.exceptions", "click.exceptions"):
        try:
            classes.append(importlib.import_module(module).ClickException)
        except ImportError:
            continue
    return tuple(classes)


def _print_error(error: SpecError) -> None:
    # soft_wrap: never break an error's lines, or the caret would point elsewhere
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    rendered = error.render()
    head, _, rest = rendered.partition("\n")
    style = "bold yellow" if isinstance(error, pdec.UnsupportedError) else "bold red"
    console.print(Text(head, style=style))
    if rest:
        console.print(Text(rest))


if __name__ == "__main__":
    main()
