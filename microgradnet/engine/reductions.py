"""Nodes that reduce many terms to one: a sum, a sum of squares, and log-sum-exp.

`sum(terms)` is one node for a sum of many terms (losses), `sum_squares(terms)` for Σ tᵢ² (the L2
regulariser) and `logsumexp(terms)` for log Σ exp(tᵢ) (softmax's normaliser, in the cross-entropy):
one node where a chain of binary ones would cost time and memory. Each computes its partials exactly
and has a tight float backward step.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterable

from . import floats
from .extend import FusedNode
from .make import leaf
from .value import Operand, Partials, Value, to_float

__all__ = ["LogSumExp", "Sum", "SumSquares", "logsumexp", "sum_squares"]  # and sum, kept out: it is a builtin's name


class Sum(FusedNode):
    """t1 + t2 + ... + tn as one node; d out/d ti = 1."""

    __slots__ = ()
    symbol, name, kind = "Σ", "sum", "sum"

    def partials(self, graph: bool) -> Partials:
        return (1.0,) * len(self._p)

    def accumulate(self) -> None:
        g = self.grad
        for t in self._p:
            t.grad += g


class SumSquares(FusedNode):
    """t1² + t2² + ... + tn² as one node; d out/d ti = 2 ti."""

    __slots__ = ()
    symbol, name = "Σ x²", "sum_squares"

    def partials(self, graph: bool) -> Partials:
        if self.data == math.inf:  # a term is inf: e^(ti - out) as PyTorch, 0 for a finite term, nan for an inf one
            return tuple(_at_infinity([t.data for t in self._p]))
        if graph:
            return tuple(t * 2.0 for t in self._p)
        return tuple(2.0 * t.data for t in self._p)

    def accumulate(self) -> None:
        g2 = 2.0 * self.grad
        for t in self._p:
            t.grad += g2 * t.data


class LogSumExp(FusedNode):
    """log(e^t1 + ... + e^tn) as one node; d out/d ti = e^ti / Σ e^tj, the softmax of the terms."""

    __slots__ = ()
    symbol, name = "log Σ exp", "logsumexp"

    def partials(self, graph: bool) -> Partials:
        if self.data == math.inf:  # a term is inf: e^(ti - out) as PyTorch, 0 for a finite term, nan for an inf one
            return tuple(_at_infinity([t.data for t in self._p]))
        if graph:  # the softmax as a graph, shifted by the largest term (a constant, which changes no derivative):
            # its numbers are softmax()'s, where e^(ti - out) loses the small terms of a large out, and its
            # derivatives cancel at the top (Σ eᵢ), not in a gradient of 1 + 1e43 - 1e43
            m = max((t.data for t in self._p), default=0.0)
            es = [(t - m).exp() for t in self._p]
            total = sum(es)
            return tuple(e / total for e in es)
        return softmax([t.data for t in self._p])

    def accumulate(self) -> None:
        g = self.grad
        xs = [t.data for t in self._p]
        for t, p in zip(self._p, _at_infinity(xs) if self.data == math.inf else softmax(xs)):
            t.grad += g * p


def _at_infinity(xs: list[float]) -> list[float]:
    """logsumexp's derivatives where a term is inf (and none nan): e^(x - inf), 0, for a finite x; nan for inf."""
    return [math.nan if x == math.inf else 0.0 for x in xs]


def sum(terms: Iterable[Operand], start: Operand = 0.0) -> Value:  # noqa: A001 - like torch.sum
    """start + Σ terms as a single node (plain numbers among the terms are folded into the data)."""
    if isinstance(start, Value):
        values, total = [start], start.data
    else:
        values, total = [], to_float(start, "sum(start)")
    for t in terms:
        if isinstance(t, Value):
            values.append(t)
            total += t.data
        else:
            total += to_float(t, "sum(terms)")
    return Sum.make(total, values)


def sum_squares(terms: Iterable[Operand]) -> Value:
    """Σ tᵢ² as a single node (plain numbers among the terms are folded into the data)."""
    values: list[Value] = []
    total = 0.0
    for t in terms:
        if isinstance(t, Value):
            values.append(t)
            total += t.data * t.data
        else:
            c = to_float(t, "sum_squares(terms)")
            total += c * c
    return SumSquares.make(total, values)


def logsumexp(terms: Iterable[Operand]) -> Value:
    """log Σ exp(tᵢ) as a single node, computed without overflow; plain numbers become constant leaves.

    As torch.logsumexp: -inf for no terms or all -inf, inf if a term is inf, nan if one is nan.
    """
    values = tuple(t if isinstance(t, Value) else leaf(to_float(t, "logsumexp(terms)")) for t in terms)
    xs = [v.data for v in values]
    if any(x != x for x in xs):
        data = math.nan
    else:
        m = max(xs, default=-math.inf)  # shifted by the largest term: no exponential overflows
        data = m if math.isinf(m) else m + math.log(builtins.sum([math.exp(x - m) for x in xs]))
    return LogSumExp.make(data, values)


def softmax(xs: list[float]) -> list[float]:
    """e^xi / Σ e^xj on floats, shifted by the largest x as PyTorch's softmax (nan where xs hold ±inf)."""
    if not xs:
        return []
    m = max(xs)
    es = [floats.exp(x - m) for x in xs]
    s = builtins.sum(es)
    return [e / s for e in es]
