"""Shared by the benchmark scripts: print a table and append it to RESULTS.md."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def publish(table: str) -> None:
    """Print ``table`` and append it to benchmarks/RESULTS.md."""
    print(table)
    previous = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\n"
    RESULTS.write_text(previous.rstrip() + "\n\n" + table)
