"""The IR as JSON-ready data (``pdec show FILE --json``).

Expressions are written as SymPy's ``sstr`` (valid Python for ``sympy.parse_expr``
in a consumer's own code; pdec itself never parses them back) plus LaTeX.
"""

from __future__ import annotations

import dataclasses

import sympy

from pdec import display
from pdec.errors import Span
from pdec.ir import nodes as ir
from pdec.symbolic.budget import DEFAULT_BUDGET

SCHEMA_VERSION = 1


def to_data(value):
    """Dataclasses, tuples, spans and SymPy objects → JSON-ready values."""
    if isinstance(value, Span):
        return {
            "file": value.file,
            "line": value.line,
            "column": value.column,
            "end_line": value.end_line,
            "end_column": value.end_column,
        }
    if isinstance(value, (sympy.Basic, sympy.MatrixBase)):
        return sympy.sstr(value)
    if isinstance(value, ir.Dynamics):  # the class of G, by name (the details: "structure")
        structure = value.structure
        return {
            "kind": "Dynamics",
            "structure": None if structure is None else structure.kind,
            "error": None if value.error is None else str(value.error),
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {"kind": type(value).__name__}
        for field in dataclasses.fields(value):
            if field.name == "source":
                continue
            out[field.name] = to_data(getattr(value, field.name))
        return out
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def expression(expr: sympy.Expr) -> dict:
    return {"sympy": sympy.sstr(expr), "text": display.text(expr), "latex": display.latex(expr)}


def to_json(spec, coords: str | None = None, budget: float | None = DEFAULT_BUDGET) -> dict:
    """The IR and what the passes derive from it: residuals, δH/δu, the Euler–Lagrange
    residuals (a spec with a closed-form Lagrangian), G, findings."""
    data = {"schema": SCHEMA_VERSION, "ir": to_data(spec.ir)}
    data["residuals"] = {
        name: expression(expr) for name, expr in spec.residuals(coords=coords).items()
    }
    data["variational_derivatives"] = {
        f"{energy.name}/{field.name}": expression(
            spec.variational_derivative(energy.name, field.name)
        )
        for energy in spec.ir.energies
        if not energy.learned
        for field in spec.ir.fields
    }
    lagrangian = spec.ir.lagrangian
    if lagrangian is not None and not lagrangian.learned:
        data["euler_lagrange"] = {
            name: expression(residual) for name, residual in spec.euler_lagrange().items()
        }
    structure = spec.structure
    data["structure"] = (
        None
        if structure is None
        else {
            "kind": structure.kind,
            "reason": structure.reason,
            "symbol": sympy.sstr(structure.symbol),
        }
    )
    data["findings"] = [to_data(finding) for finding in spec.check(budget)]
    return data
