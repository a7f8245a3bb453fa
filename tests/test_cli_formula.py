"""The safe expression parser behind `microgradnet graph`: what it computes, and what it refuses."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnet import Value
from microgradnet.cli.formula import MAX_LENGTH, Formula, FormulaError


def balanced(n: int) -> str:
    """A sum of n terms nested as a balanced tree: wide but shallow."""
    return "--x" if n == 1 else f"({balanced(n // 2)}+{balanced(n - n // 2)})"


BALANCED = balanced(300)  # 1800 characters, about 1200 syntax-tree nodes, 12 levels deep


def run(text: str, **values: float) -> Any:
    return Formula(text).evaluate({k: Value(v, label=k) for k, v in values.items()})


def test_the_classic_neuron() -> None:
    expr = Formula("tanh(x*w + b)")
    assert expr.names == ("x", "w", "b")
    x, w, b = Value(2.0), Value(-3.0), Value(6.8813735870195432)
    o = expr.evaluate({"x": x, "w": w, "b": b})
    assert isinstance(o, Value) and o._op == "tanh"
    o.backward()
    assert round(o.data, 4) == 0.7071 and round(x.grad, 4) == -1.5 and round(w.grad, 4) == 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + y", 5.0),
        ("x - y", -1.0),
        ("x * y", 6.0),
        ("x / y", 2 / 3),
        ("x ** y", 8.0),
        ("-x", -2.0),
        ("+x", 2.0),
        ("-x ** 2", -4.0),  # ** binds tighter than unary minus, as in Python
        ("2 ** 3 ** 2 * x", 1024.0),  # ** is right-associative
        ("(x + 1) * (y - 1) / 4", 1.5),
        ("exp(x) + log(y) + sqrt(y)", math.exp(2) + math.log(3) + math.sqrt(3)),
        ("sin(x) * cos(y) - sigmoid(x)", math.sin(2) * math.cos(3) - 1 / (1 + math.exp(-2))),
        ("relu(-x) + abs(-y) + leaky_relu(-x) + leaky_relu(-x, 0.5)", 0.0 + 3.0 - 0.02 - 1.0),
        ("1e-3 * x + 0x10", 16.002),
        ("x / 0", math.inf),  # IEEE semantics, as the engine
    ],
)
def test_values_match_python_math(text: str, expected: float) -> None:
    assert run(text, x=2.0, y=3.0).data == pytest.approx(expected, rel=1e-15)


def test_plain_number_parts_stay_constants_so_the_graph_shows_them_in_the_op() -> None:
    v = run("x * 2 + 3 ** 2", x=1.0)
    assert v._op == "+" and v._arg == 9.0 and v._prev[0]._op == "*" and v._prev[0]._arg == 2.0
    assert Formula("2 * 3").evaluate({}) == 6.0  # no names: a float
    assert Formula("1 / 0").evaluate({}) == math.inf and math.isnan(Formula("0 / 0").evaluate({}))


def test_a_value_for_a_name_may_be_a_plain_number() -> None:
    assert Formula("x * y").evaluate({"x": 2.0, "y": Value(3.0)}).data == 6.0  # type: ignore[union-attr]
    with pytest.raises(TypeError, match="the value of 'x' must be a Value or a real number, got str"):
        Formula("x").evaluate({"x": "1"})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('echo hacked')", "only the engine's functions can be called (exp, log, "),
        ("__import__('os')", "'__import__' is not a function of the engine; the functions are exp, log,"),
        ("x.__class__", "attribute access 'x.__class__' is not allowed; allowed: numbers, names, + - * / **"),
        ("exp(x).real", "attribute access 'exp(x).real' is not allowed"),
        ("(lambda: 1)()", "only the engine's functions can be called"),
        ("lambda: 1", "lambda 'lambda: 1' is not allowed"),
        ("[i for i in x]", "a comprehension '[i for i in x]' is not allowed"),
        ("sum(i for i in x)", "'sum' is not a function of the engine"),
        ("eval('1')", "'eval' is not a function of the engine"),
        ("x[0]", "indexing 'x[0]' is not allowed"),
        ("x if y else z", "if/else 'x if y else z' is not allowed"),
        ("x < y", "a comparison 'x < y' is not allowed"),
        ("x and y", "and/or 'x and y' is not allowed"),
        ("(x := 2)", "assignment (:=) 'x := 2' is not allowed"),
        ("f'{x}'", "an f-string \"f'{x}'\" is not allowed"),
        ("'text'", "the literal \"'text'\" is not a number"),
        ("True + x", "the literal 'True' is not a number"),
        ("None", "the literal 'None' is not a number"),
        ("1j * x", "the literal '1j' is not a number"),
        ("x // 2", "operator '//' is not allowed; allowed: numbers, names, + - * / **"),
        ("x % 2", "operator '%' is not allowed"),
        ("x @ y", "operator '@' is not allowed"),
        ("x ^ y", "operator '^' is not allowed"),
        ("~x", "operator '~' is not allowed"),
        ("not x", "operator 'not' is not allowed"),
        ("x ** 1001", "the exponent '1001' is too large: |exponent| must be at most 1000"),
        ("x ** -1e4", "the exponent '-1e4' is too large"),
        ("2 ** 10 ** 10", "the exponent '10 ** 10' is too large"),
        ("9 ** 9 ** 9 ** 9", "the exponent '9 ** 9 ** 9' is too large"),
        ("x ** (999 + 2)", "the exponent '999 + 2' is too large"),
        ("1e999 * x", "the number '1e999' is too large for a float"),
        ("9" * 400, "the number '9999999999999999999999999999999999999...' is too large for a float"),
        ("exp", "'exp' is a function: call it, as in exp(x)"),
        ("exp(x, y)", "exp() takes 1 argument, got 2"),
        ("exp()", "exp() takes 1 argument, got 0"),
        ("leaky_relu(x, 0.1, 2)", "leaky_relu() takes 1 or 2 arguments, got 3"),
        ("exp(x=1)", "exp() takes positional arguments only"),
        ("exp(*x)", "exp() takes positional arguments only"),
        ("", "empty expression"),
        ("   ", "empty expression"),
        ("x +", "invalid syntax"),
        ("x = 1", "invalid syntax"),
        ("import os", "invalid syntax"),
        ("x\x00", r"re:(invalid syntax|cannot parse the expression).*null bytes"),
        ("(" * 300 + "x" + ")" * 300, "re:invalid syntax.*too many nested parentheses"),
        ("-" * 250 + "x", "expression is nested too deeply: more than 200 levels"),
        (BALANCED, "expression is too large: more than 1000 parts"),
        ("x" * (MAX_LENGTH + 1), f"expression is too long: {MAX_LENGTH + 1} characters, at most {MAX_LENGTH}"),
    ],
)
def test_disallowed_and_malformed_expressions_are_refused_with_one_line(text: str, message: str) -> None:
    with pytest.raises(FormulaError) as e:
        Formula(text)
    if message.startswith("re:"):
        assert re.match(message[3:], str(e.value))
    else:
        assert str(e.value).startswith(message)
    assert "\n" not in str(e.value)


def test_exponents_up_to_the_limit_and_unbound_names() -> None:
    assert run("x ** 1000 + x ** -1000 + 2 ** x", x=1.0).data == 4.0
    with pytest.raises(FormulaError, match=r"^unbound name 'y': give a value, e\.g\. y=1\.0$"):
        run("x * y", x=1.0)
    with pytest.raises(FormulaError, match=r"^unbound names 'a', 'b': give a value, e\.g\. a=1\.0$"):
        Formula("a * b + a").evaluate({"x": 1.0})
    assert Formula("b * exp(a) + a + b").names == ("b", "a")


@settings(max_examples=60)
@given(st.text(alphabet="xy0129.e+-*/()[]{}_'\",:;=<>!@#$%^&|~ abcdefgjklmnopqrstuvwz", max_size=40))
def test_random_text_either_computes_a_number_or_raises_an_expression_error(text: str) -> None:
    try:
        expr = Formula(text)
    except FormulaError as e:
        assert "\n" not in str(e)
        return
    result = expr.evaluate({name: Value(1.5) for name in expr.names})
    assert isinstance(result, (Value, float))


def test_the_limit_is_on_nesting_not_on_length() -> None:
    """A flat chain of hundreds of operations is one level; each parenthesis, call or unary minus nests one more."""
    flat = Formula("-".join(f"x{i}" for i in range(400)))  # 1889 characters, under MAX_LENGTH
    result = flat.evaluate({f"x{i}": Value(float(i)) for i in range(400)})
    assert isinstance(result, Value) and result.data == -sum(range(1, 400))
    assert Formula("x" + "*x" * 499).evaluate({"x": 1.5}) == pytest.approx(1.5**500)
    assert Formula("x ** " * 199 + "x").evaluate({"x": 1.0}) == 1.0  # right-nested: 200 levels, the limit
    for nested in (
        "x ** " * 200 + "x",
        "-" * 100 + "(x + " * 105 + "x" + ")" * 105,
        "exp(" * 150 + "-" * 60 + "x" + ")" * 150,
    ):
        with pytest.raises(FormulaError, match="nested too deeply: more than 200 levels"):
            Formula(nested)
