"""explain(): the chain rule through a graph, in numbers, checked against the engine's own backward pass."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from typing import Any

import micrograd_cases
import pytest
from micrograd_cases import lecture_tanh

import microgradnet as mg
from microgradnet import Value, explain, losses
from microgradnet.nn import MLP
from microgradnet.render.trace import Trace

TERM = re.compile(r"^    (.+)\.grad \+= (.+)\.grad · (.+) = (\S+) · (\S+) = (\S+)(?:, so .+ = (\S+))?$")


def number(x: float) -> str:
    return format(x if x else 0.0, ".4g")


def test_the_issues_example_word_for_word() -> None:
    a = Value(2.0, label="a")
    b = a * 3
    b.label = "b"
    c = a.exp()
    c.label = "c"
    d = b + c
    d.label = "d"
    assert str(explain(d)) == "\n".join(
        [
            "Backpropagation through d: 4 values, 3 backward steps.",
            "",
            "Forward pass, each value computed from those above it:",
            "  a = 2",
            "  b = a * 3 = 2 * 3 = 6",
            "  c = exp(a) = exp(2) = 7.389",
            "  d = b + c = 6 + 7.389 = 13.39",
            "",
            "Backward pass, in the order backward() runs it (each node after all that use it), from d.grad = 1:",
            "  at d = b + c, with d.grad = 1:",
            "    b.grad += d.grad · 1 = 1 · 1 = 1",
            "    c.grad += d.grad · 1 = 1 · 1 = 1",
            "  at b = a * 3, with b.grad = 1:",
            "    a.grad += b.grad · 3 = 1 · 3 = 3",
            "  at c = exp(a), with c.grad = 1:",
            "    a.grad += c.grad · c = 1 · 7.389 = 7.389, so a.grad = 3 + 7.389 = 10.39",
            "",
            "Gradients of the leaves:",
            "  a.grad = 3 (via b) + 7.389 (via c) = 10.39",
        ]
    )


def test_the_lecture_neuron_uses_each_ops_rule() -> None:
    o = micrograd_cases.classic()
    text = str(explain(o))
    assert "  o = tanh(n) = tanh(0.8814) = 0.7071" in text
    assert "    n.grad += o.grad · (1 - o²) = 1 · 0.5 = 0.5" in text  # the tanh row's rule, as a formula
    assert "    x1.grad += v3.grad · w1 = 0.5 · (-3) = -1.5" in text  # d(x·w)/dx = w
    assert "  x1.grad = -1.5" in text and "  w2.grad = 0" in text


def check_against_the_engine(root: Value, **kwargs: Any) -> list[str]:
    """Every number is the engine's: each node's gradient and each leaf's as backward() computes them, and
    each term is upstream × local."""
    lines = str(explain(root, limit=None, **kwargs)).splitlines()
    trace = Trace(root, max_nodes=sys.maxsize, caller="test", names=kwargs.get("module") and
                  {p: n for n, p in kwargs["module"].named_parameters()})  # fmt: skip
    by_name = {name: v for v, name in trace.names.items()}
    for v in trace.values:
        v.grad = 0.0
    root.backward()
    terms = [m for line in lines if (m := TERM.match(line))]
    assert len(terms) == sum(len(v.parents) for v in trace.values)
    for m in terms:
        upstream, local, amount = (float(m.group(i).strip("()")) for i in (4, 5, 6))
        assert math.isclose(upstream * local, amount, rel_tol=2e-3, abs_tol=1e-12), m.group(0)
    shown = {}
    for line in lines:
        if m := re.match(r"^  at (.+?) = .*, with .+\.grad = (?:.* = )?(\S+):$", line):
            shown[m.group(1)] = m.group(2)
        elif m := re.match(r"^  (\S+)\.grad = (?:.* = )?(\S+)$", line):
            shown[m.group(1).strip("()")] = m.group(2)
    assert len(shown) == len(trace.values)  # every Value's gradient, once
    for name, grad in shown.items():
        assert grad == number(by_name[name].grad), name
    return lines


def test_every_number_is_the_engines_for_an_mlp_and_its_loss() -> None:
    model = MLP(2, [3, 3, 1], seed=1)
    X, y = [[0.5, -1.0], [1.5, 0.25], [-0.5, 0.75]], [1, 0, 1]
    loss = losses.hinge(model(X), y) + losses.l2(model, 1e-3)
    lines = check_against_the_engine(loss, module=model)
    assert any(line.startswith("  layers.0.neurons.2.w.1.grad = ") for line in lines)  # parameters by name
    assert any("hinge" not in line and "max(0, 1 - " in line for line in lines)  # the loss's own formula


def test_the_gradients_are_those_of_backward_and_no_grad_changes() -> None:
    x = [Value(v, label=f"x{i}") for i, v in enumerate((0.3, -1.2, 2.0))]
    h = [(x[0] * x[1]).tanh(), x[1].sigmoid() / x[2], mg.logsumexp(x), mg.sum_squares(x), x[2] ** x[0]]
    root = mg.sum(h) - x[0].relu() * abs(x[1]) + mg.linear(x, [1.0, 2.0, -1.0], 0.5).sin()
    for v in x:
        v.grad = 100.0  # left over from an earlier pass
    before = [(v.data, v.grad) for v in Trace(root, max_nodes=10_000, caller="t").values]
    explanation = str(explain(root, limit=None))
    assert [(v.data, v.grad) for v in Trace(root, max_nodes=10_000, caller="t").values] == before
    lines = check_against_the_engine(root)
    assert explanation.splitlines() == lines
    assert "log(exp(x0) + exp(x1) + exp(x2))" in explanation and "exp(x0 - v" in explanation  # softmax as rule


def test_a_value_fed_to_several_nodes_sums_its_contributions_by_path() -> None:
    a = Value(1.5, label="a")
    b = a * a
    b.label = "b"
    c = (a + b).tanh()
    c.label = "c"
    text = str(explain(c))
    g = 1 - math.tanh(3.75) ** 2  # dc/d(a + b), from the math
    n = number
    assert f"  at b = a * a, with b.grad = {n(g)}:" in text
    assert (
        f"    a.grad += b.grad · a = {n(g)} · 1.5 = {n(1.5 * g)}, so a.grad = {n(g)} + {n(1.5 * g)} = {n(2.5 * g)}"
        in text
    )
    assert (
        f"    a.grad += b.grad · a = {n(g)} · 1.5 = {n(1.5 * g)}, so a.grad = {n(2.5 * g)} + {n(1.5 * g)} = {n(4 * g)}"
        in text
    )
    assert f"  a.grad = {n(g)} (via v3) + {n(1.5 * g)} (via b) + {n(1.5 * g)} (via b) = {n(4 * g)}" in text
    d = a - (a * 5.0)  # a subtracted: its terms show with their signs
    assert "  a.grad = 1 (via v3) - 5 (via v2) = -4" in str(explain(d))


def test_a_lecture_style_op_and_a_defop_op(forget_new_ops: Any) -> None:
    x = Value(0.5, label="x")
    out = lecture_tanh(x, label="o")
    t = out.data
    text = str(explain(out * 2))
    assert "  o = tanh(x) = tanh(0.5) = 0.4621" in text
    assert f"    x.grad += o.grad · ∂o/∂x = 2 · {number(1 - t * t)} = {number(2 * (1 - t * t))}" in text
    assert "    o.grad += v3.grad · 2 = 1 · 2 = 2" in text
    cube = mg.defop("cube", lambda v: v**3, lambda o, v: 3 * v * v, formulas=("3·x²",))
    assert "    x.grad += v2.grad · (3·x²) = 1 · 0.75 = 0.75" in str(explain(cube(x)))
    assert repr(explain(cube(x))) == "<explain(v2): 2 values, 1 backward step; print() it>"


def test_a_big_graph_says_what_it_leaves_out() -> None:
    model = MLP(4, [8, 8, 1], seed=0)
    loss = (model([0.1, 0.2, -0.3, 0.4]) - 1.0) ** 2
    text = str(explain(loss, module=model))
    values, steps = len(Trace(loss, max_nodes=10_000, caller="t").values), text.splitlines()[0]
    assert steps == f"Backpropagation through v{values}: {values} values, 35 backward steps."  # 8 + 8 + 1 neurons
    assert f"  … {values - 40} values left out (explain(root, limit=None) shows all)" in text
    assert text.count("    … 9 more parents left out (explain(root, limit=None) shows all)") == 9  # 8 w, 8 x, b
    assert "  … 81 leaves left out (explain(root, limit=None) shows all)" in text  # 121 parameters
    assert "more steps" not in text
    assert "  … 25 more steps left out" in str(explain(loss, limit=10))
    full = str(explain(loss, module=model, limit=None))
    terms = 8 * (5 + 1) + 8 * (17 + 1) + 17 + 2  # each neuron's w, (x,) b and its ReLU; then - 1 and ** 2
    assert "left out" not in full and len(full.splitlines()) == 3 + values + 2 + 35 + terms + 2 + 121
    assert len(str(explain(loss, limit=5)).splitlines()) < 60


def test_explain_checks_its_arguments_and_shows_itself() -> None:
    o = micrograd_cases.classic()
    for kwargs, message in [
        ({"precision": 0}, r"explain\(precision\) must be an int from 1 to 17, got 0"),
        ({"limit": 0}, r"explain\(limit\) must be None or a positive int, got 0"),
        ({"limit": True}, r"explain\(limit\) must be None or a positive int, got True"),
    ]:
        with pytest.raises(ValueError, match=message):
            explain(o, **kwargs)
    with pytest.raises(TypeError, match=r"explain\(root\) must be a Value, got float: 2.0"):
        explain(2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"explain\(module\) must have a named_parameters\(\) method, got int"):
        explain(o, module=3)
    e = explain(o, precision=2)
    assert repr(e) == "<explain(o): 10 values, 5 backward steps; print() it>"
    assert "  o = tanh(n) = tanh(0.88) = 0.71" in str(e)

    class Printer:
        def __init__(self) -> None:
            self.out = ""

        def text(self, s: str) -> None:
            self.out += s

    p = Printer()
    e._repr_pretty_(p, False)  # what IPython and Jupyter show
    assert p.out == str(e)


def test_unlabelled_values_get_names_that_clash_with_no_label() -> None:
    a = Value(1.0, label="v2")
    b = Value(2.0, label="x")
    c = Value(3.0, label="x")
    d = a * b + c
    text = str(explain(d))
    assert "  v3 = v2 * x = 1 * 2 = 2" in text and "  v5 = v3 + x′ = 2 + 3 = 5" in text
    assert "  x.grad = 1\n  x′.grad = 1" in text
    e = Value(1.0, label="v1") + Value(2.0)  # an unlabelled Value is not named after a label
    assert "  v1 = 1\n  v2 = 2\n  v3 = v1 + v2" in str(explain(e))
    f = Value(1.0, label="v2") + Value(2.0)
    assert "  v2 = 1\n  v2′ = 2\n  v3 = v2 + v2′" in str(explain(f))


def test_the_command_line_prints_it() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "microgradnet", "graph", "a*b + exp(a)", "a=2", "b=3", "--explain"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert run.stdout.startswith("Backpropagation through v5: 5 values, 3 backward steps.")
    assert "  a.grad = 3 (via v3) + 7.389 (via v4) = 10.39\n" in run.stdout


def test_an_mlps_forward_pass_reads_from_its_first_layer() -> None:
    from microgradnet.nn import MLP
    from microgradnet.render.graph import graph_values

    model = MLP(2, [2, 1], seed=0)
    root = losses.mse(model([[0.5, -1.0]]), [1.0])
    lines = str(explain(root, module=model, limit=None)).split("\n\n")[1].splitlines()[1:]
    names = [line.split(" = ")[0].strip() for line in lines]
    assert names[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b", "v6"]
    assert names.index("layers.1.neurons.0.w.0") == names.index("v14") - 3  # its weights and bias, just before it
    assert sorted(names) == sorted({*names}) and len(names) == len(graph_values(root, 100, "test"))
