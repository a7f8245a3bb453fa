"""microgradnet.testing: gradcheck, gradgradcheck, numerical_grad, expression trees and strategies.

A check that cannot fail is worthless, so most tests here plant a wrong derivative in the engine and
show that the checks, and a property test built from expressions(), catch it.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import microgradnet as mg
from microgradnet import OPS, Value
from microgradnet.testing import (
    Apply,
    Constant,
    Expression,
    GradcheckError,
    Input,
    apply_op,
    gradcheck,
    gradgradcheck,
    numerical_grad,
    well_conditioned,
)
from microgradnet.testing.strategies import expressions, values
from microgradnet.testing.trees import nodes

ROOT = Path(__file__).resolve().parents[1]


# -- numerical_grad -----------------------------------------------------------------------------------
def test_numerical_grad_is_central_differences() -> None:
    gx, gy = numerical_grad(lambda x, y: x * x * y, [3.0, 2.0])
    assert gx == pytest.approx(12.0, rel=1e-9)
    assert gy == pytest.approx(9.0, rel=1e-9)
    # central, not forward: exact for a quadratic up to rounding, even with a large step
    (g,) = numerical_grad(lambda x: x * x, [1.0], eps=0.5)
    assert g == 2.0


def test_numerical_grad_accepts_values_and_plain_number_results() -> None:
    x = Value(2.0)
    assert numerical_grad(lambda x: x.exp(), [x]) == (pytest.approx(math.exp(2.0), rel=1e-8),)
    assert x.grad == 0.0  # untouched
    assert numerical_grad(lambda x: 3.0, [1.0]) == (0.0,)


# -- gradcheck ----------------------------------------------------------------------------------------
def test_gradcheck_passes_on_the_engine() -> None:
    assert gradcheck(lambda x, y: (x * y).tanh() + x**2 / y, [0.3, -1.7]) is True
    assert gradcheck(lambda x, y: mg.linear([x, y], [y, 2.0], x), [Value(0.5), 1.5]) is True
    assert gradcheck(lambda *xs: mg.sum(x * x for x in xs), [1.0, 2, 3.5]) is True


def test_gradcheck_takes_any_iterable_of_numbers() -> None:
    import numpy as np

    assert gradcheck(lambda x, y: x * y.exp(), np.array([0.5, -1.0]))
    assert gradcheck(lambda x, y: x / y, (float(v) for v in (1.0, 3.0)))
    assert numerical_grad(lambda x: 2 * x, iter([1])) == (pytest.approx(2.0, rel=1e-9),)


def test_gradcheck_runs_inside_no_grad_and_leaves_inputs_alone() -> None:
    x = Value(0.7, label="x")
    with mg.no_grad():
        assert gradcheck(lambda x: x.sin() * x, [x])
    assert x.grad == 0.0
    assert mg.is_grad_enabled()


def test_gradcheck_catches_a_wrong_derivative(plant_wrong_derivative: Any) -> None:
    plant_wrong_derivative("tanh", 1.5)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda a, b: (a * b).tanh(), [0.3, 2.0])
    message = str(caught.value)
    analytic = 1.5 * 2.0 * (1 - math.tanh(0.6) ** 2)
    numerical = 2.0 * (1 - math.tanh(0.6) ** 2)
    assert "input 0 (a = 0.3)" in message
    assert "by backward()" in message
    assert f"analytic {analytic!r}" in message
    number = message.split("numerical ")[1].split(",")[0]
    assert float(number) == pytest.approx(numerical, rel=1e-8)
    assert "relative error 0.5 " in message
    assert gradcheck(lambda a, b: (a * b).tanh(), [0.3, 2.0], raise_exception=False) is False


def test_gradcheck_names_inputs_by_label_parameter_or_position(plant_wrong_derivative: Any) -> None:
    plant_wrong_derivative("mul", 1.01)
    with pytest.raises(GradcheckError, match=r"input 1 \(weight = 3\.0\)"):
        gradcheck(lambda x, w: x + 2.0 * w, [1.0, Value(3.0, label="weight")])
    with pytest.raises(GradcheckError, match=r"input 0 \(x0 = 2\.0\)"):
        gradcheck(lambda *xs: xs[0] * xs[0], [2.0])


def test_gradcheck_tolerance_is_torchs_rule() -> None:
    # f'(x) = 1 + 1e-4 * cos(1e6 x): the finite difference misses the wiggle, the engine does not
    wiggle = lambda x: x + 1e-10 * (1e6 * x).sin()  # noqa: E731
    assert gradcheck(wiggle, [0.1], atol=1e-3)
    assert not gradcheck(wiggle, [0.1], atol=1e-12, rtol=1e-12, raise_exception=False)


def test_gradcheck_catches_a_bug_in_backward_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from microgradnet.engine import Sum

    def doubled(self: Value) -> None:
        for t in self._prev:
            t.grad += 2 * self.grad

    monkeypatch.setattr(Sum, "_backward", doubled)
    with pytest.raises(GradcheckError, match=r"by backward\(\)"):
        gradcheck(lambda x, y: mg.sum([x, y]), [1.0, 2.0])


def test_gradcheck_catches_a_bug_in_gradients_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from microgradnet.engine import Sum

    monkeypatch.setattr(Sum, "_partials", lambda self, graph: (0.5,) * len(self._prev))
    with pytest.raises(GradcheckError, match=r"by gradients\(\)"):
        gradcheck(lambda x, y: mg.sum([x, y]), [1.0, 2.0])


def test_gradcheck_fails_on_non_finite_points() -> None:
    with pytest.raises(GradcheckError, match="analytic inf"):
        gradcheck(lambda x: x.sqrt(), [0.0])
    assert not gradcheck(lambda x: x.log(), [-1.0], raise_exception=False)


@pytest.mark.parametrize(
    ("inputs", "kwargs", "error", "match"),
    [
        ([], {}, ValueError, "empty"),
        ("ab", {}, TypeError, "sequence of numbers or Values, got str"),
        (3.0, {}, TypeError, "got float"),
        ([1.0, "2"], {}, TypeError, r"gradcheck\(inputs\[1\]\) must be a real number .* got str"),
        ([True], {}, TypeError, "got bool"),
        ([1.0], {"eps": 0.0}, ValueError, "eps must be a positive finite number, got 0.0"),
        ([1.0], {"atol": -1.0}, ValueError, "atol must be a non-negative finite number, got -1.0"),
        ([1.0], {"rtol": math.nan}, ValueError, "rtol"),
        (Value(1.0), {}, TypeError, "sequence of numbers or Values, got Value"),
    ],
)
def test_gradcheck_rejects_bad_arguments(inputs: Any, kwargs: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        gradcheck(lambda *xs: xs[0] * 2, inputs, **kwargs)


def test_gradcheck_rejects_a_function_returning_a_non_number() -> None:
    with pytest.raises(TypeError, match=r"the checked function's result must be a real number .* got str"):
        gradcheck(lambda x: "x", [1.0])


# -- gradgradcheck -----------------------------------------------------------------------------------
def test_gradgradcheck_passes_on_the_engine() -> None:
    assert gradgradcheck(lambda x, y: x**3 * y + (x * y).sin() + y.sigmoid() / x, [0.8, -0.6])
    assert gradgradcheck(lambda x: x * 2.0, [1.0])  # a constant first derivative


def test_gradgradcheck_catches_a_wrong_second_derivative(plant_wrong_derivative: Any) -> None:
    f = lambda x, y: x.sin() * y  # noqa: E731
    plant_wrong_derivative("cos", 2.0)  # d sin = cos is right; d cos = -sin is now wrong
    assert gradcheck(f, [0.4, 1.3])
    with pytest.raises(GradcheckError, match=r"second derivative d²f / d\[input 0 \(x = 0.4\)\] d\[input 0"):
        gradgradcheck(f, [0.4, 1.3])
    assert gradgradcheck(f, [0.4, 1.3], raise_exception=False) is False


def test_gradgradcheck_catches_a_wrong_derivative_that_only_higher_order_uses(plant_wrong_derivative: Any) -> None:
    plant_wrong_derivative("exp", 3.0, graph_only=True)
    assert gradcheck(lambda x: x.exp(), [0.5])
    with pytest.raises(GradcheckError, match=r"first derivative \(create_graph=True\)"):
        gradgradcheck(lambda x: x.exp(), [0.5])


# -- expression trees --------------------------------------------------------------------------------
x0, x1 = Input(0), Input(1)


@pytest.mark.parametrize(
    ("tree", "text"),
    [
        (Apply("tanh", (Apply("add", (Apply("mul", (x0, x1)), Constant(2.0))),)), "tanh((x0 * x1) + 2.0)"),
        (Apply("neg", (Apply("add", (x0, Constant(1.0))),)), "-(x0 + 1.0)"),
        (Apply("pow", (Apply("neg", (x0,)), Constant(2.0))), "(-x0) ** 2.0"),
        (Apply("pow", (x0, Constant(-1.0))), "x0 ** (-1.0)"),
        (Apply("sub", (Constant(-0.0), x1)), "(-0.0) - x1"),
        (Apply("leaky_relu", (x0, Constant(0.1))), "leaky_relu(x0, 0.1)"),
        (Apply("abs", (Apply("div", (x0, x1)),)), "abs(x0 / x1)"),
        (Constant(-2.0), "-2.0"),
    ],
)
def test_expression_formulas(tree: Any, text: str) -> None:
    assert str(tree) == text
    assert repr(Expression(tree, (0.5, -1.0))) == f"{text} at x0=0.5, x1=-1.0"


def test_expression_evaluates_on_values_and_on_floats() -> None:
    e = Expression(Apply("tanh", (Apply("add", (Apply("mul", (x0, x1)), Constant(2.0))),)), (0.5, -1.0))
    assert e(0.5, -1.0) == math.tanh(0.5 * -1.0 + 2.0)
    a, b = Value(0.5), Value(-1.0)
    out = e(a, b)
    assert isinstance(out, Value) and out.data == e(0.5, -1.0)
    out.backward()
    assert a.grad == pytest.approx(-(1 - math.tanh(1.5) ** 2), rel=1e-15)
    assert e.ops == ("tanh", "add", "mul") and e.leaves == 3
    assert isinstance(Expression(Constant(1.0), (0.0,))(Value(2.0)), Value)  # a constant still gives a Value
    with pytest.raises(TypeError, match="takes 2 input"):
        e(1.0)


def test_apply_op_uses_the_public_api_and_rejects_bad_ops() -> None:
    x = Value(-2.0)
    assert type(apply_op("leaky_relu", x, 0.5))._name == "leaky_relu"
    slope = Value(0.1)
    out = apply_op("leaky_relu", -3.0, slope)  # a constant first operand of a method op
    out.backward()
    assert slope.grad == -3.0
    assert apply_op("pow", 2.0, 3.0) == 8.0 and isinstance(apply_op("pow", 2.0, 3.0), float)
    with pytest.raises(ValueError, match="unknown op 'nope'"):
        apply_op("nope", x)
    with pytest.raises(TypeError, match="op 'add' takes 2 operand"):
        apply_op("add", x)


def test_well_conditioned_keeps_away_from_kinks_poles_and_overflow() -> None:
    assert well_conditioned(OPS["relu"], [0.5]) and not well_conditioned(OPS["relu"], [0.005])
    assert not well_conditioned(OPS["abs"], [-0.0])
    assert not well_conditioned(OPS["log"], [0.001]) and well_conditioned(OPS["log"], [0.5])
    assert not well_conditioned(OPS["div"], [1.0, 0.0]) and not well_conditioned(OPS["div"], [1.0, 0.001])
    assert not well_conditioned(OPS["exp"], [10.0]) and well_conditioned(OPS["exp"], [2.0])
    assert not well_conditioned(OPS["pow"], [-2.0, 2.0])
    assert not well_conditioned(OPS["add"], [math.inf, 1.0]) and not well_conditioned(OPS["sin"], [math.nan])


# -- strategies -------------------------------------------------------------------------------------
@settings(max_examples=40)
@given(x=values(-3, 5))
def test_values_draws_leaves_within_bounds(x: Value) -> None:
    assert isinstance(x, Value) and not x._prev and -3 <= x.data <= 5


@settings(max_examples=60)
@given(e=expressions(n_inputs=3, max_leaves=6))
def test_expressions_are_in_domain_and_agree_on_floats_and_values(e: Expression) -> None:
    assert len(e.inputs) == 3
    for node in nodes(e.tree):
        if isinstance(node, Apply):
            assert well_conditioned(OPS[node.op], [a.evaluate(e.inputs) for a in node.args]), str(node)
    leaves = [Value(x) for x in e.inputs]
    out = e(*leaves)
    assert isinstance(out, Value)
    assert out.data == e(*e.inputs)  # the same op table, so exactly the same float


@settings(max_examples=30)
@given(e=expressions(ops=["sin", "mul"], n_inputs=1, inputs=st.floats(0.0, 1.0), constants=st.just(7.0)))
def test_expressions_use_only_the_ops_inputs_and_constants_asked_for(e: Expression) -> None:
    assert set(e.ops) <= {"sin", "mul"}
    assert 0.0 <= e.inputs[0] <= 1.0
    assert all(n.value == 7.0 for n in nodes(e.tree) if isinstance(n, Constant))
    assert all(n.index == 0 for n in nodes(e.tree) if isinstance(n, Input))


def test_expressions_cover_every_op_of_the_table() -> None:
    seen: set[str] = set()

    @settings(max_examples=200, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(e=expressions())
    def collect(e: Expression) -> None:
        seen.update(e.ops)

    collect()
    assert seen == set(OPS)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ops": ["tanh", "cosh"]}, "unknown op.*'cosh'"),
        ({"ops": "tanh"}, "iterable of op names"),
        ({"ops": []}, "ops is empty"),
        ({"max_leaves": 0}, "max_leaves must be a positive int, got 0"),
        ({"n_inputs": 1.5}, "n_inputs must be a positive int"),
        ({"inputs": [1.0]}, "inputs must be a strategy of floats, got list"),
    ],
)
def test_expressions_rejects_bad_arguments(kwargs: Any, match: str) -> None:
    with pytest.raises(InvalidArgument, match=match):
        expressions(**kwargs)


def test_from_type_value_after_the_entry_point_hook() -> None:
    from microgradnet.testing._plugin import _hypothesis_setup_hook

    _hypothesis_setup_hook()  # what Hypothesis runs through the entry point when microgradnet is installed

    @settings(max_examples=10, database=None)
    @given(x=st.from_type(Value))
    def draw(x: Value) -> None:
        assert isinstance(x, Value) and math.isfinite(x.data)

    draw()


def test_the_entry_point_is_declared_and_points_at_the_hook() -> None:
    text = (ROOT / "pyproject.toml").read_text()  # (tomllib is Python 3.11+)
    found = re.search(r'\[project\.entry-points\.hypothesis\]\s*\nmicrogradnet = "([\w.:]+)"', text)
    assert found, "pyproject.toml declares no hypothesis entry point for microgradnet"
    target = found.group(1)
    module, _, name = target.partition(":")
    assert callable(getattr(importlib.import_module(module), name))
    installed = [e for e in importlib.metadata.entry_points(group="hypothesis") if e.name == "microgradnet"]
    if not installed:
        pytest.skip("microgradnet is not installed (pip install -e .), so Hypothesis cannot see its entry point")
    assert installed[0].value == target
    # a fresh interpreter: Hypothesis itself runs the hook when imported, nothing else registers it
    script = (
        "from hypothesis import find, strategies as st\n"
        "from microgradnet import Value\n"
        "print(type(find(st.from_type(Value), lambda v: v.data > 1)).__name__)\n"
        "print(repr(st.from_type(Value)))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_NO_PLUGINS"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    drawn, strategy = done.stdout.splitlines()
    assert drawn == "Value" and strategy.startswith("floats(") and strategy.endswith(".map(Value)"), strategy


def test_gradcheck_needs_no_hypothesis_and_the_engine_needs_no_testing() -> None:
    script = (
        "import sys, microgradnet\n"
        "print('microgradnet.testing' in sys.modules)\n"
        "import microgradnet.testing\n"
        "print('hypothesis' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_strategies_without_hypothesis_say_which_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "microgradnet.testing.strategies")
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # an import of it now fails
    with pytest.raises(ImportError, match=r'pip install "microgradnet\[testing\]"'):
        importlib.import_module("microgradnet.testing.strategies")


# -- proof that the checks can fail: a planted bug is caught and shrunk -------------------------------
def _falsify(ops: list[str] | None = None) -> Expression:
    """Run a property test of every gradient over random expressions; return the shrunk failing one."""
    failures: list[Expression] = []

    @settings(max_examples=100, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(e=expressions(ops=ops, max_leaves=4))
    def property_test(e: Expression) -> None:
        if not gradcheck(e, e.inputs, raise_exception=False):
            failures.append(e)
            raise AssertionError(repr(e))

    with pytest.raises(AssertionError):
        property_test()
    return failures[-1]  # Hypothesis replays the shrunk example last


@pytest.mark.parametrize("name", ["sigmoid", "pow"])
def test_a_property_test_catches_a_planted_bug_and_shrinks_it(plant_wrong_derivative: Any, name: str) -> None:
    plant_wrong_derivative(name, 1.1)
    e = _falsify()
    assert name in e.ops, e  # the failure is the planted op...
    assert len(e.ops) <= 2 and e.leaves <= 2, f"not shrunk to a small expression: {e!r}"  # ...and little else
    assert not gradcheck(e, e.inputs, raise_exception=False)
