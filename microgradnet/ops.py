"""The op table: every primitive of the engine in one row, and the Value methods made from it.

Each row gives an op's symbol, its value on floats, where it is smooth, and its local derivative with
respect to each operand. Each derivative is written once and serves twice: on floats in the ordinary
backward pass, and on Values when a gradient must itself be differentiated (higher-order derivatives),
which is why the rules use `_div`, `_pow`, `log`, `sin` and `cos` below, that accept either. Adding an
op is one row here (and a method name at the end of this module).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from . import ieee
from .engine import Operand, Partials, Value, _constant, _leaf, _new, _tick
from .grad_mode import _off, _state

Rule = Callable[..., Any] | float | str  # a derivative in the table: a function, a number, or "x"/"y"
T = TypeVar("T", "Value", float)


# -- math on floats and Values alike (the derivative rules are written with these) ------------------
def _data(x: Operand) -> float:
    return x.data if isinstance(x, Value) else x


def _div(x: Operand, y: Operand) -> Operand:
    return x / y if isinstance(x, Value) or isinstance(y, Value) else ieee.div(x, y)


def _pow(x: Operand, y: Operand) -> Operand:
    return x**y if isinstance(x, Value) or isinstance(y, Value) else ieee.pow(x, y)


def exp(x: T) -> T:
    """e ** x, for a Value or a float."""
    return x.exp() if isinstance(x, Value) else ieee.exp(x)


def log(x: T) -> T:
    """Natural logarithm of a Value or a float (log 0 = -inf, log of a negative = nan)."""
    return x.log() if isinstance(x, Value) else ieee.log(x)


def sqrt(x: T) -> T:
    """Square root of a Value or a float (nan for negatives)."""
    return x.sqrt() if isinstance(x, Value) else ieee.sqrt(x)


def tanh(x: T) -> T:
    """Hyperbolic tangent of a Value or a float."""
    return x.tanh() if isinstance(x, Value) else ieee.tanh(x)


def sigmoid(x: T) -> T:
    """Logistic sigmoid 1 / (1 + e**-x) of a Value or a float."""
    return x.sigmoid() if isinstance(x, Value) else ieee.sigmoid(x)


def relu(x: T) -> T:
    """max(x, 0) of a Value or a float."""
    return x.relu() if isinstance(x, Value) else ieee.relu(x)


def leaky_relu(x: T, slope: float = 0.01) -> T:
    """x for x > 0, else slope * x, of a Value or a float."""
    return x.leaky_relu(slope) if isinstance(x, Value) else ieee.leaky_relu(x, slope)


def sin(x: T) -> T:
    """Sine of a Value or a float."""
    return x.sin() if isinstance(x, Value) else ieee.sin(x)


def cos(x: T) -> T:
    """Cosine of a Value or a float."""
    return x.cos() if isinstance(x, Value) else ieee.cos(x)


# -- the op table -----------------------------------------------------------------------------------
# name: (symbol, value on floats, where smooth (no kink or singularity), d out/d x[, d out/d y])
# Each derivative is a function of (out, x[, y]), a number where it is constant, or the name of the
# operand it equals ("y": d(x*y)/dx = y). Values at kinks, poles and nan are PyTorch's.
TABLE: dict[str, tuple[Any, ...]] = {
    "neg": ("-", operator.neg, lambda x: True, -1.0),
    "abs": ("abs", abs, lambda x: x != 0, lambda out, x: 1.0 if x > 0 else -1.0 if x < 0 else 0.0),
    "exp": ("exp", ieee.exp, lambda x: True, lambda out, x: out),
    "log": ("log", ieee.log, lambda x: x > 0, lambda out, x: _div(1.0, x)),
    "sqrt": ("sqrt", ieee.sqrt, lambda x: x > 0, lambda out, x: _div(0.5, out)),
    "tanh": ("tanh", ieee.tanh, lambda x: True, lambda out, x: 1.0 - out * out),
    "sigmoid": ("sigmoid", ieee.sigmoid, lambda x: True, lambda out, x: out * (1.0 - out)),
    "relu": ("ReLU", ieee.relu, lambda x: x != 0, lambda out, x: 0.0 if x <= 0 else 1.0),
    "sin": ("sin", ieee.sin, lambda x: True, lambda out, x: cos(x)),
    "cos": ("cos", ieee.cos, lambda x: True, lambda out, x: -sin(x)),
    "add": ("+", operator.add, lambda x, y: True, 1.0, 1.0),
    "sub": ("-", operator.sub, lambda x, y: True, 1.0, -1.0),
    "mul": ("*", operator.mul, lambda x, y: True, "y", "x"),
    "div": ("/", ieee.div, lambda x, y: y != 0, lambda out, x, y: _div(1.0, y), lambda out, x, y: -_div(out, y)),
    "pow": ("**", ieee.pow, lambda x, y: x > 0,
            lambda out, x, y: 0.0 if _data(y) == 0 and not _data(x) > 0 else y * _pow(x, y - 1.0),
            lambda out, x, y: 0.0 if _data(x) == 0 and _data(y) >= 0 else out * log(x)),
    "leaky_relu": ("leaky_relu", ieee.leaky_relu, lambda x, slope: x != 0,
                   lambda out, x, slope: 1.0 if x > 0 else slope, lambda out, x, slope: 0.0 if x > 0 else x),
}  # fmt: skip


class Op:
    """One primitive of the table, with the node classes that record it in a graph."""

    def __init__(self, name: str, symbol: str, f: Callable[..., float], smooth: Callable[..., bool],
                 *rules: Rule) -> None:  # fmt: skip
        self.name, self.symbol, self.f, self.smooth = name, symbol, f, smooth
        self.derivatives = tuple(_rule(r) for r in rules)  # each a function of (out, x[, y])
        self.arity = len(rules)
        # node: every operand a Value; node_x: x a Value, constant y; node_y: constant x, y a Value
        if self.arity == 1:
            self.node = _unary_node(name, symbol, *rules)
        else:
            self.node, self.node_x, self.node_y = _binary_nodes(name, symbol, *rules)

    def __repr__(self) -> str:
        return f"Op({self.name!r}, symbol={self.symbol!r}, arity={self.arity})"


def _rule(d: Rule) -> Callable[..., Operand]:
    """A derivative rule as a function of (out, x[, y]), a constant or an operand's name included."""
    if callable(d):
        return d
    if isinstance(d, str):
        return (lambda out, x, y: x) if d == "x" else (lambda out, x, y: y)
    c = d
    return lambda out, *operands: c


def _unary_node(name: str, symbol: str, rule: Rule) -> type[Value]:
    dx = _rule(rule)
    dx_float = cast(Callable[..., float], dx)  # on floats, a rule returns a float
    c = rule if isinstance(rule, float) else None  # a constant derivative: no call for it

    class Node(Value):  # op(x), x in _p
        __slots__ = ()
        _op, _name, _arity = symbol, name, 1

        @property
        def _prev(self) -> tuple[Value, ...]:
            return (self._p,)

        def _partials(self, graph: bool) -> Partials:
            x = self._p
            return (dx(self, x),) if graph else (dx(self.data, x.data),)

        if c is None:

            def _backward(self) -> None:
                x = self._p
                x.grad += self.grad * dx_float(self.data, x.data)

        else:

            def _backward(self) -> None:
                self._p.grad += self.grad * c

    Node.__name__ = Node.__qualname__ = name
    return Node


def _binary_nodes(name: str, symbol: str, rule_x: Rule, rule_y: Rule) -> tuple[type[Value], ...]:
    dx, dy = _rule(rule_x), _rule(rule_y)

    class Node(Value):  # x op y: x in _p, y in _arg
        __slots__ = ()
        _op, _name, _arity = symbol, name, 2
        _backward = _step_xy(rule_x, rule_y)

        @property
        def _prev(self) -> tuple[Value, ...]:
            return (self._p, self._arg)

        def _partials(self, graph: bool) -> Partials:
            x, y = self._p, self._arg
            if graph:
                return dx(self, x, y), dy(self, x, y)
            out, xd, yd = self.data, x.data, y.data
            return dx(out, xd, yd), dy(out, xd, yd)

    class NodeX(Node):  # x op constant: x in _p, the constant in _arg
        __slots__ = ()
        _const, _arity = "y", 1
        _backward = _step_const(rule_x, const_first=False)

        @property
        def _prev(self) -> tuple[Value, ...]:
            return (self._p,)

        def _partials(self, graph: bool) -> Partials:
            x = self._p
            return (dx(self, x, self._arg),) if graph else (dx(self.data, x.data, self._arg),)

    class NodeY(Node):  # constant op y: y in _p, the constant in _arg
        __slots__ = ()
        _const, _arity = "x", 1
        _backward = _step_const(rule_y, const_first=True)

        @property
        def _prev(self) -> tuple[Value, ...]:
            return (self._p,)

        def _partials(self, graph: bool) -> Partials:
            y = self._p
            return (dy(self, self._arg, y),) if graph else (dy(self.data, self._arg, y.data),)

    for cls, suffix in ((Node, ""), (NodeX, "_const_y"), (NodeY, "_const_x")):
        cls.__name__ = cls.__qualname__ = name + suffix
    return Node, NodeX, NodeY


# A binary node's backward step, made for the way its rules are written: a rule that is a number or
# names an operand needs no call (the step of + multiplies by 1.0, the step of * reads the other operand).
def _step_xy(rule_x: Rule, rule_y: Rule) -> Callable[[Value], None]:
    """The backward step of x op y, both Values (x in _p, y in _arg)."""
    if (rule_x, rule_y) == (1.0, 1.0):  # a sum: the gradient passes to both unchanged

        def step(self: Value) -> None:
            g = self.grad
            self._p.grad += g
            self._arg.grad += g

    elif (rule_x, rule_y) == (1.0, -1.0):  # a difference (y.grad - g is y.grad + g * -1.0, bit for bit)

        def step(self: Value) -> None:
            g = self.grad
            self._p.grad += g
            self._arg.grad -= g

    elif isinstance(rule_x, float) and isinstance(rule_y, float):
        cx, cy = rule_x, rule_y

        def step(self: Value) -> None:
            g = self.grad
            self._p.grad += g * cx
            self._arg.grad += g * cy

    elif rule_x == "y" and rule_y == "x":  # a product

        def step(self: Value) -> None:
            g = self.grad
            x = self._p
            y = self._arg
            x.grad += g * y.data
            y.grad += g * x.data

    else:
        dx, dy = cast(Callable[..., float], rule_x), cast(Callable[..., float], rule_y)  # on floats, floats

        def step(self: Value) -> None:
            x = self._p
            y = self._arg
            g = self.grad
            out = self.data
            xd = x.data
            yd = y.data
            x.grad += g * dx(out, xd, yd)
            y.grad += g * dy(out, xd, yd)

    return step


def _step_const(rule: Rule, const_first: bool) -> Callable[[Value], None]:
    """The backward step of v op c (or c op v if const_first), c a constant: v in _p, c in _arg."""
    if isinstance(rule, float):
        c = rule

        def step(self: Value) -> None:
            self._p.grad += self.grad * c

    elif rule == ("x" if const_first else "y"):  # the derivative is the constant: d(v * c)/dv = c

        def step(self: Value) -> None:
            self._p.grad += self.grad * self._arg

    else:
        d = cast(Callable[..., float], rule)

        if const_first:

            def step(self: Value) -> None:
                v = self._p
                v.grad += self.grad * d(self.data, self._arg, v.data)

        else:

            def step(self: Value) -> None:
                v = self._p
                v.grad += self.grad * d(self.data, v.data, self._arg)

    return step


OPS: dict[str, Op] = {name: Op(name, *row) for name, row in TABLE.items()}
NEG, ABS, EXP, LOG, SQRT, TANH, SIGMOID, RELU, SIN, COS = (OPS[n] for n in
    ("neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos"))  # fmt: skip
ADD, SUB, MUL, DIV, POW, LEAKY_RELU = (OPS[n] for n in ("add", "sub", "mul", "div", "pow", "leaky_relu"))


# -- the Value methods made from the table: each builds its node in one call ------------------------
def _unary_method(op: Op) -> Callable[[Value], Value]:
    """The Value method `op(self)`, making its node in one call."""
    f, cls = op.f, op.node

    def method(self: Value) -> Value:
        data = f(self.data)
        if _off[0] and not _state.enabled:
            return _leaf(data)
        v: Value = _new(cls)  # _node inlined: a call less per node
        v.data = data
        v.grad = 0.0
        v.label = ""
        v._p = self
        v._arg = None
        v._n = _tick()
        return v

    return method


def _unary_each(op: Op, xs: Sequence[Value]) -> list[Value]:
    """op (unary) on each of xs, a node each: a layer's activations in one loop, not a call per neuron."""
    f = op.f
    if _off[0] and not _state.enabled:
        return [_leaf(f(x.data)) for x in xs]
    cls = op.node
    out = []
    for x in xs:
        v: Value = _new(cls)  # as in _unary_method
        v.data = f(x.data)
        v.grad = 0.0
        v.label = ""
        v._p = x
        v._arg = None
        v._n = _tick()
        out.append(v)
    return out


def _binary_methods(op: Op) -> tuple[Callable[[Value, Operand], Value], Callable[[Value, Operand], Value]]:
    """The Value methods `self op other` and, for a plain-number other, `other op self`."""
    f, node, node_x, node_y = op.f, op.node, op.node_x, op.node_y

    def method(self: Value, other: Operand) -> Value:
        if isinstance(other, Value):
            cls = node
            data = f(self.data, other.data)
            arg: Operand | None = other  # the second parent
        else:
            arg = other if type(other) is float else _constant(other)  # the constant
            if arg is None:
                return NotImplemented  # type: ignore[no-any-return]
            cls = node_x
            data = f(self.data, arg)
        if _off[0] and not _state.enabled:
            return _leaf(data)
        v: Value = _new(cls)  # _node inlined: the hottest path of graph building
        v.data = data
        v.grad = 0.0
        v.label = ""
        v._p = self
        v._arg = arg
        v._n = _tick()
        return v

    def reflected(self: Value, other: Operand) -> Value:  # other is not a Value: Python asked it first
        arg = other if type(other) is float else _constant(other)
        if arg is None:
            return NotImplemented  # type: ignore[no-any-return]
        data = f(arg, self.data)
        if _off[0] and not _state.enabled:
            return _leaf(data)
        v: Value = _new(node_y)
        v.data = data
        v.grad = 0.0
        v.label = ""
        v._p = self
        v._arg = arg
        v._n = _tick()
        return v

    return method, reflected


# The methods, named as Python's operators and the functions above want them.
for _op, _names in [(NEG, ["__neg__"]), (ABS, ["__abs__"]), (EXP, ["exp"]), (LOG, ["log"]), (SQRT, ["sqrt"]),
                    (TANH, ["tanh"]), (SIGMOID, ["sigmoid"]), (RELU, ["relu"]), (SIN, ["sin"]), (COS, ["cos"]),
                    (ADD, ["__add__", "__radd__"]), (SUB, ["__sub__", "__rsub__"]), (MUL, ["__mul__", "__rmul__"]),
                    (DIV, ["__truediv__", "__rtruediv__"]), (POW, ["__pow__", "__rpow__"])]:  # fmt: skip
    _made = _binary_methods(_op) if _op.arity == 2 else (_unary_method(_op),)
    _docs = [f"self {_op.symbol} other", f"other {_op.symbol} self"] if _op.arity == 2 else [f"{_op.name}(self)"]
    for _method_name, _method, _doc in zip(_names, _made, _docs):
        _method.__name__, _method.__qualname__ = _method_name, f"Value.{_method_name}"
        _method.__doc__ = f"{_doc}, recorded in the graph."
        setattr(Value, _method_name, _method)
_leaky_relu = _binary_methods(LEAKY_RELU)[0]


def _leaky_relu_method(self: Value, slope: Operand = 0.01) -> Value:
    """x for x > 0, else slope * x; the slope may be a number or a Value (then it is learnt)."""
    out = _leaky_relu(self, slope)
    if out is NotImplemented:
        raise TypeError(f"leaky_relu(slope) must be a real number or a Value, got {type(slope).__name__}")
    return out


_leaky_relu_method.__name__, _leaky_relu_method.__qualname__ = "leaky_relu", "Value.leaky_relu"
setattr(Value, "leaky_relu", _leaky_relu_method)  # noqa: B010 - as the other methods, after the class
