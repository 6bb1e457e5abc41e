"""Exact-string tests of the source builder: imports collected as lines are added,
indentation, and names that generated code may use."""

import pytest

from pdec.codegen.source import Source, class_name, identifier, local_name
from pdec.errors import UnsupportedError


def module(*body: str) -> str:
    source = Source(["# header", '"""Doc."""'])
    source.may_import("math")
    source.may_import("torch")
    source.may_import("pdec.runtime", ["Box", "PinnModel", "Sides"])
    source.lines(body)
    return source.text()


def test_imports_only_what_lines_use_in_declared_order():
    text = module("class M(PinnModel):", "    a = Box({})", "    t = torch.zeros(1)")
    assert text == (
        '# header\n"""Doc."""\n\n'
        "from __future__ import annotations\n\n"
        "import torch\n\n"
        "from pdec.runtime import Box, PinnModel\n\n\n"
        "class M(PinnModel):\n"
        "    a = Box({})\n"
        "    t = torch.zeros(1)\n"
    )


def test_math_import_needs_an_attribute_use():
    assert "import math" not in module("mathematics = 1", "x = torch.ones(1)")
    assert "import math\n\nimport torch\n" in module("x = math.pi * torch.ones(1)")


def test_whole_words_only():
    text = module("BoxSides = 1")
    assert "from pdec.runtime" not in text


def test_preamble_is_not_scanned():
    source = Source(['"""Uses math.pi and PinnModel in prose."""'])
    source.may_import("math")
    source.may_import("pdec.runtime", ["PinnModel"])
    source.line("x = 1")
    assert source.text() == (
        '"""Uses math.pi and PinnModel in prose."""\n\n'
        "from __future__ import annotations\n\n\n"
        "x = 1\n"
    )


def test_use_imports_without_a_mention():
    source = Source()
    source.use("pdec.runtime", "PinnModel")
    source.line("x = 1")
    assert source.text() == (
        "from __future__ import annotations\n\nfrom pdec.runtime import PinnModel\n\n\nx = 1\n"
    )


def test_indentation_nests_and_blank_lines_stay_empty():
    source = Source()
    source.line("class A:")
    with source.indented():
        source.line("def f(self):")
        with source.indented():
            source.line("return 1")
        source.line()
        source.line("x = 2")
    source.line("y = 3")
    assert source.body == [
        "class A:",
        "    def f(self):",
        "        return 1",
        "",
        "    x = 2",
        "y = 3",
    ]


@pytest.mark.parametrize("name", ["u", "u_xx", "_private", "theta2", "θ"])
def test_identifier_accepts_python_names(name):
    assert identifier(name) == name


@pytest.mark.parametrize("name", ["2u", "u-x", "u x", "", "lambda", "class", "in", "u.x"])
def test_identifier_rejects_bad_names_with_a_hint(name):
    with pytest.raises(UnsupportedError, match="cannot be a name in generated Python code") as e:
        identifier(name)
    assert "rename it" in e.value.hint


def test_may_import_validates_names():
    with pytest.raises(UnsupportedError):
        Source().may_import("pdec.runtime", ["not-a-name"])


def test_local_name_and_class_name():
    assert [local_name(n) for n in ("l", "O", "I", "lambda", "nu")] == [
        "l_",
        "O_",
        "I_",
        "lambda_",
        "nu",
    ]
    assert class_name("fault_layered", "Pinn") == "FaultLayeredPinn"
    assert class_name("kdv", "Energy") == "KdvEnergy"
    with pytest.raises(UnsupportedError):
        class_name("1d", "Pinn")
