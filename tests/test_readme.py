"""Every ```python block of README.md and of the documentation's pages runs, each in a fresh namespace, and
prints what it says.

The convention for README examples: on a line that calls `print(...)`, a trailing comment states what
that line prints.

- The output of the line (every print call made from it, joined by spaces) must equal the comment,
  both with runs of whitespace collapsed: `print(a.grad)   # 18.0`.
- The comment may go on after the output with a colon and an explanation:
  `print(a.grad)   # 36.0: leaves accumulate`.
- `...` in the comment stands for any text: `print(model)   # MLP(2, [16, 16, 1]...`.
- Lines without a comment, and output printed by library code, are not checked; but a commented print
  line that never runs is an error (its claim would go untested).
- A block right after a line `<!-- readme-test: skip -->` is not run (for examples that need a
  network, a display or minutes of time; say why in the README text). A block that imports an
  optional dependency (PyTorch) is skipped, saying so, where it is not installed.

Blocks run in a temporary working directory, so files they write disappear; a failing line is
reported with its line number in README.md.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import io
import re
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCUMENTS = [README, *sorted((ROOT / "docs").rglob("*.md"))]  # the site's own pages (README's are included)
SKIP = "<!-- readme-test: skip -->"
OPTIONAL = {"torch"}  # a block that imports one of these is skipped where it is not installed


@dataclass
class Block:
    line: int  # README line number of the first line of code
    code: str
    skip: bool
    path: Path = README
    printed: dict[int, list[str]] = field(default_factory=dict)  # line of a print call -> its outputs


def python_blocks(text: str) -> list[Block]:
    """The ```python fenced blocks of a Markdown text, with where they start."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            start = i + 1
            end = start
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            skip = i > 0 and lines[i - 1].strip() == SKIP
            blocks.append(Block(start + 1, "\n".join(lines[start:end]) + "\n", skip))
            i = end
        i += 1
    return blocks


def claims(code: str, first_line: int) -> dict[int, str]:
    """README line -> the comment on it, for the lines that end a print(...) call."""
    tree = ast.parse(code)
    print_lines = {
        n.end_lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print" and n.end_lineno
    }
    comments = {
        tok.start[0]: tok.string[1:].strip()
        for tok in tokenize.generate_tokens(io.StringIO(code).readline)
        if tok.type == tokenize.COMMENT
    }
    return {line + first_line - 1: comments[line] for line in print_lines if line in comments}


def print_spans(code: str, first_line: int) -> list[tuple[int, int]]:
    """(first, last) README lines of every print(...) call."""
    return [
        (n.lineno + first_line - 1, (n.end_lineno or n.lineno) + first_line - 1)
        for n in ast.walk(ast.parse(code))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
    ]


def matches(output: str, comment: str) -> bool:
    """Whether the comment states the output (see the module docstring)."""
    output = " ".join(output.split())
    candidates = [comment] + [comment[:i] for i, c in enumerate(comment) if c == ":"]
    for candidate in candidates:
        pattern = ".*?".join(re.escape(" ".join(part.split())) for part in candidate.strip().split("..."))
        if re.fullmatch(pattern, output, flags=re.DOTALL):
            return True
    return False


BLOCKS = [
    Block(b.line, b.code, b.skip, path) for path in DOCUMENTS for b in python_blocks(path.read_text(encoding="utf-8"))
]


def test_the_readme_has_python_examples() -> None:
    assert len([b for b in BLOCKS if b.path == README]) >= 3


@pytest.mark.parametrize("block", BLOCKS, ids=[f"{b.path.relative_to(ROOT)}:{b.line}" for b in BLOCKS])
def test_readme_block(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = block.path.relative_to(ROOT)
    if block.skip:
        pytest.skip(f"marked {SKIP} in {name}")
    if re.search(r"^(import|from) torch\b", block.code, re.MULTILINE) and importlib.util.find_spec("torch") is None:
        pytest.skip(f"{name}:{block.line} compares with PyTorch, which is not installed")
    monkeypatch.chdir(tmp_path)
    spans = print_spans(block.code, block.line)
    printed: dict[int, list[str]] = {}

    def recording_print(*args: Any, **kwargs: Any) -> None:
        if kwargs.get("file") not in (None, sys.stdout):
            builtins.print(*args, **kwargs)
            return
        buffer = io.StringIO()
        builtins.print(*args, **{**kwargs, "file": buffer})
        builtins.print(buffer.getvalue(), end="")
        frame = sys._getframe(1)
        if frame.f_code.co_filename == str(block.path):
            line = frame.f_lineno
            end = next((last for first, last in spans if first <= line <= last), line)
            printed.setdefault(end, []).append(buffer.getvalue().rstrip("\n"))

    code = compile("\n" * (block.line - 1) + block.code, str(block.path), "exec")
    namespace: dict[str, Any] = {"__name__": "__readme__", "print": recording_print}
    try:
        exec(code, namespace)  # the README's own example code, not user input
    except ModuleNotFoundError as e:
        if e.name not in OPTIONAL:
            raise
        pytest.skip(f"README.md:{block.line} needs {e.name}, an optional dependency, which is not installed")
    for line, comment in claims(block.code, block.line).items():
        assert line in printed, f"{name}:{line}: this print line never ran, so '# {comment}' is unchecked"
        output = " ".join(printed[line])
        assert matches(output, comment), f"{name}:{line}: printed {output!r}, but the comment says '# {comment}'"


@pytest.mark.parametrize(
    ("output", "comment", "ok"),
    [
        ("18.0", "18.0", True),
        ("36.0", "36.0: leaves accumulate, as in PyTorch", True),
        ("0.7071 -1.5 1.0", "0.7071 -1.5 1.0", True),
        ("o = tanh  data 0.7071", "o = tanh data 0.7071", True),
        ("Value(data=0.5, grad=0.0)", "Value(data=0.5...)", True),
        ("{'a': 1}", "{'a': 1}", True),
        ("36.05", "36.0", False),
        ("1.0", "1.0 2.0", False),
        ("2.0", "1.0: explained", False),
        ("", "something", False),
    ],
)
def test_the_comment_convention(output: str, comment: str, ok: bool) -> None:
    assert matches(output, comment) is ok


def test_claims_and_blocks_are_found() -> None:
    text = "intro\n\n```python\nx = 1\nprint(x)  # 1\nprint(x)\nprint(\n    x,\n)  # 1: multi-line\n```\n"
    (block,) = python_blocks(text)
    assert block.line == 4 and not block.skip
    assert claims(block.code, block.line) == {5: "1", 9: "1: multi-line"}
    assert python_blocks(f"{SKIP}\n```python\npass\n```\n")[0].skip
