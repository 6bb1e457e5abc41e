"""The PINN target: a spec → one readable, self-contained PyTorch module.

Its passes (:meth:`PinnTarget.passes`), run by the driver before ``generate``:

``derive_residuals``     each equation's residual, known parameters inserted;
``choose_coordinates``   what the network sees: a declared coordinate system with a
                         cut (the fault's (r, θ)), else the Cartesian coordinates; with
                         a cut carrying ``jump(u) = g``, ``lift_cut_jump``'s
                         u = g(1/2 − θ/2π) [+ an r log r term] + N(x, y), the jump exact
                         (``--cut lift``, the default where it applies; ``--cut
                         residual`` keeps the paper's penalised jump).

Then ``generate``'s stages (each one call):

1. ``choose_inputs``      the network's inputs (the ``network_coordinates`` fact);
2. ``derive``             each residual in those inputs; pde and cut residuals cleared
                          of 1/r factors (as Okazaki et al. multiply the equilibrium by
                          r²; with the lift, the pde keeps one factor r: r·div(μ∇u));
3. ``lower_residual``     field values and derivatives → named locals, computed once;
4. ``emit``               the module text: header, class attributes, ``to_network``,
                          ``samplers``, ``residuals``, references.

The module imports only torch, math and :mod:`pdec.runtime`; the same spec and
options give the same bytes.

One module per stage: :mod:`.inputs` (1), :mod:`.terms` (2, 3, with :mod:`.lower`),
:mod:`.emit_module` (4, with the methods in :mod:`.emit_maps`, :mod:`.emit_samplers`
and :mod:`.emit_residuals`); the shared printing layer is :mod:`pdec.codegen`.
"""

from __future__ import annotations

from pdec.codegen.format import format_source
from pdec.codegen.module import GeneratedModule
from pdec.codegen.source import class_name as camel_class_name
from pdec.errors import UnsupportedError
from pdec.targets.pinn.emit_module import emit
from pdec.targets.pinn.functions import partial_fields
from pdec.targets.pinn.inputs import NetworkInputs, choose_inputs
from pdec.targets.pinn.terms import Term, derive, terms

__all__ = ["NetworkInputs", "Term", "choose_inputs", "derive", "emit", "generate", "terms"]


def generate(spec) -> GeneratedModule:
    """Generate the PINN module for ``spec`` (a :class:`pdec.Spec` after the target's
    passes: its residuals and network coordinates are facts)."""
    check_supported(spec.ir)
    inputs = choose_inputs(spec.ir)  # 1
    check_lift(spec.ir, inputs)
    source = emit(spec, inputs, terms(spec, inputs))  # 2, 3 (terms), 4
    return GeneratedModule(format_source(source), f"{spec.ir.name}_pinn", class_name(spec.ir.name))


def class_name(model: str) -> str:
    return camel_class_name(model, "Pinn")


def check_lift(s, inputs: NetworkInputs) -> None:
    """A jump is built into a field of the shared network: not into a field of fewer
    arguments (its own network, which the lift does not reach)."""
    lift = inputs.lift
    if lift is not None and lift.field in {f.name for f in partial_fields(s)}:
        field = s.lookup("fields", lift.field)
        raise UnsupportedError(
            f"the jump of '{field.name}' cannot be built into a field that does not take "
            "every coordinate",
            field.span,
            "compile with --cut residual, or give the field every coordinate",
        )


def check_supported(s) -> None:
    """UnsupportedError for specs that are not for a PINN."""
    if not any(e.kind == "pde" for e in s.equations):
        raise UnsupportedError(
            f"the spec '{s.name}' has no `pde` equation to train a PINN on",
            s.lagrangian.span if s.lagrangian else None,
            "energy-only specs (evolve, structure) are for the energy target",
        )
    if s.inputs:
        raise UnsupportedError(
            "specs with `input` functions map inputs to solutions: that is the operator target",
            s.inputs[0].span,
            "compile with --target operator, or make the input a param",
        )
