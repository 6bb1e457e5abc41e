"""Data parallelism on PyTorch's own engine: ``torchrun`` starts the processes,
``torch.distributed`` connects them, ``DistributedDataParallel`` averages the gradients.

A run started by ``torchrun --nproc-per-node N`` (or ``pdec train --nproc N``) has
``WORLD_SIZE``, ``RANK`` and ``LOCAL_RANK`` in its environment; :func:`join` connects
the process to the others (gloo on the CPU, NCCL on CUDA, one device per rank:
``cuda:LOCAL_RANK``) and returns its :class:`World`. Without them a run is a world of
one, and nothing here does any work.

**Same run, more processes.** Every rank draws the *global* batch, exactly as one
process would (the same seeded generators: collocation points, permutations of the
pairs, minibatches), and keeps a contiguous share of it (:meth:`World.part`). Its loss
is the mean over its share times ``share = n_local · world_size / n``, so that the mean
over ranks, which is what DDP's all-reduce of the gradients computes, is the gradient
of the loss over all ``n`` items, and the reported loss is the same all-reduced mean.
So a run on N processes follows the one-process run (to rounding: the sums are split),
the points and generators in a checkpoint are the global ones, and a run resumes on
any number of processes. (The alternative — each rank seeding its own draws from its
rank — would make the run depend on the number of processes, break quasi-random
point sets into N unrelated ones, and stop a resumed run on another number of
processes from continuing the same history.)

A share can be empty (a term with one point, a minibatch smaller than the world): the
rank then evaluates the batch's first item with ``share = 0``, so that it still takes
part in every collective.

Every decision that ends or branches a run — the finite-loss guard, a line search
rejecting a trial point — is taken on all-reduced values, so all ranks take it together
and none waits forever for the others.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import torch
from torch import Tensor, nn

from pdec.runtime.errors import OptionsError

T = TypeVar("T")
TIMEOUT = timedelta(minutes=10)  # a rank that stops answering fails the others this soon


@dataclass(frozen=True)
class World:
    """This process's place among the processes of one run."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def distributed(self) -> bool:
        return self.size > 1

    @property
    def main(self) -> bool:
        """Rank 0 owns all output: checkpoints, progress bars, plots, summaries."""
        return self.rank == 0

    # -- shares --------------------------------------------------------------------------

    def part(self, n: int) -> tuple[int, int]:
        """This rank's contiguous share [start, stop) of ``n`` items: sizes differ by at
        most one, the first ``n % size`` ranks taking one more (``torch.tensor_split``)."""
        base, extra = divmod(n, self.size)
        start = self.rank * base + min(self.rank, extra)
        return start, start + base + (self.rank < extra)

    def split(self, batch: T) -> tuple[T, float]:
        """This rank's share of ``batch`` — a tensor, or tuples, lists and dicts of
        tensors with one leading size n — and its ``share`` (see the module docstring).
        A world of one returns the batch itself and 1."""
        if not self.distributed:
            return batch, 1.0
        sizes = {leaf.shape[0] for leaf in _leaves(batch)}
        if len(sizes) != 1:
            raise ValueError(f"a batch to split needs one leading size, not {sorted(sizes)}")
        (n,) = sizes
        start, stop = self.part(n)
        if start == stop:  # nothing for this rank: one item, counted zero times
            return _slice(batch, 0, 1), 0.0
        return _slice(batch, start, stop), (stop - start) * self.size / n

    # -- collectives (no-ops in a world of one) ------------------------------------------

    def mean(self, tensor: Tensor) -> Tensor:
        """The mean of ``tensor`` over ranks (a new tensor)."""
        if not self.distributed:
            return tensor
        total = tensor.detach().clone()
        torch.distributed.all_reduce(total)
        return total / self.size

    def gather(self, tensor: Tensor) -> Tensor:
        """Every rank's ``tensor`` (leading sizes may differ), concatenated in rank order
        along dim 0 on every rank."""
        if not self.distributed:
            return tensor
        tensor = tensor.detach().contiguous()
        sizes = [torch.zeros((), dtype=torch.long, device=tensor.device) for _ in range(self.size)]
        torch.distributed.all_gather(
            sizes, torch.tensor(tensor.shape[0], dtype=torch.long, device=tensor.device)
        )
        longest = int(max(sizes))
        padded = tensor.new_zeros((longest, *tensor.shape[1:]))
        padded[: tensor.shape[0]] = tensor
        pieces = [torch.empty_like(padded) for _ in range(self.size)]
        torch.distributed.all_gather(pieces, padded)
        return torch.cat([piece[: int(size)] for piece, size in zip(pieces, sizes)])

    def from_main(self, function: Callable[[], T]) -> T:
        """``function()`` on rank 0, its result (picklable) sent to every rank: a file
        that rank 0 reads is what every rank uses (a checkpoint to resume from), even
        where the ranks do not share a file system."""
        if not self.distributed:
            return function()
        box = [function() if self.main else None]
        torch.distributed.broadcast_object_list(box, src=0)
        return box[0]

    def barrier(self) -> None:
        if self.distributed:
            torch.distributed.barrier()


def _leaves(batch) -> list[Tensor]:
    if isinstance(batch, Tensor):
        return [batch]
    if isinstance(batch, tuple | list):
        return [leaf for item in batch for leaf in _leaves(item)]
    if isinstance(batch, dict):
        return [leaf for item in batch.values() for leaf in _leaves(item)]
    return []


def _slice(batch, start: int, stop: int):
    if isinstance(batch, Tensor):
        return batch[start:stop]
    if isinstance(batch, tuple | list):
        return type(batch)(_slice(item, start, stop) for item in batch)
    if isinstance(batch, dict):
        return {key: _slice(item, start, stop) for key, item in batch.items()}
    return batch


# -- joining a run ---------------------------------------------------------------------------


def environment_size() -> int:
    """The number of processes ``torchrun`` started (1 outside torchrun)."""
    try:
        return max(1, int(os.environ.get("WORLD_SIZE", "1")))
    except ValueError:
        return 1


def current() -> World:
    """This process's world: the process group's, if one is initialised, else one."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return World(
            torch.distributed.get_rank(),
            torch.distributed.get_world_size(),
            int(os.environ.get("LOCAL_RANK", "0")),
        )
    return World()


def join(device: torch.device | None = None) -> tuple[World, torch.device | None]:
    """Connect this process to the other ranks of a ``torchrun`` run (once), and the
    device it trains on: ``cuda`` becomes ``cuda:LOCAL_RANK``. Outside torchrun: a
    world of one and ``device`` unchanged."""
    if environment_size() > 1 and not torch.distributed.is_initialized():
        # one group for either device: the caller may not know its device yet (the CLI
        # joins before it reads the options)
        backend = "gloo"
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
            backend = "cpu:gloo,cuda:nccl"
        try:
            torch.distributed.init_process_group(backend, timeout=TIMEOUT)
        except (ValueError, RuntimeError) as error:  # WORLD_SIZE set by hand, no rendezvous
            raise OptionsError(
                f"WORLD_SIZE={environment_size()} asks for a run of several processes, but "
                f"they cannot connect ({str(error).splitlines()[0][:200]}): start them with "
                "torchrun or `pdec train --nproc N`, or unset WORLD_SIZE"
            ) from None
    world = current()
    if world.distributed and device is not None and device.type == "cuda" and device.index is None:
        device = torch.device("cuda", world.local_rank)
    return world, device


def leave() -> None:
    """Close the process group, if this process opened one (the end of ``pdec train``)."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


# -- the replicas ----------------------------------------------------------------------------


class _Call(nn.Module):
    """What DDP wraps: ``forward(function, batch) = function(model, batch)``, so that any
    loss (residuals, a pair loss, an operator loss) is computed inside DDP's forward,
    where it prepares the gradient all-reduce of the backward that follows."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, function: Callable[[nn.Module, Any], T], batch: Any) -> T:
        return function(self.model, batch)


class Replicas:
    """``replicas(function, batch)`` → ``function(model, batch)``, through one
    ``DistributedDataParallel`` around ``model`` in a distributed world (one per model:
    two would all-reduce every gradient twice), directly in a world of one.

    ``static_graph``: a loss need not reach every parameter (an energy's constant offset
    has no gradient), but the ones it reaches are the same at every step, which DDP
    then learns once instead of searching the graph at every step
    (``find_unused_parameters``); it also allows a forward without a backward (a line
    search's rejected trial). Buffers are not broadcast at each forward: they are
    fixed scales, equal on every rank from the broadcast DDP makes when it starts."""

    def __init__(self, model: nn.Module, world: World):
        self.model, self.world = model, world
        self.ddp = None
        if world.distributed:
            device = next((p.device for p in model.parameters()), torch.device("cpu"))
            self.ddp = nn.parallel.DistributedDataParallel(
                _Call(model),
                device_ids=[device.index] if device.type == "cuda" else None,
                static_graph=True,
                forward_sync_buffers=False,
            )
            # derivatives by double backward leave some gradients transposed: DDP copies
            # them into its buckets all the same, and warns that this is slower
            warnings.filterwarnings("ignore", message="Grad strides do not match bucket view")

    def __call__(self, function: Callable[[nn.Module, Any], T], batch: Any) -> T:
        if self.ddp is None:
            return function(self.model, batch)
        return self.ddp(function, batch)


__all__ = ["Replicas", "World", "current", "environment_size", "join", "leave"]
