"""Pieces of generated energy-target source shared by ODE systems and grids: names,
the module's start (header, docstring, what it may import), unknown scalar parameters."""

from __future__ import annotations

import textwrap

import sympy

from pdec.codegen.literals import float_value, header_comments, source_text, spec_file
from pdec.codegen.source import INDENT, Source
from pdec.codegen.source import class_name as camel_class_name
from pdec.ir import nodes as ir

BODY = INDENT * 2

MODES_NOTE = (
    'Modes: "dgnet" (discrete gradient, the default: H conserved for skew G and never',
    'increasing for dissipative G, exactly in discrete time), "hnn" and "node" baselines.',
)


def class_name(model: str) -> str:
    return camel_class_name(model, "Energy")


def module_source(s: ir.SpecIR, title: str, nodes, notes, runtime_names) -> Source:
    """A module that starts with the comment lines and the docstring (``title``, the
    spec lines of ``nodes``, ``notes``), and may import math, torch and
    ``runtime_names`` from :mod:`pdec.runtime.energy`."""
    name = spec_file(s)
    lines = [*header_comments(s, "energy"), *textwrap.wrap(f'"""{title}', width=88), ""]
    for node in nodes:
        text = f"- {name}:{node.span.line}: {source_text(node.span)}"
        lines += textwrap.wrap(text, width=92, subsequent_indent="  ")
    source = Source([*lines, "", *notes, '"""'])
    source.may_import("math")
    source.may_import("torch")
    source.may_import("pdec.runtime.energy", runtime_names)
    return source


def unknown_attributes(unknown) -> list[str]:
    """``__init__`` lines making each unknown scalar a parameter (log-parametrized when
    declared positive)."""
    lines = []
    for param in unknown:
        value = f"self.unknown_guesses[{param.name!r}]"
        if param.positive:
            value = f"math.log({value})"
            attribute = f"log_{param.name}"
        else:
            attribute = param.name
        lines.append(
            f"{BODY}self.{attribute} = torch.nn.Parameter(torch.tensor({value}, dtype=dtype))"
        )
    return lines


def parameter_locals(s: ir.SpecIR, expr: sympy.Expr, locals_, unknown) -> list[str]:
    """Lines binding the constants and unknown parameters that ``expr`` uses."""
    lines = [
        f'{BODY}{locals_[c.symbol]} = self.constants["{c.name}"]'
        for c in s.constants
        if c.symbol in expr.free_symbols
    ]
    for param in unknown:
        if param.symbol not in expr.free_symbols:
            continue
        if param.positive:
            lines.append(f"{BODY}{locals_[param.symbol]} = torch.exp(self.log_{param.name})")
        else:
            lines.append(f"{BODY}{locals_[param.symbol]} = self.{param.name}")
    return lines


def learned_method(unknown) -> list[str]:
    values = ", ".join(
        f'"{p.name}": float(torch.exp(self.log_{p.name}.detach()))'
        if p.positive
        else f'"{p.name}": float(self.{p.name}.detach())'
        for p in unknown
    )
    return [
        f"{INDENT}def learned(self) -> dict[str, float]:",
        f'{BODY}"""The current values of the unknown parameters."""',
        f"{BODY}return {{{values}}}",
    ]


def guess(param: ir.Parameter) -> float:
    if param.guess is not None:
        return float_value(param.guess)
    return 1.0 if param.positive else 0.0
