from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"


@pytest.fixture
def spec_path():
    return lambda name: SPECS / f"{name}.pde"
