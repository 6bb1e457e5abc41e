"""The runtime is a leaf: importing it (and each target's runtime) loads neither the
parser (lark), the front end, the passes nor SymPy."""

import subprocess
import sys

FORBIDDEN = ("lark", "pdec.frontend", "pdec.passes", "pdec.symbolic", "sympy")


def test_import_runtime_loads_no_front_end():
    code = (
        "import sys, pdec.runtime, pdec.runtime.energy, pdec.runtime.operator, "
        "pdec.runtime.energy.training, pdec.runtime.operator.training; "
        f"print([m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r} "
        f"or any(m == f or m.startswith(f + '.') for f in {FORBIDDEN!r})])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_runtime_errors_are_pdec_errors_not_spec_errors():
    from pdec.errors import PdecError, SpecError
    from pdec.runtime.errors import DataFileError, GridShapeError

    for error in (DataFileError, GridShapeError):
        assert issubclass(error, PdecError) and not issubclass(error, SpecError)
        assert error.exit_code == 2
    assert str(DataFileError("no such data file: a.csv", "check the path")) == (
        "error: no such data file: a.csv\nhint: check the path"
    )
