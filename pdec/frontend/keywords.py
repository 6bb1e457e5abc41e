"""The words of the .pde language: the one keyword list.

It lives in the front end, which holds no SymPy: the parser uses
:data:`STATEMENT_KEYWORDS` for its "did you mean" messages, and
:mod:`pdec.ir.vocabulary` re-exports :data:`KEYWORDS` with the functions, constants and
operators, so that a declaration may not take any of these names. The grammar
(``grammars/pde.lark``) spells the same words as literals; ``tests/test_coverage.py``
checks that every word literal of the grammar is listed here.

>>> "pde" in STATEMENT_KEYWORDS and "about" in KEYWORDS
True
"""

from __future__ import annotations

# The words a statement starts with, in the order the language reference lists them.
STATEMENT_KEYWORDS: tuple[str, ...] = tuple(
    (
        "model const param region boundary curve time field input coordinates cut "
        "pde bc ic energy lagrangian evolve structure conserved dissipated quantity data train "
        "reference"
    ).split()
)
# Words inside statements: clauses, shapes, curve kinds and option words.
CLAUSE_KEYWORDS: tuple[str, ...] = tuple(
    (
        "unknown about at in on learned box interval disk ball ellipse polygon periodic "
        "segment polyline"
    ).split()
)
KEYWORDS: frozenset[str] = frozenset(STATEMENT_KEYWORDS + CLAUSE_KEYWORDS)

__all__ = ["CLAUSE_KEYWORDS", "KEYWORDS", "STATEMENT_KEYWORDS"]
