"""The facts added by inline_definitions, classify_dynamics and choose_coordinates:
each computed once, read by the targets, and missing facts reported by name."""

from pathlib import Path

import pytest
import sympy

import pdec
from pdec import targets
from pdec.compiler import generate_module, run_passes
from pdec.passes.choose_coordinates import choose_coordinates
from pdec.passes.derive_residuals import derive_residuals
from pdec.passes.inline_definitions import inline_definitions

SPECS = Path(__file__).resolve().parents[2] / "specs"

RING = """model ring
const c = 2
region line = interval(x in [0, 1], periodic)
param k = 3
param w(x) = 1 + cos(2*pi*x)
field u(t, x)
energy H = integral(k*w*u^2/2 + dx(u)^2/2, x)
evolve dt(u) = c*dx(delta(H, u))
conserved mass = integral(w*u, x)
"""

DARCY_LIKE = """model flux
region I = interval(x in [0, 1])
param k(x) = 1 + x
input f(x)
field u(x)
pde flow: -dx(k*dx(u)) = f in I
bc ends: u = k - 1 on I.boundary
"""


def _functions(expr) -> set[str]:
    return {type(f).__name__ for f in expr.atoms(sympy.core.function.AppliedUndef)}


def test_inline_definitions_puts_every_known_parameter_in_place():
    spec = inline_definitions(pdec.loads(RING).ir)
    assert spec.definitions_inlined
    (energy,) = spec.energies
    assert "w" not in _functions(energy.density)
    assert sympy.Symbol("k") not in energy.density.free_symbols
    assert sympy.Symbol("c") in spec.evolution.rhs[0].free_symbols  # constants stay symbols
    (claim,) = spec.claims
    assert "w" not in _functions(claim.density)


def test_inline_definitions_keeps_equations_in_flux_form():
    (equation, condition) = inline_definitions(pdec.loads(DARCY_LIKE).ir).equations
    x = sympy.Symbol("x")
    u = sympy.Function("u")(x)
    assert equation.lhs == -sympy.Derivative((1 + x) * sympy.Derivative(u, x), x)
    assert condition.rhs == x  # k - 1 with k = 1 + x


def test_a_fact_read_before_its_pass_names_the_pass():
    spec = pdec.loads(DARCY_LIKE).ir
    for fact, name in [
        ("definitions_inlined", "inline_definitions"),
        ("residuals", "derive_residuals"),
        ("network_coordinates", "choose_coordinates"),
    ]:
        with pytest.raises(RuntimeError, match=f"run pdec.passes.{name} first"):
            spec.fact(fact)


def _without_sha(source: str) -> str:
    """The module without the spec's hash and the spec lines it quotes."""
    return "\n".join(
        line for line in source.splitlines() if "sha256" not in line and "<string>:" not in line
    )


def test_the_energy_target_reads_the_inlined_energy_and_g():
    # k and c written as names, or as their values: the same module but for the hash
    named = RING.replace("k*w*u^2/2", "k*u^2/2").replace("integral(w*u, x)", "integral(k*u, x)")
    valued = named.replace("k*u^2/2", "3*u^2/2").replace("integral(k*u, x)", "integral(3*u, x)")
    named_source = generate_module(pdec.loads(named), "energy").source
    assert _without_sha(named_source) == _without_sha(
        generate_module(pdec.loads(valued), "energy").source
    )


def test_the_operator_target_reads_the_inlined_flux_form():
    flux = generate_module(pdec.loads(DARCY_LIKE), "operator").source
    valued = DARCY_LIKE.replace("-dx(k*dx(u))", "-dx((1 + x)*dx(u))").replace("u = k - 1", "u = x")
    assert _without_sha(flux) == _without_sha(
        generate_module(pdec.loads(valued), "operator").source
    )


def test_the_class_of_g_is_a_fact_of_the_read_stage():
    spec = pdec.loads(RING)
    assert spec.ir.dynamics.require().kind == "skew-adjoint"
    assert spec.structure is spec.ir.dynamics.structure


def test_g_that_cannot_be_classified_is_kept_with_its_reason():
    # G = w(x)·∂x has a variable coefficient: no Fourier symbol; loading still works and
    # the reason comes out where the class is asked for
    text = RING.replace("evolve dt(u) = c*dx(delta(H, u))", "evolve dt(u) = w*dx(delta(H, u))")
    spec = pdec.loads(text)
    assert spec.ir.dynamics.structure is None
    assert isinstance(spec.ir.dynamics.error, pdec.UnsupportedError)
    with pytest.raises(pdec.UnsupportedError):
        _ = spec.structure


def test_no_evolution_means_no_g():
    assert pdec.loads(DARCY_LIKE).ir.dynamics.require() is None


def test_choose_coordinates_follows_the_pinn_options():
    fault = derive_residuals(pdec.load(SPECS / "fault.pde").ir)  # the lift reads them
    lifted = choose_coordinates(fault).network_coordinates
    assert [s.name for s in lifted.symbols] == ["r", "theta"] and lifted.lift is not None
    penalised = choose_coordinates(fault, cut="residual").network_coordinates
    assert penalised.lift is None and penalised.system is lifted.system
    plain = choose_coordinates(pdec.load(SPECS / "poisson.pde").ir).network_coordinates
    assert plain.system is None and [s.name for s in plain.symbols] == ["x", "y"]
    with pytest.raises(pdec.UnsupportedError, match="unknown cut form"):
        choose_coordinates(fault, cut="sideways")


def test_the_pinn_passes_come_from_its_options():
    pinn = targets.get("pinn")
    spec = run_passes(pdec.load(SPECS / "fault.pde"), pinn.passes(pinn.Options(cut="residual")))
    assert spec.ir.residuals is not None
    assert spec.ir.network_coordinates.lift is None
