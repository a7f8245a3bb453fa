"""Loss functions on Values: one prediction and its target, or a batch of them (averaged by default).

Class labels are integers: 0 and 1 for two classes (`hinge` also accepts micrograd's -1 and +1),
0..k-1 for k classes. Each loss matches its PyTorch counterpart (see tests/test_losses.py):

| here | PyTorch |
| --- | --- |
| `mse(pred, target)` | `F.mse_loss` |
| `hinge(score, label)` | `F.relu(1 - y * score).mean()` with y = ±1 (micrograd's max-margin loss) |
| `binary_cross_entropy(logit, label)` | `F.binary_cross_entropy_with_logits` |
| `cross_entropy(scores, label)` | `F.cross_entropy` |
| `l2(params, alpha)` | `alpha * sum((p ** 2).sum() for p in params)` |
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Literal

from .engine import Operand, Value
from .fused import logsumexp, sum_squares
from .fused import sum as vsum

__all__ = ["binary_cross_entropy", "cross_entropy", "hinge", "l2", "mse"]

Reduction = Literal["mean", "sum"]
Prediction = Operand | Sequence[Operand]
Target = float | Sequence[float]


def mse(pred: Prediction, target: Target, reduction: Reduction = "mean") -> Value:
    """Mean (or sum) of squared errors (p - t)²."""
    terms = []
    for p, t in _pairs(pred, target, "mse"):
        d = p - t
        terms.append(d * d)
    return _reduce(terms, reduction)


def hinge(score: Prediction, label: Target, reduction: Reduction = "mean") -> Value:
    """Max-margin loss max(0, 1 - y·score), y = +1 for label 1 and -1 for label 0 or -1."""
    terms = []
    for s, y in _pairs(score, label, "hinge"):
        if y not in (-1, 0, 1):
            raise ValueError(f"hinge: labels must be 0 or 1 (or -1 and 1), got {y!r}")
        sign = 1.0 if y == 1 else -1.0
        terms.append((1.0 - sign * s).relu())
    return _reduce(terms, reduction)


def binary_cross_entropy(logit: Prediction, label: Target, reduction: Reduction = "mean") -> Value:
    """Cross-entropy of sigmoid(logit) against a label in [0, 1], computed stably from the logit."""
    terms = []
    for z, y in _pairs(logit, label, "binary_cross_entropy"):
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"binary_cross_entropy: labels must be in [0, 1] (0 and 1 for classes), got {y!r}")
        if z.data >= 0:  # log(1 + e^-z) + (1 - y) z: no overflow for large z
            terms.append(((-z).exp() + 1.0).log() + (1.0 - y) * z)
        else:  # log(1 + e^z) - y z: no overflow for very negative z
            terms.append((z.exp() + 1.0).log() - y * z)
    return _reduce(terms, reduction)


def cross_entropy(
    scores: Sequence[Operand] | Sequence[Sequence[Operand]],
    label: int | Sequence[int],
    reduction: Reduction = "mean",
) -> Value:
    """-log softmax(scores)[label]: class scores (logits) of one sample, or of a batch with a label each."""
    if _is_label(label):
        batch: Sequence[Sequence[Operand]] = [scores]  # type: ignore[list-item]
        labels: Sequence[int] = [label]  # type: ignore[list-item]
    else:
        batch, labels = scores, label  # type: ignore[assignment]
        _same_length(batch, labels, "cross_entropy")
    terms = []
    for row, y in zip(batch, labels):
        if isinstance(row, (Value, numbers.Real)) or len(row) < 2:
            raise TypeError(f"cross_entropy: scores must be a list of at least 2 class scores, got {row!r:.60}")
        if not _is_label(y) or not 0 <= y < len(row):
            raise ValueError(f"cross_entropy: label must be a class index in 0..{len(row) - 1}, got {y!r:.60}")
        vs = [_value(s) for s in row]
        terms.append(logsumexp(vs) - vs[y])  # one node for log Σ exp, computed without overflow
    return _reduce(terms, reduction)


def l2(params: Iterable[Value] | object, alpha: float = 1.0) -> Value:
    """L2 regularisation alpha · Σ p² over parameters (a list of Values, or a Module)."""
    ps = params.parameters() if hasattr(params, "parameters") else params
    if not isinstance(ps, Iterable):
        raise TypeError(f"l2(params) must be a Module or a list of Values, got {type(params).__name__}")
    ps = list(ps)
    for p in ps:
        if not isinstance(p, Value):
            raise TypeError(f"l2(params) must contain Values, got {type(p).__name__}: {p!r:.60}")
    return sum_squares(ps) * alpha


# -- helpers ----------------------------------------------------------------------------------------
def _pairs(pred: Prediction, target: Target, where: str) -> list[tuple[Value, float]]:
    """(prediction, target) pairs from one of each or two equally long sequences."""
    if not isinstance(pred, Sequence):
        return [(_value(pred), _number(target, where))]
    if isinstance(target, numbers.Real) or not isinstance(target, Sequence):
        raise TypeError(f"{where}: a list of predictions needs a list of targets, got {type(target).__name__}")
    _same_length(pred, target, where)
    return [(_value(p), _number(t, where)) for p, t in zip(pred, target)]


def _same_length(a: Sequence[object], b: Sequence[object], where: str) -> None:
    if len(a) != len(b):
        raise ValueError(f"{where}: {len(a)} predictions but {len(b)} targets; they must match")
    if not a:
        raise ValueError(f"{where}: got an empty batch")


def _value(x: object) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(x)
    raise TypeError(f"predictions must be Values or numbers, got {type(x).__name__}: {x!r:.60}")


def _number(t: object, where: str) -> float:
    if isinstance(t, numbers.Real) and not isinstance(t, bool):
        return float(t)
    raise TypeError(f"{where}: targets must be numbers, got {type(t).__name__}: {t!r:.60}")


def _is_label(y: object) -> bool:
    return isinstance(y, numbers.Integral) and not isinstance(y, bool)


def _reduce(terms: list[Value], reduction: str) -> Value:
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r:.60}")
    if len(terms) == 1:  # one sample: its loss is the whole graph, with no sum or mean node on top
        return terms[0]
    if reduction == "mean":
        return vsum(terms) / len(terms)
    return vsum(terms)
