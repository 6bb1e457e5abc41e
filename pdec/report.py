"""What `pdec train` shows at the end: a summary table, errors against the spec's
reference, the history as JSON, and plots (loss curves; the field; for a spec with a
free surface at y = 0, the surface displacement against the reference)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import torch
from rich.console import Console
from rich.table import Table


def summarize_training(spec, model, history, run: Path, console: Console) -> dict:
    data = history.to_dict()
    final = data.get("final") or (data["records"][-1] if data.get("records") else {})
    table = Table(title=f"{spec.name}: training summary", show_lines=False)
    table.add_column("term")
    table.add_column("final loss", justify="right")
    table.add_column("weight", justify="right")
    terms = final.get("terms", {})
    weights = final.get("weights", {})
    for name, value in terms.items():
        table.add_row(name, f"{value:.3e}", f"{weights.get(name, 1.0):g}")
    table.add_row("total", f"{final.get('loss', float('nan')):.3e}", "", style="bold")
    console.print(table)
    summary = {"spec": spec.name, "final": final, "seconds": data.get("seconds")}
    if getattr(model, "reference", None):
        errors = model.evaluate()
        summary["relative_l2"] = errors
        for field, error in errors.items():
            console.print(f"relative L2 error of {field} against the spec's reference: {error:.3e}")
    _write_json(run / "summary.json", summary)
    _write_json(run / "history.json", data)
    plots = plot_run(spec, model, data, run)
    for path in plots:
        console.print(f"plot: {path}")
    return summary


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2, default=float)
    os.replace(tmp, path)


def plot_run(spec, model, history: dict, run: Path) -> list[Path]:
    """Loss curves, the learned field on a grid, and the surface profile (y = 0)."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    paths = []
    records = history.get("records", [])
    if records:
        fig, ax = plt.subplots(figsize=(6, 4))
        steps = [r["step"] for r in records]
        for name in records[-1].get("terms", {}):
            ax.semilogy(steps, [r["terms"][name] for r in records], label=name)
        ax.semilogy(steps, [r["loss"] for r in records], "k", lw=2, label="total")
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.legend(fontsize=8)
        ax.set_title(f"{spec.name}: loss")
        paths.append(_save(fig, run / "loss.png"))
        plt.close(fig)
    box = _plot_box(spec)
    if box is not None and len(box) == 2:
        (xn, (x0, x1)), (yn, (y0, y1)) = box
        xs, ys = np.meshgrid(np.linspace(x0, x1, 201), np.linspace(y0, y1, 201))
        field = model.field_names[0]
        values = model.predict(**{xn: xs, yn: ys})[field]
        fig, ax = plt.subplots(figsize=(6, 4))
        image = ax.pcolormesh(xs, ys, values, shading="auto", cmap="RdBu_r")
        fig.colorbar(image, ax=ax, label=field)
        ax.set_xlabel(xn)
        ax.set_ylabel(yn)
        ax.set_title(f"{spec.name}: learned {field}")
        paths.append(_save(fig, run / "field.png"))
        plt.close(fig)
        if getattr(model, "reference", None) and yn == "y" and y1 == 0.0:
            paths.append(_surface_profile(spec, model, field, xn, (x0, x1), run, plt))
    return paths


def _surface_profile(spec, model, field, xn, span, run, plt) -> Path:
    x = np.linspace(*span, 801)
    y = np.zeros_like(x)
    learned = model.predict(**{xn: x, "y": y})[field]
    coords = {
        xn: torch.as_tensor(x, dtype=torch.float64),
        "y": torch.as_tensor(y, dtype=torch.float64),
    }
    reference = model.reference[field](coords).detach().cpu().numpy()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(x, reference, "k", lw=2, label="reference (closed form)")
    ax.plot(x, learned, "r--", lw=1.5, label="PINN")
    ax.set_xlabel(xn)
    ax.set_ylabel(f"{field} at y = 0")
    ax.legend()
    ax.set_title(f"{spec.name}: surface displacement")
    path = _save(fig, run / "surface.png")
    plt.close(fig)
    return path


def _plot_box(spec):
    """((name, (lo, hi)), ...) of the first region, if it is a box in space only."""
    from pdec.ir import nodes as ir

    if spec.ir.time is not None or not spec.ir.regions:
        return None
    shape = spec.ir.regions[0].shape
    if not isinstance(shape, ir.Box):
        return None
    values = spec.ir.constant_values
    return tuple(
        (r.var.name, (float(r.lo.subs(values)), float(r.hi.subs(values)))) for r in shape.ranges
    )


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path
