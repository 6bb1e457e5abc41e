"""Lagrangians: Euler–Lagrange equations, Noether's energy, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy

import pdec
from pdec.symbolic.lagrangian import energy_balance, mass_matrix, noether_energy

SPECS = Path(__file__).resolve().parents[2] / "specs"
t = sympy.Symbol("t")
q1, q2 = sympy.Function("q1")(t), sympy.Function("q2")(t)
HEAD = "model m\nconst k = 2\ntime t in [0, 1]\nfield q(t), p(t)\n"


def test_double_pendulum_equations_are_the_textbook_ones():
    spec = pdec.load(SPECS / "double_pendulum.pde")
    g, m1, m2, l1, l2 = sympy.Rational(49, 5), 1, 1, 1, 1
    d1, d2 = q1.diff(t), q2.diff(t)
    textbook = {  # e.g. Goldstein; each = 0
        "q1": (m1 + m2) * l1**2 * q1.diff(t, 2)
        + m2 * l1 * l2 * q2.diff(t, 2) * sympy.cos(q1 - q2)
        + m2 * l1 * l2 * d2**2 * sympy.sin(q1 - q2)
        + (m1 + m2) * g * l1 * sympy.sin(q1),
        "q2": m2 * l2**2 * q2.diff(t, 2)
        + m2 * l1 * l2 * q1.diff(t, 2) * sympy.cos(q1 - q2)
        - m2 * l1 * l2 * d1**2 * sympy.sin(q1 - q2)
        + m2 * g * l2 * sympy.sin(q2),
    }
    derived = spec.euler_lagrange()
    constants = {sympy.Symbol(c.name): c.value for c in spec.ir.constants}
    for name, expected in textbook.items():
        assert sympy.simplify(derived[name].subs(constants) - expected) == 0, name


def test_the_noether_energy_is_kinetic_plus_potential_and_conserved():
    spec = pdec.load(SPECS / "double_pendulum.pde")
    (finding,) = spec.check()
    assert finding.verdict == "conserved" and "does not depend on t" in finding.reason
    lagrangian = spec.ir.lagrangian.value
    d1, d2 = q1.diff(t), q2.diff(t)
    kinetic = lagrangian.subs({sympy.cos(q1): 0, sympy.cos(q2): 0})  # the d-terms
    potential = kinetic - lagrangian
    energy = noether_energy(lagrangian, (q1, q2), t)
    assert sympy.simplify(energy - (kinetic + potential)) == 0
    assert energy.has(d1) and energy.has(d2)


def test_an_explicitly_time_dependent_lagrangian_is_not_conserved():
    spec = pdec.loads(HEAD + "lagrangian L = dt(q)^2/2 - (1 + t)*q^2/2 + dt(p)^2\n")
    (finding,) = spec.check()
    assert finding.verdict == "not conserved"
    q = sympy.Function("q")(t)
    assert "q^2/2" in finding.reason.replace("**", "^") or "q**2/2" in finding.reason, (
        finding.reason
    )
    assert energy_balance(spec.ir.lagrangian.value, (q, sympy.Function("p")(t)), t) == 0


def test_the_mass_matrix_of_the_double_pendulum():
    spec = pdec.load(SPECS / "double_pendulum.pde")
    m = mass_matrix(spec.ir.lagrangian.value, (q1, q2), t)
    constants = {sympy.Symbol(c.name): c.value for c in spec.ir.constants}
    expected = sympy.Matrix([[2, sympy.cos(q1 - q2)], [sympy.cos(q1 - q2), 1]])
    assert sympy.simplify(m.subs(constants) - expected) == sympy.zeros(2, 2)


def test_a_learned_lagrangian_takes_every_field_of_time_as_a_coordinate():
    spec = pdec.loads(HEAD + "lagrangian L = learned\n")
    assert spec.ir.lagrangian.learned and spec.ir.lagrangian.coordinates == ("q", "p")
    assert spec.check() == []
    with pytest.raises(pdec.SpecError, match="learned Lagrangian"):
        spec.euler_lagrange()


@pytest.mark.parametrize(
    "spec, message, line",
    [
        (HEAD + "lagrangian L = q^2\n", "degenerate", 5),
        (HEAD + "lagrangian L = (dt(q) + dt(p))^2\n", "degenerate", 5),
        (HEAD + "lagrangian L = dt(q)^2*(sin(q)^2 + cos(q)^2 - 1) + dt(p)^2\n", "degenerate", 5),
        (HEAD + "lagrangian L = dt(q)^2 + dt(p)^2\nlagrangian M = dt(q)^2\n", "given twice", 6),
        (HEAD + "lagrangian L = dt(dt(q))^2 + dt(p)^2\n", "q and dt\\(q\\) only", 5),
        (HEAD + "lagrangian L = k\n", "depends on no field", 5),
        (HEAD + "lagrangian L = (dt(q), dt(p))\n", "is a scalar", 5),
        (
            "model m\nregion I = interval(x in [0, 1])\nfield q(x)\nlagrangian L = q^2\n",
            "needs time",
            4,
        ),
        (
            "model m\nregion I = interval(x in [0, 1])\ntime t in [0, 1]\nfield u(t, x)\n"
            "lagrangian L = dt(u)^2\n",
            "functions of t alone",
            5,
        ),
        (
            HEAD + "energy H = p^2/2 + q^2/2\nevolve dt(q, p) = [[0, 1], [-1, 0]] * "
            "grad(H, (q, p))\nlagrangian L = dt(q)^2 + dt(p)^2\n",
            "given twice: by `evolve`",
            7,
        ),
    ],
    ids=[
        "degenerate",
        "degenerate-square",
        "degenerate-hidden",
        "twice",
        "second-derivative",
        "no-field",
        "vector",
        "no-time",
        "field-of-space",
        "with-evolve",
    ],  # fmt: skip
)
def test_a_bad_lagrangian_is_a_located_error(spec, message, line):
    with pytest.raises(pdec.SpecError, match=message) as caught:
        pdec.loads(spec, "l.pde")
    assert caught.value.span.line == line and caught.value.hint


def test_show_prints_the_euler_lagrange_equations():
    from rich.console import Console

    from pdec.cli.show import render_text

    console = Console(record=True, width=300)
    render_text(pdec.load(SPECS / "double_pendulum.pde"), None, console)
    shown = console.export_text()
    assert "Euler–Lagrange" in shown and "q1_tt" in shown and "q2_tt" in shown


def test_show_json_holds_the_euler_lagrange_residuals():
    data = pdec.load(SPECS / "double_pendulum.pde").to_json()
    assert set(data["euler_lagrange"]) == {"q1", "q2"}
    assert data["ir"]["lagrangian"]["coordinates"] == ["q1", "q2"]
    assert [f["verdict"] for f in data["findings"]] == ["conserved"]


def test_reference_accelerations_are_the_closed_form_double_pendulum():
    """myphysicslab's explicit q̈ of the double pendulum, against M⁻¹ solved per state."""
    import numpy as np

    from pdec.reference.discretize import discretize

    system = discretize(pdec.load(SPECS / "double_pendulum.pde").ir)
    assert system.fields == ("q1", "q2", "q1_t", "q2_t")
    rng = np.random.default_rng(1)
    u = rng.uniform(-2, 2, size=(50, 4))
    a1, a2, w1, w2 = u.T
    g, m1, m2, l1, l2 = 9.8, 1.0, 1.0, 1.0, 1.0
    den = 2 * m1 + m2 - m2 * np.cos(2 * a1 - 2 * a2)
    dd1 = (
        -g * (2 * m1 + m2) * np.sin(a1)
        - m2 * g * np.sin(a1 - 2 * a2)
        - 2 * np.sin(a1 - a2) * m2 * (w2**2 * l2 + w1**2 * l1 * np.cos(a1 - a2))
    ) / (l1 * den)
    dd2 = (
        2
        * np.sin(a1 - a2)
        * (w1**2 * l1 * (m1 + m2) + g * (m1 + m2) * np.cos(a1) + w2**2 * l2 * m2 * np.cos(a1 - a2))
    ) / (l2 * den)
    np.testing.assert_allclose(system.rhs(u), np.stack([w1, w2, dd1, dd2], -1), rtol=1e-10)


def test_reference_trajectories_keep_the_noether_energy():
    import numpy as np

    from pdec.reference import generate

    data = generate(pdec.load(SPECS / "double_pendulum.pde"), n=3, steps=200, dt=0.01)
    assert data.u.shape == (3, 201, 4) and data.fields == ("q1", "q2", "q1_t", "q2_t")
    from pdec.reference.discretize import discretize

    energy = discretize(pdec.load(SPECS / "double_pendulum.pde").ir).energy(data.u)
    assert np.abs(energy - energy[:, :1]).max() < 1e-7 * np.abs(energy).max()
    assert np.abs(data.u[:, -1] - data.u[:, 0]).max() > 0.1  # it moved


def test_reference_data_of_a_learned_lagrangian_is_refused_at_its_line():
    from pdec.reference import generate

    with pytest.raises(pdec.UnsupportedError, match="is learned") as caught:
        generate(pdec.loads(HEAD + "lagrangian L = learned\n", "l.pde"), n=1, steps=2, dt=0.1)
    assert caught.value.span.line == 5
