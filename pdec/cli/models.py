"""``pdec compile``, ``pdec train`` and ``pdec eval``: one skeleton for every target.

Each command looks the target up in the registry (:mod:`pdec.targets`), loads the spec,
gathers the flags into a :class:`Training` or :class:`Evaluation` request, and hands it
to the target's hooks (``target.commands``, e.g. :mod:`pdec.targets.energy.commands`):

    check_flags(flags)      refuses flags this target cannot use (before the spec is read)
    DATA                    None, or (message, hint) when --data is required
    run_folder(spec, mode)  the default run folder of ``pdec train``
    train(request, out)     trains (checkpoints under ``request.checkpoints``, plots in
                            the run folder) → :class:`Trained`
    evaluate(request, out)  → the summary (dict)

The skeleton writes what every run folder holds: ``summary.json`` and ``history.json``.

``pdec train`` under ``torchrun`` (or ``--nproc N``, which starts torchrun) joins the
run's process group first (:mod:`pdec.runtime.distributed`): every rank runs the
hooks, the trainer shards the work, and rank 0 alone prints and writes (the other
ranks' console is quiet; hooks ask ``main()`` before a plot or a model file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

import pdec
from pdec import targets
from pdec.cli.output import console, parse_sets, writable_folder, write_json
from pdec.errors import SpecError

SpecFile = Annotated[
    Path, typer.Argument(help="A .pde spec file.", metavar="FILE", show_default=False)
]
TARGET_HELP = f"{', '.join(targets.names()[:-1])} or {targets.names()[-1]}."
Target = Annotated[str, typer.Option("--target", "-t", help=TARGET_HELP)]
CUT_HELP = (
    "A cut's jump: lift (built into the field; default where it applies) or "
    "residual (a loss term, as Okazaki et al.)."
)


@dataclass(frozen=True)
class Training:
    """``pdec train``'s flags, for the target's ``train`` hook."""

    spec: object
    target: str
    run: Path
    data: Path | None = None
    steps: int | None = None
    epochs: int | None = None
    mode: str | None = None  # None: the target's default (energy: dgnet, lnn for a Lagrangian)
    sets: dict = field(default_factory=dict)
    resume: bool = False
    options: dict = field(default_factory=dict)  # compile options (coords, cut)

    @property
    def checkpoints(self) -> Path:
        """Where checkpoints go (``--resume`` continues from there)."""
        return self.run / "checkpoints"

    def compile(self):
        """The target's model class, generated and imported into the run folder."""
        from pdec.compiler import compile as compile_spec

        return compile_spec(self.spec, self.target, out_dir=self.run, **self.options)


@dataclass(frozen=True)
class Trained:
    """What a ``train`` hook hands back: the summary and history (written to the run
    folder as JSON) and the saved model, if any (``pdec eval --checkpoint``)."""

    summary: dict
    history: dict
    model_file: Path | None = None


@dataclass(frozen=True)
class Evaluation:
    """``pdec eval``'s flags, for the target's ``evaluate`` hook."""

    spec: object
    target: str
    checkpoint: Path
    reference: Path | None = None
    data: Path | None = None


def main() -> bool:
    """Whether this process writes the output (rank 0 of a torchrun run, or alone)."""
    from pdec.runtime import distributed

    return distributed.current().main


def compile_command(
    file: SpecFile,
    target: Target = "pinn",
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the module to.")] = Path(
        "."
    ),
    coords: Annotated[
        str | None,
        typer.Option(
            "--coords", help="Coordinates the network sees (default: the one with a cut)."
        ),
    ] = None,
    cut: Annotated[str | None, typer.Option("--cut", help=CUT_HELP)] = None,
) -> None:
    """Generate a readable PyTorch module (<model>_<target>.py) from the spec."""
    from pdec.compiler import generate_module, write_module

    spec = pdec.load(file)
    module = generate_module(spec, target, coords=coords, cut=cut)
    path = write_module(module, writable_folder(out))
    console().print(
        Text.assemble(
            "wrote ",
            (str(path), "bold"),
            f"  (class {module.class_name}, {len(module.source.splitlines())} lines)",
        )
    )


def train(
    file: SpecFile,
    target: Target = "pinn",
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
        str | None,
        typer.Option(
            "--mode",
            help="Energy target: dgnet (the default), hnn or node; on a grid also eno or fno; "
            "for a Lagrangian spec lnn (the default) or node.",
        ),
    ] = None,
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
    cut: Annotated[str | None, typer.Option("--cut", help=CUT_HELP)] = None,
    nproc: Annotated[
        int | None,
        typer.Option(
            "--nproc",
            help="Train data-parallel on N processes of this machine (torchrun "
            "--standalone --nproc-per-node N; one GPU each where there are GPUs).",
        ),
    ] = None,
) -> None:
    """Compile the spec, train the model, report its error against the spec's reference.

    Options come from the spec's `train:` line, overridden by --steps and --set.
    Checkpoints are written atomically to OUT/checkpoints; --resume continues there.
    """
    from pdec.runtime import distributed

    hooks = targets.commands(targets.get(target))
    flags = {"steps": steps, "epochs": epochs, "mode": mode, "coords": coords, "cut": cut}
    hooks.check_flags(flags)
    if nproc is not None and nproc < 1:
        raise typer.BadParameter(f"{nproc}: at least 1 process", param_hint="--nproc")
    if nproc is not None and nproc > 1 and distributed.environment_size() == 1:
        from pdec.cli.launch import launch, train_arguments

        arguments = dict(flags, file=file, target=target, data=data, sets=sets, out=out)
        raise typer.Exit(launch(nproc, train_arguments(resume=resume, **arguments)))
    distributed.join()
    try:
        _train(hooks, file, target, steps, epochs, data, mode, sets, out, resume, coords, cut)
    finally:
        distributed.leave()


def _train(hooks, file, target, steps, epochs, data, mode, sets, out, resume, coords, cut):
    """``pdec train`` on this process (one rank of a run of several, or alone)."""
    from pdec.runtime import distributed

    world = distributed.current()
    spec = pdec.load(file)
    request = Training(
        spec=spec,
        target=target,
        run=out or hooks.run_folder(spec, mode),
        steps=steps,
        epochs=epochs,
        mode=mode,
        sets=parse_sets(sets or []),
        resume=resume,
        options={"coords": coords, "cut": cut},
    )
    request = _with_data(request, hooks, data)
    writable_folder(request.run)
    out = console() if world.main else Console(quiet=True)
    if world.distributed:
        out.print(f"data-parallel on {world.size} processes (rank 0 writes the output)")
    trained = hooks.train(request, out)
    if not world.main:
        return
    summary = {**trained.summary, "world_size": world.size}
    write_json(request.run / "summary.json", summary)
    write_json(request.run / "history.json", trained.history)
    if trained.model_file is not None:
        out.print(f"model: {trained.model_file}")


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
    target: Target = "pinn",
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
    hooks = targets.commands(targets.get(target))
    request = Evaluation(pdec.load(file), target, checkpoint, reference)
    hooks.evaluate(_with_data(request, hooks, data), console())


def _with_data(request, hooks, data: Path | None):
    """``request`` with ``data``; the target's message when it needs data and has none."""
    if data is None and hooks.DATA is not None:
        message, hint = hooks.DATA
        raise SpecError(message, None, hint)
    from dataclasses import replace

    return replace(request, data=data)
