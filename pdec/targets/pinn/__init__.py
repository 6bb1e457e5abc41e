"""The PINN target (:mod:`pdec.targets.pinn.generate`)."""

from pdec.targets.pinn.generate import GeneratedModule, generate

__all__ = ["GeneratedModule", "generate"]
