"""grad and value_and_grad: JAX-style, nestable to any order, right for closures; bad arguments."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings

import microgradnet as mg
from microgradnet import Value, grad, gradients, value_and_grad
from microgradnet.testing import Expression, gradgradcheck
from microgradnet.testing.strategies import expressions


def test_grad_of_a_polynomial_to_third_order() -> None:
    f = lambda x: x**3  # noqa: E731
    assert grad(f)(2.0) == 12.0
    assert grad(grad(f))(2.0) == 12.0
    assert grad(grad(grad(f)))(2.0) == 6.0
    assert grad(grad(grad(grad(f))))(2.0) == 0.0
    assert type(grad(f)(2.0)) is float


def test_higher_order_of_transcendental_functions() -> None:
    x = 0.7
    assert grad(grad(lambda v: v.sin()))(x) == pytest.approx(-math.sin(x), rel=1e-14)
    assert grad(grad(grad(lambda v: v.exp() * v)))(x) == pytest.approx(math.exp(x) * (x + 3), rel=1e-14)
    t = math.tanh(x)
    assert grad(grad(lambda v: v.tanh()))(x) == pytest.approx(-2 * t * (1 - t * t), rel=1e-14)


def test_closures_do_not_confuse_their_variables() -> None:
    f = lambda x: x * grad(lambda y: x * y)(3.0)  # noqa: E731  d/dy (x y) = x, so f = x², f' = 2x
    assert grad(f)(2.0) == 4.0
    g = lambda x: grad(lambda y: x * y * y)(x)  # noqa: E731  2 x y at y = x: 2x², g' = 4x
    assert grad(g)(1.5) == 6.0


def test_value_and_grad_with_argnums() -> None:
    f = lambda x, y, z: x * y + z  # noqa: E731
    assert value_and_grad(f, argnums=(0, 1))(3.0, 4.0, 1.0) == (13.0, (4.0, 3.0))
    assert value_and_grad(f)(3.0, 4.0, 1.0) == (13.0, 4.0)
    assert value_and_grad(f, argnums=-1)(3.0, 4.0, 1.0) == (13.0, 1.0)
    assert grad(f, argnums=(2, 0))(3.0, 4.0, 1.0) == (1.0, 4.0)
    assert grad(lambda x: 5.0)(1.0) == 0.0  # a constant function


def test_called_with_values_they_give_values_that_can_be_differentiated_again() -> None:
    x = Value(2.0)
    d = grad(lambda v: v**3)(x)
    assert isinstance(d, Value) and d.data == 12.0
    (dd,) = gradients(d, [x])
    assert dd.data == 12.0
    value, g = value_and_grad(lambda v: v.exp())(x)
    assert isinstance(value, Value) and isinstance(g, Value) and value.data == g.data == math.exp(2.0)


def test_grad_works_inside_no_grad() -> None:
    with mg.no_grad():
        assert grad(lambda v: v * v)(3.0) == 6.0
        assert not mg.is_grad_enabled()


def test_names_say_what_they_are() -> None:
    def square(x: Any) -> Any:
        return x * x

    assert grad(square).__name__ == "grad(square)"
    assert value_and_grad(square).__name__ == "value_and_grad(square)"


@pytest.mark.parametrize(
    ("argnums", "error", "match"),
    [
        (2, ValueError, "argnums 2 is out of range for a call with 2 positional argument"),
        ((0, -3), ValueError, "argnums -3 is out of range"),
        ("0", TypeError, "argnums must be an int or a non-empty tuple of ints, got '0'"),
        (True, TypeError, "got True"),
        ((), TypeError, r"got \(\)"),
        ([0], TypeError, r"got \[0\]"),
    ],
)
def test_bad_argnums(argnums: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        grad(lambda x, y: x * y, argnums=argnums)(1.0, 2.0)


def test_bad_arguments_and_results() -> None:
    with pytest.raises(TypeError, match=r"argument 0 of the differentiated function must be a real number .*got str"):
        grad(lambda x: x)("1")
    with pytest.raises(TypeError, match=r"the differentiated function's result must be a real number .*got str"):
        grad(lambda x: "x")(1.0)


@settings(max_examples=30, database=None)
@given(e=expressions(n_inputs=2, max_leaves=6))
def test_grad_agrees_with_gradients_and_second_derivatives_check(e: Expression) -> None:
    xs = [Value(x) for x in e.inputs]
    out = e(*xs)
    assert isinstance(out, Value)
    expected = [g.data for g in gradients(out, xs)]
    assert list(grad(e, argnums=(0, 1))(*e.inputs)) == pytest.approx(expected, rel=1e-13, abs=1e-15)
    assert gradgradcheck(e, e.inputs)
