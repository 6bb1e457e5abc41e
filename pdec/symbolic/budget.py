"""A time budget for symbolic work: a claim whose proof SymPy cannot finish in time is
"not shown: too expensive", never a hang.

:func:`time_budget` arms a POSIX interval timer (``SIGALRM``) around a block; when it
fires, :class:`OverBudget` is raised inside whatever SymPy is computing (SymPy is pure
Python, so the exception arrives between two bytecodes) and the block is abandoned.
Without a main thread's signals (another thread, Windows) there is no budget and the
work runs to the end.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

DEFAULT_BUDGET = 3.0  # seconds per claim (pdec check/show --budget); the shipped specs need < 0.3


class OverBudget(Exception):  # noqa: N818 - a signal, not an error
    """The work ran past its time budget."""

    def __init__(self, seconds: float):
        super().__init__(f"too expensive (budget {seconds:g} s)")
        self.seconds = seconds


def available() -> bool:
    """Whether a budget can be enforced here (POSIX, the main thread)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`OverBudget` in the block once it has run ``seconds`` (None or 0:
    no budget). Budgets do not nest: an inner one replaces the outer for its block."""
    if not seconds or not available():
        yield
        return

    def expire(signum, frame):
        raise OverBudget(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


__all__ = ["DEFAULT_BUDGET", "OverBudget", "available", "time_budget"]
