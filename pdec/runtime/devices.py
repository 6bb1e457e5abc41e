"""Names of devices, dtypes and precisions in options, and what they mean."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def resolve_device(device: str) -> torch.device:
    """ "auto" means cuda when available, else cpu."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(device)


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
