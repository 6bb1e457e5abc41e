"""The grammar of spec files and the Lark parser built from it.

The grammar lives in ``grammars/pde.lark`` (shipped inside the wheel as
``pdec/grammars/pde.lark``). Parsing is LALR(1) with Lark's contextual lexer, so a
syntax error knows exactly which tokens would have been accepted.
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

import lark


def grammar_text() -> str:
    """The grammar, from the installed package or, in a source checkout, ``grammars/``."""
    try:
        resource = importlib.resources.files("pdec.grammars").joinpath("pde.lark")
        if resource.is_file():
            return resource.read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pass
    checkout = Path(__file__).resolve().parents[2] / "grammars" / "pde.lark"
    return checkout.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def lark_parser() -> lark.Lark:
    """The LALR(1) parser with the contextual lexer and positions on, built once."""
    return lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
    )


__all__ = ["grammar_text", "lark_parser"]
