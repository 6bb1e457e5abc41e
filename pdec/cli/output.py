"""What every command shares: the console, ``--set`` values, atomic JSON files."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import typer
from rich.console import Console


def console(stderr: bool = False) -> Console:
    """Wide enough for residuals when piped; rich wraps to the terminal otherwise."""
    width = None if sys.stdout.isatty() else 120
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=False)


def parse_value(text: str):
    """--set values: 8x40 → (8, 40); ints, floats, true/false; else the string."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if "x" in lowered and all(p.strip().isdigit() for p in lowered.split("x")):
        # 8x40 → (8, 40); a shape of another length is the option's to refuse
        return tuple(int(p) for p in lowered.split("x"))
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def parse_sets(items: list[str]) -> dict:
    """``--set key=value`` items as a dict of parsed values."""
    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"expected key=value, got {item!r}", param_hint="--set")
        options[key.strip()] = parse_value(value)
    seed = options.get("seed")
    if isinstance(seed, int) and not -(2**63) <= seed < 2**63:
        raise typer.BadParameter(f"seed={seed}: a seed is a 64-bit integer", param_hint="--set")
    return options


def write_json(path: Path, data) -> None:
    """Write ``data`` as JSON atomically (temp file + rename): numbers of any kind
    (numpy, 0-d tensors) as floats, anything else (paths) as text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2, default=_json_value)
    os.replace(tmp, path)


def _json_value(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)
