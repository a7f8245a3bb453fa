"""Losses: values and gradients against PyTorch's, stability at extreme scores, and input checks."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from microgradnet import Value
from microgradnet.fused import LogSumExp, Sum, SumSquares
from microgradnet.losses import binary_cross_entropy, cross_entropy, hinge, l2, mse
from microgradnet.nn import MLP

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
        lambda vs: binary_cross_entropy(vs, labels),
        lambda s: F.binary_cross_entropy_with_logits(s, t),
        SCORES,
    )
    assert math.isfinite(loss.data) and all(math.isfinite(g) for g in grads)  # scores of ±800 overflow naively


def test_binary_cross_entropy_gradient_at_zero_is_sigmoid_minus_label() -> None:
    z = Value(0.0)
    binary_cross_entropy(z, 1).backward()
    assert z.grad == -0.5


@pytest.mark.parametrize("z", [13.0, 40.0, 700.0])
def test_binary_cross_entropy_gradient_keeps_full_precision_for_confident_scores(z: float) -> None:
    v, w = Value(z), Value(-z)
    right = binary_cross_entropy(v, 1)  # confidently right: loss = log(1 + e^-z), gradient -e^-z / (1 + e^-z)
    right.backward()
    assert right.data == pytest.approx(math.log1p(math.exp(-z)), rel=0, abs=1e-16)  # as PyTorch: log(1 + tiny)
    assert v.grad == pytest.approx(-math.exp(-z) / (1 + math.exp(-z)), rel=1e-14, abs=0)
    wrong = binary_cross_entropy(w, 1)  # confidently wrong: loss = z + log(1 + e^-z), gradient -1/(1 + e^-z)
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
    with pytest.raises(ValueError, match=r"binary_cross_entropy: labels must be in \[0, 1\].*got -1"):
        binary_cross_entropy(v, [1, -1])
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
