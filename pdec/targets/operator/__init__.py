"""The operator target: specs with inputs (or evolution on a ring) → ``<Model>Operator``."""

from pdec.targets.operator.generate import generate

__all__ = ["generate"]
