"""The PINN target: a spec → one readable, self-contained PyTorch module.

Stages (each one call):

1. ``choose_inputs``      what the network sees: a declared coordinate system with a
                          cut (the fault's (r, θ)), else the Cartesian coordinates;
2. ``lift_cut_jump``      with a cut carrying ``jump(u) = g``: u = g(1/2 − θ/2π) [+ an
                          r log r term] + N(x, y), the jump exact (``--cut lift``, the
                          default where it applies; ``--cut residual`` keeps the
                          paper's penalised jump and an (r, θ) network);
3. ``derive``             each equation's residual, known parameters inserted, in those
                          inputs; pde and cut residuals cleared of 1/r factors (as
                          Okazaki et al. multiply the equilibrium by r²; with the lift,
                          the pde keeps one factor r: r·div(μ∇u));
4. ``lower_residual``     field values and derivatives → named locals, computed once;
5. ``emit``               the module text: header, class attributes, ``to_network``,
                          ``samplers``, ``residuals``, references.

The module imports only torch, math and :mod:`pdec.runtime`; the same spec and
options give the same bytes.

One module per stage: :mod:`.inputs` (1, 2), :mod:`.terms` (3, 4, with :mod:`.lower`),
:mod:`.emit_module` (5, with the methods in :mod:`.emit_maps`, :mod:`.emit_samplers`
and :mod:`.emit_residuals`); the shared printing layer is :mod:`pdec.codegen`.
"""

from __future__ import annotations

from pdec.codegen.format import format_source
from pdec.codegen.module import GeneratedModule
from pdec.codegen.source import class_name as camel_class_name
from pdec.errors import UnsupportedError
from pdec.targets.pinn.emit_module import emit
from pdec.targets.pinn.inputs import CUT_FORMS, NetworkInputs, choose_inputs
from pdec.targets.pinn.terms import Term, derive, terms

__all__ = ["NetworkInputs", "Term", "choose_inputs", "derive", "emit", "generate", "terms"]


def generate(spec, coords: str | None = None, cut: str = "auto") -> GeneratedModule:
    """Generate the PINN module for ``spec`` (a :class:`pdec.Spec`).

    ``cut``: how a cut's ``jump(u) = g`` is treated — "lift" builds it into u (an
    error where it does not apply), "residual" penalises it as Okazaki et al. do,
    "auto" lifts where it applies.
    """
    check_supported(spec.ir, cut)
    inputs = choose_inputs(spec.ir, coords, cut)  # 1, 2
    source = emit(spec, inputs, terms(spec, inputs))  # 3, 4 (terms), 5
    return GeneratedModule(format_source(source), f"{spec.ir.name}_pinn", class_name(spec.ir.name))


def class_name(model: str) -> str:
    return camel_class_name(model, "Pinn")


def check_supported(s, cut: str) -> None:
    """UnsupportedError for an unknown cut form, and for specs that are not for a PINN."""
    if cut not in CUT_FORMS:
        raise UnsupportedError(
            f"unknown cut form {cut!r}", None, f"choose one of {', '.join(CUT_FORMS)}"
        )
    if not any(e.kind == "pde" for e in s.equations):
        raise UnsupportedError(
            f"the spec '{s.name}' has no `pde` equation to train a PINN on",
            None,
            "energy-only specs (evolve, structure) are for the energy target",
        )
    if s.inputs:
        raise UnsupportedError(
            "specs with `input` functions map inputs to solutions: that is the operator target",
            None,
            "compile with --target operator (coming), or make the input a param",
        )
