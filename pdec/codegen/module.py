"""``GeneratedModule``: what every target's ``generate`` returns — the text of one
Python module and the names to write and import it under."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GeneratedModule:
    """Source text of a generated module, and what to call it."""

    source: str
    module_name: str
    class_name: str

    @property
    def filename(self) -> str:
        return f"{self.module_name}.py"
