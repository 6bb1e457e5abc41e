"""``OperatorModel``: the base of generated ``<Model>Operator`` classes — a neural
operator from the spec's inputs to its fields, with the spec's boundary condition built
into the output:

* ``architecture="fno"`` (the default): a Fourier neural operator on a grid, the inputs
  and fields on the same grid, the spec's residual on the grid as the PINO physics loss;
* ``architecture="gno"``: a graph neural operator (:mod:`pdec.runtime.operator.gno`) on
  point clouds — inputs (batch, inputs, P) at points (batch, P, dims), fields at the
  same points; any cloud in the box, of any size, for one set of weights. Data only:
  residuals need grid derivatives.

A generated subclass sets the class attributes (``input_names``, ``field_names``,
``space``, ``domain``, ``periodic``, ``residual_names``) and two methods written from
the spec:

* ``boundary(coords)`` → (g, d) per field, or None: the output is u = g + d·N(a), with
  d = 0 exactly on the Dirichlet boundary, so u = g there whatever the network says;
* ``residuals(inputs, fields, coords)`` → each pde's residual on the grid, with
  derivatives from :meth:`derivative` (spectral on periodic axes, second-order finite
  differences on the others, or ``derivatives="mollifier"``).

Training (:meth:`fit`) minimises the relative L2 data loss of Li et al. plus
``physics`` × the mean squared residual at the interior points (PINO), with Adam and a
step learning-rate schedule. Inputs are centred and scaled by one mean and standard
deviation per channel, outputs scaled by one standard deviation, from the training
data — not per grid point as in the FNO reference code, which would tie the model to
the training grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from pdec.runtime.base import TRAINING_FILE_OPTIONS, GeneratedModel, training_files
from pdec.runtime.devices import resolve_device
from pdec.runtime.distributed import join
from pdec.runtime.errors import GridShapeError, OptionsError
from pdec.runtime.history import History
from pdec.runtime.operator.derivatives import grid_derivative
from pdec.runtime.operator.fno import FourierNeuralOperator, grid_coordinates
from pdec.runtime.operator.gno import GraphNeuralOperator
from pdec.runtime.operator.mollifier import mollified_derivative
from pdec.runtime.operator.training import epoch_record, relative_l2, train_epochs
from pdec.runtime.options import OperatorFitOptions, check_positive, check_sizes

DERIVATIVES = ("default", "finite_difference", "mollifier")
ARCHITECTURES = ("fno", "gno")
# pairs per Adam step when none is given: the FNO batches its grids into one tensor; the
# GNO runs cloud by cloud, so a larger batch only means fewer steps per epoch (on Darcy,
# batch 1 against 4 at the same epochs: test error 0.094 against 0.103)
BATCH_SIZES = {"fno": 20, "gno": 1}
# the GNO's default radius, as a fraction of the box's shortest side: on the unit
# square with 256 points, about 18 neighbours per point
DEFAULT_RADIUS = 0.15


class OperatorModel(GeneratedModel):
    """See the module docstring. Options: ``architecture`` (fno or gno); for the FNO
    ``modes`` (per axis, or one int for all), ``padding``, ``derivatives``,
    ``mollifier_radius``; for the GNO ``radius`` (of the neighbourhoods, in the spec's
    units; default 0.15 × the box's shortest side), ``kernel_width`` (the kernel
    network's hidden width) and ``max_neighbours`` (a point averages over at most this
    many of its neighbours, drawn at random: the memory stays bounded on dense clouds);
    for both ``width``, ``layers``, ``projection`` (the FNO's
    last hidden width; the GNO's is 2 × width), ``seed``, ``dtype`` (all kept in
    ``config`` for checkpoints)."""

    target = "operator"
    fit_options = OperatorFitOptions

    spec_name = ""
    spec_sha256 = ""
    input_names: tuple[str, ...] = ()
    field_names: tuple[str, ...] = ()
    space: tuple[str, ...] = ()
    domain: dict[str, tuple[float, float]] = {}
    periodic: dict[str, bool] = {}
    residual_names: tuple[str, ...] = ()
    constants: dict[str, float] = {}
    default_options: dict = {}

    def __init__(
        self,
        modes: int | Sequence[int] = 12,
        width: int = 32,
        layers: int = 4,
        projection: int = 128,
        padding: float = 0.125,
        derivatives: str = "default",
        mollifier_radius: float = 4.0,
        architecture: str = "fno",
        radius: float | None = None,
        kernel_width: int = 64,
        max_neighbours: int = 64,
        seed: int = 0,
        dtype: torch.dtype = torch.float32,
    ):
        super().__init__()
        if architecture not in ARCHITECTURES:
            raise OptionsError(
                f"architecture={architecture!r}: one of {', '.join(ARCHITECTURES)} "
                "(fno on grids, gno on point clouds)"
            )
        sides = [self.domain[v][1] - self.domain[v][0] for v in self.space]
        if radius is None:
            radius = DEFAULT_RADIUS * min(sides) if sides else 1.0
        self.config = dict(
            modes=modes if isinstance(modes, int) else list(modes),
            width=width,
            layers=layers,
            projection=projection,
            padding=padding,
            derivatives=derivatives,
            mollifier_radius=mollifier_radius,
            architecture=architecture,
            radius=float(radius),
            kernel_width=kernel_width,
            max_neighbours=max_neighbours,
            seed=seed,
            dtype=dtype,
        )
        check_sizes(width=(width, 1), layers=(layers, 1), projection=(projection, 1))
        check_sizes(kernel_width=(kernel_width, 1), max_neighbours=(max_neighbours, 1))
        check_positive(radius=radius)
        for mode in (modes,) if isinstance(modes, int) else modes:
            check_sizes(modes=(mode, 1))
        if derivatives not in DERIVATIVES:
            raise OptionsError(f"derivatives={derivatives!r}: one of {', '.join(DERIVATIVES)}")
        if dtype not in (torch.float32, torch.float64):
            raise OptionsError(f"dtype={dtype!r}: torch.float32 or torch.float64")
        self.architecture = architecture
        torch.manual_seed(seed)
        dim = len(self.space)
        self.derivatives, self.mollifier_radius = derivatives, float(mollifier_radius)
        if architecture == "gno":
            if any(self.periodic[v] for v in self.space):
                raise OptionsError(
                    "architecture=gno: the radius graph does not wrap around periodic axes "
                    f"({', '.join(v for v in self.space if self.periodic[v])}) yet; use the "
                    "FNO (architecture=fno) on a ring"
                )
            self.gno = GraphNeuralOperator(
                len(self.input_names),
                len(self.field_names),
                dimension=dim,
                width=width,
                kernel_width=kernel_width,
                layers=layers,
                radius=radius / min(sides),  # in the units of _unit's points
                max_neighbours=max_neighbours,
            )
            self.gno.to(dtype)
            channels = (1, -1, 1)  # (batch, channels, points)
        else:
            modes = (modes,) * dim if isinstance(modes, int) else tuple(modes)
            self.fno = FourierNeuralOperator(
                len(self.input_names),
                len(self.field_names),
                modes,
                width=width,
                layers=layers,
                projection=projection,
                domain=[self.domain[v] for v in self.space],
                periodic=[self.periodic[v] for v in self.space],
                padding=padding,
            )
            if dtype == torch.float64:
                # .double() leaves the complex spectral weights complex (.to(dtype) would not)
                self.fno.double()
            channels = (1, -1) + (1,) * dim
        # Inputs are centred and scaled; outputs only scaled, so that u = g + d·s·N keeps
        # the built-in boundary values.
        count = len(self.input_names)
        self.register_buffer("input_mean", torch.zeros(count, dtype=dtype).reshape(channels))
        self.register_buffer("input_scale", torch.ones(count, dtype=dtype).reshape(channels))
        count = len(self.field_names)
        self.register_buffer("output_scale", torch.ones(count, dtype=dtype).reshape(channels))

    # ---- the grid ------------------------------------------------------------------------

    def coordinates(self, grid: Sequence[int]) -> dict[str, torch.Tensor]:
        """The grid points of each space variable, shaped to broadcast over (batch, *grid)."""
        # on the model's device: a CPU grid would meet CUDA fields in forward
        where = {"device": self.input_mean.device, "dtype": self.input_mean.dtype}
        points = grid_coordinates(
            grid, [self.domain[v] for v in self.space], [self.periodic[v] for v in self.space]
        )
        mesh = torch.meshgrid(*points, indexing="ij")
        return {v: m.to(**where).unsqueeze(0) for v, m in zip(self.space, mesh)}

    def spacing(self, grid: Sequence[int]) -> tuple[float, ...]:
        return tuple(
            (self.domain[v][1] - self.domain[v][0]) / (n if self.periodic[v] else n - 1)
            for v, n in zip(self.space, grid)
        )

    def derivative(self, v: torch.Tensor, alpha: Sequence[int]) -> torch.Tensor:
        """∂^α v for v shaped (batch, *grid), by the model's ``derivatives`` option."""
        grid = v.shape[1:]
        periodic = [self.periodic[s] for s in self.space]
        if self.derivatives == "mollifier":
            return mollified_derivative(
                v, alpha, self.spacing(grid), periodic, radius=self.mollifier_radius
            )
        lengths = [self.domain[s][1] - self.domain[s][0] for s in self.space]
        return grid_derivative(v, alpha, self.spacing(grid), periodic, lengths, self.derivatives)

    # ---- the map ---------------------------------------------------------------------------

    def forward(self, a: torch.Tensor, points: torch.Tensor | None = None) -> torch.Tensor:
        """Fields (batch, fields, *grid) for inputs a (batch, inputs, *grid); with the
        GNO, fields (batch, fields, P) for inputs a (batch, inputs, P) at ``points``
        (batch, P, dims), or (P, dims) for one cloud shared by the batch."""
        points = self._points(a, points)
        a = a.to(self.input_mean.dtype)
        if points is not None:  # the GNO
            scaled = ((a - self.input_mean) / self.input_scale).transpose(1, 2)
            network = self.gno(self._unit(points), scaled).transpose(1, 2)
            coords = {v: points[..., i] for i, v in enumerate(self.space)}
        else:
            network = self.fno((a - self.input_mean) / self.input_scale)
            coords = self.coordinates(a.shape[2:])
        u = self.output_scale * network
        built_in = self.boundary(coords)
        if built_in is None:
            return u
        g, d = built_in
        channels = [
            g[name] + d[name] * u[:, i] if name in g else u[:, i]
            for i, name in enumerate(self.field_names)
        ]
        return torch.stack(channels, dim=1)

    def _unit(self, points: torch.Tensor) -> torch.Tensor:
        """Points scaled so that the box's shortest side is 1 (the GNO's radius scaled
        alike): positions of order one in the kernel's features, distances kept."""
        lows = torch.tensor([self.domain[v][0] for v in self.space])
        side = min(self.domain[v][1] - self.domain[v][0] for v in self.space)
        return (points - lows.to(points)) / side

    def check_points(self, a: torch.Tensor, points: torch.Tensor | None) -> torch.Tensor:
        """The points as (batch, P, dims) on a's device and in the model's dtype."""
        dim, name = len(self.space), type(self).__name__
        if points is None:
            raise GridShapeError(
                f"the GNO of {name} needs the points: model(a, points)",
                hint=f"points (batch, P, {dim}) or (P, {dim}), in ({', '.join(self.space)})",
            )
        if a.dim() != 3 or a.shape[1] != len(self.input_names):
            raise GridShapeError(
                f"the GNO of {name} takes inputs (batch, {len(self.input_names)} "
                f"[{', '.join(self.input_names)}], P points); got {tuple(a.shape)}",
                hint="stack the inputs as channels: a[:, None] for one input",
            )
        points = torch.as_tensor(points).to(a.device, self.input_mean.dtype)
        if points.dim() == 2:
            points = points.expand(a.shape[0], *points.shape)
        if points.shape != (a.shape[0], a.shape[2], dim):
            raise GridShapeError(
                f"points {tuple(points.shape)} for inputs {tuple(a.shape)}: expected "
                f"({a.shape[0]}, {a.shape[2]}, {dim}), the coordinates ({', '.join(self.space)}) "
                "of each input's points",
                hint="one row per point, in the order of the inputs' last axis",
            )
        return points

    def check_grid(self, a: torch.Tensor) -> None:
        dim = len(self.space)
        if a.dim() != dim + 2 or a.shape[1] != len(self.input_names):
            raise GridShapeError(
                f"the {type(self).__name__} takes (batch, {len(self.input_names)} "
                f"[{', '.join(self.input_names)}], {dim} grid axes [{', '.join(self.space)}]); "
                f"got {tuple(a.shape)}",
                hint="stack the inputs as channels: a[:, None] for one input",
            )
        small = [
            n for n, v in zip(a.shape[2:], self.space) if n < (4 if not self.periodic[v] else 2)
        ]
        if small:
            raise GridShapeError(f"a grid of {tuple(a.shape[2:])} points is too small")

    # ---- written by the generator ------------------------------------------------------------

    def boundary(self, coords: dict[str, torch.Tensor]):
        """(g, d) per field with u = g + d·N built in, or None (no condition built in)."""
        return None

    def residuals(self, inputs, fields, coords) -> dict[str, torch.Tensor]:
        """Each pde's residual on the grid (none: a data-only FNO)."""
        return {}

    # ---- losses and training -------------------------------------------------------------------

    def residuals_of(self, a: torch.Tensor, u: torch.Tensor) -> dict[str, torch.Tensor]:
        """The residuals for a batch of inputs a and fields u, on the grid."""
        coords = self.coordinates(a.shape[2:])
        inputs = {name: a[:, i] for i, name in enumerate(self.input_names)}
        fields = {name: u[:, i] for i, name in enumerate(self.field_names)}
        return self.residuals(inputs, fields, coords)

    def physics_loss(self, a: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        """Mean squared residual at the points two or more cells from the edges of
        non-periodic axes: the edges carry the boundary condition, not the equation, and
        next to them a derivative of a flux (∂x(a u_x)) differences the one-sided O(h²)
        edge value over 2h, an O(h) error that would bias the loss."""
        interior = tuple(slice(2, -2) if not self.periodic[v] else slice(None) for v in self.space)
        terms = [
            r[(slice(None), *interior)].pow(2).mean() for r in self.residuals_of(a, u).values()
        ]
        return sum(terms) if terms else u.new_zeros(())

    def fit(
        self,
        inputs,
        outputs,
        *,
        points=None,
        physics_inputs=None,
        callback=None,
        **options: Any,
    ) -> History:
        """Adam on the relative L2 data loss (+ ``physics`` × the residual loss on the
        training inputs and on ``physics_inputs``, inputs without outputs), halving the
        learning rate every ``step_every`` epochs (default epochs/5) or, with
        ``schedule="cosine"``, annealing it along a half cosine; options:
        :class:`OperatorFitOptions`. With the GNO, ``points`` (instances, P, dims)
        are where each instance's inputs and outputs are. Returns a :class:`History`
        with one record per epoch (terms ``data`` and ``physics``, the learning rate,
        seconds); ``callback`` gets each epoch's record as a dict."""
        options = OperatorFitOptions(**options)
        _, device = join(resolve_device(options.device) if options.device else self.device)
        self.to(device)  # under torchrun, cuda is this rank's device
        a, u = self._tensor(inputs), self._tensor(outputs)
        if a.shape[0] != u.shape[0] or a.shape[2:] != u.shape[2:]:
            raise GridShapeError(
                f"inputs {tuple(a.shape)} and outputs {tuple(u.shape)} do not pair up",
                hint="the same number of instances on the same grid",
            )
        points = self._points(a, points)
        self._set_scales(a, u)
        extra = self._tensor(physics_inputs) if physics_inputs is not None else None
        given = options.model_dump(exclude={*TRAINING_FILE_OPTIONS, "device"})
        given["step_every"] = options.step_every or 0
        given["batch_size"] = options.batch_size or BATCH_SIZES[self.architecture]
        start, save = training_files(self, options)
        state = train_epochs(
            self,
            a,
            u,
            points=points,
            physics_inputs=extra,
            callback=callback,
            start=start,
            save=save,
            checkpoint_every=options.checkpoint_every,
            **given,
        )
        history = History()
        seconds = 0.0
        for entry in state["history"]:
            seconds += entry["seconds"]
            history.records.append(epoch_record(entry, options.physics, seconds))
        return history

    @torch.no_grad()
    def evaluate(self, inputs, outputs, batch_size: int = 50, points=None) -> float:
        """Mean relative L2 error over the instances (the FNO papers' test metric)."""
        u = self._tensor(outputs)
        errors = [
            relative_l2(predicted, u[i : i + len(predicted)].to(predicted.device)).cpu()
            for i, predicted in self._batches(inputs, batch_size, points)
        ]
        return float(torch.cat(errors).mean())

    @torch.no_grad()
    def predict(self, inputs, batch_size: int = 50, points=None) -> np.ndarray:
        """The fields (instances, fields, *grid) for inputs (instances, inputs, *grid),
        as a numpy array on the CPU; with the GNO, at ``points`` (instances, P, dims)."""
        batches = self._batches(inputs, batch_size, points)
        return torch.cat([p.cpu() for _, p in batches]).numpy()

    def check_physics(self, physics: float) -> None:
        """The physics loss needs the residual on a grid: FNO only."""
        if physics and self.architecture != "fno":
            raise OptionsError(
                f"physics={physics}: the residual is evaluated on a grid, and the "
                f"{self.architecture.upper()} works on points; train it on data alone "
                "(physics=0), or use the FNO for PINO (architecture=fno)"
            )

    def _points(self, a: torch.Tensor, points) -> torch.Tensor | None:
        """The instances' points (instances, P, dims) on a's device in the model's dtype,
        checked against a; None for the FNO (a checked as a grid)."""
        if self.architecture == "fno":
            if points is not None:
                raise GridShapeError(
                    f"the FNO of {type(self).__name__} reads inputs on a grid, not at points",
                    hint="for data at scattered points build it with architecture='gno'",
                )
            self.check_grid(a)
            return None
        return self.check_points(a, points)

    def _batches(self, inputs, batch_size: int, points=None):
        """(first index, fields) per batch of ``inputs`` (and ``points``): each batch
        goes to the model's device, so that the data need not fit on it at once."""
        a = self._tensor(inputs)
        points = self._points(a, points)
        device = self.input_mean.device
        for i in range(0, a.shape[0], batch_size):
            rows = slice(i, i + batch_size)
            batch = a[rows].to(device, non_blocking=True)
            if points is None:
                yield i, self(batch)
            else:
                yield i, self(batch, points[rows].to(device, non_blocking=True))

    def _tensor(self, values) -> torch.Tensor:
        """Data as a tensor of the model's dtype (on the device it is on: the CPU for
        arrays)."""
        return torch.as_tensor(
            values if isinstance(values, torch.Tensor) else np.asarray(values),
            dtype=self.input_mean.dtype,
        )

    def _set_scales(self, a: torch.Tensor, u: torch.Tensor) -> None:
        axes = [0] + list(range(2, a.dim()))
        with torch.no_grad():
            self.input_mean.copy_(a.mean(axes, keepdim=True))
            self.input_scale.copy_(a.std(axes, keepdim=True).clamp_min(1e-12))
            self.output_scale.copy_(u.std(axes, keepdim=True).clamp_min(1e-12))


def distance_factor(x: torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    """4 (x − lo)(hi − x)/(hi − lo)²: 0 at both ends, 1 in the middle (the generated
    ``boundary`` multiplies one per Dirichlet axis)."""
    return 4 * (x - lo) * (hi - x) / (hi - lo) ** 2


__all__ = ["GridShapeError", "OperatorModel", "distance_factor", "relative_l2"]
