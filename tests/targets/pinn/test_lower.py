"""Lowering residuals to named derivative locals, each computed once."""

from pathlib import Path

import sympy

import pdec
from pdec import targets
from pdec.compiler import run_passes
from pdec.targets.pinn.generate import choose_inputs, derive

SPECS = Path(__file__).resolve().parents[3] / "specs"


def lowered(name, equation):
    pinn = targets.get("pinn")
    spec = run_passes(pdec.load(SPECS / f"{name}.pde"), pinn.passes(pinn.Options()))
    return derive(spec, spec.equation(equation), choose_inputs(spec.ir))


def test_fault_equilibrium_needs_each_derivative_once():
    low = lowered("fault", "equilibrium")
    # exactly the jets the residual uses, by order: no field value, no u_theta (network_jets
    # needs no parent locals)
    assert [j.local for j in low.jets] == ["u_r", "u_rr", "u_theta_theta"]
    assert {j.local: j.orders for j in low.jets} == {
        "u_r": (1, 0),
        "u_rr": (2, 0),
        "u_theta_theta": (0, 2),
    }
    r = sympy.Symbol("r")
    u_rr, u_r, u_tt = sympy.symbols("u_rr u_r u_theta_theta")
    assert sympy.expand(low.expr - (r**2 * u_rr + r * u_r + u_tt)) == 0


def test_fault_traction_uses_both_sides_of_the_cut_only():
    low = lowered("fault", "traction")
    assert {s.name for s in low.sites} == {"plus", "minus"}
    assert sorted(j.local for j in low.jets) == ["u_theta_minus", "u_theta_plus"]


def test_burgers_mixed_orders():
    low = lowered("burgers", "momentum")
    assert [j.local for j in low.jets] == ["u", "u_t", "u_x", "u_xx"]
