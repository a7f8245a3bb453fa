"""engine/dots.py: a layer's weighted sums with their terms written out give the floats sum() gives."""

from __future__ import annotations

import math
import operator
import random
import struct
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microgradnet import Value, nn
from microgradnet.engine.dots import MAX_WRITTEN_OUT, param_dots, summed

WRITTEN_OUT = sys.version_info < (3, 12)  # from 3.12 on sum() compensates its rounding: the expression would not


def bits(xs: list[float]) -> list[bytes]:
    """Each float's 8 bytes (tells -0.0 from 0.0); every nan as one (which payload a nan carries is the CPU's)."""
    return [b"nan" if math.isnan(x) else struct.pack("<d", x) for x in xs]


def by_sum(weights: list[list[float]], biases: list[float], x: list[float]) -> list[float]:
    return [sum(map(operator.mul, w, x), b) for w, b in zip(weights, biases)]


def dots(weights: list[list[float]], biases: list[float], x: list[float]) -> list[float]:
    """The engine's sums: written out over (w1..wn, b) Values where they are, else `summed`."""
    written = param_dots(len(x))
    if written is None:
        return summed(weights, biases, x)
    return written([(*map(Value, w), Value(b)) for w, b in zip(weights, biases)], x)


floats = st.floats(allow_nan=True, allow_infinity=True, width=64)


@given(st.integers(0, 40).flatmap(lambda n: st.tuples(
    st.lists(st.lists(floats, min_size=n, max_size=n), min_size=0, max_size=5),
    st.lists(floats, min_size=5, max_size=5),
    st.lists(floats, min_size=n, max_size=n),
)))  # fmt: skip
def test_the_same_floats_as_sum(case: tuple[list[list[float]], list[float], list[float]]) -> None:
    weights, biases, x = case
    biases = biases[: len(weights)]
    assert bits(dots(weights, biases, x)) == bits(by_sum(weights, biases, x))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 16, 64, MAX_WRITTEN_OUT, MAX_WRITTEN_OUT + 1])
def test_every_width_and_signed_zeros(n: int) -> None:
    rng = random.Random(n)
    weights = [[rng.choice([0.0, -0.0, 1e308, -1e308, 1e-308, rng.uniform(-2, 2)]) for _ in range(n)] for _ in range(7)]
    biases = [-0.0, 0.0, 1e308, -1e308, math.inf, 0.1, -3.0]
    x = [rng.choice([-0.0, 0.0, 2.0, rng.uniform(-1e300, 1e300), rng.uniform(-1, 1)]) for _ in range(n)]
    assert bits(dots(weights, biases, x)) == bits(by_sum(weights, biases, x))
    assert param_dots(n) is param_dots(n)  # made once per width


@pytest.mark.parametrize("n", [2, 5, 16])
def test_the_order_of_the_additions(n: int) -> None:
    """Terms of many sizes, where adding them in any other order (or compensated) rounds differently."""
    rng = random.Random(n)
    weights = [[rng.uniform(-1, 1) * 10.0 ** rng.randint(-8, 8) for _ in range(n)] for _ in range(200)]
    biases = [rng.uniform(-1, 1) * 10.0 ** rng.randint(-8, 8) for _ in range(200)]
    x = [rng.uniform(-1, 1) for _ in range(n)]
    assert bits(dots(weights, biases, x)) == bits(by_sum(weights, biases, x))


def test_which_widths_are_written_out() -> None:
    assert (param_dots(2) is not None) is WRITTEN_OUT
    assert param_dots(MAX_WRITTEN_OUT + 1) is None
    written = param_dots(3)
    if written is not None:
        assert written.__name__ == "dots_3" and "3 inputs" in (written.__doc__ or "")


@pytest.mark.parametrize("rows", [1, 20])
def test_a_layer_equals_one_neuron_at_a_time(rows: int) -> None:
    """model(X) and model(x) (written-out sums) give each neuron's sum() of its numbers, bit for bit."""
    model = nn.MLP(3, [8, 5, 1], seed=4)
    rng = random.Random(rows)
    X = [[rng.uniform(-3, 3) for _ in range(3)] for _ in range(rows)]
    outs = model(X) if rows > 1 else [model(X[0])]
    for x, out in zip(X, outs):
        row: list[float] = x
        for layer in model.layers:
            zs = [sum(map(operator.mul, [w.data for w in n.w], row), n.b.data) for n in layer.neurons]
            relu = layer.neurons[0].activation == "relu"
            row = [max(z, 0.0) if relu else z for z in zs]
        assert isinstance(out, Value) and bits([out.data]) == bits(row)
