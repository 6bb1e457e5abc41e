"""The plots `pdec train` draws for a trained PINN (the summary table and JSON files
are :func:`pdec.targets.pinn.commands.summarize_training`'s).

Files written to the run folder:

- ``loss.png``: each loss term and the total against the step.
- ``unknowns.png``: for an inverse problem, each scalar unknown against the step
  (and ``summary.json`` holds their final values under ``learned``).
- ``field.png``: for a spec in two space coordinates on a box, the learned field.
- ``spacetime.png``: for a spec in time and one space coordinate on an interval,
  each field u(t, x) as an image, t across and x up (as in Raissi et al. 2019, fig. 1),
  beside the reference and |error| when the spec has one; below, u(x) at five times
  (marked on the images), the reference solid and the prediction dashed.
- ``surface.png``: for a spec with a reference and a free surface at y = 0, the
  surface displacement against the reference.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch


def plot_run(spec, model, history: dict, run: Path) -> list[Path]:
    """Write the plots that apply to this spec (see the module docstring); their paths."""
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
        learned = records[-1].get("unknowns") or {}
        if learned:  # inverse problems: how each unknown moved
            fig, axes = plt.subplots(1, len(learned), figsize=(4.5 * len(learned), 3.5))
            for ax, name in zip(np.atleast_1d(axes), learned):
                ax.plot(steps, [r["unknowns"][name] for r in records], "C0")
                ax.set_yscale("log" if all(r["unknowns"][name] > 0 for r in records) else "linear")
                ax.set_xlabel("step")
                ax.set_title(f"{name} (final {learned[name]:.4g})")
            fig.tight_layout()
            paths.append(_save(fig, run / "unknowns.png"))
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
    fig = spacetime_figure(spec, model)
    if fig is not None:
        paths.append(_save(fig, run / "spacetime.png"))
        plt.close(fig)
    return paths


SLICES = (0.0, 0.25, 0.5, 0.75, 1.0)  # fractions of the time span shown as u(x) curves


def spacetime_figure(spec, model, nt: int = 201, nx: int = 256):
    """The space-time figure of a (t, x) spec (see the module docstring), or None.

    One block per field: the prediction on an ``nt`` × ``nx`` grid, then, if the field
    has a reference, the reference (same colour scale) and |error|; below them, u(x) at
    the times in ``SLICES``.
    """
    import matplotlib.pyplot as plt

    box = _spacetime_box(spec)
    if box is None:
        return None
    (tn, (t0, t1)), (xn, (x0, x1)) = box
    if set(model.coordinates) != {tn, xn}:
        return None
    t, x = np.meshgrid(np.linspace(t0, t1, nt), np.linspace(x0, x1, nx))  # x along axis 0
    predicted = model.predict(**{tn: t, xn: x})
    references = _reference_on(model, {tn: t, xn: x})
    columns = 3 if references else 1
    fields = model.field_names
    fig = plt.figure(figsize=(4.2 * max(columns, 2.5), 5.6 * len(fields)), layout="constrained")
    outer = fig.add_gridspec(2 * len(fields), 1, height_ratios=[3, 2] * len(fields))
    times = [t0 + fraction * (t1 - t0) for fraction in SLICES]
    for k, field in enumerate(fields):
        u = predicted[field]
        exact = references.get(field)
        images = [(u, f"predicted {field}({tn}, {xn})")]
        if exact is not None:
            images.append((exact, f"reference {field}({tn}, {xn})"))
        lo = min(float(np.min(image)) for image, _ in images)
        hi = max(float(np.max(image)) for image, _ in images)
        if lo < 0 < hi:  # a signed field: a diverging map centred on 0
            cmap, top = "RdBu_r", max(-lo, hi)
            lo, hi = -top, top
        else:
            cmap = "viridis"
        top_row = outer[2 * k].subgridspec(1, columns)
        for column, (values, title) in enumerate(images):
            ax = fig.add_subplot(top_row[0, column])
            mesh = ax.pcolormesh(t, x, values, shading="gouraud", cmap=cmap, vmin=lo, vmax=hi)
            fig.colorbar(mesh, ax=ax)
            _label_image(ax, tn, xn, title, times, "k")
        if exact is not None:
            error = np.abs(u - exact)
            relative = np.linalg.norm(u - exact) / max(np.linalg.norm(exact), 1e-300)
            ax = fig.add_subplot(top_row[0, 2])
            mesh = ax.pcolormesh(t, x, error, shading="gouraud", cmap="inferno")
            fig.colorbar(mesh, ax=ax)
            _label_image(ax, tn, xn, f"|error|, relative L2 {relative:.2e}", times, "w")
        _plot_slices(fig, outer[2 * k + 1], model, field, box, times)
    fig.suptitle(f"{spec.name}: space-time")
    return fig


def _plot_slices(fig, cell, model, field, box, times, n: int = 401) -> None:
    """u(x) at each of ``times`` in a row of panels in ``cell``: reference vs prediction."""
    (tn, _), (xn, span) = box
    x = np.linspace(*span, n)
    row = cell.subgridspec(1, len(times))
    first = None
    for column, time in enumerate(times):
        coords = {tn: np.full_like(x, time), xn: x}
        u = model.predict(**coords)[field]
        exact = _reference_on(model, coords).get(field)
        ax = fig.add_subplot(row[0, column], sharey=first)
        first = first or ax
        if exact is not None:
            ax.plot(x, exact, "k", lw=2, label="reference")
        ax.plot(x, u, "r--" if exact is not None else "r", lw=1.5, label="PINN")
        ax.set_title(f"{tn} = {time:.3g}", fontsize=10)
        ax.set_xlabel(xn)
        if column == 0:
            ax.set_ylabel(f"{field}({tn}, {xn})")
            ax.legend(fontsize=8)
        else:
            ax.tick_params(labelleft=False)


def _label_image(ax, tn, xn, title, times, colour) -> None:
    """Axis labels, a title, and dotted lines at the times of the slices below."""
    for time in times:
        ax.axvline(time, color=colour, lw=0.8, ls=":", alpha=0.6)
    ax.set_xlabel(tn)
    ax.set_ylabel(xn)
    ax.set_title(title, fontsize=10)


def _reference_on(model, coords: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each field's reference at the grid points (float64), for fields that have one."""
    tensors = {name: torch.as_tensor(value, dtype=torch.float64) for name, value in coords.items()}
    shape = next(iter(coords.values())).shape
    out = {}
    for field, function in (getattr(model, "reference", None) or {}).items():
        values = function(dict(tensors))
        out[field] = torch.as_tensor(values, dtype=torch.float64).expand(shape).cpu().numpy()
    return out


def _surface_profile(spec, model, field, xn, span, run, plt) -> Path:
    x = np.linspace(*span, 801)
    y = np.zeros_like(x)
    learned = model.predict(**{xn: x, "y": y})[field]
    coords = {
        xn: torch.as_tensor(x, dtype=torch.float64),
        "y": torch.as_tensor(y, dtype=torch.float64),
    }
    reference = model.reference[field](coords).detach().cpu().numpy()
    # the curves coincide once trained: the error gets its own (log) panel
    fig, (ax, below) = plt.subplots(
        2, 1, figsize=(6, 5), sharex=True, gridspec_kw={"height_ratios": (2, 1)}
    )
    ax.plot(x, reference, "k", lw=2, label="reference (closed form)")
    ax.plot(x, learned, "r--", lw=1.5, label="PINN")
    ax.set_ylabel(f"{field} at y = 0")
    ax.legend()
    ax.set_title(f"{spec.name}: surface displacement")
    below.semilogy(x, np.abs(learned - reference) + 1e-16, "C0", lw=1)
    below.set_xlabel(xn)
    below.set_ylabel("|PINN − reference|")
    fig.tight_layout()
    path = _save(fig, run / "surface.png")
    plt.close(fig)
    return path


def _plot_box(spec):
    """((name, (lo, hi)), ...) of the first region, if it is a box in space only."""
    if spec.ir.time is not None:
        return None
    return _region_box(spec)


def _spacetime_box(spec):
    """((t, (t0, t1)), (x, (x0, x1))) if the spec has a finite time span and its first
    region is an interval."""
    time = spec.ir.time
    if time is None or time.lo is None or time.hi is None:
        return None
    box = _region_box(spec)
    if box is None or len(box) != 1:
        return None
    values = spec.ir.constant_values
    span = (float(time.lo.subs(values)), float(time.hi.subs(values)))
    return ((time.symbol.name, span), box[0])


def _region_box(spec):
    """((name, (lo, hi)), ...) of the first region if it is a box, else None."""
    first = spec.ir.regions[0].name if spec.ir.regions else None
    boxes = dict(spec.ir.domain.boxes)
    if first not in boxes:
        return None
    bounds = spec.ir.domain.numeric(spec.ir.constant_values, boxes[first])
    return tuple((var.name, lo_hi) for var, lo_hi in bounds.items())


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path
