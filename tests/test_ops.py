"""Every op of the table: value and derivatives against closed forms, and against finite differences.

The tests iterate over `microgradnet.OPS`, so a new op is tested by being added: the finite-difference
and random-expression tests cover it at once, and the closed-form test fails until its formulas are
written down below.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from microgradnet import OPS, Value, gradients
from microgradnet.testing import Expression, apply_op, gradcheck, gradgradcheck, well_conditioned
from microgradnet.testing.strategies import expressions, values

F = Callable[..., float]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# name: (value, (d/dx, d/dy...), points) written from the math, independently of the engine
CLOSED_FORMS: dict[str, tuple[F, tuple[F, ...], list[tuple[float, ...]]]] = {
    "neg": (lambda x: -x, (lambda x: -1.0,), [(2.5,), (-1.0,)]),
    "abs": (abs, (lambda x: math.copysign(1.0, x),), [(-3.0,), (0.25,)]),
    "exp": (math.exp, (math.exp,), [(0.0,), (-1.5,), (2.0,)]),
    "log": (math.log, (lambda x: 1 / x,), [(1.0,), (0.1,), (7.0,)]),
    "sqrt": (math.sqrt, (lambda x: 0.5 / math.sqrt(x),), [(4.0,), (0.01,)]),
    "tanh": (math.tanh, (lambda x: 1 / math.cosh(x) ** 2,), [(0.0,), (0.8813735870195432,), (-2.0,)]),
    "sigmoid": (_sigmoid, (lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2,), [(0.0,), (3.0,), (-2.0,)]),
    "relu": (lambda x: max(x, 0.0), (lambda x: 1.0 if x > 0 else 0.0,), [(1.5,), (-1.5,)]),
    "sin": (math.sin, (math.cos,), [(0.0,), (1.0,), (-4.0,)]),
    "cos": (math.cos, (lambda x: -math.sin(x),), [(0.0,), (1.0,), (-4.0,)]),
    "add": (lambda x, y: x + y, (lambda x, y: 1.0, lambda x, y: 1.0), [(2.0, -3.0)]),
    "sub": (lambda x, y: x - y, (lambda x, y: 1.0, lambda x, y: -1.0), [(2.0, -3.0)]),
    "mul": (lambda x, y: x * y, (lambda x, y: y, lambda x, y: x), [(2.0, -3.0), (0.5, 0.0)]),
    "div": (lambda x, y: x / y, (lambda x, y: 1 / y, lambda x, y: -x / y**2), [(2.0, -4.0), (-1.0, 0.5)]),
    "pow": (
        lambda x, y: x**y,
        (lambda x, y: y * x ** (y - 1), lambda x, y: x**y * math.log(x)),
        [(2.0, 3.0), (4.0, 0.5), (0.5, -2.0), (3.0, 0.0)],
    ),
    "leaky_relu": (
        lambda x, s: x if x > 0 else s * x,
        (lambda x, s: 1.0 if x > 0 else s, lambda x, s: 0.0 if x > 0 else x),
        [(2.0, 0.01), (-2.0, 0.01), (-3.0, 0.2)],
    ),
}


def test_every_op_has_closed_forms() -> None:
    missing = set(OPS) - set(CLOSED_FORMS)
    assert not missing, f"new op(s) {sorted(missing)}: add their value and derivatives to CLOSED_FORMS"
    assert set(CLOSED_FORMS) <= set(OPS)


@pytest.mark.parametrize("name", list(OPS))
def test_value_and_derivatives_match_closed_forms(name: str) -> None:
    value, derivatives, points = CLOSED_FORMS[name]
    for point in points:
        xs = [Value(x) for x in point]
        out = apply_op(name, *xs)
        assert type(out)._name == name and type(out)._op == OPS[name].symbol
        assert out._prev == tuple(xs)
        assert out.data == pytest.approx(value(*point), rel=1e-15)
        out.backward()
        for x, d in zip(xs, derivatives):
            assert x.grad == pytest.approx(d(*point), rel=1e-14, abs=1e-300), (name, point)


@pytest.mark.parametrize("name", [n for n, op in OPS.items() if op.arity == 2])
def test_binary_ops_take_a_constant_on_either_side(name: str) -> None:
    value, (dx, dy), points = CLOSED_FORMS[name]
    infix = OPS[name].symbol in {"+", "-", "*", "/", "**"}
    for x, y in points:
        right = Value(y)
        out = apply_op(name, x, right)  # e.g. 2 - v, 2 / v, 2 ** v
        if infix:  # a method op (v.leaky_relu(s)) has no way to take a constant first operand
            assert out._prev == (right,) and type(out)._const == "x" and out._arg == x
        assert out.data == pytest.approx(value(x, y), rel=1e-15)
        out.backward()
        assert right.grad == pytest.approx(dy(x, y), rel=1e-14)
        left = Value(x)
        out = apply_op(name, left, y)  # e.g. v - 2, v / 2, v ** 2
        assert out._prev == (left,) and type(out)._const == "y" and out._arg == y
        assert out.data == pytest.approx(value(x, y), rel=1e-15)
        out.backward()
        assert left.grad == pytest.approx(dx(x, y), rel=1e-14)


@pytest.mark.parametrize("name", list(OPS))
def test_op_matches_finite_differences_over_its_domain(name: str) -> None:
    """float64, eps 1e-6 and torch.autograd.gradcheck's tolerances (the defaults of our gradcheck)."""
    op = OPS[name]

    @settings(max_examples=25, database=None, suppress_health_check=[HealthCheck.filter_too_much])
    @given(args=st.lists(values(-3.0, 3.0), min_size=op.arity, max_size=op.arity))
    def check(args: list[Value]) -> None:
        point = [a.data for a in args]
        assume(well_conditioned(op, point))
        f = lambda *xs: apply_op(name, *xs)  # noqa: E731
        assert gradcheck(f, args)
        assert gradgradcheck(f, args)
        if op.arity == 2:  # the constant-operand nodes have their own derivative code
            x, y = point
            assert gradcheck(lambda v: apply_op(name, v, y), [x]) and gradgradcheck(lambda v: apply_op(name, v, y), [x])
            assert gradcheck(lambda v: apply_op(name, x, v), [y]) and gradgradcheck(lambda v: apply_op(name, x, v), [y])

    check()


def test_pow_with_a_constant_exponent_is_fine_on_negative_bases() -> None:
    x = Value(-2.0)
    (x**3).backward()
    assert x.grad == 12.0
    assert gradcheck(lambda v: v**2, [-1.5]) and gradgradcheck(lambda v: v**3, [-0.7])


@settings(max_examples=60, database=None)
@given(e=expressions(n_inputs=3, max_leaves=10))
def test_random_expressions_pass_gradcheck_and_gradgradcheck(e: Expression) -> None:
    assert gradcheck(e, e.inputs)
    assert gradgradcheck(e, e.inputs)


@settings(max_examples=40, database=None)
@given(e=expressions(n_inputs=2, max_leaves=8))
def test_backward_and_gradients_agree_on_random_expressions(e: Expression) -> None:
    leaves = [Value(x) for x in e.inputs]
    out = e(*leaves)
    assert isinstance(out, Value)
    by_graph = [g.data for g in gradients(out, leaves, create_graph=True)]
    plain = [g.data for g in gradients(out, leaves)]
    out.backward()
    by_backward = [x.grad for x in leaves]
    assert by_graph == pytest.approx(plain, rel=1e-12, abs=1e-14)
    assert by_backward == pytest.approx(plain, rel=1e-12, abs=1e-14)


def test_pow_second_derivative_at_exponent_zero() -> None:
    """d/dy (d/dx x**y) = x**(y-1) (1 + y log x) is 1/x at y = 0 (PyTorch's double backward says 0 there)."""
    x, y = Value(2.0), Value(0.0)
    (dx,) = gradients(x**y, [x], create_graph=True)
    assert dx.data == 0.0
    assert [g.data for g in gradients(dx, [x, y])] == [0.0, 0.5]
    assert gradgradcheck(lambda x, y: x**y, [2.0, 0.0])
    assert gradgradcheck(lambda x, y: x**y, [1.0, 0.0])
