"""The parser and resolver on valid specs: every shipped spec, trees, spans, numbers."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
import sympy

import pdec
from pdec.errors import Span
from pdec.frontend import parser
from pdec.frontend import syntax as s
from pdec.frontend.parser import parse

SPECS = sorted((Path(__file__).parents[2] / "specs").glob("*.pde"))


def test_specs_are_found():
    assert len(SPECS) >= 10


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_shipped_spec_parses_and_resolves(path):
    spec = pdec.load(path)
    assert spec.name == parse(path.read_text(encoding="utf-8")).statements[0].name.id
    assert spec.file == str(path)


def test_parser_doctests():
    assert doctest.testmod(parser).failed == 0


# ---- the syntax tree ---------------------------------------------------------------------

BURGERS = """\
model burgers
const nu = 0.01/pi
region space = interval(x in [-1, 1])
time t in [0, 1]
field u(t, x)
pde momentum: dt(u) + u*dx(u) = nu*dx(dx(u))   in space
ic  start:    u = -sin(pi*x)                   at t = 0
bc  walls:    u = 0                            on space.boundary
"""


@pytest.fixture(scope="module")
def burgers() -> s.Module:
    return parse(BURGERS, "burgers.pde")


def test_statement_kinds(burgers):
    assert [type(st).__name__ for st in burgers.statements] == [
        "ModelDecl",
        "ConstDecl",
        "RegionDecl",
        "TimeDecl",
        "FunctionDecl",
        "EquationDecl",
        "EquationDecl",
        "EquationDecl",
    ]


def test_name_span(burgers):
    field = burgers.statements[4]
    assert field.kind == "field"
    assert field.name == s.Name("u", Span("burgers.pde", 5, 7, 5, 8))
    assert [a.id for a in field.args] == ["t", "x"]
    assert (field.args[1].span.line, field.args[1].span.column) == (5, 12)


def test_statement_span(burgers):
    pde = burgers.statements[5]
    assert (pde.span.line, pde.span.column) == (6, 1)
    assert (pde.span.end_line, pde.span.end_column) == (6, 56)
    assert pde.span.source_line() == BURGERS.splitlines()[5]


def test_equation_tree(burgers):
    pde = burgers.statements[5]
    assert pde.kind == "pde" and pde.name.id == "momentum"
    assert isinstance(pde.lhs, s.BinaryOp) and pde.lhs.op == "+"
    assert isinstance(pde.lhs.left, s.Call) and pde.lhs.left.function.id == "dt"
    assert (pde.lhs.right.span.column, pde.lhs.right.span.end_column) == (23, 30)
    assert isinstance(pde.location, s.InRegion)
    assert pde.location.region.name.id == "space"


def test_locations(burgers):
    ic, bc = burgers.statements[6:]
    assert isinstance(ic.location, s.AtSlice)
    assert ic.location.var.id == "t" and ic.location.value.text == "0"
    assert isinstance(ic.rhs, s.Negate)
    assert isinstance(bc.location, s.OnPlace)
    side = bc.location.place
    assert isinstance(side, s.Side)
    assert (side.region.id, side.side.id) == ("space", "boundary")
    assert (side.side.span.line, side.side.span.column) == (8, 57)


def test_power_binds_tighter_than_negation_and_is_right_associative():
    module = parse("model m\nconst a = -2^3^2\n")
    value = module.statements[1].value
    assert isinstance(value, s.Negate)
    assert value.operand.op == "^" and value.operand.right.op == "^"
    assert pdec.loads("model m\nconst a = -2^3^2\n").ir.constants[0].value == -512


def test_parenthesised_region_side_is_a_side():
    module = parse("model m\nboundary b = (r).top\n")
    place = module.statements[1].place
    assert isinstance(place, s.Side)
    assert (place.region.id, place.side.id) == ("r", "top")


def test_place_union_is_flat():
    module = parse("model m\nboundary far = crust.left | crust.right | crust.bottom\n")
    place = module.statements[1].place
    assert isinstance(place, s.PlaceUnion)
    assert [p.side.id for p in place.parts] == ["left", "right", "bottom"]


# ---- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", sympy.Integer(1)),
        ("0.5", sympy.Rational(1, 2)),
        (".5", sympy.Rational(1, 2)),
        ("1e-3", sympy.Rational(1, 1000)),
        ("2.5E+4", sympy.Integer(25000)),
        ("0.01", sympy.Rational(1, 100)),
        ("3.", sympy.Integer(3)),
        ("1e3", sympy.Integer(1000)),
    ],
)
def test_number_is_exact(text, value):
    constant = pdec.loads(f"model m\nconst a = {text}\n").ir.constants[0]
    assert constant.value == value
    assert isinstance(constant.value, sympy.Rational)


def test_constants_stay_exact_in_expressions():
    spec = pdec.loads("model m\nconst nu = 0.01/pi, a = nu*3\n")
    nu, a = spec.ir.constants
    assert nu.value == sympy.Rational(1, 100) / sympy.pi
    assert a.value == 3 * sympy.Symbol("nu")
    assert not a.value.atoms(sympy.Float)


def test_const_line_declares_several_constants():
    module = parse("model m\nconst a = 1, b = 2\n")
    a, b = module.statements[1:]
    assert isinstance(a, s.ConstDecl) and isinstance(b, s.ConstDecl)
    assert (a.name.id, b.name.id) == ("a", "b")
    assert (b.name.span.line, b.name.span.column) == (2, 14)
    spec = pdec.loads("model m\nconst a = 1, b = 2\n")
    assert [(c.name, c.value) for c in spec.ir.constants] == [("a", 1), ("b", 2)]


# ---- comments, whitespace, training hints ------------------------------------------------


def test_comments_are_ignored():
    plain = "model m\nconst a = 1\n"
    commented = "# a comment\nmodel m   # the model\n#\nconst a = 1 # one # two\n# end"
    assert [type(st) for st in parse(plain).statements] == [
        type(st) for st in parse(commented).statements
    ]
    assert pdec.loads(commented).ir.constants[0].value == 1
    assert parse(commented).statements[1].span.line == 4


def test_statements_may_span_lines():
    spec = pdec.loads(
        "model m\nregion r = interval(x in [0, 1])\nfield u(x)\npde p:\n  dx(dx(u))\n"
        "  = 1\n  in r\n"
    )
    assert spec.ir.equations[0].span.line == 4


def test_train_hints():
    spec = pdec.loads("model m\ntrain: layers = 8 x 40, activation = tanh, steps = 20000\n")
    assert spec.ir.train == (("layers", (8, 40)), ("activation", "tanh"), ("steps", 20000))
    assert isinstance(dict(spec.ir.train)["steps"], int)


def test_train_hint_values():
    spec = pdec.loads('model m\ntrain: layers = 4×16, lr = -1e-3, log = "run.csv"\n')
    assert dict(spec.ir.train) == {"layers": (4, 16), "lr": -1e-3, "log": "run.csv"}


def test_train_hints_from_a_shipped_spec():
    spec = pdec.load(Path(__file__).parents[2] / "specs" / "fault.pde")
    assert dict(spec.ir.train) == {
        "layers": (8, 40),
        "activation": "tanh",
        "steps": 2000,
        "lbfgs_steps": 100,
    }


def test_unnamed_conditions_get_names():
    spec = pdec.loads(
        "model m\nregion r = interval(x in [0, 1])\nfield u(x)\n"
        "bc: u = 0 on r.left\nbc: u = 1 on r.right\n"
    )
    assert [e.name for e in spec.ir.equations] == ["bc", "bc_2"]
