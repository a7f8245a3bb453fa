"""Loss functions on Values: one prediction and its target, or a batch of them (averaged by default).

Class labels are integers: 0 and 1 for two classes (`hinge` also accepts micrograd's -1 and +1),
0..k-1 for k classes. Each loss matches its PyTorch counterpart (see tests/test_losses.py):

| here | PyTorch | graph |
| --- | --- | --- |
| `mse(pred, target)` | `F.mse_loss` | one `MSE` node |
| `hinge(score, label)` | `F.relu(1 - y * score).mean()` with y = ±1 (micrograd's max-margin loss) | one `hinge` node |
| `binary_cross_entropy(probability, label)` | `F.binary_cross_entropy` (log clamped at -100) | one `BCE` node |
| `binary_cross_entropy_with_logits(score, label)` | `F.binary_cross_entropy_with_logits` | one `BCE with logits` node |
| `cross_entropy(scores, label)` | `F.cross_entropy` | `log Σ exp` - score per sample, then `Σ`, `/` |
| `l2(params, alpha)` | `alpha * sum((p ** 2).sum() for p in params)` | one `Σ x²` node, times alpha |

The names mean what they mean in PyTorch and Keras: `binary_cross_entropy` takes probabilities (a
sigmoid's outputs) and refuses anything outside [0, 1], pointing to `binary_cross_entropy_with_logits`,
which takes the scores themselves and is exact and stable for any score.

`mse`, `hinge` and both binary cross-entropies are each one node over the whole batch (reduction
included), made through the engine's public door (`FusedNode`): its parents are the predictions
that are Values, its `arg` their targets followed by the divisor (n for the mean, 1 for the sum);
plain-number predictions are constants folded into its data. Each node computes its own partials,
exactly, with a tight float backward step, and names each prediction's target in drawings.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

from .engine import FusedNode, Operand, Value, all_values, logsumexp, sum_squares
from .engine import sum as vsum
from .engine.extend import SourceWriter, atom, series, type_name
from .engine.floats import as_float

__all__ = [
    "BCE",
    "MSE",
    "BCEWithLogits",
    "Hinge",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge",
    "l2",
    "mse",
]

Reduction = Literal["mean", "sum"]
Prediction = Operand | Sequence[Operand]
Target = float | Sequence[float]
_NUMBER = frozenset([float, int])  # targets of these types need no check


class _BatchLoss(FusedNode):
    """A loss over a batch as one node: parents the predictions, arg (t1..tn, divisor)."""

    __slots__ = ()
    target = "t"  # how drawings name each prediction's target: t = 0.5

    def roles(self) -> list[str]:
        """Each prediction's target: 't = 0.5', 'y = 1'."""
        return [f"{self.target} = {t:g}" for t in self.arg[:-1]]

    def details(self) -> tuple[str]:
        """The reduction: 'mean of 100', 'sum of 3', '1 sample'."""
        d, n = int(self.arg[-1]), len(self.parents)
        return (f"mean of {d}" if d > 1 else f"sum of {n}" if n > 1 else "1 sample",)

    def formula(self, parents: Sequence[str], precision: int) -> str:
        """The sum of the samples' terms (over n for the mean); plain-number predictions as one constant."""
        d = self.arg[-1]
        terms = [self.written(atom(p), t) for p, t in zip(parents, self.arg)]
        folded = self.data * d - math.fsum(self.term(p.data, t) for p, t in zip(self.parents, self.arg))
        if abs(folded) > 1e-12 * max(1.0, abs(self.data * d)):
            terms.append(format(folded, f".{precision}g"))
        total = series(terms) or "0"
        return f"({total})/{d:g}" if d != 1 else total

    def term(self, p: float, t: float) -> float:
        """One sample's loss."""
        raise NotImplementedError

    def written(self, p: str, t: float) -> str:
        """One sample's loss as a formula of its prediction p."""
        raise NotImplementedError

    def per(self) -> str:
        """' / n' for the mean, '' for the sum."""
        d = self.arg[-1]
        return f"/{d:g}" if d != 1 else ""

    def term_rule(self) -> Callable[[float, float], float]:
        """One sample's loss on floats, term(prediction, target): what the node's value adds up."""
        raise NotImplementedError

    def term_source(self, w: SourceWriter, i: int) -> str:
        """Prediction i's term of the node's value, written with the node's own rule."""
        return w.call(self.term_rule(), w.operand(i), w.constant(self.arg[i]))

    def _value_source(self, w: SourceWriter) -> None:
        """The loss's value as `_fused` computes it: (0.0 + term(p1, t1) + ...) / divisor, folded terms in place."""
        folded = dict(getattr(self.arg, "folded", ()))
        parents = iter(range(len(self.parents)))
        terms = ["0.0"]
        for place in range(len(self.parents) + len(folded)):
            terms.append(w.constant(folded[place]) if place in folded else self.term_source(w, next(parents)))
        w.value(f"({' + '.join(terms)}) / {w.constant(self.arg[-1])}")


class MSE(_BatchLoss):
    """Σ (pᵢ - tᵢ)² / n over a batch as one node; d out/d pᵢ = 2 (pᵢ - tᵢ) / n."""

    __slots__ = ()
    symbol, name = "MSE", "mse"

    def term_rule(self) -> Callable[[float, float], float]:
        return _squared_error

    def partials(self, graph: bool) -> Sequence[Operand]:
        """2 (pᵢ - tᵢ) / n for each prediction pᵢ."""
        c = 2.0 / self.arg[-1]
        if graph:
            return tuple((p - t) * c for p, t in zip(self.parents, self.arg))
        return tuple(c * (p.data - t) for p, t in zip(self.parents, self.arg))

    def accumulate(self) -> None:
        """The float backward step."""
        g = self.grad
        c = 2.0 / self.arg[-1]
        for p, t in zip(self.parents, self.arg):  # zip stops before the divisor at the end of arg
            p.grad += g * (c * (p.data - t))

    def term(self, p: float, t: float) -> float:
        return _squared_error(p, t)

    def written(self, p: str, t: float) -> str:
        return f"{atom(_minus(p, t))}²"

    def partial_formulas(self, out: str, parents: Sequence[str], precision: int) -> list[str]:
        return [f"2·{atom(_minus(atom(p), t))}{self.per()}" for p, t in zip(parents, self.arg)]

    def source(self, writer: SourceWriter) -> None:
        """Its value, and `accumulate` written out."""
        w = writer
        self._value_source(w)
        c = w.let("c", f"2.0 / {w.constant(self.arg[-1])}")
        for i in range(len(self.parents)):
            w.add(i, f"{w.grad} * ({c} * ({w.operand(i)} - {w.constant(self.arg[i])}))")


class Hinge(_BatchLoss):
    """Σ max(0, 1 - yᵢ sᵢ) / n (yᵢ = ±1) as one node; d out/d sᵢ = -yᵢ / n where the margin is > 0, else 0."""

    __slots__ = ()
    symbol, name, target = "hinge", "hinge", "y"

    def term_rule(self) -> Callable[[float, float], float]:
        return _hinge_term

    def partials(self, graph: bool) -> Sequence[Operand]:
        """-yᵢ / n where the margin is positive, else 0 (piecewise constant: floats, also for a graph)."""
        inv = 1.0 / self.arg[-1]
        return tuple(0.0 if 1.0 - y * s.data <= 0.0 else -y * inv for s, y in zip(self.parents, self.arg))

    def accumulate(self) -> None:
        """The float backward step."""
        k = self.grad * (1.0 / self.arg[-1])
        for s, y in zip(self.parents, self.arg):
            if not 1.0 - y * s.data <= 0.0:  # as ReLU: no gradient at a margin of exactly 0; nan passes it on
                s.grad -= y * k

    def term(self, p: float, t: float) -> float:
        return _hinge_term(p, t)

    def written(self, p: str, t: float) -> str:
        return f"max(0, {_margin(p, t)})"

    def partial_formulas(self, out: str, parents: Sequence[str], precision: int) -> list[str]:
        return [f"{-y:g}{self.per()} if {_margin(atom(s), y)} > 0 else 0" for s, y in zip(parents, self.arg)]

    def source(self, writer: SourceWriter) -> None:
        """Its value, and `accumulate` written out."""
        w = writer
        self._value_source(w)
        k = w.let("k", f"{w.grad} * (1.0 / {w.constant(self.arg[-1])})")
        for i in range(len(self.parents)):
            y = w.constant(self.arg[i])
            w.add(i, f"{y} * {k}", when=f"not 1.0 - {y} * {w.operand(i)} <= 0.0", subtract=True)


class BCE(_BatchLoss):
    """Σ -(yᵢ log pᵢ + (1 - yᵢ) log(1 - pᵢ)) / n over probabilities pᵢ as one node, as PyTorch's BCELoss:
    each log clamped at -100, and d out/d pᵢ = (pᵢ - yᵢ) / max(pᵢ (1 - pᵢ), 1e-12) / n."""

    __slots__ = ()
    symbol, name, target = "BCE", "binary_cross_entropy", "y"

    def term_rule(self) -> Callable[[float, float], float]:
        return _bce_probability_term

    def partials(self, graph: bool) -> Sequence[Operand]:
        """(pᵢ - yᵢ) / (pᵢ (1 - pᵢ)) / n for each probability pᵢ (the denominator at least 1e-12, as PyTorch)."""
        n = self.arg[-1]
        if graph:
            return tuple(_bce_slope_graph(p, y) / n for p, y in zip(self.parents, self.arg))
        return tuple(_bce_slope(p.data, y) / n for p, y in zip(self.parents, self.arg))

    def accumulate(self) -> None:
        """The float backward step."""
        g = self.grad
        n = self.arg[-1]
        for p, y in zip(self.parents, self.arg):
            p.grad += g * (_bce_slope(p.data, y) / n)

    def source(self, writer: SourceWriter) -> None:
        """Its value, and `accumulate` written out."""
        w = writer
        self._value_source(w)
        n = w.constant(self.arg[-1])
        for i in range(len(self.parents)):
            w.add(i, f"{w.grad} * ({w.call(_bce_slope, w.operand(i), w.constant(self.arg[i]))} / {n})")


class BCEWithLogits(_BatchLoss):
    """Σ binary cross-entropy of sigmoid(zᵢ) against yᵢ / n as one node; d out/d zᵢ = (sigmoid(zᵢ) - yᵢ) / n."""

    __slots__ = ()
    symbol, name, target = "BCE with logits", "binary_cross_entropy_with_logits", "y"

    def term_rule(self) -> Callable[[float, float], float]:
        return _bce_term

    def partials(self, graph: bool) -> Sequence[Operand]:
        """(sigmoid(zᵢ) - yᵢ) / n for each logit zᵢ, with exact tails."""
        n = self.arg[-1]
        if graph:
            return tuple(_sigmoid_minus_graph(z, y) / n for z, y in zip(self.parents, self.arg))
        return tuple(_sigmoid_minus(z.data, y) / n for z, y in zip(self.parents, self.arg))

    def accumulate(self) -> None:
        """The float backward step."""
        g = self.grad
        n = self.arg[-1]
        for z, y in zip(self.parents, self.arg):
            z.grad += g * (_sigmoid_minus(z.data, y) / n)

    def term(self, p: float, t: float) -> float:
        return _bce_term(p, t)

    def written(self, p: str, t: float) -> str:
        if t == 1.0:
            return f"log(1 + exp(-{p}))"
        return f"log(1 + exp({p}))" + (f" - {t:g}·{p}" if t else "")

    def partial_formulas(self, out: str, parents: Sequence[str], precision: int) -> list[str]:
        per = self.per()
        return [(atom(_minus(f"sigmoid({z})", y)) if per else _minus(f"sigmoid({z})", y)) + per
                for z, y in zip(parents, self.arg)]  # fmt: skip

    def source(self, writer: SourceWriter) -> None:
        """Its value, and `accumulate` written out."""
        w = writer
        self._value_source(w)
        n = w.constant(self.arg[-1])
        for i in range(len(self.parents)):
            w.add(i, f"{w.grad} * ({w.call(_sigmoid_minus, w.operand(i), w.constant(self.arg[i]))} / {n})")


def mse(pred: Prediction, target: Prediction, reduction: Reduction = "mean") -> Value:
    """Mean (or sum) of squared errors (p - t)²; a target may be a Value, which then gets its gradient too."""
    return _fused(MSE, _squared_error, _pairs(pred, target, "mse", value_targets=True), reduction)


def hinge(score: Prediction, label: Target, reduction: Reduction = "mean") -> Value:
    """Max-margin loss max(0, 1 - y·score), y = +1 for label 1 and -1 for label 0 or -1."""
    pairs = _pairs(score, label, "hinge")
    signs = []
    for s, y in pairs:
        if y not in (-1, 0, 1):
            raise ValueError(f"hinge: labels must be 0 or 1 (or -1 and 1), got {y!r}")
        signs.append((s, 1.0 if y == 1 else -1.0))
    return _fused(Hinge, _hinge_term, signs, reduction)


def binary_cross_entropy(probability: Prediction, label: Target, reduction: Reduction = "mean") -> Value:
    """Cross-entropy -(y log p + (1 - y) log(1 - p)) of a probability p in [0, 1] against a label y in [0, 1]."""
    where = "binary_cross_entropy"
    pairs = _binary_pairs(probability, label, where)
    for i, (p, _) in enumerate(pairs):
        x = p.data if isinstance(p, Value) else p
        if not 0.0 <= x <= 1.0:
            at = f" (prediction {i})" if len(pairs) > 1 else ""
            raise ValueError(
                f"{where} takes probabilities in [0, 1], such as sigmoid outputs, got {x!r}{at}; "
                "for scores (logits) use binary_cross_entropy_with_logits"
            )
    return _fused(BCE, _bce_probability_term, pairs, reduction)


def binary_cross_entropy_with_logits(score: Prediction, label: Target, reduction: Reduction = "mean") -> Value:
    """Cross-entropy of sigmoid(score) against a label in [0, 1], computed stably from the score (the logit)."""
    return _fused(BCEWithLogits, _bce_term, _binary_pairs(score, label, "binary_cross_entropy_with_logits"), reduction)


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
    _check_reduction(reduction)
    if len(terms) == 1:  # one sample: its loss is the whole graph, with no sum or mean node on top
        return terms[0]
    return vsum(terms) / len(terms) if reduction == "mean" else vsum(terms)


def l2(params: Iterable[Value] | object, alpha: float = 1.0) -> Value:
    """L2 regularisation alpha · Σ p² over parameters (a list of Values, or a Module)."""
    ps = params.parameters() if hasattr(params, "parameters") else params
    if not isinstance(ps, Iterable):
        raise TypeError(f"l2(params) must be a Module or a list of Values, got {type(params).__name__}")
    ps = list(ps)
    if not all_values(ps):  # checked at C speed; one by one only to name the culprit
        for p in ps:
            if not isinstance(p, Value):
                raise TypeError(f"l2(params) must contain Values, got {type(p).__name__}: {p!r:.60}")
    return sum_squares(ps) * alpha


# -- one sample's loss and its derivative, on floats --------------------------------------------------
def _minus(p: str, t: float) -> str:
    """p - t written out: 'p - 1', 'p + 0.5', 'p' for t = 0."""
    return p if t == 0 else f"{p} - {t:g}" if t > 0 else f"{p} + {-t:g}"


def _margin(s: str, y: float) -> str:
    """1 - y·s written for y = ±1: '1 - s', '1 + s'."""
    return f"1 - {s}" if y == 1.0 else f"1 + {s}" if y == -1.0 else f"1 - {y:g}·{s}"


def _squared_error(p: float, t: float) -> float:
    d = p - t
    return d * d


def _hinge_term(s: float, y: float) -> float:
    margin = 1.0 - y * s
    return 0.0 if margin <= 0.0 else margin  # ReLU's: a nan margin stays nan


def _bce_term(z: float, y: float) -> float:
    """max(z, 0) - y z + log(1 + e^-|z|): no overflow, and log1p keeps e^-|z| where 1 + e^-|z| rounds to 1."""
    if z >= 0.0:  # (1 - y) z rather than z - y z: inf, not nan, for z = inf and y < 1
        return (1.0 - y) * z + math.log1p(math.exp(-z))
    return math.log1p(math.exp(z)) - y * z  # nan for a nan z


_LOG_FLOOR = -100.0  # PyTorch's BCELoss clamps each log here, so a probability of exactly 0 or 1 costs 100, not inf
_SLOPE_FLOOR = 9.999999960041972e-13  # and its gradient's denominator p (1 - p) at 1e-12 (as a float32, as PyTorch)


def _bce_probability_term(p: float, y: float) -> float:
    """-(y log p + (1 - y) log(1 - p)) with each log at least -100, as PyTorch computes it."""
    log_p = max(math.log(p), _LOG_FLOOR) if p > 0.0 else _LOG_FLOOR
    log_q = max(math.log1p(-p), _LOG_FLOOR) if p < 1.0 else _LOG_FLOOR
    return (y - 1.0) * log_q - y * log_p


def _bce_slope(p: float, y: float) -> float:
    """d/dp of the probability BCE: (p - y) / max(p (1 - p), 1e-12), PyTorch's formula."""
    return (p - y) / max((1.0 - p) * p, _SLOPE_FLOOR)


def _bce_slope_graph(p: Value, y: float) -> Value:
    """`_bce_slope` as a graph over p: (p - y) / (p (1 - p)), or (p - y) / 1e-12 where that floor applies."""
    if (1.0 - p.data) * p.data >= _SLOPE_FLOOR:
        return (p - y) / ((1.0 - p) * p)
    return (p - y) / _SLOPE_FLOOR


def _sigmoid_minus(z: float, y: float) -> float:
    """sigmoid(z) - y, with the sigmoid of whichever of ±z is <= 0 computed directly: exact tails."""
    if z >= 0.0:  # sigmoid(z) - y = (1 - y) - sigmoid(-z)
        e = math.exp(-z)
        return (1.0 - y) - e / (1.0 + e)
    e = math.exp(z)  # <= 1 (nan for a nan z): never overflows
    return e / (1.0 + e) - y


def _sigmoid_minus_graph(z: Value, y: float) -> Value:
    """sigmoid(z) - y as a graph over z, as `_sigmoid_minus`: its value and its derivative keep full precision."""
    return (1.0 - y) - (-z).sigmoid() if z.data >= 0.0 else z.sigmoid() - y


# -- helpers ----------------------------------------------------------------------------------------
def _fused(
    cls: type[FusedNode],
    term: Callable[[float, float], float],
    pairs: list[tuple[Value | float, float]],
    reduction: str,
) -> Value:
    """One `cls` node over the Value predictions, its data the mean (or sum) of term(p, t) over all pairs."""
    _check_reduction(reduction)
    total = 0.0
    prev: list[Value] = []
    arg: list[float] = []
    folded: list[tuple[int, float]] = []
    for p, t in pairs:
        if isinstance(p, Value):
            prev.append(p)
            arg.append(t)
            total += term(p.data, t)
        else:  # a plain number: a constant, only in the data (and remembered for the node's source)
            c = term(p, t)
            folded.append((len(prev) + len(folded), c))
            total += c
    n = float(len(pairs)) if reduction == "mean" else 1.0
    arg.append(n)
    return cls.make(total / n, prev, _Targets(arg, folded) if folded else tuple(arg))


class _Targets(tuple):  # type: ignore[type-arg]
    """A loss node's arg (t1..tn, divisor) that also keeps the terms of the plain-number predictions folded
    into its data, as `folded`: (place among all the predictions, term), so that its source adds them in place."""

    folded: tuple[tuple[int, float], ...]

    def __new__(cls, arg: list[float], folded: list[tuple[int, float]]) -> _Targets:
        self = super().__new__(cls, arg)
        self.folded = tuple(folded)
        return self


def _pairs(
    pred: Prediction, target: Prediction, where: str, value_targets: bool = False
) -> list[tuple[Value | float, float]]:
    """(prediction, target) pairs from one of each or two equally long sequences. value_targets: a target that
    is a Value makes the pair (p - t, 0), the error as a node over both, so that t gets its gradient too."""
    if not isinstance(pred, Sequence):
        if value_targets and isinstance(target, Value):
            return [(_prediction(pred) - target, 0.0)]
        return [(_prediction(pred), _number(target, where))]
    if isinstance(target, numbers.Real) or not isinstance(target, Sequence):
        raise TypeError(f"{where}: a list of predictions needs a list of targets, got {type_name(target)}")
    _same_length(pred, target, where)
    # the usual batch (Values, and int or float targets) is type-checked at C speed: no call per sample
    preds = pred if all_values(pred) else [_prediction(p) for p in pred]
    if _NUMBER.issuperset(map(type, target)):
        return list(zip(preds, map(as_float, target)))  # type: ignore[arg-type]  # ints and floats only
    if value_targets:
        return [(p - t, 0.0) if isinstance(t, Value) else (p, _number(t, where)) for p, t in zip(preds, target)]
    return list(zip(preds, [_number(t, where) for t in target]))


def _binary_pairs(pred: Prediction, label: Target, where: str) -> list[tuple[Value | float, float]]:
    """`_pairs` with every label checked to be in [0, 1]."""
    pairs = _pairs(pred, label, where)
    for _, y in pairs:
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"{where}: labels must be in [0, 1] (0 and 1 for classes), got {y!r}")
    return pairs


def _same_length(a: Sequence[object], b: Sequence[object], where: str) -> None:
    if len(a) != len(b):
        raise ValueError(f"{where}: {len(a)} predictions but {len(b)} targets; they must match")
    if not a:
        raise ValueError(f"{where}: got an empty batch")


def _prediction(x: object) -> Value | float:
    """A Value as it is, a plain number as a float (a constant)."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return as_float(x)  # type: ignore[arg-type]
    raise TypeError(f"predictions must be Values or numbers, got {type_name(x)}: {x!r:.60}")


def _value(x: object) -> Value:
    p = _prediction(x)
    return p if isinstance(p, Value) else Value(p)


def _number(t: object, where: str) -> float:
    if isinstance(t, numbers.Real) and not isinstance(t, bool):
        return as_float(t)  # type: ignore[arg-type]
    hint = " (use .data for its number; mse takes Value targets)" if isinstance(t, Value) else ""
    raise TypeError(f"{where}: targets must be numbers, got {type_name(t)}: {t!r:.60}{hint}")


def _is_label(y: object) -> bool:
    return isinstance(y, numbers.Integral) and not isinstance(y, bool)


def _check_reduction(reduction: str) -> None:
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r:.60}")
