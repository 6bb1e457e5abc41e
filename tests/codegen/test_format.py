"""Generated modules go through ``ruff format``: the installed ruff must be exactly the
one pyproject.toml pins, or the same spec could give different bytes."""

import importlib.metadata
import re
from pathlib import Path

from pdec.codegen.format import format_source

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def pinned_ruff() -> str:
    """The version in the one ``"ruff..."`` requirement of pyproject.toml (read as text:
    tomllib is Python 3.11+)."""
    pins = re.findall(r'^\s*"(ruff\b[^"]*)"', PYPROJECT.read_text(), flags=re.MULTILINE)
    assert len(pins) == 1, pins
    match = re.fullmatch(r"ruff\s*==\s*([0-9][0-9A-Za-z.]*)", pins[0].strip())
    assert match, f"ruff must be pinned to one version (ruff==X.Y.Z), not {pins[0]!r}"
    return match.group(1)


def test_installed_ruff_is_the_pinned_one():
    assert importlib.metadata.version("ruff") == pinned_ruff()


def test_format_source():
    assert format_source("x = {'a':1}\n") == 'x = {"a": 1}\n'
