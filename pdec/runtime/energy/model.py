"""EnergyModel: u_t = G ∇H(u) learned from pairs (u0, u1) one step Δt apart.

Three modes share the code path, so that comparisons are one flag apart:

* ``"dgnet"`` (Matsubara, Ishikawa & Yaguchi 2020) — the discrete-gradient model
  (u1 − u0)/Δt = G ∇̄H(u1, u0). Trained on pairs with no solve (both states are
  data); predicted by an implicit solve. Along its steps
  H(u1) − H(u0) = Δt ∇̄H·G∇̄H exactly: zero for skew G, ≤ 0 for dissipative G, up to
  the solver's tolerance and round-off.
* ``"hnn"`` (Greydanus, Dzamba & Yosinski 2019) — the continuous model u_t = G∇H,
  trained and predicted with one RK4 step: structured, but the energy drifts in
  discrete time.
* ``"node"`` — a neural ODE u_t = f(u) with an unstructured network f, RK4: no
  energy at all.
* ``"eno"`` (after Tanaka, Yaguchi, Iwata & Ueda 2025) — an energy-consistent neural
  operator: a neural operator S proposes û = u + Δt S(u), and the step is DGNet's
  implicit one solved from there, so the energy law holds exactly as for ``dgnet``;
  trained on the data (S and H) and on S's own consistency with that law,
  |S(u0) − G ∇̄H(û, u0)|² (their energy penalty, with the discrete gradient).
* ``"fno"`` — the plain neural operator: the step is û itself, no energy.
* ``"lnn"`` (Cranmer et al. 2020) — a Lagrangian L(q, q̇), states u = (q, q̇): u_t =
  (q̇, q̈) with q̈ from the Euler–Lagrange equations
  (:func:`~pdec.runtime.energy.lagrangian.acceleration`), RK4. Its energy is Noether's
  E = q̇·∂L/∂q̇ − L, conserved by the exact flow (RK4 drifts by O(Δt⁴)).

States are batches (B, *state_shape); G acts on them flattened to (B, n).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from pdec.runtime import checkpoint
from pdec.runtime.base import GeneratedModel, training_files
from pdec.runtime.devices import batch_to, resolve_device
from pdec.runtime.distributed import join
from pdec.runtime.energy.discrete_gradient import discrete_gradient, energy_gradient
from pdec.runtime.energy.errors import NoEnergyError
from pdec.runtime.energy.integrators import midpoint_step, rk4_step
from pdec.runtime.energy.lagrangian import Lagrangian, acceleration
from pdec.runtime.energy.lagrangian import energy as lagrangian_energy
from pdec.runtime.energy.networks import Scaled
from pdec.runtime.energy.solver import METHODS as SOLVER_METHODS
from pdec.runtime.energy.solver import default_tolerance, solve_implicit
from pdec.runtime.energy.training import pair_phase, pair_record
from pdec.runtime.errors import OptionsError
from pdec.runtime.history import History, Record
from pdec.runtime.options import EnergyFitOptions, check_positive, check_sizes
from pdec.runtime.trainer import Trainer

MODES = ("dgnet", "hnn", "node", "lnn", "eno", "fno")
# what each mode is built from (the keyword arguments of EnergyModel)
PARTS = {
    "dgnet": ("energy", "operator"),
    "hnn": ("energy", "operator"),
    "node": ("vector_field",),
    "lnn": ("lagrangian",),
    "eno": ("energy", "operator", "proposal"),
    "fno": ("proposal",),
}
_DESCRIBED = {
    "energy": "an energy",
    "operator": "an operator G",
    "vector_field": "vector_field= (an unstructured network f)",
    "lagrangian": "lagrangian= (L of (q, dt(q)))",
    "proposal": "proposal= (a neural operator S, û = u + Δt S(u))",
}


def _check_parts(mode: str, given: set[str]) -> None:
    needed = PARTS[mode]
    missing = [part for part in needed if part not in given]
    if missing:
        raise OptionsError(f"mode={mode!r} needs {' and '.join(_DESCRIBED[p] for p in missing)}")
    extra = sorted(given - set(needed))
    if extra:
        raise OptionsError(
            f"mode={mode!r} is built from {', '.join(needed)} alone: pass no "
            f"{', '.join(extra)} (None)"
        )


def _calibrate(network, rate_of, u0: Tensor, rate: Tensor) -> None:
    """Standardise a :class:`Scaled` network's inputs on u0 and scale its output so that
    ``rate_of(u0)`` (the model's rate through it) has the data's mean square ``rate``,
    the bare network's size divided out (see :meth:`EnergyModel.calibrate`)."""
    if not isinstance(network, Scaled):
        return
    network.output_scale.fill_(1.0)
    network.standardize_inputs(u0)
    model_rate = rate_of(u0).pow(2).mean()
    size = network.network_size(u0).pow(2)
    scale = rate * size / model_rate
    if bool(torch.isfinite(scale)) and float(scale) > 0:
        network.output_scale.fill_(float(scale.sqrt()))


class EnergyModel(GeneratedModel):
    """An energy H and an operator G (or, for ``node``, a vector field f), stepped by Δt.

    Arguments: ``energy`` H: (B, *shape) → (B,); ``operator`` G: (B, n) → (B, n)
    (see :mod:`~pdec.runtime.energy.structure`); ``dt``; ``mode``; ``vector_field``
    f (only for ``node``, which takes no energy and no operator); ``lagrangian``
    L(q, q̇) → (B,) (only for ``lnn``, states (B, 2n) = (q, q̇), no energy or operator:
    the energy is L's Noether energy). The implicit step of
    ``dgnet`` stops at relative residual ``tol`` (default 1e-12 in float64, ≈1e-5 in
    float32) within ``max_iter`` updates, by Newton's method for states of at most
    ``newton_max_size`` values and by fixed-point iteration above (``method``
    "newton" or "fixed_point" forces one; see
    :func:`~pdec.runtime.energy.solver.solve_implicit`).

    >>> from pdec.runtime.energy import ConstantMatrix
    >>> H = lambda u: u[:, 1] ** 2 / 2 - torch.cos(u[:, 0])  # the pendulum
    >>> model = EnergyModel(H, ConstantMatrix([[0.0, 1.0], [-1.0, 0.0]]), dt=0.1)
    >>> path = model.rollout(torch.tensor([[1.0, 0.0]], dtype=torch.float64), 100)
    >>> energies = H(path[:, 0])
    >>> path.shape, bool((energies - energies[0]).abs().max() < 1e-12)
    (torch.Size([101, 1, 2]), True)
    """

    target = "energy"
    fit_options = EnergyFitOptions
    # a generated class names the modes its spec allows: ("dgnet", "hnn", "node") for
    # an ODE system of H and G, with "eno" and "fno" on a grid, ("lnn", "node") for a
    # Lagrangian
    modes = MODES

    def __init__(
        self,
        energy: Callable[[Tensor], Tensor] | None,
        operator: Callable[[Tensor], Tensor] | None,
        dt: float,
        mode: str = "dgnet",
        *,
        vector_field: nn.Module | None = None,
        lagrangian: Lagrangian | None = None,
        proposal: nn.Module | None = None,
        consistency: float = 1.0,
        tol: float | None = None,
        max_iter: int = 50,
        method: str = "auto",
        newton_max_size: int = 64,
    ):
        super().__init__()
        if mode not in MODES:
            raise OptionsError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
        if mode not in type(self).modes:
            raise OptionsError(
                f"mode {mode!r} does not fit this model: it has the modes "
                f"{', '.join(type(self).modes)}"
            )
        if method not in SOLVER_METHODS:
            raise OptionsError(
                f"unknown solver method {method!r}; expected one of {', '.join(SOLVER_METHODS)}"
            )
        check_sizes(max_iter=(max_iter, 0), newton_max_size=(newton_max_size, 0))
        if tol is not None:
            check_positive(tol=tol)
        if not (dt > 0 and math.isfinite(dt)):
            raise OptionsError(f"dt must be a positive number, got {dt!r}")
        parts = {
            "energy": energy,
            "operator": operator,
            "vector_field": vector_field,
            "lagrangian": lagrangian,
            "proposal": proposal,
        }
        _check_parts(mode, {name for name, part in parts.items() if part is not None})
        if mode == "lnn":
            energy = self._noether_energy
        self.L = lagrangian
        self.H = energy
        self.G = operator
        self.f = vector_field
        self.S = proposal
        check_positive(strictly=False, consistency=consistency)
        self.consistency = float(consistency)
        self.dt = float(dt)
        self.mode = mode
        self.tol = tol
        self.max_iter = max_iter
        self.method = method
        self.newton_max_size = newton_max_size
        # The mean square of the data's (u1 − u0)/Δt, set by calibrate(): the loss is
        # relative to it (1 = predicting u_t = 0).
        self.register_buffer("loss_scale", torch.ones((), dtype=torch.float64))

    # -- the continuous model --------------------------------------------------------

    def energy(self, u: Tensor) -> Tensor:
        """H(u): (B, *shape) → (B,)."""
        return self._energy()(u)

    def gradient(self, u: Tensor) -> Tensor:
        """∇H(u) by automatic differentiation, in the shape of ``u``."""
        return energy_gradient(self._energy(), u)

    def discrete_gradient(self, u1: Tensor, u0: Tensor) -> Tensor:
        """Gonzalez's ∇̄H(u1, u0) (see :mod:`~pdec.runtime.energy.discrete_gradient`)."""
        return discrete_gradient(self._energy(), u1, u0)

    def time_derivative(self, u: Tensor) -> Tensor:
        """u_t: G ∇H(u), f(u) for ``node``, (q̇, q̈) for ``lnn``, S(u) for ``fno``."""
        if self.mode == "node":
            return self.f(u)
        if self.mode == "fno":
            return self.S(u)
        if self.mode == "lnn":
            q, v = self._coordinates(u)
            return torch.cat([v, acceleration(self.L, q, v)], dim=-1)
        return self._apply_G(self.gradient(u))

    # -- training --------------------------------------------------------------------

    @torch.no_grad()
    def calibrate(self, u0: Tensor, u1: Tensor) -> None:
        """Data-dependent initialisation from pairs (u0, u1), before training.

        A network initialised for O(1) inputs and outputs is far from data whose
        states or rates are large: KdV's solitons reach u ≈ −8 and its δH/δu ≈ 200, so
        Adam would spend thousands of steps only growing the last layer's weights. So:

        1. each learned network (:class:`~pdec.runtime.energy.networks.Scaled`: the
           energy, or the vector field of ``node``) sees the states standardised by
           their mean and standard deviation;
        2. its output is scaled so that a network of unit size (``network_size``: the
           root mean square of its output, or for an energy of its gradient, in the
           standardised coordinates) gives the model the root mean square u_t of the
           data's (u1 − u0)/Δt: scale² = mean (u_t)² · size² / mean (model's u_t)²
           at u0, with G and Δx included. The random initial network's own size is
           divided out: from one seed to another it varies tenfold, and a scale fitted
           to a small one leaves the network to learn at that size, far below its
           natural O(1) (the pendulum's HNN energy at seed 0: size 0.03, scale 184
           instead of 5.5, and a training loss 20 times larger);
        3. the loss is divided by the data's mean square u_t, so 1 means "no better
           than u_t = 0" whatever the units.

        None of this changes the model class (standardising is an affine change of the
        network's input, the output scale a constant factor); energies with closed
        forms are left as they are. Exactness (H conserved for skew G, ...) is kept.
        """
        rate = ((u1 - u0) / self.dt).pow(2).mean()
        if not bool(torch.isfinite(rate)) or float(rate) == 0.0:
            return
        self.loss_scale.fill_(float(rate))
        if self.mode == "lnn":  # q̈ does not change under L → cL: no output scale
            if isinstance(self.L, Scaled):
                self.L.standardize_inputs(u0)
            return
        if self.mode in ("eno", "fno"):
            _calibrate(self.S, self.S, u0, rate)
        if self.mode != "fno":  # H through G ∇H (dgnet, hnn, eno), or node's f
            network = self.f if self.mode == "node" else self.H
            _calibrate(network, self.time_derivative, u0, rate)

    def loss(self, u0: Tensor, u1: Tensor) -> Tensor:
        """Mean squared error of the step u0 → u1, in units of u_t, divided by
        ``loss_scale`` (the data's mean square u_t after :meth:`calibrate`, else 1).

        ``dgnet``: |(u1 − u0)/Δt − G ∇̄H(u1, u0)|², no solve; ``hnn`` and ``node``:
        |(RK4(u0) − u1)/Δt|².
        """
        if u0.shape != u1.shape:
            raise OptionsError(
                f"pairs of different shapes: u0 {tuple(u0.shape)}, u1 {tuple(u1.shape)}"
            )
        if self.mode in ("eno", "fno"):
            return self._operator_loss(u0, u1) / self.loss_scale.to(u0.dtype)
        if self.mode == "dgnet":
            predicted = self._apply_G(self.discrete_gradient(u1, u0))
            error = (u1 - u0) / self.dt - predicted
        else:
            error = (rk4_step(self.time_derivative, u0, self.dt) - u1) / self.dt
        return error.pow(2).mean() / self.loss_scale.to(error.dtype)

    def fit(self, u0: Tensor, u1: Tensor, **options: Any) -> History:
        """Adam on :meth:`loss` over the pairs (u0[i], u1[i]), after :meth:`calibrate`
        on them (unless ``calibrate=False``); options: :class:`EnergyFitOptions`
        (``epochs``, ``lr``, ``batch_size`` — None: full batch —, ``seed``). Returns a
        :class:`History` with one record per epoch, its loss the epoch's mean. The
        loop is the one trainer's (:mod:`pdec.runtime.trainer`), with checkpoints and
        resume in ``checkpoint_dir``; :func:`pdec.runtime.energy.training.train_pairs`
        runs it by steps instead."""
        options = EnergyFitOptions(**options)
        world, device = join(resolve_device(options.device) if options.device else self.device)
        self.to(device)
        start, save = training_files(self, options)
        if options.calibrate and start is None:
            self.calibrate(*batch_to((u0, u1), self.device))
        optimizer = torch.optim.Adam(self.parameters(), lr=options.lr)
        generator = torch.Generator().manual_seed(options.seed)
        history, first, before = History(), 0, 0.0
        if start is not None:
            checkpoint.load_state(self, start, Path(options.checkpoint_dir) / checkpoint.FILENAME)
            optimizer.load_state_dict(start["optimizer"])
            generator.set_state(start["generator"])
            history = History.from_dict(start["history"])
            history.resumed_from = str(Path(options.checkpoint_dir) / "checkpoint.pt")
            first, before = int(start["epoch"]), float(start["seconds"])
        count = u0.shape[0]
        size = count if options.batch_size is None else options.batch_size

        def batches(epoch: int):
            order = torch.randperm(count, generator=generator)
            for start_at in range(0, count, size):
                chosen = order[start_at : start_at + size]
                yield u0[chosen], u1[chosen]

        def record(step: int, outcomes) -> Record:
            total = 0.0
            for (pairs, _), terms in outcomes:
                total += float(terms["loss"]) * len(pairs)
            unknowns = self.learned() if hasattr(self, "learned") else {}
            return pair_record(step, total / count, trainer.seconds(), options.lr, unknowns)

        def write_checkpoint() -> Path:
            return save(
                {
                    "optimizer": optimizer.state_dict(),
                    "generator": generator.get_state(),
                    "epoch": trainer.done[0],
                    "seconds": trainer.seconds(),
                    "history": trainer.history.to_dict(),
                }
            )

        phase = pair_phase(
            optimizer,
            options.epochs,
            batches,
            record,
            lambda epoch, value: f"the loss became {value} in epoch {epoch}: lower lr",
        )
        trainer = Trainer(
            self,
            [phase],
            save=write_checkpoint if save is not None else None,
            checkpoint_every=options.checkpoint_every,
            progress=options.progress,
            done=[first],
            history=history,
            seconds=before,
            world=world,
            keeps=lambda: {"adam": optimizer},
        )
        return trainer.run()

    # -- prediction ------------------------------------------------------------------

    def step(self, u0: Tensor, *, tol: float | None = None, max_iter: int | None = None) -> Tensor:
        """One step Δt: the implicit discrete-gradient step (``dgnet``) or RK4.

        The implicit step starts from an explicit midpoint step and raises
        :class:`~pdec.runtime.energy.errors.SolverDidNotConverge` when the residual
        stays above ``tol`` for ``max_iter`` updates (defaults: the model's). It is for
        prediction: its result is detached (train with :meth:`loss`, which needs no
        solve).
        """
        if self.mode == "fno":
            return u0 + self.dt * self.S(u0)
        if self.mode not in ("dgnet", "eno"):
            return rk4_step(self.time_derivative, u0, self.dt)
        u0 = u0.detach()
        batch = u0.shape[0]
        flat0 = u0.reshape(batch, -1)

        def residual(u1: Tensor, create_graph: bool) -> Tensor:
            g = discrete_gradient(self.H, u1.reshape(u0.shape), u0, create_graph=create_graph)
            return u1 - flat0 - self.dt * self.G(g.reshape(batch, -1))

        with torch.no_grad():
            if self.mode == "eno":  # the operator's proposal
                guess = (u0 + self.dt * self.S(u0)).reshape(batch, -1)
            else:
                guess = midpoint_step(self.time_derivative, u0, self.dt).reshape(batch, -1)
        tol = self.tol if tol is None else tol
        solution = solve_implicit(
            residual,
            guess,
            1 + flat0.abs().amax(dim=1),
            tol=default_tolerance(u0.dtype) if tol is None else tol,
            max_iter=self.max_iter if max_iter is None else max_iter,
            method=self.method,
            newton_max_size=self.newton_max_size,
        )
        return solution.reshape(u0.shape)

    def rollout(self, u0: Tensor, steps: int) -> Tensor:
        """``steps`` steps from u0: a (steps + 1, B, *shape) tensor, without gradients."""
        states = [u0.detach()]
        with torch.no_grad():
            for _ in range(steps):
                states.append(self.step(states[-1]).detach())
        return torch.stack(states)

    # -- helpers ---------------------------------------------------------------------

    def _energy(self) -> Callable[[Tensor], Tensor]:
        if self.H is None:
            raise NoEnergyError(
                "this model is the unstructured 'node' baseline u_t = f(u): it has no "
                "energy; use mode='dgnet' or 'hnn' for a model with one"
            )
        return self.H

    def _operator_loss(self, u0: Tensor, u1: Tensor) -> Tensor:
        """``fno``: |S(u0) − (u1 − u0)/Δt|²; ``eno`` adds DGNet's loss on the data and
        S's consistency |S(u0) − G ∇̄H(û, u0)|², û = u0 + Δt S(u0), × ``consistency``."""
        rate = (u1 - u0) / self.dt
        proposed = self.S(u0)
        total = (proposed - rate).pow(2).mean()
        if self.mode == "eno":
            data = rate - self._apply_G(self.discrete_gradient(u1, u0))
            guess = u0 + self.dt * proposed
            consistent = proposed - self._apply_G(self.discrete_gradient(guess, u0))
            total = total + data.pow(2).mean() + self.consistency * consistent.pow(2).mean()
        return total

    def _coordinates(self, u: Tensor) -> tuple[Tensor, Tensor]:
        """(q, q̇) of states (B, 2n)."""
        if u.ndim != 2 or u.shape[-1] % 2:
            raise OptionsError(
                f"states (q, dt(q)) of an LNN are (batch, 2 × coordinates), got {tuple(u.shape)}"
            )
        n = u.shape[-1] // 2
        return u[:, :n], u[:, n:]

    def _noether_energy(self, u: Tensor) -> Tensor:
        """E = q̇·∂L/∂q̇ − L of states (B, 2n) → (B,)."""
        q, v = self._coordinates(u)
        return lagrangian_energy(self.L, q, v)

    def _apply_G(self, gradient: Tensor) -> Tensor:
        return self.G(gradient.reshape(gradient.shape[0], -1)).reshape(gradient.shape)

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}, dt={self.dt}"
