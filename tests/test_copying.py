"""pickle and copy.deepcopy of Values and their graphs: every kind of node, graphs 10⁵ ops deep, shared
nodes kept shared, no reference cycles, and a graph sent to a spawned worker process."""

from __future__ import annotations

import copy
import gc
import math
import multiprocessing
import pickle
from collections.abc import Callable
from typing import Any

import pytest

import microgradnet as mg
from microgradnet import OPS, Value, gradients, losses, nn


def grads_of(out: Value, leaves: list[Value]) -> list[float]:
    return [g.data for g in gradients(out, leaves)]


def every_kind_of_node() -> tuple[Value, list[Value]]:
    """A graph with a node of every op of the table in each of its classes, and the fused nodes."""
    a, b = Value(0.7, label="a"), Value(1.3, label="b")
    terms = []
    for op in OPS.values():
        if op.arity == 1:
            terms.append(op.function(a))
        else:
            f = op.function
            terms += [f(a, b), f(a, 0.5), f(0.5, b)]
    model = nn.MLP(2, [3, 1], seed=0)
    scores = model([[a, b], [b, a]])  # Linear nodes sharing an input row, over leaf parameters
    first = model.layers[0]([0.5, -0.5])  # LinearConst nodes: plain-number inputs
    fused = [
        mg.sum(terms),
        mg.sum_squares([a, b]),
        mg.logsumexp([a, b * 2.0]),
        mg.linear([a * 1.0, b], [b, a], a),  # LinearComputed: a computed weight
        losses.mse(scores, [0.5, -1.0]),
        losses.hinge(scores, [1, 0]),
        losses.binary_cross_entropy_with_logits(scores, [1, 0]),
        losses.binary_cross_entropy([s.sigmoid() for s in scores], [1, 0]),
        losses.cross_entropy([[s, s * 2.0] for s in scores], [0, 1]),
        *first,
    ]
    return mg.sum(fused), [a, b, *model.parameters()]


def test_every_kind_of_node_pickles_and_copies() -> None:
    out, leaves = every_kind_of_node()
    out.backward()
    expected = grads_of(out, leaves)
    for restored in (pickle.loads(pickle.dumps((out, leaves))), copy.deepcopy((out, leaves))):
        out2, leaves2 = restored
        assert out2.data == out.data and out2.grad == out.grad
        assert [type(v) for v in _nodes(out2)] == [type(v) for v in _nodes(out)]
        assert [(v.data, v.grad, v.label) for v in _nodes(out2)] == [(v.data, v.grad, v.label) for v in _nodes(out)]
        assert grads_of(out2, leaves2) == expected  # the leaves in the list are the ones in the graph
        assert mg.draw_tree(out2, max_nodes=10**4) == mg.draw_tree(out, max_nodes=10**4)


def _nodes(root: Value) -> list[Value]:
    order, seen, stack = [], {root}, [root]
    while stack:
        v = stack.pop()
        order.append(v)
        for p in v.parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return order


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_graph_10_to_the_5_ops_deep(how: str) -> None:
    x, y = Value(0.5, label="x"), Value(1.00001, label="y")
    v = x
    for i in range(10**5):  # 10⁵ ops, each over the one before: pickle and deepcopy recurse once per op
        v = v * y if i % 2 else v + x
    restore: Callable[[Any], Any] = (lambda o: pickle.loads(pickle.dumps(o))) if how == "pickle" else copy.deepcopy
    v2, x2, y2 = restore((v, x, y))
    assert v2.data == v.data and (x2.label, y2.label) == ("x", "y")
    v.backward()
    v2.backward()
    assert (x2.grad, y2.grad) == (x.grad, y.grad)
    assert v2.grad == 1.0 and math.isfinite(x2.grad)
    del v, v2
    assert gc.collect() == 0  # no reference cycles: the copies were freed by reference counting alone


def test_values_saved_together_stay_shared() -> None:
    model = nn.MLP(2, [4, 1], seed=1)
    X, y = [[0.5, 1.0], [-1.0, 0.3]], [1, 0]
    hidden = model.layers[0]([0.5, 1.0])
    loss = losses.hinge(model(X), y)
    saved = (model, loss, hidden)
    for model2, loss2, hidden2 in (pickle.loads(pickle.dumps(saved)), copy.deepcopy(saved)):
        assert set(model2.parameters()) & set(model.parameters()) == set()  # copies ...
        loss2.backward()
        loss.backward()
        assert [p.grad for p in model2.parameters()] == [p.grad for p in model.parameters()]  # ... that are its own
        for p in model.parameters():
            p.grad = 0.0
        assert [h.data for h in hidden2] == [h.data for h in hidden]


def test_a_shallow_copy_shares_the_graph() -> None:
    x = Value(2.0)
    y = (x * 3.0).exp()
    z = copy.copy(y)
    assert type(z) is type(y) and z is not y and z.parents == y.parents and z.data == y.data
    z.backward()
    assert x.grad == pytest.approx(3 * math.exp(6.0))
    leaf = copy.copy(Value(1.5, label="w"))
    assert (leaf.data, leaf.label, leaf.parents) == (1.5, "w", ())


def test_an_op_added_with_defop_pickles_and_loads_where_it_is_defined(forget_new_ops: Any) -> None:
    softplus = mg.defop("softplus", lambda x: math.log1p(math.exp(x)), lambda out, x: mg.sigmoid(x))
    x = Value(0.5)
    data = pickle.dumps(softplus(x) * 2.0)
    y = pickle.loads(data)
    assert y.data == pytest.approx(2 * math.log1p(math.exp(0.5)))
    y.backward()
    assert y.parents[0].parents[0].grad == pytest.approx(2 * mg.sigmoid(0.5))
    OPS.pop("softplus")
    delattr(Value, "softplus")
    with pytest.raises(ValueError, match=r"op 'softplus': no op of that name is defined in this process; define it"):
        pickle.loads(data)


def test_a_lecture_node_says_why_it_cannot_be_pickled() -> None:
    x = Value(1.0)
    out = Value(2.0, (x,), "double")
    out._backward = lambda: None
    message = r"cannot pickle or copy the node 'double': it was made with micrograd's Value\(data, _children, _op\)"
    with pytest.raises(TypeError, match=message):
        pickle.dumps(out * 2.0)
    with pytest.raises(TypeError, match=message):
        copy.deepcopy(out)


def _backward_in_worker(out: Value, leaves: list[Value]) -> list[float]:
    out.backward()
    return [v.grad for v in leaves]


def test_a_graph_reaches_a_spawned_worker() -> None:
    out, leaves = every_kind_of_node()
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        found = pool.apply(_backward_in_worker, (out, leaves))
    out.backward()
    assert found == [v.grad for v in leaves]
