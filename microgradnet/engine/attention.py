"""One head of scaled dot-product attention over Values, as torch.nn.functional.scaled_dot_product_attention.

`attention(q, keys, values)` is softmax(scale · q·kₜ over t)·V for one query: written with `dot`, `/`
and `softmax` it is 3T + d nodes for T keys of d entries, and their backward steps pass the
gradient through every score. Here it is d output nodes and one `AttentionHead` node that they share:

- output oⱼ = Σₜ aₜ vₜⱼ, where a = softmax(s) and sₜ = scale · q·kₜ. Its parents (`_prev`) are q, the
  keys and the column j of the values; its partials are exact: d oⱼ/d vₜⱼ = aₜ, and with
  dₜ = aₜ (vₜⱼ − oⱼ), d oⱼ/d qᵢ = scale Σₜ dₜ kₜᵢ and d oⱼ/d kₜᵢ = scale dₜ qᵢ.
- the head node keeps the weights a. It is bookkeeping for the backward walk, like a layer's InputRow:
  each output's step leaves its gradient gⱼ with it, and its own step, which the walk runs after all
  of the outputs', passes them on at once: vₜⱼ gets aₜ gⱼ, and with
  δₜ = aₜ (Σⱼ gⱼ vₜⱼ − Σⱼ gⱼ oⱼ), q gets scale Σₜ δₜ kₜ and kₜ gets scale δₜ q. No drawing shows it.
"""

from __future__ import annotations

import builtins
import math
import operator
from collections.abc import Sequence

from .floats import logsumexp as float_logsumexp
from .layouts import MANY, ONE
from .make import new_node
from .reductions import sum as vsum
from .value import NodeInfo, Operand, Partials, Value, to_float
from .vectors import _values, dot, softmax

__all__ = ["AttentionHead", "AttentionOutput", "attention"]

_mul = operator.mul


class AttentionHead(Value):
    """What a head's outputs share (layout MANY): _p = (q1..qd, k1..kT flattened, v1..vT flattened); _arg is
    [d, T, scale, the weights a, the outputs' numbers, the outputs' gradients]. Its data is 0; it is not drawn."""

    __slots__ = ()
    _op, _name, _kind, _layout = "attention head", "attention_head", "op", MANY

    def _partials(self, graph: bool) -> Partials:
        return (0.0,) * len(self._p)  # it passes nothing in gradients(): its outputs name their parents themselves

    def _backward(self) -> None:
        d, T, scale, a, o, g = self._arg
        p = self._p
        q, ks, vs = p[:d], p[d : d + T * d], p[d + T * d :]
        go = builtins.sum(map(_mul, g, o))
        qd = [x.data for x in q]
        qg = [0.0] * d
        for t in range(T):
            at = a[t]
            v = vs[t * d : t * d + d]
            k = ks[t * d : t * d + d]
            for vj, gj in zip(v, g):
                vj.grad += at * gj
            delta = at * (builtins.sum(map(_mul, g, [vj.data for vj in v])) - go) * scale
            for i, (ki, qi) in enumerate(zip(k, qd)):
                qg[i] += delta * ki.data
                ki.grad += delta * qi
        for x, share in zip(q, qg):
            x.grad += share
        g[:] = [0.0] * d  # ready for the next backward pass

    def describe(self, precision: int = 4) -> NodeInfo:
        """'attention head' over q, the keys and the values (a drawing shows its outputs instead)."""
        return NodeInfo(self._op, (), self._p, tuple(f"in{i}" for i in range(len(self._p))), self._kind, self._name)


class AttentionOutput(Value):
    """Entry j of a head's output, Σₜ aₜ vₜⱼ (layout ONE: _p the shared AttentionHead, _arg = j). Its parents
    (`_prev`) are q1..qd, the keys' entries k1,1..kT,d and v1,j..vT,j."""

    __slots__ = ()
    _op, _name, _kind, _layout = "attention", "attention", "op", ONE

    @property
    def _prev(self) -> tuple[Value, ...]:
        head, j = self._p, self._arg
        d, T = head._arg[0], head._arg[1]
        p = head._p
        return (*p[: d + T * d], *p[d + T * d + j :: d])

    def _partials(self, graph: bool) -> Partials:
        head, j = self._p, self._arg
        d, T, scale = head._arg[0], head._arg[1], head._arg[2]
        p = head._p
        q, ks, vj = p[:d], p[d : d + T * d], p[d + T * d + j :: d]
        keys = [ks[t * d : t * d + d] for t in range(T)]
        if graph:  # as Values, so that they can be differentiated again
            a: Sequence[Operand] = softmax([dot(q, k) * scale for k in keys])
            deltas = [at * (v - self) * scale for at, v in zip(a, vj)]
            dq: list[Operand] = [vsum([dt * k[i] for dt, k in zip(deltas, keys)]) for i in range(d)]
            dk: list[Operand] = [dt * qi for dt in deltas for qi in q]
            return (*dq, *dk, *a)
        a, o = head._arg[3], self.data
        fdeltas = [at * (v.data - o) * scale for at, v in zip(a, vj)]
        fkeys = [[x.data for x in k] for k in keys]
        fdq = [builtins.sum([dt * k[i] for dt, k in zip(fdeltas, fkeys)]) for i in range(d)]
        return (*fdq, *[dt * qi.data for dt in fdeltas for qi in q], *a)

    def _backward(self) -> None:
        self._p._arg[5][self._arg] = self.grad  # the head's step passes it on, with its other outputs' gradients

    def describe(self, precision: int = 4) -> NodeInfo:
        """'attention' over q, the keys and one column of the values."""
        head, j = self._p, self._arg
        d, T = head._arg[0], head._arg[1]
        roles = (*[f"q{i}" for i in range(d)], *[f"k{t}_{i}" for t in range(T) for i in range(d)],
                 *[f"v{t}_{j}" for t in range(T)])  # fmt: skip
        return NodeInfo(self._op, (f"T = {T}, d = {d}", f"Σₜ softmax(q·kₜ·{head._arg[2]:.4g})ₜ vₜ"), self._prev,
                        roles, self._kind, self._name)  # fmt: skip


def attention(
    q: Sequence[Operand], keys: Sequence[Sequence[Operand]], values: Sequence[Sequence[Operand]],
    scale: float | None = None,
) -> list[Value]:  # fmt: skip
    """softmax(scale · q·kₜ)·V for one query over T keys and values (torch's scaled_dot_product_attention; scale
    1/√d by default): d Values that share one head node."""
    qs = _values(q, "attention(q)")
    d = len(qs)
    if not d:
        raise ValueError("attention: q is empty")
    T = len(keys)
    if not T or len(values) != T:
        raise ValueError(
            f"attention: there must be as many values as keys, at least one; got {T} keys, {len(values)} values"
        )
    ks = [_values(k, "attention(keys) rows") for k in keys]
    vs = [_values(v, "attention(values) rows") for v in values]
    for t, (k, v) in enumerate(zip(ks, vs)):
        if len(k) != d or len(v) != d:
            raise ValueError(f"attention: key {t} has {len(k)} entries and value {t} {len(v)}; q has {d}")
    s = 1.0 / math.sqrt(d) if scale is None else to_float(scale, "attention(scale)")
    qd = [x.data for x in qs]
    scores = [builtins.sum(map(_mul, qd, [x.data for x in k]), 0.0) * s for k in ks]
    lse = float_logsumexp(scores)
    a = [math.exp(x - lse) for x in scores]
    vd = [[x.data for x in v] for v in vs]
    o = [builtins.sum([at * v[j] for at, v in zip(a, vd)], 0.0) for j in range(d)]
    parents = qs + tuple(x for k in ks for x in k) + tuple(x for v in vs for x in v)
    head = new_node(AttentionHead, 0.0, parents, [d, T, s, a, o, [0.0] * d])
    if not head._p:  # no_grad: the head is a plain leaf, and so are the outputs
        return [new_node(AttentionOutput, oj, None) for oj in o]
    return [new_node(AttentionOutput, oj, head, j) for j, oj in enumerate(o)]
