"""The error tree of pdec: every mistake in a spec raises a ``SpecError``.

``PdecError`` is the root of every error pdec raises on purpose, and it carries the
``pdec`` command's exit code (``exit_code``): 2 for a wrong spec, option, file or command
line, 4 for a training run that diverged (``pdec.runtime.errors``). Anything else that
escapes is a bug in pdec (exit 3). This module imports nothing from pdec, so every layer,
the runtime included, may raise these errors.

Each error carries a :class:`Span` (file, line, column, and the source text) and a
hint saying what to change. ``str(error)`` renders it the way a compiler does::

    fault.pde:14:22: error: undefined name 'mu_0'
       14 | pde equilibrium: div(mu_0*grad(u)) = 0 in crust
          |                      ^^^^
    hint: did you mean 'mu'?

Two families are kept apart, as a user acts on them differently:

* *invalid* specs (``SpecSyntaxError``, ``NameResolutionError`` and the rest of the
  ``SpecError`` subclasses below) — the spec is wrong and must change;
* *valid but not supported yet* (``UnsupportedError``) — the spec means something,
  pdec cannot do it yet; the hint says what would work instead.

``DataError`` and ``IntegrationError`` are about data for a valid spec: trajectory
files that do not fit it, and reference integrations (``pdec data``) that fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A region of spec text: 1-based line and column of its start and end."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    source: str = field(default="", repr=False, compare=False)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def source_line(self) -> str:
        # Split at "\n" only, as Lark counts lines (str.splitlines also breaks at \f, ...).
        lines = self.source.split("\n")
        return lines[self.line - 1].rstrip("\r") if 0 < self.line <= len(lines) else ""


class PdecError(Exception):
    """Root of the errors pdec raises on purpose; ``exit_code`` is what ``pdec`` exits with.

    A user acts on each of them (change the spec, an option, a file); none is a bug.
    """

    exit_code = 2


class SpecError(PdecError):
    """Base of every error about a spec. Catch this to catch them all.

    Attributes: ``message`` (one line), ``span`` (where, or None when no location
    applies, e.g. a missing file), ``hint`` (what to change, or "").
    """

    kind = "error"

    def __init__(self, message: str, span: Span | None = None, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def column(self) -> int | None:
        return self.span.column if self.span else None

    def with_span(self, span: Span | None) -> SpecError:
        """The same error located at ``span`` (kept if it already has one)."""
        if self.span is not None or span is None:
            return self
        located = type(self).__new__(type(self))
        located.__dict__.update(self.__dict__)
        located.span = span
        located.args = self.args
        return located

    def render(self) -> str:
        head = f"{self.kind}: {self.message}"
        if self.span is None:
            out = [head]
        else:
            out = [f"{self.span.location}: {head}"]
            text = self.span.source_line()
            if text:
                gutter = f"{self.span.line:>5} | "
                width = (
                    self.span.end_column - self.span.column
                    if self.span.end_line == self.span.line
                    else len(text) - self.span.column + 1
                )
                caret = "^" * max(1, width)
                # Keep the line's tabs in the padding so the caret stays under the culprit.
                padding = "".join(c if c == "\t" else " " for c in text[: self.span.column - 1])
                out.append(gutter + text)
                out.append(" " * (len(gutter) - 2) + "| " + padding + caret)
        if self.hint:
            out.append(f"hint: {self.hint}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.render()


# --- invalid specs -----------------------------------------------------------------


class SpecSyntaxError(SpecError):
    """The text does not follow the grammar: an unexpected token or character."""


class SpecFileError(SpecError):
    """The spec file cannot be read (missing, a directory, not UTF-8)."""


class NameResolutionError(SpecError):
    """A name that is used but never declared (the hint suggests close names)."""


class DuplicateNameError(SpecError):
    """A name declared twice, or a declaration that shadows a built-in variable."""


class ReservedNameError(SpecError):
    """A keyword, built-in function or Python keyword used as a name."""


class ArgumentError(SpecError):
    """A field, function or operator called with the wrong number or kind of arguments."""


class LocationError(SpecError):
    """A condition placed on something that is not a boundary, curve, region or time."""


class TimeError(SpecError):
    """Time used where the spec declares none (``dt`` without ``time``), or the like."""


class ShapeError(SpecError):
    """Scalars, vectors and matrices mixed wrongly (``div`` of a scalar, a vector energy)."""


class JumpError(SpecError):
    """``jump`` used away from a curve."""


class CoordinateError(SpecError):
    """A coordinate map that is not a usable change of variables, or a bad ``cut``."""


class EnergyError(SpecError):
    """An energy that is not a scalar functional, or ``delta(H, v)`` with v not a field."""


class InvalidValueError(SpecError):
    """A value that is not a finite number: a division by zero, log(0), a number too big."""


class StructureError(SpecError):
    """A declared structure (``structure G = skew``) that the given G contradicts."""


# --- data for a valid spec -----------------------------------------------------------


class DataError(SpecError):
    """Trajectory data that cannot be used with the spec: a missing array, an axis of the
    wrong length, fields or a grid that do not match (the message names the array and
    axis, with the expected and the actual value)."""


class IntegrationError(SpecError):
    """The reference integrator of ``pdec data`` could not follow the solution to the
    requested time: it blew up, or the step size needed fell below what is reasonable."""


# --- valid, but not supported yet ----------------------------------------------------


class UnsupportedError(SpecError):
    """The spec is valid, but pdec cannot do this yet; the hint names what works."""

    kind = "unsupported"


__all__ = [
    "ArgumentError",
    "CoordinateError",
    "DataError",
    "DuplicateNameError",
    "EnergyError",
    "IntegrationError",
    "InvalidValueError",
    "JumpError",
    "LocationError",
    "NameResolutionError",
    "PdecError",
    "ReservedNameError",
    "ShapeError",
    "Span",
    "SpecError",
    "SpecFileError",
    "SpecSyntaxError",
    "StructureError",
    "TimeError",
    "UnsupportedError",
]
