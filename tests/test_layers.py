"""The import layers of docs/architecture.md, checked statically (ast, imports inside
functions included): a module imports only from its own layer and the layers below.

    errors     pdec (the package: lazy names only), pdec.errors
    frontend   the parser and syntax tree
    ir         the semantic IR
    symbolic   symbolic math, the passes, printing math for people (pdec.display,
               pdec.serialize)
    runtime    what generated modules import; it may import only pdec.errors and
               pdec.runtime.*
    spec       the user-facing Spec, reference solvers, parameter estimation
    targets    code generation, the back ends, the driver (pdec.compiler)
    cli        the pdec command, with each target's CLI hooks (targets/*/commands.py)
"""

import ast
import fnmatch
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pdec"

# bottom to top; the most specific pattern decides a module's layer
LAYERS = {
    "errors": ("pdec", "pdec.errors"),
    "frontend": ("pdec.frontend", "pdec.grammars"),
    "ir": ("pdec.ir",),
    "symbolic": ("pdec.symbolic", "pdec.passes", "pdec.display", "pdec.serialize"),
    "runtime": ("pdec.runtime",),
    "spec": ("pdec.spec", "pdec.reference", "pdec.estimation"),
    "targets": ("pdec.codegen", "pdec.targets", "pdec.compiler"),
    "cli": ("pdec.cli", "pdec.__main__", "pdec.targets.*.commands"),
}
RANK = {layer: rank for rank, layer in enumerate(LAYERS)}
RUNTIME_MAY_IMPORT = ("pdec.errors", "pdec.runtime")

# Edges that break the layers today, each with who removes it. The test fails on a new
# violation, and on an entry here that no longer occurs (then delete the entry).
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()  # none today


def module_files() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = module_files()


def imports(name: str, path: Path) -> set[str]:
    """The pdec modules ``name`` imports anywhere in its file (``from a import b`` is
    ``a.b`` when that is a module, else ``a``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            for alias in node.names:
                child = f"{module}.{alias.name}"
                found.add(child if child in MODULES else module)
    return {m for m in found if m == "pdec" or m.startswith("pdec.")}


def layer(module: str) -> str | None:
    """The layer of the most specific pattern that matches ``module``."""
    best, length = None, -1
    for name, patterns in LAYERS.items():
        for pattern in patterns:
            if fnmatch.fnmatchcase(module, pattern) or fnmatch.fnmatchcase(module, pattern + ".*"):
                if len(pattern) > length:
                    best, length = name, len(pattern)
    return best


def violations() -> set[tuple[str, str]]:
    found = set()
    for name, path in MODULES.items():
        for imported in imports(name, path):
            if RANK[layer(imported)] > RANK[layer(name)]:
                found.add((name, imported))
            elif layer(name) == "runtime" and not any(
                imported == allowed or imported.startswith(allowed + ".")
                for allowed in RUNTIME_MAY_IMPORT
            ):
                found.add((name, imported))
    return found


def test_every_module_has_a_layer():
    assert [m for m in MODULES if layer(m) is None] == []


def test_layers_classify_as_documented():
    assert layer("pdec.targets.energy.commands") == "cli"
    assert layer("pdec.targets.energy.generate") == "targets"
    assert layer("pdec.runtime.energy.training") == "runtime"
    assert layer("pdec") == "errors" and layer("pdec.display") == "symbolic"


def test_imports_only_go_down():
    new = violations() - KNOWN_VIOLATIONS
    assert not new, "imports against the layers (see tests/test_layers.py):\n" + "\n".join(
        f"  {a} ({layer(a)}) imports {b} ({layer(b)})" for a, b in sorted(new)
    )


def test_known_violations_still_occur():
    gone = KNOWN_VIOLATIONS - violations()
    assert not gone, f"fixed: delete from KNOWN_VIOLATIONS: {sorted(gone)}"


def test_the_package_imports_lazily():
    """``import pdec`` (and so ``import pdec.runtime``) loads no other pdec module."""
    assert imports("pdec", MODULES["pdec"]) == set()


@pytest.mark.parametrize("name", ["pdec.errors", "pdec.codegen.module"])
def test_bottom_modules_import_no_layer_above(name):
    assert {layer(m) for m in imports(name, MODULES[name])} <= {"errors"}
