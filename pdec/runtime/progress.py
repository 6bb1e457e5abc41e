"""The training progress bar (rich): phase, step, total loss, each term, it/s.

Every trainer shares it: the PINN passes its :class:`Record`, the energy and operator
trainers a line of text such as ``"loss 1.2e-03"``."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from pdec.runtime.history import Record


class RateColumn(ProgressColumn):
    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f} it/s" if speed else "– it/s", style="progress.data.speed")


def describe(record: Record) -> str:
    terms = "  ".join(f"{name} {value:.2e}" for name, value in record.terms.items())
    unknowns = "  ".join(f"{name} = {value:.4g}" for name, value in record.unknowns.items())
    return f"loss {record.loss:.3e}  [dim]{terms}[/dim]" + (f"  {unknowns}" if unknowns else "")


class ProgressBar:
    """A context manager; inert when disabled or when stderr is not a terminal."""

    def __init__(
        self,
        total: int,
        completed: int,
        enabled: bool = True,
        console: Console | None = None,
        phase: str = "adam",
    ):
        console = console or Console(stderr=True)
        self.enabled = enabled and console.is_terminal
        self.progress = None
        if self.enabled:
            self.progress = Progress(
                TextColumn("[bold]{task.fields[phase]}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[losses]}"),
                RateColumn(),
                TimeElapsedColumn(),
                console=console,
            )
            self.task = self.progress.add_task(
                "train", total=total, completed=completed, phase=phase, losses=""
            )

    def __enter__(self) -> ProgressBar:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()

    def advance(self, phase: str, record: Record | str | None) -> None:
        if self.progress is None:
            return
        fields = {"phase": phase}
        if record is not None:
            fields["losses"] = record if isinstance(record, str) else describe(record)
        self.progress.update(self.task, advance=1, **fields)
