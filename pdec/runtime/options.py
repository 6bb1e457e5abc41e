"""Validated options for models and training (pydantic), with errors that say what to type.

``TrainOptions`` holds everything :func:`pdec.runtime.fit` reads (a PINN's ``fit``);
``EnergyFitOptions`` and ``OperatorFitOptions`` what the other targets' ``fit`` reads;
``ModelOptions`` what ``PinnModel.__init__`` reads. All derive from ``_Options``: frozen,
and forbid unknown keys. Strings are converted where that is unambiguous ("100" -> 100),
so CLI ``--set key=value`` values can be passed as they are. Bad input raises :class:`OptionsError`:

>>> TrainOptions(setps=10)
Traceback (most recent call last):
...
pdec.runtime.errors.OptionsError: invalid training options:
  setps: unknown option (did you mean 'steps'?)
valid options (name: type = default):
  steps: int = 2000
...

Layers of options (spec ``train:`` hints < CLI or Python arguments) are merged with
:func:`merge_options`, which also routes each key to the model or to training.
"""

from __future__ import annotations

import difflib
import math
import re
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from pdec.runtime.errors import OptionsError


def check_sizes(**sizes: tuple[object, int]) -> None:
    """Each ``name=(value, least)``: a whole number ≥ least, else :class:`OptionsError`
    (exit 2 from ``pdec``: ``--set width=0`` is the user's to fix, not a crash).

    >>> check_sizes(width=(0, 1))
    Traceback (most recent call last):
    ...
    pdec.runtime.errors.OptionsError: width=0: expected a whole number ≥ 1
    """
    for name, (value, least) in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise OptionsError(f"{name}={value!r}: expected a whole number ≥ {least}")


def check_positive(*, strictly: bool = True, **values: object) -> None:
    """Each value a finite number > 0 (``strictly``) or ≥ 0, else one-line
    :class:`OptionsError`.

    >>> check_positive(lr=-1.0)
    Traceback (most recent call last):
    ...
    pdec.runtime.errors.OptionsError: lr=-1.0: expected a number > 0
    """
    for name, value in values.items():
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or value < 0 or (strictly and value == 0):
            raise OptionsError(f"{name}={value!r}: expected a number {'>' if strictly else '≥'} 0")


PositiveInt = Annotated[int, Field(ge=1)]
Count = Annotated[int, Field(ge=0)]


class _Options(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    title: ClassVar[str] = "options"

    def __init__(self, **data: Any):
        try:
            super().__init__(**data)
        except pydantic.ValidationError as error:
            raise OptionsError(_explain(type(self), error)) from None

    @classmethod
    def describe(cls) -> str:
        """One line per option: ``name: type = default``."""
        lines = []
        for name, field in cls.model_fields.items():
            default = field.get_default(call_default_factory=True)
            lines.append(f"  {name}: {_type_name(field.annotation)} = {default!r}")
        return "\n".join(lines)


AUTO_COMPILE_STEPS = 5000


class TrainOptions(_Options):
    """Options of :func:`pdec.runtime.fit`.

    ``lr_decay``: None, or a factor γ in (0, 1]: the Adam learning rate at step k is
    ``lr * γ ** (k / 1000)`` (exponential decay, applied every step), so 0.5 halves it
    every 1000 steps. A schedule that does not depend on the total number of steps
    lets a resumed run with more steps follow the same path.

    ``points`` / ``boundary_points``: points per interior (pde) term / per condition;
    ``points_per_term`` overrides them by residual name. ``resample_every`` N > 0 draws
    new points every N Adam steps (the L-BFGS phase keeps its points fixed).

    ``adaptive = "annealing"``: learning-rate annealing (Wang, Teng & Perdikaris 2021).
    Every ``adaptive_every`` Adam steps each non-pde weight becomes
    ``(1 - α) w + α max|∇θ L_pde| / mean|∇θ L_i|`` with α = ``adaptive_alpha``; pde
    weights stay as given. Weights are frozen during L-BFGS.

    ``rar`` N > 0: residual-based adaptive refinement; every N Adam steps, for each pde
    term, ``rar_points`` points with the largest |residual| among ``rar_candidates``
    fresh candidates are added to that term's points for the rest of training.

    ``lr_unknowns``: Adam's learning rate for scalar unknowns (inverse problems); None:
    ``lr``. Positive unknowns are learned as logarithms, so it is a relative step.

    ``compile``: "step" compiles each Adam step whole — forward, loss, backward and
    update as one program (:mod:`pdec.runtime.capture`); "residuals" only the loss
    (:class:`pdec.runtime.losses.LossTerms`); True: the step where it applies (the
    model pushes its derivatives forward, see :mod:`pdec.runtime.jets`; fixed weights
    and learning rate), else the residuals; "auto": the same, where it pays — runs of
    at least ``AUTO_COMPILE_STEPS`` steps. Each is checked against eager mode on the
    first batch and falls back, with a message, on an error or a mismatch. On one CPU
    thread (Burgers, 8×20, 10,000 points, a loaded machine) the whole step took 0.24×
    the eager time and the residuals alone 0.65×, after 15–30 s of compiling: worth it
    for long runs only. L-BFGS steps use the compiled residuals, or none.

    ``device``/``dtype`` None: keep the model's. ``precision``: "float64" is
    ``dtype="float64"``; "tf32" (CUDA tensor cores) and "bf16" (autocast: matrix
    products in bfloat16) train float32 weights with cheaper arithmetic
    (:func:`pdec.runtime.devices.precision_context`); None: the dtype's own. On Burgers,
    bf16 costs accuracy (benchmarks/RESULTS.md); L-BFGS and the final loss run in the
    weights' own precision. ``seed`` seeds the point sampler.
    ``checkpoint_every``: steps between checkpoints (and one at the end), when
    ``checkpoint_dir`` is set. ``log_every``: steps between history records.
    """

    title: ClassVar[str] = "training options"

    steps: Count = 2000
    lr: Annotated[float, Field(gt=0)] = 1e-3
    lr_unknowns: Annotated[float, Field(gt=0)] | None = None
    lr_decay: Annotated[float, Field(gt=0, le=1)] | None = None
    lbfgs_steps: Count = 0
    points: PositiveInt = 2000
    boundary_points: PositiveInt = 500
    points_per_term: dict[str, PositiveInt] = Field(default_factory=dict)
    sampling: Literal["uniform", "sobol", "lhs"] = "uniform"
    resample_every: Count = 0
    weights: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    adaptive: Literal["none", "annealing"] = "none"
    adaptive_every: PositiveInt = 10
    adaptive_alpha: Annotated[float, Field(ge=0, le=1)] = 0.9
    rar: Count = 0
    rar_points: PositiveInt = 100
    rar_candidates: PositiveInt = 10000
    device: Literal["auto", "cpu", "cuda"] | None = None
    dtype: Literal["float32", "float64"] | None = None
    precision: Literal["float32", "tf32", "bf16", "float64"] | None = None
    seed: int = 0
    compile: bool | Literal["auto", "step", "residuals"] = "auto"
    checkpoint_dir: Path | None = None
    checkpoint_every: PositiveInt = 1000
    resume: bool = False
    progress: bool = True
    log_every: PositiveInt = 100

    @pydantic.model_validator(mode="after")
    def _resume_needs_directory(self) -> TrainOptions:
        if self.resume and self.checkpoint_dir is None:
            raise ValueError("resume=True needs checkpoint_dir")
        wide = self.precision == "float64"
        if self.precision and self.dtype and (self.dtype == "float64") != wide:
            raise ValueError(
                f"precision={self.precision} trains {'float64' if wide else 'float32'} "
                f"weights, but dtype={self.dtype}: give one of them"
            )
        return self


class ModelOptions(_Options):
    """Options of ``PinnModel.__init__``; None means the spec's hint, then the default.

    ``layers`` is (depth, width) — depth hidden layers of width units — or a string
    like "8x40"; ``unknown_layers`` the same for the networks of unknown parameter
    fields (``param mu(x, y) unknown``). ``derivatives`` is how residuals differentiate
    the network: "auto" pushes derivatives forward with the values where the network
    allows (:mod:`pdec.runtime.jets`), "autograd" always uses nested autograd.
    ``hard`` builds the spec's Dirichlet conditions on box sides and circles into the
    output (:mod:`pdec.runtime.hard`): they hold exactly and leave the loss.
    """

    title: ClassVar[str] = "model options"

    layers: tuple[PositiveInt, PositiveInt] | None = None
    activation: Literal["tanh", "sin", "gelu", "silu", "relu"] | None = None
    fourier_features: Count | None = None
    fourier_scale: Annotated[float, Field(gt=0)] | None = None
    dtype: Literal["float32", "float64"] | None = None
    device: Literal["auto", "cpu", "cuda"] | None = None
    seed: int | None = None
    unknown_layers: tuple[PositiveInt, PositiveInt] | None = None
    derivatives: Literal["auto", "autograd"] | None = None
    hard: bool | None = None

    @pydantic.field_validator("layers", "unknown_layers", mode="before")
    @classmethod
    def _parse_layers(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = re.fullmatch(r"\s*(\d+)\s*[x×,]\s*(\d+)\s*", value)
            if match is None:
                raise ValueError(f"expected 'DEPTHxWIDTH' such as '8x40', got {value!r}")
            return int(match[1]), int(match[2])
        return value


class EnergyFitOptions(_Options):
    """Options of ``EnergyModel.fit(u0, u1, **options)``: Adam over ``epochs`` passes of
    the pairs in shuffled minibatches of ``batch_size`` (None: the full batch), the
    shuffling seeded by ``seed``; ``calibrate`` runs the data-dependent initialisation
    first (:meth:`pdec.runtime.energy.model.EnergyModel.calibrate`). ``checkpoint_dir``,
    ``checkpoint_every`` (epochs; 0: only after the last), ``resume`` and ``progress``
    as for every target (:mod:`pdec.runtime.base`). ``device`` None keeps the model
    where it is; else it moves there ("auto": CUDA when available) and the pairs follow
    one minibatch at a time. The energy models keep their own dtype (float64 by
    default): the discrete gradient's exact conservation is worth full precision."""

    title: ClassVar[str] = "energy training options"

    epochs: Count = 100
    lr: Annotated[float, Field(gt=0)] = 1e-3
    batch_size: PositiveInt | None = None
    seed: int = 0
    calibrate: bool = True
    device: Literal["auto", "cpu", "cuda"] | None = None
    checkpoint_dir: Path | None = None
    checkpoint_every: Count = 0
    resume: bool = False
    progress: bool = True

    @pydantic.model_validator(mode="after")
    def _resume_needs_directory(self) -> _Options:
        return _check_resume(self)


class OperatorFitOptions(_Options):
    """Options of ``OperatorModel.fit(a, u, **options)``; see
    :func:`pdec.runtime.operator.training.train_epochs`. ``step_every`` None or 0:
    epochs / 5. ``checkpoint_dir``, ``checkpoint_every`` (epochs; 0: only after the
    last), ``resume`` and ``progress`` as for every target (:mod:`pdec.runtime.base`).
    ``device`` None keeps the model where it is; else it moves there ("auto": CUDA when
    available) and the pairs follow one minibatch at a time. ``precision`` "tf32" or
    "bf16" (autocast; the spectral layers' FFTs stay float32) as for the PINN
    (:func:`pdec.runtime.devices.precision_context`); the weights stay float32.
    ``batch_size`` None: the architecture's (20 pairs for the FNO, 1 for the GNO)."""

    title: ClassVar[str] = "operator training options"

    epochs: Count = 100
    batch_size: PositiveInt | None = None
    lr: Annotated[float, Field(gt=0)] = 1e-3
    schedule: Literal["step", "cosine"] = "step"
    step_every: Count | None = None
    gamma: Annotated[float, Field(gt=0)] = 0.5
    weight_decay: Annotated[float, Field(ge=0)] = 1e-4
    physics: Annotated[float, Field(ge=0)] = 0.0
    seed: int = 0
    device: Literal["auto", "cpu", "cuda"] | None = None
    precision: Literal["float32", "tf32", "bf16"] = "float32"
    checkpoint_dir: Path | None = None
    checkpoint_every: Count = 0
    resume: bool = False
    progress: bool = True

    @pydantic.model_validator(mode="after")
    def _resume_needs_directory(self) -> _Options:
        return _check_resume(self)


def _check_resume(options: _Options) -> _Options:
    if options.resume and options.checkpoint_dir is None:
        raise ValueError("resume=True needs checkpoint_dir")
    return options


TRAIN_KEYS = frozenset(TrainOptions.model_fields)
MODEL_KEYS = frozenset(ModelOptions.model_fields)


def merge_options(*layers: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Merge option dicts (later ones win) and split them into (model, training) keys.

    ``dtype``, ``device`` and ``seed`` go to both. A key that is neither raises
    :class:`OptionsError`, with a suggestion.

    >>> merge_options({"layers": (8, 40), "steps": 100}, {"steps": 5, "seed": 1})
    ({'layers': (8, 40), 'seed': 1}, {'steps': 5, 'seed': 1})
    """
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer or {})
    unknown = [key for key in merged if key not in TRAIN_KEYS | MODEL_KEYS]
    if unknown:
        valid = sorted(TRAIN_KEYS | MODEL_KEYS)
        lines = [f"  {key}: unknown option{_suggestion(key, valid)}" for key in unknown]
        raise OptionsError(
            "invalid options:\n" + "\n".join(lines) + "\nvalid training options:\n"
            f"{TrainOptions.describe()}\nvalid model options:\n{ModelOptions.describe()}"
        )
    model = {key: value for key, value in merged.items() if key in MODEL_KEYS}
    train = {key: value for key, value in merged.items() if key in TRAIN_KEYS}
    return model, train


def check_term_names(options: TrainOptions, names: tuple[str, ...]) -> None:
    """Raise OptionsError if ``weights`` or ``points_per_term`` name unknown terms."""
    lines = [
        f"  {option}[{key!r}]: no residual term {key!r}{_suggestion(key, names)}"
        for option in ("weights", "points_per_term")
        for key in getattr(options, option)
        if key not in names
    ]
    if lines:
        raise OptionsError(
            "invalid training options:\n" + "\n".join(lines) + f"\nterms: {', '.join(names)}"
        )


def reject_unknown(keys, valid, what: str) -> None:
    """Raise :class:`OptionsError` naming each of ``keys`` not in ``valid`` (with a
    suggestion) and listing the valid ones; ``what`` names the options, e.g.
    "operator-target"."""
    unknown = [key for key in keys if key not in valid]
    if unknown:
        lines = [f"  {key}: unknown option{_suggestion(key, valid)}" for key in unknown]
        raise OptionsError(
            f"invalid {what} options:\n"
            + "\n".join(lines)
            + "\nvalid options: "
            + ", ".join(sorted(valid))
        )


def _suggestion(key: str, valid) -> str:
    close = difflib.get_close_matches(str(key), list(valid), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _explain(cls: type[_Options], error: pydantic.ValidationError) -> str:
    lines = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"]) or "(options)"
        if item["type"] == "extra_forbidden":
            lines.append(f"  {location}: unknown option{_suggestion(location, cls.model_fields)}")
            continue
        message = item["msg"]
        field = cls.model_fields.get(str(item["loc"][0])) if item["loc"] else None
        expected = f"; expected {_type_name(field.annotation)}" if field else ""
        shown = repr(item["input"])
        got = f", got {shown}" if item["loc"] and shown not in message else ""
        lines.append(f"  {location}: {message}{got}{expected}")
    return (
        f"invalid {cls.title}:\n" + "\n".join(lines) + "\n"
        f"valid options (name: type = default):\n{cls.describe()}"
    )


def _type_name(annotation: Any) -> str:
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        return _type_name(arguments[0])
    if origin is Literal:
        return " | ".join(repr(argument) for argument in arguments)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(argument) for argument in arguments)
    if origin is not None:
        inner = ", ".join(_type_name(argument) for argument in arguments)
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    if annotation is type(None):
        return "None"
    if annotation is Path:
        return "path"
    return getattr(annotation, "__name__", str(annotation))
