"""Reading observation tables: CSV (with a header) or NPZ, columns named after the
spec's variables and fields. Errors are :class:`~pdec.runtime.errors.DataFileError`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pdec.runtime.errors import DataFileError

CSV_HINT = "a CSV needs a header row naming the columns (x,y,u), then one row per point"


def read_table(path: str | Path, required: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Columns of a CSV (header row) or NPZ file as float64 arrays of equal length."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"no such data file: {path}", "check the path")
    if path.stat().st_size == 0:
        raise DataFileError(f"{path} is empty", CSV_HINT)
    try:
        if path.suffix == ".npz":
            with np.load(path) as archive:
                columns = {k: np.asarray(archive[k], dtype=np.float64).ravel() for k in archive}
        else:
            table = np.genfromtxt(path, delimiter=",", names=True, dtype=np.float64)
            if table.dtype.names is None:  # no header row, or nothing in it
                raise DataFileError(f"{path} has no header row naming its columns", CSV_HINT)
            columns = {name: np.atleast_1d(table[name]) for name in table.dtype.names}
    except (ValueError, OSError, IndexError) as error:  # IndexError: numpy on odd files
        if isinstance(error, DataFileError):
            raise
        raise DataFileError(
            f"cannot read {path}: {error}", "use CSV with a header row, or NPZ"
        ) from None
    missing = [name for name in required if name not in columns]
    if missing:
        raise DataFileError(
            f"{path} lacks the column(s) {', '.join(missing)}",
            f"it has: {', '.join(columns)}; name columns after the spec's variables and fields",
        )
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise DataFileError(f"{path}: columns have different lengths {sorted(lengths)}")
    if lengths == {0}:
        raise DataFileError(f"{path} has a header but no rows", CSV_HINT)
    return columns
