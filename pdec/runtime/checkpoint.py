"""Checkpoint files of every target: one format, written atomically, read back by one
reader (:func:`read`, ``torch.load(weights_only=True)``).

Two kinds of file, told apart by their ``"format"`` entry; both hold only plain data
(dicts, lists, numbers, strings, tensors), so loading runs no pickled code. Every file
starts with the same envelope (:func:`model_data`)::

    {"format": "pdec-model" | "pdec-checkpoint", "version": 1,
     "target": "pinn" | "energy" | "operator",
     "spec_name", "spec_sha256", "model_class",
     "config": the keyword arguments that rebuild the model (a torch dtype as its name,
               "torch.float64"; :func:`rebuild_config` turns it back),
     "state": the module's state_dict on the CPU}

A PINN adds ``"lifted"`` (which cut form its network was compiled with). A file without
``"target"`` is a PINN file (those were written before the other targets shared it).

``"pdec-checkpoint"`` adds the training state of the target's trainer. The energy
trainer's (:mod:`pdec.runtime.energy.training`): ``"step"``, ``"history"`` ([[step,
loss], ...]), ``"optimizer"``, ``"seconds"``. The operator trainer's
(:mod:`pdec.runtime.operator.training`): ``"optimizer"``, ``"generator"``, ``"epoch"``,
``"history"`` and the run's ``"options"``. The PINN trainer's — written by ``fit`` to
``<checkpoint_dir>/checkpoint.pt`` every ``checkpoint_every`` steps and at the end::

    "adam_steps", "lbfgs_steps": steps done in each phase; "phase": "adam" | "lbfgs",
    "optimizers": {"adam": state_dict, "scheduler": state_dict | None,
                   "lbfgs": state_dict | None},
    "rng": {"sampler": the point generator's state, "torch": torch's global CPU state},
    "points": {"base": {term: {coordinate: float64 tensor}},
               "added": {term: {coordinate: float64 tensor} | None}},   # RAR points
    "weights": {term: float}, "seconds": float,
    "options": TrainOptions as JSON data, "history": History.to_dict()

A checkpoint is only written from a state whose loss, gradients and parameters were
all finite, and replaces the previous file in one ``os.replace``: a crash or a
divergence leaves the last good checkpoint in place.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch

from pdec.runtime.errors import CheckpointError

VERSION = 1
MODEL_FORMAT = "pdec-model"
TRAINING_FORMAT = "pdec-checkpoint"
FILENAME = "checkpoint.pt"


def write_atomic(data: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write ``data`` with ``torch.save`` to a temporary file beside ``path``, fsync it,
    then rename it over ``path``."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise CheckpointError(f"cannot write {path}: {error.strerror or error}") from error
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(data, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except (OSError, RuntimeError) as error:  # torch's zip writer says RuntimeError
        Path(temporary).unlink(missing_ok=True)
        reason = getattr(error, "strerror", None) or str(error).splitlines()[0][:200]
        raise CheckpointError(
            f"cannot write {path}: {reason} (the previous checkpoint, if any, is unchanged; "
            "free some space or choose another run folder)"
        ) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)
    return path


def _fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:  # not possible on every platform (Windows)
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


TARGET_NAMES = {"pinn": "PINN", "energy": "energy-model", "operator": "operator"}


def model_data(model, config: dict[str, Any]) -> dict[str, Any]:
    """The envelope of every checkpoint (a model file as it is)."""
    return {
        "format": MODEL_FORMAT,
        "version": VERSION,
        "target": model.target,
        "spec_name": model.spec_name,
        "spec_sha256": model.spec_sha256,
        "model_class": type(model).__qualname__,
        "config": {k: str(v) if isinstance(v, torch.dtype) else v for k, v in config.items()},
        "state": {key: value.detach().cpu() for key, value in model.state_dict().items()},
    }


def rebuild_config(config: dict[str, Any]) -> dict[str, Any]:
    """A stored config as keyword arguments: "torch.float64" back to a torch dtype."""
    return {
        key: getattr(torch, value.removeprefix("torch."))
        if isinstance(value, str) and value.startswith("torch.")
        else value
        for key, value in config.items()
    }


def read(
    path: str | os.PathLike,
    formats=(MODEL_FORMAT, TRAINING_FORMAT),
    target: str | None = None,
) -> dict[str, Any]:
    """Load a checkpoint on the CPU and check its format (and, given ``target``, that it
    was written by a model of that target)."""
    if not Path(path).is_file():
        raise CheckpointError(f"no such checkpoint: {path}")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch's own text is pages of advice on pickles
        raise CheckpointError(
            f"{path} is not a readable pdec checkpoint (truncated, corrupt, or not written "
            "by pdec): use another checkpoint, or start without --resume"
        ) from error
    if not isinstance(data, dict) or data.get("format") not in formats:
        raise CheckpointError(f"{path} is not a pdec checkpoint of format {' or '.join(formats)}")
    written_by = data.get("target", "pinn")
    if target is not None and written_by != target:
        raise CheckpointError(
            f"{path} is not an {TARGET_NAMES.get(target, target)} checkpoint: it holds a "
            f"{TARGET_NAMES.get(written_by, written_by)} model; evaluate it with "
            f"--target {written_by}"
        )
    if data.get("version") != VERSION:
        raise CheckpointError(
            f"{path} has checkpoint version {data.get('version')}; expected {VERSION}"
        )
    return data


def load_state(model, data: dict[str, Any], path) -> None:
    """``model.load_state_dict(data["state"])``, or a :class:`CheckpointError` that says
    which options built the checkpoint's network and which built this one ("written for
    layers 8×40, this model has 4×50"), instead of torch's list of size mismatches."""
    try:
        model.load_state_dict(data["state"])
    except RuntimeError as error:
        theirs = data.get("config") or {}
        ours = getattr(model, "config", None) or {}
        differ = [key for key in theirs if key in ours and _same(theirs[key]) != _same(ours[key])]
        if differ:
            written = ", ".join(f"{key} {_shown(theirs[key], '×')}" for key in differ)
            this = ", ".join(f"{_shown(ours[key], '×')}" for key in differ)
            sets = " ".join(f"--set {key}={_shown(theirs[key], 'x')}" for key in differ)
            raise CheckpointError(
                f"{path} was written for {written}; this model has {this}: start without "
                f"--resume, or pass {sets}"
            ) from None
        raise CheckpointError(
            f"{path} holds weights of another shape than this model's "
            f"({str(error).splitlines()[0][:160]}): start without --resume"
        ) from None


def _same(value: Any) -> Any:
    return list(value) if isinstance(value, tuple | list) else value


def _shown(value: Any, times: str) -> str:
    if isinstance(value, tuple | list):
        return times.join(str(item) for item in value)
    return str(value)


def check_spec(data: dict[str, Any], spec_sha256: str, path, hint: str = "") -> None:
    """Refuse a checkpoint written for another version of the spec."""
    if data.get("spec_sha256") != spec_sha256:
        raise CheckpointError(
            f"{path} was written for spec {data.get('spec_name')!r} with sha256 "
            f"{str(data.get('spec_sha256'))[:12]}…, not this model's {spec_sha256[:12]}…"
            + (f"; {hint}" if hint else "")
        )


def check_representation(data: dict[str, Any], lifted: bool, path) -> None:
    """Refuse weights of a network that saw other inputs (a model compiled with the
    other cut form, ``--cut lift`` vs ``--cut residual``): they would load silently."""
    if bool(data.get("lifted", False)) != lifted:
        forms = {True: "lift", False: "residual"}
        raise CheckpointError(
            f"{path} holds a model compiled with --cut {forms[bool(data.get('lifted'))]}, "
            f"this one uses --cut {forms[lifted]}; compile with "
            f"--cut {forms[bool(data.get('lifted'))]} to use it, or retrain"
        )


def latest(directory: str | os.PathLike | None) -> Path | None:
    """The training checkpoint in ``directory``, if there is one."""
    if directory is None:
        return None
    path = Path(directory) / FILENAME
    return path if path.is_file() else None
