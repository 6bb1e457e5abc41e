"""`pdec check` verdicts on the shipped specs: the issue's acceptance table."""

from pathlib import Path

import pytest

import pdec

SPECS = Path(__file__).resolve().parents[2] / "specs"


def verdicts(name: str) -> dict[str, str]:
    return {f.claim: f.verdict for f in pdec.load(SPECS / f"{name}.pde").check()}


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("kdv", {"energy H": "conserved", "conserved mass": "conserved"}),
        ("cahn_hilliard", {"dissipated H": "dissipated", "conserved mass": "conserved"}),
        ("heat", {"conserved mass": "conserved", "dissipated L2": "dissipated"}),
        ("pendulum_frictionless", {"conserved H": "conserved"}),
        ("pendulum", {"dissipated H": "dissipated"}),
        ("wave", {"energy H": "conserved", "conserved momentum": "conserved"}),
    ],
)
def test_verdicts_of_shipped_specs(spec, expected):
    assert verdicts(spec) == expected


def test_allen_cahn_dissipates_energy_but_not_mass():
    found = verdicts("allen_cahn")
    assert found["dissipated H"] == "dissipated"
    assert found["quantity mass"] in ("not conserved", "not shown")


def test_shipped_specs_have_no_refuted_claims():
    for path in sorted(SPECS.glob("*.pde")):
        assert not [f.claim for f in pdec.load(path).check() if f.refuted], path.name


ALLEN_CAHN_FALSE_CLAIM = """
model allen_cahn_wrong
const gamma = 0.0005
region line = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
energy H = integral((u^2 - 1)^2/4 + gamma/2*dx(u)^2, x)
evolve dt(u) = -delta(H, u)
conserved mass = integral(u, x)
"""


def test_false_conservation_claim_is_refuted_with_a_witness():
    (finding,) = [f for f in pdec.loads(ALLEN_CAHN_FALSE_CLAIM).check() if f.quantity == "mass"]
    assert finding.verdict == "not conserved"
    assert finding.refuted
    assert "≠ 0 at u = " in finding.reason


def test_conserved_claim_of_a_dissipated_quantity_is_refuted():
    text = ALLEN_CAHN_FALSE_CLAIM.replace("conserved mass = integral(u, x)", "conserved H")
    (finding,) = pdec.loads(text).check()
    assert finding.refuted and finding.verdict == "not conserved"


def test_dissipated_claim_of_a_growing_quantity_is_refuted():
    text = """
model antidiffusion
region ring = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
pde grow: dt(u) = -dx(dx(u)) - u in ring
dissipated L2 = integral(u^2, x)
"""
    # u_t = -u_xx - u: high modes grow, so the claim must fail
    (finding,) = pdec.loads(text).check()
    assert finding.refuted, finding


def test_non_periodic_domain_is_not_shown_with_reason():
    text = """
model heat_walls
region bar = interval(x in [0, 1])
time t in [0, 1]
field u(t, x)
pde diffusion: dt(u) = dx(dx(u)) in bar
conserved mass = integral(u, x)
"""
    (finding,) = pdec.loads(text).check()
    assert finding.verdict == "not shown"
    assert "not periodic" in finding.reason
    assert not finding.refuted


def test_pde_solved_for_dt_gives_the_dynamics():
    text = """
model burgers_ring
region ring = interval(x in [0, 2], periodic)
time t in [0, 1]
field u(t, x)
pde momentum: dt(u) + u*dx(u) = 0 in ring
conserved mass = integral(u, x)
conserved L2 = integral(u^2/2, x)
conserved cubic = integral(u^3, x)
"""
    found = {f.quantity: f.verdict for f in pdec.loads(text).check()}
    assert found == {"mass": "conserved", "L2": "conserved", "cubic": "conserved"}
