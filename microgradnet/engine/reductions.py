"""Nodes that reduce many terms to one: a sum, a sum of squares, and log-sum-exp.

`sum(terms)` is one node for a sum of many terms (losses), `sum_squares(terms)` for Σ tᵢ² (the L2
regulariser) and `logsumexp(terms)` for log Σ exp(tᵢ) (softmax's normaliser, in the cross-entropy):
one node where a chain of binary ones would cost time and memory. Each computes its partials exactly
and has a tight float backward step.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterable, Sequence

from . import floats
from .extend import FusedNode, atom, series
from .make import leaf
from .source import SourceWriter
from .value import Operand, Partials, Value, all_values, to_float

__all__ = ["LogSumExp", "Sum", "SumSquares", "logsumexp", "sum_squares"]  # and sum, kept out: it is a builtin's name


class Sum(FusedNode):
    """t1 + t2 + ... + tn as one node; d out/d ti = 1.

    Its arg is None when it adds its parents to 0.0; where plain numbers were folded into its data, or
    it starts from a Value, arg lists what was added in order: the start, then each term, a float for a
    number and None for the next parent (so that its source adds them in the same order).
    """

    __slots__ = ()
    symbol, name, kind = "Σ", "sum", "sum"

    def source(self, writer: SourceWriter) -> None:
        """start + t1 + ... + tn, left to right as the engine adds them; each term's gradient is the node's."""
        w = writer
        layout = self._arg or (0.0, *(None,) * len(self._p))
        parents = iter(range(len(self._p)))
        w.value(" + ".join(w.operand(next(parents)) if t is None else w.constant(t) for t in layout))
        for i in range(len(self._p)):
            w.add(i, w.grad)

    def partials(self, graph: bool) -> Partials:
        return (1.0,) * len(self._p)

    def formula(self, parents: Sequence[str], precision: int) -> str:
        return series([atom(p) for p in parents]) if parents else "0"

    def partial_formulas(self, out: str, parents: Sequence[str], precision: int) -> Sequence[str]:
        return ["1"] * len(parents)

    def accumulate(self) -> None:
        g = self.grad
        for t in self._p:
            t.grad += g


class SumSquares(FusedNode):
    """t1² + t2² + ... + tn² as one node; d out/d ti = 2 ti.

    Its arg is None, or where plain numbers were folded into its data, each term in order: None for the
    next parent, the number for a folded one.
    """

    __slots__ = ()
    symbol, name = "Σ x²", "sum_squares"

    def source(self, writer: SourceWriter) -> None:
        """0.0 + t1 * t1 + ... + tn * tn; each term's gradient is 2.0 * grad * ti."""
        w = writer
        layout = self._arg or (None,) * len(self._p)
        parents = iter(range(len(self._p)))
        terms = []
        for t in layout:
            if t is None:
                x = w.operand(next(parents))
                terms.append(f"{x} * {x}")
            else:
                terms.append(w.constant(t * t))
        w.value(" + ".join(["0.0", *terms]))
        g2 = w.let("g2", f"2.0 * {w.grad}")
        for i in range(len(self._p)):
            w.add(i, f"{g2} * {w.operand(i)}")

    def partials(self, graph: bool) -> Partials:
        if self.data == math.inf:  # a term is inf: e^(ti - out) as PyTorch, 0 for a finite term, nan for an inf one
            return tuple(_at_infinity([t.data for t in self._p]))
        if graph:
            return tuple(t * 2.0 for t in self._p)
        return tuple(2.0 * t.data for t in self._p)

    def formula(self, parents: Sequence[str], precision: int) -> str:
        return series([f"{atom(p)}²" for p in parents]) if parents else "0"

    def partial_formulas(self, out: str, parents: Sequence[str], precision: int) -> Sequence[str]:
        return [f"2·{atom(p)}" for p in parents]

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

    def formula(self, parents: Sequence[str], precision: int) -> str:
        return f"log({series([f'exp({p})' for p in parents])})"

    def partial_formulas(self, out: str, parents: Sequence[str], precision: int) -> Sequence[str]:
        return [f"exp({atom(p)} - {atom(out)})" for p in parents]  # the softmax of the terms

    def accumulate(self) -> None:
        g = self.grad
        xs = [t.data for t in self._p]
        for t, p in zip(self._p, _at_infinity(xs) if self.data == math.inf else softmax(xs)):
            t.grad += g * p

    def source(self, writer: SourceWriter) -> None:
        """floats.logsumexp of the terms; each term's gradient is grad times its softmax."""
        w = writer
        terms = f"[{', '.join(w.operand(i) for i in range(len(self._p)))}]"
        w.value(w.call(floats.logsumexp, terms))
        p = w.let("softmax", w.call(softmax, terms))
        for i in range(len(self._p)):
            w.add(i, f"{w.grad} * {p}[{i}]")


def _at_infinity(xs: list[float]) -> list[float]:
    """logsumexp's derivatives where a term is inf (and none nan): e^(x - inf), 0, for a finite x; nan for inf."""
    return [math.nan if x == math.inf else 0.0 for x in xs]


def sum(terms: Iterable[Operand], start: Operand = 0.0) -> Value:  # noqa: A001 - like torch.sum
    """start + Σ terms as a single node (plain numbers among the terms are folded into the data)."""
    if isinstance(start, Value):
        values, total = [start], start.data
        layout: list[float | None] = [None]
    else:
        values, total = [], to_float(start, "sum(start)")
        layout = [total]
    folded = layout[0] is None or not _plus_zero(total)  # anything but a plain start from 0.0
    for t in terms:
        if isinstance(t, Value):
            values.append(t)
            total += t.data
            layout.append(None)
        else:
            c = to_float(t, "sum(terms)")
            total += c
            layout.append(c)
            folded = True
    return Sum.make(total, values, tuple(layout) if folded else None)


def sum_squares(terms: Iterable[Operand]) -> Value:
    """Σ tᵢ² as a single node (plain numbers among the terms are folded into the data)."""
    if isinstance(terms, (list, tuple)) and all_values(terms):  # all Values (l2's parameters): no layout
        total = 0.0
        for v in terms:
            x = v.data
            total += x * x
        return SumSquares.make(total, terms, None)
    values: list[Value] = []
    layout: list[float | None] = []
    folded = False
    total = 0.0
    for t in terms:
        if isinstance(t, Value):
            values.append(t)
            total += t.data * t.data
            layout.append(None)
        else:
            c = to_float(t, "sum_squares(terms)")
            total += c * c
            layout.append(c)
            folded = True
    return SumSquares.make(total, values, tuple(layout) if folded else None)


def logsumexp(terms: Iterable[Operand]) -> Value:
    """log Σ exp(tᵢ) as a single node, computed without overflow; plain numbers become constant leaves.

    As torch.logsumexp: -inf for no terms or all -inf, inf if a term is inf, nan if one is nan.
    """
    values = tuple(t if isinstance(t, Value) else leaf(to_float(t, "logsumexp(terms)")) for t in terms)
    return LogSumExp.make(floats.logsumexp([v.data for v in values]), values)


def _plus_zero(x: float) -> bool:
    """Whether x is +0.0 (not -0.0, which a sum starting from it would keep)."""
    return x == 0.0 and math.copysign(1.0, x) > 0.0


def softmax(xs: list[float]) -> list[float]:
    """e^xi / Σ e^xj on floats, shifted by the largest x as PyTorch's softmax (nan where xs hold ±inf)."""
    if not xs:
        return []
    m = max(xs)
    es = [floats.exp(x - m) for x in xs]
    s = builtins.sum(es)
    return [e / s for e in es]
