"""`structure G = ...` against the G given in `evolve`."""

from pathlib import Path

import pytest

import pdec

BASE = """
model m
region line = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
energy H = integral(u^2/2 + dx(u)^2/2, x)
evolve dt(u) = {G}
structure G = {kind}
"""


@pytest.mark.parametrize(
    "G, kind",
    [
        ("dx(delta(H, u))", "skew"),
        ("dx(dx(dx(delta(H, u))))", "skew"),
        ("dx(dx(delta(H, u)))", "dissipative"),
        ("-delta(H, u)", "dissipative"),
        ("dx(delta(H, u))", "dissipative"),  # skew is also wᵀGw ≤ 0
    ],
)
def test_consistent_structure_loads(G, kind):
    spec = pdec.loads(BASE.format(G=G, kind=kind))
    assert spec.structure is not None


@pytest.mark.parametrize(
    "G, kind",
    [
        ("dx(dx(delta(H, u)))", "skew"),
        ("delta(H, u)", "dissipative"),
        ("-dx(dx(dx(dx(delta(H, u)))))", "skew"),
    ],
)
def test_contradicted_structure_is_an_error(G, kind):
    with pytest.raises(pdec.StructureError) as info:
        pdec.loads(BASE.format(G=G, kind=kind), "g.pde")
    assert info.value.line == 8
    assert "structure G" in str(info.value)


def test_matrix_of_operators_is_skew():
    spec = pdec.loads(
        """
model wave_op
region line = interval(x in [0, 1], periodic)
time t in [0, 1]
field q(t, x), p(t, x)
energy H = integral(q^2/2 + p^2/2, x)
evolve dt(q, p) = [[0, dx], [dx, 0]] * delta(H, (q, p))
structure G = skew
"""
    )
    assert spec.structure.kind == "skew-adjoint"
    assert {f.claim: f.verdict for f in spec.check()} == {"energy H": "conserved"}


def test_structure_classes_of_shipped_specs():
    kinds = {
        name: pdec.load(
            Path(__file__).resolve().parents[2] / "specs" / f"{name}.pde"
        ).structure.kind
        for name in (
            "kdv",
            "cahn_hilliard",
            "allen_cahn",
            "pendulum",
            "pendulum_frictionless",
            "wave",
        )
    }
    assert kinds == {
        "kdv": "skew-adjoint",
        "cahn_hilliard": "negative semidefinite",
        "allen_cahn": "negative semidefinite",
        "pendulum": "negative semidefinite",
        "pendulum_frictionless": "skew-adjoint",
        "wave": "skew-adjoint",
    }
