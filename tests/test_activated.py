"""A neuron's activation fused into its weighted sum: one node, the same numbers; it comes apart when looked into."""

from __future__ import annotations

import math
import struct

import pytest

import microgradnet as mg
from microgradnet import Value, losses, nn
from microgradnet.engine import ACTIVATIONS, Linear, LinearConst, gradients, linears_each
from microgradnet.engine.activated import Activated
from microgradnet.engine.backward import interior_nodes

ROWS = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [0.0, 0.0, 0.0], [-2.0, 3.0, math.nan]]


def bits(x: float) -> bytes:
    return b"nan" if x != x else struct.pack("<d", x)


def params(seed: int = 0) -> tuple[list[list[Value]], list[Value]]:
    layer = nn.Layer(3, 4, seed=seed)
    layer.neurons[2].b.data = -100.0  # a neuron that is off for every row (ReLU's gradient 0)
    return [n.w for n in layer.neurons], [n.b for n in layer.neurons]


Made = tuple[list[list[Value]], list[list[Value]], list[Value], list[Value]]


def fused_and_plain(name: str, value_inputs: bool) -> Made:
    """The same layer on the same rows, fused and as two nodes per neuron, and the leaves of each."""
    out = []
    for fuse in (True, False):
        ws, bs = params()
        rows = [[Value(x) for x in row] for row in ROWS] if value_inputs else ROWS
        if fuse:
            nodes = linears_each(ws, bs, rows, ACTIVATIONS[name])
        else:
            nodes = [[ACTIVATIONS[name].function(z) for z in row] for row in linears_each(ws, bs, rows)]
        inputs = [x for r in rows for x in r if isinstance(x, Value)]
        out.append((nodes, [p for w, b in zip(ws, bs) for p in (*w, b)] + inputs))
    (fused, leaves), (plain, plain_leaves) = out
    return fused, plain, leaves, plain_leaves


@pytest.mark.parametrize("value_inputs", [True, False])
@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_one_node_per_neuron_and_the_same_numbers_bit_for_bit(name: str, value_inputs: bool) -> None:
    fused, plain, leaves, plain_leaves = fused_and_plain(name, value_inputs)
    assert all(isinstance(v, Activated) for row in fused for v in row)
    assert [bits(v.data) for row in fused for v in row] == [bits(v.data) for row in plain for v in row]
    loss = mg.sum([v * v for row in fused for v in row])
    plain_loss = mg.sum([v * v for row in plain for v in row])
    assert len(interior_nodes(loss)) < len(interior_nodes(plain_loss)) - len(ROWS) * 4 + 1  # half the layer's nodes
    loss.backward()
    plain_loss.backward()
    assert [bits(p.grad) for p in leaves] == [bits(p.grad) for p in plain_leaves]
    assert all(isinstance(v, Activated) for row in fused for v in row)  # backward does not unfuse


EDGE_ROWS = [[1.0, -math.inf, 0.0], [math.inf, 0.0, 0.0], [math.nan, 0.0, 0.0], [0.0, 0.0, 0.0], [-0.0, -0.0, 0.0]]


@pytest.mark.parametrize("g", [math.inf, -math.inf, math.nan, 0.0, -0.0, 2.0])
@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_infinite_nan_and_zero_gradients_and_sums_pass_as_without_fusion(name: str, g: float) -> None:
    # ReLU's fused step writes its rule out (a masked neuron passes nothing, not g * 0): the same bits as its node
    grads, z_grads = [], []
    for fuse in (True, False):
        ws, bs = params()
        rows = [[Value(x) for x in row] for row in EDGE_ROWS]
        zs = linears_each(ws, bs, rows, ACTIVATIONS[name] if fuse else None)
        nodes = zs if fuse else [[ACTIVATIONS[name].function(z) for z in row] for row in zs]
        mg.sum([v * g for row in nodes for v in row]).backward()
        grads.append([bits(p.grad) for p in (*[w for n in ws for w in n], *bs, *[x for r in rows for x in r])])
        z_grads.append([bits(v.parents[0].grad) for row in nodes for v in row])  # the fused nodes come apart
    assert grads[0] == grads[1]
    assert z_grads[0] == z_grads[1]


@pytest.mark.parametrize("name", ["relu", "tanh", "leaky_relu"])
def test_looking_into_a_node_unfuses_it_with_the_grads_it_would_have(name: str) -> None:
    fused, plain, _, _ = fused_and_plain(name, True)
    (mg.sum([v * 2.0 for row in fused for v in row])).backward()
    (mg.sum([v * 2.0 for row in plain for v in row])).backward()
    for got, want in zip([v for row in fused for v in row], [v for row in plain for v in row]):
        (z,) = got.parents  # it comes apart: the activation's own node over a weighted sum of its own
        assert not isinstance(got, Activated) and isinstance(got, type(want))  # with the slot it had
        assert type(z) is Linear and [p.data for p in z.parents] == [p.data for p in want.parents[0].parents]
        assert (bits(z.data), bits(z.grad)) == (bits(want.parents[0].data), bits(want.parents[0].grad))
        assert got.describe() == want.describe()._replace(parents=(z,))
    again = mg.sum([v * 2.0 for row in fused for v in row])  # an unfused graph takes part as any other
    again.backward()


def test_drawings_show_the_activation_and_its_weighted_sum() -> None:
    model = nn.MLP(2, [2, 1], seed=1)
    out = model([1.0, -2.0])
    out.backward()
    tree = mg.draw_tree(out).splitlines()
    assert tree[3].startswith("├─ x0: ReLU  data 0  grad ")
    assert tree[4].startswith("│  └─ Σ w·x + b (n = 2, x = (1, -2))")
    assert tree[4].endswith("grad 0")  # a ReLU that is off passes no gradient to its weighted sum
    assert tree[7:9] == ["│     └─ b: leaf  data 0  grad 0", f"├─ x1: ReLU  data 2.611  grad {tree[8].split()[-1]}"]
    h = model.layers[0]([1.0, -2.0])[0]
    assert isinstance(h, Activated) and type(h._prev[0]) is LinearConst and not isinstance(h, Activated)


def test_gradients_to_any_order_unfuse_first() -> None:
    x = [Value(0.3), Value(-0.7)]
    layer = nn.Layer(2, 3, activation="tanh", seed=2)
    out = mg.sum([h * h for h in layer(x)])
    zs = linears_each([n.w for n in layer.neurons], [n.b for n in layer.neurons], [x])[0]
    plain = mg.sum([h * h for h in [z.tanh() for z in zs]])
    first = gradients(out, x, create_graph=True)
    want = gradients(plain, x, create_graph=True)
    assert [g.data for g in first] == [g.data for g in want]
    assert gradients(first[0], x)[1].data == pytest.approx(gradients(want[0], x)[1].data, rel=1e-15)


def test_no_grad_makes_leaves_and_an_unfused_node_made_under_no_grad_is_still_a_node() -> None:
    ws, bs = params()
    with mg.no_grad():
        assert all(type(v) is Value for v in linears_each(ws, bs, ROWS, ACTIVATIONS["relu"])[0])
    h = linears_each(ws, bs, [[Value(1.0)] * 3], ACTIVATIONS["sigmoid"])[0][0]
    with mg.no_grad():
        (z,) = h.parents
    assert type(z) is Linear and z.data == h.parents[0].data


def test_a_network_trains_to_the_same_numbers_fused_or_not() -> None:
    X, y = mg.datasets.make_moons(30, noise=0.1, seed=3)
    model = nn.MLP(2, [8, 8, 1], seed=3)
    loss = losses.hinge(model(X), y) + losses.l2(model, 1e-4)
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    for p in model.parameters():
        p.grad = 0.0
    rows = [[Value(a), Value(b)] for a, b in X]  # every node looked into: all unfused
    outs = model(rows)
    loss2 = losses.hinge(outs, y) + losses.l2(model, 1e-4)
    for node in interior_nodes(loss2):
        node.describe()
    loss2.backward()
    assert [p.grad for p in model.parameters()] == pytest.approx(grads, rel=1e-13, abs=1e-16)  # summed in another order


def test_a_layer_on_sparse_rows_applies_its_activation() -> None:
    """Rows that take the sparse path (mostly zeros) get their activation too, as its own node."""
    layer = nn.Layer(32, 3, seed=4)
    row = [0.0] * 32
    row[3], row[17] = 2.0, -1.5
    outs = layer([row, row])[0]
    for out, n in zip(outs, layer.neurons):
        z = sum((w.data * x for w, x in zip(n.w, row)), n.b.data)
        assert out.data == max(z, 0.0) and out.describe().op == "ReLU"
