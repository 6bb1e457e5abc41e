"""Property tests: whatever the text, pdec.loads raises a SpecError or succeeds.

Random text, random token soup, random expressions in valid statements and random
mutations of every shipped spec must never raise anything but a
:class:`pdec.SpecError`, and each error must render and point inside the text.
``derandomize=True`` keeps CI reproducible.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pdec
from pdec.frontend.parser import _KEYWORD_STATEMENTS
from pdec.passes.vocabulary import CONSTANTS, FUNCTIONS, KEYWORDS, OPERATORS

SPECS = sorted((Path(__file__).parents[2] / "specs").glob("*.pde"))
FUZZ = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# The language's tokens, and a few plausible mistakes.
PUNCTUATION = "( ) [ ] , : = + - * / ^ | & . ** == # \" ' $ ; { } ×".split()
NAMES = ["u", "v", "q", "p", "x", "y", "t", "r", "theta", "H", "G", "nu", "mu", "a", "crust"]
SIDES = ["top", "bottom", "left", "right", "boundary", "x_min", "up"]
NUMBERS = ["0", "1", "2", "0.5", ".5", "1e-3", "2.5E+4", "10", "8 x 40", "9^9"]
WORDS = {"skew", "dissipative", "unknown", "learned", "lambda", "class", '"data.csv"'}
TOKENS = (
    sorted(
        {*PUNCTUATION, *NAMES, *SIDES, *NUMBERS, *KEYWORDS, *_KEYWORD_STATEMENTS, *WORDS}
        | {*FUNCTIONS, *CONSTANTS, *OPERATORS}
    )
    + ["\n"] * 5
)
SEPARATORS = st.sampled_from([" ", " ", " ", "", "\n"])
# Where token mutations cut: names, numbers, any other single non-blank character.
TOKEN_PATTERN = re.compile(r"[A-Za-z_]\w*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+|\S")


def assert_only_spec_errors(text: str) -> None:
    """Load ``text``: success, or a SpecError that renders and points inside it."""
    try:
        pdec.loads(text, "fuzz.pde")
    except pdec.SpecError as error:
        assert_well_located(error, text)


def assert_well_located(error: pdec.SpecError, text: str) -> None:
    rendered = error.render()
    assert error.message in rendered
    assert error.span is not None, rendered
    lines = text.removeprefix("\ufeff").split("\n")  # Lark counts lines at "\n" only
    assert 1 <= error.line <= len(lines), rendered
    assert 1 <= error.column <= len(lines[error.line - 1]) + 1, rendered
    assert rendered.startswith(f"fuzz.pde:{error.line}:{error.column}: ")
    assert error.hint == "" or rendered.endswith(f"hint: {error.hint}")


# ---- (1) random text -------------------------------------------------------------------


@FUZZ
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120))
def test_random_unicode_text(text):
    assert_only_spec_errors(text)


@FUZZ
@given(st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=126), max_size=120))
def test_random_printable_text(text):
    assert_only_spec_errors("model m\n" + text)


@st.composite
def token_soup(draw) -> str:
    tokens = draw(st.lists(st.sampled_from(TOKENS), max_size=40))
    text = "".join(token + draw(SEPARATORS) for token in tokens)
    return draw(st.sampled_from(["", "model m\n"])) + text


@FUZZ
@given(token_soup())
def test_random_tokens(text):
    assert_only_spec_errors(text)


STATEMENTS = [
    "region line = interval(x in [0, 1], periodic)",
    "region crust = box(x in [-1, 1], y in [-1, 0])",
    "time t in [0, 1]",
    "field u(t, x)",
    "field u(x, y)",
    "field q(t), p(t)",
    "const c = 1, d = 0.5",
    "param mu(x, y) = 1 + y",
    "param k unknown",
    "input a(x, y)",
    "energy H = integral(u^2/2 + dx(u)^2, x)",
    "energy H = learned",
    "energy H = p^2/2 - cos(q)",
    "evolve dt(u) = dx(delta(H, u))",
    "evolve dt(q, p) = [[0, 1], [-1, 0]] * grad(H, (q, p))",
    "structure G = skew",
    "conserved mass = integral(u, x)",
    "dissipated H",
    "pde p: dt(u) = c*dx(dx(u)) in line",
    "pde p: div(mu*grad(u)) = 0 in crust",
    "bc b: u = 0 on crust.top",
    "ic s: u = sin(pi*x) at t = 0",
    "curve f = segment((0, -1), (0, 0))",
    "bc j: jump(u) = 1 on f",
    "coordinates polar(r, theta) about (0, -1): x = r*sin(theta), y = -1 + r*cos(theta)",
    "cut f at theta = 0",
    'data d = "d.csv" : u on crust.top',
    "train: layers = 8 x 40, steps = 100",
]


@FUZZ
@given(st.lists(st.sampled_from(STATEMENTS), unique=True, max_size=12))
def test_random_statements(statements):
    """Valid statements in random combinations: mostly semantic errors, some specs."""
    assert_only_spec_errors("\n".join(["model m", *statements]))


ATOMS = ["u", "q", "p", "x", "y", "t", "c", "H", "pi", "0", "1", "2", "0.5", "dx", "lap"]
ATOMS += ["mu", "k", "a", "delta(H, u)", "delta(H, (q, p))", "grad(H, (q, p))"]
UNARY = ["sin", "exp", "sqrt", "abs", "dt", "dx", "dy", "grad", "div", "lap", "dn", "jump"]
UNARY += ["integral", "u", "mu"]
BINARY = ["delta", "grad", "integral", "atan2", "u", "mu"]


def _compound(children):
    return st.one_of(
        st.tuples(children, st.sampled_from("+-*/^"), children).map("".join),
        children.map("({})".format),
        children.map("-{}".format),
        st.tuples(st.sampled_from(UNARY), children).map("{0[0]}({0[1]})".format),
        st.tuples(st.sampled_from(BINARY), children, children).map("{0[0]}({0[1]}, {0[2]})".format),
        st.tuples(children, children).map("({0[0]}, {0[1]})".format),
        st.tuples(children, children, children, children).map(
            "[[{0[0]}, {0[1]}], [{0[2]}, {0[3]}]]".format
        ),
    )


EXPRESSIONS = st.recursive(st.sampled_from(ATOMS), _compound, max_leaves=8)
BASES = [
    "model m\nconst c = 1\nregion line = interval(x in [0, 1], periodic)\ntime t in [0, 1]\n"
    "field u(t, x)\nenergy H = integral(u^2/2 + dx(u)^2/2, x)\n",
    "model m\nconst c = 1\nregion crust = box(x in [-1, 1], y in [-1, 0])\n"
    "param mu(x, y) = 1 + y\nparam k unknown\ninput a(x, y)\nfield u(x, y)\n"
    "curve f = segment((0, -1), (0, 0))\n",
    "model m\nconst c = 1\ntime t in [0, 1]\nfield q(t), p(t)\nenergy H = p^2/2 - cos(q)\n",
]
TEMPLATES = [
    "pde eq: {0} = {1} in line",
    "pde eq: {0} = {1} in crust",
    "bc b: {0} = {1} on crust.top",
    "bc b: {0} = {1} on f",
    "ic s: {0} = {1} at t = 0",
    "const z = {0}",
    "param w(x) = {0}",
    "energy E = {0}",
    "conserved m = {0}",
    "evolve dt(u) = {0}\nstructure G = skew",
    "evolve dt(q, p) = {0}\nstructure G = dissipative",
    "coordinates polar(r, theta): x = {0}, y = {1}",
]


@FUZZ
@given(st.sampled_from(BASES), st.sampled_from(TEMPLATES), EXPRESSIONS, EXPRESSIONS)
def test_random_expressions(base, template, left, right):
    """Random expressions where every statement expects one: the evaluator's type system."""
    assert_only_spec_errors(base + template.format(left, right) + "\n")


# ---- (2) mutations of the shipped specs ------------------------------------------------

MUTATIONS = [
    "delete",
    "duplicate",
    "swap",
    "delete token",
    "duplicate token",
    "swap tokens",
    "insert token",
    "replace token",
    "truncate",
]


@st.composite
def mutation(draw, text: str) -> str:
    """``text`` with one character or token deleted, duplicated, swapped, ..."""
    kind = draw(st.sampled_from(MUTATIONS))
    if len(text) < 2:
        return text
    if kind == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if kind in ("delete", "duplicate", "swap"):
        i = draw(st.integers(0, len(text) - 2))
        if kind == "delete":
            return text[:i] + text[i + 1 :]
        if kind == "duplicate":
            return text[: i + 1] + text[i:]
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    spans = [m.span() for m in TOKEN_PATTERN.finditer(text)]
    if len(spans) < 2:
        return text
    i = draw(st.integers(0, len(spans) - 2))
    (a, b), (c, d) = spans[i], spans[i + 1]
    if kind == "delete token":
        return text[:a] + text[b:]
    if kind == "duplicate token":
        return text[:b] + " " + text[a:b] + text[b:]
    if kind == "swap tokens":
        return text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:]
    token = draw(st.sampled_from(TOKENS))
    if kind == "insert token":
        return text[:a] + token + draw(SEPARATORS) + text[a:]
    return text[:a] + token + text[b:]


def mutations(text: str, count: int):
    """``count`` mutations applied one after the other."""
    strategy = st.just(text)
    for _ in range(count):
        strategy = strategy.flatmap(mutation)
    return strategy


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_mutated_spec(path, data):
    text = path.read_text(encoding="utf-8")
    assert_only_spec_errors(data.draw(st.integers(1, 3).flatmap(lambda n: mutations(text, n))))


# ---- (3) errors render and point inside the text ----------------------------------------


@FUZZ
@given(st.sampled_from(SPECS), st.data())
def test_errors_of_mutations_are_located(path, data):
    mutated = data.draw(mutation(path.read_text(encoding="utf-8")))
    try:
        pdec.loads(mutated, "fuzz.pde")
    except pdec.SpecError as error:
        assert_well_located(error, mutated)
        rendered = error.render().splitlines()
        line = error.span.source_line()
        if line:
            assert rendered[1] == f"{error.line:>5} | {line}"
            assert rendered[2].lstrip(" |").startswith("^")


# ---- (4) hostile edits, through check() ---------------------------------------------------

HOSTILE = [
    "9" * 3000, "0." + "0" * 3000 + "1", "1e99999999", "\ud800", "\u00d7",
    "(" * 400 + "x" + ")" * 400, "-" * 400 + "x", "x^" * 400 + "x", "sin(" * 400 + "x" + ")" * 400,
    "dx(" * 400 + "u" + ")" * 400, "+".join(["x"] * 400),
]  # fmt: skip


@settings(FUZZ, max_examples=60)
@given(st.sampled_from(SPECS), st.sampled_from(HOSTILE), st.data())
def test_hostile_edits_are_spec_errors_and_check_never_crashes(path, token, data):
    """What benchmarks/fuzz.py found (RecursionError, TypeError, UnicodeEncodeError)
    stays fixed: a hostile token in place of any token is a located SpecError, or the
    spec loads and every claim gets a verdict."""
    text = path.read_text(encoding="utf-8")
    spans = [match.span() for match in TOKEN_PATTERN.finditer(text)]
    a, b = data.draw(st.sampled_from(spans))
    mutated = text[:a] + token + text[b:]
    try:
        spec = pdec.loads(mutated, "fuzz.pde")
    except pdec.SpecError as error:
        assert_well_located(error, mutated)
        return
    assert all(finding.verdict for finding in spec.check(budget=2))
