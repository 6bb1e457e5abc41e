"""Shared reference data: generated once per test session (each in well under a second)."""

from pathlib import Path

import pytest

import pdec
from pdec.reference import discretize, generate

SPECS = Path(__file__).resolve().parents[2] / "specs"


def load(name: str) -> pdec.Spec:
    return pdec.load(SPECS / f"{name}.pde")


@pytest.fixture(scope="session")
def kdv():
    return load("kdv")


@pytest.fixture(scope="session")
def kdv_data(kdv):
    """Three two-soliton trajectories, 0.3 time units at dt = 0.001."""
    return generate(kdv, n=3, steps=300, dt=0.001, seed=1)


@pytest.fixture(scope="session")
def kdv_system(kdv):
    return discretize(kdv.ir)


@pytest.fixture(scope="session")
def cahn_hilliard_data():
    """Two runs from small noise to separated phases, t in [0, 0.03]."""
    return generate(load("cahn_hilliard"), n=2, steps=300, dt=1e-4, seed=2)
