"""pdec.runtime.operator — what generated neural-operator modules import (issue 5).

* :mod:`~pdec.runtime.operator.spectral_convolution` — the Fourier layer's global part,
  K v = Re F⁻¹[W · F v] on the lowest modes;
* :mod:`~pdec.runtime.operator.fno` — the Fourier Neural Operator, 1-D and 2-D,
  resolution-independent;
* :mod:`~pdec.runtime.operator.gno` — the graph neural operator (kernel integration over
  a radius graph) for functions on point clouds, density-independent; not yet built by
  the operator target;
* :mod:`~pdec.runtime.operator.derivatives` — grid derivatives: spectral on periodic
  axes, second-order finite differences on the others;
* :mod:`~pdec.runtime.operator.mollifier` — derivatives as convolutions with the
  analytic derivatives of a compactly supported bump (robust to noise);
* :mod:`~pdec.runtime.operator.model` — ``OperatorModel``, the base of generated
  ``<Model>Operator`` classes: FNO + built-in Dirichlet condition + PINO residual loss.
"""

from pdec.runtime.operator.fno import FourierNeuralOperator
from pdec.runtime.operator.gno import GraphNeuralOperator
from pdec.runtime.operator.model import GridShapeError, OperatorModel, distance_factor, relative_l2
from pdec.runtime.operator.mollifier import Mollifier, mollified_derivative
from pdec.runtime.operator.spectral_convolution import SpectralConvolution

__all__ = [
    "FourierNeuralOperator",
    "GraphNeuralOperator",
    "GridShapeError",
    "Mollifier",
    "OperatorModel",
    "SpectralConvolution",
    "distance_factor",
    "mollified_derivative",
    "relative_l2",
]
