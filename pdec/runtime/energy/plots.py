"""Plots of a rollout against its reference (matplotlib, written to files).

* ``spacetime.png`` — fields on a grid: for each field the reference u(t, x) and the
  model's as images (t across, x up, one colour scale) and |difference|; ODE systems:
  each component against t, reference solid and model dashed.
* ``energy.png`` — H(t) − H(0) of the model's H along the reference and along the
  rollout (and of a given energy, such as the spec's closed form), and the mass
  Σ_k u_k Δx of each field against t.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def plot_spacetime(
    path: Path,
    reference: np.ndarray,
    predicted: np.ndarray,
    t: np.ndarray,
    field_names,
    x: np.ndarray | None = None,
    title: str = "",
) -> Path:
    """One trajectory: ``reference`` and ``predicted`` (T + 1, fields[, n])."""
    plt = _pyplot()
    if reference.ndim == 2:  # ODE system: components against t
        fig, ax = plt.subplots(figsize=(7, 3.5))
        for i, name in enumerate(field_names):
            ax.plot(t, reference[:, i], f"C{i}", label=f"{name} reference")
            ax.plot(t, predicted[:, i], f"C{i}--", label=f"{name} model")
        ax.set_xlabel("t")
        ax.legend(fontsize=8)
        ax.set_title(title)
        return _save(fig, path, plt)
    fields = len(field_names)
    fig, axes = plt.subplots(fields, 3, figsize=(13, 3.2 * fields), squeeze=False)
    extent = (t[0], t[-1], x[0], x[-1] + (x[1] - x[0]))
    for row, name in enumerate(field_names):
        scale = float(np.nanmax(np.abs(reference[:, row]))) or 1.0
        images = [
            (reference[:, row], f"{name}: reference", "RdBu_r", (-scale, scale)),
            (predicted[:, row], f"{name}: model", "RdBu_r", (-scale, scale)),
            (np.abs(predicted[:, row] - reference[:, row]), "|model − reference|", "magma", None),
        ]
        for ax, (values, label, colours, limits) in zip(axes[row], images):
            vmin, vmax = limits if limits else (None, None)
            image = ax.imshow(
                values.T,
                origin="lower",
                aspect="auto",
                extent=extent,
                cmap=colours,
                vmin=vmin,
                vmax=vmax,
                interpolation="nearest",
            )
            fig.colorbar(image, ax=ax)
            ax.set_title(label)
            ax.set_xlabel("t")
            ax.set_ylabel("x")
    fig.suptitle(title)
    return _save(fig, path, plt)


def plot_energy(
    path: Path,
    t: np.ndarray,
    energies: dict[str, np.ndarray],
    masses: dict[str, np.ndarray],
    title: str = "",
) -> Path:
    """H(t) − H(0) for each labelled energy series, and each labelled mass series."""
    plt = _pyplot()
    panels = 2 if masses else 1
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 3.8), squeeze=False)
    ax = axes[0, 0]
    for k, (label, values) in enumerate(energies.items()):
        ax.plot(t, values - values[0], f"C{k // 2}" + ("--" if k % 2 else ""), label=label)
    ax.set_xlabel("t")
    ax.set_title("energy: H(t) − H(0)")
    if energies:
        ax.legend(fontsize=8)
    if masses:
        ax = axes[0, 1]
        for k, (label, values) in enumerate(masses.items()):
            ax.plot(t, values, f"C{k // 2}" + ("--" if k % 2 else ""), label=label)
        ax.set_xlabel("t")
        ax.set_title("mass: Σ u Δx")
        ax.legend(fontsize=8)
    fig.suptitle(title)
    return _save(fig, path, plt)


def _save(fig, path: Path, plt) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
