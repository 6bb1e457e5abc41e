"""compute_domain: one Domain per spec, read by every consumer of "the box"."""

from pathlib import Path

import pytest
import sympy

import pdec
from pdec.compiler import generate_module

SPECS = Path(__file__).resolve().parents[2] / "specs"

TWO_BOXES = """model two_boxes
const L = 2
region a = box(x in [0, 1], y in [0, 1])
region b = box(x in [1, L], y in [0, 2])
field u(x, y)
pde inside_a: lap(u) = 0 in a
bc left_a: u = 0 on a.left
"""


def test_each_box_keeps_its_own_ranges_and_the_hull_spans_them():
    domain = pdec.loads(TWO_BOXES).ir.domain
    x, y = sympy.symbols("x y")
    assert [name for name, _ in domain.boxes] == ["a", "b"]
    assert [(r.var, r.lo, r.hi) for r in domain.ranges("b")] == [
        (x, 1, sympy.Symbol("L")),
        (y, 0, 2),
    ]
    assert domain.only_boxes
    # the hull's bounds stay symbolic in the constants; numeric() inserts their values
    assert domain.numeric({sympy.Symbol("L"): 2.0}) == {x: (0.0, 2.0), y: (0.0, 2.0)}


def test_a_disk_is_not_a_box():
    spec = pdec.loads(
        "model d\nregion plate = box(x in [-2, 2], y in [-2, 2]) - disk(center = (0, 0), "
        "radius = 1)\nfield u(x, y)\npde p: lap(u) = 1 in plate\n"
    )
    assert not spec.ir.domain.only_boxes and spec.ir.domain.boxes == ()
    # the hull spans the disk's bounding box too: it scales the PINN's inputs
    hull = [(r.var.name, r.lo, r.hi) for r in spec.ir.domain.hull]
    assert hull == [("x", -2, 2), ("y", -2, 2)]
    source = generate_module(spec, target="pinn").source
    assert "plate = Difference(Box(" in source and '"p": Inside(plate)' in source


def test_every_shipped_spec_has_its_domain():
    for path in sorted(SPECS.glob("*.pde")):
        spec = pdec.load(path)
        boxes = [r for r in spec.ir.regions if type(r.shape).__name__ == "Box"]
        assert len(spec.ir.domain.boxes) == len(boxes), path


def test_the_operator_target_refuses_two_boxes_at_a_region():
    # it used to take each variable's first range and build a grid on box a alone
    with pytest.raises(pdec.UnsupportedError, match="one box") as caught:
        generate_module(pdec.loads(TWO_BOXES), target="operator")
    assert caught.value.span is not None and caught.value.span.line == 4
