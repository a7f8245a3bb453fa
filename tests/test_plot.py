"""Plots: what plot_history and plot_decision_boundary draw, and the message without matplotlib."""

from __future__ import annotations

import builtins
from typing import Any

import pytest

from microgradnet.engine.grad_mode import is_grad_enabled
from microgradnet.nn import MLP, Layer, Neuron
from microgradnet.plot import plot_decision_boundary, plot_history
from microgradnet.training import _ROWS_AT_ONCE

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


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


def test_decision_boundary_colours_the_predicted_class() -> None:
    # x > 0.5 is class 1: the boundary is the vertical line x = 0.5
    model = Neuron(2, nonlin=False)
    model.w[0].data, model.w[1].data, model.b.data = 1.0, 0.0, -0.5
    X, y = [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]], [0, 1, 0, 1]
    _, ax = plt.subplots()
    drawn: list[Any] = []
    contourf = ax.contourf
    ax.contourf = lambda gx, gy, z, **kw: drawn.append((gx, gy, z)) or contourf(gx, gy, z, **kw)
    assert plot_decision_boundary(model, X, y, ax=ax, resolution=13) is ax
    ((gx, gy, z),) = drawn
    assert gx[0] == pytest.approx(-0.1) and gx[-1] == pytest.approx(1.1) and len(gx) == len(gy) == 13
    assert z == [[1 if x > 0.5 else 0 for x in gx] for _ in gy]
    points = ax.collections[-1]
    assert points.get_offsets().tolist() == X
    assert list(points.get_array()) == y
    assert ax.get_xlim() == (gx[0], gx[-1])


def test_decision_boundary_of_a_multiclass_model_on_given_axes() -> None:
    _, ax = plt.subplots()
    X, y = [[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]], [0, 1, 2]
    assert plot_decision_boundary(MLP(2, [4, 3], seed=0), X, y, ax=ax) is ax


def test_decision_boundary_evaluates_the_grid_in_batches_without_a_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, bool]] = []
    forward = Layer._forward

    def spy(self: Layer, rows: Any) -> Any:
        calls.append((len(rows), is_grad_enabled()))
        return forward(self, rows)

    monkeypatch.setattr(Layer, "_forward", spy)
    model = MLP(2, [5, 1], seed=0)
    X, y = [[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]], [0, 1, 0]
    _, ax = plt.subplots()
    drawn: list[Any] = []
    contourf = ax.contourf
    ax.contourf = lambda gx, gy, z, **kw: drawn.append((gx, gy, z)) or contourf(gx, gy, z, **kw)
    plot_decision_boundary(model, X, y, ax=ax, resolution=30)
    chunks = [min(_ROWS_AT_ONCE, 900 - i) for i in range(0, 900, _ROWS_AT_ONCE)]
    assert calls == [(n, False) for n in chunks for _ in range(2)]  # both layers on 16 of the 30 x 30 points at once
    monkeypatch.undo()
    ((gx, gy, z),) = drawn
    assert z == [[1 if model([a, b]).data > 0 else 0 for a in gx] for b in gy]  # what each point alone gives


def test_decision_boundary_checks_its_input() -> None:
    model = MLP(3, [2, 1], seed=0)
    with pytest.raises(ValueError, match="draws 2-D data"):
        plot_decision_boundary(model, [[1.0, 2.0, 3.0]], [0])
    with pytest.raises(ValueError, match="X and y must be non-empty and equally long, got 1 and 2"):
        plot_decision_boundary(model, [[1.0, 2.0]], [0, 1])
    with pytest.raises(ValueError, match=r"resolution\) must be an int >= 2, got 1"):
        plot_decision_boundary(model, [[1.0, 2.0]], [0], resolution=1)


def test_without_matplotlib_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ModuleNotFoundError, match=r'plotting needs matplotlib.*pip install "microgradnet\[plot\]"'):
        plot_history({"loss": [1.0]})
