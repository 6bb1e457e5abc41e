"""The PINN target (:mod:`pdec.targets.pinn.generate`)."""

from pdec.codegen.module import GeneratedModule
from pdec.targets.pinn.generate import generate

__all__ = ["GeneratedModule", "generate"]
