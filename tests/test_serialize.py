"""`pdec show --json`: every shipped spec serialises, deterministically."""

import json
from pathlib import Path

import pytest

import pdec

SPECS = sorted((Path(__file__).resolve().parents[1] / "specs").glob("*.pde"))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_every_spec_serialises(path):
    data = pdec.load(path).to_json()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text)["ir"]["name"] == pdec.load(path).name
    assert "<" not in text.replace("<string>", "")  # no repr() of a Python object leaked


def test_json_is_deterministic():
    path = next(p for p in SPECS if p.stem == "fault")
    first = json.dumps(pdec.load(path).to_json(coords="polar"), sort_keys=True)
    assert first == json.dumps(pdec.load(path).to_json(coords="polar"), sort_keys=True)


def test_examples_run():
    import runpy

    runpy.run_path(str(Path(__file__).resolve().parents[1] / "examples" / "api_tour.py"))
