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
        from pdec.runtime.errors import OptionsError  # one line, as for every option

        raise OptionsError(f"--set seed={seed}: a seed is a 64-bit integer (below 2**63)")
    return options


def writable_folder(path: Path, flag: str = "--out") -> Path:
    """``path`` as a folder this process can write in (made if missing), or a user error
    (exit 2) that says why not: a file is in the way, no permission, a read-only or
    special file system (/proc), no space."""
    from pdec.errors import SpecError

    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path, prefix=".pdec-probe-"):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        if isinstance(error, FileExistsError | NotADirectoryError):
            reason = "a file is in the way of a folder there"
        raise SpecError(
            f"cannot write to {path}: {reason}", None, f"choose another folder with {flag}"
        ) from None
    return path


def writable_file(path: Path, flag: str = "--out") -> Path:
    """``path`` as a file this process can write (its folder checked as above)."""
    from pdec.errors import SpecError

    if path.is_dir():
        raise SpecError(f"{path} is a folder", None, f"give a file name with {flag}")
    if path.exists() and not path.is_file():  # a device (/dev/full): never replace it
        raise SpecError(f"{path} is not a regular file", None, f"give a file name with {flag}")
    writable_folder(path.parent if str(path.parent) else Path("."), flag)
    return path


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
