"""A tour of pdec's Python API on the shipped specs. Run: python examples/api_tour.py"""

from pathlib import Path

import pdec
from pdec.display import text

SPECS = Path(__file__).resolve().parents[1] / "specs"

# The crustal-deformation fault of Okazaki et al. (2022): residuals in Cartesian and in
# the polar coordinates whose branch cut lies along the fault.
fault = pdec.load(SPECS / "fault.pde")
for name in ("equilibrium", "slip", "traction"):
    print(f"{name:12s} (x, y):     {text(fault.residual(name))}")
    print(f"{name:12s} (r, theta): {text(fault.residual(name, coords='polar'))}")

# KdV as a Hamiltonian PDE: the variational derivative, the class of G, the claims.
kdv = pdec.load(SPECS / "kdv.pde")
print("\nKdV  δH/δu =", text(kdv.variational_derivative("H", "u")))
print("KdV  G is", kdv.structure.kind)
for finding in kdv.check():
    print(f"KdV  {finding.claim}: {finding.verdict}")

# A spec written inline, with a claim that is false: check() refutes it with a state.
spec = pdec.loads(
    """
model ac
region line = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
energy H = integral((u^2 - 1)^2/4 + dx(u)^2/2000, x)
evolve dt(u) = -delta(H, u)
conserved mass = integral(u, x)
"""
)
for finding in spec.check():
    print(f"\nAllen–Cahn  {finding.claim}: {finding.verdict} (refuted: {finding.refuted})")
    print("   ", finding.reason)

# Errors carry a location and a hint.
try:
    pdec.loads("model m\nregion I = interval(x in [0, 1])\nfield u(x)\npde p: lap(v) = 0 in I\n", "typo.pde")
except pdec.SpecError as error:
    print("\n" + str(error))
