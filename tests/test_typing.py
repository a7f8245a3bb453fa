"""A user's code type-checks under `mypy --strict`: the README's examples, and a script written the way the
README teaches. A control script with known mistakes shows that the check can fail, and where.

One mypy run (about ten seconds of CPU) checks them all against this checkout's package.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_readme import README, python_blocks

pytest.importorskip("mypy")

ROOT = Path(__file__).resolve().parents[1]
TYPECHECK_SKIP = "<!-- typecheck: skip"  # before a README block that no type checker can follow (it says why)

USER_SCRIPT = """
from microgradnet import Value, no_grad
from microgradnet.datasets import make_blobs, make_moons, train_test_split
from microgradnet.losses import binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, hinge, l2, mse
from microgradnet.nn import MLP, Module, load
from microgradnet.optim import SGD, Adam
from microgradnet.training import accuracy, fit, predict

X, y = make_moons(100, noise=0.1, random_state=1)
X_train, X_test, y_train, y_test = train_test_split(X, y, 0.25, stratify=True, random_state=0)
model = MLP(2, [16, 16, 1], seed=0)
history: dict[str, list[float]] = fit(model, X_train, y_train, optimizer="adam", epochs=2, progress=False)
print(f"{history['loss'][-1]:.4f}", accuracy(model, X_test, y_test), predict(model, X_test)[:3])

sgd = SGD(model.parameters(), lr=1.0, schedule=lambda k: 1.0 - 0.9 * k / 100)
for k in range(2):
    loss: Value = hinge(model.score(X), y) + l2(model, 1e-4)
    sgd.zero_grad()
    loss.backward()
    sgd.step()
    print(f"step {k} loss {loss:.4f} rounded {round(loss, 2)} item {loss.item()}")

one: Value = model.score(X[0])
probabilities: list[Value] = [s.sigmoid() for s in model.score(X)]
print(one.data, binary_cross_entropy(probabilities, y).item(), binary_cross_entropy_with_logits(model.score(X), y))
print(mse(one, Value(1.0)).data)

Xb, yb = make_blobs(60, centers=3, seed=0)
three = MLP(2, [8, 3], seed=0)
rows: list[list[Value]] = three.scores(Xb)
print(cross_entropy(rows, yb).data, max(range(3), key=lambda c: three.scores(Xb[0])[c].data))
Adam(three.parameters(), lr=0.01).step()

model.save("moons.json")
again = load("moons.json")
print(again.score(X[0]).data, accuracy(again, X, y), again(X[0]))
with no_grad():
    print([round(s, 3) for s in again.score(X[:3])])


class Residual(Module):
    def __init__(self) -> None:
        self.inner = MLP(2, [8, 2], activation="tanh", seed=0)
        self.scale = Value(0.1)

    def forward(self, x: list[float]) -> list[Value]:
        return [xi + self.scale * h for xi, h in zip(x, self.inner.scores(x))]


block = Residual()
print(block([1.0, 2.0]), block.scores([1.0, 2.0])[0].data, len(block.parameters()))
"""

# Mistakes a checker must catch: each line names the error it gets, as mypy's code.
CONTROL_SCRIPT = """
import math
from microgradnet import Value
from microgradnet.nn import MLP

model = MLP(2, [4, 1], seed=0)
print(model([1.0, 2.0]).data)  # union-attr: an MLP's call may give a list
print(model.score([[1.0, 2.0]]).data)  # attr-defined: a batch gives a list of scores
print(math.tanh(Value(1.0)))  # arg-type: a Value is not a float
x: float = model.score([1.0, 2.0])  # assignment
"""


def readme_blocks() -> list[tuple[str, str]]:
    """(file name, code) of each README block that a type checker can follow."""
    lines = README.read_text(encoding="utf-8").splitlines()
    out = []
    for block in python_blocks(README.read_text(encoding="utf-8")):
        before = lines[max(0, block.line - 4) : block.line - 1]  # the lines just above its ```python
        if not any(line.startswith(TYPECHECK_SKIP) for line in before):
            out.append((f"readme_line_{block.line}.py", block.code))
    return out


def test_user_code_type_checks_strictly(tmp_path: Path) -> None:
    files = {"user_script.py": USER_SCRIPT, "control_script.py": CONTROL_SCRIPT, **dict(readme_blocks())}
    assert len(files) >= 12  # most of the README's blocks are checked
    for name, code in files.items():
        (tmp_path / name).write_text(code, encoding="utf-8")
    # PyTorch (the README's bridge to it) is read as Any: analysing all of it would take a minute
    (tmp_path / "mypy.ini").write_text("[mypy]\nstrict = True\n\n[mypy-torch.*]\nfollow_imports = skip\n")
    env = {**os.environ, "MYPYPATH": str(ROOT)}  # this checkout's microgradnet, whatever is installed
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-incremental", "--cache-dir", os.devnull,
         "--show-error-codes", "--no-error-summary", *sorted(files)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    elsewhere = [e for e in errors if not e.startswith("control_script.py")]
    assert elsewhere == [], "\n".join(elsewhere) + result.stderr
    control = (re.match(r"control_script\.py:(\d+): error: .*\[([a-z-]+)\]$", e) for e in errors)
    found = {int(m[1]): m[2] for m in control if m}
    expected = {}
    for number, line in enumerate(CONTROL_SCRIPT.splitlines(), start=1):
        if "  # " in line:
            expected[number] = line.split("  # ")[1].split(":")[0]
    assert found == expected, result.stdout
