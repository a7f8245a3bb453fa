"""Value.rule: each node writes its op and local derivatives as formulas, and the formulas say what the code does.

Every formula is checked by evaluating its text (translated to Python here, in the test only) at the
node's numbers and comparing it with the node's own value and with the derivatives backward() uses.
The op tests iterate over the op table, so a new op is checked as soon as it is added.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from micrograd_cases import lecture_tanh

import microgradnet as mg
from microgradnet import OPS, Value, defop, gradients, losses
from microgradnet.engine import backward_order, backward_reached
from microgradnet.engine.extend import FusedNode, atom, series
from microgradnet.engine.formulas import fill, written


def sign(x: float) -> float:
    return 0.0 if x == 0 else math.copysign(1.0, x)


NAMESPACE: dict[str, Any] = {
    **{name: getattr(math, name) for name in ("exp", "log", "sqrt", "tanh", "sin", "cos")},
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
    "ReLU": lambda x: max(x, 0.0),
    "leaky_relu": lambda x, s: x if x > 0 else s * x,
    "sign": sign,
    "max": max,
    "abs": abs,
}


def evaluate(formula: str, numbers: dict[str, float]) -> float:
    """A formula's value (tests only: the package never evaluates text), its names bound to numbers."""
    assert "…" not in formula and "∂" not in formula, formula
    python = formula.replace("·", "*").replace("^", "**").replace("²", "**2")
    return float(eval(python, {"__builtins__": {}}, {**NAMESPACE, **numbers}))


def variants(name: str) -> list[tuple[Value, list[Value]]]:
    """Nodes of the op: over Values, and (binary ops) with a constant on either side; with their Value operands."""
    points = {"log": 1.7, "sqrt": 2.3, "pow": 1.9}
    x, y = Value(points.get(name, 0.8), label="a"), Value(-1.3 if name != "pow" else 0.7, label="b")
    op = OPS[name]
    if op.arity == 1:
        return [(op.function(x), [x])]
    return [(op.function(x, y), [x, y]), (op.function(x, 2.5), [x]), (op.function(1.5, y), [y])]


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_writes_its_value_and_derivatives_as_formulas_that_hold(name: str) -> None:
    for node, operands in variants(name):
        rule = node.rule("o", [v.label for v in node.parents])
        numbers = {v.label: v.data for v in operands} | {"o": node.data}
        assert evaluate(rule.formula, numbers) == pytest.approx(node.data, rel=1e-12)
        assert len(rule.derivatives) == len(rule.values) == len(operands)
        for formula, value in zip(rule.derivatives, rule.values):
            assert evaluate(formula, numbers) == pytest.approx(value, rel=1e-12, abs=1e-15), formula
        node.backward()  # the numbers are those backward() passes on
        assert [v.grad for v in operands] == list(rule.values)
        for v in operands:
            v.grad = 0.0


def test_the_table_writes_every_derivative_rule_it_has() -> None:
    for op in OPS.values():
        assert len(op.formulas) == op.arity
        assert not any("'" in f or "∂" in f for f in op.formulas), op  # no fallback text for a built-in op


def test_a_rule_reads_like_the_math() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    assert (a * b).rule("c", ["a", "b"]) == ("a * b", ("b", "a"), (-3.0, 2.0))
    assert a.tanh().rule("o", ["n"])[:2] == ("tanh(n)", ("1 - o²",))
    assert (a * 2).rule("c", ["a"])[:2] == ("a * 2", ("2",))
    assert (2 - a).rule("c", ["a"])[:2] == ("2 - a", ("-1",))
    assert (a - (-3)).rule("c", ["a"])[:2] == ("a - (-3)", ("1",))
    assert (a**3).rule("c", ["a"])[:2] == ("a ** 3", ("3·a^(3 - 1)",))
    assert a.tanh().rule()[:2] == ("tanh(x)", ("1 - out²",))  # without names: the table's own words
    # a name that is not one word or number is put in parentheses wherever it is used
    assert a.tanh().rule("x1*w1 + b", ["-6"])[:2] == ("tanh(-6)", ("1 - (x1*w1 + b)²",))
    assert (a * b).rule("c", ["f(a)", "a + b"])[:2] == ("f(a) * (a + b)", ("(a + b)", "f(a)"))
    assert Value(1.0).rule() == ("", (), ())  # a leaf has no rule


def test_rule_names_are_checked() -> None:
    a = Value(1.0)
    with pytest.raises(ValueError, match=r"needs a name \(str\) for the node and one per parent \(2\)"):
        (a * a).rule("c", ["a"])
    with pytest.raises(ValueError, match="one per parent"):
        a.exp().rule("c", [3])  # type: ignore[list-item]


def test_fused_nodes_write_their_formulas() -> None:
    a, b, c, d = Value(0.5, label="a"), Value(-1.5, label="b"), Value(2.0, label="c"), Value(0.25, label="d")
    names = {"a": 0.5, "b": -1.5, "c": 2.0, "d": 0.25}
    cases = [
        (mg.sum([a, b, c]), "a + b + c", ["1", "1", "1"]),
        (mg.sum_squares([a, b]), "a² + b²", ["2·a", "2·b"]),
        (mg.logsumexp([a, b]), "log(exp(a) + exp(b))", ["exp(a - o)", "exp(b - o)"]),
        (mg.linear([a, b], [c, d], Value(0.0, label="e")), "a·c + b·d + e", ["c", "d", "a", "b", "1"]),
        (mg.linear([a, b], [1.0, -2.0], c), "a·1 + b·(-2) + c", ["1", "(-2)", "1"]),
        (losses.mse([a, b, 3.0], [1.0, 0.0, -1.0]), "((a - 1)² + b² + 16)/3", ["2·(a - 1)/3", "2·b/3"]),
        (losses.hinge([a, b], [1, 0]), "(max(0, 1 - a) + max(0, 1 + b))/2",
         ["-1/2 if 1 - a > 0 else 0", "1/2 if 1 + b > 0 else 0"]),
        (losses.hinge([a], [1], reduction="sum"), "max(0, 1 - a)", ["-1 if 1 - a > 0 else 0"]),
        (losses.binary_cross_entropy_with_logits([a, b], [1, 0]), "(log(1 + exp(-a)) + log(1 + exp(b)))/2",
         ["(sigmoid(a) - 1)/2", "sigmoid(b)/2"]),
        (losses.binary_cross_entropy_with_logits(a, 0.25), "log(1 + exp(a)) - 0.25·a", ["sigmoid(a) - 0.25"]),
    ]  # fmt: skip
    for node, formula, derivatives in cases:
        parents = [v.label for v in node.parents]
        rule = node.rule("o", parents)
        assert (rule.formula, list(rule.derivatives)) == (formula, derivatives)
        numbers = {**names, "e": 0.0, "o": node.data}
        assert evaluate(rule.formula, numbers) == pytest.approx(node.data, rel=1e-12)
        for text, value in zip(rule.derivatives, rule.values):
            assert evaluate(text, numbers) == pytest.approx(value, rel=1e-12, abs=1e-15), text
        grads = gradients(node, node.parents)
        assert list(rule.values) == pytest.approx([g.data for g in grads], rel=1e-12)


def test_long_fused_formulas_leave_out_the_middle() -> None:
    xs = [Value(float(i), label=f"x{i}") for i in range(10)]
    ws = [Value(0.5, label=f"w{i}") for i in range(10)]
    assert mg.sum(xs).rule("s", [v.label for v in xs]).formula == "x0 + x1 + x2 + x3 + x4 + … + x9"
    n = mg.linear(ws, xs, Value(0.0, label="b"))
    rule = n.rule("n", [v.label for v in n.parents])
    assert rule.formula == "w0·x0 + w1·x1 + w2·x2 + w3·x3 + w4·x4 + … + w9·x9 + b"
    assert rule.derivatives == (*[f"x{i}" for i in range(10)], *[f"w{i}" for i in range(10)], "1")


def test_lecture_nodes_and_defop_without_formulas_name_their_derivative(forget_new_ops: Any) -> None:
    x = Value(0.5, label="x")
    out = lecture_tanh(x)
    t = out.data
    rule = out.rule("o", ["x"])
    assert rule[:2] == ("tanh(x)", ("∂o/∂x",)) and rule.values == pytest.approx((1 - t**2,))
    assert Value(1.0, (x, out), "+").rule("s", ["x", "o"])[:2] == ("x + o", ("∂s/∂x", "∂s/∂o"))
    assert x.grad == 0.0 and out.grad == 0.0  # finding the numbers ran the closure, and put every grad back
    cube = defop("cube", lambda v: v**3, lambda o, v: 3 * v * v)
    assert cube(x).rule("c", ["x"])[:2] == ("cube(x)", ("cube'(x)",))
    hyp = defop("hyp", math.hypot, lambda o, v, w: v / o, lambda o, v, w: w / o, formulas=("x/out", "y/out"))
    node = hyp(x, Value(1.2, label="y"))
    rule = node.rule("h", ["x", "y"])
    assert rule[:2] == ("hyp(x, y)", ("x/h", "y/h")) and rule.values == pytest.approx((0.5 / 1.3, 1.2 / 1.3))
    with pytest.raises(TypeError, match=r"formulas must be one str per derivative"):
        defop("bad", abs, lambda o, v: 1.0, formulas="1")  # type: ignore[arg-type]


def test_a_fused_node_of_ones_own_names_its_derivatives_unless_it_writes_them() -> None:
    class MAE(FusedNode):
        symbol = "MAE"

        def partials(self, graph: bool) -> list[float]:
            return [1.0 if p.data > t else -1.0 for p, t in zip(self.parents, self.arg)]

    a, b = Value(2.0), Value(-1.0)
    node = MAE.make(3.0, [a, b], (1.0, 0.0))
    assert node.rule("L", ["a", "b"]) == ("MAE(a, b)", ("∂L/∂a", "∂L/∂b"), (1.0, -1.0))


def test_formula_helpers() -> None:
    assert [atom(t) for t in ("a", "-3", "2.5e-07", "layers.0.w.1", "f(a)", "(a + b)", "(a) + (b)", "a b")] == [
        "a", "(-3)", "2.5e-07", "layers.0.w.1", "f(a)", "(a + b)", "((a) + (b))", "(a b)",
    ]  # fmt: skip
    assert fill("1 - out²", {"out": "o"}) == "1 - o²"
    assert fill("y·x^(y - 1)", {"x": "a + b", "y": "-2"}) == "(-2)·(a + b)^((-2) - 1)"
    assert fill("exp(x) + x1 + out.x", {"x": "z"}) == "exp(z) + x1 + out.x"  # whole words only
    assert written("tanh", ["n"]) == "tanh(n)" and written("-", ["a"]) == "-a"
    assert written("**", ["a", "-2"]) == "a ** (-2)" and written("f", ["a", "b"]) == "f(a, b)"
    assert series([str(i) for i in range(8)]) == "0 + 1 + 2 + 3 + 4 + … + 7"


def test_backward_order_is_backwards_order_and_keeps_what_backward_left() -> None:
    a = Value(2.0)
    b = a * a
    c = b.exp() + b
    assert not backward_reached(c) and not backward_reached(a)
    order = backward_order(c)
    assert order[0] is c and set(order) == {c, b, c.parents[0]} and order.index(b) == 2  # b after both consumers
    assert not backward_reached(c)
    c.backward()
    assert backward_reached(c) and backward_reached(b) and not backward_reached(a)  # a leaf is never reached
    assert backward_order(c) == order and backward_reached(c) and backward_reached(b)
    gradients(c, [a])  # a walk that sets no grad
    assert not backward_reached(c)
    assert [v.grad for v in order] == [1.0, 1.0, math.exp(4.0) + 1.0]  # untouched by the walks


def test_every_formula_of_a_random_expression_holds() -> None:
    """Random expressions over the whole table (drawn by the package's own strategy): every node's formulas."""
    from hypothesis import given, settings

    from microgradnet.testing.strategies import expressions

    @settings(max_examples=60)
    @given(e=expressions(max_leaves=6))
    def check(e: Any) -> None:
        leaves = [Value(x, label=f"x{i}") for i, x in enumerate(e.inputs)]
        root = e(*leaves)
        if not isinstance(root, Value) or not root.parents:
            return
        nodes = [root, *backward_order(root)]
        names = {v: v.label or f"v{i}" for i, v in enumerate(dict.fromkeys([*leaves, *nodes]))}
        for v in nodes:
            for p in v.parents:
                names.setdefault(p, f"c{len(names)}")
            numbers = {names[v]: v.data, **{names[p]: p.data for p in v.parents}}
            rule = v.rule(names[v], [names[p] for p in v.parents])
            assert evaluate(rule.formula, numbers) == pytest.approx(v.data, rel=1e-9, abs=1e-12)
            for text, value in zip(rule.derivatives, rule.values):
                assert evaluate(text, numbers) == pytest.approx(value, rel=1e-9, abs=1e-12), (text, numbers)

    check()


def test_no_rule_text_is_ever_evaluated_by_the_package() -> None:
    from pathlib import Path

    package = Path(mg.__file__).parent
    for path in package.rglob("*.py"):
        assert not re.search(r"(?<![.\w])eval\(", path.read_text(encoding="utf-8")), path  # the builtin, not a method
