"""Residual-based adaptive refinement (RAR, Lu et al. 2021).

For each pde term: draw ``candidates`` fresh points from its sampler, evaluate the
term's residual there (the other terms on their current points) and add the ``count``
points with the largest |residual| to the term's points.

In a run of several processes every rank draws the same candidates (the points'
generator is the same everywhere), evaluates its share of them, and the sizes are
gathered, so every rank picks the same global top ``count`` and adds the same points.
"""

from __future__ import annotations

import torch

from pdec.runtime.points import PointSet


def refine(model, points: PointSet, terms: tuple[str, ...], candidates: int, count: int) -> None:
    samplers = model.samplers()
    world = points.world
    for name in terms:
        drawn = samplers[name].sample(candidates, points.generator, points.method)
        start, stop = world.part(candidates)
        local = {key: value[start:stop] for key, value in drawn.items()}
        batch = dict(points.batch(model.device, model.dtype))
        batch[name] = points.prepare(name, local, model.device, model.dtype)
        with torch.enable_grad():
            residual = model.residuals(batch)[name].detach()
        size = world.gather(residual.reshape(len(residual), -1).abs().amax(dim=1))
        chosen = torch.topk(size, min(count, len(size))).indices.cpu()
        points.add(name, {key: value[chosen] for key, value in drawn.items()})
