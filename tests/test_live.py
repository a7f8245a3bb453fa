"""Live training: fit's callbacks, LivePlot (one figure redrawn in place; frames for a GIF), train --animate."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from microgradnet.datasets import make_blobs, make_moons
from microgradnet.nn import MLP
from microgradnet.training import fit

matplotlib = pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")
PNG = b"\x89PNG\r\n\x1a\n"


# -- fit(callbacks=...) -----------------------------------------------------------------------------
def test_callbacks_are_called_after_each_epoch_with_the_history_so_far() -> None:
    X, y = make_moons(40, seed=0)
    model = MLP(2, [4, 1], seed=0)
    calls: list[tuple[Any, ...]] = []

    class Recorder:
        def on_epoch_end(self, epoch: int, history: dict[str, list[float]], model: Any) -> None:
            calls.append(("object", epoch, {k: list(v) for k, v in history.items()}, model))

    def function(epoch: int, history: dict[str, list[float]], model: Any) -> None:
        calls.append(("function", epoch, {k: list(v) for k, v in history.items()}, model))

    history = fit(model, X, y, epochs=3, batch_size=16, seed=0, progress=False, validation_data=(X, y),
                  callbacks=[Recorder(), function])  # fmt: skip
    assert [c[:2] for c in calls] == [("object", 0), ("function", 0), ("object", 1), ("function", 1),
                                      ("object", 2), ("function", 2)]  # fmt: skip
    for _, epoch, seen, given in calls:
        assert given is model
        assert seen == {k: v[: epoch + 1] for k, v in history.items()}  # the figures of epochs 0..epoch


def test_a_callback_sees_the_model_as_trained_so_far() -> None:
    X, y = make_blobs(30, centers=3, seed=1)
    model = MLP(2, [5, 3], seed=0)
    weights: list[list[float]] = []
    fit(model, X, y, epochs=2, seed=0, progress=False, callbacks=[lambda e, h, m: weights.append(
        [p.data for p in m.parameters()])])  # fmt: skip
    twin = MLP(2, [5, 3], seed=0)
    fit(twin, X, y, epochs=1, seed=0, progress=False)
    assert weights[0] == [p.data for p in twin.parameters()] and weights[1] == [p.data for p in model.parameters()]


def test_fit_without_callbacks_and_bad_callbacks() -> None:
    X, y = make_moons(10, seed=0)
    model = MLP(2, [1], seed=0)
    assert len(fit(model, X, y, epochs=2, progress=False, callbacks=None)["loss"]) == 2
    assert len(fit(model, X, y, epochs=2, progress=False, callbacks=[])["loss"]) == 2
    with pytest.raises(TypeError, match=r"must be a list of callbacks \(callbacks=\[cb\]\), got function"):
        fit(model, X, y, progress=False, callbacks=lambda e, h, m: None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"a callback must be a function \(epoch, history, model\) or have an "
                                        r"on_epoch_end\(epoch, history, model\) method, got int: 3"):  # fmt: skip
        fit(model, X, y, progress=False, callbacks=[3])


# -- LivePlot ---------------------------------------------------------------------------------------
def live_plot(**kwargs: Any) -> Any:
    from microgradnet.plot import LivePlot

    return LivePlot(**kwargs)


def test_liveplot_redraws_one_figure_with_the_curves_and_the_boundary() -> None:
    X, y = make_moons(40, noise=0.1, seed=0)
    model = MLP(2, [6, 1], seed=0)
    live = live_plot(X=X, y=y, resolution=12)
    figure = live.figure
    history = fit(model, X, y, epochs=3, batch_size=20, seed=0, progress=False, validation_data=(X[:10], y[:10]),
                  callbacks=[live])  # fmt: skip
    assert live.figure is figure and len(figure.axes) == 2  # one figure, drawn over
    curves, boundary = figure.axes
    assert curves.get_title() == "loss, epoch 2"
    assert [list(line.get_ydata()) for line in curves.get_lines()] == [history["loss"], history["val_loss"]]
    assert [list(line.get_xdata()) for line in curves.get_lines()] == [[0, 1, 2], [0, 1, 2]]
    assert boundary.get_title() == f"decision boundary (train accuracy {history['accuracy'][-1]:.1%})"
    assert len(boundary.collections) >= 2  # the coloured plane and the points, once (the axes were cleared)
    points = [c for c in boundary.collections if c.get_offsets().shape == (40, 2)]
    assert len(points) == 1 and points[0].get_offsets().tolist() == X
    assert live.frames == []  # nothing recorded unless asked


def test_liveplot_without_points_or_with_points_not_2d_draws_the_curves_only() -> None:
    X, y = make_blobs(20, centers=2, n_features=3, seed=0)
    for live in (live_plot(), live_plot(X=X, y=y)):
        model = MLP(3, [2, 1], seed=0)
        fit(model, X, y, epochs=2, progress=False, callbacks=[live])
        assert len(live.figure.axes) == 1 and live.figure.axes[0].get_title() == "loss, epoch 1"


def test_liveplot_records_frames_every_few_epochs_and_the_last_and_saves_a_gif(tmp_path: Path) -> None:
    X, y = make_moons(30, noise=0.1, seed=0)
    model = MLP(2, [4, 1], seed=0)
    live = live_plot(X=X, y=y, every=2, epochs=6, resolution=10, record=True, show=False)
    titles: list[str] = []
    fit(model, X, y, epochs=6, seed=0, progress=False,
        callbacks=[live, lambda e, h, m: titles.append(live.figure.axes[0].get_title())])  # fmt: skip
    assert titles == ["loss, epoch 0"] * 2 + ["loss, epoch 2"] * 2 + ["loss, epoch 4", "loss, epoch 5"]
    assert len(live.frames) == 4  # epochs 0, 2, 4 and the last, 5
    path = tmp_path / "training.gif"
    live.save_gif(path, fps=4)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4 and gif.info["loop"] == 0
        assert gif.size == live.figure.canvas.get_width_height()
        durations = []
        for k in range(gif.n_frames):
            gif.seek(k)
            durations.append(gif.info["duration"])
        assert durations[:3] == [250, 250, 250] and durations[3] > 250  # it rests on the end a moment
    with pytest.raises(ValueError, match=r"no frames were recorded \(make it with record=True, then fit\)"):
        live_plot().save_gif(tmp_path / "none.gif")
    assert not (tmp_path / "none.gif").exists()


def test_in_jupyter_the_picture_is_shown_once_and_then_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    IPython = pytest.importorskip("IPython")
    pytest.importorskip("IPython.display")

    shown: list[tuple[str, Any]] = []

    class Handle:
        def update(self, obj: Any) -> None:
            shown.append(("update", obj))

    def display(obj: Any, display_id: bool = False) -> Handle:
        assert display_id is True
        shown.append(("display", obj))
        return Handle()

    class Kernel:
        kernel = object()  # what a Jupyter kernel's shell has, and a terminal IPython's has not

    monkeypatch.setattr(IPython, "get_ipython", lambda: Kernel())
    monkeypatch.setattr(IPython.display, "display", display)
    X, y = make_moons(20, seed=0)
    fit(MLP(2, [3, 1], seed=0), X, y, epochs=3, progress=False, callbacks=[live_plot(X=X, y=y, resolution=8)])
    assert [kind for kind, _ in shown] == ["display", "update", "update"]
    for _, picture in shown:
        assert isinstance(picture, IPython.display.Image) and picture.data.startswith(PNG)
    with Image.open(io.BytesIO(shown[-1][1].data)) as png:
        assert png.size == (800, 320)
    shown.clear()
    fit(MLP(2, [3, 1], seed=0), X, y, epochs=2, progress=False, callbacks=[live_plot(X=X, y=y, show=False)])
    assert shown == []


def test_outside_jupyter_nothing_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    IPython = pytest.importorskip("IPython")
    pytest.importorskip("IPython.display")

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: pytest.fail("displayed outside Jupyter"))
    X, y = make_moons(10, seed=0)
    live = live_plot(X=X, y=y, resolution=5)
    fit(MLP(2, [1], seed=0), X, y, epochs=1, progress=False, callbacks=[live])
    assert live.figure.axes[0].get_title() == "loss, epoch 0"


def test_liveplot_checks_its_arguments_and_names_the_extra(hide_package: Any) -> None:
    X, _ = make_moons(10, seed=0)
    with pytest.raises(ValueError, match="LivePlot needs both X and y"):
        live_plot(X=X)
    with pytest.raises(ValueError, match=r"LivePlot\(every\) must be a positive int, got 0"):
        live_plot(every=0)
    with pytest.raises(ValueError, match=r"LivePlot\(epochs\) must be a positive int, got 2.5"):
        live_plot(epochs=2.5)
    hide_package("matplotlib")
    with pytest.raises(ModuleNotFoundError, match=r'plotting needs matplotlib.*pip install "microgradnet\[plot\]"'):
        live_plot()


# -- microgradnet train --animate -------------------------------------------------------------------
def test_train_animate_writes_training_gif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from microgradnet.cli import main

    out = tmp_path / "run"
    argv = ["train", "--dataset", "xor", "--hidden", "4", "--epochs", "3", "--seed", "1", "-q", "--animate"]
    assert main([*argv, "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["decision_boundary.png", "loss.png", "model.json",
                                                     "training.gif"]  # fmt: skip
    assert f"{out / 'training.gif'}" in capsys.readouterr().out
    with Image.open(out / "training.gif") as gif:
        assert gif.n_frames == 3 and gif.size == (800, 320)  # one frame per epoch: the curves and the boundary
    assert main([*argv[:-1], "--out", str(tmp_path / "b")]) == 0
    assert not (tmp_path / "b" / "training.gif").exists()
