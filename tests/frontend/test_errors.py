"""Malformed specs: each raises exactly its SpecError subclass, at the right place.

Every row of ``CASES`` is a spec with one mistake, the error class it must raise, the
1-based line and column of the culprit, a piece of the message, and a piece of the
hint (None where no hint is expected).
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy

import pdec
from pdec import (
    ArgumentError,
    CoordinateError,
    DuplicateNameError,
    EnergyError,
    InvalidValueError,
    JumpError,
    LocationError,
    NameResolutionError,
    ReservedNameError,
    ShapeError,
    SpecError,
    SpecSyntaxError,
    StructureError,
    TimeError,
    UnsupportedError,
)


def spec(*lines: str) -> str:
    return "\n".join(lines) + "\n"


# Lines 1-5: a 1-D time-dependent spec; a mistake appended to it is on line 6.
HEAT = (
    "model heat",
    "const nu = 0.1",
    "region line = interval(x in [0, 1])",
    "time t in [0, 1]",
    "field u(t, x)",
)
# Lines 1-6: a 2-D spec with a boundary and a curve; a mistake appended is on line 7.
FAULT = (
    "model fault",
    "const D = 1",
    "region crust = box(x in [-10, 10], y in [-10, 0])",
    "boundary surface = crust.top",
    "curve fault = segment((0, -D), (0, 0))",
    "field u(x, y)",
)
# Lines 1-4: an energy of a periodic 1-D field; a mistake appended is on line 5.
ENERGY = (
    "model m",
    "region ring = interval(x in [0, 1], periodic)",
    "time t in [0, 1]",
    "field u(t, x)",
)
TWO_BOXES = (
    "model m",
    "region a = box(x in [0, 1], y in [0, 1])",
    "region b = box(x in [1, 2], y in [0, 1])",
)

# One case per block: the spec, then class, line, column, message and hint.
# fmt: off
CASES = [
    # ---- syntax ------------------------------------------------------------------------
    pytest.param(
        spec("model m", "const a 1"),
        SpecSyntaxError, 2, 9, "unexpected '1'", "expected '='", id="missing-equals",
    ),
    pytest.param(
        spec(*FAULT, 'param k = table("k.csv")'),
        SpecSyntaxError, 7, 17, "the table parameter 'k' needs its arguments",
        'param k(x, y) = table("k.csv")', id="table-without-arguments",
    ),
    pytest.param(
        spec(*FAULT, 'param k(x, y) = tabel("k.csv")'),
        SpecSyntaxError, 7, 17, "read from a file with table(...)",
        'param k(x, y) = table("k.csv")', id="table-misspelt",
    ),
    pytest.param(
        spec(*FAULT, 'param k(x, y) = table("k.xlsx")'),
        InvalidValueError, 7, 1, "cannot read the table 'k.xlsx'", "CSV with a header row",
        id="table-of-unknown-kind",
    ),
    pytest.param(
        spec(*FAULT, "param f(x, y) = 2*g", "param g(x, y) = 1 + f"),
        NameResolutionError, 7, 1, "the parameter 'f' is defined through itself (f → g → f)",
        "define one of them", id="parameters-in-a-circle",
    ),
    pytest.param(
        spec(*HEAT, "pde p: dt(u = 0 in line"),
        SpecSyntaxError, 6, 13, "unexpected '='", "expected ')'", id="unclosed-parenthesis",
    ),
    pytest.param(
        spec("model m", "const a = (1 + 2"),
        SpecSyntaxError, 2, 17, "ends in the middle of a statement",
        "')'", id="unclosed-parenthesis-at-end",
    ),
    pytest.param(
        spec("model m", "const a = 1 $ 2"),
        SpecSyntaxError, 2, 13, "unexpected character '$'",
        "names are letters, digits and _", id="stray-character",
    ),
    pytest.param(
        spec(*HEAT, "pde p: dt(u) = 2x in line"),
        SpecSyntaxError, 6, 16, "a number followed by a name", "2*x", id="implicit-multiplication",
    ),
    pytest.param(
        spec(*HEAT, "pde p: dt(u) = 0.5 u in line"),
        SpecSyntaxError, 6, 16, "a number followed by a name",
        "2*x", id="implicit-multiplication-spaced",
    ),
    pytest.param(
        spec(*HEAT, "pde p: dt(u) = u**2 in line"),
        SpecSyntaxError, 6, 17, "'**' is not the power operator", "u^2", id="star-star-power",
    ),
    pytest.param(
        spec(*HEAT, "pde p: dt(u) == 0 in line"),
        SpecSyntaxError, 6, 14, "'==' is not used", "lhs = rhs", id="double-equals",
    ),
    pytest.param(
        spec(*HEAT, "pde p: dt(u) =   # to do", ""),
        SpecSyntaxError, 6, 15, "ends in the middle of a statement",
        "a name or a number", id="premature-end",
    ),
    pytest.param(
        spec("model m", "region line = interval(x in [0, 1])", "feild u(x)"),
        SpecSyntaxError, 3, 1, "unknown statement 'feild'",
        "did you mean 'field'?", id="misspelled-keyword",
    ),
    pytest.param(
        spec("model m", "const a = 1", "b = 2"),
        SpecSyntaxError, 3, 1, "a statement cannot start with the name 'b'",
        "starts with a keyword", id="statement-without-keyword",
    ),
    pytest.param(
        spec(*HEAT, "data d = 'd.csv' : u"),
        SpecSyntaxError, 6, 10, "unexpected character", "double quotes", id="single-quoted-string",
    ),
    # ---- names -------------------------------------------------------------------------
    pytest.param(
        spec(*HEAT, "pde p: dt(u) = nuu*dx(dx(u)) in line"),
        NameResolutionError, 6, 16, "undefined name 'nuu'",
        "did you mean 'nu'?", id="undefined-name",
    ),
    pytest.param(
        spec(*HEAT, "pde p: dt(u) = nu*dx(dx(v)) in line"),
        NameResolutionError, 6, 25, "undefined name 'v'",
        "declare it", id="undefined-name-no-suggestion",
    ),
    pytest.param(
        spec("model m", "const a = b, b = 1"),
        NameResolutionError, 2, 11, "'b' is used before its declaration",
        "declare it first", id="constant-used-early",
    ),
    pytest.param(
        spec(*HEAT, "const k = x"),
        NameResolutionError, 6, 11, "a constant cannot depend on the variable 'x'",
        "only constants", id="constant-of-variable",
    ),
    pytest.param(
        spec(*HEAT, "param k = x"),
        NameResolutionError, 6, 11, "depends on 'x', which is not among its arguments",
        "param k(x)", id="parameter-missing-argument",
    ),
    pytest.param(
        spec(*HEAT, "param k(x) = u"),
        NameResolutionError, 6, 14, "the parameter 'k' cannot depend on the field 'u'",
        "only constants", id="parameter-of-field",
    ),
    # ---- arguments ---------------------------------------------------------------------
    pytest.param(
        spec(*HEAT, "ic start: u(0) = 0 at t = 0"),
        ArgumentError, 6, 11, "'u' takes 2 arguments, got 1", "u(t, x)", id="field-argument-count",
    ),
    pytest.param(
        spec(*HEAT, "bc left: u(x, 0) = 0 on line.left"),
        ArgumentError, 6, 12, "argument 'x' is out of place",
        "declared order", id="field-arguments-out-of-order",
    ),
    pytest.param(
        spec(*HEAT, "field v(t, y)"),
        ArgumentError, 6, 12, "'y' is not a space variable or time",
        "arguments may be: x, t", id="field-unknown-variable",
    ),
    pytest.param(
        spec(*HEAT, "param k unknown(positiv)"),
        ArgumentError, 6, 17, "'positiv' is not an option of an unknown parameter",
        "did you mean 'positive'?", id="unknown-option-misspelt",
    ),
    pytest.param(
        spec(*HEAT, "param k unknown(guess)"),
        ArgumentError, 6, 17, "write the option as `guess = <number>`", None,
        id="unknown-guess-without-value",
    ),
    pytest.param(
        spec(*HEAT, "param k unknown(guess = x)"),
        NameResolutionError, 6, 25, "cannot depend on the variable 'x'", None,
        id="unknown-guess-not-a-number",
    ),
    pytest.param(
        spec(*HEAT, "param k unknown(positive, guess = -1)"),
        InvalidValueError, 6, 1, "declared positive but its first guess is -1", "guess > 0",
        id="unknown-positive-negative-guess",
    ),
    pytest.param(
        spec(*HEAT, "param k(x) unknown(guess = 1)"),
        ArgumentError, 6, 1, "'k' is a field: a first guess is a network's", "drop `guess`",
        id="unknown-field-with-guess",
    ),
    pytest.param(
        spec(*HEAT, "param k(y) = 1"),
        ArgumentError, 6, 9, "'y' is not a space variable or time, so k cannot take it",
        "arguments may be: x, t", id="parameter-unknown-variable",
    ),
    pytest.param(
        spec(
            "model m",
            "time t in [0, 1]",
            "field q(t), p(t)",
            "energy H = p^2/2 + q^2/2",
            "evolve dt(q, q) = [[0, 1], [-1, 0]] * grad(H, (q, p))",
        ),
        ArgumentError, 5, 14, "'q' appears twice in dt(...)", "once", id="evolve-field-twice",
    ),
    pytest.param(
        spec(
            "model m",
            "time t in [0, 1]",
            "field q(t), p(t)",
            "energy H = p^2/2 + q^2/2",
            "evolve dt(q, p) = [[0, 1], [-1, 0]] * grad(H, (q, q))",
        ),
        ArgumentError, 5, 51, "'q' appears twice in grad(H, ...)",
        "once", id="gradient-field-twice",
    ),
    # ---- locations ---------------------------------------------------------------------
    pytest.param(
        spec(*FAULT, "bc top: u = 0 on surfce"),
        LocationError, 7, 18, "'surfce' is not a boundary or curve",
        "did you mean 'surface'?", id="on-unknown-boundary",
    ),
    pytest.param(
        spec(*FAULT, "bc slip: jump(u) = 1 on falt"),
        LocationError, 7, 25, "'falt' is not a boundary or curve",
        "did you mean 'fault'?", id="on-unknown-curve",
    ),
    pytest.param(
        spec(*FAULT, "bc all: u = 0 on crust"),
        LocationError, 7, 18, "'crust' is a region, not a boundary or curve",
        "on crust.boundary", id="on-a-region",
    ),
    pytest.param(
        spec(*FAULT, "boundary sky = crust.up"),
        LocationError, 7, 22, "'crust' has no side 'up'", "top", id="unknown-side",
    ),
    pytest.param(
        spec(*HEAT, "ic start: u = 0 at x = 0"),
        LocationError, 6, 20, "an initial condition is placed at a time",
        "at t = 0", id="ic-at-space-variable",
    ),
    pytest.param(
        spec(*HEAT, "bc b: u = 0"),
        LocationError, 6, 1, "a bc needs a place", "on BOUNDARY", id="bc-without-place",
    ),
    # ---- time --------------------------------------------------------------------------
    pytest.param(
        spec(
            "model m",
            "region line = interval(x in [0, 1])",
            "field u(x)",
            "pde p: dt(u) = dx(dx(u)) in line",
        ),
        TimeError, 4, 8, "dt used, but the spec declares no time",
        "time t in [0, 1]", id="dt-without-time",
    ),
    pytest.param(
        spec(
            "model m",
            "region line = interval(x in [0, 1])",
            "field u(x)",
            "ic start: u = 0 at t = 0",
        ),
        TimeError, 4, 20, "in a spec without time", "declare `time t", id="at-t-without-time",
    ),
    pytest.param(
        spec("model m", "time t in [1, 0]"),
        TimeError, 2, 1, "empty range: 1 is not below 0", "lo < hi", id="empty-time-interval",
    ),
    # ---- jumps and cuts ----------------------------------------------------------------
    pytest.param(
        spec(*FAULT, "bc top: jump(u) = 0 on surface"),
        JumpError, 7, 9, "jump is taken across a curve, not on a boundary",
        "curve", id="jump-on-boundary",
    ),
    pytest.param(
        spec(*FAULT, "pde eq: lap(u) = jump(u) in crust"),
        JumpError, 7, 18, "jump is taken across a curve, not in the pde 'eq'",
        "curve", id="jump-in-pde",
    ),
    pytest.param(
        spec(
            *FAULT,
            "coordinates polar(r, theta): x = r*sin(theta), y = r*cos(theta)",
            "cut faults at theta = 0",
        ),
        CoordinateError, 8, 5, "the cut names no curve",
        "did you mean 'fault'?", id="cut-names-no-curve",
    ),
    # ---- energies ----------------------------------------------------------------------
    pytest.param(
        spec(*ENERGY, "energy H = (u, dx(u))"),
        EnergyError, 5, 12, "the energy H must be a scalar, got a vector of 2 components",
        "integral", id="energy-vector",
    ),
    pytest.param(
        spec(*ENERGY, "energy H = u^2/2"),
        EnergyError, 5, 12, "but this depends on x",
        "integral(..., x)", id="energy-density-not-integrated",
    ),
    pytest.param(
        spec(*ENERGY, "const c = 1", "energy H = integral(u^2, x)", "evolve dt(u) = delta(H, c)"),
        EnergyError, 7, 25, "'c' is not a field",
        "a field declared with `field`", id="delta-of-constant",
    ),
    pytest.param(
        spec(*ENERGY, "energy H = integral(u^2, x)", "evolve dt(u) = dx(delta(H, 2*u))"),
        EnergyError, 6, 28, "'2*u' is not a field", "(q, p)", id="delta-of-expression",
    ),
    pytest.param(
        spec(*ENERGY, "evolve dt(u) = delta(u, u)"),
        EnergyError, 5, 22, "delta's first argument must be an energy",
        "energy H", id="delta-of-non-energy",
    ),
    # ---- duplicates and reserved names -------------------------------------------------
    pytest.param(
        spec(*HEAT, "field u(t, x)"),
        DuplicateNameError, 6, 7, "'u' is already declared (line 5)", "unique", id="two-fields",
    ),
    pytest.param(
        spec(*HEAT, "const u = 1"),
        DuplicateNameError, 6, 7, "'u' is already declared (line 5)",
        "rename", id="constant-and-field",
    ),
    pytest.param(
        spec(*HEAT, "const x = 1"),
        DuplicateNameError, 6, 7, "'x' is a space variable and cannot also name a constant",
        "another name", id="name-is-space-variable",
    ),
    pytest.param(
        spec("model m", "region line = interval(t in [0, 1])", "time t in [0, 1]"),
        DuplicateNameError, 3, 6, "'t' is a space variable and cannot also be time",
        "rename", id="time-is-space-variable",
    ),
    pytest.param(
        spec("model m", "const in = 1"),
        ReservedNameError, 2, 7, "'in' is a keyword", "'in_'", id="reserved-keyword-in",
    ),
    pytest.param(
        spec("model m", "region line = interval(x in [0, 1])", "field field(x)"),
        ReservedNameError, 3, 7, "'field' is a keyword", "'field_'", id="reserved-keyword-field",
    ),
    pytest.param(
        spec("model m", "const sin = 1"),
        ReservedNameError, 2, 7, "built-in function", "'sin_'", id="reserved-builtin-sin",
    ),
    pytest.param(
        spec("model m", "param pi unknown"),
        ReservedNameError, 2, 7, "built-in constant", "'pi_'", id="reserved-builtin-pi",
    ),
    pytest.param(
        spec("model m", "region line = interval(x in [0, 1])", "field dx(x)"),
        ReservedNameError, 3, 7, "built-in operator", "'dx_'", id="reserved-builtin-dx",
    ),
    pytest.param(
        spec("model m", "const lambda = 1"),
        ReservedNameError, 2, 7, "Python keyword", "'lambda_'", id="reserved-python-lambda",
    ),
    pytest.param(
        spec("model m", "region line = interval(x in [0, 1])", "field torch(x)"),
        ReservedNameError, 3, 7, "generated PyTorch code uses", "'torch_'",
        id="reserved-generated-torch",
    ),
    pytest.param(
        spec("model m", "const math = 1"),
        ReservedNameError, 2, 7, "generated PyTorch code uses", "'math_'",
        id="reserved-generated-math",
    ),
    pytest.param(
        spec("model m", "region class = interval(x in [0, 1])"),
        ReservedNameError, 2, 8, "Python keyword", "'class_'", id="reserved-python-class",
    ),
    pytest.param(
        spec("model m", "region line = interval(sin in [0, 1])"),
        ReservedNameError, 2, 24, "it cannot name a space variable",
        "'sin_'", id="reserved-space-variable",
    ),
    # ---- shapes ------------------------------------------------------------------------
    pytest.param(
        spec(*FAULT, "pde eq: div(u) = 0 in crust"),
        ShapeError, 7, 13, "div takes a vector of 2 components, got a scalar",
        "lap(u)", id="div-of-scalar",
    ),
    pytest.param(
        spec("model m", "region line = interval(x in [1, 0])"),
        ShapeError, 2, 24, "empty range: 1 is not below 0", "lo < hi", id="empty-range",
    ),
    pytest.param(
        spec("model m", "region line = interval(x in [1/0, 1])"),
        InvalidValueError, 2, 30, "not a finite number", "denominators", id="infinite-range",
    ),
    pytest.param(
        spec(*HEAT, "pde p: dt(u) = grad(u) in line"),
        ShapeError, 6, 16, "expected a scalar here, got a vector of 1 component",
        "div", id="vector-equation",
    ),
    pytest.param(
        spec("model m", "region plug = disk((0, 0), -1)"),
        ShapeError, 2, 28, "a disk's radius must be positive, got -1", None, id="negative-radius",
    ),
    # ---- claims and structure ----------------------------------------------------------
    pytest.param(
        spec(*ENERGY, "conserved E"),
        NameResolutionError, 5, 11, "'E' is not an energy",
        "give the quantity: conserved E = integral(...)", id="claim-of-no-energy",
    ),
    pytest.param(
        spec(
            *ENERGY,
            "energy H = integral((u^2 - 1)^2/4 + dx(u)^2/2, x)",
            "evolve dt(u) = dx(dx(delta(H, u)))",
            "structure G = skew",
        ),
        StructureError, 7, 1, "structure G = skew is declared, but the given G is negative",
        "fix G", id="structure-contradicted",
    ),
    # ---- the spec as a whole -----------------------------------------------------------
    pytest.param(
        spec("region line = interval(x in [0, 1])"),
        SpecError, 1, 1, "no `model` line", "model NAME", id="missing-model",
    ),
    pytest.param(
        spec("# heat", "", "  region line = interval(x in [0, 1])"),
        SpecError, 3, 3, "no `model` line", "model NAME", id="missing-model-after-comments",
    ),
    pytest.param(
        spec("model a", "model b"),
        DuplicateNameError, 2, 1, "`model` is given twice", "keep one", id="two-models",
    ),
    # ---- valid but unsupported ---------------------------------------------------------
    pytest.param(
        spec(*TWO_BOXES, "boundary top = (a | b).top"),
        UnsupportedError, 4, 16, "sides of a composite region are not supported",
        "a.top | b.top", id="side-of-composite-region",
    ),
    pytest.param(
        spec(*TWO_BOXES, "region c = a | b", "boundary top = c.middle"),
        LocationError, 5, 18, "the composite region 'c' has no side 'middle'",
        "the part on a region it is made of (a, b)", id="side-of-union-region",
    ),
    pytest.param(
        spec(*TWO_BOXES, "field u(x, y)", "bc pin: u = 0 at (0, 0, 1)"),
        LocationError, 5, 15, "a point has 2 coordinates (x, y), got 3", "at (0, 0)",
        id="point-with-three-coordinates",
    ),
    pytest.param(
        spec("model m", "region lens = ellipse((0, 0), (1, -2))"),
        ShapeError, 2, 31, "an ellipse's semi-axes must be positive, got -2", None,
        id="ellipse-negative-axis",
    ),
    pytest.param(
        spec("model m", "region p = polygon((0, 0), (1, 0))"),
        ArgumentError, 2, 12, "a polygon needs at least three vertices", "polygon((0, 0)",
        id="polygon-two-vertices",
    ),
    pytest.param(
        spec("model m", "const big = 1e99999"),
        UnsupportedError, 2, 13, "too long or too large", "1000 digits", id="huge-number",
    ),
    pytest.param(
        spec("model m", "const big = 9^9^9"),
        UnsupportedError, 2, 13, "too large", "1000 digits", id="huge-power",
    ),
]
# fmt: on


@pytest.mark.parametrize(("text", "cls", "line", "column", "message", "hint"), CASES)
def test_malformed_spec(text, cls, line, column, message, hint):
    with pytest.raises(SpecError) as info:
        pdec.loads(text, "bad.pde")
    error = info.value
    assert type(error) is cls, error.render()
    assert (error.line, error.column) == (line, column), error.render()
    assert message in error.message
    rendered = str(error)
    kind = "unsupported" if cls is UnsupportedError else "error"
    assert rendered.startswith(f"bad.pde:{line}:{column}: {kind}: ")
    source_line = text.split("\n")[line - 1]
    if source_line:
        _, shown, caret, *_ = rendered.splitlines()
        assert shown == f"{line:>5} | {source_line}"
        assert caret.startswith("      | " + " " * (column - 1) + "^")
        assert set(caret[len("      | ") + column - 1 :]) == {"^"}
    if hint is not None:
        assert hint in error.hint
        assert f"hint: {error.hint}" in rendered


def test_enough_cases():
    assert len(CASES) >= 35


INVALID = [
    SpecSyntaxError,
    pdec.SpecFileError,
    NameResolutionError,
    DuplicateNameError,
    ReservedNameError,
    ArgumentError,
    LocationError,
    TimeError,
    ShapeError,
    JumpError,
    CoordinateError,
    EnergyError,
    StructureError,
    InvalidValueError,
]


@pytest.mark.parametrize("invalid", INVALID, ids=lambda cls: cls.__name__)
def test_unsupported_is_not_invalid(invalid):
    assert issubclass(invalid, SpecError)
    assert not issubclass(UnsupportedError, invalid)
    assert not issubclass(invalid, UnsupportedError)


def test_errors_are_exceptions_not_base_exceptions():
    assert issubclass(SpecError, Exception)
    assert issubclass(UnsupportedError, SpecError)


def test_caret_spans_the_culprit():
    with pytest.raises(NameResolutionError) as info:
        pdec.loads(spec(*HEAT, "pde p: dt(u) = nuu*dx(dx(u)) in line"), "bad.pde")
    assert info.value.render().splitlines() == [
        "bad.pde:6:16: error: undefined name 'nuu'",
        "    6 | pde p: dt(u) = nuu*dx(dx(u)) in line",
        "      |                ^^^",
        "hint: did you mean 'nu'?",
    ]


def test_syntax_error_lists_expected_tokens():
    with pytest.raises(SpecSyntaxError) as info:
        pdec.loads(spec("model m", "time t [0, 1]"), "bad.pde")
    assert info.value.message == "unexpected '['"
    assert info.value.hint == "expected 'in'"
    assert (info.value.line, info.value.column) == (2, 8)


def test_byte_order_mark_is_ignored():
    assert pdec.loads("\ufeffmodel m\n").name == "m"


def test_error_in_a_crlf_file_points_at_the_right_column():
    with pytest.raises(SpecSyntaxError) as info:
        pdec.loads("model m\r\nconst a = 1\r\nconst b = $\r\n", "bad.pde")
    assert (info.value.line, info.value.column) == (3, 11)


def test_rendered_line_after_a_form_feed_in_a_comment():
    with pytest.raises(SpecSyntaxError) as info:
        pdec.loads("model m\n# page\fbreak\nconst a = $\n", "bad.pde")
    assert "    3 | const a = $" in info.value.render()


def test_caret_under_a_tab_indented_line():
    with pytest.raises(SpecSyntaxError) as info:
        pdec.loads("model m\n\tconst a = $\n", "bad.pde")
    assert info.value.render().splitlines()[2] == "      | \t          ^"


BASE = "model m\nregion I = interval(x in [0, 1])\nfield u(x)\n"


@pytest.mark.parametrize(
    "expression",
    [
        "-" * 5000 + "x",  # each RecursionError the fuzzer found, and a VisitError
        "x^" * 2000 + "x",
        "sin(" * 500 + "x" + ")" * 500,
        "(x*" * 500 + "x" + ")" * 500,
    ],
    ids=["unary-minus", "powers", "calls", "products"],
)
def test_deep_nesting_is_a_located_error_not_a_crash(expression):
    with pytest.raises(pdec.SpecError, match="nested more than 100 levels") as caught:
        pdec.loads(BASE + f"pde p: u = {expression} in I\n", "deep.pde")
    assert caught.value.span.line == 4 and caught.value.hint


def test_nested_derivatives_are_a_located_error():
    text = BASE + "pde p: " + "dx(" * 500 + "u" + ")" * 500 + " = 0 in I\n"
    with pytest.raises(pdec.SpecError, match="nested more than 100 levels"):
        pdec.loads(text, "deep.pde")


def test_nesting_below_the_limit_resolves_and_checks():
    for expression in ("-" * 90 + "x", "x^" * 90 + "x", "sin(" * 90 + "x" + ")" * 90):
        pdec.loads(BASE + f"pde p: u = {expression} in I\n").check()
    pdec.loads(BASE + "pde p: u = " + "(" * 3000 + "x" + ")" * 3000 + " in I\n")


def test_a_sum_of_thousands_of_terms_is_no_deeper_than_its_logarithm():
    """A long polynomial or series is not deep nesting: the chain is grouped in halves."""
    terms = " + ".join(f"{i}*x^{i % 7}" for i in range(3000))
    spec = pdec.loads(BASE + f"pde p: u = {terms} - x in I\n")
    x = sympy.Symbol("x")
    expected = sum(i * x ** (i % 7) for i in range(3000)) - x
    assert sympy.expand(spec.residual("p") - sympy.Function("u")(x) + expected) == 0


def test_a_chain_of_more_than_100_divisions_is_still_refused():
    with pytest.raises(pdec.SpecError, match="nested more than 100 levels"):
        pdec.loads(BASE + "pde p: u = x" + " / 2" * 150 + " in I\n", "deep.pde")


def test_grouping_a_chain_keeps_its_left_to_right_value():
    rng = random.Random(0)
    for _ in range(200):
        numbers = [rng.randint(1, 9) for _ in range(rng.randint(1, 12))]
        ops = [rng.choice("+-*/") for _ in numbers[1:]]
        text = str(numbers[0]) + "".join(f" {op} {n}" for op, n in zip(ops, numbers[1:]))
        terms, sign, product = [], 1, Fraction(numbers[0])  # * and / bind tighter
        for op, n in zip(ops, numbers[1:]):
            if op in "*/":
                product = product * n if op == "*" else product / n
            else:
                terms.append(sign * product)
                sign, product = (1 if op == "+" else -1), Fraction(n)
        value = sum(terms) + sign * product
        residual = pdec.loads(BASE + f"pde p: u = {text} in I\n").residual("p")
        u = sympy.Function("u")(sympy.Symbol("x"))
        assert residual == u - sympy.Rational(value.numerator, value.denominator), text


def test_a_number_with_thousands_of_written_digits_is_refused_at_its_span():
    text = BASE + "pde p: u = 0." + "0" * 5000 + "1 in I\n"
    with pytest.raises(pdec.UnsupportedError, match="too long or too large") as caught:
        pdec.loads(text, "n.pde")
    assert caught.value.span.location == "n.pde:4:12"


def test_a_lone_surrogate_is_a_located_error():
    with pytest.raises(pdec.SpecError, match="U\\+D800") as caught:
        pdec.loads(BASE + "pde p: u = x in I  # \ud800\n", "s.pde")
    assert caught.value.span.location == "s.pde:4:22"
    caught.value.render()  # printable


def test_an_exponent_beyond_a_million_is_refused_at_its_span():
    """Found by benchmarks/fuzz.py: dx(u)^10^999 resolved, and every derivative then made
    integers too long to print (ValueError from Python's 4300-digit limit)."""
    with pytest.raises(pdec.UnsupportedError, match="the exponent .* is too large") as caught:
        pdec.loads(BASE + "pde p: dx(u)^10^999 = 0 in I\n", "e.pde")
    assert caught.value.span.line == 4
    pdec.loads(BASE + "pde p: dx(u)^1000 = 1^(10^999) in I\n")  # 1 to any power is fine
