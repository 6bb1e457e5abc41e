"""The grid sums of the energy target's generated modules: H_d(U) = Σ_k h(U_k,
(DU)_k, …) Δx (``closed_form_energy``) and the conserved quantities (``quantities``),
each ∂x^j u of a density replaced by a named finite difference."""

from __future__ import annotations

import sympy

from pdec.codegen.derivatives import along, derivative_name
from pdec.codegen.printer import TorchPrinter
from pdec.codegen.source import local_name
from pdec.errors import UnsupportedError
from pdec.symbolic.variational import multi_index, to_jet
from pdec.targets.energy.source import BODY, INDENT, parameter_locals


def grid_integral(s, name: str, doc: str, densities: dict, locals_, unknown) -> list[str]:
    """A method returning Σ_k density Δx for a batch of states: one value (``None`` key)
    or a dict by name."""
    fields = [f.function for f in s.fields]
    names = dict(locals_)
    replaced = {}
    jets: dict[sympy.Symbol, tuple[str, str, int]] = {}
    for key, density in densities.items():
        expr, back = to_jet(density, fields, s.space)
        symbols = {}
        for dummy, original in back.items():
            field = original.expr if isinstance(original, sympy.Derivative) else original
            order = multi_index(original, s.space)[0] if field is not original else 0
            label = derivative_name(field.func.__name__, along((order,), [v.name for v in s.space]))
            symbol = sympy.Symbol(f"_jet_{label}")
            symbols[dummy] = symbol
            jets[symbol] = (local_name(label), local_name(field.func.__name__), order)
        expr = expr.xreplace(symbols)
        extra = expr.free_symbols - set(jets) - set(locals_)
        if extra or not expr.free_symbols & set(jets):
            what = ", ".join(sorted(map(str, extra))) or "no field"
            raise UnsupportedError(
                f"a grid density must be a function of the fields and their x-derivatives "
                f"with constant coefficients; {sympy.sstr(density)} has {what}",
                s.energies[0].span if key is None else None,
                "write the density with fields, dx(...) and constants",
            )
        replaced[key] = expr
    names |= {symbol: label for symbol, (label, _, _) in jets.items()}
    count = len(s.fields)
    state = [local_name(f.name) for f in s.fields]
    if count == 1:
        unpack = f"{state[0]} = state.reshape(state.shape[0], -1)"
    else:
        unpack = f"{', '.join(state)} = state.reshape(state.shape[0], {count}, -1).unbind(dim=1)"
    returns = "dict[str, torch.Tensor]" if None not in replaced else "torch.Tensor"
    lines = [
        f"{INDENT}def {name}(self, state: torch.Tensor) -> {returns}:",
        f'{BODY}"""{doc}"""',
        f"{BODY}{unpack}",
    ]
    for label, field, order in sorted(set(jets.values()), key=lambda j: (j[2], j[0])):
        if order:
            lines.append(f"{BODY}{label} = finite_difference({field}, {order}, self.spacing)")
    everything = sympy.Add(*replaced.values())
    lines += parameter_locals(s, everything, locals_, unknown)
    printer = TorchPrinter(names)
    if None in replaced:
        lines += [f"{BODY}return {_sum(printer, replaced[None])}", ""]
        return lines
    lines.append(f"{BODY}return {{")
    for key, expr in replaced.items():
        lines.append(f'{BODY}{INDENT}"{key}": {_sum(printer, expr)},')
    return lines + [f"{BODY}}}", ""]


def _sum(printer: TorchPrinter, expr: sympy.Expr) -> str:
    """Σ_k expr Δx over the grid (the last axis)."""
    text = printer.doprint(expr)
    text = text if expr.is_Symbol else f"({text})"
    return f"{text}.sum(dim=-1) * self.spacing"
