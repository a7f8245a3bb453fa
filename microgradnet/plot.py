"""Pictures of training with matplotlib (the `plot` extra): loss and accuracy curves, decision boundaries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .training import class_index, predict

__all__ = ["plot_decision_boundary", "plot_history"]

_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def plot_history(history: Mapping[str, Sequence[float]]) -> Any:
    """A figure of the loss (and, if recorded, accuracy) per epoch from `fit`'s history; returns the Figure."""
    plt = _pyplot()
    if "loss" not in history or not history["loss"]:
        raise ValueError(f"plot_history needs a history with a 'loss' list, as fit returns; got keys {list(history)}")
    panels = [("loss", "loss")] + ([("accuracy", "accuracy")] if "accuracy" in history else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False)
    for ax, (key, title) in zip(axes[0], panels):
        for name, style in ((key, "-"), ("val_" + key, "--")):
            if name in history:
                values = list(history[name])
                ax.plot(range(1, len(values) + 1), values, style, label="train" if name == key else "validation")
        ax.set_xlabel("epoch")
        ax.set_title(title)
        if key == "loss" and min(history["loss"]) > 0:
            ax.set_yscale("log")
        if key == "accuracy":
            ax.set_ylim(min(0.5, *history[key]) - 0.02, 1.02)
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def plot_decision_boundary(
    model: Any, X: Sequence[Sequence[float]], y: Sequence[int], *, ax: Any = None, resolution: int = 100
) -> Any:
    """Colour the plane by the class `model` predicts and draw the 2-D points (X, y) on it; returns the Axes."""
    plt = _pyplot()
    X, y = [list(p) for p in X], list(y)  # NumPy arrays too
    if not X or len(X) != len(y):
        raise ValueError(
            f"plot_decision_boundary: X and y must be non-empty and equally long, got {len(X)} and {len(y)}"
        )
    if any(len(p) != 2 for p in X):
        raise ValueError("plot_decision_boundary draws 2-D data; X has points that are not pairs")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"plot_decision_boundary(resolution) must be an int >= 2, got {resolution!r}")
    xs, ys = [p[0] for p in X], [p[1] for p in X]
    gx = _grid(min(xs), max(xs), resolution)
    gy = _grid(min(ys), max(ys), resolution)
    flat = predict(model, [[a, b] for b in gy for a in gx])
    z = [flat[i : i + resolution] for i in range(0, len(flat), resolution)]
    classes = sorted({class_index(t) for t in y} | set(flat))
    colors = [_COLORS[c % len(_COLORS)] for c in range(max(classes) + 1)]
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap(colors)
    if ax is None:  # a figure shaped like the data, since the axes keep an equal aspect
        height = 6.0 * (gy[-1] - gy[0]) / (gx[-1] - gx[0])
        _, ax = plt.subplots(figsize=(6.0, min(max(height, 2.5), 8.0) + 0.6), layout="constrained")
    levels = [c - 0.5 for c in range(len(colors) + 1)]
    ax.contourf(gx, gy, z, levels=levels, cmap=cmap, alpha=0.3)
    ax.scatter(
        xs, ys, c=[class_index(t) for t in y], cmap=cmap, vmin=-0.5, vmax=len(colors) - 0.5, s=20, edgecolors="k"
    )
    ax.set_xlim(gx[0], gx[-1])
    ax.set_ylim(gy[0], gy[-1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_title("decision boundary")
    return ax


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ModuleNotFoundError(
            'plotting needs matplotlib, which is not installed: pip install "microgradnet[plot]"'
        ) from None
    return plt


def _grid(low: float, high: float, n: int) -> list[float]:
    margin = 0.1 * (high - low) or 1.0
    low, high = low - margin, high + margin
    return [low + (high - low) * i / (n - 1) for i in range(n)]
