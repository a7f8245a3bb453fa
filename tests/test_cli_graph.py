"""`microgradnet graph`: good expressions are drawn in every format; bad input gets one line and exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from microgradnet import Value, draw_dot
from microgradnet.cli import main

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot program is not installed")
NEURON = ["graph", "tanh(x*w + b)", "x=2", "w=-3", "b=6.8813735870195432"]
NEURON_TREE = (
    "tanh  data 0.7071  grad 1\n"
    "└─ +  data 0.8814  grad 0.5\n"
    "   ├─ *  data -6  grad 0.5\n"
    "   │  ├─ x  data 2  grad -1.5\n"
    "   │  └─ w  data -3  grad 1\n"
    "   └─ b  data 6.881  grad 0.5\n"
)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_without_output_file_the_text_tree_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(NEURON, capsys) == (0, NEURON_TREE, "")


def test_no_grad_skips_backward(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*NEURON, "--no-grad"], capsys)
    assert code == 0 and out.splitlines()[0] == "tanh  data 0.7071" and "grad" not in out


def test_text_and_dot_files_need_no_dot_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    txt, gv = tmp_path / "g.txt", tmp_path / "g.dot"
    assert run([*NEURON, "-o", str(txt)], capsys) == (0, f"wrote {txt}\n", "")
    assert txt.read_text(encoding="utf-8") == NEURON_TREE
    assert run([*NEURON, "-o", str(gv), "--color-grad", "--rankdir", "TB"], capsys)[0] == 0
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    o = (x * w + b).tanh()
    o.backward()
    assert gv.read_text(encoding="utf-8") == draw_dot(o, color_by="grad", rankdir="TB").source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot", "g.txt"]  # no temporary files left


@needs_dot
@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_rendered_files(tmp_path: Path, suffix: str, magic: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"graph{suffix.upper()}"  # the suffix is read case-insensitively
    assert run([*NEURON, "-o", str(path)], capsys) == (0, f"wrote {path}\n", "")
    assert path.read_bytes().startswith(magic)
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())  # an ordinary file, not a private temp
    if suffix == ".svg":
        ns = "{http://www.w3.org/2000/svg}"
        nodes = [g for g in ET.fromstring(path.read_text(encoding="utf-8")).iter(f"{ns}g") if g.get("class") == "node"]
        texts = sorted(" ".join(t.text or "" for t in g.iter(f"{ns}text")) for g in nodes)
        assert texts == sorted(
            ["x data 2 grad -1.5", "w data -3 grad 1", "b data 6.881 grad 0.5", "data -6 grad 0.5",
             "data 0.8814 grad 0.5", "data 0.7071 grad 1", "*", "+", "tanh"]
        )  # fmt: skip


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["__import__('os').system('touch PWNED')"], "only the engine's functions can be called"),
        (["__import__('os')"], "'__import__' is not a function of the engine"),
        (["x.__class__", "x=1"], "attribute access 'x.__class__' is not allowed"),
        (["(lambda: 1)()"], "only the engine's functions can be called"),
        (["[x for x in y]", "y=1"], "a comprehension '[x for x in y]' is not allowed"),
        (["open('/etc/passwd')"], "'open' is not a function of the engine"),
        (["x ** 10 ** 6", "x=2"], "the exponent '10 ** 6' is too large: |exponent| must be at most 1000"),
        (["9 ** 9 ** 9"], "the exponent '9 ** 9' is too large"),
        (["x +", "x=1"], "invalid syntax"),
        (["x * y", "x=1"], "unbound name 'y': give a value, e.g. y=1.0"),
        (["x", "x"], "expected NAME=VALUE, got 'x'"),
        (["x", "1x=2"], "'1x' is not a valid name (in '1x=2')"),
        (["x", "x=1", "x=2"], "x is given twice"),
        (["x", "lambda=2", "x=1"], "'lambda' is not a valid name (in 'lambda=2')"),
        (["x", "x=abc"], "the value of x must be a number, got 'abc'"),
        (["x", "x="], "the value of x must be a number, got ''"),
        (["exp(x)", "exp=1", "x=1"], "'exp' is a function and cannot be given a value"),
        (["x", "x=1", "-o", "graph.jpg"], "cannot tell the format of 'graph.jpg': use one of the suffixes .svg"),
        (["x", "x=1", "-o", "graph"], "cannot tell the format of 'graph'"),
        (["x * 2 * 2", "x=1", "--max-nodes", "2"], "the graph has 3 values, more than --max-nodes=2; draw the part"),
        (["x", "x=1", "--depth", "-1"], "--depth must be at least 0, got -1"),
        (["x", "x=1", "--max-nodes", "0"], "--max-nodes must be at least 1, got 0"),
    ],
)
def test_bad_input_gets_one_line_and_exit_code_2(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["graph", *args], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"microgradnet graph: error: {message}") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # nothing ran, nothing was written


def test_depth(capsys: pytest.CaptureFixture[str]) -> None:
    assert run([*NEURON, "--depth", "1", "--max-nodes", "2"], capsys) == (
        0,
        "tanh  data 0.7071  grad 1\n└─ +  data 0.8814  grad 0.5\n   └─ … 2 inputs\n",
        "",
    )


def test_an_unused_value_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["graph", "x * 2", "x=1", "z=5"], capsys)
    assert (code, out.splitlines()[0]) == (0, "* 2  data 2  grad 1")
    assert err == "microgradnet graph: warning: z is not used in the expression\n"


def test_special_floats_and_constant_expressions(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["graph", "log(x)", "x=0"], capsys) == (0, "log  data -inf  grad 1\n└─ x  data 0  grad inf\n", "")
    assert run(["graph", "x * 2", "x=nan"], capsys)[1] == "* 2  data nan  grad 1\n└─ x  data nan  grad 2\n"
    assert run(["graph", "2 * 3"], capsys) == (0, "result  data 6  grad 1\n", "")


def test_unicode_names_are_read_as_python_reads_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["graph", "α * ﬁ", "α=2", "ﬁ=3"], capsys) == (  # the ligature ﬁ is the name fi
        0,
        "*  data 6  grad 1\n├─ α  data 2  grad 3\n└─ fi  data 3  grad 2\n",
        "",
    )


def test_an_expression_starting_with_minus_after_double_dash(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["graph", "--", "-x**2", "x=3"], capsys) == (
        0,
        "neg  data -9  grad 1\n└─ ** 2  data 9  grad -1\n   └─ x  data 3  grad -6\n",
        "",
    )


def test_without_dot_a_drawing_fails_with_install_instructions_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, out, err = run([*NEURON, "-o", str(tmp_path / "g.svg")], capsys)
    assert (code, out) == (1, "")
    assert err.startswith("microgradnet graph: error: Graphviz's `dot` program was not found on PATH")
    assert "apt-get install graphviz" in err and "brew install graphviz" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_without_the_graphviz_package_a_drawing_names_the_viz_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    code, _, err = run([*NEURON, "-o", str(tmp_path / "g.dot")], capsys)
    assert code == 1 and 'pip install "microgradnet[viz]"' in err
    assert run(NEURON, capsys) == (0, NEURON_TREE, "")  # the text tree needs nothing


def test_an_unwritable_destination(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing" / "g.txt"
    code, _, err = run([*NEURON, "-o", str(target)], capsys)
    want = f"microgradnet graph: error: cannot write {target}: the folder {target.parent} does not exist\n"
    assert (code, err) == (1, want)


def test_the_installed_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "microgradnet", "graph", "x.__class__", "x=1"], capture_output=True, text=True
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("microgradnet graph: error: attribute access 'x.__class__' is not allowed")
    done = subprocess.run([sys.executable, "-m", "microgradnet", *NEURON], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, NEURON_TREE)
    help_text = subprocess.run([sys.executable, "-m", "microgradnet", "--help"], capture_output=True, text=True).stdout
    assert "graph" in help_text


def test_output_to_a_pipe_or_a_link_to_a_device_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pipe, link = tmp_path / "p.svg", tmp_path / "n.txt"
    os.mkfifo(pipe)
    link.symlink_to("/dev/null")
    for path in (pipe, link):
        assert main(["graph", "x * 2", "x=1", "-o", str(path)]) == 1
        assert capsys.readouterr().err == (
            f"microgradnet graph: error: cannot write {path}: it is a device, pipe or socket, not a regular file; "
            "choose a file name\n"
        )
    assert pipe.is_fifo() and link.is_symlink()
