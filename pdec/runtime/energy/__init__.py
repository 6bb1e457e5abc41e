"""pdec.runtime.energy — what generated energy-based modules import.

Models u_t = G ∇H(u) whose energy behaviour holds by construction, in discrete time
(issue 4; Matsubara, Ishikawa & Yaguchi 2020, DGNet; Greydanus et al. 2019, HNN):

* :mod:`~pdec.runtime.energy.discrete_gradient` — ∇H by autograd and the discrete
  gradients ∇̄H(u1, u0) with H(u1) − H(u0) = ∇̄H·(u1 − u0) exactly (Gonzalez's
  midpoint one, used by the models; Itoh–Abe's);
* :mod:`~pdec.runtime.energy.structure` — the operator G with a declared class
  (skew, dissipative, general), ``classify`` for dense matrices, given matrices and
  learned ones (A − Aᵀ, −LLᵀ, S − R);
* :mod:`~pdec.runtime.energy.stencils` — finite-difference G on 1-D grids: given
  stencils with exact arithmetic (∂x, ∂x², compositions) and learned skew and
  dissipative stencils; the one-sided differences of grid energies;
* :mod:`~pdec.runtime.energy.energies` — learned energies: ``MLPEnergy`` (ODE
  systems) and ``GridEnergy`` (Σ_i h(u_{i−k..i+k}) Δx on periodic grids);
* :mod:`~pdec.runtime.energy.vector_fields` — unstructured f for the NODE baseline;
* :mod:`~pdec.runtime.energy.lagrangian` — q̈ of a Lagrangian L(q, q̇) from its
  Hessians, its Noether energy, and ``LagrangianNetwork`` (the LNN's learned L);
* :mod:`~pdec.runtime.energy.proposals` — ``FourierProposal``, a Fourier neural
  operator's one-step proposal on a periodic grid (modes eno and fno);
* :mod:`~pdec.runtime.energy.integrators` — RK4 and the explicit midpoint step;
* :mod:`~pdec.runtime.energy.solver` — the implicit step's Newton / fixed-point solve;
* :mod:`~pdec.runtime.energy.model` — ``EnergyModel`` (a ``GeneratedModel``): modes dgnet,
  hnn, node, lnn, eno and fno, ``loss``, ``fit(u0, u1, **options) -> History``,
  ``step``, ``rollout``;
* :mod:`~pdec.runtime.energy.errors` — ``SolverDidNotConverge``, ``StructureError``,
  ``NoEnergyError``.
"""

from pdec.runtime.energy.discrete_gradient import (
    discrete_gradient,
    energy_gradient,
    itoh_abe_gradient,
)
from pdec.runtime.energy.energies import GridEnergy, MLPEnergy
from pdec.runtime.energy.errors import NoEnergyError, SolverDidNotConverge, StructureError
from pdec.runtime.energy.integrators import midpoint_step, rk4_step
from pdec.runtime.energy.lagrangian import LagrangianNetwork
from pdec.runtime.energy.model import MODES, EnergyModel
from pdec.runtime.energy.proposals import FourierProposal
from pdec.runtime.energy.stencils import (
    LearnedDissipativeStencil,
    LearnedSkewStencil,
    StencilOperator,
    central_difference,
    finite_difference,
    identity,
    laplacian,
)
from pdec.runtime.energy.structure import (
    DISSIPATIVE,
    GENERAL,
    KINDS,
    SKEW,
    ConstantMatrix,
    LearnedDissipative,
    LearnedSkew,
    LearnedSkewPlusDissipative,
    Operator,
    classify,
    conforms,
    from_symbolic,
)
from pdec.runtime.energy.vector_fields import GridVectorField, MLPVectorField

__all__ = [
    "DISSIPATIVE",
    "GENERAL",
    "KINDS",
    "MODES",
    "SKEW",
    "ConstantMatrix",
    "EnergyModel",
    "FourierProposal",
    "GridEnergy",
    "GridVectorField",
    "LagrangianNetwork",
    "LearnedDissipative",
    "LearnedDissipativeStencil",
    "LearnedSkew",
    "LearnedSkewPlusDissipative",
    "LearnedSkewStencil",
    "MLPEnergy",
    "MLPVectorField",
    "NoEnergyError",
    "Operator",
    "SolverDidNotConverge",
    "StencilOperator",
    "StructureError",
    "central_difference",
    "classify",
    "conforms",
    "discrete_gradient",
    "energy_gradient",
    "finite_difference",
    "from_symbolic",
    "identity",
    "itoh_abe_gradient",
    "laplacian",
    "midpoint_step",
    "rk4_step",
]
