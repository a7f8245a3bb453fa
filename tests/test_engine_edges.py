"""Edge cases follow IEEE 754 and PyTorch: the README's table holds exactly, and no op ever raises or
returns a complex number, whatever real numbers it is given (the values are compared with PyTorch
in test_engine_torch.py)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from microgradnet import OPS, Value, gradients
from microgradnet.testing import apply_op

inf, nan = math.inf, math.nan


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


# The README's table "Edge cases follow PyTorch": expression, value, derivative of each leaf
README_TABLE: list[tuple[str, Callable[..., Value], tuple[float, ...], float, tuple[float, ...]]] = [
    ("Value(0).log()", lambda x: x.log(), (0.0,), -inf, (inf,)),
    ("Value(-1).log()", lambda x: x.log(), (-1.0,), nan, (-1.0,)),
    ("1 / Value(0)", lambda x: 1 / x, (0.0,), inf, (-inf,)),
    ("Value(-8) ** (1/3)", lambda x: x ** (1 / 3), (-8.0,), nan, (nan,)),
    ("Value(0).sqrt()", lambda x: x.sqrt(), (0.0,), 0.0, (inf,)),
    ("Value(1000).exp()", lambda x: x.exp(), (1000.0,), inf, (inf,)),
    ("Value(1000).tanh()", lambda x: x.tanh(), (1000.0,), 1.0, (0.0,)),
    ("Value(-1000).sigmoid()", lambda x: x.sigmoid(), (-1000.0,), 0.0, (0.0,)),
    ("Value(0).relu()", lambda x: x.relu(), (0.0,), 0.0, (0.0,)),
    ("abs(Value(0))", lambda x: abs(x), (0.0,), 0.0, (0.0,)),
    ("Value(0).leaky_relu(0.1)", lambda x: x.leaky_relu(0.1), (0.0,), 0.0, (0.1,)),
    ("Value(0) ** 0", lambda x: x**0, (0.0,), 1.0, (0.0,)),
    ("Value(0) ** Value(2)", lambda x, y: x**y, (0.0, 2.0), 0.0, (0.0, 0.0)),
    ("Value(-2) ** Value(2)", lambda x, y: x**y, (-2.0, 2.0), 4.0, (-4.0, nan)),
    ("Value(-1).relu().sqrt()", lambda x: x.relu().sqrt(), (-1.0,), 0.0, (0.0,)),
    ("Value(1e-310) ** 0", lambda x: x**0, (1e-310,), 1.0, (0.0,)),
    ("Value(5e-324).log() * 0", lambda x: x.log() * 0, (5e-324,), -0.0, (0.0,)),
    ("1e-6 * Value(-710).exp().log()", lambda x: 1e-6 * x.exp().log(), (-710.0,), -0.00071, (1e-06,)),
]


def test_the_readme_edge_table_is_the_one_tested() -> None:
    """Each row of the README's table (its expressions, values and derivatives) is a row of README_TABLE."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    table = readme.split("### Edge cases follow PyTorch")[1].split("\n\n")[2]
    rows = [[c.strip(" `") for c in line.strip("|").split("|")] for line in table.splitlines()[2:]]
    tested = {part.strip(): r for r in README_TABLE for part in r[0].split(",")}
    for expression, value, derivative in rows:
        for k, text in enumerate(e.strip(" `") for e in expression.split("`, `")):
            row = tested[text]
            assert _same(float(value.split("`, `")[k]), row[3]), text
            numbers = [float(w.strip("`,")) for w in derivative.split("(")[0].split() if w.strip("`,") not in
                       ("base", "exponent")]  # fmt: skip
            assert _same(numbers[k] if len(row[4]) == 1 else numbers[0], row[4][0]), text
    assert len(rows) == len(README_TABLE) - 1  # tanh and sigmoid share a row


@pytest.mark.parametrize(("text", "f", "point", "value", "derivatives"), README_TABLE, ids=[r[0] for r in README_TABLE])
def test_the_readme_edge_table(
    text: str, f: Callable[..., Value], point: tuple[float, ...], value: float, derivatives: tuple[float, ...]
) -> None:
    xs = [Value(x) for x in point]
    out = f(*xs)
    assert _same(out.data, value), (text, out.data)
    out.backward()
    assert all(_same(x.grad, d) for x, d in zip(xs, derivatives)), (text, [x.grad for x in xs])


def test_overflow_is_infinite_and_nothing_is_complex() -> None:
    assert (Value(1e200) * 1e200).data == inf
    assert (Value(-1e200) * 1e200).data == -inf
    assert (Value(10.0) ** 400).data == inf and (Value(-10.0) ** 401).data == -inf
    assert (2 ** Value(5000.0)).data == inf
    assert math.isnan((Value(-8.0) ** (1 / 3)).data) and type((Value(-8.0) ** 0.5).data) is float
    assert (Value(0.0) ** -1).data == inf and (Value(-0.0) ** -1).data == -inf
    assert (Value(-1.0) / 0.0).data == -inf and math.isnan((Value(0.0) / 0.0).data)


SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-300, 1e300, -1e300, inf, -inf, nan]


@pytest.mark.parametrize("name", list(OPS))
def test_no_op_ever_raises_or_returns_a_complex(name: str) -> None:
    """Every op on every combination of special values, as Values and with constant operands, to second order."""
    op = OPS[name]
    for point in itertools.product(SPECIAL, repeat=op.arity):
        variants: list[tuple[Any, ...]] = [tuple(Value(x) for x in point)]
        if op.arity == 2:
            variants += [(Value(point[0]), point[1]), (point[0], Value(point[1]))]
        for args in variants:
            out = apply_op(name, *args)
            assert type(out.data) is float, (name, point)
            out.backward()
            leaves = [a for a in args if isinstance(a, Value)]
            assert all(type(a.grad) is float for a in leaves), (name, point)
            for g in gradients(out, leaves, create_graph=True):
                assert type(g.data) is float
                assert all(type(h.data) is float for h in gradients(g, leaves))
