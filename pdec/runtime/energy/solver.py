"""Solve the implicit step r(u1) = 0 for a batch of states, or say clearly why not.

The discrete-gradient step (u1 − u0)/Δt = G ∇̄H(u1, u0) is implicit in u1. Written
as r(u1) = u1 − u0 − Δt G ∇̄H(u1, u0) = 0, it is solved from a first guess by

* ``"fixed_point"`` iteration u1 ← u1 − r(u1) = u0 + Δt G ∇̄H(u1, u0): one ∇̄H per
  iteration; converges when Δt·‖G‖·Lip(∇̄H) < 1 (small Δt, non-stiff G);
* ``"newton"``: u1 ← u1 − J⁻¹ r(u1) with J = ∂r/∂u1 built by automatic
  differentiation (a backward pass per state component, vectorized, for every state
  of the batch at once, as states are independent), and kept while it reduces the
  residual tenfold per update (simplified Newton): for small states.

The residual is measured as max over the batch of ‖r‖∞ / (1 + ‖u0‖∞). A step's
departure from exact conservation or dissipation is exactly ∇̄H·r, since
H(u1) − H(u0) = ∇̄H·(u1 − u0) = Δt ∇̄H·G∇̄H + ∇̄H·r: the tolerance bounds it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from pdec.runtime.energy.errors import SolverDidNotConverge

METHODS = ("auto", "newton", "fixed_point")
# Newton recomputes the Jacobian only when an update reduced the residual by less than
# this factor (a simplified Newton method otherwise: one Jacobian per step, typically).
REFRESH = 0.1
# Newton's updates made after the residual is below tol (each only while it still gains
# tenfold), so that conservative rollouts drift by round-off rather than by steps·tol.
POLISH = 1
# The iteration is given up when the residual grows this much over the first one.
DIVERGED = 1e6

# r(u1, create_graph) -> residual, both (B, n); create_graph keeps r differentiable in u1.
Residual = Callable[[Tensor, bool], Tensor]


def default_tolerance(dtype: torch.dtype) -> float:
    """1e-12 in float64, 100 machine epsilons (≈ 1.2e-5) in float32."""
    return max(1e-12, 100 * torch.finfo(dtype).eps)


def solve_implicit(
    residual: Residual,
    guess: Tensor,
    scale: Tensor,
    *,
    tol: float,
    max_iter: int,
    method: str = "auto",
    newton_max_size: int = 64,
) -> Tensor:
    """Iterate from ``guess`` (B, n) until the relative residual is ≤ ``tol``.

    ``scale`` (B,) divides each state's ‖r‖∞. ``method="auto"`` is Newton's method for
    states of at most ``newton_max_size`` values, fixed-point iteration above. At most
    ``max_iter`` updates are made; if the residual is then still above ``tol``, or
    becomes NaN or a million times the first one, raises
    :class:`SolverDidNotConverge`. Returns the solution, detached.

    Newton's method ends far below ``tol``: once below it, it makes one more update
    (:data:`POLISH`) with the factors at hand, and returns the best iterate.
    Fixed-point iteration ends just below ``tol``, and always on the same side: over a
    long conservative rollout the energy then drifts by about steps·tol·‖∇̄H‖₁, so
    give fixed-point iteration a tighter ``tol`` for long rollouts.
    """
    if method not in METHODS:
        raise ValueError(f"unknown solver method {method!r}; expected one of {', '.join(METHODS)}")
    if max_iter < 0:
        raise ValueError(f"max_iter must be >= 0, got {max_iter}")
    if method == "auto":
        method = "newton" if guess.shape[1] <= newton_max_size else "fixed_point"
    u = guess.detach()
    factors = None  # LU factors of the Jacobian, kept while Newton converges fast
    history: list[float] = []
    best, polished = u, 0
    for iteration in range(max_iter + 1):
        newton = method == "newton" and iteration < max_iter
        r = _evaluate(residual, u, newton)
        error = float((r.detach().abs().amax(dim=1) / scale).max())
        history.append(error)
        if error <= min(history):
            best = u
        diverged = not math.isfinite(error) or error > DIVERGED * history[0]
        if diverged or iteration == max_iter:
            break
        if error <= tol:
            # Newton: one more update with the factors at hand, unless the last one
            # gained little (round-off): the error then ends far below tol.
            slow = len(history) > 1 and error > REFRESH * history[-2]
            if not newton or polished == POLISH or slow or factors is None:
                break
            polished += 1
        if not newton:
            u = (u - r).detach()
            continue
        if factors is None or error > REFRESH * history[-2]:
            with torch.enable_grad():
                factors = torch.linalg.lu_factor(_jacobian(r, u))
        step = torch.linalg.lu_solve(*factors, r.detach().unsqueeze(-1)).squeeze(-1)
        u = (u - step).detach()
    if min(history) <= tol:
        return best.detach()
    raise SolverDidNotConverge(
        _message(history, tol, method, guess.dtype),
        residual=history[-1],
        tol=tol,
        iterations=len(history) - 1,
        method=method,
        history=history,
    )


def _evaluate(residual: Residual, u: Tensor, differentiable: bool) -> Tensor:
    """r(u); with ``differentiable`` u becomes a leaf that r can be differentiated by."""
    if not differentiable:
        with torch.no_grad():
            return residual(u, False)
    with torch.enable_grad():
        u.requires_grad_(True)
        return residual(u, True)


def _jacobian(r: Tensor, u: Tensor) -> Tensor:
    """J[b, k, :] = ∂r[b, k]/∂u[b]: the Jacobians of all states of the batch at once
    (they are independent), by one vectorized backward pass over the n components,
    or n backward passes where an operation has no batching rule."""
    batch, n = r.shape
    basis = torch.eye(n, dtype=r.dtype, device=r.device).unsqueeze(1).expand(n, batch, n)
    try:
        (rows,) = torch.autograd.grad(
            r, u, grad_outputs=basis, retain_graph=True, is_grads_batched=True
        )
        return rows.transpose(0, 1).detach()
    except RuntimeError:
        rows = [torch.autograd.grad(r[:, k].sum(), u, retain_graph=True)[0] for k in range(n)]
        return torch.stack(rows, dim=1).detach()


def _message(history: list[float], tol: float, method: str, dtype: torch.dtype) -> str:
    last = history[-1]
    updates = len(history) - 1
    trail = ", ".join(f"{e:.2e}" for e in history[-6:])
    head = (
        f"the implicit discrete-gradient step did not converge: after {updates} "
        f"{method.replace('_', '-')} iteration{'s' if updates != 1 else ''} the residual "
        f"‖u1 − u0 − dt·G∇̄H(u1, u0)‖∞/(1 + ‖u0‖∞) is {last:.3e}, above tol = {tol:.1e} "
        f"(last residuals: {trail})."
    )
    eps = torch.finfo(dtype).eps
    if last != last or last == float("inf"):
        hint = "The iteration produced NaN or inf: use a smaller dt."
    elif len(history) > 1 and last > history[0]:
        hint = "The iteration diverges: use a smaller dt"
        if method == "fixed_point":
            hint += (
                ", or method='newton' (fixed-point iteration converges only when "
                "dt·‖G‖·Lip(∇̄H) < 1)"
            )
        hint += "."
    elif len(history) > 2 and last > 0.5 * min(history[:-1]) and last < 1e4 * eps:
        hint = (
            f"The residual stalled near round-off for {str(dtype).replace('torch.', '')} "
            f"(eps = {eps:.1e}): use a looser tol."
        )
    else:
        hint = f"Try more iterations (max_iter > {updates}), a smaller dt, or a looser tol" + (
            "; method='newton' converges faster on small states." if method != "newton" else "."
        )
    return f"{head} {hint}"
