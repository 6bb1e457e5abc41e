"""pdec.runtime — what generated modules import, and how they are trained.

* :mod:`~pdec.runtime.base` — ``GeneratedModel``, the one base of ``PinnModel``,
  ``EnergyModel`` (:mod:`pdec.runtime.energy`) and ``OperatorModel``
  (:mod:`pdec.runtime.operator`): ``fit(*data, **options) -> History``, device and
  dtype, ``save``/``load`` in the one checkpoint format, the divergence guard;

* :mod:`~pdec.runtime.jets` — derivatives of the network pushed forward with its
  values (``PinnModel.network_jets``; no double backward, so ``torch.compile`` applies);
* :mod:`~pdec.runtime.autodiff` — ``derivative(y, x)`` and ``derivatives(y, xs)``, the
  nested-autograd fallback;
* :mod:`~pdec.runtime.sampling` and :mod:`~pdec.runtime.geometry` — points in boxes,
  on sides, polylines and slices (uniform, Sobol, Latin hypercube), crowded about a
  point (``AboutPoint``) or on whole circles (``Circles``);
* :mod:`~pdec.runtime.shapes` and :mod:`~pdec.runtime.composite` — regions of any
  shape (balls, ellipsoids, polygons and their unions, differences and intersections):
  interiors by rejection (``Inside``), boundaries piece by piece restricted to the
  region (``Boundary``, ``Restricted``), and points (``Point``);
* :mod:`~pdec.runtime.network` — input embedding (scaling, exact periodicity,
  Fourier features) and the MLP;
* :mod:`~pdec.runtime.model` — ``PinnModel``, the base of generated classes, with
  :mod:`~pdec.runtime.field_derivatives` (its fields and their derivatives at the
  network inputs: jets, else nested autograd);
* :mod:`~pdec.runtime.unknowns` and :mod:`~pdec.runtime.observations` — inverse
  problems: learnable parameters (scalars and fields) and data tables;
* :mod:`~pdec.runtime.options` — ``TrainOptions`` / ``ModelOptions``, ``EnergyFitOptions``,
  ``OperatorFitOptions`` (pydantic, one ``_Options`` base);
* :mod:`~pdec.runtime.training` — ``fit``: Adam then L-BFGS, with
  :mod:`~pdec.runtime.points` (resampling), :mod:`~pdec.runtime.refinement` (RAR),
  :mod:`~pdec.runtime.weighting` (annealing), :mod:`~pdec.runtime.losses`,
  :mod:`~pdec.runtime.progress` and :mod:`~pdec.runtime.checkpoint`;
* :mod:`~pdec.runtime.distributed` — data parallelism under ``torchrun``: each rank's
  share of the global batch, DDP around the loss, reductions over ranks;
* :mod:`~pdec.runtime.history` — what a run records;
* :mod:`~pdec.runtime.errors` — ``OptionsError``, ``TrainingDiverged``, ``CheckpointError``,
  ``DataFileError``, ``GridShapeError`` (never front-end ``SpecError``s);
* :mod:`~pdec.runtime.tables` — ``read_table`` (CSV/NPZ observation tables);
* :mod:`~pdec.runtime.interpolation` — ``CoefficientTable`` and ``GridInterpolator``:
  parameters read from tables (``param k(x, y) = table("k.csv")``), interpolated
  multilinearly on the device.
"""

from pdec.runtime.autodiff import derivative, derivatives
from pdec.runtime.base import GeneratedModel
from pdec.runtime.composite import (
    Boundary,
    EllipsoidSurface,
    Fixed,
    Inside,
    Point,
    Restricted,
    Sphere,
)
from pdec.runtime.errors import (
    CheckpointError,
    DataFileError,
    GridShapeError,
    OptionsError,
    TrainingDiverged,
)
from pdec.runtime.geometry import (
    AboutPoint,
    Box,
    Circles,
    Polyline,
    Sampler,
    Side,
    Sides,
    Slice,
)
from pdec.runtime.hard import transfinite_form
from pdec.runtime.history import History, Record
from pdec.runtime.interpolation import CoefficientTable, GridInterpolator
from pdec.runtime.model import PinnModel
from pdec.runtime.observations import Observations
from pdec.runtime.options import ModelOptions, TrainOptions, merge_options
from pdec.runtime.shapes import Ball, Difference, Ellipsoid, Intersection, Polygon, Union
from pdec.runtime.training import fit
from pdec.runtime.unknowns import Unknown

__all__ = [
    "AboutPoint",
    "Ball",
    "Boundary",
    "Box",
    "Difference",
    "Ellipsoid",
    "EllipsoidSurface",
    "Fixed",
    "Inside",
    "Intersection",
    "Point",
    "Polygon",
    "Restricted",
    "Sphere",
    "Union",
    "CheckpointError",
    "Circles",
    "CoefficientTable",
    "DataFileError",
    "GeneratedModel",
    "GridInterpolator",
    "GridShapeError",
    "History",
    "ModelOptions",
    "Observations",
    "OptionsError",
    "PinnModel",
    "Polyline",
    "Record",
    "Sampler",
    "Side",
    "Sides",
    "Slice",
    "TrainOptions",
    "TrainingDiverged",
    "Unknown",
    "derivative",
    "derivatives",
    "fit",
    "merge_options",
    "transfinite_form",
]
