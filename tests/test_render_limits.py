"""Drawings of hostile graphs: long chains that used to make Graphviz 2.43 crash or crawl, a Value used by
ops far apart (drawn again near them), labels beyond Graphviz's limit, a depth far beyond the graph, and
every failure of `dot` turned into an error that says what to do."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from microgradnet import GraphvizError, GraphvizNotFoundError, Value, draw_dot, draw_tree
from microgradnet.cli import main
from microgradnet.render import render
from microgradnet.render.dot import COPY_SPAN
from microgradnet.render.graph import MAX_LABEL

graphviz = pytest.importorskip("graphviz")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


def sum_chain(n: int) -> Value:
    x = Value(1.0, label="x")
    v = x
    for _ in range(n):
        v = v + x  # x feeds every step
    v.backward()
    return v


def affine_chain(n: int) -> Value:
    w = Value(0.5, label="w")
    v = Value(1.0, label="v0")
    for _ in range(n):
        v = v * w + 1
    v.backward()
    return v


def test_a_value_used_far_apart_is_drawn_again_near_its_later_uses() -> None:
    source = draw_dot(sum_chain(40)).source
    copies = re.findall(r"^\s*(v0copy\d+) \[label=<x> .*style=\"rounded,dashed\"", source, re.MULTILINE)
    assert copies == [f"v0copy{k}" for k in range(1, (40 - 1) // COPY_SPAN + 1)]
    tails = re.findall(r"^\s*(v0(?:copy\d+)?) -> (v\d+)op", source, re.MULTILINE)
    assert len(tails) == 41  # every use of x has its edge (x + x is the first), from x or from a copy of it
    for tail, head in tails:  # the n-th op is Value n: its edge comes from the copy for its stretch of the chain
        assert (int(tail[6:]) if "copy" in tail else 0) == (int(head[1:]) - 1) // COPY_SPAN
    small = draw_dot(sum_chain(COPY_SPAN)).source
    assert "copy" not in small  # a lecture-sized graph is drawn as before


@needs_dot
@pytest.mark.parametrize(("graph", "values"), [(lambda: sum_chain(297), 298), (lambda: affine_chain(150), 302)])
def test_long_chains_render_quickly_and_alive(graph: object, values: int, tmp_path: Path) -> None:
    """Graphviz 2.43 died of a 297-step v = v + x (SIGSEGV) and took over 300 s over 150 steps of v = v*w + 1."""
    drawing = draw_dot(graph())  # type: ignore[operator]
    assert drawing.values_drawn == values
    start = time.process_time()
    svg = render(drawing, "svg", timeout=120)
    assert svg.startswith(b"<?xml") and svg.count(b'class="node"') > values
    assert time.process_time() - start < 5  # this process's time; dot's own is measured in bench/hostile.py


def test_labels_longer_than_graphviz_takes_are_shortened() -> None:
    long = "<" * 20_000  # each '<' is 4 characters once escaped
    v = Value(1.0, label=long) * 2
    v.label = "ok"
    source = draw_dot(v).source
    assert f"{'&lt;' * MAX_LABEL}… (20000 characters)" in source and len(source) < 16_384
    assert draw_tree(v).splitlines()[1].startswith(f"└─ {'<' * MAX_LABEL}… (20000 characters)  data 1")


@needs_dot
def test_a_long_label_renders(tmp_path: Path) -> None:
    v = Value(1.0, label="a" * 16_385) + Value(2.0, label="b" * 40_000)
    v.backward()
    assert b"characters)" in render(draw_dot(v), "svg")


def test_a_depth_beyond_the_graph_stops_at_the_graph() -> None:
    v = affine_chain(20)
    start = time.process_time()
    assert draw_tree(v, depth=10**8) == draw_tree(v)
    assert draw_dot(v, depth=10**8).source == draw_dot(v).source
    assert time.process_time() - start < 2


# -- dot failing: a stand-in `dot` on PATH that crashes, fails or hangs -----------------------------------
def fake_dot(folder: Path, script: str) -> None:
    folder.mkdir(exist_ok=True)
    path = folder / "dot"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("kill -SEGV $$", r"Graphviz's dot crashed \(SIGSEGV\) on this drawing of 3 values; draw a part of the graph"),
        ("echo 'Error: syntax error in line 1' >&2; exit 1",
         r"Graphviz's dot failed \(exit status 1: Error: syntax error in line 1\) on this drawing of 3 values"),
    ],
)  # fmt: skip
def test_a_failing_dot_is_a_graphviz_error_that_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, message: str
) -> None:
    fake_dot(tmp_path / "bin", script)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    drawing = draw_dot(Value(1.0) * Value(2.0))
    for attempt in (lambda: drawing.pipe(format="svg"), lambda: render(drawing, "svg")):
        with pytest.raises(GraphvizError, match=message) as caught:
            attempt()
        assert "draw_tree(root)" in str(caught.value) and "is still available as .source" in str(caught.value)
    assert "text/plain" in drawing._repr_mimebundle_()  # a notebook shows the message, not a traceback


def test_a_dot_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dot(tmp_path / "bin", "exec sleep 60")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    start = time.monotonic()
    with pytest.raises(GraphvizError, match=r"took more than 0.5 s over this drawing of 3 values and was stopped"):
        render(draw_dot(Value(1.0) * Value(2.0)), "png", timeout=0.5)
    assert time.monotonic() - start < 30


def test_render_without_dot_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GraphvizNotFoundError, match="Install Graphviz"):
        render(draw_dot(Value(1.0) * 2), "svg")
    assert issubclass(GraphvizNotFoundError, GraphvizError)


def test_the_command_line_reports_a_crashing_dot_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_dot(tmp_path / "bin", "kill -SEGV $$")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "g.svg"
    assert main(["graph", "x * y", "x=1", "y=2", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("microgradnet graph: error: Graphviz's dot crashed (SIGSEGV)") and err.count("\n") == 1
    assert not out.exists()


def test_the_command_line_takes_a_flat_sum_of_201_terms_and_a_huge_depth(capsys: pytest.CaptureFixture[str]) -> None:
    names = [f"x{i}" for i in range(1, 202)]
    assert main(["graph", " + ".join(names), *[f"{n}={i}" for i, n in enumerate(names, 1)]]) == 0
    out = capsys.readouterr().out
    assert out.startswith("+  data 2.03e+04  grad 1\n") and out.count("grad 1\n") == 201 + 200  # 20301
    assert main(["graph", "tanh(x*w + b)", "x=2", "w=-3", "b=1", "--depth", "1000000000"]) == 0
    assert capsys.readouterr().out.count("\n") == 6


@needs_dot
def test_the_installed_command_draws_a_long_chain(tmp_path: Path) -> None:
    command = shutil.which("microgradnet")
    if command is None:
        pytest.skip("the microgradnet command is not installed (pip install -e .)")
    expr = "+".join(["x"] * 297)
    out = tmp_path / "chain.svg"
    done = subprocess.run(
        [command, "graph", expr, "x=1", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"<?xml")
