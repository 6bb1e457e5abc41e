"""Names of devices, dtypes and precisions in options, and what they mean."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from pdec.runtime.errors import OptionsError

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def resolve_device(device: str | torch.device) -> torch.device:
    """ "auto" means cuda when available, else cpu. A device this machine lacks is an
    :class:`OptionsError` (exit code 2), not torch's error at the first tensor."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise OptionsError(f"device={device!r}: expected auto, cpu or cuda[:N]") from None
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise OptionsError(
                f"device={str(device)!r}, but torch sees no CUDA device here "
                f"(torch {torch.__version__}): use device=cpu, or auto to take CUDA "
                "where there is one"
            )
        if device.index is not None and device.index >= count:
            raise OptionsError(f"device={str(device)!r}: this machine has {count} CUDA device(s)")
    return device


def batch_to(batch, device: torch.device):
    """A batch — a tensor, or tuples, lists and dicts of them — on ``device``: data kept
    on the CPU go to the model's device one batch at a time."""
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, tuple | list):
        return type(batch)(batch_to(item, device) for item in batch)
    if isinstance(batch, dict):
        return {key: batch_to(item, device) for key, item in batch.items()}
    return batch


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


# precision → the weights' dtype; "tf32" and "bf16" keep float32 weights and change how
# the arithmetic is done (see precision_context)
PRECISIONS = {"float32": "float32", "tf32": "float32", "bf16": "float32", "float64": "float64"}


@contextlib.contextmanager
def precision_context(precision: str, device: torch.device) -> Iterator[None]:
    """The arithmetic of a training step in ``precision``:

    * "float32", "float64": as the tensors are;
    * "tf32": float32 matrix products on TensorFloat-32 tensor cores (CUDA Ampere and
      newer: 10-bit mantissa inputs, float32 accumulation); no effect on the CPU;
    * "bf16": ``torch.autocast`` to bfloat16 — matrix products in bfloat16 (8-bit
      mantissa), pointwise arithmetic and the loss in float32. The weights and the
      optimizer stay float32.

    The settings are restored on exit.
    """
    if precision == "tf32":
        matmul, cudnn = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
        try:
            yield
        finally:
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = matmul, cudnn
    elif precision == "bf16":
        with torch.autocast(device.type, dtype=torch.bfloat16):
            yield
    else:
        yield
