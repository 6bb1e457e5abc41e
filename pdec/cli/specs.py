"""The commands about a spec itself: ``pdec check``, ``show``, ``data``, ``estimate``."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

import pdec
from pdec.cli.models import SpecFile
from pdec.cli.output import console, writable_file
from pdec.errors import SpecError
from pdec.symbolic.budget import DEFAULT_BUDGET

VERDICT_STYLE = {
    "conserved": "green",
    "dissipated": "cyan",
    "not conserved": "red",
    "not shown": "yellow",
}


BUDGET_HELP = "Seconds of symbolic work per claim; past it the claim is 'not shown'."


def _budget(value: float) -> float:
    if not value > 0:
        raise typer.BadParameter(f"{value}: a positive number of seconds", param_hint="--budget")
    return value


def check(
    file: SpecFile,
    as_json: Annotated[bool, typer.Option("--json", help="Findings as JSON.")] = False,
    budget: Annotated[
        float, typer.Option("--budget", help=BUDGET_HELP, callback=_budget)
    ] = DEFAULT_BUDGET,
) -> None:
    """Check the spec's conservation claims and energies symbolically.

    One line per claim and per energy: conserved, dissipated, not conserved (with a
    state where the rate is nonzero) or not shown (with the reason). Exits 1 if a
    claim in the spec is refuted.
    """
    spec = pdec.load(file)
    findings = spec.check(budget)
    structure = _structure_line(spec)
    if as_json:
        from pdec.serialize import to_data

        typer.echo(json.dumps({"findings": to_data(findings), "structure": structure[1]}, indent=2))
    else:
        out = console()
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
    budget: Annotated[
        float, typer.Option("--budget", help=BUDGET_HELP + " (--json's findings)", callback=_budget)
    ] = DEFAULT_BUDGET,
) -> None:
    """Show the derived equations: residuals, δH/δu, the class of G, and claims."""
    if latex and as_json:
        raise typer.BadParameter("choose one of --latex and --json")
    spec = pdec.load(file)
    if as_json:
        data = spec.to_json(coords=coords, budget=budget)
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from pdec.cli.show import render_latex, render_text

    if latex:
        typer.echo(render_latex(spec, coords))
    else:
        render_text(spec, coords, console())


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
    points: Annotated[
        int | None,
        typer.Option(
            "--points",
            min=1,
            help="Operator data at scattered points: this many per pair, drawn uniformly "
            "(for the GNO, --set architecture=gno).",
        ),
    ] = None,
) -> None:
    """Reference data (NPZ): trajectories of an evolution spec, for the energy target;
    with --res, or for a spec with an `input`, pairs (input, solution) on a grid for the
    operator target.

    Trajectories: pseudo-spectral in space with ETDRK4 in time for periodic PDEs, DOP853
    for ODE systems. Operator data: Gaussian-random-field inputs and a finite-difference
    elliptic solver, or random initial states and ETDRK4 up to the spec's end time
    (see pdec.reference.operator_data); with --points, each pair is then read at that
    many random points. How the data were made is recorded in the file.
    """
    if dt <= 0:
        raise typer.BadParameter("--dt must be positive")
    from pdec.reference import generate

    spec = pdec.load(file)
    out = writable_file(out or Path(f"{spec.name}.npz"))  # before the solver's work
    if res is not None or points is not None or spec.ir.inputs:
        _operator_data(spec, n, res or 64, seed, out, points)
        return
    trajectories = generate(spec, n, steps, dt, seed=seed, grid=grid)
    path = trajectories.save(out)
    out_console = console()
    out_console.print(
        f"wrote {path}: u {tuple(trajectories.u.shape)} (trajectory, time, field"
        + (", grid" if trajectories.space else "")
        + f"), dt = {trajectories.dt:g}, fields {', '.join(trajectories.fields)}"
    )
    out_console.print(f"integrator: {trajectories.integrator}")


def _operator_data(spec, n: int, res: int, seed: int, out: Path, points: int | None) -> None:
    from pdec.reference.operator_data import generate_operator_data

    pairs = generate_operator_data(spec, n, res, seed=seed, points=points)
    path = pairs.save(out)
    out_console = console()
    where = (
        f"at the points {tuple(pairs.points.shape)} (instance, point, coordinate)"
        if pairs.scattered
        else "(instance, channel, grid)"
    )
    out_console.print(
        f"wrote {path}: inputs {tuple(pairs.inputs.shape)} ({', '.join(pairs.input_names)}), "
        f"outputs {tuple(pairs.outputs.shape)} ({', '.join(pairs.output_names)}) {where}"
    )
    out_console.print(f"solver: {pairs.solver}")


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
    minimising the mean squared PDE residual on the data grid (see pdec.estimation)."""
    from pdec.estimation import estimate as estimate_parameters

    out_console = console()
    with warnings.catch_warnings(record=True) as caught:  # data notes: one line, no path
        warnings.simplefilter("always")
        values = estimate_parameters(file, data, derivatives=derivatives, radius=radius)
    for warning in caught:
        out_console.print(f"[yellow]note:[/yellow] {warning.message}")
    for name, value in values.items():
        out_console.print(f"{name} = {value:.6g}")
