"""Lowering residuals to named derivative locals, each computed once."""

from pathlib import Path

import sympy

import pdec
from pdec.targets.pinn.generate import choose_inputs, derive

SPECS = Path(__file__).resolve().parents[3] / "specs"


def lowered(name, equation):
    spec = pdec.load(SPECS / f"{name}.pde")
    return derive(spec, spec.equation(equation), choose_inputs(spec.ir, None))


def test_fault_equilibrium_needs_each_derivative_once():
    low = lowered("fault", "equilibrium")
    assert [j.local for j in low.jets] == ["u", "u_r", "u_theta", "u_rr", "u_theta_theta"]
    parents = {j.local: (j.parent.local if j.parent else None) for j in low.jets}
    assert parents == {
        "u": None,
        "u_r": "u",
        "u_theta": "u",
        "u_rr": "u_r",
        "u_theta_theta": "u_theta",
    }
    r = sympy.Symbol("r")
    u_rr, u_r, u_tt = sympy.symbols("u_rr u_r u_theta_theta")
    assert sympy.expand(low.expr - (r**2 * u_rr + r * u_r + u_tt)) == 0


def test_fault_traction_uses_both_sides_of_the_cut_only():
    low = lowered("fault", "traction")
    assert {s.name for s in low.sites} == {"plus", "minus"}
    assert sorted(j.local for j in low.jets) == [
        "u_minus",
        "u_plus",
        "u_theta_minus",
        "u_theta_plus",
    ]


def test_burgers_mixed_orders():
    low = lowered("burgers", "momentum")
    assert [j.local for j in low.jets] == ["u", "u_t", "u_x", "u_xx"]
