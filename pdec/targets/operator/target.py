"""The operator target as the registry sees it (:mod:`pdec.targets`)."""

from __future__ import annotations

from dataclasses import dataclass

from pdec.codegen.module import GeneratedModule
from pdec.passes.inline_definitions import inline_definitions


@dataclass(frozen=True)
class OperatorOptions:
    """No compile options: modes, width, layers, ... are arguments of the generated
    class."""


class OperatorTarget:
    name = "operator"
    summary = (
        "a neural operator from inputs to fields: FNO on grids (PINO with a physics loss), "
        "GNO on point clouds"
    )
    Options = OperatorOptions
    commands = "pdec.targets.operator.commands"

    def passes(self, options) -> tuple:
        return (inline_definitions,)  # G's class is already a fact of the read stage

    def generate(self, spec, options: OperatorOptions) -> GeneratedModule:
        from pdec.targets.operator.generate import generate

        return generate(spec)


TARGET = OperatorTarget()
