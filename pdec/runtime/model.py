"""``PinnModel``: the base class of every generated PINN module.

A generated subclass sets the class attributes below and implements ``residuals``,
``samplers`` and (when the network sees other coordinates than the user's)
``to_network``. The base builds the network and provides ``fit``, ``predict``,
``evaluate``, ``save`` and ``load``. A minimal hand-written example:

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

from pdec.runtime import autodiff, checkpoint, jets
from pdec.runtime.base import GeneratedModel
from pdec.runtime.devices import DTYPES, dtype_name, resolve_device
from pdec.runtime.errors import DataFileError
from pdec.runtime.geometry import Box, Sampler
from pdec.runtime.history import History
from pdec.runtime.network import Embedding, multilayer_perceptron
from pdec.runtime.observations import Observations, load_observations
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
}


class PinnModel(GeneratedModel):
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
    # Methods that must run eagerly inside compiled residuals (autograd.grad inside
    # compiled code would need double backward). ``torch.compiler.disable`` is applied to
    # them only when compiling (:class:`pdec.runtime.losses.LossTerms`), not as a
    # decorator: that would import torch._dynamo, hence SymPy, with the runtime.
    eager_methods: ClassVar[tuple[str, ...]] = ("_map_jets",)

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
        )
        hinted, _ = merge_options(self.default_options)
        hints = ModelOptions(**hinted).model_dump(exclude_none=True)
        chosen = ModelOptions(**{k: v for k, v in given.items() if v is not None})
        self.config = {**MODEL_DEFAULTS, **hints, **chosen.model_dump(exclude_none=True)}
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
            len(self.field_names),
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
            self._check_inside(name, source, table)
            self._tables[name] = table
        return self._tables[name]

    def _check_inside(self, name: str, source: Any, table: Observations) -> None:
        """Observations outside the domain are a mistake in the data (swapped or
        mislabelled columns, other units): say which row, before training on them."""
        inputs = self.to_network({k: table.columns[k] for k in self.coordinates})
        for key, (lo, hi) in self.input_bounds.items():
            value = inputs[key]
            slack = 1e-9 * max(hi - lo, 1.0)
            outside = ((value < lo - slack) | (value > hi + slack)).nonzero().flatten()
            if len(outside):
                row = int(outside[0])
                at = ", ".join(
                    f"{k} = {float(table.columns[k][row]):.6g}" for k in self.coordinates
                )
                where = source if isinstance(source, (str, os.PathLike)) else "the data given"
                raise DataFileError(
                    f"{len(outside)} of {len(table)} observations of '{name}' lie outside the "
                    f"domain ({key} outside [{lo:g}, {hi:g}]); the first is row {row + 1}: {at}",
                    f"check the columns of {where}: they are matched by name to "
                    f"{', '.join(self.coordinates)}",
                )

    # -- the network -------------------------------------------------------------------

    @property
    def dtype(self) -> torch.dtype:
        return self.embedding.lo.dtype

    @property
    def device(self) -> torch.device:
        return self.embedding.lo.device

    def network_fields(self, inputs: dict[str, Tensor]) -> dict[str, Tensor]:
        """Network inputs (1-D tensors, broadcast together) -> {field: 1-D tensor}."""
        columns = self._columns(inputs)
        given = dict(zip(self.network_inputs, columns))
        coords = self.from_network(given) if self.lifted or len(self.unknown_fields) else None
        seen = [coords[name] for name in self.coordinates] if self.lifted else columns
        out = self.network(self.embedding(torch.stack(seen, dim=1)))
        fields = {name: out[:, k] for k, name in enumerate(self.field_names)}
        if self.lifted:
            for name, known in self.lift(given).items():
                fields[name] = fields[name] + known
        for name, network in self.unknown_fields.items():
            fields[name] = network(coords).expand(len(out))
        return fields

    def network_jets(
        self, inputs: dict[str, Tensor], derivatives: dict[str, tuple[str, ...]]
    ) -> dict[str, Tensor]:
        """The fields at the network inputs and the derivatives ``derivatives`` names:
        ``{"u_xx": ("u", "x", "x")}`` asks for ∂²u/∂x² under the key ``u_xx``.

        Pushed forward with the values (:mod:`pdec.runtime.jets`: training then needs
        one backward pass, not a double one) where :meth:`uses_jets` allows; otherwise
        by nested autograd, the derivatives of one parent from one backward pass.
        """
        wanted = {
            local: (field, tuple(sorted(along, key=self.network_inputs.index)))
            for local, (field, *along) in derivatives.items()
        }
        if self.uses_jets(max([0] + [len(along) for _, along in wanted.values()])):
            return self._jets(inputs, wanted)
        return self._autograd_derivatives(inputs, wanted)

    def uses_jets(self, order: int = jets.MAX_ORDER) -> bool:
        """Whether derivatives up to ``order`` come from forward jets: the option
        allows it, the fields are the plain network (or, lifted, the network of the
        user's coordinates plus the known lift; no unknowns, no subclass overriding
        ``network_fields``) and its layers are supported."""
        return (
            self.config["derivatives"] == "auto"
            and order <= jets.MAX_ORDER
            and not self.unknowns
            and type(self).network_fields is PinnModel.network_fields
            and jets.supports(self.embedding, self.network)
        )

    def _columns(self, inputs: dict[str, Tensor]) -> list[Tensor]:
        """The network inputs in order, in the model's dtype and device, broadcast."""
        return torch.broadcast_tensors(
            *(
                torch.as_tensor(inputs[name], dtype=self.dtype, device=self.device)
                for name in self.network_inputs
            )
        )

    def _jets(self, inputs, wanted) -> dict[str, Tensor]:
        columns = self._columns(inputs)
        # the inputs differentiated along, and second derivatives as pairs of positions
        # in that list
        along_any = {name for _, along in wanted.values() for name in along}
        names = [name for name in self.network_inputs if name in along_any]
        position = {name: k for k, name in enumerate(names)}
        pairs = tuple(
            sorted(
                {
                    tuple(position[name] for name in along)
                    for _, along in wanted.values()
                    if len(along) == 2
                }
            )
        )
        if self.lifted:
            jet = self._lifted_jet(dict(zip(self.network_inputs, columns)), names, pairs)
        else:
            directions = tuple(self.network_inputs.index(name) for name in names)
            z = jets.seed(torch.stack(columns, dim=1), directions, pairs)
            jet = jets.network_jet(self.embedding, self.network, z)
        fields = {name: jet.value[:, k] for k, name in enumerate(self.field_names)}
        out = dict(fields)
        for local, (field, along) in wanted.items():
            k = self.field_names.index(field)
            if len(along) == 0:
                out[local] = fields[field]
            elif len(along) == 1:
                out[local] = jet.first[position[along[0]], :, k]
            else:
                pair = tuple(position[name] for name in along)
                out[local] = jet.second[pairs.index(pair), :, k]
        return out

    def _lifted_jet(self, given: dict[str, Tensor], names: list[str], pairs) -> jets.Jet:
        """lift + N(from_network(inputs)), the network's jet pushed forward from the
        coordinate map's."""
        coordinates, known = self._map_jets(given, names, pairs)
        return jets.network_jet(self.embedding, self.network, coordinates) + known

    def _map_jets(self, given, names, pairs) -> tuple[jets.Jet, jets.Jet]:
        """The jets of the coordinate map (network inputs -> the user's coordinates the
        network sees) and of the lift, by autograd: they hold no weights, so this is
        cheap and stays out of the training graph."""
        leaves = {
            name: value.detach().requires_grad_(name in names) for name, value in given.items()
        }
        wrt = tuple(leaves[name] for name in names)
        coords = self.from_network(leaves)
        z = torch.stack([coords[name] for name in self.coordinates], dim=1)
        lift = self.lift(leaves)
        zero = torch.zeros_like(z[:, 0])
        known = torch.stack([lift.get(name, zero) for name in self.field_names], dim=1)
        return jets.of_map(z, wrt, pairs), jets.of_map(known, wrt, pairs)

    def _autograd_derivatives(self, inputs, wanted) -> dict[str, Tensor]:
        along_any = {name for _, along in wanted.values() for name in along}
        leaves = {
            name: torch.as_tensor(value, dtype=self.dtype, device=self.device)
            .detach()
            .requires_grad_(name in along_any)
            for name, value in inputs.items()
        }
        fields = self.network_fields(leaves)
        known = {(field, ()): value for field, value in fields.items()}
        # every prefix of a wanted derivative, by order: a parent before its children
        needed = {(f, along[:k]) for f, along in wanted.values() for k in range(len(along) + 1)}
        for order in range(1, max(len(along) for _, along in needed) + 1):
            groups: dict[tuple, list[str]] = {}
            for field, along in sorted(needed):
                if len(along) == order:
                    groups.setdefault((field, along[:-1]), []).append(along[-1])
            for (field, parent), names in groups.items():
                wrt = tuple(leaves[name] for name in names)
                values = autodiff.derivatives(known[(field, parent)], wrt)
                for name, value in zip(names, values):
                    known[(field, parent + (name,))] = value
        out = dict(fields)
        out.update({local: known[key] for local, key in wanted.items()})
        return out

    def forward(self, coords: dict[str, Tensor]) -> dict[str, Tensor]:
        """The fields at user coordinates: ``network_fields(to_network(coords))``."""
        return self.network_fields(self.to_network(coords))

    def pde_terms(self) -> tuple[str, ...]:
        """The interior terms: ``interior_terms``, or those sampled from a Box."""
        if self.interior_terms is not None:
            return tuple(self.interior_terms)
        samplers = self.samplers()
        return tuple(
            name for name in self.residual_names if isinstance(_region(samplers[name]), Box)
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
        model.load_state_dict(data["state"])
        return model


def _region(sampler: Sampler) -> Sampler:
    """The region a sampler covers (an ``AboutPoint`` crowds points in its ``region``)."""
    return getattr(sampler, "region", sampler)
