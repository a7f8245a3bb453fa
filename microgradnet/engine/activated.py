"""A neuron's weighted sum and its activation as one node: relu(w·x + b) made, walked and stepped once, not twice.

A layer's nodes are the commonest thing a network makes, so `linears_each(..., activation=...)` makes
each neuron's activation and weighted sum as a single node: it holds the activation's value in
`data` and the weighted sum's in a slot of its own, `_z`, and its backward step does exactly what the
two steps did one after the other (the activation's rule, then the weighted sum's). That halves the
nodes of a network and the steps of its backward pass.

Nobody has to know: the moment anything asks for the node's parents or describes it (a drawing,
`gradients()`, `to_python`), it unfuses, for good: it becomes the activation's own node over a weighted
sum node of its own, with the gradient the two-node graph would have given that node. So drawings,
`_prev` and `.grad` of every part are what they are without fusion, bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple

from .grad_mode import enable_grad
from .layouts import LEAVES, ROW
from .make import new_node, own_code
from .op_nodes import Rule, ZeroWhere, pullback
from .ops import OPS
from .source import SourceWriter
from .value import NodeInfo, Partials, Value
from .weighted_sum import Linear, LinearConst

__all__ = ["ACTIVATIONS", "Activated", "Activation", "unfuse_all"]


class _WithZ(Value):
    """A node with one more slot, `_z`: the fused node and, once unfused, the activation's node it becomes."""

    __slots__ = ("_z",)
    _z: Any


class Activated(_WithZ):
    """act(w·x + b) as one node (see the module's docstring); it unfuses as soon as it is looked into."""

    __slots__ = ()
    _linear: ClassVar[type[Value]]  # the weighted sum's node class: Linear, or LinearConst for plain-number inputs
    _unfused: ClassVar[type[Value]]  # the activation's node class it becomes (with the same slots)
    _share: ClassVar[Callable[[float, float, float], float]]  # (g, out, z) -> the weighted sum's gradient
    _const: ClassVar[Any] = None  # the activation's constant operand (leaky_relu's slope), or None

    def unfuse(self) -> Value:
        """Become the activation's own node over a weighted-sum node of its own, as if never fused; returns self."""
        cls = type(self)
        with enable_grad():  # the parts of a graph that exists, whatever the grad mode now
            z = new_node(cls._linear, self._z, self._p, self._arg)
        z.grad = cls._share(self.grad, self.data, self._z)  # what the activation's step gave it
        self._p, self._arg = z, cls._const
        self.__class__ = cls._unfused  # type: ignore[assignment]
        return self

    @property
    def _prev(self) -> tuple[Value, ...]:
        return self.unfuse()._prev

    def describe(self, precision: int = 4) -> NodeInfo:
        """As the activation's node, once unfused."""
        return self.unfuse().describe(precision)

    def _vjp(self, g: Any, graph: bool) -> Partials:
        return self.unfuse()._vjp(g, graph)

    def __reduce__(self) -> tuple[Any, ...]:
        """As the activation's node, once unfused: pickled and copied as the op's own node (see copying.py)."""
        return self.unfuse().__reduce__()

    def source(self, writer: SourceWriter) -> None:
        """As the activation's node, once unfused."""
        self.unfuse().source(writer)


class Activation(NamedTuple):
    """An activation as layers fuse it into their weighted sums."""

    name: str
    f: Callable[[float], float]  # its value on floats, as the op table computes it
    nodes: type[Value]  # the fused node class over Value inputs (layout ROW)
    const_nodes: type[Value]  # and over plain-number inputs (layout LEAVES)
    function: Callable[[Value], Value]  # the activation of one Value as its own node (where nothing is fused)


def _activation(name: str) -> Activation:
    """The op `name` of the table as an activation; a two-operand op (leaky_relu) at its default second operand."""
    op = OPS[name]
    if op.arity == 1:
        f, node, const = op.f, op.node, None
        rule = _share(node._rules[0], ())  # type: ignore[attr-defined]  # the rule as the table writes it
    else:
        c = op.default
        f2 = op.f
        f = lambda z: f2(z, c)  # noqa: E731 - the op's own function, its constant put in
        node, const = op.node_x, c
        rule = _share(node._rules[0], (c,))  # type: ignore[attr-defined]
    unfused = type(node.__name__, (_WithZ, node), {"__slots__": ()})
    classes = []
    steps = (_relu_row_step, _relu_const_step) if name == "relu" else (_row_step, _const_step)
    for linear, layout, step in ((Linear, ROW, steps[0]), (LinearConst, LEAVES, steps[1])):
        namespace = {
            "__slots__": (),
            "__doc__": f"{node._op}(w·x + b) as one node, its inputs {'Values' if linear is Linear else 'numbers'}.",
            "_op": node._op,
            "_name": node._name,
            "_kind": node._kind,
            "_layout": layout,
            "_prev": Activated.__dict__["_prev"],  # not the layout's: every look into it unfuses it
            "_linear": linear,
            "_unfused": unfused,
            "_share": staticmethod(rule),
            "_const": const,
            "_backward": step(rule),
        }
        classes.append(type(f"{name}_of_{linear.__name__.lower()}", (Activated,), namespace))
    function = op.function if op.arity == 1 else lambda v: op.function(v)
    return Activation(name, f, classes[0], classes[1], function)


def _share(rule: Rule, const: tuple[Any, ...]) -> Callable[[float, float, float], float]:
    """(g, out, z) -> the gradient the activation's own step gives a weighted sum whose gradient starts at 0.0:
    0.0 + its share of g, as the rule says (0.0 where the rule masks it: nothing is added)."""
    if not const and isinstance(rule, ZeroWhere) and rule.rule == 1.0 and not callable(rule.rule):  # relu
        zero = rule.cond
        return lambda g, out, z: 0.0 if zero(out, z) else 0.0 + g
    pull = pullback(rule)

    def share(g: float, out: float, z: float) -> float:
        s = pull(g, out, z, *const)
        return 0.0 if s is None else 0.0 + s

    return share


# The backward steps: the activation's step (its share of the node's gradient, added to a weighted sum
# whose gradient starts at 0.0), then the weighted sum's (see Linear._backward), one after the other.
def _row_step(rule: Callable[[float, float, float], float]) -> Callable[[Value], None]:
    def step(self: Value) -> None:
        z = self._z  # type: ignore[attr-defined]
        g = rule(self.grad, self.data, z)
        if g == 0.0 and math.isfinite(z):
            return
        params = self._p
        for w, x in zip(params, self._arg._p):
            w.grad += g * x.data
            x.grad += g * w.data
        params[-1].grad += g

    return own_code(step)


def _const_step(rule: Callable[[float, float, float], float]) -> Callable[[Value], None]:
    def step(self: Value) -> None:
        z = self._z  # type: ignore[attr-defined]
        g = rule(self.grad, self.data, z)
        if g == 0.0 and math.isfinite(z):
            return
        params = self._p
        for w, x in zip(params, self._arg):
            w.grad += g * x
        params[-1].grad += g

    return own_code(step)


# ReLU's steps, the commonest, with its rule written in (ZeroWhere(x <= 0, 1.0): the weighted sum gets nothing
# where z <= 0, else 0.0 + g): no call per node. A test checks them against the table's rule, nan and ±inf included.
def _relu_row_step(rule: Callable[[float, float, float], float]) -> Callable[[Value], None]:
    def step(self: Value) -> None:
        z = self._z  # type: ignore[attr-defined]
        if z <= 0.0:  # masked: the weighted sum's gradient stays 0.0 ...
            if z - z == 0.0:  # ... and, z finite, each of its terms would add ±0: nothing to add
                return
            g = 0.0
        else:
            g = 0.0 + self.grad
            if g == 0.0 and z - z == 0.0:  # (z - z is 0 for a finite z, nan for ±inf and nan)
                return
        params = self._p
        for w, x in zip(params, self._arg._p):
            w.grad += g * x.data
            x.grad += g * w.data
        params[-1].grad += g

    return own_code(step)


def _relu_const_step(rule: Callable[[float, float, float], float]) -> Callable[[Value], None]:
    def step(self: Value) -> None:
        z = self._z  # type: ignore[attr-defined]
        if z <= 0.0:
            if z - z == 0.0:
                return
            g = 0.0
        else:
            g = 0.0 + self.grad
            if g == 0.0 and z - z == 0.0:
                return
        params = self._p
        for w, x in zip(params, self._arg):
            w.grad += g * x
        params[-1].grad += g

    return own_code(step)


ACTIVATIONS: dict[str, Activation] = {name: _activation(name) for name in ("relu", "tanh", "sigmoid", "leaky_relu")}


def unfuse_all(nodes: list[Value]) -> bool:
    """Unfuse every fused node among nodes; whether there was any."""
    fused = [v for v in nodes if isinstance(v, Activated)]
    for v in fused:
        v.unfuse()
    return bool(fused)
