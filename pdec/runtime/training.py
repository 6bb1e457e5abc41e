"""``fit(model, options)``: train a PinnModel with Adam, then L-BFGS.

The run, in order:

1. validate the options against the model (term names in ``weights`` and
   ``points_per_term``), move the model to the device and dtype;
2. set up the points (one seeded generator for all sampling), weights, optimizers,
   and — with ``resume`` — restore all of it from ``<checkpoint_dir>/checkpoint.pt``;
3. Adam steps: resample every ``resample_every``, refine every ``rar``, anneal the
   weights every ``adaptive_every``; one update per step;
4. L-BFGS steps on the last points with fixed weights: each is one ``LBFGS.step`` of
   up to 20 iterations with a strong-Wolfe line search and tolerances small enough
   that it keeps going after Adam (the optimizer's memory carries over between steps);
5. the final loss at the final parameters, and a final checkpoint.

Steps 3 and 4 are the two phases of the one trainer (:mod:`pdec.runtime.trainer`),
which owns the loop, the history, the progress bar and when checkpoints are written;
this module supplies the points, the loss, the optimizers and what a checkpoint holds.

Every loss and gradient is checked: a NaN or inf raises :class:`TrainingDiverged`
before the state is touched, so the last checkpoint on disk is a good one.

Under ``torchrun`` the run is data-parallel (:mod:`pdec.runtime.distributed`): every
rank draws the same global points and trains on its share of each term, DDP averages
the gradients, and the loss, the guard, annealing, RAR and L-BFGS's line search see
the all-reduced values, so the run follows the one-process run. Rank 0 alone writes
checkpoints; a checkpoint resumes on any number of processes.
Checkpoints hold everything the run depends on, so an interrupted run resumed with
the same options follows the uninterrupted trajectory exactly (on the same device).
"""

from __future__ import annotations

import math
import time
from functools import partial
from pathlib import Path

import torch

from pdec.runtime import checkpoint
from pdec.runtime.capture import CompiledStep, compile_mode
from pdec.runtime.devices import DTYPES, PRECISIONS, precision_context, resolve_device
from pdec.runtime.distributed import join
from pdec.runtime.errors import OptionsError, TrainingDiverged
from pdec.runtime.history import History, Record
from pdec.runtime.lbfgs import LBFGS
from pdec.runtime.losses import (
    LossTerms,
    gradients_finite,
    keep_eager,
    non_finite,
    notify,
    terms_with_bad_gradients,
    total_loss,
)
from pdec.runtime.options import TrainOptions, check_term_names
from pdec.runtime.points import PointSet
from pdec.runtime.refinement import refine
from pdec.runtime.trainer import DISPLAY_EVERY, Phase, Trainer
from pdec.runtime.weighting import anneal

__all__ = ["DISPLAY_EVERY", "fit"]
REJECTED_LOSS_FACTOR = 1e6  # a non-finite line-search trial counts as this × the loss


def fit(model, options: TrainOptions | None = None, **overrides) -> History:
    """Train ``model`` in place and return its :class:`History`.

    ``options`` is a :class:`TrainOptions` (or None for the defaults); keyword
    ``overrides`` replace some of its values.
    """
    if options is None or overrides:
        base = options.model_dump(exclude_unset=True) if options is not None else {}
        options = TrainOptions(**{**base, **overrides})
    run = _Run(model, options)
    run.trainer.run()
    return run.finish()


class _Run:
    """The PINN's part of a run of the one :class:`~pdec.runtime.trainer.Trainer`: its
    points, weights and optimizers, and the two phases (Adam, L-BFGS) that use them."""

    def __init__(self, model, options: TrainOptions):
        check_term_names(options, tuple(model.residual_names))
        self.model, self.options = model, options
        self.world, device = join(resolve_device(options.device or model.config["device"]))
        dtype = options.dtype or (PRECISIONS[options.precision] if options.precision else None)
        model.to(device=device, dtype=DTYPES[dtype] if dtype else model.dtype)
        self.parameters = [p for p in model.parameters() if p.requires_grad]
        self.pde_terms = model.pde_terms()
        if options.adaptive == "annealing" and not self.pde_terms:
            raise OptionsError(
                "adaptive='annealing' needs an interior (pde) term to balance against"
            )

        samplers = model.samplers()
        missing = [name for name in model.residual_names if name not in samplers]
        if missing:
            raise ValueError(f"{type(model).__name__}.samplers() has no sampler for {missing}")
        counts = {
            name: options.points_per_term.get(
                name, options.points if name in self.pde_terms else options.boundary_points
            )
            for name in model.residual_names
        }
        self.generator = torch.Generator().manual_seed(options.seed)
        self.points = PointSet(
            {name: samplers[name] for name in model.residual_names},
            counts,
            options.sampling,
            self.generator,
            self.world,
        )
        self.weights = {
            name: float(options.weights.get(name, 1.0)) for name in model.residual_names
        }
        mode = compile_mode(model, options)
        if mode == "step" and self.world.distributed:
            notify(
                "the whole step is not compiled in a run of several processes (DDP's "
                "gradient all-reduce); compiling the residuals"
            )
            mode = "residuals"
        shares = self.points.shares if self.world.distributed else None
        self.loss_terms = LossTerms(model, mode == "residuals", shares)

        scalars = {id(p) for p in model.unknown_scalars.parameters()}
        groups = [{"params": [p for p in self.parameters if id(p) not in scalars]}]
        if scalars:
            groups.append(
                {
                    "params": [p for p in self.parameters if id(p) in scalars],
                    "lr": options.lr_unknowns or options.lr,
                }
            )
        # A captured step on CUDA replays the update from a graph: Adam's step counts
        # must live on the device (capturable) so that no host value is baked in.
        capturable = mode == "step" and device.type == "cuda"
        self.adam = torch.optim.Adam(groups, lr=options.lr, capturable=capturable)
        self.scheduler = None
        if options.lr_decay is not None:
            gamma = options.lr_decay ** (1 / 1000)
            self.scheduler = torch.optim.lr_scheduler.ExponentialLR(self.adam, gamma=gamma)
        self.lbfgs = None
        self.compiled_step = None
        if mode == "step":
            keep_eager(model)
            self.compiled_step = CompiledStep(self.whole_step, model, self.adam, device)
        self.checkpoint_dir = Path(options.checkpoint_dir) if options.checkpoint_dir else None
        phases = [
            Phase(
                "adam",
                options.steps,
                batches=self.adam_batches,
                loss=self.adam_loss,
                optimize=self.adam_optimize,
                update=self.compiled_update if self.compiled_step is not None else None,
                record=self.record_step,
                check=self.check_terms,
                sharded=True,  # the points' shares, weighed per term (LossTerms)
            ),
            Phase(
                "lbfgs",
                options.lbfgs_steps,
                batches=lambda step: [self.batch()],
                update=self.lbfgs_update,
                record=self.record_step,
                enter=self.enter_lbfgs,
                reduced_precision=False,  # the line search needs the loss to full precision
                sharded=True,
            ),
        ]
        self.trainer = Trainer(
            model,
            phases,
            save=self.save if self.checkpoint_dir is not None else None,
            checkpoint_every=options.checkpoint_every,
            log_every=options.log_every,
            progress=options.progress,
            precision=partial(precision_context, options.precision or "float32", device),
            world=self.world,
            keeps=self.optimizers,
        )

        found = checkpoint.latest(self.checkpoint_dir) if options.resume else None
        found = self.world.from_main(lambda: found)
        if found is not None:
            self.restore(found)
        else:
            self.points.draw()
        self.loss_terms.trial(self.batch(), self.parameters)
        self.trainer.started = time.perf_counter()

    def optimizers(self) -> dict:
        """What a rollback to the last good state restores besides the model."""
        found = {"adam": self.adam, "scheduler": self.scheduler, "lbfgs": self.lbfgs}
        return {name: value for name, value in found.items() if value is not None}

    # -- the trainer's counters, under the names the checkpoints use ------------------------

    @property
    def adam_steps(self) -> int:
        return self.trainer.done[0]

    @property
    def lbfgs_steps(self) -> int:
        return self.trainer.done[1]

    @property
    def phase(self) -> str:
        return self.trainer.phase.name

    @property
    def history(self) -> History:
        return self.trainer.history

    @property
    def last_checkpoint(self) -> Path | None:
        return self.trainer.last_checkpoint

    @property
    def total_steps(self) -> int:
        return self.trainer.total_steps

    @property
    def steps_done(self) -> int:
        return self.trainer.steps_done

    def batch(self):
        return self.points.batch(self.model.device, self.model.dtype)

    # -- the phases ----------------------------------------------------------------------

    def adam_batches(self, step: int):
        """The points of Adam step ``step`` (from 0): resampled every ``resample_every``,
        refined every ``rar``."""
        options = self.options
        if step > 0 and options.resample_every and step % options.resample_every == 0:
            self.points.draw()
        if step > 0 and options.rar and step % options.rar == 0:
            refine(
                self.model, self.points, self.pde_terms, options.rar_candidates, options.rar_points
            )
        yield self.batch()

    def adam_loss(self, model, batch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The weighted loss and its terms (the trainer guards them: ``check_terms``)."""
        options = self.options
        terms = self.loss_terms(batch)
        if options.adaptive == "annealing" and self.adam_steps % options.adaptive_every == 0:
            if not self.world.distributed:  # a non-finite term stops before its gradients
                self.check_terms(terms)
            self.weights = anneal(
                terms,
                self.weights,
                self.pde_terms,
                self.parameters,
                options.adaptive_alpha,
                self.world.mean,
            )
        return total_loss(terms, self.weights), terms

    def adam_optimize(self, total: torch.Tensor) -> None:
        self.adam.zero_grad(set_to_none=True)
        total.backward(inputs=self.parameters)
        self.check_gradients()
        self.adam.step()
        if self.scheduler is not None:
            self.scheduler.step()

    def whole_step(self, batch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """One Adam update as one function (what :class:`CompiledStep` compiles): no
        host values inside, so the finite-loss guard runs after it."""
        self.adam.zero_grad(set_to_none=True)
        terms = self.loss_terms(batch)
        total = total_loss(terms, self.weights)
        total.backward(inputs=self.parameters)
        self.adam.step()
        return total.detach(), {name: term.detach() for name, term in terms.items()}

    def compiled_update(self, model, batch) -> dict[str, torch.Tensor]:
        if not self.compiled_step.compiled:  # fell back: the guarded eager step
            total, terms = self.adam_loss(model, batch)
            self.check_terms(terms)
            self.adam_optimize(total)
            return {name: term.detach() for name, term in terms.items()}
        _, terms = self.compiled_step(batch)
        self.check_terms(terms)  # after the update: the checkpoint on disk is still good
        return terms

    def enter_lbfgs(self) -> None:
        if self.lbfgs is None:
            self.lbfgs = LBFGS(self.parameters)

    def lbfgs_update(self, model, batch) -> dict[str, torch.Tensor]:
        """One L-BFGS step. The closure's loss is the all-reduced one, and a trial point
        is rejected on all-reduced values, so every rank's line search takes the same
        path (each evaluation is one DDP forward and backward)."""
        first: dict[str, torch.Tensor] = {}
        distributed = self.world.distributed

        def closure():
            terms = self.trainer.forward(lambda _, points: self.loss_terms(points), batch)
            total = total_loss(terms, self.weights)
            value, reduced = self.trainer.reduce(total, terms)
            # the loss the line search sees: this rank's is a share of it
            seen = total.detach().new_tensor(value) if distributed else total
            if first:  # a trial point of the line search: reject it, don't stop
                self.lbfgs.optimizer.zero_grad(set_to_none=True)
                if math.isfinite(value):
                    total.backward(inputs=self.parameters)
                    if gradients_finite(self.parameters):
                        return seen
                return self.rejected_trial(first)
            self.check_terms(reduced)
            self.lbfgs.optimizer.zero_grad(set_to_none=True)
            total.backward(inputs=self.parameters)
            self.check_gradients()
            first.update(reduced)
            return seen

        self.lbfgs.step(closure)
        return first

    def rejected_trial(self, first: dict[str, torch.Tensor]) -> torch.Tensor:
        """A line-search trial point with a non-finite loss or gradient: report a loss far
        above the step's starting one and a zero gradient, so the strong-Wolfe search
        shrinks its step (inf or NaN would poison its interpolation). Where the step
        ends up is checked like any other point: at the next step, or in ``finish``."""
        for parameter in self.parameters:
            parameter.grad = torch.zeros_like(parameter)
        start = float(total_loss(first, self.weights))
        return torch.tensor(REJECTED_LOSS_FACTOR * max(abs(start), 1e-30))

    def record_step(self, step: int, outcomes) -> Record:
        ((_, terms),) = outcomes
        return self.record(step, terms)

    def record(self, step: int, terms) -> Record:
        values = {name: float(term) for name, term in terms.items()}
        return Record(
            step=step,
            phase=self.phase,
            loss=sum(self.weights[name] * value for name, value in values.items()),
            terms=values,
            weights=dict(self.weights),
            seconds=self.trainer.seconds(),
            unknowns=self.model.learned(),
        )

    def finish(self) -> History:
        """The final loss terms (over all ranks), and the final checkpoint (rank 0)."""
        terms = self.loss_terms(self.batch())
        _, terms = self.trainer.reduce(total_loss(terms, self.weights), terms)
        self.check_terms(terms, final=True)
        self.history.final = self.record(self.steps_done, terms)
        if self.checkpoint_dir is not None and self.steps_done > 0 and self.world.main:
            self.save()
        return self.history

    # -- divergence ----------------------------------------------------------------------

    def check_terms(self, terms, final: bool = False) -> None:
        if bool(torch.isfinite(total_loss(terms, self.weights)).all()):
            return
        self.diverged(non_finite(terms) or list(terms), "loss", final)

    def check_gradients(self) -> None:
        if gradients_finite(self.parameters):
            return
        terms = self.loss_terms(self.batch())
        bad = terms_with_bad_gradients(terms, self.weights, self.parameters)
        self.diverged(bad or list(terms), "gradient", False)

    def diverged(self, names: list[str], what: str, final: bool) -> None:
        step = self.steps_done + (0 if final else 1)
        raise TrainingDiverged(
            f"training diverged at step {step} ({self.phase}): non-finite {what} in "
            f"term{'s' if len(names) > 1 else ''} {', '.join(names)}",
            step=step,
            phase=self.phase,
            terms=names,
            checkpoint=self.last_checkpoint,
        )

    # -- checkpoints ---------------------------------------------------------------------

    def save(self) -> Path:
        if not all(bool(torch.isfinite(p).all()) for p in self.parameters):
            self.diverged(["(parameters)"], "parameter", True)
        data = self.model.model_data()
        data.update(
            format=checkpoint.TRAINING_FORMAT,
            adam_steps=self.adam_steps,
            lbfgs_steps=self.lbfgs_steps,
            phase=self.phase,
            optimizers={
                "adam": self.adam.state_dict(),
                "scheduler": self.scheduler.state_dict() if self.scheduler else None,
                "lbfgs": self.lbfgs.state_dict() if self.lbfgs else None,
            },
            rng={"sampler": self.generator.get_state(), "torch": torch.get_rng_state()},
            points=self.points.state_dict(),
            weights=dict(self.weights),
            seconds=self.trainer.seconds(),
            options=self.options.model_dump(mode="json"),
            history=self.history.to_dict(),
        )
        path = self.checkpoint_dir / checkpoint.FILENAME
        self.trainer.last_checkpoint = checkpoint.write_atomic(data, path)
        return self.trainer.last_checkpoint

    def new_learning_rates(self, before: dict) -> None:
        """A run resumed with another ``lr`` or ``lr_unknowns`` (after a divergence, say)
        takes them: Adam's restored groups carry the old ones. Decay continues from the
        steps done. Unchanged rates leave the restored groups exactly as they were."""
        options = self.options
        rates = [options.lr, options.lr_unknowns or options.lr]
        old = [before.get("lr"), before.get("lr_unknowns") or before.get("lr")]
        decay = (options.lr_decay ** (1 / 1000)) ** self.trainer.done[0] if options.lr_decay else 1
        for group, rate, previous in zip(self.adam.param_groups, rates, old):
            if previous is not None and rate != previous:
                group["lr"] = rate * decay
                if "initial_lr" in group:
                    group["initial_lr"] = rate

    def restore(self, path: Path) -> None:
        """Everything from the checkpoint at ``path``, as rank 0 reads it (the points and
        generators are the global ones: any number of processes resumes it)."""
        data = self.world.from_main(
            lambda: checkpoint.read(path, formats=(checkpoint.TRAINING_FORMAT,))
        )
        checkpoint.check_spec(data, self.model.spec_sha256, path, "start without resume")
        checkpoint.check_representation(data, self.model.lifted, path)
        model = self.model
        checkpoint.load_state(model, data, path)
        self.adam.load_state_dict(data["optimizers"]["adam"])
        if self.scheduler is not None and data["optimizers"]["scheduler"] is not None:
            self.scheduler.load_state_dict(data["optimizers"]["scheduler"])
        if data["optimizers"]["lbfgs"] is not None:
            self.lbfgs = LBFGS(self.parameters)
            self.lbfgs.load_state_dict(data["optimizers"]["lbfgs"])
        self.generator.set_state(data["rng"]["sampler"])
        torch.set_rng_state(data["rng"]["torch"])
        self.points.load_state_dict(data["points"])
        self.weights.update(data["weights"])
        trainer = self.trainer
        trainer.done = [data["adam_steps"], data["lbfgs_steps"]]
        self.new_learning_rates(data["options"])
        trainer.current = [phase.name for phase in trainer.phases].index(data["phase"])
        trainer.seconds_before = data["seconds"]
        trainer.history = History.from_dict(data["history"])
        trainer.history.final = None
        trainer.history.resumed_from = str(path)
        trainer.last_checkpoint = path
