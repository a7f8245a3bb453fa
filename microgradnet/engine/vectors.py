"""Vector building blocks over Values: dot products, matrix-vector products, softmax, RMSNorm and LayerNorm.

Written with `+ * ** exp`, a transformer spends most of its nodes in these: a dot product of n terms
is 2n nodes, a softmax 4n, an RMSNorm 3n + 3. Here each is a few nodes with exact local derivatives:

- `dot(x, y)` is one node over (x1..xn, y1..yn); `matvec(W, x)` is one node per row of W. Where W holds
  parameters (leaves), the rows share one `InputRow` of x, as a layer's neurons do (weighted_sum.py):
  the backward walk then reads x once for all the rows, not once per row.
- `softmax(x)` is one `logsumexp` node L and, per entry, one node exp(xᵢ − L) over xᵢ and L.
- `rmsnorm(x)` is one node r = (mean of x² + ε)^-½ and the products xᵢ·r.
- `layernorm(x)` is the mean μ, one node r = (mean of (x − μ)² + ε)^-½, and the products (xᵢ − μ)·r.

Every node computes its partials as floats for `backward` and as Values for higher derivatives, and
describes itself to drawings. Plain numbers among the operands become constant leaves.
"""

from __future__ import annotations

import builtins
import math
import operator
from collections.abc import Sequence
from itertools import chain

from .extend import FusedNode
from .layouts import ROW, TWO
from .make import copy_function, leaf, new_node, new_nodes
from .reductions import logsumexp
from .reductions import sum as vsum
from .value import NodeInfo, Operand, Partials, Value, all_values, to_float
from .weighted_sum import InputRow

__all__ = ["Dot", "InvRMS", "InvStd", "MatVecRow", "Softmax", "dot", "layernorm", "matvec", "rmsnorm", "softmax"]

_mul = operator.mul
_new_rows = copy_function(new_nodes)  # with a code object of its own: its caches see MatVecRow alone


class Dot(FusedNode):
    """x·y = Σ xᵢyᵢ as one node over (x1..xn, y1..yn): d/dxᵢ = yᵢ, d/dyᵢ = xᵢ."""

    __slots__ = ()
    symbol, name = "Σ x·y", "dot"

    def partials(self, graph: bool) -> Partials:
        p = self._p
        n = len(p) >> 1
        if graph:
            return (*p[n:], *p[:n])
        return (*[y.data for y in p[n:]], *[x.data for x in p[:n]])

    def accumulate(self) -> None:
        g = self.grad
        p = self._p
        n = len(p) >> 1
        for x, y in zip(p[:n], p[n:]):
            x.grad += g * y.data
            y.grad += g * x.data

    def roles(self) -> Sequence[str]:
        n = len(self._p) >> 1
        return (*[f"x{i}" for i in range(n)], *[f"y{i}" for i in range(n)])

    def details(self) -> Sequence[str]:
        return (f"n = {len(self._p) >> 1}",)


class MatVecRow(Value):
    """One entry of W·x, Σ wᵢxᵢ over a row w of leaf weights (in _p) and the inputs x, an InputRow shared by
    the rows (in _arg; layout ROW, with no bias): _prev = (w1..wn, x1..xn); d/dwᵢ = xᵢ, d/dxᵢ = wᵢ."""

    __slots__ = ()
    _op, _name, _kind, _layout = "Σ w·x", "matvec", "op", ROW

    @property
    def _prev(self) -> tuple[Value, ...]:
        return (*self._p, *self._arg._p)

    def _partials(self, graph: bool) -> Partials:
        xs, ws = self._arg._p, self._p
        if graph:
            return (*xs, *ws)
        return (*[x.data for x in xs], *[w.data for w in ws])

    def _backward(self) -> None:
        g = self.grad
        for w, x in zip(self._p, self._arg._p):
            w.grad += g * x.data
            x.grad += g * w.data

    def describe(self, precision: int = 4) -> NodeInfo:
        """'Σ w·x' over n inputs; its parents are named w0.., x0.."""
        n = len(self._p)
        roles = (*[f"w{i}" for i in range(n)], *[f"x{i}" for i in range(n)])
        return NodeInfo(self._op, (f"n = {n}",), self._prev, roles, self._kind, self._name)


class Softmax(Value):
    """One entry of a softmax, exp(xᵢ − L) over xᵢ and L = log Σⱼ exp xⱼ: d/dxᵢ = sᵢ, d/dL = −sᵢ."""

    __slots__ = ()
    _op, _name, _kind, _layout = "softmax", "softmax", "op", TWO

    def _partials(self, graph: bool) -> Partials:
        if graph:  # this very node: d sᵢ / dxᵢ = sᵢ can itself be differentiated
            return self, -self
        s = self.data
        return s, -s

    def _backward(self) -> None:
        g = self.grad * self.data
        self._p.grad += g
        self._arg.grad -= g

    def describe(self, precision: int = 4) -> NodeInfo:
        """'softmax' over its entry x and the log-sum-exp of all the entries."""
        return NodeInfo(self._op, ("exp(x − log Σ exp)",), self._prev, ("x", "log Σ exp"), self._kind, self._name)


class InvRMS(FusedNode):
    """r = (mean of xᵢ² + ε)^-½ over x1..xn, RMSNorm's scale: d r/dxᵢ = −r³ xᵢ / n (the op's data is ε)."""

    __slots__ = ()
    symbol, name = "1/rms", "inv_rms"

    def partials(self, graph: bool) -> Partials:
        p = self._p
        if graph:
            scale = self**3.0 * (-1.0 / len(p))
            return tuple(x * scale for x in p)
        r = self.data
        c = -r * r * r / len(p)
        return tuple(c * x.data for x in p)

    def accumulate(self) -> None:
        p = self._p
        r = self.data
        c = -self.grad * r * r * r / len(p)
        for x in p:
            x.grad += c * x.data

    def details(self) -> Sequence[str]:
        return (f"n = {len(self._p)}, ε = {self._arg:g}", "(mean x² + ε)^-½")


class InvStd(FusedNode):
    """r = (mean of (xᵢ − μ)² + ε)^-½ over x1..xn, μ their mean: d r/dxᵢ = −r³ (xᵢ − μ) / n; data (μ, ε)."""

    __slots__ = ()
    symbol, name = "1/std", "inv_std"

    def partials(self, graph: bool) -> Partials:
        p = self._p
        n = len(p)
        if graph:
            mean = vsum(p) * (1.0 / n)
            scale = self**3.0 * (-1.0 / n)
            return tuple((x - mean) * scale for x in p)
        mu = self._arg[0]
        r = self.data
        c = -r * r * r / n
        return tuple(c * (x.data - mu) for x in p)

    def accumulate(self) -> None:
        p = self._p
        mu = self._arg[0]
        r = self.data
        c = -self.grad * r * r * r / len(p)
        for x in p:
            x.grad += c * (x.data - mu)

    def details(self) -> Sequence[str]:
        return (f"n = {len(self._p)}, ε = {self._arg[1]:g}", "(mean (x − μ)² + ε)^-½")


def dot(x: Sequence[Operand], y: Sequence[Operand]) -> Value:
    """Σ xᵢ·yᵢ as one node (torch.dot): x and y of the same length, Values or plain numbers."""
    xs, ys = _values(x, "dot(x)"), _values(y, "dot(y)")
    if len(xs) != len(ys):
        raise ValueError(f"dot: x has {len(xs)} entries but y has {len(ys)}; they must have the same length")
    data = builtins.sum(map(_mul, [v.data for v in xs], [v.data for v in ys]), 0.0)
    return new_node(Dot, data, xs + ys)


def matvec(W: Sequence[Sequence[Operand]], x: Sequence[Operand]) -> list[Value]:
    """W·x, one `dot` node per row of W (torch.mv): the entries of x are read once for all the rows."""
    xs = _values(x, "matvec(x)")
    xd = [v.data for v in xs]
    n, dot_ = len(xs), builtins.sum
    try:
        params: list[tuple[Value, ...]] = list(map(tuple, W))  # type: ignore[arg-type]
    except TypeError:  # a row that is no sequence: the checks below say so
        params = []
    kinds = list(map(type, chain.from_iterable(params)))  # parameters are leaves: Values of exactly the class Value
    if params and kinds.count(Value) == len(kinds) and set(map(len, params)) == {n}:  # checked at C speed
        datas = [dot_(map(_mul, [w.data for w in ws], xd), 0.0) for ws in params]
        return _new_rows(MatVecRow, datas, params, new_node(InputRow, 0.0, xs))
    rows = [_values(ws, "matvec(W) rows") for ws in W]
    for i, ws in enumerate(rows):
        if len(ws) != n:
            raise ValueError(f"matvec: row {i} of W has {len(ws)} entries but x has {n}")
    return [new_node(Dot, dot_(map(_mul, [w.data for w in ws], xd), 0.0), ws + xs) for ws in rows]


def softmax(x: Sequence[Operand]) -> list[Value]:
    """The softmax of x, exp(xᵢ) / Σⱼ exp(xⱼ), as torch.softmax: one log-sum-exp node and one node per entry."""
    xs = _values(x, "softmax(x)")
    if not xs:
        raise ValueError("softmax: x is empty")
    total = logsumexp(xs)
    lse = total.data
    return [new_node(Softmax, math.exp(v.data - lse), v, total) for v in xs]  # v - lse <= 0: no overflow


def rmsnorm(x: Sequence[Operand], eps: float = 1e-5) -> list[Value]:
    """xᵢ / √(mean of x² + ε), as torch.nn.functional.rms_norm without a weight: xᵢ times one node r."""
    xs = _values(x, "rmsnorm(x)")
    e = _eps(eps, "rmsnorm")
    if not xs:
        raise ValueError("rmsnorm: x is empty")
    mean_square = builtins.sum([v.data * v.data for v in xs]) / len(xs)
    r = new_node(InvRMS, (mean_square + e) ** -0.5, xs, e)
    return [v * r for v in xs]


def layernorm(x: Sequence[Operand], eps: float = 1e-5) -> list[Value]:
    """(xᵢ − μ) / √(σ² + ε), as torch.nn.functional.layer_norm without weight and bias (σ² the biased variance)."""
    xs = _values(x, "layernorm(x)")
    e = _eps(eps, "layernorm")
    if not xs:
        raise ValueError("layernorm: x is empty")
    n = len(xs)
    mean = vsum(xs) / float(n)
    mu = mean.data
    variance = builtins.sum([(v.data - mu) ** 2 for v in xs]) / n
    r = new_node(InvStd, (variance + e) ** -0.5, xs, (mu, e))
    return [(v - mean) * r for v in xs]


def _values(x: Sequence[Operand], where: str) -> tuple[Value, ...]:
    """x as a tuple of Values, plain numbers as constant leaves; a clear TypeError for anything else."""
    if type(x) in (list, tuple) and all_values(x):  # checked at C speed: the common case
        return tuple(x)  # type: ignore[arg-type]
    if isinstance(x, (Value, str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"{where} must be a list of Values or numbers, got {type(x).__name__}: {x!r:.60}")
    return tuple(v if isinstance(v, Value) else leaf(to_float(v, where)) for v in x)


def _eps(eps: object, where: str) -> float:
    e = to_float(eps, f"{where}(eps)")
    if not e >= 0.0:
        raise ValueError(f"{where}(eps) must be a number >= 0, got {eps!r}")
    return e
