"""The PINN target as the registry sees it (:mod:`pdec.targets`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from pdec.codegen.module import GeneratedModule
from pdec.passes.choose_coordinates import choose_coordinates
from pdec.passes.derive_residuals import derive_residuals


@dataclass(frozen=True)
class PinnOptions:
    """``coords``: the coordinate system the network sees (default: the one with a cut);
    ``cut``: how a cut's jump is treated — "lift" (built into the field), "residual" (a
    loss term, Okazaki et al.'s form) or "auto" (lift where it applies)."""

    coords: str | None = None
    cut: str = "auto"


class PinnTarget:
    name = "pinn"
    summary = "a physics-informed network trained on the spec's residuals"
    Options = PinnOptions
    commands = "pdec.targets.pinn.commands"

    def passes(self, options: PinnOptions) -> tuple:
        # the residuals first: the cut's lift reads them
        return (
            derive_residuals,
            partial(choose_coordinates, coords=options.coords, cut=options.cut),
        )

    def generate(self, spec, options: PinnOptions) -> GeneratedModule:
        from pdec.targets.pinn.generate import generate

        return generate(spec)


TARGET = PinnTarget()
