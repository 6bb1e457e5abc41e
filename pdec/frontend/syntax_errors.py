"""Lark's syntax errors as :class:`~pdec.errors.SpecSyntaxError`: a span at the
offending character, what would have been accepted there in words, and a hint.

Common mistakes (``2x``, ``**``, ``==``, a misspelt statement keyword, a reserved word
used as a name) get messages of their own; ``tests/frontend/test_errors.py`` has one
test per message.
"""

from __future__ import annotations

import difflib
import re

import lark

from pdec.errors import Span, SpecSyntaxError
from pdec.frontend.grammar import lark_parser
from pdec.frontend.keywords import STATEMENT_KEYWORDS

# Common mistakes, recognised by the token that was found where it did not fit.
_FRIENDLY = {
    "NUMBER_NAME": (
        "a number followed by a name",
        "write multiplication explicitly, e.g. 2*x instead of 2x",
    ),
    "STAR_STAR": ("'**' is not the power operator here", "write powers with ^, e.g. u^2"),
    "DOUBLE_EQUAL": ("'==' is not used in specs", "an equation is written lhs = rhs"),
}


def _describe(terminal: str) -> str:
    names = {
        "NAME": "a name",
        "NUMBER": "a number",
        "STRING": 'a "string"',
        "SHAPE": "a layer shape like 8 x 40",
        "EQUATION_KIND": "'pde', 'bc' or 'ic'",
        "CLAIM_KIND": "'conserved', 'dissipated' or 'quantity'",
        "$END": "the end of the file",
    }
    if terminal in names:
        return names[terminal]
    try:
        pattern = lark_parser().get_terminal(terminal).pattern
    except KeyError:
        return terminal
    if isinstance(pattern, lark.lexer.PatternStr):
        return repr(pattern.value)
    return terminal.lower()


def _is_statement_start(terminal: str) -> bool:
    return terminal.lower() in STATEMENT_KEYWORDS or terminal in ("EQUATION_KIND", "CLAIM_KIND")


def _expected_text(expected: set[str]) -> str:
    statement_starts = {t for t in expected if _is_statement_start(t)}
    words = sorted(_describe(t) for t in expected - statement_starts)
    if len(statement_starts) > 3:
        words.append("a new statement (model, const, field, pde, bc, ...)")
    else:
        words.extend(sorted(_describe(t) for t in statement_starts))
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _span_at(source: str, file: str, line: int, column: int, width: int = 1) -> Span:
    return Span(file, line, column, line, column + max(1, width), source)


_NUMBER_AT_END = re.compile(r"(?<![\w.])(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t]*$")


def _end_of_code(source: str) -> tuple[int, int]:
    """Line and column just after the last code of ``source`` (trailing comments skipped).

    Lines are counted at "\\n" only, as Lark counts them.
    """
    lines = source.split("\n")
    for number in range(len(lines), 0, -1):
        code = re.sub(r"#[^\"\n]*$", "", lines[number - 1]).rstrip()
        if code:
            return number, len(code) + 1
    return 1, 1


def syntax_error(error: lark.exceptions.UnexpectedInput, source: str, file: str) -> SpecSyntaxError:
    """The :class:`SpecSyntaxError` for Lark's ``error``: where, what was expected, and
    a hint for the common mistakes."""
    if isinstance(error, lark.exceptions.UnexpectedCharacters):
        char = source[error.pos_in_stream] if error.pos_in_stream < len(source) else ""
        span = _span_at(source, file, error.line, error.column)
        hint = "names are letters, digits and _; numbers look like 1, 0.5 or 1e-3"
        if char in "\"'":
            hint = 'strings are written in double quotes on one line: "data.csv"'
        return SpecSyntaxError(f"unexpected character {char!r}", span, hint)

    expected = set(getattr(error, "expected", ()) or ())
    token = getattr(error, "token", None)
    if isinstance(error, lark.exceptions.UnexpectedEOF) or token is None or token.type == "$END":
        line, column = _end_of_code(source)
        span = _span_at(source, file, line, column)
        wanted = _expected_text(expected)
        return SpecSyntaxError(
            "the spec ends in the middle of a statement",
            span,
            f"expected {wanted}" if wanted else "complete the last statement",
        )

    span = _span_at(source, file, token.line, token.column, len(str(token)))
    found = repr(str(token))
    wanted = _expected_text(expected)
    hint = f"expected {wanted}" if wanted else ""
    line_before = source[: token.start_pos].rpartition("\n")[2]
    number_before = _NUMBER_AT_END.search(line_before)
    if token.type == "NAME" and "NAME" not in expected and number_before:
        # The caret covers the number and the name: "2x", not just "x".
        start = number_before.start() + 1
        span = _span_at(source, file, token.line, start, token.end_column - start)
        message, hint = _FRIENDLY["NUMBER_NAME"]
        return SpecSyntaxError(message, span, hint)
    if str(token) in ("*", "=") and line_before.endswith(str(token)):
        # "**" and "==": point at both characters.
        span = _span_at(source, file, token.line, token.column - 1, 2)
        message, hint = _FRIENDLY["STAR_STAR" if str(token) == "*" else "DOUBLE_EQUAL"]
        return SpecSyntaxError(message, span, hint)
    starts_line = not line_before.strip()
    if token.type == "NAME" and starts_line and any(_is_statement_start(t) for t in expected):
        close = difflib.get_close_matches(str(token), STATEMENT_KEYWORDS, n=1, cutoff=0.75)
        if close:
            return SpecSyntaxError(
                f"unknown statement {found}", span, f"did you mean '{close[0]}'?"
            )
        return SpecSyntaxError(
            f"a statement cannot start with the name {found}",
            span,
            "each statement starts with a keyword: " + ", ".join(STATEMENT_KEYWORDS),
        )
    if token.type != "NAME" and "NAME" in expected and str(token).isidentifier():
        return SpecSyntaxError(
            f"{found} is a reserved word and cannot be used as a name",
            span,
            "choose another name, e.g. " + f"{token}_1",
        )
    scalar_table = _SCALAR_TABLE.match(line_before)
    if token.type == "STRING" and scalar_table:
        name = scalar_table.group(1)
        return SpecSyntaxError(
            f"the table parameter '{name}' needs its arguments",
            span,
            f"a table gives a function of the coordinates: param {name}(x, y) = table({token})",
        )
    return SpecSyntaxError(f"unexpected {found}", span, hint)


# `param k = table("k.csv")`: the string is found where a scalar's value goes on
_SCALAR_TABLE = re.compile(r"\s*param\s+(\w+)\s*=\s*\w+\s*\(\s*$")


__all__ = ["syntax_error"]
