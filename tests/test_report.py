"""The plots of `pdec train` (pdec/targets/pinn/report.py), drawn for tiny untrained models."""

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import pdec
from pdec.targets.pinn.report import SLICES, plot_run, spacetime_figure

SPECS = Path(__file__).resolve().parents[1] / "specs"

HEAT_WITH_REFERENCE = """\
model heat_exact
const nu = 0.1
region ring = interval(x in [0, 1], periodic)
time t in [0, 2]
field u(t, x)
pde diffusion: dt(u) = nu*dx(dx(u))   in ring
ic  start:     u = 1 + sin(2*pi*x)    at t = 0
reference u = 1 + exp(-4*pi^2*nu*t)*sin(2*pi*x)
"""


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def untrained(spec, tmp_path):
    return pdec.compile(spec, target="pinn", out_dir=tmp_path / "build")(layers=(1, 8))


@pytest.mark.parametrize("name", ["burgers", "heat"])
def test_a_time_and_space_spec_gets_a_spacetime_image(name, tmp_path):
    spec = pdec.load(SPECS / f"{name}.pde")
    paths = plot_run(spec, untrained(spec, tmp_path), {"records": []}, tmp_path)
    assert [path.name for path in paths] == ["spacetime.png"]
    assert (tmp_path / "spacetime.png").stat().st_size > 10_000


def test_without_a_reference_it_shows_the_prediction_and_slices(tmp_path):
    spec = pdec.load(SPECS / "burgers.pde")
    fig = spacetime_figure(spec, untrained(spec, tmp_path))
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["predicted u(t, x)", *(f"t = {s:.3g}" for s in SLICES)]
    image = fig.axes[0]
    assert (image.get_xlabel(), image.get_ylabel()) == ("t", "x")
    assert image.get_xlim() == (0.0, 1.0) and image.get_ylim() == (-1.0, 1.0)


def test_with_a_reference_it_adds_the_reference_and_the_error(tmp_path):
    spec = pdec.loads(HEAT_WITH_REFERENCE)
    fig = spacetime_figure(spec, untrained(spec, tmp_path))
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[:2] == ["predicted u(t, x)", "reference u(t, x)"]
    assert titles[2].startswith("|error|, relative L2 ")
    assert titles[3:] == [f"t = {2 * s:.3g}" for s in SLICES]  # t in [0, 2]
    first_slice = next(ax for ax in fig.axes if ax.get_title() == "t = 0")
    assert [line.get_label() for line in first_slice.get_lines()] == ["reference", "PINN"]


def test_space_only_specs_get_no_spacetime_image(tmp_path):
    spec = pdec.load(SPECS / "poisson.pde")
    paths = plot_run(spec, untrained(spec, tmp_path), {"records": []}, tmp_path)
    assert [path.name for path in paths] == ["field.png"]
    assert spacetime_figure(spec, untrained(spec, tmp_path)) is None
