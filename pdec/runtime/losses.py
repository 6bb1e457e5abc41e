"""Loss terms from residuals, optionally through ``torch.compile``.

Each term is the mean of its squared residual; the total is Σ weight_i · term_i.
``compile=True`` wraps ``model.residuals`` in ``torch.compile`` and checks one forward
and backward pass against the eager function. If compiling fails, or the compiled
terms or gradients differ — compiled code does not reliably support the double
backward that derivatives by nested autograd need (torch 2.x on CPU runs it but
returns wrong second derivatives); derivatives pushed forward by
:mod:`pdec.runtime.jets` need none — it says so once and goes on with the eager
function.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import torch
from torch import Tensor

Batch = dict[str, dict[str, Tensor]]


def notify(message: str) -> None:
    print(f"pdec: {message}", file=sys.stderr)


class LossTerms:
    """``LossTerms(model, compile)(batch)`` -> {term: mean squared residual}.

    ``shares`` (term → factor; None: 1) weighs each mean: in a run of several
    processes, a rank's share of a term's points (:class:`~pdec.runtime.points.PointSet`).
    """

    def __init__(self, model, compile: bool = False, shares: dict[str, float] | None = None):
        self.model = model
        self.shares = shares
        self.residuals: Callable[[Batch], dict[str, Tensor]] = model.residuals
        self.compiled = False
        self._checked = False
        if compile:
            try:
                keep_eager(model)
                self.residuals = torch.compile(model.residuals)
                self.compiled = True
            except Exception as error:  # torch.compile is unavailable on some platforms
                self._fall_back(error)

    def _fall_back(self, error: BaseException) -> None:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        notify(
            f"torch.compile not used ({type(error).__name__}: {first_line[:200]}); "
            "training without it"
        )
        self.residuals = self.model.residuals
        self.compiled = False

    def trial(self, batch: Batch, parameters: list[Tensor]) -> None:
        """Check the compiled residuals against eager ones on one batch: loss terms and
        parameter gradients must agree. Fall back on an error or a mismatch (compiled
        double backward can be silently wrong)."""
        if not self.compiled:
            return
        notify("compiling the residuals with torch.compile (once; it takes seconds)")
        try:
            compiled = self._terms_and_gradient(self.residuals, batch, parameters)
        except Exception as error:
            self._fall_back(error)
            return
        eager = self._terms_and_gradient(self.model.residuals, batch, parameters)
        # the weights' precision decides (float64 points would promote the terms)
        single = any(p.dtype in (torch.float32, torch.float16, torch.bfloat16) for p in parameters)
        tolerance = 1e-3 if single else 1e-7
        if not torch.allclose(compiled, eager, rtol=tolerance, atol=tolerance * eager.abs().max()):
            self._fall_back(RuntimeError("compiled residuals or gradients differ from eager mode"))

    def _terms_and_gradient(self, function, batch: Batch, parameters: list[Tensor]) -> Tensor:
        residuals = function(batch)
        terms = [residuals[name].square().mean() for name in self.model.residual_names]
        gradients = torch.autograd.grad(sum(terms), parameters, allow_unused=True)
        flat = [g.reshape(-1) for g in gradients if g is not None]
        return torch.cat([torch.stack(terms).detach(), *flat])

    def __call__(self, batch: Batch) -> dict[str, Tensor]:
        try:
            residuals = self.residuals(batch)
        except Exception as error:
            if not self.compiled:
                raise
            self._fall_back(error)
            residuals = self.residuals(batch)
        if not self._checked:
            self._check_names(residuals)
        terms = {name: residuals[name].square().mean() for name in self.model.residual_names}
        if self.shares is not None:
            terms = {name: term * self.shares[name] for name, term in terms.items()}
        return terms

    def _check_names(self, residuals: dict[str, Tensor]) -> None:
        expected = tuple(self.model.residual_names)
        missing = [name for name in expected if name not in residuals]
        extra = [name for name in residuals if name not in expected]
        if missing or extra:
            raise ValueError(
                f"{type(self.model).__name__}.residuals returned terms "
                f"{sorted(residuals)}; expected {list(expected)}"
            )
        self._checked = True


def keep_eager(model) -> None:
    """Run the model's ``eager_methods`` eagerly inside compiled code (they call
    ``autograd.grad``: compiled, that would need double backward)."""
    for name in getattr(model, "eager_methods", ()):
        method = getattr(model, name)
        if not getattr(method, "_pdec_eager", False):
            method = torch.compiler.disable(method)
            method._pdec_eager = True
            setattr(model, name, method)


def total_loss(terms: dict[str, Tensor], weights: dict[str, float]) -> Tensor:
    return sum(weights[name] * term for name, term in terms.items())


def non_finite(terms: dict[str, Tensor]) -> list[str]:
    return [name for name, term in terms.items() if not bool(torch.isfinite(term).all())]


def gradients_finite(parameters: list[Tensor]) -> bool:
    grads = [p.grad for p in parameters if p.grad is not None]
    return bool(torch.stack([torch.isfinite(g).all() for g in grads]).all()) if grads else True


def terms_with_bad_gradients(
    terms: dict[str, Tensor], weights: dict[str, float], parameters: list[Tensor]
) -> list[str]:
    """Which terms have a non-finite gradient (the graph of ``terms`` must be alive)."""
    bad = []
    for name, term in terms.items():
        if not term.requires_grad:
            continue
        gradients = torch.autograd.grad(
            weights[name] * term, parameters, retain_graph=True, allow_unused=True
        )
        if any(g is not None and not bool(torch.isfinite(g).all()) for g in gradients):
            bad.append(name)
    return bad
