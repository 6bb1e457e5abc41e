"""pdec — compile declarative PDE specs to trainable PyTorch models.

>>> import pdec
>>> spec = pdec.load("specs/kdv.pde")              # doctest: +SKIP
>>> spec.variational_derivative("H", "u")          # doctest: +SKIP
alpha*u(t, x)**2/2 + beta*Derivative(u(t, x), (x, 2))

The names below are imported on first use (PEP 562), so ``import pdec.runtime`` — the
one import a generated module makes — loads neither the parser nor SymPy.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name → the module that defines it
_LAZY = {
    "compile": "pdec.compiler",
    "estimate": "pdec.estimation",
    "Finding": "pdec.passes.check_conservation",
    "Spec": "pdec.spec",
    "load": "pdec.spec",
    "loads": "pdec.spec",
    **{
        name: "pdec.errors"
        for name in (
            "ArgumentError",
            "CoordinateError",
            "DataError",
            "DuplicateNameError",
            "EnergyError",
            "IntegrationError",
            "InvalidValueError",
            "JumpError",
            "LocationError",
            "NameResolutionError",
            "PdecError",
            "ReservedNameError",
            "ShapeError",
            "Span",
            "SpecError",
            "SpecFileError",
            "SpecSyntaxError",
            "StructureError",
            "TimeError",
            "UnsupportedError",
        )
    },
}

__all__ = sorted([*_LAZY, "__version__"])


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'pdec' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return __all__
