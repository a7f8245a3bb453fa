"""Examples from karpathy/micrograd: its engine tests (test/test_engine.py), as functions of Values of
any engine, and the neuron of its lecture."""

from __future__ import annotations

import math
from typing import Any

from microgradnet import Value


def sanity(x: Any) -> Any:
    """micrograd's test_sanity_check expression."""
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def more_ops(a: Any, b: Any) -> Any:
    """micrograd's test_more_ops expression."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def classic() -> Value:
    """micrograd's neuron example: o = tanh(x1*w1 + x2*w2 + b), after backward."""
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    x2, w2 = Value(0.0, label="x2"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def lecture_tanh(x: Value, label: str = "") -> Value:
    """tanh written as Karpathy's lecture writes it: Value(data, _children, _op) and a _backward closure."""
    t = (math.exp(2 * x.data) - 1) / (math.exp(2 * x.data) + 1)
    out = Value(t, (x,), "tanh", label=label)

    def _backward() -> None:
        x.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out
