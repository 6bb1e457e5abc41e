"""The ``pdec`` command: thin commands over the driver (:mod:`pdec.compiler`) and the
target registry (:mod:`pdec.targets`).

    pdec check FILE                 conservation claims and energies, one line each
    pdec show FILE [--coords NAME] [--latex | --json]
    pdec compile FILE [--target T] [-o DIR]
    pdec train FILE [--target T] [--data FILE.npz] [--set key=value ...] [-o DIR] [--resume]
    pdec eval FILE --checkpoint FILE.pt [--target T] [--reference FILE | --data FILE.npz]
    pdec data FILE [--n N] [--steps N] [--dt DT] [--res N] [--points P] [-o FILE.npz]
    pdec estimate FILE --data FILE.npz [--derivatives mollifier|finite] [--radius R]
    pdec --version

Modules: :mod:`pdec.cli.entry` (the app, ``main`` and the exit codes),
:mod:`pdec.cli.specs` (check, show, data, estimate), :mod:`pdec.cli.models` (compile,
train, eval: one skeleton, the target's hooks), :mod:`pdec.cli.show` (``pdec show``'s
screen), :mod:`pdec.cli.output` (console, ``--set`` values, JSON files).

Exit codes: 0 fine; 1 a claim in the spec is refuted; 2 the spec, an option or the
command line is wrong — the message points at file:line:col; 3 an internal error (a bug
in pdec); 4 training diverged (NaN/inf; the last good checkpoint is kept). Every
:class:`~pdec.errors.PdecError` carries its code (2 or 4).
"""

from pdec.cli.entry import app, main

__all__ = ["app", "main"]
