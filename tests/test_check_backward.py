"""check_backward: a backward pass written by hand, checked against the engine's, input by input."""

from __future__ import annotations

import math

import pytest

import microgradnet as mg
from microgradnet import Value
from microgradnet.testing import GradcheckError, check_backward


def f(x: Value, w: Value, b: Value) -> Value:
    return (x * w + b).tanh()


def df(x: float, w: float, b: float) -> list[float]:  # Backprop Ninja: by hand
    dn = 1.0 - math.tanh(x * w + b) ** 2
    return [dn * w, dn * x, dn]


def test_a_right_backward_pass_passes() -> None:
    assert check_backward(f, df, [2.0, -3.0, 6.8813735870195432]) is True
    assert check_backward(lambda x: x.relu(), lambda x: [0.0], [-1.0])
    assert check_backward(lambda x: x.log(), lambda x: [math.inf], [0.0])  # the same inf is right
    assert check_backward(lambda x: x.sqrt(), lambda x: [math.nan], [-1.0])  # and the same nan
    assert check_backward(lambda x: mg.Value(3.0), lambda x: [0.0], [1.0])  # f does not depend on x


def test_each_wrong_gradient_is_named_with_both_numbers() -> None:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(0.5, label="b")
    with pytest.raises(GradcheckError) as caught:
        check_backward(f, lambda x, w, b: [df(x, w, b)[0], 1.0 - math.tanh(x * w + b) ** 2, 0.0], [x, w, b])
    message = str(caught.value)
    want = df(2.0, -3.0, 0.5)
    assert message.startswith("check_backward: the gradient written by hand is wrong for 2 of 3 inputs")
    assert f"input 1 (w = -3.0): by hand {want[2]!r}, by the engine {want[1]!r}" in message
    assert f"input 2 (b = 0.5): by hand 0.0, by the engine {want[2]!r}" in message
    assert "input 0" not in message and x.grad == w.grad == b.grad == 0.0  # no .grad is touched
    with pytest.raises(GradcheckError, match=r"input 0 \(x = 2.0\): by hand nan, by the engine"):
        check_backward(lambda x: x * x, lambda x: [math.nan], [2.0])


def test_tolerances() -> None:
    assert check_backward(lambda x: x * x, lambda x: [4.0 + 3e-5], [2.0])  # within rtol 1e-5 of 4
    with pytest.raises(GradcheckError):
        check_backward(lambda x: x * x, lambda x: [4.0 + 3e-5], [2.0], rtol=1e-6)
    with pytest.raises(ValueError, match="rtol must be a non-negative finite number"):
        check_backward(lambda x: x * x, lambda x: [4.0], [2.0], rtol=-1.0)


def test_what_df_returns_is_checked() -> None:
    with pytest.raises(ValueError, match="df returned 1 gradients for 3 inputs"):
        check_backward(f, lambda x, w, b: [1.0], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"df must return one gradient per input \(a list\), got 1\.0"):
        check_backward(lambda x: x, lambda x: 1.0, [1.0])  # type: ignore[arg-type, return-value]
    with pytest.raises(TypeError, match=r"df's gradient 0 must be a real number .*got str"):
        check_backward(lambda x: x, lambda x: ["1"], [1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="check_backward\\(df\\) must be a function"):
        check_backward(lambda x: x, [1.0], [1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="check_backward\\(inputs\\) is empty"):
        check_backward(lambda: Value(1.0), lambda: [], [])


def test_the_program_to_python_writes_is_a_right_backward_pass() -> None:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(0.5, label="b")
    program = mg.to_python(f(x, w, b))
    assert check_backward(f, lambda *xs: program(*xs)[1], [2.0, -3.0, 0.5])
