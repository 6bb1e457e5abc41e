"""The Python API promised in the README."""

from pathlib import Path

import pytest
import sympy

import pdec

SPECS = Path(__file__).resolve().parents[1] / "specs"


def test_load_and_loads_agree():
    path = SPECS / "burgers.pde"
    assert pdec.load(path).residuals() == pdec.loads(path.read_text()).residuals()


def test_burgers_residual_uses_spec_names():
    spec = pdec.load(SPECS / "burgers.pde")
    t, x, nu = sympy.symbols("t x nu")
    u = sympy.Function("u")(t, x)
    expected = (
        sympy.Derivative(u, t) + u * sympy.Derivative(u, x) - nu * sympy.Derivative(u, (x, 2))
    )
    assert sympy.simplify(spec.residual("momentum") - expected) == 0
    assert spec.residual("start") == u + sympy.sin(sympy.pi * x)


def test_substitute_inserts_constants_and_parameters():
    spec = pdec.load(SPECS / "fault_layered.pde")
    residual = spec.residual("equilibrium", substitute=True)
    x, y = sympy.symbols("x y")
    u = sympy.Function("u")(x, y)
    mu = 1 + sympy.tanh(-y - 2) / 2
    expected = sympy.diff(mu * sympy.Derivative(u, x), x) + sympy.diff(
        mu * sympy.Derivative(u, y), y
    )
    assert sympy.simplify(residual - expected.doit()) == 0


def test_variational_derivative_of_kdv():
    spec = pdec.load(SPECS / "kdv.pde")
    t, x, alpha, beta = sympy.symbols("t x alpha beta")
    u = sympy.Function("u")(t, x)
    expected = alpha * u**2 / 2 + beta * sympy.Derivative(u, (x, 2))
    assert sympy.simplify(spec.variational_derivative("H", "u") - expected) == 0


def test_partial_derivatives_of_ode_energy():
    spec = pdec.load(SPECS / "pendulum.pde")
    t, g, l = sympy.symbols("t g l")
    q, p = sympy.Function("q")(t), sympy.Function("p")(t)
    assert sympy.simplify(spec.variational_derivative("H", "q") - g / l * sympy.sin(q)) == 0
    assert spec.variational_derivative("H", "p") == p


def test_findings_have_the_documented_fields():
    (finding, *_) = pdec.load(SPECS / "kdv.pde").check()
    assert finding.verdict in ("conserved", "dissipated", "not conserved", "not shown")
    assert isinstance(finding.claim, str) and isinstance(finding.reason, str)


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.residual("equilibrum"),
        lambda s: s.residual("slip", coords="cartesian"),
        lambda s: s.variational_derivative("H", "u"),
    ],
)
def test_api_misuse_raises_spec_error(call):
    with pytest.raises(pdec.SpecError) as info:
        call(pdec.load(SPECS / "fault.pde"))
    assert info.value.hint or "no" in info.value.message


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(pdec.SpecFileError):
        pdec.load(tmp_path / "none.pde")
    with pytest.raises(pdec.SpecFileError):
        pdec.load(tmp_path)
    binary = tmp_path / "binary.pde"
    binary.write_bytes(b"model m\n\xff\xfe")
    with pytest.raises(pdec.SpecFileError):
        pdec.load(binary)


def test_ir_is_immutable():
    spec = pdec.load(SPECS / "fault.pde")
    with pytest.raises(AttributeError):
        spec.ir.name = "other"
    with pytest.raises(AttributeError):
        spec.ir.equations[0].lhs = 0


def test_every_error_class_is_a_spec_error_and_an_exception():
    for name in pdec.__all__:
        obj = getattr(pdec, name)
        if isinstance(obj, type) and name.endswith("Error") and obj is not pdec.PdecError:
            assert issubclass(obj, pdec.SpecError) and issubclass(obj, Exception)
    assert issubclass(pdec.SpecError, pdec.PdecError) and pdec.SpecError.exit_code == 2


def test_runtime_errors_share_the_root_and_carry_exit_codes():
    from pdec.runtime.energy.errors import NoEnergyError, SolverDidNotConverge
    from pdec.runtime.errors import CheckpointError, OptionsError, TrainingDiverged

    codes = {
        OptionsError: 2,
        CheckpointError: 2,
        NoEnergyError: 2,
        TrainingDiverged: 4,
        SolverDidNotConverge: 4,
    }
    for cls, code in codes.items():
        assert issubclass(cls, pdec.PdecError) and not issubclass(cls, pdec.SpecError)
        assert cls.exit_code == code


def test_import_pdec_is_lazy():
    """``import pdec`` (and so ``import pdec.runtime``) loads neither the parser nor SymPy."""
    import subprocess
    import sys

    code = (
        "import sys, pdec; "
        "print(sorted(m for m in ('lark', 'sympy', 'pdec.spec') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert pdec.load is pdec.spec.load


def test_grammar_ships_with_the_package():
    import importlib.resources

    resource = importlib.resources.files("pdec.grammars").joinpath("pde.lark")
    assert resource.is_file()
    assert "start:" in resource.read_text(encoding="utf-8")


def test_no_public_name_is_shadowed_by_a_submodule():
    """Importing ``pdec.X`` sets the attribute ``pdec.X`` to the module: a public function
    named like a submodule (``pdec.compile`` once was) would turn into that module."""
    import importlib.util

    for name in pdec.__all__:
        assert importlib.util.find_spec(f"pdec.{name}") is None, name


def test_every_error_is_a_public_name():
    """``pdec/__init__`` lists the error names itself (importing pdec.errors there would
    make ``import pdec`` load a submodule); this keeps that list equal to the tree's."""
    import pdec.errors

    lazy = {name for name, module in pdec._LAZY.items() if module == "pdec.errors"}
    assert lazy == set(pdec.errors.__all__)
