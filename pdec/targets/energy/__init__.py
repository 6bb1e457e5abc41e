"""The energy target: a spec's energy H and operator G → a structure-preserving model
(discrete-gradient DGNet by default; HNN and NODE one flag apart)."""

from pdec.targets.energy.generate import generate

__all__ = ["generate"]
