"""Text → syntax tree, with errors that point at the offending character.

:func:`parse` runs the LALR(1) parser of :mod:`pdec.frontend.grammar`, turns a syntax
error into a :class:`~pdec.errors.SpecSyntaxError` (:mod:`pdec.frontend.syntax_errors`)
and builds the syntax nodes of :mod:`pdec.frontend.syntax` from Lark's tree, one
Transformer method per grammar rule.
"""

from __future__ import annotations

import lark
from lark import Token, Transformer, v_args

from pdec.errors import Span, SpecError, SpecSyntaxError, UnsupportedError
from pdec.frontend import syntax as s
from pdec.frontend.grammar import lark_parser
from pdec.frontend.keywords import STATEMENT_KEYWORDS
from pdec.frontend.syntax_errors import syntax_error

_KEYWORD_STATEMENTS = STATEMENT_KEYWORDS  # the name tests/frontend/test_fuzz.py imports


def parse(source: str, file: str = "<string>") -> s.Module:
    """Parse spec text into a :class:`pdec.frontend.syntax.Module`.

    >>> parse("model m").statements[0].name.id
    'm'
    """
    # Editors on Windows may start UTF-8 files with an invisible byte-order mark.
    source = source.removeprefix("\ufeff")
    _check_text(source, file)
    try:
        tree = lark_parser().parse(source)
    except lark.exceptions.UnexpectedInput as error:
        raise syntax_error(error, source, file) from None
    _check_nesting(tree, source, file)
    try:
        statements = _Builder(source, file).transform(tree).children
    except lark.exceptions.VisitError as error:
        if isinstance(error.orig_exc, SpecError):
            raise error.orig_exc from None
        raise
    return s.Module(statements=tuple(statements), file=file, source=source)


# ---- limits: what every later pass can walk without running out of stack --------------

# Levels of nesting in one expression or region: ((…)), -(-(…)), x^(x^…), dx(dx(…)).
# Every later pass (the builder, the resolver, SymPy) walks expressions recursively,
# several Python frames a level; 100 levels stay far inside Python's limit of 1000.
MAX_NESTING = 100


def _check_text(source: str, file: str) -> None:
    """Text that is not Unicode (a lone surrogate from a broken decoder) is located."""
    try:
        source.encode("utf-8")
    except UnicodeEncodeError as error:
        before = source[: error.start]
        line = before.count("\n") + 1
        column = error.start - (before.rfind("\n") + 1) + 1
        span = Span(
            file, line, column, line, column + 1, source.encode("utf-8", "replace").decode()
        )
        raise SpecSyntaxError(
            f"the text has an invalid character U+{ord(source[error.start]):04X} (a lone "
            "surrogate, not Unicode)",
            span,
            "save the spec as UTF-8 text",
        ) from None


def _check_nesting(tree: lark.Tree, source: str, file: str) -> None:
    """Refuse a parse tree nested deeper than MAX_NESTING (walked without recursion),
    pointing at the first node beyond the limit."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            meta = node.meta
            line, column = getattr(meta, "line", 1), getattr(meta, "column", 1)
            span = Span(file, line, column, line, column + 1, source)
            raise UnsupportedError(
                f"this expression is nested more than {MAX_NESTING} levels deep",
                span,
                "split it into named parts (const, param)",
            )
        step = _chain_height(node) if node.data in ("sum_chain", "product_chain") else 1
        stack.extend(
            (child, depth + step) for child in node.children if isinstance(child, lark.Tree)
        )


# ---- chains: a + b - c + ... grouped into a balanced tree ---------------------------
# The grammar reads a chain of + and - (or * and /) as one flat node. Grouped left to
# right, a sum of n terms would nest n levels deep and every recursive pass after the
# parser would need n Python frames; grouped in halves it nests log2(n) levels. The
# grouping keeps the value: a - (b - c) stands for a - b + c, and x * (y / z) for
# (x * y) / z, since a product's right factor is only ever divided by scalars.


def _pairs(children):
    """[a, op, b, op, c] → [(None, a), (op, b), (op, c)]."""
    return [(None, children[0]), *zip(children[1::2], children[2::2])]


def fold_sum(items, join):
    """items: [(None, first), (op, term), ...] with op "+" or "-"; join(op, left, right)."""
    if len(items) == 1:
        return items[0][1]
    middle = len(items) // 2
    left, right = items[:middle], items[middle:]
    op = right[0][0]
    if op == "-":  # a - (b + c) = a - b - c: the signs inside the right half flip
        right = [("-" if sign == "+" else "+", term) for sign, term in right]
    return join(op, fold_sum(left, join), fold_sum([(None, right[0][1]), *right[1:]], join))


def fold_product(items, join):
    """items: [(None, first), (op, factor), ...] with op "*" or "/". Split at the '*'
    nearest the middle; a chain of divisions only stays grouped to the left."""
    if len(items) == 1:
        return items[0][1]
    middle = len(items) // 2
    splits = [i for i, (op, _) in enumerate(items) if op == "*"]
    if not splits:
        return join(items[-1][0], fold_product(items[:-1], join), items[-1][1])
    at = min(splits, key=lambda i: abs(i - middle))
    right = [(None, items[at][1]), *items[at + 1 :]]
    return join("*", fold_product(items[:at], join), fold_product(right, join))


def _chain_height(tree: lark.Tree) -> int:
    """How many levels the builder's grouping of a chain node adds."""
    ops = [child.children[0] for child in tree.children[1::2]]
    items = [(None, 0), *((str(op), 0) for op in ops)]
    fold = fold_sum if tree.data == "sum_chain" else fold_product
    return fold(items, lambda op, left, right: max(left, right) + 1)


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

    @v_args(meta=True)
    def power_of(self, meta, children):
        return s.BinaryOp("^", children[0], children[1], self._span(meta))

    def sum_op(self, children):
        return str(children[0])

    product_op = sum_op

    def sum_chain(self, children):
        return fold_sum(_pairs(children), self._joined)

    def product_chain(self, children):
        return fold_product(_pairs(children), self._joined)

    def _joined(self, op, left, right):
        a, b = left.span, right.span
        span = Span(self.file, a.line, a.column, b.end_line, b.end_column, self.source)
        return s.BinaryOp(op, left, right, span)

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

    @v_args(meta=True)
    def param_table(self, meta, children):
        name, args, reader, path = children
        if str(reader) != "table":
            raise SpecSyntaxError(
                f"'{reader}(\"...\")': a parameter is read from a file with table(...)",
                self._token_span(reader),
                f"write param {name}({', '.join(a.id for a in args)}) = table({path})",
            )
        return s.ParamDecl(self._name(name), args, None, self._span(meta), table=str(path)[1:-1])

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

    def _round(self, meta, children, kind: str) -> s.DiskShape:
        args = tuple(c for c in children if not isinstance(c, _Keyword))
        keywords = tuple((c.name, c.value) for c in children if isinstance(c, _Keyword))
        return s.DiskShape(args, keywords, self._span(meta), kind)

    @v_args(meta=True)
    def disk(self, meta, children):
        return self._round(meta, children, "disk")

    @v_args(meta=True)
    def ball(self, meta, children):
        return self._round(meta, children, "ball")

    @v_args(meta=True)
    def ellipse(self, meta, children):
        return self._round(meta, children, "ellipse")

    @v_args(meta=True)
    def polygon(self, meta, children):
        return s.PolygonShape(tuple(children), self._span(meta))

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
    def at_point(self, meta, children):
        return s.AtPoint(tuple(children), self._span(meta))

    @v_args(meta=True)
    def energy_given(self, meta, children):
        return s.EnergyDecl(self._name(children[0]), children[1], self._span(meta))

    @v_args(meta=True)
    def energy_learned(self, meta, children):
        return s.EnergyDecl(self._name(children[0]), None, self._span(meta))

    @v_args(meta=True)
    def lagrangian_given(self, meta, children):
        return s.LagrangianDecl(self._name(children[0]), children[1], self._span(meta))

    @v_args(meta=True)
    def lagrangian_learned(self, meta, children):
        return s.LagrangianDecl(self._name(children[0]), None, self._span(meta))

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
