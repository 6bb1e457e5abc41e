import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pdec():
    """Run the `pdec` command as a user would, in a clean environment, from the repo root."""

    def run(*args, cwd=ROOT):
        return subprocess.run(
            [sys.executable, "-m", "pdec.cli", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "PYTHONIOENCODING": "utf-8"},
        )

    return run
