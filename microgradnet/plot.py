"""Pictures of training with matplotlib (the `plot` extra): loss and accuracy curves, decision boundaries,
and `LivePlot`, a `fit` callback that redraws them as training goes (in place in Jupyter; frames for a GIF)."""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .files import PathLike, write_atomic
from .training import class_index, predict

__all__ = ["LivePlot", "plot_decision_boundary", "plot_history"]

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


class LivePlot:
    """A `fit` callback that redraws the loss curves and, for 2-D data, the decision boundary after each epoch.

    One figure, updated in place: in Jupyter its picture in the cell's output is replaced each time
    (not a new figure per epoch); outside Jupyter nothing is shown, and `.figure` is the live figure.
    X, y: the 2-D points whose decision boundary to draw (None: only the curves). every: redraw every
    `every` epochs (and always at epoch 0, and at the last if `epochs`, the number fit runs, is
    given). resolution: the boundary's grid, resolution × resolution
    predictions per redraw. record: keep each redraw as a frame, for `save_gif`. show: False draws
    without showing, even in Jupyter.

        live = LivePlot(X, y)
        fit(model, X, y, epochs=50, callbacks=[live])
        live.save_gif("training.gif")  # with record=True
    """

    def __init__(self, X: Sequence[Sequence[float]] | None = None, y: Sequence[int] | None = None, *, every: int = 1,
                 epochs: int | None = None, resolution: int = 40, record: bool = False,
                 show: bool = True) -> None:  # fmt: skip
        """Make the figure (redrawn from the first epoch's end on); see the class's docstring."""
        _pyplot()  # matplotlib is there, or a message naming the extra
        if (X is None) != (y is None):
            raise ValueError("LivePlot needs both X and y (to draw the decision boundary) or neither")
        for name, n in (("every", every), ("epochs", 1 if epochs is None else epochs)):
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise ValueError(f"LivePlot({name}) must be a positive int, got {n!r:.60}")
        self.points = None if X is None or y is None else ([list(p) for p in X], list(y))
        if self.points is not None and any(len(p) != 2 for p in self.points[0]):
            self.points = None  # not 2-D: the loss curves only
        self.every, self.last, self.resolution, self.record = every, (epochs or 0) - 1, resolution, record
        self.frames: list[Any] = []  # PIL images, one per redraw, when recording
        from matplotlib.figure import Figure  # not pyplot's: a notebook's inline backend would show it again

        panels = 2 if self.points is not None else 1
        self.figure = Figure(figsize=(5.0 * panels, 4.0), dpi=80)  # fixed margins: a layout engine costs a second
        self.figure.subplots_adjust(left=0.1 / panels, right=1 - 0.02 / panels, bottom=0.12, top=0.9, wspace=0.25)
        axes = self.figure.subplots(1, panels, squeeze=False)[0]
        self.loss_axes, self.boundary_axes = axes[0], (axes[1] if panels == 2 else None)
        self._display = _notebook_display() if show else None
        self._shown: Any = None

    def on_epoch_end(self, epoch: int, history: Mapping[str, Sequence[float]], model: Any) -> None:
        """Redraw (every `every` epochs, at epoch 0 and the last) and update the picture shown."""
        if epoch % self.every and epoch != self.last:
            return
        self.draw(epoch, history, model)
        if not self.record and self._display is None:
            return
        picture = self._picture()
        if self.record:
            self.frames.append(picture.quantize(colors=64))
        if self._display is not None:
            png = io.BytesIO()
            picture.save(png, format="PNG")
            self._shown = self._display(png.getvalue(), self._shown)

    __call__ = on_epoch_end

    def draw(self, epoch: int, history: Mapping[str, Sequence[float]], model: Any) -> None:
        """Draw the figure for this epoch: the curves so far and the model's decision boundary now."""
        from matplotlib.ticker import MaxNLocator

        ax = self.loss_axes
        ax.clear()
        for name, style in (("loss", "-"), ("val_loss", "--")):
            values = list(history.get(name, []))
            if values:
                ax.plot(range(len(values)), values, style, label="train" if name == "loss" else "validation")
        losses = [v for name in ("loss", "val_loss") for v in history.get(name, [])]
        if losses and min(losses) > 0 and max(losses) / min(losses) > 10:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"loss, epoch {epoch}")
        ax.grid(True, alpha=0.3)
        if losses:
            ax.legend(loc="upper right")
        if self.boundary_axes is not None and self.points is not None:
            self.boundary_axes.clear()
            plot_decision_boundary(model, *self.points, ax=self.boundary_axes, resolution=self.resolution)
            if history.get("accuracy"):
                self.boundary_axes.set_title(f"decision boundary (train accuracy {history['accuracy'][-1]:.1%})")

    def save_gif(self, path: PathLike, fps: float = 5.0) -> None:
        """Write the recorded frames as an animated GIF that loops (needs record=True and one epoch at least)."""
        if not self.frames:
            raise ValueError("LivePlot.save_gif: no frames were recorded (make it with record=True, then fit)")
        if not fps > 0:
            raise ValueError(f"LivePlot.save_gif(fps) must be > 0, got {fps!r}")
        first, *rest = self.frames
        last_hold = [rest[-1]] * int(fps) if rest else []  # rest a moment on the end
        write_atomic(path, lambda f: first.save(f, format="GIF", save_all=True, append_images=rest + last_hold,
                                                duration=round(1000 / fps), loop=0))  # fmt: skip

    def _picture(self) -> Any:
        """The figure drawn once, as a PIL image."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from PIL import Image

        canvas: Any = FigureCanvasAgg(self.figure)
        canvas.draw()
        rgba = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        return rgba.convert("RGB")


def _notebook_display() -> Callable[[bytes, Any], Any] | None:
    """In a Jupyter kernel, a function (png, handle) -> handle that shows or replaces one picture; else None."""
    try:
        ipython: Any = importlib.import_module("IPython")
        shown: Any = importlib.import_module("IPython.display")
    except ImportError:
        return None
    shell = ipython.get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return None

    def show(png: bytes, handle: Any) -> Any:
        if handle is None:
            return shown.display(shown.Image(data=png, format="png"), display_id=True)
        handle.update(shown.Image(data=png, format="png"))
        return handle

    return show


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
