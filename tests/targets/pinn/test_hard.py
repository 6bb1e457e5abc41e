"""Dirichlet conditions built into a PINN's output (``hard=True``): which conditions the
target builds in, that they then hold exactly on their pieces whatever the network's
weights, that forward jets through the form equal autograd, and what is refused."""

from pathlib import Path

import pytest
import torch

import pdec
from pdec.runtime.errors import OptionsError

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def compiled(path_or_text, tmp_path, name="spec.pde"):
    spec = pdec.load(path_or_text) if isinstance(path_or_text, Path) else pdec.loads(
        path_or_text, name)  # fmt: skip
    return pdec.compile(spec, target="pinn", out_dir=tmp_path)


def test_the_plate_with_holes_holds_both_conditions_exactly(tmp_path):
    Model = compiled(ROOT / "specs" / "pinnacle" / "poisson2d_c.pde", tmp_path)
    assert Model.hard_conditions == ("outer", "rims")
    model = Model(hard=True, layers=(2, 16), dtype="float64")
    samplers, generator = model.samplers(), torch.Generator().manual_seed(0)
    with torch.no_grad():
        outer = model(samplers["outer"].sample(200, generator))["u"]
        rims = model(samplers["rims"].sample(200, generator))["u"]
        inside = model(samplers["laplace"].sample(200, generator))["u"]
    torch.testing.assert_close(outer, torch.ones_like(outer), rtol=0, atol=1e-12)
    torch.testing.assert_close(rims, torch.zeros_like(rims), rtol=0, atol=1e-12)
    assert inside.std() > 1e-3  # inside, the network decides
    soft = Model(hard=False, layers=(2, 16), dtype="float64")  # the spec asks for hard
    with torch.no_grad():
        assert (soft(samplers["outer"].sample(200, generator))["u"] - 1).abs().max() > 0.1


def test_time_dependent_walls_hold_at_every_time(tmp_path):
    Model = compiled(ROOT / "specs" / "burgers.pde", tmp_path)
    assert Model.hard_conditions == ("walls",)  # the initial condition stays a loss term
    model = Model(hard=True, layers=(2, 8), dtype="float64")
    t = torch.linspace(0, 1, 7, dtype=torch.float64)
    with torch.no_grad():
        for x in (-1.0, 1.0):
            u = model({"t": t, "x": torch.full_like(t, x)})["u"]
            assert u.abs().max() < 1e-12


def test_jets_through_the_generated_form_equal_autograd(tmp_path):
    Model = compiled(ROOT / "specs" / "pinnacle" / "poisson2d_c.pde", tmp_path)
    model = Model(hard=True, layers=(2, 16), dtype="float64")
    assert model.uses_jets()
    points = model.samplers()["laplace"].sample(64, torch.Generator().manual_seed(1))
    wanted = {"u_xx": ("u", "x", "x"), "u_yy": ("u", "y", "y"), "u_xy": ("u", "x", "y")}
    jets = model.network_jets(points, wanted)
    model.config["derivatives"] = "autograd"
    nested = model.network_jets(points, wanted)
    for name in wanted:
        torch.testing.assert_close(jets[name], nested[name], rtol=1e-9, atol=1e-9)


SIDE_INSIDE = """model l_shape
region big = box(x in [0, 2], y in [0, 2])
region notch = box(x in [1, 2], y in [1, 2])
region l = big - notch
field u(x, y)
pde laplace: lap(u) = 0   in l
bc  left:    u = 1        on big.left
bc  corner:  u = 0        on notch.left
"""


def test_a_side_whose_plane_cuts_the_domain_stays_a_loss_term(tmp_path):
    Model = compiled(SIDE_INSIDE, tmp_path, "l_shape.pde")
    assert Model.hard_conditions == ("left",)  # x = 1 runs through the L: not built in


def test_what_hard_refuses(tmp_path):
    neumann = compiled("model n\nregion s = box(x in [0, 1])\nfield u(x)\n"
                       "pde p: dx(dx(u)) = 1  in s\nbc b: dx(u) = 0  on s.boundary\n",
                       tmp_path, "n.pde")  # fmt: skip
    assert neumann.hard_conditions == ()
    with pytest.raises(OptionsError, match="no condition of this spec can be built in"):
        neumann(hard=True)
    fault = compiled(ROOT / "specs" / "fault.pde", tmp_path / "fault")
    with pytest.raises(OptionsError, match="hard=True"):
        fault(hard=True)
