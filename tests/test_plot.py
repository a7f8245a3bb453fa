"""Plots: what plot_history and plot_decision_boundary draw, and the message without matplotlib."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import pytest

from microgradnet.engine.grad_mode import is_grad_enabled
from microgradnet.nn import MLP, Layer, Neuron
from microgradnet.plot import (
    CLASS_COLORS,
    FILL_ALPHA,
    confusion_matrix,
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_history,
    plot_images,
)
from microgradnet.training import _ROWS_AT_ONCE

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")
to_hex = pytest.importorskip("matplotlib.colors").to_hex


@pytest.fixture(autouse=True)
def close_figures() -> Any:
    yield
    plt.close("all")


def test_plot_history_draws_loss_and_accuracy_curves() -> None:
    history = {"loss": [1.0, 0.5, 0.25], "accuracy": [0.5, 0.75, 1.0], "val_loss": [1.1, 0.7, 0.5],
               "val_accuracy": [0.4, 0.6, 0.9]}  # fmt: skip
    fig = plot_history(history)
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "loss" and acc_ax.get_title() == "accuracy"
    assert [list(line.get_ydata()) for line in loss_ax.get_lines()] == [history["loss"], history["val_loss"]]
    assert [list(line.get_xdata()) for line in acc_ax.get_lines()] == [[1, 2, 3], [1, 2, 3]]
    assert [t.get_text() for t in acc_ax.get_legend().get_texts()] == ["train", "validation"]
    assert loss_ax.get_yscale() == "log"


def test_plot_history_of_a_regression_has_one_panel() -> None:
    fig = plot_history({"loss": [3.0, 0.0]})
    assert len(fig.axes) == 1 and fig.axes[0].get_yscale() == "linear"  # a zero loss cannot go on a log scale
    with pytest.raises(ValueError, match="plot_history needs a history with a 'loss' list"):
        plot_history({"accuracy": [1.0]})


def boundary_vertices(ax: Any) -> list[tuple[float, float]]:
    """The vertices of the decision boundary lines drawn on ax (the contour lines, not the filled regions)."""
    from matplotlib.contour import ContourSet

    lines = [c for c in ax.collections if isinstance(c, ContourSet) and not c.filled]
    return [tuple(v) for c in lines for path in c.get_paths() for v in path.vertices]


def test_decision_boundary_colours_the_predicted_class_and_draws_the_exact_line() -> None:
    # class 1 where x + 2y > 0.3: a slanted line, which a grid of classes would draw as a staircase
    model = Neuron(2, nonlin=False)
    model.w[0].data, model.w[1].data, model.b.data = 1.0, 2.0, -0.3
    X, y = [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, -1.0]], [0, 1, 1, 0]
    _, ax = plt.subplots()
    assert plot_decision_boundary(model, X, y, ax=ax, resolution=13) is ax
    vertices = boundary_vertices(ax)
    assert len(vertices) >= 13 and all(abs(a + 2 * b - 0.3) < 1e-9 for a, b in vertices)  # on the line itself
    regions = [c for c in ax.collections if getattr(c, "filled", False)]
    assert [to_hex(r.get_facecolor()[0]) for r in regions] == [c.lower() for c in CLASS_COLORS[:2]]
    points = [c for c in ax.collections if c.get_offsets().shape[0] == 4]
    (train,) = points
    assert train.get_offsets().tolist() == X
    assert [to_hex(c) for c in train.get_facecolors()] == [CLASS_COLORS[t].lower() for t in y]
    assert ax.get_xlim()[0] == pytest.approx(-0.1) and ax.get_xlim()[1] == pytest.approx(1.1)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$")


def test_a_multiclass_boundary_lies_where_two_scores_tie() -> None:
    layer = Layer(2, 3, activation="linear", seed=0)
    weights = [(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (-1.0, -1.0, 0.5)]  # scores x, y and 0.5 - x - y
    for neuron, (a, b, c) in zip(layer.neurons, weights):
        neuron.w[0].data, neuron.w[1].data, neuron.b.data = a, b, c
    X, y = [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]], [0, 1, 2]
    _, ax = plt.subplots()
    plot_decision_boundary(layer, X, y, ax=ax, resolution=21)
    for a, b in boundary_vertices(ax):
        scores = sorted([a, b, 0.5 - a - b])
        assert scores[2] - scores[1] < 1e-9  # the best two tie: the boundary between their regions
    regions = [c for c in ax.collections if getattr(c, "filled", False)]
    assert [to_hex(r.get_facecolor()[0]) for r in regions] == [c.lower() for c in CLASS_COLORS[:3]]


def test_a_sigmoid_models_boundary_is_where_its_probability_is_one_half() -> None:
    model = Neuron(2, activation="sigmoid")
    model.w[0].data, model.w[1].data, model.b.data = 2.0, -1.0, 0.25
    _, ax = plt.subplots()
    plot_decision_boundary(model, [[0.0, 0.0], [1.0, 1.0]], [0, 1], ax=ax, resolution=25)
    # sigmoid is not linear, so between grid points the interpolated line strays a little from the exact one
    assert all(abs(2 * a - b + 0.25) < 0.02 for a, b in boundary_vertices(ax))


def test_train_and_test_points_are_told_apart_with_a_legend() -> None:
    model = MLP(2, [4, 1], seed=0)
    X, y = [[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]], [0, 1, 0]
    X_test, y_test = [[0.5, 0.5], [3.0, 1.0]], [1, 0]
    ax = plot_decision_boundary(model, X, y, test_data=(X_test, y_test), class_names=["no", "yes"], resolution=10)
    markers = {c.get_offsets().shape[0]: c.get_paths()[0] for c in ax.collections if c.get_offsets().shape[0] in (2, 3)}
    assert len(markers[3].vertices) != len(markers[2].vertices)  # circles and triangles
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["no", "yes", "train", "test"]
    assert ax.get_xlim()[1] > 3.0  # the grid covers the test points too
    assert ax.figure.dpi >= 150
    with pytest.raises(ValueError, match="class_names names 1 classes, but there are 2"):
        plot_decision_boundary(model, X, y, class_names=["one"], resolution=5)


def test_decision_boundary_of_a_multiclass_model_on_given_axes() -> None:
    _, ax = plt.subplots()
    X, y = [[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]], [0, 1, 2]
    assert plot_decision_boundary(MLP(2, [4, 3], seed=0), X, y, ax=ax) is ax
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]


def test_decision_boundary_evaluates_the_grid_in_batches_without_a_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, bool]] = []
    forward = Layer._forward

    def spy(self: Layer, rows: Any, checked: bool = False) -> Any:
        calls.append((len(rows), is_grad_enabled()))
        return forward(self, rows, checked)

    monkeypatch.setattr(Layer, "_forward", spy)
    model = MLP(2, [5, 1], seed=0)
    X, y = [[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]], [0, 1, 0]
    plot_decision_boundary(model, X, y, resolution=30)
    chunks = [min(_ROWS_AT_ONCE, 900 - i) for i in range(0, 900, _ROWS_AT_ONCE)]
    assert calls == [(n, False) for n in chunks for _ in range(2)]  # both layers on 16 of the 30 x 30 points at once


def test_decision_boundary_checks_its_input() -> None:
    model = MLP(3, [2, 1], seed=0)
    with pytest.raises(ValueError, match="draws 2-D data"):
        plot_decision_boundary(model, [[1.0, 2.0, 3.0]], [0])
    with pytest.raises(ValueError, match="X and y must be non-empty and equally long, got 1 and 2"):
        plot_decision_boundary(model, [[1.0, 2.0]], [0, 1])
    with pytest.raises(ValueError, match=r"resolution\) must be an int >= 2, got 1"):
        plot_decision_boundary(model, [[1.0, 2.0]], [0], resolution=1)


def test_without_matplotlib_says_which_extra(hide_package: Any) -> None:
    hide_package("matplotlib")
    with pytest.raises(ModuleNotFoundError, match=r'plotting needs matplotlib.*pip install "microgradnet\[plot\]"'):
        plot_history({"loss": [1.0]})


# -- a palette that colour-blind readers can tell apart ------------------------------------------------
# Machado, Oliveira & Fernandes (2009): the full dichromacies, as matrices on linear sRGB.
DICHROMACY = {
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
    "normal vision": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
}
OLD_PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def seen_as(color: str, vision: str, alpha: float = 1.0) -> tuple[float, float, float]:
    """CIELAB coordinates of `color` (blended over white with `alpha`) as a viewer with `vision` sees it."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    srgb = [alpha * int(color[i : i + 2], 16) / 255 + (1 - alpha) for i in (1, 3, 5)]
    rgb = [linear(c) for c in srgb]
    r, g, b = (min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb)))) for row in DICHROMACY[vision])
    xyz = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b, 0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
           0.0193339 * r + 0.1191920 * g + 0.9503041 * b)  # fmt: skip
    fx, fy, fz = (t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29
                  for t in (xyz[0] / 0.95047, xyz[1], xyz[2] / 1.08883))  # fmt: skip
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def closest_pair(colors: Sequence[str], vision: str, alpha: float = 1.0) -> float:
    """The smallest colour difference (CIE76 ΔE) between any two of colors, for a viewer with `vision`."""
    seen = [seen_as(c, vision, alpha) for c in colors]
    return min(math.dist(seen[i], seen[j]) for i in range(len(seen)) for j in range(i))


@pytest.mark.parametrize("vision", list(DICHROMACY))
def test_the_class_colours_stay_apart_for_colour_blind_readers(vision: str) -> None:
    for k in range(2, len(CLASS_COLORS) + 1):  # points: any first k classes, by at least 15 (2.3 is just noticeable)
        assert closest_pair(CLASS_COLORS[:k], vision) >= 15, (k, vision)
    for k in (2, 3, 4):  # the paler regions behind them, for the usual 2 to 4 classes
        assert closest_pair(CLASS_COLORS[:k], vision, FILL_ALPHA) >= 10, (k, vision)
    assert closest_pair(CLASS_COLORS[:2], vision) >= 40  # two classes: far apart


def test_the_check_catches_the_red_green_palette_it_replaced() -> None:
    assert closest_pair(OLD_PALETTE[1:3], "normal vision") > 100  # red and green, far apart for most readers
    assert closest_pair(OLD_PALETTE[1:3], "deuteranopia") < 8  # but one colour for a deuteranope
    assert closest_pair(OLD_PALETTE, "protanopia") < 5


def test_log_labels_are_plain_numbers_and_epochs_whole() -> None:
    history = {"loss": [0.9, 0.75, 0.6, 0.55, 0.52], "val_loss": [0.95, 0.8, 0.7, 0.65, 0.64]}
    fig = plot_history(history, val_label="test")
    fig.canvas.draw()
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    labels = [t.get_text() for t in ax.get_yticklabels(minor=True) + ax.get_yticklabels() if t.get_text()]
    assert labels and all(re.fullmatch(r"\d+(\.\d+)?", t) for t in labels), labels  # 0.6, never 6×10⁻¹
    assert all(float(t) == int(t) for t in ax.get_xticks())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "test"]
    assert (ax.get_xlabel(), ax.get_ylabel(), fig.dpi) == ("epoch", "loss", 150)


# -- the lessons' confusion matrix and image grid -------------------------------------------------------
def test_confusion_matrix_counts_as_scikit_learns() -> None:
    truth = [0, 1, 2, 2, 1, 0, 2, 1, 1]
    guess = [0, 2, 2, 2, 1, 0, 1, 1, 0]
    ours = confusion_matrix(truth, guess)
    assert ours == [[2, 0, 0], [1, 2, 1], [0, 1, 2]]
    metrics = pytest.importorskip("sklearn.metrics")
    assert ours == metrics.confusion_matrix(truth, guess).tolist()
    assert confusion_matrix([0, 1], [1, 1], n_classes=3) == [[0, 1, 0], [0, 1, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="confusion_matrix: 2 true labels but 1 predictions"):
        confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match=r"labels must be class numbers 0..1, got 2 and 0"):
        confusion_matrix([2], [0], n_classes=2)


def test_plot_confusion_matrix_writes_each_count_in_its_cell() -> None:
    truth, guess = [0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 1, 0]
    ax = plot_confusion_matrix(truth, guess, class_names=["cat", "dog", "eel"])
    written = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert written == {(0, 0): "1", (0, 1): "1", (1, 1): "3", (2, 0): "1"}  # (row = true, column = predicted)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "eel"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted", "true")
    assert ax.images[0].get_array().tolist() == [[1, 1, 0], [0, 3, 0], [1, 0, 0]]


def test_plot_images_draws_each_image_with_its_title() -> None:
    digits = [[float((i + j) % 16) for j in range(64)] for i in range(13)]
    fig = plot_images(digits, titles=[f"{i}→{i + 1}" for i in range(13)], columns=5)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 15 and len(shown) == 13  # 3 rows of 5, two left empty
    assert shown[2].images[0].get_array().shape == (8, 8) and shown[2].get_title() == "2→3"
    assert shown[2].images[0].get_array()[1].tolist() == digits[2][8:16]
    rows = plot_images([[[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]]])  # an image given as rows
    assert rows.axes[0].images[0].get_array().shape == (2, 3)
    with pytest.raises(ValueError, match=r"an image of 6 pixels is not 2×2; pass shape=\(height, width\)"):
        plot_images([[0.0] * 6])
    assert plot_images([[0.0] * 6], shape=(2, 3)).axes[0].images[0].get_array().shape == (2, 3)
    with pytest.raises(ValueError, match="plot_images: 2 images but 1 titles"):
        plot_images([[0.0] * 4, [1.0] * 4], titles=["a"])
