"""The typer app and ``main``: every :class:`~pdec.errors.PdecError` becomes its
``exit_code`` (2 or 4) and a message, never a traceback; anything else is a bug (exit 3).
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

import pdec
from pdec.cli import models, specs
from pdec.cli.output import console
from pdec.errors import PdecError, SpecError, UnsupportedError

NON_MAIN_RANK_GRACE = 5.0  # seconds a failing rank other than 0 waits before it exits

app = typer.Typer(
    name="pdec",
    help="Compile declarative PDE specs (.pde) to trainable PyTorch models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


# in the order --help lists them
app.command()(specs.check)
app.command()(specs.show)
app.command(name="compile")(models.compile_command)
app.command()(models.train)
app.command()(specs.data)
app.command()(specs.estimate)
app.command(name="eval")(models.eval_command)


def main() -> None:
    """Entry point: run the app; errors are rendered, never shown as tracebacks.

    A rank of a torchrun run ends with ``os._exit`` once its output is flushed: its
    files are written (atomically) and its process group closed, and the interpreter's
    own shutdown can abort (SIGABRT, "terminate called without an active exception")
    while torch.distributed's threads are torn down, which torchrun would report as
    this rank failing."""
    try:
        _run()
    except SystemExit as done:
        if os.environ.get("WORLD_SIZE", "1") not in ("", "1"):
            sys.stdout.flush()
            sys.stderr.flush()
            code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
            if code != 0 and os.environ.get("RANK", "0") != "0":
                # Every rank fails together (a diverged loss is all-reduced) but rank 0
                # alone says why: a rank that exits first makes torchrun stop the others,
                # which under load stopped rank 0 before its message was written
                time.sleep(NON_MAIN_RANK_GRACE)
            os._exit(code)
        raise


def _run() -> None:
    try:
        # Without standalone mode click returns a typer.Exit's code rather than exiting.
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except SpecError as error:
        if _speaks(error):
            _print_error(error)
        sys.exit(error.exit_code)
    except PdecError as error:  # runtime errors: options, checkpoints, a diverged run
        prefix = "training stopped" if error.exit_code == 4 else "error"
        style = "bold red" if error.exit_code == 4 else "red"
        text = str(error)  # hinted errors say "error: ..." themselves
        text = text if text.startswith("error: ") else f"{prefix}: {text}"
        if _speaks(error):
            console(stderr=True).print(Text(f"{_rank()}{text}", style=style))
        sys.exit(error.exit_code)
    except OSError as error:
        if error.errno not in WRITE_ERRORS:
            _internal_error(error)
        where = f": {error.filename}" if error.filename else ""
        console(stderr=True).print(
            Text(f"{_rank()}error: {error.strerror}{where} (choose another place)", style="red")
        )
        sys.exit(2)
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


# the file system refusing a write (full, read-only, no permission, in the way): the
# user's to fix, not a bug
WRITE_ERRORS = {
    errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EEXIST,
    errno.ENOTDIR, errno.EISDIR,
}  # fmt: skip


def _rank() -> str:
    """ "rank N: " on the ranks other than 0 of a torchrun run; "" otherwise."""
    rank = os.environ.get("RANK", "0")
    return "" if rank == "0" or os.environ.get("WORLD_SIZE", "1") == "1" else f"rank {rank}: "


def _speaks(error: PdecError) -> bool:
    """Whether this process prints ``error``: a run that diverged stops every rank at
    once with the same message, which rank 0 alone prints; a user error each rank
    prints (its rank named), as it may be this rank's alone (a file another node
    lacks)."""
    return not (_rank() and error.exit_code == 4)


def _internal_error(error: Exception) -> None:
    """A bug in pdec: one readable line, exit 3 (PDEC_DEBUG=1 shows the traceback)."""
    if os.environ.get("PDEC_DEBUG"):
        raise error
    console(stderr=True).print(
        Text.assemble(
            (f"{_rank()}pdec: internal error: ", "bold red"),
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
    stderr = Console(stderr=True, highlight=False, soft_wrap=True)
    rendered = error.render()
    head, _, rest = rendered.partition("\n")
    style = "bold yellow" if isinstance(error, UnsupportedError) else "bold red"
    stderr.print(Text(head, style=style))
    if rest:
        stderr.print(Text(rest))
