"""Reading observation tables: moved to :mod:`pdec.runtime.tables` (the runtime must not
import the rest of pdec). This alias stays until the CLI imports it from there."""

from pdec.runtime.tables import read_table

__all__ = ["read_table"]
