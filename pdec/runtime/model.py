"""``PinnModel``: the base class of every generated PINN module.

A generated subclass sets the class attributes below and implements ``residuals``,
``samplers`` and (when the network sees other coordinates than the user's)
``to_network``. The base builds the network and provides ``fit``, ``predict``,
``evaluate``, ``save`` and ``load``; the fields and their derivatives at the network
inputs (``network_fields``, ``network_jets``) come from its mixin
:class:`~pdec.runtime.field_derivatives.FieldDerivatives`. A minimal hand-written
example:

>>> import math
>>> from pdec.runtime import Box, Side, Sides, derivative
>>> class Bar(PinnModel):
...     spec_name, coordinates, network_inputs = "bar", ("x",), ("x",)
...     input_bounds, field_names = {"x": (0.0, 1.0)}, ("u",)
...     residual_names = ("pde", "ends")
...     def residuals(self, batch):
...         x = batch["pde"]["x"]
...         u = self(batch["pde"])["u"]
...         u_xx = derivative(derivative(u, x), x)
...         return {"pde": u_xx + math.pi**2 * torch.sin(math.pi * x),
...                 "ends": self(batch["ends"])["u"]}
...     def samplers(self):
...         return {"pde": Box({"x": (0.0, 1.0)}),
...                 "ends": Sides([Side("x", 0.0, {}, {"x": -1.0}),
...                                Side("x", 1.0, {}, {"x": 1.0})])}
>>> model = Bar(layers=(2, 16), seed=0)
>>> model.predict(x=[0.0, 0.5, 1.0])["u"].shape
(3,)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor, nn

from pdec.runtime import checkpoint
from pdec.runtime.base import GeneratedModel
from pdec.runtime.devices import DTYPES, dtype_name, resolve_device
from pdec.runtime.field_derivatives import FieldDerivatives
from pdec.runtime.geometry import Sampler
from pdec.runtime.history import History
from pdec.runtime.interpolation import CoefficientTable
from pdec.runtime.network import Embedding, multilayer_perceptron
from pdec.runtime.observations import Observations, check_inside, load_observations
from pdec.runtime.options import (
    MODEL_KEYS,
    TRAIN_KEYS,
    ModelOptions,
    OptionsError,
    TrainOptions,
    merge_options,
)
from pdec.runtime.sampling import allocate
from pdec.runtime.training import fit
from pdec.runtime.unknowns import Unknown, UnknownField, UnknownScalars

PREDICT_BATCH = 65536
MODEL_DEFAULTS = {
    "layers": (4, 32),
    "activation": "tanh",
    "fourier_features": 0,
    "fourier_scale": 1.0,
    "dtype": "float32",
    "device": "auto",
    "seed": 0,
    "unknown_layers": (3, 20),
    "derivatives": "auto",
    "hard": False,
}


class PinnModel(FieldDerivatives, GeneratedModel):
    """A physics-informed network for one spec; see the module docstring.

    Constructor arguments left as None take the spec's ``train:`` hint
    (``default_options``), then the defaults in ``MODEL_DEFAULTS``. The network is
    built in float64 on the CPU from a generator seeded with ``seed``, then moved, so
    two models with the same options are identical.
    """

    target: ClassVar[str] = "pinn"
    fit_options: ClassVar[type[TrainOptions]] = TrainOptions
    coordinates: ClassVar[tuple[str, ...]] = ()
    network_inputs: ClassVar[tuple[str, ...]] = ()
    input_bounds: ClassVar[dict[str, tuple[float, float]]] = {}
    periodic: ClassVar[dict[str, tuple[float, float]]] = {}
    reference: ClassVar[dict[str, Callable[[dict[str, Tensor]], Tensor]] | None] = None
    # The interior (pde) terms: they get `points` points, RAR and the annealing
    # reference, and `evaluate` draws from their samplers. None: the terms whose
    # sampler is a Box.
    interior_terms: ClassVar[tuple[str, ...] | None] = None
    # Inverse problems: unknown parameters (scalars and fields), the box of the user's
    # coordinates that unknown fields scale their arguments from, and observation
    # files {data set: (path, observed fields)}; relative paths are read from
    # ``data_root`` (the spec's folder when built by ``pdec.compile``), else the
    # working directory.
    unknowns: ClassVar[dict[str, Unknown]] = {}
    coordinate_bounds: ClassVar[dict[str, tuple[float, float]]] = {}
    observations: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {}
    data_root: ClassVar[str | None] = None
    # A jump built into the fields (see pdec.passes.lift_cut_jump): each field is
    # ``lift(inputs)`` plus the network, and the network sees the user's coordinates
    # (``from_network`` of its inputs, scaled from ``coordinate_bounds``), on which it
    # is continuous, rather than the network inputs (where θ = θ₀ and θ₀ + 2π differ).
    lifted: ClassVar[bool] = False
    # the conditions ``boundary_form`` builds in when the option ``hard`` is on
    hard_conditions: ClassVar[tuple[str, ...]] = ()
    # Fields that take only some of the coordinates ({"a": ("x", "y")} in a spec with
    # time): each is its own network of its arguments, scaled from
    # ``coordinate_bounds``, so it cannot depend on the others (∂a/∂t = 0 exactly).
    field_arguments: ClassVar[dict[str, tuple[str, ...]]] = {}
    # Parameters read from tables ({"k": CoefficientTable("k.csv", ("x", "y"))}): read
    # when the model is built (relative paths from ``data_root``), checked to cover
    # ``coordinate_bounds``, interpolated on the model's device (``coefficient_jets``).
    coefficient_tables: ClassVar[dict[str, CoefficientTable]] = {}

    def __init__(
        self,
        *,
        layers: tuple[int, int] | str | None = None,
        activation: str | None = None,
        fourier_features: int | None = None,
        fourier_scale: float | None = None,
        dtype: str | None = None,
        device: str | None = None,
        seed: int | None = None,
        unknown_layers: tuple[int, int] | str | None = None,
        derivatives: str | None = None,
        hard: bool | None = None,
        data: dict[str, Any] | None = None,
    ):
        super().__init__()
        given = dict(
            layers=layers,
            activation=activation,
            fourier_features=fourier_features,
            fourier_scale=fourier_scale,
            dtype=dtype,
            device=device,
            seed=seed,
            unknown_layers=unknown_layers,
            derivatives=derivatives,
            hard=hard,
        )
        hinted, _ = merge_options(self.default_options)
        hints = ModelOptions(**hinted).model_dump(exclude_none=True)
        chosen = ModelOptions(**{k: v for k, v in given.items() if v is not None})
        self.config = {**MODEL_DEFAULTS, **hints, **chosen.model_dump(exclude_none=True)}
        self._check_hard()
        generator = torch.Generator().manual_seed(self.config["seed"])
        self.embedding = Embedding(
            tuple(self.coordinates if self.lifted else self.network_inputs),
            self.coordinate_bounds if self.lifted else self.input_bounds,
            self.periodic,
            self.config["fourier_features"],
            self.config["fourier_scale"],
            generator,
        )
        depth, width = self.config["layers"]
        self.network = multilayer_perceptron(
            self.embedding.size,
            len(self.shared_fields),
            depth,
            width,
            self.config["activation"],
            generator,
        )
        scalars = {name: u for name, u in self.unknowns.items() if not u.args}
        self.unknown_scalars = UnknownScalars(scalars)
        depth, width = self.config["unknown_layers"]
        self.unknown_fields = nn.ModuleDict(
            {
                name: UnknownField(
                    u, self.coordinate_bounds, depth, width, self.config["activation"], generator
                )
                for name, u in self.unknowns.items()
                if u.args
            }
        )
        depth, width = self.config["layers"]
        self.own_fields = nn.ModuleDict(
            {
                name: UnknownField(
                    Unknown(args=tuple(args)),
                    self.coordinate_bounds,
                    depth,
                    width,
                    self.config["activation"],
                    generator,
                    periodic=self.periodic,
                )
                for name, args in self.field_arguments.items()
            }
        )
        root = None if self.data_root is None else Path(self.data_root)
        self.coefficients = nn.ModuleDict(
            {
                name: table.load(name, root, self.coordinate_bounds)
                for name, table in self.coefficient_tables.items()
            }
        )
        unknown_sets = sorted(set(data or {}) - set(self.observations))
        if unknown_sets:
            raise OptionsError(
                f"data: no data set named {', '.join(unknown_sets)}; the spec declares "
                + (", ".join(self.observations) or "none")
            )
        self.data_sources = {name: path for name, (path, _) in self.observations.items()}
        self.data_sources.update(data or {})
        self._tables: dict[str, Observations] = {}
        self.to(device=resolve_device(self.config["device"]), dtype=DTYPES[self.config["dtype"]])

    # -- what the generated subclass provides ------------------------------------------

    def to_network(self, coords: dict[str, Tensor]) -> dict[str, Tensor]:
        """User coordinates -> network inputs; the identity unless overridden."""
        return {name: coords[name] for name in self.network_inputs}

    def residuals(self, batch: dict[str, dict[str, Tensor]]) -> dict[str, Tensor]:
        raise NotImplementedError(f"{type(self).__name__} must implement residuals(batch)")

    def samplers(self) -> dict[str, Sampler]:
        raise NotImplementedError(f"{type(self).__name__} must implement samplers()")

    def from_network(self, inputs: dict[str, Tensor]) -> dict[str, Tensor]:
        """Network inputs -> user coordinates, for unknown fields and lifted models;
        the identity unless overridden (a coordinate system's forward map)."""
        return inputs

    def lift(self, inputs: dict[str, Tensor]) -> dict[str, Tensor]:
        """The known part of each lifted field at the network inputs (``lifted``)."""
        return {}

    def _check_hard(self) -> None:
        """``hard=True`` needs conditions to build in, and the spec's own coordinates
        as the network's inputs (the factors φ are written in them)."""
        if not self.config["hard"]:
            return
        if type(self).boundary_form is FieldDerivatives.boundary_form:
            raise OptionsError(
                "hard=True: no condition of this spec can be built in (Dirichlet "
                "conditions u = g on sides of the domain's box or on circles can)"
            )
        if self.lifted or tuple(self.network_inputs) != tuple(self.coordinates):
            raise OptionsError(
                "hard=True: not with a coordinate map or a cut lift yet (the network "
                "must see the spec's own coordinates)"
            )

    # -- inverse problems --------------------------------------------------------------

    def unknown(self, name: str) -> Tensor:
        """The current value of the scalar unknown ``name`` (a 0-d tensor in the graph)."""
        return self.unknown_scalars.value(name)

    def learned(self) -> dict[str, float]:
        """The scalar unknowns' current values."""
        return self.unknown_scalars.values()

    def observation_table(self, name: str) -> Observations:
        """The data set ``name``, read on first use (so that a model can be built and
        evaluated without its training data)."""
        if name not in self._tables:
            source = self.data_sources[name]
            table = load_observations(
                source,
                tuple(self.coordinates),
                self.observations[name][1],
                None if self.data_root is None else Path(self.data_root),
            )
            inputs = self.to_network({k: table.columns[k] for k in self.coordinates})
            check_inside(table, inputs, self.input_bounds, name, source)
            self._tables[name] = table
        return self._tables[name]

    # -- the network -------------------------------------------------------------------

    @property
    def dtype(self) -> torch.dtype:
        return self.embedding.lo.dtype

    @property
    def device(self) -> torch.device:
        return self.embedding.lo.device

    @property
    def shared_fields(self) -> tuple[str, ...]:
        """The fields of the one network of all the inputs (the others: ``field_arguments``)."""
        return tuple(name for name in self.field_names if name not in self.field_arguments)

    # network_fields, network_jets, coefficient_jets and uses_jets:
    # pdec.runtime.field_derivatives

    def forward(self, coords: dict[str, Tensor]) -> dict[str, Tensor]:
        """The fields at user coordinates: ``network_fields(to_network(coords))``."""
        return self.network_fields(self.to_network(coords))

    def pde_terms(self) -> tuple[str, ...]:
        """The interior terms: ``interior_terms``, or those sampled from a region's inside
        (a ``Box`` or ``Inside``: samplers with ``interior`` true)."""
        if self.interior_terms is not None:
            return tuple(self.interior_terms)
        samplers = self.samplers()
        return tuple(
            name
            for name in self.residual_names
            if getattr(_region(samplers[name]), "interior", False)
        )

    # -- using a trained model ---------------------------------------------------------

    def fit(self, *data: Any, **options: Any) -> History:
        """Train with :func:`pdec.runtime.fit`, the spec's hints lying under ``options``
        (:class:`TrainOptions`). A PINN takes no data: its points come from the spec's
        samplers, its observations from the spec's ``data`` declarations."""
        if data:
            raise OptionsError(
                f"{type(self).__name__}.fit takes no positional data; pass options as "
                "keywords (fit(steps=2000, lbfgs_steps=100))"
            )
        model_only = sorted(key for key in options if key in MODEL_KEYS - TRAIN_KEYS)
        if model_only:
            raise OptionsError(
                f"{', '.join(model_only)}: model option(s); pass them to "
                f"{type(self).__name__}(...) instead of fit()"
            )
        _, hinted = merge_options(self.default_options)
        for key in ("dtype", "device"):  # the constructor applied these hints already
            hinted.pop(key, None)
        _, given = merge_options(options)
        return fit(self, TrainOptions(**{**hinted, **given}))

    def predict(self, **coords: Any) -> dict[str, Tensor | np.ndarray]:
        """The fields at points given in the user's coordinates, without gradients.

        Values may be numbers, lists, arrays or tensors; they are broadcast together
        and each field comes back with that shape. All tensors in -> tensors out (on
        the first input's device); anything else -> numpy arrays.
        """
        missing = [name for name in self.coordinates if name not in coords]
        unknown = [name for name in coords if name not in self.coordinates]
        if missing or unknown:
            raise OptionsError(
                f"predict() takes the coordinates {', '.join(self.coordinates)}; "
                + (f"missing {', '.join(missing)}" if missing else "")
                + ("; " if missing and unknown else "")
                + (f"unknown {', '.join(unknown)}" if unknown else "")
            )
        tensors_in = all(isinstance(value, Tensor) for value in coords.values())
        values = [
            torch.as_tensor(value if isinstance(value, Tensor) else np.asarray(value))
            for value in coords.values()
        ]
        home = values[0].device if tensors_in else torch.device("cpu")
        values = torch.broadcast_tensors(*values)
        shape = values[0].shape
        flat = {name: value.reshape(-1) for name, value in zip(coords, values)}
        pieces: dict[str, list[Tensor]] = {
            name: [] for name in (*self.field_names, *self.unknown_fields)
        }
        with torch.no_grad():
            for start in range(0, max(shape.numel(), 1), PREDICT_BATCH):
                chunk = {
                    name: value[start : start + PREDICT_BATCH].to(self.device, self.dtype)
                    for name, value in flat.items()
                }
                for name, field in self.forward(chunk).items():
                    pieces[name].append(field)
        fields = {name: torch.cat(parts).reshape(shape).to(home) for name, parts in pieces.items()}
        if tensors_in:
            return fields
        return {name: field.cpu().numpy() for name, field in fields.items()}

    def evaluate(self, n: int = 20000, seed: int = 1) -> dict[str, float]:
        """Relative L2 error ||u - u_ref|| / ||u_ref|| of each field with a reference.

        The ``n`` points are drawn uniformly from the interior terms' samplers (split
        equally between them) with a generator seeded with ``seed``. A field whose
        reference is zero everywhere gets the root-mean-square error instead.
        """
        if not self.reference:
            raise OptionsError(
                f"{type(self).__name__} has no reference solution to evaluate against"
            )
        samplers = self.samplers()
        terms = self.pde_terms()
        if not terms:
            raise OptionsError("no interior terms to draw evaluation points from")
        generator = torch.Generator().manual_seed(seed)
        parts = [
            _region(samplers[name]).sample(count, generator)
            for name, count in zip(terms, allocate(n, [1.0] * len(terms)))
        ]
        points = {name: torch.cat([part[name] for part in parts]) for name in self.coordinates}
        predicted = self.predict(**points)
        errors = {}
        for name, function in self.reference.items():
            exact = torch.as_tensor(function(dict(points)), dtype=torch.float64)
            exact = exact.expand(points[self.coordinates[0]].shape)
            difference = torch.linalg.vector_norm(predicted[name].double().cpu() - exact)
            size = torch.linalg.vector_norm(exact)
            error = difference / size if size > 0 else difference / len(exact) ** 0.5
            errors[name] = float(error)
        return errors

    # -- files ---------------------------------------------------------------------------

    def model_data(self, config: dict[str, Any] | None = None) -> dict[str, Any]:
        """The model part of a checkpoint: identification, config and CPU state."""
        config = {**self.config, "dtype": dtype_name(self.dtype)}
        return {**checkpoint.model_data(self, config), "lifted": self.lifted}

    @classmethod
    def load(
        cls, path: str | os.PathLike, *, device: str | None = None, strict: bool = True
    ) -> PinnModel:
        """A model from a model file or a training checkpoint of the same spec.

        ``strict=False`` accepts a file written for another version of the spec (same
        network shape needed).
        """
        data = checkpoint.read(path, target=cls.target)
        if strict:
            checkpoint.check_spec(data, cls.spec_sha256, path, "pass strict=False to load anyway")
        checkpoint.check_representation(data, cls.lifted, path)
        config = dict(data["config"])
        if device is not None:
            config["device"] = device
        model = cls(**config)
        checkpoint.load_state(model, data, path)
        return model


def _region(sampler: Sampler) -> Sampler:
    """The region a sampler covers (an ``AboutPoint`` crowds points in its ``region``)."""
    return getattr(sampler, "region", sampler)
