"""Darcy flow with the operator target: the generated DarcyOperator (FNO) trained at
res² on pairs from `pdec data`, relative L2 on held-out pairs at res² and at eval-res²
(the same coefficient fields, solved on the finer grid), and time per epoch against
neuraloperator's FNO at the same width and modes, in the same process, epochs
interleaved.

    python -m benchmarks.operator_darcy [--train 1000] [--test 100] [--res 64]
        [--eval-res 128] [--epochs 30] [--width 32] [--modes 12] [--batch 20]
        [--lr 1e-3] [--schedule step] [--physics 0] [--threads 1] [--no-peer]
        [--no-publish]

Both models see the same batches and the same loop (Adam with the operator training's
:func:`~pdec.runtime.operator.training.learning_rate`: lr halved every epochs/5, or a
half cosine with ``--schedule cosine``; relative L2 loss, batch 20); neuraloperator's
FNO is configured as Li et al.'s original (no channel MLPs, linear skips, projection
width 4×width, grid embedding) and gets its inputs centred and scaled the same way.
Peak memory is reported on CUDA only (torch.cuda.max_memory_allocated); on the CPU it
is not measured. Every epochs/10 epochs the script prints pdec's held-out error.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

import pdec
from benchmarks.results import publish
from pdec.reference.operator_data import generate_operator_data
from pdec.runtime.operator import relative_l2
from pdec.runtime.operator.training import learning_rate

ROOT = Path(__file__).resolve().parents[1]


def neuraloperator_fno(width: int, modes: int):
    """neuraloperator's FNO set up as the original architecture, or None if absent."""
    try:
        from neuralop.models import FNO
    except ImportError:
        return None
    return FNO(
        n_modes=(2 * modes, 2 * modes),  # total modes per axis: −m … m − 1 (last: 0 … m)
        in_channels=1,
        out_channels=1,
        hidden_channels=width,
        n_layers=4,
        lifting_channel_ratio=1,
        projection_channel_ratio=4,
        use_channel_mlp=False,
        fno_skip="linear",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (
        ("train", 1000),
        ("test", 100),
        ("res", 64),
        ("eval-res", 128),
        ("epochs", 30),
        ("width", 32),
        ("modes", 12),
        ("batch", 20),
        ("threads", 1),
    ):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--schedule", choices=("step", "cosine"), default="step")
    parser.add_argument("--physics", type=float, default=0.0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--no-publish", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    start = time.perf_counter()

    spec = pdec.load(ROOT / "specs" / "darcy.pde")
    train = generate_operator_data(spec, args.train, args.res, seed=0)
    test = generate_operator_data(spec, args.test, args.res, seed=1)
    test_fine = generate_operator_data(spec, args.test, args.eval_res, seed=1)
    data_seconds = time.perf_counter() - start

    Model = pdec.compile(spec, target="operator", out_dir=tempfile.mkdtemp())
    ours = Model(modes=args.modes, width=args.width, seed=0).to(device)
    a = torch.as_tensor(train.inputs, dtype=torch.float32, device=device)
    u = torch.as_tensor(train.outputs, dtype=torch.float32, device=device)
    ours._set_scales(a, u)  # the same scaling fit() uses
    models = {"pdec DarcyOperator": ours}
    peer = None if args.no_peer else neuraloperator_fno(args.width, args.modes)
    if peer is not None:
        torch.manual_seed(0)
        models["neuraloperator FNO"] = peer.to(device)

    def forward(name, model, inputs):
        if model is ours:
            return model(inputs)
        return model((inputs - ours.input_mean) / ours.input_scale) * ours.output_scale

    optimizers = {
        name: torch.optim.Adam(m.parameters(), lr=args.lr, weight_decay=1e-4)
        for name, m in models.items()
    }

    def error(name, model, data):
        with torch.no_grad():
            inputs = torch.as_tensor(data.inputs, dtype=torch.float32, device=device)
            target = torch.as_tensor(data.outputs, dtype=torch.float32, device=device)
            return float(relative_l2(forward(name, model, inputs), target).mean())

    seconds = {name: [] for name in models}
    peak = {name: None for name in models}
    generator = torch.Generator().manual_seed(0)
    for epoch in range(args.epochs):
        order = torch.randperm(a.shape[0], generator=generator)
        rate = learning_rate(epoch, args.lr, args.epochs, args.schedule)
        for optimizer in optimizers.values():
            for group in optimizer.param_groups:
                group["lr"] = rate
        for name, model in models.items():  # interleaved: the same machine state
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats()
                torch.cuda.synchronize()
            tic = time.perf_counter()
            for batch in order.split(args.batch):
                optimizers[name].zero_grad()
                predicted = forward(name, model, a[batch])
                loss = relative_l2(predicted, u[batch]).mean()
                if args.physics and model is ours:
                    loss = loss + args.physics * ours.physics_loss(a[batch], predicted)
                loss.backward()
                optimizers[name].step()
            if device.type == "cuda":
                torch.cuda.synchronize()
                peak[name] = max(peak[name] or 0, torch.cuda.max_memory_allocated())
            seconds[name].append(time.perf_counter() - tic)
        if (epoch + 1) % max(1, args.epochs // 10) == 0:
            held_out = error("pdec DarcyOperator", ours, test)
            print(f"epoch {epoch + 1}: pdec held-out rel. L2 {held_out:.3e}", flush=True)

    rows = []
    base = statistics.median(seconds["pdec DarcyOperator"])
    for name, model in models.items():
        per_epoch = statistics.median(seconds[name])
        memory = f"{peak[name] / 2**20:.0f}" if peak[name] else "–"
        rows.append(
            f"| {name} | {sum(p.numel() for p in model.parameters()):,} | "
            f"{error(name, model, test):.3e} | {error(name, model, test_fine):.3e} | "
            f"{per_epoch:.2f} | {per_epoch / base:.2f} | {memory} |"
        )
    wall = time.perf_counter() - start
    command = (
        f"`python -m benchmarks.operator_darcy --train {args.train} --test {args.test} "
        f"--res {args.res} --eval-res {args.eval_res} --epochs {args.epochs} --width "
        f"{args.width} --modes {args.modes} --batch {args.batch} --lr {args.lr:g} --schedule "
        f"{args.schedule} --physics {args.physics:g} --threads {args.threads} --device "
        f"{args.device}{' --no-peer' if args.no_peer else ''}`"
    )
    peer_note = (
        "; neuraloperator's FNO runs unpadded (its default), so it computes on fewer points. "
        "Time ratio: s/epoch over pdec's, epochs interleaved."
        if peer is not None
        else "."
    )
    table = "\n".join(
        [
            f"### Darcy operator (FNO) — {time.strftime('%Y-%m-%d')}, torch {torch.__version__}, "
            f"{args.device} ({platform.machine()}), {args.threads} thread(s)",
            "",
            f"{command} — data {data_seconds:.0f} s, total wall {wall:.0f} s. Relative L2 (mean "
            f"over {args.test} held-out pairs) at {args.res}² (trained) and {args.eval_res}² "
            "(same coefficients, solved on the finer grid). pdec pads each non-periodic "
            f"axis by 1/8 ({args.res}² → {'×'.join(map(str, _padded(ours, args.res)))} in the "
            f"Fourier layers){peer_note}",
            "",
            f"| model | parameters | rel. L2 {args.res}² | rel. L2 {args.eval_res}² | "
            "s / epoch | time ratio | peak MiB |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    if args.no_publish:
        print(table)
    else:
        publish(table)


def _padded(model, res: int) -> tuple[int, ...]:
    return tuple(n + p for n, p in zip((res, res), model.fno.pads((res, res))))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
