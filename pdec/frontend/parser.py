"""Text → syntax tree, with errors that point at the offending character.

The grammar lives in ``grammars/pde.lark`` (shipped inside the wheel as
``pdec/grammars/pde.lark``). Parsing is LALR(1) with Lark's contextual lexer, so a
syntax error knows exactly which tokens would have been accepted.
"""

from __future__ import annotations

import difflib
import functools
import importlib.resources
import re
from pathlib import Path

import lark
from lark import Token, Transformer, v_args

from pdec.errors import Span, SpecError, SpecSyntaxError, UnsupportedError
from pdec.frontend import syntax as s
from pdec.frontend.keywords import STATEMENT_KEYWORDS

_KEYWORD_STATEMENTS = STATEMENT_KEYWORDS  # the name tests/frontend/test_fuzz.py imports


def grammar_text() -> str:
    """The grammar, from the installed package or, in a source checkout, ``grammars/``."""
    try:
        resource = importlib.resources.files("pdec.grammars").joinpath("pde.lark")
        if resource.is_file():
            return resource.read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pass
    checkout = Path(__file__).resolve().parents[2] / "grammars" / "pde.lark"
    return checkout.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    return lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
    )


def parse(source: str, file: str = "<string>") -> s.Module:
    """Parse spec text into a :class:`pdec.frontend.syntax.Module`.

    >>> parse("model m").statements[0].name.id
    'm'
    """
    # Editors on Windows may start UTF-8 files with an invisible byte-order mark.
    source = source.removeprefix("\ufeff")
    try:
        tree = _lark().parse(source)
    except lark.exceptions.UnexpectedInput as error:
        raise _syntax_error(error, source, file) from None
    try:
        statements = _Builder(source, file).transform(tree).children
    except lark.exceptions.VisitError as error:
        if isinstance(error.orig_exc, SpecError):
            raise error.orig_exc from None
        raise
    return s.Module(statements=tuple(statements), file=file, source=source)


# ---- syntax errors ---------------------------------------------------------------------

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
        pattern = _lark().get_terminal(terminal).pattern
    except KeyError:
        return terminal
    if isinstance(pattern, lark.lexer.PatternStr):
        return repr(pattern.value)
    return terminal.lower()


def _is_statement_start(terminal: str) -> bool:
    return terminal.lower() in _KEYWORD_STATEMENTS or terminal in ("EQUATION_KIND", "CLAIM_KIND")


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


def _syntax_error(
    error: lark.exceptions.UnexpectedInput, source: str, file: str
) -> SpecSyntaxError:
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
        close = difflib.get_close_matches(str(token), _KEYWORD_STATEMENTS, n=1, cutoff=0.75)
        if close:
            return SpecSyntaxError(
                f"unknown statement {found}", span, f"did you mean '{close[0]}'?"
            )
        return SpecSyntaxError(
            f"a statement cannot start with the name {found}",
            span,
            "each statement starts with a keyword: " + ", ".join(_KEYWORD_STATEMENTS),
        )
    if token.type != "NAME" and "NAME" in expected and str(token).isidentifier():
        return SpecSyntaxError(
            f"{found} is a reserved word and cannot be used as a name",
            span,
            "choose another name, e.g. " + f"{token}_1",
        )
    return SpecSyntaxError(f"unexpected {found}", span, hint)


# ---- tree → syntax nodes -------------------------------------------------------------


class _Builder(Transformer):
    """Turns Lark's parse tree into frozen syntax nodes, keeping every position."""

    def __init__(self, source: str, file: str):
        super().__init__()
        self.source = source
        self.file = file

    def _span(self, meta) -> Span:
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column, self.source)

    def _token_span(self, token: Token) -> Span:
        return Span(
            self.file, token.line, token.column, token.end_line, token.end_column, self.source
        )

    def _name(self, token: Token) -> s.Name:
        return s.Name(str(token), self._token_span(token))

    # -- expressions
    @v_args(meta=True)
    def number(self, meta, children):
        return s.Number(str(children[0]), self._span(meta))

    @v_args(meta=True)
    def name(self, meta, children):
        return self._name(children[0])

    @v_args(meta=True)
    def call(self, meta, children):
        return s.Call(self._name(children[0]), tuple(children[1:]), self._span(meta))

    def _binary(op):  # noqa: N805 - a factory used in the class body
        @v_args(meta=True)
        def build(self, meta, children):
            return s.BinaryOp(op, children[0], children[1], self._span(meta))

        return build

    add = _binary("+")
    subtract = _binary("-")
    multiply = _binary("*")
    divide = _binary("/")
    power_of = _binary("^")

    @v_args(meta=True)
    def negate(self, meta, children):
        return s.Negate(children[0], self._span(meta))

    @v_args(meta=True)
    def tuple(self, meta, children):
        return s.TupleExpr(tuple(children), self._span(meta))

    def row(self, children):
        return tuple(children)

    @v_args(meta=True)
    def matrix(self, meta, children):
        return s.MatrixExpr(tuple(children), self._span(meta))

    # -- declarations
    @v_args(meta=True)
    def model_decl(self, meta, children):
        return s.ModelDecl(self._name(children[0]), self._span(meta))

    @v_args(meta=True)
    def const_item(self, meta, children):
        return s.ConstDecl(self._name(children[0]), children[1], self._span(meta))

    def const_decl(self, children):
        return _Many(children)

    def arg_names(self, children):
        return tuple(self._name(t) for t in children)

    @v_args(meta=True)
    def param_known(self, meta, children):
        args = children[1] if len(children) == 3 else None
        return s.ParamDecl(self._name(children[0]), args, children[-1], self._span(meta))

    @v_args(meta=True)
    def param_unknown(self, meta, children):
        options = children.pop() if isinstance(children[-1], list) else []
        args = children[1] if len(children) == 3 else None
        return s.ParamDecl(self._name(children[0]), args, None, self._span(meta), tuple(options))

    def unknown_options(self, children):
        return list(children)

    def unknown_option(self, children):
        return (self._name(children[0]), children[1] if len(children) > 1 else None)

    @v_args(meta=True)
    def region_decl(self, meta, children):
        return s.RegionDecl(self._name(children[0]), children[1], self._span(meta))

    def _region_op(op):  # noqa: N805
        @v_args(meta=True)
        def build(self, meta, children):
            return s.RegionOp(op, children[0], children[1], self._span(meta))

        return build

    region_union = _region_op("union")
    region_difference = _region_op("difference")
    region_intersection = _region_op("intersection")

    @v_args(meta=True)
    def region_ref(self, meta, children):
        return s.RegionRef(self._name(children[0]), self._span(meta))

    def _box_like(kind):  # noqa: N805
        @v_args(meta=True)
        def build(self, meta, children):
            ranges = tuple(c for c in children if isinstance(c, s.VarRange))
            periodic = tuple(c for c in children if isinstance(c, s.Periodic))
            return s.BoxShape(kind, ranges, periodic, self._span(meta))

        return build

    box = _box_like("box")
    interval = _box_like("interval")

    @v_args(meta=True)
    def var_range(self, meta, children):
        return s.VarRange(self._name(children[0]), children[1], children[2], self._span(meta))

    @v_args(meta=True)
    def periodic_all(self, meta, children):
        return s.Periodic((), self._span(meta))

    @v_args(meta=True)
    def periodic_vars(self, meta, children):
        return s.Periodic(tuple(self._name(t) for t in children[1:]), self._span(meta))

    @v_args(meta=True)
    def disk(self, meta, children):
        args = tuple(c for c in children if not isinstance(c, _Keyword))
        keywords = tuple((c.name, c.value) for c in children if isinstance(c, _Keyword))
        return s.DiskShape(args, keywords, self._span(meta))

    def disk_arg(self, children):
        return children[0]

    def disk_keyword(self, children):
        return _Keyword(self._name(children[0]), children[1])

    @v_args(meta=True)
    def boundary_decl(self, meta, children):
        return s.BoundaryDecl(self._name(children[0]), children[1], self._span(meta))

    @v_args(meta=True)
    def side(self, meta, children):
        return s.Side(self._name(children[0]), self._name(children[1]), self._span(meta))

    @v_args(meta=True)
    def region_side(self, meta, children):
        region, side = children
        if isinstance(region, s.RegionRef):  # (crust).top is crust.top
            return s.Side(region.name, self._name(side), self._span(meta))
        raise UnsupportedError(
            "sides of a composite region are not supported yet",
            self._span(meta),
            "name the sides of each part and join them with |, e.g. a.top | b.top",
        )

    @v_args(meta=True)
    def place_ref(self, meta, children):
        return s.PlaceRef(self._name(children[0]), self._span(meta))

    @v_args(meta=True)
    def place_union(self, meta, children):
        parts: list = []
        for child in children:
            parts.extend(child.parts if isinstance(child, s.PlaceUnion) else [child])
        return s.PlaceUnion(tuple(parts), self._span(meta))

    @v_args(meta=True)
    def curve_decl(self, meta, children):
        return s.CurveDecl(
            self._name(children[0]), self._name(children[1]), tuple(children[2:]), self._span(meta)
        )

    @v_args(meta=True)
    def time_decl(self, meta, children):
        return s.TimeDecl(self._name(children[0]), children[1], children[2], self._span(meta))

    def _function_decls(kind):  # noqa: N805
        def build(self, children):
            return _Many([s.FunctionDecl(kind, c.name, c.args, c.span) for c in children])

        return build

    field_decl = _function_decls("field")
    input_decl = _function_decls("input")

    @v_args(meta=True)
    def signature(self, meta, children):
        args = children[1] if len(children) > 1 else None
        return s.FunctionDecl("", self._name(children[0]), args, self._span(meta))

    @v_args(meta=True)
    def coordinates_decl(self, meta, children):
        name, variables, *rest = children
        about = rest[0].value if rest and isinstance(rest[0], _About) else None
        equations = tuple(c for c in rest if isinstance(c, tuple))
        return s.CoordinatesDecl(self._name(name), variables, about, equations, self._span(meta))

    def about(self, children):
        return _About(children[0])

    def coordinate_eq(self, children):
        return (self._name(children[0]), children[1])

    @v_args(meta=True)
    def cut_decl(self, meta, children):
        return s.CutDecl(
            self._name(children[0]), self._name(children[1]), children[2], self._span(meta)
        )

    @v_args(meta=True)
    def equation(self, meta, children):
        kind = str(children[0])
        rest = list(children[1:])
        name = self._name(rest.pop(0)) if isinstance(rest[0], Token) else None
        location = rest.pop() if len(rest) == 3 else None
        return s.EquationDecl(kind, name, rest[0], rest[1], location, self._span(meta))

    @v_args(meta=True)
    def in_region(self, meta, children):
        return s.InRegion(children[0], self._span(meta))

    @v_args(meta=True)
    def on_place(self, meta, children):
        return s.OnPlace(children[0], self._span(meta))

    @v_args(meta=True)
    def at_slice(self, meta, children):
        region = children[2] if len(children) == 3 else None
        return s.AtSlice(self._name(children[0]), children[1], region, self._span(meta))

    @v_args(meta=True)
    def energy_given(self, meta, children):
        return s.EnergyDecl(self._name(children[0]), children[1], self._span(meta))

    @v_args(meta=True)
    def energy_learned(self, meta, children):
        return s.EnergyDecl(self._name(children[0]), None, self._span(meta))

    @v_args(meta=True)
    def evolve_decl(self, meta, children):
        operator, *names, rhs = children
        return s.EvolveDecl(
            self._name(operator), tuple(self._name(n) for n in names), rhs, self._span(meta)
        )

    @v_args(meta=True)
    def structure_decl(self, meta, children):
        return s.StructureDecl(self._name(children[0]), self._name(children[1]), self._span(meta))

    @v_args(meta=True)
    def claim(self, meta, children):
        value = children[2] if len(children) == 3 else None
        return s.ClaimDecl(str(children[0]), self._name(children[1]), value, self._span(meta))

    @v_args(meta=True)
    def data_decl(self, meta, children):
        name, path, *rest = children
        location = rest.pop() if rest and not isinstance(rest[-1], Token) else None
        return s.DataDecl(
            self._name(name),
            str(path)[1:-1],
            tuple(self._name(t) for t in rest),
            location,
            self._span(meta),
        )

    @v_args(meta=True)
    def reference_decl(self, meta, children):
        return s.ReferenceDecl(self._name(children[0]), children[1], self._span(meta))

    @v_args(meta=True)
    def train_decl(self, meta, children):
        return s.TrainDecl(tuple(children), self._span(meta))

    @v_args(meta=True)
    def train_item(self, meta, children):
        return s.TrainItem(self._name(children[0]), children[1], self._span(meta))

    def train_shape(self, children):
        depth, width = str(children[0]).replace("×", "x").split("x")
        if max(len(depth.strip()), len(width.strip())) > 9:
            raise SpecSyntaxError(
                f"the layer shape {children[0]} is too large",
                self._token_span(children[0]),
                "write depth x width, e.g. 8 x 40",
            )
        return (int(depth), int(width))

    def train_number(self, children):
        return children[0]

    def signed_number(self, children):
        return _number_value(str(children[0]))

    def negative_number(self, children):
        return -_number_value(str(children[0]))

    def train_name(self, children):
        return str(children[0])

    def train_string(self, children):
        return str(children[0])[1:-1]

    def start(self, children):
        flat: list = []
        for child in children:
            flat.extend(child.items if isinstance(child, _Many) else [child])
        return lark.Tree("start", flat)


class _Many:
    """Several statements from one line (``const a = 1, b = 2``)."""

    def __init__(self, items):
        self.items = list(items)


class _Keyword:
    def __init__(self, name, value):
        self.name = name
        self.value = value


class _About:
    def __init__(self, value):
        self.value = value


def _number_value(text: str) -> int | float:
    # float() for integers too long for int() (Python limits int(str) to 4300 digits)
    return int(text) if text.isdigit() and len(text) < 4000 else float(text)
