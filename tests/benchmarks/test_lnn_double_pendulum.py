"""The LNN benchmark (benchmarks/lnn_double_pendulum.py): its hand-written canonical map
is the true L's p = ∂L/∂q̇ and inverts, and a smoke run of all three models prints the
table."""

import sys
from pathlib import Path

import sympy
import torch

import pdec
from pdec.passes.check_lagrangian import coordinates_of
from pdec.symbolic.lagrangian import momenta

ROOT = Path(__file__).resolve().parents[2]
try:
    from benchmarks import lnn_double_pendulum as bench
except ModuleNotFoundError:  # plain `pytest` leaves the root off sys.path
    sys.path.insert(0, str(ROOT))
    from benchmarks import lnn_double_pendulum as bench


def test_the_canonical_map_is_the_spec_momenta_and_inverts():
    spec = pdec.load(ROOT / bench.SPEC).ir
    t = spec.time.symbol
    q = coordinates_of(spec)
    values = {c.symbol: v for c, v in zip(spec.constants, spec.constant_values.values())}
    p = [sympy.lambdify([*q, *(x.diff(t) for x in q)], m.subs(values)) for m in momenta(
        spec.lagrangian.value, q, t
    )]  # fmt: skip
    u = torch.rand(16, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 4 - 2
    canonical = bench.to_canonical(u)
    for i in range(2):
        expected = torch.as_tensor([float(p[i](*row)) for row in u.tolist()], dtype=torch.float64)
        torch.testing.assert_close(canonical[:, 2 + i], expected, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(bench.from_canonical(canonical), u, rtol=1e-12, atol=1e-12)


def test_a_smoke_run_prints_the_table(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    argv = ["lnn_double_pendulum", "--steps", "2", "--train", "2", "--test", "1"]
    monkeypatch.setattr(sys, "argv", argv + ["--horizon", "3", "--width", "8", "--depth", "1"])
    threads = torch.get_num_threads()
    try:
        bench.main()
    finally:
        torch.set_num_threads(threads)
    out = capsys.readouterr().out
    assert "| LNN |" in out and "| HNN |" in out and "| NODE |" in out
    assert "LNN / HNN" in out
