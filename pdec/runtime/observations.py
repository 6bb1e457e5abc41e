"""Observations for data losses: a table of points and measured field values.

``data gps = "gps.csv" : u on surface`` in a spec becomes a residual
``u(points) − u_observed``; its "sampler" is the table itself, returned whole at every
draw (resampling leaves it unchanged), so a data term always sees every observation.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from pdec.runtime.errors import DataFileError
from pdec.runtime.tables import read_table


class Observations:
    """A fixed table: coordinate columns ``names`` and observed ``fields``.

    >>> table = Observations({"x": [0.0, 0.5], "u": [1.0, 2.0]}, ("x",), ("u",))
    >>> points = table.sample(10, torch.Generator())
    >>> points["x"].tolist(), points["u"].tolist()
    ([0.0, 0.5], [1.0, 2.0])
    """

    def __init__(
        self,
        columns: Mapping[str, np.ndarray | Tensor | list],
        names: tuple[str, ...],
        fields: tuple[str, ...],
    ):
        self.names, self.fields = tuple(names), tuple(fields)
        missing = [name for name in (*names, *fields) if name not in columns]
        if missing:
            raise DataFileError(
                f"observations lack the column(s) {', '.join(missing)}",
                f"they have: {', '.join(columns)}; name columns after the spec's variables "
                "and fields",
            )
        self.columns = {
            name: torch.as_tensor(np.asarray(columns[name], dtype=np.float64)).reshape(-1)
            for name in (*names, *fields)
        }
        lengths = {len(column) for column in self.columns.values()}
        if len(lengths) != 1 or 0 in lengths:
            raise DataFileError(
                f"observation columns must be non-empty and of one length, got {sorted(lengths)}"
            )
        bad = [name for name, column in self.columns.items() if not torch.isfinite(column).all()]
        if bad:
            raise DataFileError(
                f"observations have NaN or inf in column(s) {', '.join(bad)}",
                "drop or fill those rows",
            )

    def __len__(self) -> int:
        return len(self.columns[self.names[0]])

    def sample(self, n: int, generator: torch.Generator, method: str = "uniform") -> dict:
        """Every row, whatever ``n``: observations are not drawn, they are given."""
        return {name: column.clone() for name, column in self.columns.items()}


def load_observations(
    source: str | Path | Mapping[str, np.ndarray | Tensor | list],
    names: tuple[str, ...],
    fields: tuple[str, ...],
    root: Path | None = None,
) -> Observations:
    """An :class:`Observations` from a CSV/NPZ path (relative ones from ``root``) or
    from columns given directly."""
    if isinstance(source, Mapping):
        return Observations(source, names, fields)
    path = Path(source)
    if not path.is_absolute() and root is not None:
        path = Path(root) / path
    return Observations(read_table(path, (*names, *fields)), names, fields)


def check_inside(
    table: Observations,
    inputs: Mapping[str, Tensor],
    bounds: Mapping[str, tuple[float, float]],
    name: str,
    source: Any,
) -> None:
    """Observations outside the domain are a mistake in the data (swapped or
    mislabelled columns, other units): say which row, before training on them.

    ``inputs`` are the table's points as network inputs and ``bounds`` their box;
    ``name`` and ``source`` (a path, or columns given directly) go into the message.
    """
    for key, (lo, hi) in bounds.items():
        value = inputs[key]
        slack = 1e-9 * max(hi - lo, 1.0)
        outside = ((value < lo - slack) | (value > hi + slack)).nonzero().flatten()
        if len(outside):
            row = int(outside[0])
            at = ", ".join(f"{k} = {float(table.columns[k][row]):.6g}" for k in table.names)
            where = source if isinstance(source, (str, os.PathLike)) else "the data given"
            raise DataFileError(
                f"{len(outside)} of {len(table)} observations of '{name}' lie outside the "
                f"domain ({key} outside [{lo:g}, {hi:g}]); the first is row {row + 1}: {at}",
                f"check the columns of {where}: they are matched by name to "
                f"{', '.join(table.names)}",
            )
