"""The engine, open for extension: `defop` (an op of your own, one call), `FusedNode` (a node of many
operands, such as a loss), micrograd's own way (`Value(data, _children, _op)` with a `_backward` closure),
and the places where nodes are made."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from micrograd_cases import lecture_tanh

import microgradnet as mg
from microgradnet import OPS, Value, defop, draw_dot, draw_tree, gradients
from microgradnet.engine import LAYOUTS, FusedNode, Op, new_node, stubs
from microgradnet.testing import gradcheck, gradgradcheck
from microgradnet.testing.strategies import expressions

pytestmark = pytest.mark.usefixtures("forget_new_ops")


def _softplus() -> Any:
    return defop("softplus", lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0), lambda out, x: mg.sigmoid(x),
                 domain=lambda x: abs(x) < 30)  # fmt: skip


# -- defop ------------------------------------------------------------------------------------------
def test_defop_makes_an_op_that_works_on_floats_and_values() -> None:
    softplus = _softplus()
    assert softplus(0.0) == math.log(2.0) and type(softplus(3)) is float
    x = Value(1.5, label="x")
    y = softplus(x)
    assert isinstance(y, Value) and y.data == pytest.approx(math.log1p(math.exp(1.5)), rel=1e-15)
    assert x.softplus().data == y.data  # a Value method of the op's name
    assert y._op == "softplus" and y._prev == (x,) and OPS["softplus"].arity == 1
    y.backward()
    assert x.grad == pytest.approx(1 / (1 + math.exp(-1.5)), rel=1e-15)


def test_a_defop_op_has_second_derivatives_and_passes_the_checks() -> None:
    softplus = _softplus()
    x = Value(0.3)
    (d1,) = gradients(softplus(x), [x], create_graph=True)
    (d2,) = gradients(d1, [x])
    s = 1 / (1 + math.exp(-0.3))
    assert d1.data == pytest.approx(s, rel=1e-15) and d2.data == pytest.approx(s * (1 - s), rel=1e-14)
    assert gradcheck(softplus, [0.3]) and gradgradcheck(softplus, [-1.2])
    assert gradcheck(lambda a, b: softplus(a * b) / b, [0.5, 2.0])


def test_a_binary_defop_op_takes_constants_on_either_side() -> None:
    hypot = defop("hypot", math.hypot, lambda out, x, y: x / out, lambda out, x, y: y / out, symbol="‖·‖",
                  domain=lambda x, y: abs(x) + abs(y) > 0.1)  # fmt: skip
    x, y = Value(3.0), Value(4.0)
    h = hypot(x, y)
    assert h.data == 5.0 and h._prev == (x, y) and x.hypot(y).data == 5.0 and hypot(3, 4) == 5.0
    h.backward()
    assert (x.grad, y.grad) == (0.6, 0.8)
    assert hypot(3.0, y).data == 5.0 and hypot(x, 4.0)._prev == (x,)
    assert gradgradcheck(hypot, [1.0, -2.0])
    assert draw_tree(h).splitlines()[1:] == ["├─ x: leaf  data 3  grad 0.6", "└─ y: leaf  data 4  grad 0.8"]


def test_defop_ops_are_drawn_and_drawn_from_by_the_random_expressions() -> None:
    softplus = _softplus()
    x = Value(0.5, label="x")
    y = softplus(x * 2)
    y.backward()
    assert draw_tree(y).splitlines()[0] == "softplus  data 1.313  grad 1"
    assert "softplus" in draw_dot(y).source

    @settings(max_examples=40, database=None)
    @given(e=expressions(ops=["softplus", "mul", "add"], max_leaves=5))
    def check(e: Any) -> None:
        assert gradcheck(e, e.inputs) and gradgradcheck(e, e.inputs)

    check()


def test_an_op_without_a_domain_is_left_out_of_random_expressions() -> None:
    defop("cube", lambda x: x**3, lambda out, x: 3 * x * x)
    found: set[str] = set()

    @settings(max_examples=60, database=None)
    @given(e=expressions(max_leaves=4))
    def collect(e: Any) -> None:
        found.update(e.ops)

    collect()
    assert "cube" not in found and "tanh" in found


def test_defining_an_op_again_replaces_it_but_built_ins_stay() -> None:
    defop("twice", lambda x: 2 * x, 2.0)
    twice = defop("twice", lambda x: 2 * x + 0.0, lambda out, x: 2.0)  # a notebook cell run twice
    assert twice(Value(1.0)).data == 2.0
    with pytest.raises(ValueError, match="defop: 'tanh' is already a built-in op"):
        defop("tanh", math.tanh, lambda out, x: 1 - out * out)
    with pytest.raises(ValueError, match="defop: 'data' is already a Value attribute"):
        defop("data", float, 1.0)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (("2x", abs, 1.0), {}, ValueError, r"defop\(name\) must be a Python name not starting with '_', got '2x'"),
        (("_x", abs, 1.0), {}, ValueError, r"must be a Python name not starting with '_'"),
        (("lambda", abs, 1.0), {}, ValueError, r"must be a Python name"),
        (("f", 3.0, 1.0), {}, TypeError, r"defop\(f\) must compute the op on floats, got float"),
        (("f", abs), {}, TypeError, r"defop\('f'\) needs one derivative per operand \(1 or 2\), got 0"),
        (("f", abs, 1.0, 1.0, 1.0), {}, TypeError, r"got 3"),
        (("f", abs, "x"), {}, TypeError, r"functions of \(out, x\[, y\]\), numbers, Divides or ZeroWhere, got 'x'"),
        (("f", abs, 1.0), {"symbol": 3}, TypeError, r"defop\(symbol\) must be a str, got int"),
        (("f", abs, 1.0), {"domain": 3}, TypeError, r"defop\(domain\) must be a predicate on floats"),
    ],
)
def test_defop_refuses_bad_definitions(args: Any, kwargs: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        defop(*args, **kwargs)


def test_a_defop_value_that_is_not_a_number_is_refused() -> None:
    bad = defop("bad", lambda x: "one", 0.0)
    with pytest.raises(TypeError, match=r"the op's value .* must be a real number \(int or float\), got str: 'one'"):
        bad(Value(1.0))


# -- FusedNode: a node of many operands from outside the engine ------------------------------------
class MAE(FusedNode):
    """Mean absolute error over a batch: a one-node loss of a user's own."""

    __slots__ = ()
    symbol, name = "MAE", "mae"

    def partials(self, graph: bool) -> list[float]:
        n = len(self.parents)
        return [(1.0 if p.data > t else -1.0) / n for p, t in zip(self.parents, self.arg)]

    def roles(self) -> list[str]:
        return [f"t = {t:g}" for t in self.arg]

    def details(self) -> tuple[str]:
        return (f"mean of {len(self.parents)}",)


def mae(preds: list[Value], targets: list[float]) -> Value:
    return MAE.make(sum(abs(p.data - t) for p, t in zip(preds, targets)) / len(preds), preds, tuple(targets))


def test_a_fused_node_of_ones_own_backpropagates_and_draws_its_targets() -> None:
    a, b = Value(2.0, label="a"), Value(-1.0, label="b")
    loss = mae([a * 3, b], [1.0, 0.5])
    assert loss.data == (5.0 + 1.5) / 2 and loss._prev == (loss._prev[0], b)
    loss.backward()
    assert (a.grad, b.grad) == (1.5, -0.5)
    assert gradcheck(lambda x, y: mae([x * 3, y], [1.0, 0.5]), [2.0, -1.0])
    tree = draw_tree(loss).splitlines()
    assert tree[0] == "MAE (mean of 2)  data 3.25  grad 1" and tree[1].startswith("├─ t = 1: * 3")
    assert "t = 0.5" in draw_dot(loss).source  # the edge from b says its target
    with mg.no_grad():
        assert mae([a], [1.0])._prev == ()  # a plain leaf under no_grad


def test_a_fused_node_without_partials_says_what_is_missing() -> None:
    class Half(FusedNode):
        __slots__ = ()

    with pytest.raises(NotImplementedError, match=r"Half must define partials\(self, graph\)"):
        Half.make(1.0, [Value(1.0)]).backward()


# -- micrograd's own way: Value(data, _children, _op) and a _backward closure -------------------------
def test_a_lecture_style_op_mixes_with_built_in_ones() -> None:
    x1, w1, b = Value(2.0, label="x1"), Value(-3.0, label="w1"), Value(6.8813735870195432, label="b")
    n = x1 * w1 + b
    o = lecture_tanh(n)
    out = o * 2 + o  # o is used twice
    out.backward()
    assert o.data == pytest.approx(0.7071067811865476, rel=1e-15)
    assert n.grad == pytest.approx(3 * 0.5, rel=1e-12) and x1.grad == pytest.approx(-4.5, rel=1e-12)
    (g,) = gradients(out, [x1])
    assert g.data == pytest.approx(-4.5, rel=1e-12)
    assert gradcheck(lambda v: lecture_tanh(v * 0.5) * v, [0.7])
    assert draw_tree(o).splitlines()[0] == "tanh  data 0.7071  grad 3"
    assert repr(o) == "Value(data=0.7071067811865476, grad=3.0, op='tanh')"


def test_a_lecture_node_with_a_repeated_child_passes_the_whole_gradient_once() -> None:
    a = Value(3.0)
    out = Value(a.data * a.data, (a, a), "*")

    def _backward() -> None:
        a.grad += a.data * out.grad
        a.grad += a.data * out.grad

    out._backward = _backward
    (g,) = gradients(out * 1.0, [a])
    assert g.data == 6.0
    out.backward()
    assert a.grad == 6.0


def test_a_lecture_node_cannot_be_differentiated_twice_and_says_why() -> None:
    x = Value(0.3)
    (d,) = gradients(lecture_tanh(x), [x])
    assert d.data == pytest.approx(1 - math.tanh(0.3) ** 2, rel=1e-14)
    with pytest.raises(TypeError, match=r"cannot differentiate through the node 'tanh' twice: .* microgradnet.defop"):
        gradients(lecture_tanh(x), [x], create_graph=True)


def test_micrograds_constructor_is_checked() -> None:
    assert Value(1.0, (), "", label="w").label == "w"
    with pytest.raises(TypeError, match=r"Value\(_children\) must be a tuple of Values \(micrograd's signature"):
        Value(1.0, "w")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Value\(_children\) must contain Values, got float: 2\.0"):
        Value(1.0, (2.0,))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Value\(_op\) must be a str such as 'tanh', got int"):
        Value(1.0, (Value(1.0),), 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Value\(_op='exp'\) needs the Values it was computed from"):
        Value(1.0, (), "exp")
    node = Value(1.0, (Value(1.0),), "f")
    with pytest.raises(TypeError, match="_backward must be a function of no arguments, got int"):
        node._backward = 3  # type: ignore[assignment,method-assign]
    node._backward()  # micrograd's default step does nothing


# -- where nodes are made -------------------------------------------------------------------------
def _every_way_to_make_a_node() -> dict[str, Value]:
    a, b = Value(1.5), Value(-0.5)
    linear_row = mg.engine.linears_each([[a, b]], [a], [[a, b], [1.0, 2.0]])
    return {
        "Value()": Value(2.0),
        "leaf via detach": a.detach(),
        "new_node": new_node(mg.engine.Sum, 1.0, (a, b)),
        "unary method": a.tanh(),
        "binary method": a * b,
        "binary method, constant": a * 2.0,
        "reflected method": 2.0 - a,
        "function": mg.exp(a),
        "function, constant first": mg.leaky_relu(-1.0, b),
        "Op.each": OPS["relu"].each([a, b])[1],
        "linear": mg.linear([a, b], [b, a], a),
        "linears_each, Value inputs": linear_row[0][0],
        "linears_each, float inputs": linear_row[1][0],
        "linears_each, activation fused, Value inputs": mg.engine.linears_each(
            [[a, b]], [a], [[a, b]], mg.engine.ACTIVATIONS["tanh"]
        )[0][0],
        "linears_each, relu fused, Value inputs": mg.engine.linears_each(
            [[a, b]], [a], [[a, b]], mg.engine.ACTIVATIONS["relu"]
        )[0][0],
        "linears_each, activation fused, float inputs": mg.engine.linears_each(
            [[a, b]], [a], [[1.0, 2.0]], mg.engine.ACTIVATIONS["relu"]
        )[0][0],
        "FusedNode.make": mg.sum([a, b]),
        "lecture node": Value(1.0, (a,), "f"),
        "loss": mg.losses.mse([a, b], [0.0, 1.0]),
    }


def test_every_way_to_make_a_node_sets_the_same_slots() -> None:
    """Every slot, but a leaf's walk mark: walks mark only the nodes they order, never a leaf."""
    for way, v in _every_way_to_make_a_node().items():
        missing = [s for s in Value.__slots__ if not hasattr(v, s)]
        assert missing == (["_seen"] if type(v) is Value else []), f"{way} leaves {missing} unset"
        assert v.grad == 0.0 and v.label == "" and getattr(v, "_seen", None) is None, way
        assert type(v)._layout in LAYOUTS and v._prev == type(v)._layout.prev(v), way


def test_under_no_grad_every_way_makes_a_plain_leaf() -> None:
    with mg.no_grad():
        made = _every_way_to_make_a_node()
    for way, v in made.items():
        if way not in ("Value()", "leaf via detach", "lecture node"):
            assert type(v) is Value and v._prev == (), way


def test_every_node_class_declares_a_layout_and_describes_itself() -> None:
    for way, v in _every_way_to_make_a_node().items():
        info = v.describe()
        assert info.parents == v._prev and len(info.roles) == len(info.parents), way
        assert info.kind in ("leaf", "sum", "function", "op"), way


# -- the type stubs follow from the table -----------------------------------------------------------
def test_the_stubs_cover_the_table() -> None:
    for path, lines in stubs.blocks().items():
        text = path.read_text(encoding="utf-8")
        assert stubs.replaced(text, lines) == text, f"run python -m microgradnet.engine.stubs to update {path.name}"
    methods = "\n".join(stubs.method_stubs())
    for op in mg.engine.TABLE.values():
        for method in op.methods:
            assert f"def {method}(" in methods


def test_a_new_row_gives_its_method_function_and_stubs(monkeypatch: pytest.MonkeyPatch) -> None:
    row = mg.engine.Row("softsign", lambda x: x / (1 + abs(x)), lambda x: True, (lambda out, x: 1 / (1 + abs(x)) ** 2,),
                        ("softsign",))  # fmt: skip
    monkeypatch.setitem(mg.engine.TABLE, "softsign", row)
    assert "def softsign(self) -> Value: ..." in stubs.method_stubs()
    assert "def softsign(x: T) -> T: ..." in stubs.function_stubs()
    op = Op("softsign", row)
    assert op.function(1.0) == 0.5 and op.kind == "function"
