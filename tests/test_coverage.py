"""Coverage: every IR node type and every vocabulary entry is handled everywhere it must be.

Like UFL's ``test_classcoverage.py``: the lists are taken from the code (the classes of
:mod:`pdec.ir.nodes`, the rows of :mod:`pdec.ir.vocabulary`, the syntax node types of
:mod:`pdec.frontend.syntax`), so adding one without its rules fails here:

- the resolver builds every function and has a rule for every operator and syntax node;
- the printer has a rule for every function, and its code computes the right numbers on
  tensors and on floats;
- the estimator's evaluator has a rule for every function, with the right numbers;
- every IR class is produced by the resolver and serialised by ``pdec show --json``;
- every word literal of the grammar is a keyword, so it cannot be declared as a name.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
import re
import typing
from pathlib import Path

import pytest
import sympy
import torch

import pdec
from pdec import serialize, targets
from pdec.codegen.printer import TorchPrinter, print_function
from pdec.compiler import generate_module
from pdec.estimation import evaluate
from pdec.frontend import syntax as s
from pdec.frontend.grammar import grammar_text
from pdec.frontend.keywords import KEYWORDS
from pdec.frontend.parser import parse
from pdec.ir import nodes as ir
from pdec.ir.vocabulary import ARITHMETIC, ARITHMETIC_NODES, FUNCTIONS, NODES, OPERATORS
from pdec.passes.vocabulary import OPERATOR_RULES, Evaluator, Scope

ROOT = Path(__file__).resolve().parents[1]
x, y = sympy.symbols("x y")
# Arguments inside every function's domain (asin, acos, log, sqrt).
X = torch.tensor([0.25, 0.5, 0.75], dtype=torch.float64)
Y = torch.tensor([0.5, -0.3, 0.9], dtype=torch.float64)
FLOATS = (0.25, 0.5)


def _reference(entry, *arguments):
    """The function's value by torch itself, the ground truth for printer and evaluator."""
    return getattr(torch, entry.torch)(*arguments)


# ---- the resolver ----------------------------------------------------------------------------


def _resolve_call(text: str) -> sympy.Expr:
    """The SymPy value of the expression ``text`` in a scope with variables x and y."""
    module = parse(f"model m\nconst c = {text}")
    node = module.statements[1].value
    scope = Scope({"x": x, "y": y}, {}, {}, (x, y), None, "a test")
    return Evaluator(scope).scalar(node)


@pytest.mark.parametrize("entry", FUNCTIONS.values(), ids=lambda e: e.name)
def test_resolver_builds_every_function(entry):
    arguments = ", ".join("xy"[: entry.arity])
    value = _resolve_call(f"{entry.name}({arguments})")
    assert value == entry.build(*(x, y)[: entry.arity])
    if entry.node is not None:
        assert type(value) is entry.node
    else:  # sqrt: a power, printed and evaluated as one
        assert isinstance(value, ARITHMETIC_NODES)


def test_resolver_has_a_rule_for_every_operator():
    assert set(OPERATOR_RULES) == set(OPERATORS)


def test_resolver_has_a_rule_for_every_arithmetic_operator():
    for op, combine in ARITHMETIC.items():
        assert _resolve_call(f"x {op} y") == combine(x, y)


@pytest.mark.parametrize("node_type", typing.get_args(s.Expression), ids=lambda t: t.__name__)
def test_resolver_has_a_rule_for_every_syntax_expression(node_type):
    dispatcher = vars(Evaluator)["_evaluate"].dispatcher
    assert dispatcher.dispatch(node_type) is not dispatcher.dispatch(object)


# ---- the printer -----------------------------------------------------------------------------


@pytest.mark.parametrize("entry", FUNCTIONS.values(), ids=lambda e: e.name)
def test_printer_has_a_rule_for_every_function(entry):
    if entry.node is not None:
        assert print_function.dispatch(entry.node) is not print_function.dispatch(object)
    expr = entry.build(*(x, y)[: entry.arity])
    tensors = TorchPrinter({x: "x", y: "y"}).doprint(expr)
    # Generated code, run as generated modules run it (torch and math in scope).
    value = eval(tensors, {"torch": torch, "math": math, "x": X, "y": Y})  # noqa: S307
    torch.testing.assert_close(value, _reference(entry, *(X, Y)[: entry.arity]))
    floats = TorchPrinter({x: "x", y: "y"}, floats={x, y}).doprint(expr)
    assert "torch" not in floats
    value = eval(floats, {"math": math, "x": FLOATS[0], "y": FLOATS[1]})  # noqa: S307
    arguments = [torch.tensor(v, dtype=torch.float64) for v in FLOATS[: entry.arity]]
    assert float(value) == pytest.approx(float(_reference(entry, *arguments)))


def test_printer_prints_every_arithmetic_node():
    expr = x * y + x**3 / 7 + sympy.pi * y - 2
    text = TorchPrinter({x: "x", y: "y"}).doprint(expr)
    value = eval(text, {"torch": torch, "math": math, "x": X, "y": Y})  # noqa: S307
    torch.testing.assert_close(value, X * Y + X**3 / 7 + math.pi * Y - 2)


# ---- the estimator ---------------------------------------------------------------------------


@pytest.mark.parametrize("entry", FUNCTIONS.values(), ids=lambda e: e.name)
def test_estimator_has_a_rule_for_every_function(entry):
    if entry.node is not None:
        assert evaluate.dispatch(entry.node) is not evaluate.dispatch(object)
    expr = entry.build(*(x, y)[: entry.arity])
    value = evaluate(expr, {x: X, y: Y})
    torch.testing.assert_close(value, _reference(entry, *(X, Y)[: entry.arity]))


@pytest.mark.parametrize(
    "node_type", [t for t in ARITHMETIC_NODES if t is not sympy.Symbol], ids=lambda t: t.__name__
)
def test_estimator_has_a_rule_for_every_arithmetic_node(node_type):
    assert evaluate.dispatch(node_type) is not evaluate.dispatch(object)


def test_vocabulary_nodes_are_exactly_the_functions_with_a_class():
    assert set(NODES) == {f.node for f in FUNCTIONS.values() if f.node is not None}


# ---- the IR ----------------------------------------------------------------------------------

IR_CLASSES = sorted(
    (
        c
        for _, c in inspect.getmembers(ir, inspect.isclass)
        if c.__module__ in (ir.__name__, "pdec.ir.facts") and dataclasses.is_dataclass(c)
    ),
    key=lambda c: c.__name__,
)
# What the shipped specs do not declare: disks, ellipses, polygons, set operations on
# regions, and point conditions.
EXTRA_SPEC = """model shapes
region Plate = box(x in [-2, 2], y in [-2, 2]) - disk(center = (0, 0), radius = 1)
region Lens = ellipse((3, 0), (1, 0.5)) | polygon((3, 0), (4, 1), (3, 1))
field u(x, y)
pde: lap(u) = 0 in Plate
bc pin: u = 0 at (1.5, 1.5)
"""


def _instances(value, found: dict) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found.setdefault(type(value), value)
        for field in dataclasses.fields(value):
            _instances(getattr(value, field.name), found)
    elif isinstance(value, (tuple, list)):
        for item in value:
            _instances(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _instances(item, found)


@pytest.fixture(scope="module")
def resolved_instances() -> dict:
    found: dict = {}
    specs = [pdec.load(p) for p in sorted((ROOT / "specs").glob("*.pde"))]
    specs.append(pdec.loads(EXTRA_SPEC, "shapes.pde"))
    for spec in specs:
        _instances(spec.ir, found)
    return found


@pytest.mark.parametrize("node_type", IR_CLASSES, ids=lambda c: c.__name__)
def test_resolver_produces_and_serializer_writes_every_ir_class(node_type, resolved_instances):
    assert node_type in resolved_instances, f"no spec resolves to an ir.{node_type.__name__}"
    data = serialize.to_data(resolved_instances[node_type])
    fields = {f.name for f in dataclasses.fields(node_type)} - {"source"}
    assert set(data) == fields | {"kind"}  # a field called kind overwrites the class name
    json.dumps(data)


# ---- the keywords ----------------------------------------------------------------------------


def test_every_word_of_the_grammar_is_a_keyword():
    words = set(re.findall(r'"([a-z]+)"', grammar_text()))
    assert words <= KEYWORDS, sorted(words - KEYWORDS)


# ---- the back ends ---------------------------------------------------------------------------


@pytest.mark.parametrize("target", targets.names())
def test_every_back_end_generates_or_refuses_every_spec(target):
    """Each target, on every shipped spec and the extra shapes: a module, or a SpecError
    saying why not (UnsupportedError for what it cannot do yet) — never another
    exception. A new IR class a back end forgets to handle shows up here."""
    specs = [pdec.load(p) for p in sorted((ROOT / "specs").glob("*.pde"))]
    specs.append(pdec.loads(EXTRA_SPEC, "shapes.pde"))
    generated = 0
    for spec in specs:
        try:
            module = generate_module(spec, target)
        except pdec.SpecError as error:
            assert error.message, spec.name
            continue
        compile(module.source, module.filename, "exec")  # valid Python, not run
        generated += 1
    assert generated > 0
