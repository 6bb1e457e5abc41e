"""Plots of one instance of an operator model (matplotlib, written to files).

``plot_instance`` draws, for one input/output pair, the input(s), the prediction, the
truth and the error prediction − truth: images on a 2-D grid (prediction and truth on
one colour scale), curves on a 1-D grid; ``plot_points`` the same at scattered points.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def plot_instance(
    path: Path,
    inputs: np.ndarray,
    predicted: np.ndarray,
    truth: np.ndarray,
    input_names: Sequence[str],
    field_names: Sequence[str],
    coordinates: Sequence[np.ndarray],
    title: str = "",
) -> Path:
    """``inputs`` (inputs, *grid), ``predicted`` and ``truth`` (fields, *grid)."""
    plt = _pyplot()
    if len(coordinates) == 1:
        return _curves(plt, path, inputs, predicted, truth, input_names, field_names,
                       coordinates[0], title)  # fmt: skip
    if len(coordinates) != 2:
        raise ValueError("plots are drawn for 1-D and 2-D grids")
    x, y = coordinates
    extent = (float(x[0]), float(x[-1]), float(y[0]), float(y[-1]))
    rows = max(len(input_names), len(field_names))
    fig, axes = plt.subplots(rows, 4, figsize=(15, 3.4 * rows), squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for row, name in enumerate(input_names):
        _image(fig, axes[row, 0], inputs[row], f"input {name}", "viridis", None, extent)
    for row, name in enumerate(field_names):
        scale = (float(np.min(truth[row])), float(np.max(truth[row])))
        _image(fig, axes[row, 1], predicted[row], f"{name}: prediction", "RdBu_r", scale, extent)
        _image(fig, axes[row, 2], truth[row], f"{name}: truth", "RdBu_r", scale, extent)
        error = predicted[row] - truth[row]
        bound = float(np.max(np.abs(error))) or 1.0
        _image(fig, axes[row, 3], error, "prediction − truth", "PuOr_r", (-bound, bound), extent)
    fig.suptitle(title)
    return _save(fig, path, plt)


def plot_points(
    path: Path,
    points: np.ndarray,
    inputs: np.ndarray,
    predicted: np.ndarray,
    truth: np.ndarray,
    input_names: Sequence[str],
    field_names: Sequence[str],
    space: Sequence[str],
    title: str = "",
) -> Path:
    """The same four panels for one instance at scattered ``points`` (P, dims), each
    point a dot of its value; ``inputs`` (inputs, P), ``predicted``, ``truth`` (fields,
    P). On a 1-D cloud, curves through the points in order."""
    plt = _pyplot()
    if points.shape[-1] == 1:
        order = np.argsort(points[:, 0])
        return _curves(plt, path, inputs[:, order], predicted[:, order], truth[:, order],
                       input_names, field_names, points[order, 0], title)  # fmt: skip
    if points.shape[-1] != 2:
        raise ValueError("plots are drawn for 1-D and 2-D point clouds")
    rows = max(len(input_names), len(field_names))
    fig, axes = plt.subplots(rows, 4, figsize=(15, 3.4 * rows), squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    x, y = points[:, 0], points[:, 1]

    def dots(ax, values, label, colours, limits) -> None:
        ax.set_axis_on()
        vmin, vmax = limits if limits else (None, None)
        drawn = ax.scatter(x, y, c=values, s=12, cmap=colours, vmin=vmin, vmax=vmax)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel(space[0])
        ax.set_ylabel(space[1])
        ax.set_aspect("equal", adjustable="box")
        fig.colorbar(drawn, ax=ax, shrink=0.85)

    for row, name in enumerate(input_names):
        dots(axes[row, 0], inputs[row], f"input {name}", "viridis", None)
    for row, name in enumerate(field_names):
        scale = (float(np.min(truth[row])), float(np.max(truth[row])))
        dots(axes[row, 1], predicted[row], f"{name}: prediction", "RdBu_r", scale)
        dots(axes[row, 2], truth[row], f"{name}: truth", "RdBu_r", scale)
        error = predicted[row] - truth[row]
        bound = float(np.max(np.abs(error))) or 1.0
        dots(axes[row, 3], error, "prediction − truth", "PuOr_r", (-bound, bound))
    fig.suptitle(title)
    return _save(fig, path, plt)


def _image(fig, ax, values, label, colours, limits, extent) -> None:
    ax.set_axis_on()
    vmin, vmax = limits if limits else (None, None)
    # values[i, j] at (x_i, y_j): x across, y up
    image = ax.imshow(
        values.T, origin="lower", extent=extent, cmap=colours, vmin=vmin, vmax=vmax,
        aspect="auto",
    )  # fmt: skip
    ax.set_title(label, fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.85)


def _curves(plt, path, inputs, predicted, truth, input_names, field_names, x, title) -> Path:
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.6))
    for i, name in enumerate(input_names):
        axes[0].plot(x, inputs[i], label=name)
    axes[0].set_title("input")
    for i, name in enumerate(field_names):
        axes[1].plot(x, truth[i], f"C{i}", label=f"{name} truth")
        axes[1].plot(x, predicted[i], f"C{i}--", label=f"{name} prediction")
        axes[2].plot(x, predicted[i] - truth[i], f"C{i}", label=name)
    axes[1].set_title("prediction and truth")
    axes[2].set_title("prediction − truth")
    for ax in axes:
        ax.legend(fontsize=8)
        ax.set_xlabel("x")
    fig.suptitle(title)
    return _save(fig, path, plt)


def _save(fig, path: Path, plt) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
