"""The energy target as the registry sees it (:mod:`pdec.targets`)."""

from __future__ import annotations

from dataclasses import dataclass

from pdec.codegen.module import GeneratedModule
from pdec.passes.inline_definitions import inline_definitions


@dataclass(frozen=True)
class EnergyOptions:
    """No compile options: the model's mode (dgnet, hnn, node; lnn), grid and Δt are
    arguments of the generated class."""


class EnergyTarget:
    name = "energy"
    summary = (
        "a structure-preserving model of dt(u) = G δH/δu (DGNet, HNN or NODE), or of a "
        "Lagrangian (LNN)"
    )
    Options = EnergyOptions
    commands = "pdec.targets.energy.commands"

    def passes(self, options) -> tuple:
        return (inline_definitions,)  # G's class is already a fact of the read stage

    def generate(self, spec, options: EnergyOptions) -> GeneratedModule:
        from pdec.targets.energy.generate import generate

        return generate(spec)


TARGET = EnergyTarget()
