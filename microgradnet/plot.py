"""Pictures of training with matplotlib (the `plot` extra): learning curves, decision boundaries, a
confusion matrix and a grid of images.

Classes are coloured with Okabe and Ito's palette (`CLASS_COLORS`), which stays distinct under the
common colour-vision deficiencies (tests/test_plot.py checks it on simulated deuteranopia, protanopia
and tritanopia). Figures are made at 150 dpi, so a saved PNG is sharp.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .engine import Value
from .training import class_index, decision_threshold, predict_scores

__all__ = [
    "CLASS_COLORS",
    "DPI",
    "FILL_ALPHA",
    "confusion_matrix",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_history",
    "plot_images",
]

# Okabe & Ito (2008), "Color Universal Design": blue, orange, sky blue, vermillion, bluish green,
# reddish purple, yellow, black. In this order any first k stay apart for dichromats too.
CLASS_COLORS = ("#0072B2", "#E69F00", "#56B4E9", "#D55E00", "#009E73", "#CC79A7", "#F0E442", "#000000")
FILL_ALPHA = 0.5  # the decision regions: the class colours, half-blended with white
DPI = 150


def plot_history(history: Mapping[str, Sequence[float]], *, val_label: str = "validation") -> Any:
    """A figure of the loss (and, if recorded, accuracy) per epoch from `fit`'s history; returns the Figure.

    val_label names the curves of `val_loss` and `val_accuracy` ("test" when the validation data is a test set).
    """
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    if "loss" not in history or not history["loss"]:
        raise ValueError(f"plot_history needs a history with a 'loss' list, as fit returns; got keys {list(history)}")
    panels = ["loss"] + (["accuracy"] if "accuracy" in history else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(5.0 * len(panels), 3.6), squeeze=False, dpi=DPI)
    for ax, key in zip(axes[0], panels):
        for name, style, label in ((key, "-", "train"), ("val_" + key, "--", val_label)):
            if name in history:
                values = list(history[name])
                ax.plot(range(1, len(values) + 1), values, style, label=label, color=CLASS_COLORS[name != key])
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.set_title(key)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))  # whole epochs, never 2.5
        if key == "loss" and min(min(v) for k, v in history.items() if "loss" in k and v) > 0:
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(_plain_log_formatter())
            ax.yaxis.set_minor_formatter(_plain_log_formatter())
        if key == "accuracy":
            ax.set_ylim(min(0.5, *history[key], *history.get("val_accuracy", ())) - 0.02, 1.02)
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def plot_decision_boundary(
    model: Any,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    *,
    test_data: tuple[Sequence[Sequence[float]], Sequence[int]] | None = None,
    ax: Any = None,
    resolution: int = 150,
    class_names: Sequence[str] | None = None,
    feature_names: tuple[str, str] = ("$x_1$", "$x_2$"),
) -> Any:
    """Colour the plane by the class `model` predicts and draw the 2-D points (X, y) on it, and the test points
    of `test_data=(X_test, y_test)` as triangles; returns the Axes.

    The boundary is the zero line of the model's score (for several outputs, of each class's lead over the
    others), interpolated between the points of a resolution × resolution grid, so it is smooth.
    """
    plt = _pyplot()
    X, y = _points(X, y, "plot_decision_boundary")
    X_test, y_test = _points(*test_data, "plot_decision_boundary(test_data)") if test_data is not None else ([], [])
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"plot_decision_boundary(resolution) must be an int >= 2, got {resolution!r}")
    everything = X + X_test
    gx = _grid(min(p[0] for p in everything), max(p[0] for p in everything), resolution)
    gy = _grid(min(p[1] for p in everything), max(p[1] for p in everything), resolution)
    fields = _class_fields(model, [[a, b] for b in gy for a in gx], resolution)
    labels = [class_index(t) for t in y + y_test]
    n_classes = max(len(fields), max(labels) + 1)
    outside = ax is None  # the legend goes beside a figure of our own, inside axes we were given
    if ax is None:  # a figure shaped like the data, since the axes keep an equal aspect
        height = 5.5 * (gy[-1] - gy[0]) / (gx[-1] - gx[0])
        _, ax = plt.subplots(figsize=(6.5, min(max(height, 2.5), 8.0) + 0.6), layout="constrained", dpi=DPI)
    for c, field in enumerate(fields):  # class c where its field is > 0: the regions never overlap
        top = max(max(row) for row in field)
        if top > 0:
            ax.contourf(gx, gy, field, levels=[0.0, top + 1.0], colors=[_color(c)], alpha=FILL_ALPHA)
            ax.contour(gx, gy, field, levels=[0.0], colors="0.15", linewidths=1.0)
    _scatter(ax, X, y, "o", 28)
    _scatter(ax, X_test, y_test, "^", 36)
    ax.set_xlim(gx[0], gx[-1])
    ax.set_ylim(gy[0], gy[-1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(feature_names[0])
    ax.set_ylabel(feature_names[1])
    ax.set_title("decision boundary")
    _legend(ax, n_classes, class_names, bool(X_test), outside)
    return ax


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], n_classes: int | None = None) -> list[list[int]]:
    """How often each true class (row) was predicted as each class (column), as scikit-learn's."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"confusion_matrix: {len(y_true)} true labels but {len(y_pred)} predictions")
    truth, guess = [class_index(t) for t in y_true], [class_index(p) for p in y_pred]
    k = max([*truth, *guess], default=-1) + 1 if n_classes is None else n_classes
    matrix = [[0] * k for _ in range(k)]
    for t, p in zip(truth, guess):
        if not (0 <= t < k and 0 <= p < k):
            raise ValueError(f"confusion_matrix: labels must be class numbers 0..{k - 1}, got {t} and {p}")
        matrix[t][p] += 1
    return matrix


def plot_confusion_matrix(
    y_true: Sequence[int],
    y_pred: Sequence[int],
    *,
    class_names: Sequence[str] | None = None,
    ax: Any = None,
    title: str = "confusion matrix",
) -> Any:
    """Draw the confusion matrix of predictions against true labels, each count written in its cell; the Axes."""
    plt = _pyplot()
    matrix = confusion_matrix(y_true, y_pred, None if class_names is None else len(class_names))
    k = len(matrix)
    names = [str(c) for c in range(k)] if class_names is None else list(class_names)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 + 0.45 * k, 0.9 + 0.45 * k), layout="constrained", dpi=DPI)
    most = max(max(row) for row in matrix) or 1
    ax.imshow(matrix, cmap="Blues", vmin=0, vmax=most)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                dark = count > 0.55 * most
                ax.text(j, i, count, ha="center", va="center", color="white" if dark else "black", fontsize=9)
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    return ax


def plot_images(
    images: Sequence[Sequence[float]] | Sequence[Sequence[Sequence[float]]],
    *,
    titles: Sequence[object] | None = None,
    columns: int = 10,
    shape: tuple[int, int] | None = None,
    cmap: str = "gray_r",
) -> Any:
    """A grid of grayscale images (rows of pixels, or flat lists of a square's pixels such as the digits'),
    each with its title if given; returns the Figure."""
    plt = _pyplot()
    if not images:
        raise ValueError("plot_images: there are no images")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"plot_images: {len(images)} images but {len(titles)} titles")
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ValueError(f"plot_images(columns) must be a positive int, got {columns!r}")
    grids = [_image(image, shape) for image in images]
    cols = min(columns, len(grids))
    rows = math.ceil(len(grids) / cols)
    height = 1.0 + (0.25 if titles is not None else 0.0)
    fig, axes = plt.subplots(rows, cols, figsize=(0.95 * cols, height * rows), squeeze=False, dpi=DPI,
                             layout="constrained")  # fmt: skip
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(grids):
            ax.imshow(grids[i], cmap=cmap)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=9)
    return fig


# -- helpers ----------------------------------------------------------------------------------------
def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ModuleNotFoundError(
            'plotting needs matplotlib, which is not installed: pip install "microgradnet[plot]"'
        ) from None
    return plt


def _color(c: int) -> str:
    return CLASS_COLORS[c % len(CLASS_COLORS)]


def _points(X: Any, y: Any, where: str) -> tuple[list[list[float]], list[Any]]:
    X, y = [list(p) for p in X], list(y)  # NumPy arrays too
    if not X or len(X) != len(y):
        raise ValueError(f"{where}: X and y must be non-empty and equally long, got {len(X)} and {len(y)}")
    if any(len(p) != 2 for p in X):
        raise ValueError(f"{where} draws 2-D data; X has points that are not pairs")
    return X, y


def _grid(low: float, high: float, n: int) -> list[float]:
    margin = 0.1 * (high - low) or 1.0
    low, high = low - margin, high + margin
    return [low + (high - low) * i / (n - 1) for i in range(n)]


def _class_fields(model: Any, points: list[list[float]], n: int) -> list[list[list[float]]]:
    """For each class, a field over the grid that is > 0 exactly where the model predicts it: one output's score
    minus its threshold (class 1) and its negative (class 0); for several outputs, each one's lead over the
    best of the others."""
    outs: list[Any] = predict_scores(model, points)
    if isinstance(outs[0], Value):
        t = decision_threshold(model)
        score = [o.data - t for o in outs]
        flat = [[-s for s in score], score]
    else:
        scores = [[v.data for v in o] for o in outs]
        flat = []
        for c in range(len(scores[0])):
            flat.append([s[c] - max(v for j, v in enumerate(s) if j != c) for s in scores])
    return [[f[i : i + n] for i in range(0, len(f), n)] for f in flat]


def _scatter(ax: Any, X: list[list[float]], y: list[Any], marker: str, size: float) -> None:
    if X:
        colors = [_color(class_index(t)) for t in y]
        ax.scatter([p[0] for p in X], [p[1] for p in X], c=colors, marker=marker, s=size, edgecolors="black",
                   linewidths=0.6, zorder=3)  # fmt: skip


def _legend(ax: Any, n_classes: int, class_names: Sequence[str] | None, with_test: bool, outside: bool) -> None:
    from matplotlib.lines import Line2D

    if class_names is not None and len(class_names) < n_classes:
        raise ValueError(f"class_names names {len(class_names)} classes, but there are {n_classes}")
    names = [f"class {c}" for c in range(n_classes)] if class_names is None else list(class_names)
    handles = [
        Line2D([], [], marker="s", linestyle="", markersize=9, markerfacecolor=_color(c), markeredgecolor="black",
               markeredgewidth=0.6, label=names[c])
        for c in range(n_classes)
    ]  # fmt: skip
    if with_test:
        for marker, label in (("o", "train"), ("^", "test")):
            handles.append(Line2D([], [], marker=marker, linestyle="", markersize=6, markerfacecolor="white",
                                  markeredgecolor="black", label=label))  # fmt: skip
    if outside:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False)
    else:
        ax.legend(handles=handles, loc="best", framealpha=0.85, fontsize="small")


def _plain_log_formatter() -> Any:
    """Log-axis labels as plain numbers (0.8, 2, 0.05), never 8×10⁻¹, on the ticks matplotlib would label."""
    from matplotlib.ticker import LogFormatter

    class PlainLog(LogFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return f"{x:g}" if super().__call__(x, pos) else ""

    return PlainLog(labelOnlyBase=False, minor_thresholds=(2, 0.5))


def _image(image: Any, shape: tuple[int, int] | None) -> list[list[float]]:
    rows = [list(r) for r in image] if image and isinstance(image[0], Sequence) else None
    if rows is not None:
        return rows
    flat = [float(p) for p in image]
    h, w = shape if shape is not None else (math.isqrt(len(flat)),) * 2
    if h * w != len(flat):
        raise ValueError(f"plot_images: an image of {len(flat)} pixels is not {h}×{w}; pass shape=(height, width)")
    return [flat[r * w : (r + 1) * w] for r in range(h)]
