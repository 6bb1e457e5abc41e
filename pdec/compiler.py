"""The driver: a spec → the imported model class, one call per stage.

    stage      call                                    gives
    read       pdec.spec.load(path)                    a Spec: the text parsed (spans on),
                                                       resolved to the IR; compute_domain,
                                                       classify_dynamics, check_structure run
    target     pdec.targets.get(name)                  the back end, from the registry
    options    target_options(target, given)           the target's frozen Options
    passes     run_passes(spec, target.passes(opts))   the spec after the target's passes,
                                                       which add the facts generate reads
    generate   target.generate(spec, options)          a GeneratedModule (Python source)
    write      write_module(module, out_dir)           the file <model>_<target>.py, atomically
    import     import_class(spec, module, path)        the model class, imported from that file

``compile`` runs them all; ``generate_module`` stops after *generate* (the golden-file
tests and ``pdec compile``). Which pass adds which fact, and who reads it, is the
"Facts" table of docs/architecture.md.

>>> import pdec
>>> Model = pdec.compile("specs/fault.pde", target="pinn")   # doctest: +SKIP
>>> model = Model()                                          # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

from pdec import targets
from pdec.errors import UnsupportedError


def compile(  # noqa: A001 - the product's verb
    spec_or_path, target: str = "pinn", out_dir: str | Path | None = None, **options
):
    """Generate, write and import the model class for a spec (a path or a :class:`Spec`).

    ``options`` are the target's (``targets.get(target).Options``); for the PINN,
    ``coords`` and ``cut``: "lift" builds a cut's ``jump(u) = g`` into the field,
    "residual" penalises it as a loss term (Okazaki et al.'s form); default: lift where
    it applies. ``None`` means the default.
    """
    spec = read_spec(spec_or_path)
    module = generate_module(spec, target, **options)
    path = write_module(module, out_dir or default_build_dir(spec))
    return import_class(spec, module, path)


def generate_module(spec, target: str = "pinn", **options):
    """The :class:`~pdec.codegen.module.GeneratedModule` for ``spec`` and ``target``."""
    back_end = targets.get(target)
    chosen = target_options(back_end, options)
    spec = run_passes(spec, back_end.passes(chosen))
    return back_end.generate(spec, chosen)


def read_spec(spec_or_path):
    """A :class:`~pdec.spec.Spec` as is; a path read, parsed and resolved."""
    from pdec.spec import Spec, load

    return spec_or_path if isinstance(spec_or_path, Spec) else load(spec_or_path)


def target_options(target, given: dict):
    """``given`` (``None`` values dropped) as ``target.Options``; an option of another
    target is refused with the name of the targets that take it."""
    given = {key: value for key, value in given.items() if value is not None}
    fields = {f.name for f in dataclasses.fields(target.Options)}
    for key in given:
        if key not in fields:
            owners = [n for n in targets.names() if key in _option_names(targets.get(n))]
            if owners:
                raise UnsupportedError(
                    f"--{key} is for the {' and '.join(owners)} target", None, f"drop --{key}"
                )
            raise UnsupportedError(
                f"the {target.name} target has no option '{key}'",
                None,
                f"its options: {', '.join(sorted(fields)) or 'none'}",
            )
    return target.Options(**given)


def _option_names(target) -> set[str]:
    return {f.name for f in dataclasses.fields(target.Options)}


def run_passes(spec, passes):
    """Run ``passes`` (each ``SpecIR → SpecIR``) in order; the spec itself when none."""
    if not passes:
        return spec
    from pdec.spec import Spec

    spec_ir = spec.ir
    for run_pass in passes:
        spec_ir = run_pass(spec_ir)
    return Spec(spec_ir)


def write_module(module, out_dir: str | Path) -> Path:
    """Write the module atomically (temp file + rename) and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / module.filename
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{module.module_name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(module.source)
    os.replace(tmp, path)
    return path


def import_class(spec, module, path: str | Path):
    """Import the written ``module`` from ``path`` and return its model class, which
    reads the spec's data files relative to the spec (not to the module)."""
    cls = getattr(import_module(Path(path), module.module_name), module.class_name)
    if spec.ir.file and Path(spec.ir.file).is_file():
        cls.data_root = str(Path(spec.ir.file).resolve().parent)
    return cls


def import_module(path: Path, name: str):
    """Import a generated module from its file (never exec a string)."""
    unique = f"pdec_generated.{name}_{abs(hash(str(path.resolve()))):x}"
    loader_spec = importlib.util.spec_from_file_location(unique, path)
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[unique] = module
    loader_spec.loader.exec_module(module)
    return module


def default_build_dir(spec) -> Path:
    """Where ``pdec.compile`` puts modules by default: a per-spec cache folder."""
    base = Path(os.environ.get("PDEC_CACHE", Path(tempfile.gettempdir()) / "pdec-build"))
    return base / spec.ir.sha256[:16]
