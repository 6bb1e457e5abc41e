"""The target registry (pdec.targets): every target satisfies the Target protocol, the
driver and the command dispatch through it, and a new target is one registry entry."""

import dataclasses
import inspect
import re
import sys
from pathlib import Path

import pytest

import pdec
from pdec import targets
from pdec.codegen.module import GeneratedModule
from pdec.compiler import generate_module, target_options

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ("DATA", "check_flags", "run_folder", "train", "evaluate")


def test_the_three_targets_are_registered():
    assert targets.names() == ("pinn", "energy", "operator")


@pytest.mark.parametrize("name", targets.names())
def test_each_target_satisfies_the_protocol(name):
    target = targets.get(name)
    assert target.name == name and target.summary
    assert dataclasses.is_dataclass(target.Options) and target.Options.__dataclass_params__.frozen
    passes = target.passes(target.Options())
    assert isinstance(passes, tuple) and all(callable(p) for p in passes)
    assert list(inspect.signature(target.generate).parameters) == ["spec", "options"]
    hooks = targets.commands(target)
    assert all(hasattr(hooks, hook) for hook in HOOKS), name


def test_an_unknown_target_names_the_registered_ones():
    with pytest.raises(pdec.UnsupportedError, match="unknown target 'fem'") as raised:
        targets.get("fem")
    assert raised.value.hint == "targets: pinn, energy, operator"


def test_an_option_of_another_target_is_refused_by_name():
    with pytest.raises(pdec.UnsupportedError, match="--cut is for the pinn target"):
        target_options(targets.get("operator"), {"cut": "lift"})
    with pytest.raises(pdec.UnsupportedError, match="has no option 'colour'"):
        target_options(targets.get("pinn"), {"colour": "red"})
    assert target_options(targets.get("pinn"), {"coords": None}).cut == "auto"


def test_no_code_compares_target_names():
    """Dispatch goes through the registry: no `if target == "pinn"` chains."""
    files = [ROOT / "pdec" / "compiler.py", *sorted((ROOT / "pdec" / "cli").glob("*.py"))]
    pattern = re.compile(r"target\s*(==|!=|in\s*\()|\"(pinn|energy|operator)\"\s*==")
    found = [f"{f.name}: {line.strip()}" for f in files for line in f.read_text().splitlines()
             if pattern.search(line)]  # fmt: skip
    assert found == []


TOY = """
from dataclasses import dataclass

from pdec.codegen.module import GeneratedModule


@dataclass(frozen=True)
class ToyOptions:
    scale: float = 1.0


class ToyTarget:
    name = "toy"
    summary = "a constant"
    Options = ToyOptions
    commands = "toy_commands"

    def passes(self, options):
        return ()

    def generate(self, spec, options):
        source = f"class {spec.name.title()}Toy:\\n    scale = {options.scale!r}\\n"
        return GeneratedModule(source, f"{spec.name}_toy", f"{spec.name.title()}Toy")


TARGET = ToyTarget()
"""


def test_a_new_target_is_one_module_and_one_registry_entry(tmp_path, monkeypatch):
    (tmp_path / "toy_target.py").write_text(TOY)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(targets.REGISTRY, "toy", "toy_target")
    spec = pdec.load(ROOT / "specs" / "poisson.pde")
    module = generate_module(spec, "toy", scale=2.0)
    assert isinstance(module, GeneratedModule) and module.class_name == "PoissonToy"
    Model = pdec.compile(spec, target="toy", out_dir=tmp_path / "build", scale=3.0)
    assert Model.scale == 3.0
    sys.modules.pop("toy_target", None)


def test_the_docs_and_help_name_every_registered_target():
    architecture = (ROOT / "docs" / "architecture.md").read_text()
    from pdec.cli.models import TARGET_HELP

    for name in targets.names():
        row = f"| `{name}` | {targets.get(name).summary} | `pdec/targets/{name}/` |"
        assert row in architecture, f"docs/architecture.md: add the row {row}"
        assert name in TARGET_HELP
