"""Fused n-ary nodes: one node where a chain of binary ones would cost time and memory.

`sum(terms)` is one node for a sum of many terms (losses), `sum_squares(terms)` for Σ tᵢ² (the L2
regulariser), `logsumexp(terms)` for log Σ exp(tᵢ) (softmax's normaliser, in the cross-entropy), and
`linear(weights, inputs, bias)` for a neuron's weighted sum Σ wᵢxᵢ + b (`linears` makes a layer's,
checking the shared inputs once). Each node class computes its own partials, exactly, and has a
tight float backward step; the graph sort is told through `_leaf_params` and `_leaf_parents` which
of its many parents cannot be interior nodes, so it does not look at them.
"""

from __future__ import annotations

import builtins
import math
import operator
from collections.abc import Iterable, Sequence

from . import ieee
from .engine import _FLOAT, _LEAF, _VALUE_TYPES, Operand, Partials, Value, _leaf, _new, _node, _real, _tick
from .grad_mode import _off, _state

__all__ = [
    "Linear",
    "LinearComputed",
    "LinearConst",
    "LogSumExp",
    "Sum",
    "SumSquares",
    "linear",
    "linears",
    "linears_each",
    "logsumexp",
    "sum",
    "sum_squares",
]


class Sum(Value):
    """t1 + t2 + ... + tn as one node; d out/d ti = 1."""

    __slots__ = ()
    _op, _name = "Σ", "sum"

    def _partials(self, graph: bool) -> Partials:
        return (1.0,) * len(self._prev)

    def _backward(self) -> None:
        g = self.grad
        for t in self._p:
            t.grad += g


class SumSquares(Value):
    """t1² + t2² + ... + tn² as one node; d out/d ti = 2 ti."""

    __slots__ = ()
    _op, _name = "Σ x²", "sum_squares"

    def _partials(self, graph: bool) -> Partials:
        if graph:
            return tuple(t * 2.0 for t in self._prev)
        return tuple(2.0 * t.data for t in self._prev)

    def _backward(self) -> None:
        g2 = 2.0 * self.grad
        for t in self._p:
            t.grad += g2 * t.data


class LogSumExp(Value):
    """log(e^t1 + ... + e^tn) as one node; d out/d ti = e^ti / Σ e^tj, the softmax of the terms."""

    __slots__ = ()
    _op, _name = "log Σ exp", "logsumexp"

    def _partials(self, graph: bool) -> Partials:
        if graph:  # e^(ti - out) over this very node, so that the softmax can itself be differentiated
            return tuple((t - self).exp() for t in self._prev)
        return _softmax([t.data for t in self._prev])

    def _backward(self) -> None:
        g = self.grad
        for t, p in zip(self._p, _softmax([t.data for t in self._p])):
            t.grad += g * p


class Linear(Value):
    """w·x + b (a neuron's weighted sum) as one node over Value inputs: _prev = (w1..wn, x1..xn, b).

    It keeps (w1..wn, b) in _p and (x1..xn) in _arg: tuples it shares with the other nodes of its neuron
    and of its input row when a layer makes them (`linears_each`), so it costs no tuple of its own.
    Its weights and bias are leaves (parameters); `LinearComputed` is the same node when they are not.
    """

    __slots__ = ()
    _op, _name = "Σ w·x + b", "linear"
    _leaf_params = True

    @property
    def _prev(self) -> tuple[Value, ...]:
        params = self._p
        return (*params[:-1], *self._arg, params[-1])

    def _partials(self, graph: bool) -> Partials:
        xs = self._arg
        ws = self._p[:-1]
        if graph:
            return (*xs, *ws, 1.0)
        return (*[x.data for x in xs], *[w.data for w in ws], 1.0)

    def _backward(self) -> None:
        g = self.grad
        if g == 0.0 and math.isfinite(self.data):  # every w·x was finite, so each term would add ±0: nothing to add
            return  # (a neuron behind an inactive ReLU, or a sample the hinge loss is satisfied with)
        params = self._p
        for w, x in zip(params, self._arg):  # zip stops at the last input: (w1, x1) .. (wn, xn)
            w.grad += g * x.data
            x.grad += g * w.data
        params[-1].grad += g


class LinearComputed(Linear):
    """w·x + b over Value inputs where some weight or the bias is itself computed, not a leaf."""

    __slots__ = ()
    _leaf_params = False


class LinearConst(Linear):
    """w·x + b over plain-number inputs x (kept in _arg, no gradient) and leaf w, b: _prev = (w1..wn, b)."""

    __slots__ = ()
    _leaf_parents = True

    @property
    def _prev(self) -> tuple[Value, ...]:
        return self._p  # type: ignore[no-any-return]

    def _partials(self, graph: bool) -> Partials:
        return (*self._arg, 1.0)

    def _backward(self) -> None:
        g = self.grad
        if g == 0.0 and math.isfinite(self.data):  # as in Linear: each term would add ±0
            return
        prev = self._p
        for w, x in zip(prev, self._arg):
            w.grad += g * x
        prev[-1].grad += g


def sum(terms: Iterable[Operand], start: Operand = 0.0) -> Value:  # noqa: A001 - like torch.sum
    """start + Σ terms as a single node (plain numbers among the terms are folded into the data)."""
    if isinstance(start, Value):
        values, total = [start], start.data
    else:
        values, total = [], _real(start, "sum(start)")
    for t in terms:
        if isinstance(t, Value):
            values.append(t)
            total += t.data
        else:
            total += _real(t, "sum(terms)")
    return _node(Sum, total, tuple(values))


def sum_squares(terms: Iterable[Operand]) -> Value:
    """Σ tᵢ² as a single node (plain numbers among the terms are folded into the data)."""
    values: list[Value] = []
    total = 0.0
    for t in terms:
        if isinstance(t, Value):
            values.append(t)
            total += t.data * t.data
        else:
            c = _real(t, "sum_squares(terms)")
            total += c * c
    return _node(SumSquares, total, tuple(values))


def logsumexp(terms: Iterable[Operand]) -> Value:
    """log Σ exp(tᵢ) as a single node, computed without overflow; plain numbers become constant leaves.

    As torch.logsumexp: -inf for no terms or all -inf, inf if a term is inf, nan if one is nan.
    """
    values = tuple(t if isinstance(t, Value) else _leaf(_real(t, "logsumexp(terms)")) for t in terms)
    xs = [v.data for v in values]
    if any(x != x for x in xs):
        data = math.nan
    else:
        m = max(xs, default=-math.inf)  # shifted by the largest term: no exponential overflows
        data = m if math.isinf(m) else m + math.log(builtins.sum([math.exp(x - m) for x in xs]))
    return _node(LogSumExp, data, values)


def _softmax(xs: list[float]) -> list[float]:
    """e^xi / Σ e^xj on floats, shifted by the largest x as PyTorch's softmax (nan where xs hold ±inf)."""
    if not xs:
        return []
    m = max(xs)
    es = [ieee.exp(x - m) for x in xs]
    s = builtins.sum(es)
    return [e / s for e in es]


def linear(weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand = 0.0) -> Value:
    """Σ wᵢ·xᵢ + bias as one node: a neuron's pre-activation. Inputs may be Values or plain numbers."""
    ws = tuple(weights)
    xs = tuple(inputs)
    if len(ws) != len(xs):
        raise ValueError(f"linear: {len(ws)} weights but {len(xs)} inputs; they must have the same length")
    # Whole tuples are type-checked with set operations at C speed: one Python step per neuron, not per input.
    param_types = set(map(type, ws))
    param_types.add(type(bias))
    if param_types <= _VALUE_TYPES:
        wd = [w.data for w in ws]  # type: ignore[union-attr]
        if _VALUE_TYPES.issuperset(map(type, xs)):  # Value inputs: a hidden or output layer
            data = builtins.sum(map(operator.mul, wd, [x.data for x in xs]), bias.data)  # type: ignore[union-attr]
            cls = Linear if param_types <= _LEAF else LinearComputed
            return _node(cls, data, (*ws, bias), xs)  # type: ignore[arg-type]
        if param_types <= _LEAF and _FLOAT.issuperset(map(type, xs)):  # an input layer: float inputs, leaf w and b
            data = builtins.sum(map(operator.mul, wd, xs), bias.data)  # type: ignore[union-attr]
            return _node(LinearConst, data, (*ws, bias), xs)  # type: ignore[arg-type]
    # anything else is normalised first: numbers as weights or bias become leaves, and numbers among
    # Value inputs become constant leaves; inputs that are all numbers stay constants
    ws = tuple(w if isinstance(w, Value) else Value(w) for w in ws)
    b = bias if isinstance(bias, Value) else Value(bias)
    if any(isinstance(x, Value) for x in xs) or not (type(b) is Value and _LEAF.issuperset(map(type, ws))):
        return linear(ws, [x if isinstance(x, Value) else _leaf(_real(x, "linear(inputs)")) for x in xs], b)
    return linear(ws, [_real(x, "linear(inputs)") for x in xs], b)


def linears(weights: Sequence[Sequence[Operand]], biases: Sequence[Operand], inputs: Sequence[Operand]) -> list[Value]:
    """[linear(w, inputs, b) for w, b in zip(weights, biases)]: a layer's weighted sums, its inputs checked once."""
    return linears_each(weights, biases, [inputs])[0]


def linears_each(
    weights: Sequence[Sequence[Operand]], biases: Sequence[Operand], rows: Sequence[Sequence[Operand]]
) -> list[list[Value]]:
    """linears(weights, biases, x) for each x in rows: a layer on a batch, each weight's number read once."""
    if len(weights) != len(biases):
        raise ValueError(f"linears: {len(weights)} rows of weights but {len(biases)} biases; they must match")
    leaf = Value
    # each neuron's weights, bias, the tuple (w1..wn, b) its nodes share, and the weights' numbers (None
    # unless all are leaves, i.e. parameters)
    neurons: list[tuple[Sequence[Operand], Operand, tuple[Operand, ...], list[float] | None]] = []
    for ws, b in zip(weights, biases):
        known = [w.data for w in ws if type(w) is leaf]
        neurons.append((ws, b, (*ws, b), known if len(known) == len(ws) and type(b) is leaf else None))
    graph = not _off[0] or _state.enabled
    dot, mul = builtins.sum, operator.mul  # locals: the loop below runs once per neuron and sample
    out = []
    for i, inputs in enumerate(rows):
        try:
            xs, values = _layer_inputs(inputs)
        except TypeError as e:
            raise TypeError(f"row {i} of the batch: {e}" if len(rows) > 1 else str(e)) from None
        xd = [x.data for x in xs] if values else xs  # type: ignore[union-attr]
        n = len(xs)
        cls = Linear if values else LinearConst
        zs: list[Value] = []
        for ws, b, params, wd in neurons:
            if wd is None or len(wd) != n:
                zs.append(linear(ws, xs, b))  # computed or plain-number parameters, or a length to complain about
                continue
            data = dot(map(mul, wd, xd), b.data)  # type: ignore[union-attr]
            if not graph:
                zs.append(_leaf(data))
                continue
            v: Value = _new(cls)  # _node inlined: once per neuron and sample
            v.data = data
            v.grad = 0.0
            v.label = ""
            v._p = params  # one tuple for the neuron's nodes
            v._arg = xs  # one tuple for the row's nodes
            v._n = _tick()
            zs.append(v)
        out.append(zs)
    return out


def _layer_inputs(inputs: Sequence[Operand]) -> tuple[tuple[Operand, ...], bool]:
    """A layer's inputs as a tuple, all Values (True) or all floats (False), checked at C speed."""
    xs = tuple(inputs)
    types = set(map(type, xs))
    if types <= _VALUE_TYPES:
        return xs, True
    if types <= _FLOAT:
        return xs, False
    if any(isinstance(x, Value) for x in xs):  # as linear(): numbers among Value inputs become constant leaves
        return tuple(x if isinstance(x, Value) else _leaf(_real(x, "linear(inputs)")) for x in xs), True
    return tuple(_real(x, "linear(inputs)") for x in xs), False
