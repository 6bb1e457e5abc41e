"""``format_source``: generated modules go through ``ruff format`` (line length 100),
so they read like hand-written code.

The bytes of a generated module must not depend on the environment, so ruff is pinned
to one version in pyproject.toml (tests/codegen/test_format.py checks that the
installed ruff is that one).
"""

from __future__ import annotations

import subprocess

LINE_LENGTH = 100


def format_source(source: str) -> str:
    """``source`` formatted by the installed (pinned) ruff."""
    from ruff.__main__ import find_ruff_bin

    command = [find_ruff_bin(), "format", "--line-length", str(LINE_LENGTH)]
    result = subprocess.run(
        [*command, "--stdin-filename", "module.py", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"ruff could not format generated code:\n{result.stderr}")
    return result.stdout
