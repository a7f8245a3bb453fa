"""The Value: construction, graph structure, repr, operators with constants, comparisons, backward
semantics, memory, the fused nodes, and micrograd compatibility (its lecture example and its tests)."""

from __future__ import annotations

import gc
import math
import weakref
from fractions import Fraction
from typing import Any

import micrograd_cases
import numpy as np
import pytest

import microgradnet as mg
from microgradnet import OPS, Value, gradients
from microgradnet.testing import apply_op, gradcheck, gradgradcheck


# -- construction -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "data"),
    [
        (3, 3.0),
        (-2.5, -2.5),
        (np.float64(1.5), 1.5),
        (np.float32(0.25), 0.25),
        (np.int64(7), 7.0),
        (Fraction(1, 4), 0.25),
    ],
)
def test_value_holds_real_numbers_as_floats(given: Any, data: float) -> None:
    v = Value(given)
    assert v.data == data and type(v.data) is float
    assert v.grad == 0.0 and v.label == "" and v._prev == () and v._op == ""


def test_an_integer_too_large_for_a_float_is_infinite() -> None:
    assert Value(10**400).data == math.inf and Value(-(10**400)).data == -math.inf


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("1.0", "got str: '1.0'"),
        (None, "got NoneType: None"),
        (1 + 2j, r"got complex: \(1\+2j\)"),
        (True, "got bool: True"),
        ([1.0], r"got list: \[1.0\]"),
        (Value(1.0), r"got a Value: Value\(data=1.0, grad=0.0\) \(use .data for its number\)"),
    ],
)
def test_value_rejects_what_is_not_a_real_number(given: Any, shown: str) -> None:
    with pytest.raises(TypeError, match=r"Value\(data\) must be a real number \(int or float\), " + shown):
        Value(given)


def test_label_must_be_a_string() -> None:
    assert Value(1.0, label="w1").label == "w1"
    with pytest.raises(TypeError, match=r"Value\(label\) must be a str, got int: 3"):
        Value(1.0, label=3)  # type: ignore[arg-type]


# -- structure and repr -----------------------------------------------------------------------------
def test_prev_is_the_ordered_tuple_of_operands() -> None:
    a, b = Value(2.0), Value(3.0)
    assert (a * a)._prev == (a, a)
    assert (a - b)._prev == (a, b) and (b - a)._prev == (b, a)
    assert (a**b)._prev == (a, b) and (2 - a)._prev == (a,) and a.tanh()._prev == (a,)


@pytest.mark.parametrize("name", list(OPS))
def test_each_op_node_carries_its_symbol_and_name(name: str) -> None:
    op = OPS[name]
    out = apply_op(name, *[Value(0.5) for _ in range(op.arity)])
    assert out._op == op.symbol and type(out)._name == name


def test_op_symbols_are_micrograds() -> None:
    a, b = Value(2.0), Value(3.0)
    symbols = [(a + b)._op, (a * b)._op, (a**2)._op, a.relu()._op, a.tanh()._op, a.exp()._op]
    assert symbols == ["+", "*", "**", "ReLU", "tanh", "exp"]


def test_repr_is_readable() -> None:
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(-1.5, label="w")) == "Value(data=-1.5, grad=0.0, label='w')"
    out = Value(2.0) * 3
    out.backward()
    assert repr(out) == "Value(data=6.0, grad=1.0, op='*')"


# -- operators with a plain number on either side -----------------------------------------------------
@pytest.mark.parametrize(
    ("f", "value", "derivative"),
    [
        (lambda x: 2 + x, 5.0, 1.0),
        (lambda x: x + 2, 5.0, 1.0),
        (lambda x: 2 - x, -1.0, -1.0),
        (lambda x: x - 2, 1.0, 1.0),
        (lambda x: 2 * x, 6.0, 2.0),
        (lambda x: 2 / x, 2 / 3, -2 / 9),
        (lambda x: x / 2, 1.5, 0.5),
        (lambda x: 2**x, 8.0, 8.0 * math.log(2.0)),
        (lambda x: x**2, 9.0, 6.0),
        (lambda x: x**-1, 1 / 3, -1 / 9),
        (lambda x: np.float64(2.0) - x, -1.0, -1.0),
        (lambda x: Fraction(1, 2) * x, 1.5, 0.5),
        (lambda x: -x, -3.0, -1.0),
        (lambda x: +x, 3.0, 1.0),
    ],
)
def test_constants_on_either_side(f: Any, value: float, derivative: float) -> None:
    x = Value(3.0)
    out = f(x)
    assert isinstance(out, Value) and out.data == pytest.approx(value, rel=1e-15)
    out.backward()
    assert x.grad == pytest.approx(derivative, rel=1e-15)


@pytest.mark.parametrize("other", ["2", None, [1.0], 1j, True])
def test_operators_refuse_what_is_not_a_number(other: Any) -> None:
    x = Value(1.0)
    with pytest.raises(TypeError):
        x + other
    with pytest.raises(TypeError):
        other * x
    with pytest.raises(TypeError, match=r"leaky_relu\(slope\) must be a real number or a Value"):
        x.leaky_relu(other)


# -- comparisons and identity -------------------------------------------------------------------------
def test_comparisons_look_at_data_and_return_bool() -> None:
    a, b = Value(1.0), Value(2.0)
    results = [a < b, a <= b, a > b, a >= b, a < 1.5, a >= 1, b > np.float64(1.0), 0.5 < a]  # noqa: SIM300
    assert results == [True, True, False, False, True, True, True, True]
    assert all(type(r) is bool for r in results)
    assert max([b, a]) is b and sorted([b, a]) == [a, b]
    with pytest.raises(TypeError, match="cannot compare a Value with str"):
        a < "2"  # noqa: B015


def test_equality_and_hash_are_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b and (a == 1.0) is False
    assert len({a, b, a}) == 2 and {a: 1}[a] == 1


# -- backward -----------------------------------------------------------------------------------------
def test_leaves_accumulate_and_inner_nodes_hold_the_latest_call() -> None:
    a = Value(2.0)
    c = (a * a) * 3
    c.backward()
    assert a.grad == 12.0 and c.grad == 1.0
    c.backward()
    assert a.grad == 24.0 and c.grad == 1.0
    b = c._prev[0]  # a * a
    assert b.grad == 3.0
    d = b * 5
    d.backward()
    assert b.grad == 5.0  # the latest call, not 3 + 5
    assert a.grad == 24.0 + 20.0


def test_a_value_used_many_times_gets_every_contribution() -> None:
    a = Value(3.0)
    out = a * a + a + a.exp() * a
    out.backward()
    assert a.grad == pytest.approx(2 * 3 + 1 + math.exp(3) * 4, rel=1e-15)
    b = Value(-1.0)
    shared = b * 2
    (shared * shared + shared).backward()  # diamond: one node reached along two paths
    assert b.grad == 2 * (2 * -2.0 + 1)


def test_a_node_met_before_its_last_consumer_waits_for_it() -> None:
    """t * tanh(t): the walk meets t before tanh(t), t's other consumer; backward must run tanh(t) first."""
    x = Value(0.7)
    t = x * 3.0
    y = t * t.tanh()
    y.backward()
    th = math.tanh(2.1)
    assert t.grad == pytest.approx(th + 2.1 * (1 - th * th), rel=1e-15)
    assert x.grad == pytest.approx(3.0 * t.grad, rel=1e-15)
    (g,) = gradients(y, [x])
    assert g.data == x.grad


def test_paths_of_different_lengths_are_walked_depth_first_at_any_depth() -> None:
    """Residual blocks x + f(x): the walk meets x before f(x), its other consumer, and walks the graph again
    depth first, without recursion: 100,000 blocks deep, backward twice, and a second derivative."""
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y + y * 1e-5  # x + f(x): x reached along paths of lengths 1 and 2
    y.backward()
    y.backward()  # a second call: interior grads start again at 0, the leaf accumulates
    assert x.grad == pytest.approx(2 * (1 + 1e-5) ** 100_000, rel=1e-9)
    z = Value(0.3)
    w = z * z
    out = w + (w + w.tanh()) * w  # w reached along paths of lengths 1, 2 and 3
    (dz,) = gradients(out, [z], create_graph=True)
    (d2z,) = gradients(dz, [z])
    t = math.tanh(0.09)  # out = w + w² + w tanh w with w = z²; d/dw = 1 + 2w + tanh w + w (1 - tanh² w)
    first = (1 + 0.18 + t + 0.09 * (1 - t * t)) * 0.6
    assert dz.data == pytest.approx(first, rel=1e-14)
    dw2 = 2 + 2 * (1 - t * t) - 2 * 0.09 * t * (1 - t * t)  # d²out/dw²
    assert d2z.data == pytest.approx(dw2 * 0.36 + first / 0.3, rel=1e-13)


def micrograds_order(root: Value) -> list[Value]:
    """micrograd's build_topo: a recursive depth-first search over each node's operands in order."""
    topo: list[Value] = []
    seen: set[Value] = set()

    def visit(v: Value) -> None:
        if v not in seen:
            seen.add(v)
            for child in v._prev:
                visit(child)
            topo.append(v)

    visit(root)
    return topo


def test_a_shared_node_sums_its_consumers_gradients_in_micrograds_order() -> None:
    """Where paths of different lengths meet, gradients are added up in the order of micrograd's own walk
    (a depth-first search over the operands in order), so code ported from it gets its gradients bit for bit."""
    import random

    rng = random.Random(7)
    for _ in range(20):
        xs = [Value(rng.uniform(-1, 1)) for _ in range(3)]
        nodes = list(xs)
        for _ in range(30):  # each new node reads two earlier ones: shared nodes, paths of many lengths
            a, b = rng.choice(nodes), rng.choice(nodes)
            nodes.append(rng.choice([a + b, a * b, a * 0.7 + b, (a * b).tanh()]))
        out = nodes[-1] + nodes[-2] * nodes[-3]
        out.backward()
        topo = micrograds_order(out)
        grads = {v: 0.0 for v in topo}
        grads[out] = 1.0
        for v in reversed(topo):
            for parent, share in zip(v._prev, v._vjp(grads[v], False)):
                if share is not None:
                    grads[parent] += share
        assert [x.grad for x in xs] == [grads.get(x, 0.0) for x in xs]  # exactly


def test_a_tree_of_ops_is_walked_in_an_order_that_works() -> None:
    """A tree (each op used once, leaves shared) needs no sort: built right to left or left to right."""
    a, b = Value(1.5), Value(-2.0)
    left_first = (a * b + a) - (b * 2.0).exp()
    right_first_inner = (b * 2.0).exp()
    right_first = (a * b + a) - right_first_inner
    for y in (left_first, right_first):
        a.grad = b.grad = 0.0
        y.backward()
        assert (a.grad, b.grad) == pytest.approx((b.data + 1.0, a.data - 2.0 * math.exp(-4.0)), rel=1e-15)


def test_backward_of_a_leaf_is_one() -> None:
    x = Value(5.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_backward_then_gradients_leave_each_other_alone() -> None:
    x, y = Value(2.0), Value(-3.0)
    out = x * y + x
    out.backward()
    gx, gy = gradients(out, [x, y])
    assert (gx.data, gy.data) == (-2.0, 2.0)
    assert (x.grad, y.grad) == (-2.0, 2.0)  # from backward, untouched by gradients
    assert gradients(out, [Value(1.0)])[0].data == 0.0  # not in the graph


def test_the_walk_reads_no_grad_and_gradients_writes_none() -> None:
    """The walk marks the nodes it meets with tokens (objects compared by identity, which every Python
    keeps), never through a grad: gradients() works whatever the grads hold, and leaves them as they are."""
    x = Value(2.0)
    t = x * 3.0
    y = t * t + t.tanh()  # t is shared: the walk meets it three times
    nodes = [y, y._p, y._arg, t]
    for v in [x, *nodes]:
        v.grad = None  # type: ignore[assignment]
    (g,) = gradients(y, [x])
    assert g.data == pytest.approx(3 * (2 * 6.0 + 1 - math.tanh(6.0) ** 2), rel=1e-15)
    assert all(v.grad is None for v in [x, *nodes])


def test_the_walk_marks_nodes_with_a_token_not_a_float() -> None:
    """Visited marks are objects compared by identity (every Python keeps that), never a grad's float."""
    x = Value(2.0)
    t = x * 3.0
    y = t * t
    y.backward()
    assert t._seen is y._seen and t._seen is not None  # this walk's token: parents read
    y.backward()
    assert t._seen is not None and x.grad == 2 * 36.0  # a new token each walk; the leaf accumulates


def test_a_walk_that_fails_leaves_the_graph_usable() -> None:
    class Broken(Value):
        __slots__ = ()
        _op = "broken"

        @property
        def _prev(self) -> tuple[Value, ...]:
            raise RuntimeError("no parents today")

    x = Value(2.0)
    t = x * 3.0
    y = t * t
    broken = mg.engine.new_node(Broken, 1.0, (t,))
    with pytest.raises(RuntimeError, match="no parents today"):
        (broken * y).backward()
    y.backward()
    assert (x.grad, t.grad, y.grad) == (36.0, 12.0, 1.0)


def test_gradients_rejects_bad_input() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"gradients\(output\) must be a Value, got float"):
        gradients(2.0, [x])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"gradients\(inputs\) must all be Values, got float: 2\.0"):
        gradients(x * 2, [2.0])  # type: ignore[list-item]


def test_a_chain_of_a_million_ops() -> None:
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert y.data == 1_000_001.0 and x.grad == 1.0 and y.grad == 1.0


def test_a_node_of_one_or_two_parents_keeps_them_without_a_tuple() -> None:
    """Its operands sit in two slots; _prev, the tuple micrograd's code iterates, is made when asked."""
    a, b = Value(2.0), Value(3.0)
    nodes = {"a * b": (a * b, (a, b)), "a * 2": (a * 2, (a,)), "2 - a": (2 - a, (a,)), "tanh": (a.tanh(), (a,))}
    for name, (node, parents) in nodes.items():
        assert node._prev == parents and type(node._p) is Value, name
    assert (2 - a)._arg == 2.0 and (a * b)._arg is b  # the constant, or the second parent
    assert mg.sum([a, b, a])._prev == (a, b, a)  # a node of many keeps their tuple


def test_copies_are_graphs_of_their_own() -> None:
    """A deep copy is a new graph: built on, walked and differentiated like the original, which it leaves alone."""
    import copy

    x = Value(0.5, label="x")
    y = (x * x + x).tanh()
    y2 = copy.deepcopy(y)
    x2 = y2._p._arg  # the copied x, second operand of the copied x*x + x
    assert x2.label == "x" and x2 is not x
    z = y2 * 3.0 + y2._p  # built on the copy: y2's parent is shared, so the walk orders by consumers
    z.backward()
    (want,) = gradients(y * 3.0 + y._p, [x])
    assert x2.grad == want.data and x.grad == 0.0


def test_detach_cuts_the_graph() -> None:
    x = Value(2.0)
    d = x.detach()
    assert d.data == 2.0 and d._prev == () and d is not x and d.grad == 0.0
    y = x * 3
    out = y.detach() * y
    out.backward()
    assert x.grad == 18.0  # only through the attached factor: 6 * 3


def test_a_subclass_of_value_keeps_its_constructor() -> None:
    """Node classes are made empty (`cls()`, make.empty); a leaf class of the user's still takes its number."""

    class Named(Value):
        __slots__ = ()

    v = Named(3, label="n")
    assert (v.data, type(v.data), v.label, v.grad, v._prev) == (3.0, float, "n", 0.0, ())
    with pytest.raises(TypeError, match=r"Value\(label\) must be a str, got int"):
        Named(1.0, label=2)  # type: ignore[arg-type]
    y = v * Value(2.0)
    y.backward()
    assert (y.data, v.grad) == (6.0, 2.0)


# -- memory: graphs are freed by reference counting alone ------------------------------------------------
class Tracked(Value):
    """A leaf that can be watched with a weak reference (Value itself has no __weakref__ slot)."""

    __slots__ = ("__weakref__",)


def _live_values() -> int:
    return sum(1 for o in gc.get_objects() if issubclass(type(o), Value))  # type(): no module __getattr__


def test_graphs_are_freed_without_the_cyclic_collector() -> None:
    gc.collect()
    gc.disable()
    try:
        before = _live_values()
        x = Tracked(0.5)
        watch = weakref.ref(x)
        out = x
        for _ in range(500):
            out = (out * x).tanh() + x.sigmoid()
        out.backward()
        (g,) = gradients(out, [x], create_graph=True)
        (h,) = gradients(g, [x], create_graph=True)
        second = mg.grad(mg.grad(lambda v: v.sin() * v))(Value(0.3))
        assert _live_values() > before + 1000
        del out, g, h, second, x
        assert watch() is None
        assert _live_values() == before
    finally:
        gc.enable()


# -- fused nodes ------------------------------------------------------------------------------------
def test_sum_is_one_node() -> None:
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    s = mg.sum([a, b * c, 4.0], 0.5)  # numbers are folded into the data
    assert s._prev == (a, s._prev[1]) and len(s._prev) == 2 and s._op == "Σ"
    assert s.data == 11.5
    s.backward()
    assert (a.grad, b.grad, c.grad) == (1.0, 3.0, 2.0)
    start = Value(10.0)
    t = mg.sum([a], start)
    assert t._prev == (start, a) and t.data == 11.0
    with pytest.raises(TypeError, match=r"sum\(terms\) must be a real number .*got str"):
        mg.sum([a, "1"])  # type: ignore[list-item]
    assert gradcheck(lambda x, y: mg.sum([x * y, x, 2.0], y), [0.5, -1.5])


def test_linear_is_one_node_over_values_floats_or_a_mix() -> None:
    w1, w2, b = Value(2.0), Value(-1.0), Value(0.5)
    x1, x2 = Value(3.0), Value(4.0)
    out = mg.linear([w1, w2], [x1, x2], b)
    assert out._prev == (w1, w2, x1, x2, b) and out.data == 2.5 and out._op == "Σ w·x + b"
    out.backward()
    assert (w1.grad, w2.grad, x1.grad, x2.grad, b.grad) == (3.0, 4.0, 2.0, -1.0, 1.0)
    const = mg.linear([w1, w2], [3.0, 4.0], b)  # plain inputs: kept as numbers, no gradient
    assert const._prev == (w1, w2, b) and const._arg == (3.0, 4.0) and const.data == 2.5
    mixed = mg.linear([w1, w2], [x1, 4.0])
    assert mixed.data == 2.0 and x1 in mixed._prev
    assert gradcheck(lambda w, x, b: mg.linear([w, 2.0], [x, w], b), [0.5, -1.5, 0.25])
    assert gradcheck(lambda w, b: mg.linear([w, w], [1.5, -2.0], b), [0.5, 0.25])
    with pytest.raises(ValueError, match="linear: 2 weights but 3 inputs; they must have the same length"):
        mg.linear([w1, w2], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"linear\(inputs\) must be a real number .*got str"):
        mg.linear([w1], ["a"])


def test_linears_is_linear_for_each_row_with_the_inputs_checked_once() -> None:
    from microgradnet.engine import Linear, LinearComputed, LinearConst

    def rows() -> tuple[list[list[Value]], list[Value]]:
        return [[Value(0.5), Value(-1.0)], [Value(2.0), Value(0.25)]], [Value(0.5), Value(-2.0)]

    a = Value(3.0)
    for inputs, kind in (([Value(3.0), Value(4.0)], Linear), ([3.0, 4.0], LinearConst), ([3, 4.0], LinearConst),
                         ([a, 4], Linear)):  # fmt: skip
        ws, bs = rows()
        outs = mg.linears(ws, bs, inputs)
        ws2, bs2 = rows()
        want = [mg.linear(w, inputs, b) for w, b in zip(ws2, bs2)]
        assert [o.data for o in outs] == [o.data for o in want] and all(type(o) is kind for o in outs)
        mg.sum(outs).backward()
        mg.sum(want).backward()
        assert [p.grad for row in ws for p in row] == [p.grad for row in ws2 for p in row]
    assert outs[0]._prev[2] is a and outs[0]._prev[3] is outs[1]._prev[3]  # one constant leaf for the 4, shared
    computed = mg.linears([[a * 2.0, Value(1.0)], [Value(1.0), Value(1.0)]], [Value(0.0), 1.0], [Value(1.0), 2.0])
    assert type(computed[0]) is LinearComputed and type(computed[1]) is Linear and computed[1].data == 4.0
    with pytest.raises(ValueError, match="linear: 2 weights but 3 inputs; they must have the same length"):
        mg.linears(*rows(), [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"linear\(inputs\) must be a real number .*got str"):
        mg.linears(*rows(), [1.0, "a"])
    with pytest.raises(ValueError, match="linears: 2 rows of weights but 1 biases; they must match"):
        mg.linears(rows()[0], [Value(0.0)], [1.0, 2.0])
    with mg.no_grad():  # plain leaves, as every op gives without grad
        for inputs in ([Value(3.0), Value(4.0)], [3.0, 4.0]):
            outs = mg.linears(*rows(), inputs)
            assert [o.data for o in outs] == [-2.0, 5.0] and all(type(o) is Value and not o._prev for o in outs)


def test_a_neuron_behind_an_inactive_relu_adds_zeros_but_still_propagates_nan() -> None:
    w, x, b = Value(-0.5), Value(2.0), Value(0.25)
    out = mg.linear([w], [x.exp()], b).relu() + mg.linear([Value(1.0)], [3.0], Value(0.0))
    out.backward()
    assert (w.grad, x.grad, b.grad) == (0.0, 0.0, 0.0)  # the ReLU is off: every gradient is an exact zero
    w, x = Value(-0.5), Value(math.inf)
    dead = mg.linear([w], [x * 1.0], Value(0.0)).relu()  # -inf: off, but 0 · inf is nan, as PyTorch gives
    dead.backward()
    assert math.isnan(w.grad) and x.grad == 0.0
    w = Value(-0.5)
    const = mg.linear([w], [math.inf]).relu()
    const.backward()
    assert math.isnan(w.grad)


def test_sum_squares_is_one_node() -> None:
    a, b = Value(3.0), Value(-2.0)
    s = mg.sum_squares([a, b * a, 0.5])  # numbers are folded into the data
    assert type(s).__name__ == "SumSquares" and s._op == "Σ x²" and len(s._prev) == 2 and s._prev[0] is a
    assert s.data == 9.0 + 36.0 + 0.25
    s.backward()
    assert (a.grad, b.grad) == (2 * 3.0 + 2 * (-6.0) * -2.0, 2 * (-6.0) * 3.0)
    assert mg.sum_squares([]).data == 0.0
    assert gradcheck(lambda x, y: mg.sum_squares([x, x * y, 2.0]), [0.5, -1.5])
    assert gradgradcheck(lambda x, y: mg.sum_squares([x, x * y, y.tanh()]), [0.5, -1.5])
    with pytest.raises(TypeError, match=r"sum_squares\(terms\) must be a real number .*got str"):
        mg.sum_squares([a, "1"])  # type: ignore[list-item]


def test_logsumexp_is_one_node_whose_partials_are_the_softmax() -> None:
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    out = mg.logsumexp([a, b, c])
    assert type(out).__name__ == "LogSumExp" and out._op == "log Σ exp" and out._prev == (a, b, c)
    assert out.data == pytest.approx(math.log(math.e + math.e**2 + math.e**3), rel=1e-15)
    out.backward()
    total = math.e + math.e**2 + math.e**3
    assert [a.grad, b.grad, c.grad] == pytest.approx([math.e / total, math.e**2 / total, math.e**3 / total], rel=1e-15)
    assert a.grad + b.grad + c.grad == pytest.approx(1.0, rel=1e-15)
    big = [Value(1000.0), Value(999.0)]  # no overflow: shifted by the largest term
    lse = mg.logsumexp(big)
    assert lse.data == pytest.approx(1000.0 + math.log1p(math.exp(-1.0)), rel=1e-15)
    lse.backward()
    assert big[0].grad == pytest.approx(1.0 / (1.0 + math.exp(-1.0)), rel=1e-15)
    constant = mg.logsumexp([a, 0.0])  # a plain number becomes a constant leaf
    assert constant._prev[0] is a and constant._prev[1].data == 0.0 and not constant._prev[1]._prev
    assert mg.logsumexp([]).data == -math.inf and mg.logsumexp([-math.inf, Value(-math.inf)]).data == -math.inf
    assert mg.logsumexp([1.0, math.inf]).data == math.inf and math.isnan(mg.logsumexp([1.0, math.nan]).data)
    assert gradcheck(lambda x, y: mg.logsumexp([x, x * y, 2.0]), [0.5, -1.5])
    assert gradgradcheck(lambda x, y: mg.logsumexp([x, x * y, y.tanh()]), [0.5, -1.5])
    (d2,) = gradients(gradients(mg.logsumexp([a, b]), [a], create_graph=True)[0], [a])
    p = 1.0 / (1.0 + math.e)  # softmax of a against b; d p / d a = p (1 - p)
    assert d2.data == pytest.approx(p * (1.0 - p), rel=1e-14)
    with pytest.raises(TypeError, match=r"logsumexp\(terms\) must be a real number .*got str"):
        mg.logsumexp([a, "1"])  # type: ignore[list-item]


# -- micrograd compatibility ---------------------------------------------------------------------------
def test_karpathys_lecture_neuron() -> None:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    assert o.data == pytest.approx(math.sqrt(0.5), rel=1e-15)
    assert x1.grad == pytest.approx(-1.5, rel=1e-12) and w1.grad == pytest.approx(1.0, rel=1e-12)
    assert x2.grad == pytest.approx(0.5, rel=1e-12) and w2.grad == 0.0 and b.grad == pytest.approx(0.5, rel=1e-12)


def test_micrograds_own_tests_give_micrograds_numbers() -> None:
    micrograd = pytest.importorskip("micrograd.engine", reason="micrograd is not installed (pip install micrograd)")
    ours, theirs = Value(-4.0), micrograd.Value(-4.0)
    y, y_mg = micrograd_cases.sanity(ours), micrograd_cases.sanity(theirs)
    y.backward()
    y_mg.backward()
    assert (y.data, ours.grad) == (y_mg.data, theirs.grad) == (-20.0, 46.0)
    a, b = Value(-4.0), Value(2.0)
    a_mg, b_mg = micrograd.Value(-4.0), micrograd.Value(2.0)
    g, g_mg = micrograd_cases.more_ops(a, b), micrograd_cases.more_ops(a_mg, b_mg)
    g.backward()
    g_mg.backward()
    assert g.data == pytest.approx(g_mg.data, rel=1e-13)
    assert a.grad == pytest.approx(a_mg.grad, rel=1e-13) and b.grad == pytest.approx(b_mg.grad, rel=1e-13)
    assert g.data == pytest.approx(24.70408163265306, rel=1e-13)
    assert a.grad == pytest.approx(138.83381924198252, rel=1e-13) and b.grad == pytest.approx(
        645.5772594752186, rel=1e-13
    )
