"""The source builder every target prints its module with: lines at the current
indentation, and the imports the lines use, collected as they are added (so nothing
edits the finished text afterwards).

A module declares what it *may* import — ``math``, ``torch``, names from
:mod:`pdec.runtime` — and each line added to the body marks the ones it uses; the
module imports those only, in the declared order, so the output is lint-clean whatever
the spec needs.

>>> source = Source(["# A module."])
>>> source.may_import("math")
>>> source.may_import("torch")
>>> source.may_import("pdec.runtime", ["Box", "PinnModel"])
>>> source.line("class Model(PinnModel):")
>>> with source.indented():
...     source.line("scale = 2 * math.pi")
>>> print(source.text(), end="")
# A module.
<BLANKLINE>
from __future__ import annotations
<BLANKLINE>
import math
<BLANKLINE>
from pdec.runtime import PinnModel
<BLANKLINE>
<BLANKLINE>
class Model(PinnModel):
    scale = 2 * math.pi
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from pdec.errors import UnsupportedError

INDENT = "    "
# Names a reader cannot tell from digits (pycodestyle's E741): locals get a trailing _.
AMBIGUOUS = frozenset({"l", "O", "I"})


def identifier(name: str) -> str:
    """``name`` if generated code can use it as a Python name, else UnsupportedError.

    >>> identifier("u_xx")
    'u_xx'
    """
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise UnsupportedError(
            f"{name!r} cannot be a name in generated Python code",
            None,
            "rename it: letters, digits and underscores, not starting with a digit, and "
            "not a Python keyword (lambda, class, in, ...)",
        )
    return name


def local_name(name: str) -> str:
    """A local variable for ``name``: ambiguous (E741) or reserved names get a
    trailing underscore.

    >>> local_name("lambda"), local_name("l"), local_name("k")
    ('lambda_', 'l_', 'k')
    """
    safe = f"{name}_" if name in AMBIGUOUS or keyword.iskeyword(name) else name
    return identifier(safe)


def class_name(model: str, target: str) -> str:
    """``<Model><Target>``: the spec's snake_case name in CamelCase, then the target.

    >>> class_name("burgers_inverse", "Pinn")
    'BurgersInversePinn'
    """
    camel = "".join(part[:1].upper() + part[1:] for part in model.split("_") if part)
    return identifier(camel + target)


class Source:
    """A module's text: ``preamble`` (comments, the docstring: not scanned for
    imports), the imports its body uses, then the body."""

    def __init__(self, preamble: Iterable[str] = ()):
        self.preamble = list(preamble)
        self.body: list[str] = []
        self.depth = 0
        # (module, name): `import module` when name is None, else `from module import name`
        self._candidates: list[tuple[str, str | None]] = []
        self._patterns: dict[tuple[str, str | None], re.Pattern] = {}
        self._used: set[tuple[str, str | None]] = set()

    def may_import(self, module: str, names: Iterable[str] | None = None) -> None:
        """Declare ``import module`` (no ``names``) or ``from module import names``; each
        is imported if a body line uses it (``module.`` or the bare name)."""
        for name in [None] if names is None else names:
            key = (module, identifier(name) if name is not None else None)
            if key in self._patterns:
                continue
            pattern = rf"\b{re.escape(module)}\." if name is None else rf"\b{name}\b"
            self._candidates.append(key)
            self._patterns[key] = re.compile(pattern)

    def use(self, module: str, name: str | None = None) -> None:
        """Import ``module`` (or ``name`` from it) whether or not a line mentions it."""
        self.may_import(module, None if name is None else [name])
        self._used.add((module, name))

    def line(self, text: str = "") -> None:
        """Add one line at the current indentation (an empty line stays empty)."""
        for key, pattern in self._patterns.items():
            if key not in self._used and pattern.search(text):
                self._used.add(key)
        self.body.append(f"{INDENT * self.depth}{text}" if text else "")

    def lines(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.line(text)

    @contextmanager
    def indented(self) -> Iterator[None]:
        """Lines added inside are indented one level more."""
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def imports(self) -> list[str]:
        """The import lines: ``__future__``, then plain imports (standard library before
        third party), then ``from`` imports, each group set off by a blank line."""
        used = [key for key in self._candidates if key in self._used]
        plain = [module for module, name in used if name is None]
        groups = [["from __future__ import annotations"]]
        groups += [[f"import {module}"] for module in plain]
        modules = dict.fromkeys(module for module, name in used if name is not None)
        for module in modules:
            names = [name for m, name in used if m == module and name is not None]
            groups.append([f"from {module} import {', '.join(names)}"])
        out: list[str] = []
        for group in groups:
            out += [*group, ""]
        return out

    def text(self) -> str:
        """The module: preamble, imports, two blank lines, the body; one final newline."""
        head = [*self.preamble, ""] if self.preamble else []
        lines = [*head, *self.imports(), "", *self.body]
        return "\n".join(lines).rstrip() + "\n"
