"""The operator target: golden modules, the grid residual on analytic solutions
(≈ 0 within discretisation error, second order), built-in boundary values, shape
errors, and seconds-long FNO and PINO fits."""

import math
from pathlib import Path

import numpy as np
import pytest
import sympy
import torch

import pdec
from pdec.compiler import generate_module
from pdec.reference.operator_data import generate_operator_data
from pdec.runtime.operator import GridShapeError

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", ["darcy", "burgers_ring"])
def test_golden_modules(name):
    module = generate_module(pdec.load(ROOT / "specs" / f"{name}.pde"), "operator")
    assert module.class_name == "".join(p.title() for p in name.split("_")) + "Operator"
    assert module.source == (GOLDEN / f"{name}_operator.py").read_text()


def manufactured(tmp_path, derivatives="default"):
    """−div(a ∇u) = f with a = 1 + xy/2 + sin(πx)/4, u = eˣ sin(πy) + xy; a is the
    input, f written into the spec (from SymPy, as the spec language spells it)."""
    x, y = sympy.symbols("x y")
    a = 1 + x * y / 2 + sympy.sin(sympy.pi * x) / 4
    u = sympy.exp(x) * sympy.sin(sympy.pi * y) + x * y
    f = -sympy.diff(a * sympy.diff(u, x), x) - sympy.diff(a * sympy.diff(u, y), y)
    text = sympy.sstr(f).replace("**", "^")
    spec = pdec.loads(
        "model mms\nregion square = box(x in [0, 1], y in [0, 1])\ninput a(x, y)\n"
        f"field u(x, y)\npde flow: -div(a*grad(u)) = {text} in square\n"
    )
    Model = pdec.compile(spec, target="operator", out_dir=tmp_path)
    model = Model(modes=4, width=8, derivatives=derivatives).double()
    return model, sympy.lambdify((x, y), a, "numpy"), sympy.lambdify((x, y), u, "numpy")


def residual_errors(model, a, u, sizes):
    errors = []
    for n in sizes:
        coords = model.coordinates((n, n))
        X, Y = coords["x"].numpy(), coords["y"].numpy()
        inputs = torch.from_numpy(a(X, Y)).unsqueeze(1)
        fields = torch.from_numpy(u(X, Y)).unsqueeze(1)
        (residual,) = model.residuals_of(inputs, fields).values()
        # two cells from the edges: see OperatorModel.physics_loss
        errors.append(float(residual[:, 2:-2, 2:-2].abs().max()))
    return errors


def test_grid_residual_of_an_analytic_solution_vanishes_at_second_order(tmp_path):
    model, a, u = manufactured(tmp_path)
    errors = residual_errors(model, a, u, (17, 33, 65, 129))
    rates = [math.log2(p / q) for p, q in zip(errors, errors[1:])]
    assert errors[-1] < 1e-3 * 40  # |f| reaches about 40
    assert all(1.9 < r < 2.2 for r in rates), (errors, rates)


def test_mollifier_derivatives_converge_too(tmp_path):
    model, a, u = manufactured(tmp_path, derivatives="mollifier")
    errors = residual_errors(model, a, u, (33, 65, 129))
    rates = [math.log2(p / q) for p, q in zip(errors, errors[1:])]
    assert all(r > 1.8 for r in rates), (errors, rates)


def test_darcy_residual_is_exact_for_a_quadratic(tmp_path):
    """a = 1, u = x(1 − x)/2: −div(a ∇u) = 1 and the differences are exact for it."""
    Model = pdec.compile(ROOT / "specs" / "darcy.pde", target="operator", out_dir=tmp_path)
    model = Model(modes=4, width=8).double()
    coords = model.coordinates((17, 17))
    x = coords["x"]
    u = (x * (1 - x) / 2).expand(2, 17, 17).unsqueeze(1)
    a = torch.ones_like(u)
    (residual,) = model.residuals_of(a, u).values()
    assert float(residual.abs().max()) < 1e-11


def test_dirichlet_values_are_built_into_the_output(tmp_path):
    Model = pdec.compile(ROOT / "specs" / "darcy.pde", target="operator", out_dir=tmp_path)
    model = Model(modes=4, width=8)
    u = model(3 + 9 * torch.rand(2, 1, 16, 16)).detach()
    assert float(u[..., 0, :].abs().max()) == 0.0 and float(u[..., -1].abs().max()) == 0.0
    assert float(u[..., 1:-1, 1:-1].abs().max()) > 0.0


def test_inputs_of_the_wrong_shape_are_spec_errors_with_hints(tmp_path):
    Model = pdec.compile(ROOT / "specs" / "darcy.pde", target="operator", out_dir=tmp_path)
    model = Model(modes=4, width=8)
    for bad in (torch.rand(2, 16, 16), torch.rand(2, 2, 16, 16)):
        with pytest.raises(GridShapeError, match=r"takes \(batch, 1 \[a\], 2 grid axes") as caught:
            model(bad)
        assert isinstance(caught.value, pdec.PdecError) and caught.value.hint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "pde p: -div(a*grad(u)) = 1 in square\nbc w: dn(u) = 0 on square.boundary",
            "not of the form u = g",
        ),
        ("pde p: -div(a*grad(u)) = 1 in square\nbc w: u = 0 on square.left", "every side"),
    ],
)
def test_unsupported_boundary_conditions_say_what_works(text, message):
    spec = pdec.loads(
        f"model m\nregion square = box(x in [0, 1], y in [0, 1])\ninput a(x, y)\n"
        f"field u(x, y)\n{text}\n"
    )
    with pytest.raises(pdec.UnsupportedError, match=message) as caught:
        generate_module(spec, "operator")
    assert caught.value.hint


def test_fno_and_pino_fit_darcy_in_seconds(tmp_path):
    """16 pairs on 17² nodes: the data loss falls, and the physics weight lowers the
    residual of the fitted model below the data-only fit's."""
    spec = pdec.load(ROOT / "specs" / "darcy.pde")
    data = generate_operator_data(spec, n=20, res=17, seed=0)
    Model = pdec.compile(spec, target="operator", out_dir=tmp_path)
    residuals = {}
    for physics in (0.0, 1e-2):
        model = Model(modes=6, width=16, layers=2, projection=32, seed=0)
        history = model.fit(
            data.inputs[:16], data.outputs[:16], epochs=30, batch_size=8, lr=5e-3, physics=physics
        )
        assert history.term("data")[-1] < 0.5 * history.term("data")[0]
        with torch.no_grad():
            a = torch.as_tensor(data.inputs[16:], dtype=torch.float32)
            residuals[physics] = float(model.physics_loss(a, model(a)))
        assert model.evaluate(data.inputs[16:], data.outputs[16:]) < 0.6
    assert residuals[1e-2] < residuals[0.0]


def test_burgers_ring_operator_learns_from_data(tmp_path):
    spec = pdec.load(ROOT / "specs" / "burgers_ring.pde")
    data = generate_operator_data(spec, n=24, res=64, seed=0)
    model = pdec.compile(spec, target="operator", out_dir=tmp_path)(
        modes=8, width=16, layers=2, projection=32
    )
    before = model.evaluate(data.inputs[20:], data.outputs[20:])
    history = model.fit(data.inputs[:20], data.outputs[:20], epochs=40, batch_size=10, lr=5e-3)
    after = model.evaluate(data.inputs[20:], data.outputs[20:])
    assert history.term("data")[-1] < history.term("data")[0] and after < 0.5 * before
    assert np.isfinite(after)


def test_parameters_defined_through_parameters_are_inserted_to_the_end():
    spec = pdec.loads(
        "model chained\nregion square = box(x in [0, 1], y in [0, 1])\ninput a(x, y)\n"
        "field u(x, y)\nparam g(x, y) = 1 + x\nparam f(x, y) = 2*g\n"
        "pde flow: -div(a*grad(u)) = f in square\nbc wall: u = 0 on square.boundary\n",
        "chained.pde",
    )
    source = generate_module(spec, "operator").source
    assert 'out["flow"] = -flux_1_x - flux_2_y - 2 * x - 2' in source
