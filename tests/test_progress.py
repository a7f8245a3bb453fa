"""fit's progress where it goes: a log gets a line per epoch, a terminal a bar, Jupyter one display updated in place."""

from __future__ import annotations

import io
import json
import os
import re
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from microgradnet.datasets import make_moons
from microgradnet.nn import MLP
from microgradnet.training import fit

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"epoch (\d+)/(\d+): (.*) \((\d+\.\d) s\)")


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a console's stderr does."""

    def isatty(self) -> bool:
        return True


def train(epochs: int = 3, progress: bool | None = None, validation: bool = True) -> dict[str, list[float]]:
    X, y = make_moons(20, seed=0)
    val = (X[:8], y[:8]) if validation else None
    return fit(MLP(2, [3, 1], seed=0), X, y, epochs=epochs, batch_size=10, seed=0, validation_data=val,
               progress=progress)  # fmt: skip


@pytest.mark.parametrize("progress", [None, True])
def test_a_log_gets_one_line_per_epoch(progress: bool | None, capsys: pytest.CaptureFixture[str]) -> None:
    history = train(epochs=3, progress=progress)
    out, err = capsys.readouterr()
    assert out == "" and "\r" not in err
    lines = err.splitlines()
    assert len(lines) == 3
    for k, line in enumerate(lines):
        match = LINE.fullmatch(line)
        assert match, line
        assert match.group(1, 2) == (str(k + 1), "3")
        expected = {
            "loss": f"{history['loss'][k]:.4g}",
            "acc": f"{history['accuracy'][k]:.3f}",
            "val_loss": f"{history['val_loss'][k]:.4g}",
            "val_acc": f"{history['val_accuracy'][k]:.3f}",
        }
        assert match.group(3) == ", ".join(f"{key}={value}" for key, value in expected.items())


def test_a_log_needs_no_tqdm(hide_package: Any, capsys: pytest.CaptureFixture[str]) -> None:
    hide_package("tqdm")
    train(epochs=2, progress=True, validation=False)
    lines = capsys.readouterr().err.splitlines()
    assert [LINE.fullmatch(line).group(1) for line in lines] == ["1", "2"]  # type: ignore[union-attr]
    assert "val_loss" not in lines[0] and "acc=" in lines[0]


def test_progress_false_shows_nothing(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    train(progress=False)
    assert capsys.readouterr() == ("", "")
    monkeypatch.setattr(sys, "stderr", Terminal())
    train(progress=False)
    assert sys.stderr.getvalue() == ""  # type: ignore[attr-defined]
    monkeypatch.setattr(sys, "stderr", None)  # pythonw: nowhere to show it
    train(progress=None)


def test_a_terminal_gets_tqdm_s_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tqdm")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    train(epochs=2, validation=False)
    frames = terminal.getvalue()
    assert "\r" in frames and "epoch 2/2" in frames and "4/4" in frames and "loss=" in frames and "acc=" in frames


def test_a_terminal_without_tqdm(monkeypatch: pytest.MonkeyPatch, hide_package: Any) -> None:
    hide_package("tqdm")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with pytest.raises(ModuleNotFoundError, match=r'fit\(progress=True\) needs tqdm.*"microgradnet\[progress\]"'):
        train(progress=True)
    history = train(epochs=2, progress=None)  # the default: a line per epoch instead of the bar
    assert len(history["loss"]) == 2
    assert [LINE.fullmatch(line) is not None for line in terminal.getvalue().splitlines()] == [True, True]


def test_a_real_terminal_and_a_real_log_file(tmp_path: Path) -> None:
    """The same script, its stderr a pseudo-terminal and then a file: a bar redrawn in place, then lines."""
    pytest.importorskip("tqdm")
    pty = pytest.importorskip("pty")
    fcntl, termios = pytest.importorskip("fcntl"), pytest.importorskip("termios")
    script = tmp_path / "train.py"
    script.write_text(
        textwrap.dedent("""
        from microgradnet.datasets import make_moons
        from microgradnet.nn import MLP
        from microgradnet.training import fit
        X, y = make_moons(40, seed=0)
        fit(MLP(2, [3, 1], seed=0), X, y, epochs=30, batch_size=10, seed=0)
    """)
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 rows, 100 columns
    with subprocess.Popen([sys.executable, str(script)], stderr=terminal, env=env) as proc:
        os.close(terminal)
        seen = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the script closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    os.close(controller)
    assert proc.returncode == 0
    screen = seen.decode()
    assert screen.count("\n") <= 2 and screen.count("\r") > 5 and "epoch 30/30" in screen and "120/120" in screen

    log = tmp_path / "train.log"
    with log.open("w") as stderr:
        subprocess.run([sys.executable, str(script)], stderr=stderr, env=env, check=True)
    lines = log.read_text().splitlines()
    assert len(lines) == 30 and all(LINE.fullmatch(line) for line in lines)
    assert lines[-1].startswith("epoch 30/30: loss=") and len(log.read_text()) < 30 * 80


NOTEBOOK_CELLS = [
    f"import sys, warnings\nsys.path.insert(0, {str(ROOT)!r})\nwarnings.simplefilter('always')\n"
    "from microgradnet.datasets import make_moons\nfrom microgradnet.nn import MLP\n"
    "from microgradnet.training import fit\nX, y = make_moons(20, seed=0)",
    # with ipywidgets: tqdm's widget while training
    "h1 = fit(MLP(2, [3, 1], seed=0), X, y, epochs=2, batch_size=10, seed=0)\nprint(h1['loss'][-1])",
    # without ipywidgets (and tqdm installed): tqdm.auto would warn and stream 200 frames to stderr
    "sys.modules['ipywidgets'] = None\n"
    "h2 = fit(MLP(2, [3, 1], seed=0), X, y, epochs=30, batch_size=10, seed=0, validation_data=(X, y))\n"
    "print(h2['val_accuracy'][-1])",
]


def test_jupyter_shows_one_display_updated_in_place() -> None:
    pytest.importorskip("ipywidgets")
    pytest.importorskip("tqdm")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in NOTEBOOK_CELLS])
    start = time.perf_counter()
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    assert time.perf_counter() - start < 60
    _, widget, own = notebook.cells
    for cell in (widget, own):
        outputs = cell.outputs
        assert [o.output_type for o in outputs] == ["display_data", "stream"], outputs
        assert outputs[1].name == "stdout"  # no warning, no frames on stderr
        data = outputs[0].data
        assert "application/vnd.jupyter.widget-view+json" not in data  # the end state, drawn as HTML
        total = 4 if cell is widget else 60
        epochs = "2/2" if cell is widget else "30/30"
        assert f'<progress value="{total}" max="{total}"' in data["text/html"]
        assert data["text/plain"].startswith(f"epoch {epochs}: 100% |{'█' * 20}| {total}/{total} steps [")
    history = float(own.outputs[1].text)
    assert f"val_acc={history:.3f}]" in own.outputs[0].data["text/plain"]
    # the widget was shown and driven while fit ran: its saved state is the finished bar
    states = notebook.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    bars = [s["state"] for s in states.values() if s["model_name"] == "FloatProgressModel"]
    assert [(b["value"], b["max"], b["bar_style"]) for b in bars] == [(4, 4, "success")]
    assert len(json.dumps(notebook.cells[2].outputs)) < 2000
