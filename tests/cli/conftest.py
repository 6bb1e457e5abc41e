import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pdec():
    """Run the `pdec` command as a user would, in a clean environment, from the repo root
    (a plain function: module fixtures may use it too)."""

    def run(*args, cwd=ROOT, columns=120):
        return subprocess.run(
            [sys.executable, "-m", "pdec.cli", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": str(columns), "PYTHONIOENCODING": "utf-8"},
            timeout=300,
        )

    return run
