"""Losses: values and gradients against PyTorch's, stability at extreme scores, and input checks."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

import microgradnet as mg
import microgradnet.render
from microgradnet import Value, draw_tree, gradients, sigmoid
from microgradnet.engine import LogSumExp, Sum, SumSquares
from microgradnet.engine.backward import interior_nodes
from microgradnet.functional import grad
from microgradnet.losses import (
    BCE,
    MSE,
    BCEWithLogits,
    Hinge,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge,
    l2,
    mse,
)
from microgradnet.nn import MLP
from microgradnet.testing import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
F = torch.nn.functional

SCORES = [2.5, -0.7, 0.0, 13.0, -40.0, 1.0, -1.0, 800.0, -800.0]


def ours_and_torch(
    ours: Callable[[list[Value]], Value], theirs: Callable[[Any], Any], data: list[float]
) -> tuple[Value, list[float], Any]:
    """Evaluate both losses on the same numbers; returns our loss, our gradients and torch's loss tensor."""
    vs = [Value(x) for x in data]
    loss = ours(vs)
    loss.backward()
    t = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    expected = theirs(t)
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-300)
    # abs: PyTorch's own gradients lose about 1e-16 absolute where they subtract (sigmoid(z) - y for large z)
    assert [v.grad for v in vs] == pytest.approx(t.grad.tolist(), rel=1e-12, abs=1e-16)
    return loss, [v.grad for v in vs], expected


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mse_matches_pytorch(reduction: str) -> None:
    targets = [1.0, -2.0, 0.5, 3.0, 0.0, 1.0, -1.0, 799.0, -801.0]
    t = torch.tensor(targets, dtype=torch.float64)
    ours_and_torch(
        lambda vs: mse(vs, targets, reduction=reduction),  # type: ignore[arg-type]
        lambda s: F.mse_loss(s, t, reduction=reduction),
        SCORES,
    )


def test_hinge_matches_micrograds_max_margin_loss_with_0_1_or_pm1_labels() -> None:
    labels01 = [1, 0, 1, 1, 0, 0, 1, 0, 1]
    pm = torch.tensor([1.0 if y == 1 else -1.0 for y in labels01], dtype=torch.float64)
    theirs = lambda s: F.relu(1 - pm * s).mean()  # noqa: E731
    a, grads01, _ = ours_and_torch(lambda vs: hinge(vs, labels01), theirs, SCORES)
    b, grads_pm, _ = ours_and_torch(lambda vs: hinge(vs, pm.tolist()), theirs, SCORES)
    assert a.data == b.data and grads01 == grads_pm
    # micrograd's own formula, term for term
    vs = [Value(x) for x in SCORES]
    micrograd = sum((1 + -float(y) * s).relu().data for y, s in zip(pm.tolist(), vs)) / len(vs)
    assert a.data == pytest.approx(micrograd, rel=1e-15)


@pytest.mark.parametrize("labels", [[1, 0, 1, 1, 0, 0, 1, 0, 1], [0.3, 1.0, 0.0, 0.5, 0.9, 0.1, 1, 0, 0.5]])
def test_binary_cross_entropy_matches_pytorch_and_is_stable(labels: list[float]) -> None:
    t = torch.tensor(labels, dtype=torch.float64)
    loss, grads, _ = ours_and_torch(
        lambda vs: binary_cross_entropy_with_logits(vs, labels),
        lambda s: F.binary_cross_entropy_with_logits(s, t),
        SCORES,
    )
    assert math.isfinite(loss.data) and all(math.isfinite(g) for g in grads)  # scores of ±800 overflow naively


def test_binary_cross_entropy_gradient_at_zero_is_sigmoid_minus_label() -> None:
    z = Value(0.0)
    binary_cross_entropy_with_logits(z, 1).backward()
    assert z.grad == -0.5


@pytest.mark.parametrize("z", [13.0, 40.0, 700.0])
def test_binary_cross_entropy_gradient_keeps_full_precision_for_confident_scores(z: float) -> None:
    v, w = Value(z), Value(-z)
    right = binary_cross_entropy_with_logits(
        v, 1
    )  # confidently right: loss = log(1 + e^-z), gradient -e^-z / (1 + e^-z)
    right.backward()
    assert right.data == pytest.approx(math.log1p(math.exp(-z)), rel=0, abs=1e-16)  # as PyTorch: log(1 + tiny)
    assert v.grad == pytest.approx(-math.exp(-z) / (1 + math.exp(-z)), rel=1e-14, abs=0)
    wrong = binary_cross_entropy_with_logits(
        w, 1
    )  # confidently wrong: loss = z + log(1 + e^-z), gradient -1/(1 + e^-z)
    wrong.backward()
    assert wrong.data == pytest.approx(z + math.log1p(math.exp(-z)), rel=1e-15)
    assert w.grad == pytest.approx(-1 / (1 + math.exp(-z)), rel=1e-15)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_matches_pytorch_on_a_batch(reduction: str) -> None:
    rows = [[2.0, -1.0, 0.5], [1000.0, 999.0, -1000.0], [-750.0, -760.0, -745.0], [0.0, 0.0, 0.0]]
    labels = [0, 1, 2, 1]
    flat = [x for row in rows for x in row]
    ours_and_torch(
        lambda vs: cross_entropy([vs[i : i + 3] for i in range(0, len(vs), 3)], labels, reduction=reduction),  # type: ignore[arg-type]
        lambda s: F.cross_entropy(s.view(4, 3), torch.tensor(labels), reduction=reduction),
        flat,
    )


def test_cross_entropy_of_one_sample() -> None:
    scores = [0.5, 2.0, -1.0, 0.0]
    ours_and_torch(
        lambda vs: cross_entropy(vs, 1),
        lambda s: F.cross_entropy(s.view(1, 4), torch.tensor([1])),
        scores,
    )


def test_cross_entropy_is_two_nodes_per_sample() -> None:
    scores = [Value(1.0), Value(2.0), Value(3.0)]
    loss = cross_entropy(scores, 2)  # one sample: no mean node on top
    lse = loss._prev[0]
    assert loss._op == "-" and loss._prev == (lse, scores[2])
    assert type(lse) is LogSumExp and lse._prev == tuple(scores)
    batch = cross_entropy([scores, scores[::-1]], [2, 0])
    assert type(batch._prev[0]) is Sum and all(type(t._prev[0]) is LogSumExp for t in batch._prev[0]._prev)


def test_l2_matches_pytorch_and_accepts_a_module() -> None:
    params = [0.5, -2.0, 3.0, 0.0]
    ours_and_torch(lambda vs: l2(vs, 1e-4), lambda t: 1e-4 * (t**2).sum(), params)
    mlp = MLP(2, [3, 1], seed=0)
    assert l2(mlp).data == pytest.approx(sum(p.data**2 for p in mlp.parameters()), rel=1e-14)
    reg = l2(mlp, 1e-4)
    assert reg._op == "*" and reg._arg == 1e-4  # alpha times one node over all the parameters
    assert type(reg._prev[0]) is SumSquares and reg._prev[0]._prev == tuple(mlp.parameters())


def test_single_values_and_plain_numbers() -> None:
    assert mse(Value(3.0), 1.0).data == 4.0
    assert mse(3.0, 1).data == 4.0
    assert hinge(Value(0.25), 1).data == 0.75
    assert hinge(Value(0.25), -1).data == 1.25


def test_bad_inputs_are_explained() -> None:
    v = [Value(1.0), Value(2.0)]
    with pytest.raises(ValueError, match="mse: 2 predictions but 3 targets; they must match"):
        mse(v, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="hinge: got an empty batch"):
        hinge([], [])
    with pytest.raises(ValueError, match=r"hinge: labels must be 0 or 1 \(or -1 and 1\), got 2"):
        hinge(v, [1, 2])
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: labels must be in \[0, 1\].*got -1"):
        binary_cross_entropy_with_logits(v, [1, -1])
    with pytest.raises(ValueError, match=r"cross_entropy: label must be a class index in 0..1, got 2"):
        cross_entropy(v, 2)
    with pytest.raises(ValueError, match=r"cross_entropy: label must be a class index in 0..1, got 1.0"):
        cross_entropy([v], [1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="cross_entropy: scores must be a list of at least 2 class scores"):
        cross_entropy(v, [0, 1])
    with pytest.raises(TypeError, match="mse: a list of predictions needs a list of targets, got float"):
        mse(v, 1.0)
    with pytest.raises(TypeError, match="mse: targets must be numbers, got str"):
        mse(v, ["a", "b"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="predictions must be Values or numbers, got str"):
        mse(["a"], [1.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum', got 'none'"):
        mse(v, [1.0, 2.0], reduction="none")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"l2\(params\) must contain Values, got float"):
        l2([1.0])  # type: ignore[list-item]


# -- the fused loss nodes: one node per batch ----------------------------------------------------------
FUSED = [
    (mse, MSE, "MSE"),
    (hinge, Hinge, "hinge"),
    (binary_cross_entropy, BCE, "BCE"),
    (binary_cross_entropy_with_logits, BCEWithLogits, "BCE with logits"),
]
TORCH_LOSSES: dict[Any, Callable[[Any, Any, str], Any]] = {
    mse: lambda s, t, r: F.mse_loss(s, t, reduction=r),
    hinge: lambda s, t, r: getattr(F.relu(1 - torch.where(t == 1, 1.0, -1.0) * s), r)(),
    binary_cross_entropy: lambda p, t, r: F.binary_cross_entropy(p, t, reduction=r),
    binary_cross_entropy_with_logits: lambda s, t, r: F.binary_cross_entropy_with_logits(s, t, reduction=r),
}
ALL_FUSED = [loss for loss, _, _ in FUSED]


def random_batch(loss: Any, n: int, seed: int, moderate: bool = False) -> tuple[list[float], list[float]]:
    """n predictions over several scales and targets that suit `loss` (moderate: probabilities in [0.05, 0.95])."""
    rng = random.Random(seed)
    preds = [rng.gauss(0.0, 1.0) * 10.0 ** rng.randint(-2, 2) for _ in range(n)]
    if loss is binary_cross_entropy:  # probabilities, from the middle out to 0 and 1 themselves
        edges = [0.0, 1.0, 10.0 ** -rng.randint(1, 60), 1.0 - 10.0 ** -rng.randint(1, 16)]
        preds = [0.05 + 0.9 * rng.random() if moderate else rng.choice([rng.random(), *edges]) for _ in range(n)]
    if loss is mse:
        return preds, [rng.gauss(0.0, 3.0) for _ in range(n)]
    if loss is hinge:
        return preds, [float(rng.choice([-1, 0, 1])) for _ in range(n)]
    return preds, [rng.choice([0.0, 1.0, rng.random()]) for _ in range(n)]


@pytest.mark.parametrize(("loss", "cls", "symbol"), FUSED)
def test_a_batch_is_one_node_keeping_the_targets(loss: Any, cls: type, symbol: str) -> None:
    scores = [Value(0.01 * i) for i in range(100)]  # probabilities too
    labels = [i % 2 for i in range(100)]
    out = loss(scores, labels)
    assert type(out) is cls and out._op == symbol and out._name == loss.__name__
    assert out._prev == tuple(scores) and interior_nodes(out) == [out]
    targets = [1.0 if y == 1 else -1.0 for y in labels] if loss is hinge else [float(y) for y in labels]
    assert out._arg == (*targets, 100.0)  # the targets, then the divisor of the mean
    assert loss(scores, labels, reduction="sum")._arg[-1] == 1.0
    one = loss(scores[0], labels[0])
    assert type(one) is cls and one._prev == (scores[0],)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("loss", ALL_FUSED)
def test_random_batches_match_pytorch(loss: Any, reduction: str, seed: int) -> None:
    preds, targets = random_batch(loss, 25, seed)
    t = torch.tensor(targets, dtype=torch.float64)
    ours_and_torch(
        lambda vs: loss(vs, targets, reduction=reduction), lambda s: TORCH_LOSSES[loss](s, t, reduction), preds
    )


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("loss", [mse, hinge, binary_cross_entropy_with_logits])
def test_second_derivatives_match_torch_autograd_with_create_graph(loss: Any, reduction: str) -> None:
    preds, targets = random_batch(loss, 6, seed=7)
    preds[0] = 40.0  # a confident score: the BCE's curvature is e^-40-small there, and kept
    vs = [Value(x) for x in preds]
    first = gradients(loss(vs, targets, reduction=reduction) * 3.0, vs, create_graph=True)
    ours = [[h.data for h in gradients(g, vs)] for g in first]
    s = torch.tensor(preds, dtype=torch.float64, requires_grad=True)
    t = torch.tensor(targets, dtype=torch.float64)
    (g,) = torch.autograd.grad(TORCH_LOSSES[loss](s, t, reduction) * 3.0, s, create_graph=True)
    assert [x.data for x in first] == pytest.approx(g.tolist(), rel=1e-12, abs=1e-16)
    scale = 3.0 / (len(preds) if reduction == "mean" else 1)
    for i, z in enumerate(preds):
        (row,) = torch.autograd.grad(g[i], s, retain_graph=True, allow_unused=True, materialize_grads=True)
        # abs: PyTorch's sigmoid'(z) = σ(1 - σ) rounds to 0 once σ(z) rounds to 1 (z = 40); ours is σ(z)σ(-z)
        assert ours[i] == pytest.approx(row.tolist(), rel=1e-12, abs=1e-16)
        curvature = {mse: 2.0, hinge: 0.0, binary_cross_entropy_with_logits: sigmoid(z) * sigmoid(-z)}[loss]
        assert ours[i] == pytest.approx([scale * curvature if j == i else 0.0 for j in range(len(preds))], rel=1e-14)


def test_nested_grad_gives_the_curvature_of_each_loss() -> None:
    assert grad(grad(lambda z: binary_cross_entropy_with_logits(z, 0.3)))(0.7) == pytest.approx(
        math.exp(-0.7) / (1 + math.exp(-0.7)) ** 2, rel=1e-14
    )
    assert grad(grad(lambda z: binary_cross_entropy_with_logits(z, 1)))(700.0) == pytest.approx(
        math.exp(-700.0), rel=1e-12
    )
    assert grad(grad(lambda p: mse([p, p], [1.0, 3.0])))(0.5) == 2.0  # 2·2/2: a Value used twice
    assert grad(grad(lambda s: hinge(s, 1)))(0.25) == 0.0 and grad(lambda s: hinge(s, 1))(0.25) == -1.0


@pytest.mark.parametrize("loss", ALL_FUSED)
def test_gradcheck_and_gradgradcheck(loss: Any) -> None:
    preds, targets = random_batch(loss, 4, seed=3, moderate=True)
    preds = [x if abs(1.0 - abs(x)) > 1e-3 else x + 0.1 for x in preds]  # no hinge margin near its kink
    assert gradcheck(lambda *vs: loss(list(vs), targets), preds)
    assert gradgradcheck(lambda *vs: loss(list(vs), targets, reduction="sum") * 0.5, preds)


def test_hinge_nan_and_infinite_scores_and_the_kink_behave_as_relu_of_the_margin() -> None:
    data = [math.nan, math.inf, -math.inf, 1.0, -1.0, 0.5]
    labels = [1, 0, 1, 1, 0, -1]
    fused = [Value(x) for x in data]
    loss = hinge(fused, labels)
    loss.backward()
    composed = [Value(x) for x in data]  # the composed formula the fused node replaces
    signs = [1.0 if y == 1 else -1.0 for y in labels]
    old = mg.sum([(1.0 - y * s).relu() for s, y in zip(composed, signs)]) / len(data)
    old.backward()
    assert math.isnan(loss.data) and math.isnan(old.data)
    assert [v.grad for v in fused] == [v.grad for v in composed] == [-1 / 6, 1 / 6, -1 / 6, 0.0, 0.0, 1 / 6]
    one = Value(math.nan)
    hinge([one, Value(3.0)], [0, 1]).backward()
    assert one.grad == 0.5  # as torch: relu passes the gradient on at nan


def test_mixed_values_and_plain_numbers_only_the_values_get_gradients() -> None:
    a, b = Value(0.5), Value(-1.5)
    loss = mse([a, 2.0, b, 4], [1.0, 0.0, 0.0, 1.0])
    assert loss._prev == (a, b) and loss._arg == (1.0, 0.0, 4.0)
    assert loss.data == (0.25 + 4.0 + 2.25 + 9.0) / 4
    loss.backward()
    assert (a.grad, b.grad) == (-0.25, -0.75)
    constants = binary_cross_entropy_with_logits([0.0, 800.0], [1, 0], reduction="sum")
    assert constants._prev == () and constants.data == pytest.approx(math.log(2.0) + 800.0, rel=1e-15)
    constants.backward()
    assert hinge([3, -2], [1, -1]).data == 0.0 and gradients(hinge(0.5, 1), []) == ()


def test_no_grad_gives_a_leaf_with_the_loss() -> None:
    vs = [Value(x) for x in SCORES]
    with mg.no_grad():
        for loss in (mse, hinge, binary_cross_entropy_with_logits):
            out = loss(vs, [1] * len(vs))
            assert type(out) is Value and out._prev == () and out.data == loss(SCORES, [1] * len(vs)).data


def test_a_loss_inside_a_larger_graph_and_a_value_used_twice() -> None:
    a, b = Value(2.0), Value(-0.5)
    total = 2.0 * binary_cross_entropy_with_logits([a, b, a], [1, 0, 0.25]) + a * b
    total.backward()
    t = torch.tensor([2.0, -0.5], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.0, 0.0, 0.25], dtype=torch.float64)
    expected = 2.0 * F.binary_cross_entropy_with_logits(t[[0, 1, 0]], y) + t[0] * t[1]
    expected.backward()
    assert total.data == pytest.approx(expected.item(), rel=1e-14)
    assert [a.grad, b.grad] == pytest.approx(t.grad.tolist(), rel=1e-14)


@pytest.mark.parametrize("z", [13.0, 40.0, 700.0])
def test_binary_cross_entropy_value_keeps_full_precision_at_large_logits(z: float) -> None:
    ours = binary_cross_entropy_with_logits([Value(z), Value(-z), Value(z), Value(-z)], [1, 1, 0.5, 0], reduction="sum")
    t = torch.tensor([z, -z, z], dtype=torch.float64)
    theirs = F.binary_cross_entropy_with_logits(t, torch.tensor([1.0, 1.0, 0.5], dtype=torch.float64), reduction="none")
    terms = [binary_cross_entropy_with_logits(Value(x), y).data for x, y in ((z, 1), (-z, 1), (z, 0.5), (-z, 0))]
    assert terms[:3] == pytest.approx(theirs.tolist(), rel=1e-15)  # log(1 + e^-40) = 4.2e-18, not 0
    assert terms[0] == terms[3] == math.log1p(math.exp(-z)) > 0.0  # the label 0 side as precisely
    assert ours.data == pytest.approx(sum(terms), rel=1e-15)


def test_drawings_show_the_fused_loss_and_each_predictions_target() -> None:
    a, b = Value(0.5, label="a"), Value(-2.0, label="b")
    loss = hinge([a, b], [1, 0])
    loss.backward()
    assert draw_tree(loss) == (
        "hinge (mean of 2)  data 0.25  grad 1\n├─ y = 1: a  data 0.5  grad -0.5\n└─ y = -1: b  data -2  grad 0"
    )
    assert draw_tree(mse(a, 2.0)).splitlines()[0] == "MSE (1 sample)  data 2.25  grad 0"
    assert draw_tree(binary_cross_entropy_with_logits([a, b], [0.25, 1], reduction="sum")).splitlines()[1:] == [
        "├─ y = 0.25: a  data 0.5  grad -0.5",
        "└─ y = 1: b  data -2  grad 0",
    ]
    pytest.importorskip("graphviz")
    source = mg.render.draw_dot(loss).source
    assert 'v2op [label=<hinge<br/>mean of 2> height=0.3 margin="0.05,0.03" shape=ellipse tooltip=hinge]' in source
    assert 'v0 -> v2op [label="y = 1"]' in source and 'v1 -> v2op [label="y = -1"]' in source


def test_any_real_numbers_as_targets_and_constant_predictions() -> None:
    a = Value(1.0)
    loss = mse([a, Fraction(1, 2), a], [Fraction(3, 2), 10**400, 0.5], reduction="sum")
    assert loss._arg == (1.5, 0.5, 1.0) and loss.data == math.inf  # an int beyond a float is inf, as in Value(10**400)
    assert gradients(loss, [a])[0].data == (1.0 - 1.5) * 2 + (1.0 - 0.5) * 2
    with pytest.raises(TypeError, match="hinge: targets must be numbers, got bool: True"):
        hinge([a], [True])


def test_binary_cross_entropy_at_infinite_logits() -> None:
    zs = [Value(math.inf), Value(math.inf), Value(math.inf), Value(-math.inf), Value(-math.inf), Value(-math.inf)]
    ys = [0.0, 1.0, 0.5, 0.0, 1.0, 0.5]
    terms = [binary_cross_entropy_with_logits(z, y).data for z, y in zip(zs, ys)]
    # as PyTorch, except that -inf scores cost inf where PyTorch gives nan; nan where the loss is 0 · inf
    assert [str(t) for t in terms] == ["inf", "nan", "inf", "nan", "inf", "inf"]
    binary_cross_entropy_with_logits(zs, ys, reduction="sum").backward()
    assert [z.grad for z in zs] == [1.0, 0.0, 0.5, 0.0, -1.0, -0.5]  # sigmoid(z) - y, as PyTorch


# -- binary_cross_entropy takes probabilities, as PyTorch's and Keras's ------------------------------
def test_binary_cross_entropy_of_a_probability_is_pytorchs_not_the_logits_form() -> None:
    p = Value(0.9)
    assert binary_cross_entropy(p, 1).data == pytest.approx(-math.log(0.9), rel=1e-15)  # 0.105, as the issue's
    expected = F.binary_cross_entropy(torch.tensor(0.9, dtype=torch.float64), torch.tensor(1.0, dtype=torch.float64))
    assert binary_cross_entropy(p, 1).data == expected.item()
    assert binary_cross_entropy_with_logits(p, 1).data == pytest.approx(0.341, abs=5e-4)  # a score of 0.9: another loss


def test_binary_cross_entropy_of_sigmoid_outputs_equals_the_logits_form() -> None:
    scores = [Value(z) for z in (2.5, -0.7, 0.0, 6.0, -3.0)]
    labels = [1, 0, 1, 0.25, 0]
    via_sigmoid = binary_cross_entropy([s.sigmoid() for s in scores], labels)
    direct = binary_cross_entropy_with_logits(scores, labels)
    assert via_sigmoid.data == pytest.approx(direct.data, rel=1e-14)
    ours = [g.data for g in gradients(via_sigmoid, scores)]
    assert ours == pytest.approx([g.data for g in gradients(direct, scores)], rel=1e-13)


def test_binary_cross_entropy_at_0_and_1_clamps_the_log_at_minus_100_as_pytorch() -> None:
    ps = [0.0, 1.0, 0.0, 1.0, 1e-50, 1.0 - 1e-16, 1e-300]
    ys = [1.0, 0.0, 0.0, 1.0, 0.3, 1.0, 1.0]
    vs = [Value(p) for p in ps]
    terms = [binary_cross_entropy(v, y).data for v, y in zip(vs, ys)]
    expected = F.binary_cross_entropy(
        torch.tensor(ps, dtype=torch.float64), torch.tensor(ys, dtype=torch.float64), reduction="none"
    )
    assert terms == expected.tolist() and terms[:4] == [100.0, 100.0, 0.0, 0.0]
    loss = binary_cross_entropy(vs, ys, reduction="sum")
    loss.backward()
    t = torch.tensor(ps, dtype=torch.float64, requires_grad=True)
    F.binary_cross_entropy(t, torch.tensor(ys, dtype=torch.float64), reduction="sum").backward()
    assert [v.grad for v in vs] == t.grad.tolist()  # (p - y) / max(p (1 - p), 1e-12): bit for bit
    assert all(math.isfinite(v.grad) for v in vs)


def test_binary_cross_entropy_second_derivative_is_exact_and_close_to_pytorchs() -> None:
    ps, ys = [0.2, 0.65, 0.93, 0.5], [1.0, 0.0, 0.3, 0.5]
    vs = [Value(p) for p in ps]
    first = gradients(binary_cross_entropy(vs, ys, reduction="sum"), vs, create_graph=True)
    exact = [(p * p - 2 * p * y + y) / (p * p * (1 - p) ** 2) for p, y in zip(ps, ys)]
    s = torch.tensor(ps, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(
        F.binary_cross_entropy(s, torch.tensor(ys, dtype=torch.float64), reduction="sum"), s, create_graph=True
    )
    for i, d in enumerate(first):
        row = [h.data for h in gradients(d, vs)]
        assert row == pytest.approx([exact[i] if j == i else 0.0 for j in range(len(ps))], rel=1e-13)
        (theirs,) = torch.autograd.grad(g[i], s, retain_graph=True)
        assert row == pytest.approx(theirs.tolist(), rel=1e-10)  # PyTorch adds 1e-12 to p and 1 - p here


def test_binary_cross_entropy_refuses_scores_and_points_to_the_logits_form() -> None:
    with pytest.raises(
        ValueError,
        match=r"binary_cross_entropy takes probabilities in \[0, 1\], such as sigmoid outputs, got 2.5 "
        r"\(prediction 1\); for scores \(logits\) use binary_cross_entropy_with_logits",
    ):
        binary_cross_entropy([Value(0.5), Value(2.5)], [1, 0])
    with pytest.raises(ValueError, match=r"got -0.25; for scores"):
        binary_cross_entropy(-0.25, 1)
    with pytest.raises(ValueError, match=r"got nan"):
        binary_cross_entropy(Value(math.nan), 1)  # as PyTorch, which refuses it too
    with pytest.raises(ValueError, match=r"binary_cross_entropy: labels must be in \[0, 1\].*got 2"):
        binary_cross_entropy(Value(0.5), 2)
