"""compile: spec → generated module on disk → the imported model class.

>>> import pdec
>>> Model = pdec.compile("specs/fault.pde", target="pinn")   # doctest: +SKIP
>>> model = Model()                                          # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

from pdec.errors import UnsupportedError

TARGETS = ("pinn", "energy", "operator")
PLANNED = ()


def generate_module(spec, target: str = "pinn", coords: str | None = None, cut: str | None = None):
    """The :class:`GeneratedModule` for ``spec`` and ``target``; ``coords`` and ``cut``
    (how a cut's jump is treated: "auto", "lift", "residual") are for the PINN."""
    if target == "pinn":
        from pdec.targets.pinn import generate

        return generate(spec, coords=coords, cut=cut or "auto")
    if cut is not None:
        raise UnsupportedError("--cut is for the pinn target", None, "drop --cut")
    if target == "energy":
        from pdec.targets.energy import generate as generate_energy

        if coords is not None:
            raise UnsupportedError("--coords is for the pinn target", None, "drop --coords")
        return generate_energy(spec)
    if target == "operator":
        from pdec.targets.operator import generate as generate_operator

        if coords is not None:
            raise UnsupportedError("--coords is for the pinn target", None, "drop --coords")
        return generate_operator(spec)
    if target in PLANNED:
        raise UnsupportedError(
            f"the {target} target is not built yet", None, f"available: {', '.join(TARGETS)}"
        )
    raise UnsupportedError(f"unknown target '{target}'", None, f"targets: {', '.join(TARGETS)}")


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


def default_build_dir(spec) -> Path:
    """Where ``pdec.compile`` puts modules by default: a per-spec cache folder."""
    base = Path(os.environ.get("PDEC_CACHE", Path(tempfile.gettempdir()) / "pdec-build"))
    return base / spec.ir.sha256[:16]


def import_module(path: Path, name: str):
    """Import a generated module from its file (never exec a string)."""
    unique = f"pdec_generated.{name}_{abs(hash(str(path.resolve()))):x}"
    loader_spec = importlib.util.spec_from_file_location(unique, path)
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[unique] = module
    loader_spec.loader.exec_module(module)
    return module


def compile(  # noqa: A001 - the product's verb
    spec_or_path,
    target: str = "pinn",
    out_dir: str | Path | None = None,
    coords: str | None = None,
    cut: str | None = None,
):
    """Generate, write and import the model class for a spec (a path or a :class:`Spec`).

    ``cut`` (PINN): "lift" builds a cut's ``jump(u) = g`` into the field, "residual"
    penalises it as a loss term (Okazaki et al.'s form); default: lift where it applies.
    """
    from pdec.spec import Spec, load

    spec = spec_or_path if isinstance(spec_or_path, Spec) else load(spec_or_path)
    module = generate_module(spec, target, coords, cut)
    return import_class(spec, module, out_dir or default_build_dir(spec))


def import_class(spec, module, directory: str | Path):
    """Write ``module`` to ``directory``, import it, and return its model class, which
    reads the spec's data files relative to the spec (not to the module)."""
    path = write_module(module, directory)
    cls = getattr(import_module(path, module.module_name), module.class_name)
    if spec.ir.file and Path(spec.ir.file).is_file():
        cls.data_root = str(Path(spec.ir.file).resolve().parent)
    return cls
