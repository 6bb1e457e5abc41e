"""pdec — compile declarative PDE specs to trainable PyTorch models.

>>> import pdec
>>> spec = pdec.load("specs/kdv.pde")              # doctest: +SKIP
>>> spec.variational_derivative("H", "u")          # doctest: +SKIP
alpha*u(t, x)**2/2 + beta*Derivative(u(t, x), (x, 2))
"""

__version__ = "0.1.0"  # before the imports: generated code reads it

from pdec.compile import compile
from pdec.errors import (  # noqa: E402
    ArgumentError,
    CoordinateError,
    DataError,
    DuplicateNameError,
    EnergyError,
    IntegrationError,
    InvalidValueError,
    JumpError,
    LocationError,
    NameResolutionError,
    ReservedNameError,
    ShapeError,
    Span,
    SpecError,
    SpecFileError,
    SpecSyntaxError,
    StructureError,
    TimeError,
    UnsupportedError,
)
from pdec.estimate import estimate
from pdec.passes.check_conservation import Finding
from pdec.spec import Spec, load, loads

__all__ = [
    "ArgumentError",
    "CoordinateError",
    "DataError",
    "DuplicateNameError",
    "EnergyError",
    "Finding",
    "IntegrationError",
    "InvalidValueError",
    "JumpError",
    "LocationError",
    "NameResolutionError",
    "ReservedNameError",
    "ShapeError",
    "Span",
    "Spec",
    "SpecError",
    "SpecFileError",
    "SpecSyntaxError",
    "StructureError",
    "TimeError",
    "UnsupportedError",
    "__version__",
    "compile",
    "estimate",
    "load",
    "loads",
]
