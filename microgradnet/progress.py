"""How `fit` shows its progress: a bar where someone watches, one line per epoch where output is kept.

- In a terminal: a tqdm bar (the `progress` extra), redrawn in place.
- In Jupyter: tqdm's widget (the `notebook` extra, ipywidgets), or without ipywidgets a bar of the
  library's own, a display that is updated in place: no warning, no stream of frames in the saved notebook.
- Anywhere else (output to a file, a pipe, CI): one line per epoch, never the frames of a bar.
"""

from __future__ import annotations

import html
import importlib
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TextIO

__all__ = ["Progress"]

_SHORT = {"loss": "loss", "accuracy": "acc", "val_loss": "val_loss", "val_accuracy": "val_acc"}
_MISSING_TQDM = (
    "fit(progress=True) needs tqdm for a bar in a terminal, and it is not installed: "
    'pip install "microgradnet[progress]"'
)


class Progress:
    """fit's progress display with the running loss and accuracy, chosen for where the output goes.

    progress: False shows nothing; None shows what the place allows (a bar in a terminal needs tqdm:
    without it, one line per epoch); True is None but insists on tqdm's bar in a terminal.
    total: the number of steps (minibatches) of the whole run.
    """

    def __init__(self, progress: bool | None, total: int) -> None:
        self.figures: dict[str, str] = {}
        self.view: _View | None = None if progress is False else _choose_view(progress, total)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.view is not None:
            self.view.close()

    def start_epoch(self, epoch: int, epochs: int) -> None:
        """An epoch begins (counted from 0)."""
        if self.view is not None:
            self.view.start_epoch(epoch, epochs)

    def step(self, loss: float, acc: float | None) -> None:
        """A step is done: the epoch's running mean loss and (for class labels) accuracy so far."""
        if self.view is not None:
            self.figures["loss"] = f"{loss:.4g}"
            if acc is not None:
                self.figures["acc"] = f"{acc:.3f}"
            self.view.step(self.figures)

    def end_epoch(self, history: Mapping[str, Sequence[float]]) -> None:
        """An epoch is done: show its figures from fit's history."""
        if self.view is not None:
            for key, values in history.items():
                self.figures[_SHORT.get(key, key)] = f"{values[-1]:.4g}" if "loss" in key else f"{values[-1]:.3f}"
            self.view.end_epoch(self.figures)


class _View(Protocol):
    def start_epoch(self, epoch: int, epochs: int) -> None: ...
    def step(self, figures: dict[str, str]) -> None: ...
    def end_epoch(self, figures: dict[str, str]) -> None: ...
    def close(self) -> None: ...


def _choose_view(progress: bool | None, total: int) -> _View | None:
    """The display for where fit's output goes (see the module's docstring)."""
    stream = sys.stderr
    if stream is None:  # pythonw: output goes nowhere
        return None
    if _in_notebook():
        return _widget_bar(total) or _DisplayBar(total)
    if _is_terminal(stream):
        try:
            from tqdm import tqdm  # type: ignore[import-untyped]
        except ImportError:
            if progress:
                raise ModuleNotFoundError(_MISSING_TQDM) from None
            return _EpochLines(stream)
        return _TqdmBar(tqdm(total=total, unit="step", leave=True, dynamic_ncols=True, file=stream))
    return _EpochLines(stream)


def _in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (IPython in a terminal is not one)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
        return shell is not None and "IPKernelApp" in shell.config
    except Exception:  # an IPython too old or too new to ask: not a notebook we know
        return False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


def _widget_bar(total: int) -> _View | None:
    """tqdm's Jupyter widget, when ipywidgets (and tqdm) are installed; None otherwise, without a warning."""
    try:
        import ipywidgets  # type: ignore[import-untyped]  # noqa: F401 - tqdm.notebook warns without it
        from tqdm.notebook import tqdm as notebook_tqdm  # type: ignore[import-untyped]
    except ImportError:
        return None
    try:
        bar = notebook_tqdm(total=total, unit="step", leave=True, display=False)
    except Exception:  # an ipywidgets that this tqdm cannot use
        return None
    return _WidgetBar(total, bar)


class _TqdmBar:
    """tqdm's bar in a terminal, redrawn in place."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def start_epoch(self, epoch: int, epochs: int) -> None:
        self.bar.set_description(f"epoch {epoch + 1}/{epochs}")

    def step(self, figures: dict[str, str]) -> None:
        self.bar.update(1)
        self.bar.set_postfix(figures, refresh=False)

    def end_epoch(self, figures: dict[str, str]) -> None:
        self.bar.set_postfix(figures, refresh=True)

    def close(self) -> None:
        self.bar.close()


class _EpochLines:
    """One line per epoch on a stream that is not a terminal: `epoch 3/10: loss=0.4121, acc=0.850 (0.2 s)`."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.epoch, self.started = "", time.perf_counter()

    def start_epoch(self, epoch: int, epochs: int) -> None:
        self.epoch, self.started = f"epoch {epoch + 1}/{epochs}", time.perf_counter()

    def step(self, figures: dict[str, str]) -> None:
        pass

    def end_epoch(self, figures: dict[str, str]) -> None:
        shown = ", ".join(f"{k}={v}" for k, v in figures.items())
        print(f"{self.epoch}: {shown} ({time.perf_counter() - self.started:.1f} s)", file=self.stream, flush=True)

    def close(self) -> None:
        pass


class _DisplayBar:
    """A bar in Jupyter without ipywidgets: one display, updated in place (HTML, and text for plain viewers)."""

    REFRESH = 0.1  # seconds between redraws while an epoch runs

    def __init__(self, total: int, shown: object = None) -> None:
        display: Any = importlib.import_module("IPython.display").display  # in a kernel, IPython is there
        self.total, self.n, self.epoch = total, 0, ""
        self.figures: dict[str, str] = {}
        self.started = self.drawn = time.perf_counter()
        self.handle = display(self if shown is None else shown, display_id=True)

    def start_epoch(self, epoch: int, epochs: int) -> None:
        self.epoch = f"epoch {epoch + 1}/{epochs}"

    def step(self, figures: dict[str, str]) -> None:
        self.n += 1
        self.figures = figures
        if time.perf_counter() - self.drawn >= self.REFRESH:
            self.draw()

    def end_epoch(self, figures: dict[str, str]) -> None:
        self.figures = figures
        self.draw()

    def close(self) -> None:
        self.draw()  # the bar's last state, which a saved notebook keeps

    def draw(self) -> None:
        self.drawn = time.perf_counter()
        if self.handle is not None:
            self.handle.update(self)

    def _counts(self) -> str:
        elapsed = int(time.perf_counter() - self.started)
        figures = ", ".join(f"{k}={v}" for k, v in self.figures.items())
        return f"{self.n}/{self.total} steps [{elapsed // 60}:{elapsed % 60:02d}{', ' + figures if figures else ''}]"

    def __repr__(self) -> str:
        done = self.n / max(self.total, 1)
        bar = "█" * int(20 * done)
        return f"{self.epoch}: {int(100 * done):3d}% |{bar:<20}| {self._counts()}"

    def _repr_html_(self) -> str:
        return (
            '<div style="display:flex;flex-wrap:wrap;align-items:center;column-gap:0.6em;font-family:monospace">'
            f'<span style="white-space:nowrap">{html.escape(self.epoch)}: {100 * self.n // max(self.total, 1)}%</span>'
            f'<progress value="{self.n}" max="{max(self.total, 1)}" style="width:16em;max-width:100%"></progress>'
            f"<span>{html.escape(self._counts())}</span></div>"
        )


class _WidgetBar(_DisplayBar):
    """tqdm's widget while fit runs; at the end the same display shows the bar as HTML.

    A widget's state is not saved with a notebook (nor drawn by nbconvert, GitHub or the docs), which
    would show the text it had when it appeared: "0%". The last state, drawn as HTML, shows everywhere.
    """

    def __init__(self, total: int, bar: Any) -> None:
        self.bar = bar
        super().__init__(total, shown=bar.container)
        bar.displayed = True

    def start_epoch(self, epoch: int, epochs: int) -> None:
        super().start_epoch(epoch, epochs)
        self.bar.set_description(self.epoch)

    def step(self, figures: dict[str, str]) -> None:
        self.n += 1
        self.figures = figures
        self.bar.update(1)
        self.bar.set_postfix(figures, refresh=False)

    def end_epoch(self, figures: dict[str, str]) -> None:
        self.figures = figures
        self.bar.set_postfix(figures, refresh=True)

    def close(self) -> None:
        self.bar.close()
        super().close()
