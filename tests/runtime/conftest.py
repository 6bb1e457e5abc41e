"""Small hand-written PinnModel subclasses, standing in for generated modules."""

import math

import pytest
import torch

from pdec.runtime import Box, PinnModel, Side, Sides, derivative


class Bar(PinnModel):
    """u'' = -π² sin(πx) on [0, 1], u(0) = u(1) = 0; solution sin(πx)."""

    spec_name = "bar"
    spec_sha256 = "0" * 64
    coordinates = ("x",)
    network_inputs = ("x",)
    input_bounds = {"x": (0.0, 1.0)}
    field_names = ("u",)
    residual_names = ("pde", "ends")
    default_options = {"layers": (2, 16)}
    reference = {"u": lambda coords: torch.sin(math.pi * coords["x"])}

    def residuals(self, batch):
        x = batch["pde"]["x"]
        u = self(batch["pde"])["u"]
        u_xx = derivative(derivative(u, x), x)
        return {
            "pde": u_xx + math.pi**2 * torch.sin(math.pi * x),
            "ends": self(batch["ends"])["u"],
        }

    def samplers(self):
        return {
            "pde": Box({"x": (0.0, 1.0)}),
            "ends": Sides([Side("x", 0.0, {}, {"x": -1.0}), Side("x", 1.0, {}, {"x": 1.0})]),
        }


class Ring(PinnModel):
    """A plane model whose network sees polar coordinates, periodic in theta."""

    spec_name = "ring"
    spec_sha256 = "1" * 64
    coordinates = ("x", "y")
    network_inputs = ("r", "theta")
    input_bounds = {"r": (0.0, 2.0)}
    periodic = {"theta": (0.0, 2 * math.pi)}
    field_names = ("q", "p")
    residual_names = ("pde",)

    def to_network(self, coords):
        x, y = coords["x"], coords["y"]
        return {"r": torch.sqrt(x**2 + y**2), "theta": torch.atan2(y, x) % (2 * math.pi)}

    def residuals(self, batch):
        fields = self(batch["pde"])
        return {"pde": fields["q"] - fields["p"]}

    def samplers(self):
        return {"pde": Box({"x": (-1.0, 1.0), "y": (-1.0, 1.0)})}


class Poisoned(Bar):
    """Bar whose pde residual turns NaN from the ``nan_from``-th evaluation on."""

    spec_name = "poisoned"
    nan_from = 7

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def residuals(self, batch):
        self.calls += 1
        residuals = super().residuals(batch)
        if self.calls >= self.nan_from:
            residuals["pde"] = residuals["pde"] * float("nan")
        return residuals


class BadGradient(Bar):
    """Bar with a finite loss whose gradient is not finite (sqrt at 0)."""

    spec_name = "bad_gradient"

    def residuals(self, batch):
        residuals = super().residuals(batch)
        residuals["ends"] = torch.sqrt(residuals["ends"] * 0.0)
        return residuals


@pytest.fixture
def bar():
    return Bar


@pytest.fixture
def ring():
    return Ring


@pytest.fixture
def poisoned():
    return Poisoned


@pytest.fixture
def bad_gradient():
    return BadGradient


@pytest.fixture(autouse=True)
def _few_threads():
    threads = torch.get_num_threads()
    torch.set_num_threads(min(threads, 2))
    yield
    torch.set_num_threads(threads)
