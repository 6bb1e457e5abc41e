"""`param k(x, y) = table("k.csv")` in the PINN target: the generated module names the
file and the runtime interpolator (same bytes every time), the model reads the table
when it is built, and a manufactured solution's residual vanishes with k linear."""

import math
import subprocess
import sys

import pytest
import sympy
import torch

import pdec
from pdec.compiler import generate_module, import_class, write_module
from pdec.runtime import DataFileError

# −div(k ∇u) = f on [0, 1] × [0, 2] with k = 1 + 2x + y/2 tabulated and
# u = sin(πx) sin(πy/2); f is written into the spec
X, Y = sympy.symbols("x y")
K = 1 + 2 * X + Y / 2
U = sympy.sin(sympy.pi * X) * sympy.sin(sympy.pi * Y / 2)
F = -sympy.diff(K * sympy.diff(U, X), X) - sympy.diff(K * sympy.diff(U, Y), Y)
SPEC = f"""model heated
region plate = box(x in [0, 1], y in [0, 2])
field u(x, y)
param k(x, y) = table("k.csv")
pde flow: -div(k*grad(u)) = {sympy.sstr(F).replace("**", "^")} in plate
bc wall: u = 0 on plate.boundary
"""


@pytest.fixture
def spec_file(tmp_path):
    folder = tmp_path / "spec"
    folder.mkdir()
    rows = [
        f"{x / 4!r},{y / 2!r},{1 + 2 * (x / 4) + (y / 2) / 2!r}" for x in range(5) for y in range(5)
    ]
    (folder / "k.csv").write_text("x,y,k\n" + "\n".join(rows) + "\n")
    (folder / "heated.pde").write_text(SPEC)
    return folder / "heated.pde"


def _model_class(path, out):
    spec = pdec.load(path)
    module = generate_module(spec, "pinn")
    return import_class(spec, module, write_module(module, out))


def test_the_module_names_the_file_and_is_the_same_every_time(spec_file, tmp_path):
    first = generate_module(pdec.load(spec_file), "pinn").source
    assert first == generate_module(pdec.load(spec_file), "pinn").source
    assert 'coefficient_tables = {"k": CoefficientTable("k.csv", ("x", "y"))}' in first
    assert "self.coefficient_jets(" in first
    (spec_file.parent / "k.csv").write_text("x,y,k\n0,0,5\n")  # the data is not in the source
    assert generate_module(pdec.load(spec_file), "pinn").source == first


def test_a_manufactured_solution_with_k_linear_has_residual_zero(spec_file, tmp_path):
    Model = _model_class(spec_file, tmp_path / "build")

    class Exact(Model):  # U, in torch
        def network_fields(self, inputs):
            x, y = inputs["x"], inputs["y"]
            return {"u": torch.sin(math.pi * x) * torch.sin(math.pi * y / 2)}

    model = Exact(dtype="float64")
    generator = torch.Generator().manual_seed(0)
    batch = {
        name: {k: v.double() for k, v in sampler.sample(200, generator).items()}
        for name, sampler in model.samplers().items()
    }
    for name, value in model.residuals(batch).items():
        assert value.abs().max().item() < 1e-10, name
    # and a network: the residual's derivatives of k come from the same interpolant
    network = Model(layers=(2, 8), dtype="float64")
    points = batch["flow"]
    coefficients = network.coefficient_jets(points, {"k_x": ("k", "x"), "k_y": ("k", "y")})
    assert torch.allclose(coefficients["k"], 1 + 2 * points["x"] + points["y"] / 2)
    assert torch.allclose(coefficients["k_x"], torch.full_like(points["x"], 2.0))
    assert torch.allclose(coefficients["k_y"], torch.full_like(points["x"], 0.5))
    assert network.residuals(batch)["flow"].isfinite().all()


def test_a_table_that_does_not_cover_the_domain_is_refused_when_the_model_is_built(
    spec_file, tmp_path
):
    (spec_file.parent / "k.csv").write_text("x,y,k\n0,0,1\n0.5,0,1\n0,2,1\n0.5,2,1\n")
    Model = _model_class(spec_file, tmp_path / "build")
    with pytest.raises(DataFileError, match=r"covers x in \[0, 0.5\], but the domain reaches"):
        Model()


def test_pdec_check_reads_the_spec_and_other_targets_refuse_it(spec_file):
    done = subprocess.run(
        [sys.executable, "-m", "pdec.cli", "check", str(spec_file)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for target in ("energy", "operator"):
        with pytest.raises(pdec.UnsupportedError, match="read from a table") as caught:
            generate_module(pdec.load(spec_file), target)
        assert caught.value.line == 4
