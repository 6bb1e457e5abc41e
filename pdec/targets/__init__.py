"""Model targets and their registry.

A target is one folder, ``pdec/targets/<name>/``, whose ``target.py`` defines ``TARGET``,
an object that satisfies :class:`Target`; ``REGISTRY`` below names that module. The
driver (:mod:`pdec.compiler`), the ``pdec`` command (:mod:`pdec.cli`) and the docs look
targets up here, never by comparing names.

>>> from pdec import targets
>>> targets.names()
('pinn', 'energy', 'operator')
>>> targets.get("energy").name
'energy'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Protocol

from pdec.errors import UnsupportedError

if TYPE_CHECKING:
    from collections.abc import Callable

    from pdec.codegen.module import GeneratedModule

# target name → the module that defines its TARGET (imported on first use)
REGISTRY = {
    "pinn": "pdec.targets.pinn.target",
    "energy": "pdec.targets.energy.target",
    "operator": "pdec.targets.operator.target",
}


class Target(Protocol):
    """What a back end provides.

    ``name``       the value of ``--target`` and ``pdec.compile(..., target=)``;
    ``summary``    one line for ``--help`` and docs/architecture.md;
    ``Options``    a frozen dataclass of its compile options (keyword arguments of
                   ``pdec.compile``, flags of ``pdec compile``); fields not listed are
                   refused with the name of the targets that take them;
    ``passes``     options → the spec-level passes (each ``SpecIR → SpecIR``, adding
                   a fact) the driver runs, in order, before ``generate``;
    ``commands``   the module with its CLI hooks (``train``, ``evaluate`` and their
                   ``TRAIN_FLAGS``/``EVAL_FLAGS``; see :mod:`pdec.cli.models`), imported
                   only by the ``pdec`` command;
    ``generate``   spec and options → :class:`~pdec.codegen.module.GeneratedModule`.
    """

    name: str
    summary: str
    Options: type
    commands: str

    def passes(self, options) -> tuple[Callable[[Any], Any], ...]: ...

    def generate(self, spec, options) -> GeneratedModule: ...


def names() -> tuple[str, ...]:
    """The registered targets, in the order ``--help`` lists them."""
    return tuple(REGISTRY)


def get(name: str) -> Target:
    """The target called ``name``; an :class:`~pdec.errors.UnsupportedError` naming the
    registered ones otherwise."""
    if name not in REGISTRY:
        raise UnsupportedError(f"unknown target '{name}'", None, f"targets: {', '.join(REGISTRY)}")
    return importlib.import_module(REGISTRY[name]).TARGET


def commands(target: Target):
    """The module holding ``target``'s CLI hooks."""
    return importlib.import_module(target.commands)
