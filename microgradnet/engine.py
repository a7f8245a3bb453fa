"""The Value: a scalar that records how it was computed, and reverse-mode autodiff over its graph.

Every primitive is one row of the op table further down: its symbol, its value on floats, where it is
smooth, and its local derivative with respect to each operand. Each derivative is written once and
serves twice: on floats in the ordinary backward pass, and on Values when a gradient must itself be
differentiated (higher-order derivatives), which is why the rules use `_div`, `_pow`, `log`, `sin` and
`cos` below, that accept either.

A node's class is its op: the table makes one small `Value` subclass per primitive, so a node stores
only its data, grad, label and operands, and needs no closure. Its operands take two slots: `_p` holds
its parent (or, for a node of many, the tuple of them) and `_arg` its second parent, its plain-number
operand, or its extra data; `_prev`, the tuple of its parents, is made from them when asked for. So a
node of one or two parents costs no tuple, and graphs are freed by reference counting alone. A node
also keeps its number in the order of creation (`_n`): made after its parents, it comes after them,
so `backward()` orders a graph by sorting its nodes, at C speed, rather than by a depth-first search.
"""

from __future__ import annotations

import itertools
import numbers
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, SupportsFloat, TypeVar, Union, cast

from . import ieee
from .grad_mode import _off, _state

Operand = Union["Value", float]
Partials = Sequence[Any]  # floats in the ordinary backward pass; Values or floats when building a graph
Rule = Callable[..., Any] | float | str  # a derivative in the op table: a function, a number, or "x"/"y"
T = TypeVar("T", "Value", float)


class Value:
    """A real number that remembers the operations that produced it, so gradients can flow back."""

    __slots__ = ("data", "grad", "label", "_p", "_arg", "_n")
    _op: ClassVar[str] = ""  # the op's symbol; '' for a leaf
    _name: ClassVar[str] = ""  # the op's name in the table ('mul', 'tanh', 'sum', 'linear'); '' for a leaf
    _const: ClassVar[str] = ""  # which operand is the plain-number constant in _arg: 'x', 'y' or ''
    _arity: ClassVar[int] = 0  # parents kept in _p (1) or in _p and _arg (2); 0: _p is the tuple of them
    # What a node class promises the sort about its parents, so that it need not look at leaves: all
    # are leaves, or all but the inputs x1..xn in _arg are (a neuron whose w and b are parameters).
    _leaf_parents: ClassVar[bool] = False
    _leaf_params: ClassVar[bool] = False

    data: float
    grad: float
    label: str
    _p: Any  # see the module's docstring
    _arg: Any
    _n: int  # a node's number in the order of creation (a leaf has none)

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The parents, in operand order (a leaf has none)."""
        return self._p  # type: ignore[no-any-return]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _VALUE_TYPES.add(cls)

    def __init__(self, data: SupportsFloat, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value(label) must be a str, got {type(label).__name__}: {label!r:.60}")
        self.data = data if type(data) is float else _real(data, "Value(data)")
        self.grad = 0.0
        self.label = label
        self._p = ()
        self._arg = None

    def __setstate__(self, state: tuple[None, dict[str, Any]]) -> None:
        """Restore a pickled or copied Value; a node takes a new number, after its parents' (restored first)."""
        for name, value in state[1].items():
            setattr(self, name, value)
        if self._p:
            self._n = _tick()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self._op!r}" if self._op else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label}{op})"

    # -- arithmetic and functions: one method per op of the table, each made from its row further
    # down (`_binary_methods`, `_unary_method`) so that building a node is one call. A plain number
    # on either side of an operator becomes the node's constant operand, not a node of its own.
    if TYPE_CHECKING:
        # fmt: off
        def __add__(self, other: Operand) -> Value: ...
        def __radd__(self, other: Operand) -> Value: ...
        def __sub__(self, other: Operand) -> Value: ...
        def __rsub__(self, other: Operand) -> Value: ...
        def __mul__(self, other: Operand) -> Value: ...
        def __rmul__(self, other: Operand) -> Value: ...
        def __truediv__(self, other: Operand) -> Value: ...
        def __rtruediv__(self, other: Operand) -> Value: ...
        def __pow__(self, other: Operand) -> Value: ...
        def __rpow__(self, other: Operand) -> Value: ...
        def __neg__(self) -> Value: ...
        def __abs__(self) -> Value: ...
        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def sqrt(self) -> Value: ...
        def tanh(self) -> Value: ...
        def sigmoid(self) -> Value: ...
        def relu(self) -> Value: ...
        def sin(self) -> Value: ...
        def cos(self) -> Value: ...
        # fmt: on

    def __pos__(self) -> Value:
        return self

    def leaky_relu(self, slope: Operand = 0.01) -> Value:
        """x for x > 0, else slope * x; the slope may be a number or a Value (then it is learnt)."""
        out = _leaky_relu(self, slope)
        if out is NotImplemented:
            raise TypeError(f"leaky_relu(slope) must be a real number or a Value, got {type(slope).__name__}")
        return out

    # -- comparisons look at data; == stays identity, so Values can live in sets and dicts ---------
    # fmt: off
    def __lt__(self, other: Operand) -> bool: return self.data < _cmp(other)
    def __le__(self, other: Operand) -> bool: return self.data <= _cmp(other)
    def __gt__(self, other: Operand) -> bool: return self.data > _cmp(other)
    def __ge__(self, other: Operand) -> bool: return self.data >= _cmp(other)
    # fmt: on

    # -- autodiff ----------------------------------------------------------------------------------
    def detach(self) -> Value:
        """A new leaf with the same data, cut off from this graph."""
        return _leaf(self.data)

    def _partials(self, graph: bool) -> Partials:
        """d self / d parent for each parent in `_prev` (floats, or Values if `graph`); a leaf has none."""
        return ()

    def _backward(self) -> None:
        """One step of the chain rule: add self.grad * d self/d parent to each parent's grad."""
        g = self.grad
        for parent, d in zip(self._prev, self._partials(False)):
            parent.grad += g * d

    def backward(self) -> None:
        """Compute d self / d v for every Value v in self's graph, into `v.grad`.

        As PyTorch with retain_graph=True: leaves accumulate across calls; every other node's grad
        holds the gradient from this call. Iterative, so graphs of any depth work.
        """
        nodes = _topological_order(self, reset=True)
        if self._p:
            self.grad = 1.0
        else:
            self.grad += 1.0
        for v in nodes:
            v._backward()


_VALUE_TYPES: set[type] = {Value}  # Value and every subclass: whole tuples are type-checked against it at C speed
_FLOAT = frozenset([float])
_LEAF = frozenset([Value])  # a Value of exactly this class is a leaf; every op node is of a subclass
_tick = itertools.count(1).__next__  # the next node's number: one C call, atomic under the GIL
_number = operator.attrgetter("_n")


def _topological_order(root: Value, reset: bool = False) -> list[Value]:
    """The interior (non-leaf) nodes of root's graph, each one before all of its parents.

    The nodes are found by walking from root (each once: leaves are never taken), then sorted by their
    number, newest first: a node is always newer than its parents. No recursion, no stack of pending
    work. With reset, each node's grad is set to 0 on the way (backward's fresh start).
    """
    if not root._p:
        return []
    nodes = [root]
    seen = {root}
    for v in nodes:  # the list grows as parents are found: each node is looked at once
        if reset:
            v.grad = 0.0
        cls = type(v)
        arity = cls._arity
        if arity:  # one or two parents, in _p and _arg (a node's _p is a Value or a non-empty tuple)
            p = v._p
            if p._p and p not in seen:
                seen.add(p)
                nodes.append(p)
            if arity == 2:
                p = v._arg
                if p._p and p not in seen:
                    seen.add(p)
                    nodes.append(p)
            continue
        if cls._leaf_parents:  # an input layer's neuron: all its parents are leaves
            continue
        if cls._leaf_params:  # a neuron: only its inputs x1..xn, in _arg, can be nodes
            prev = v._arg
            if seen.issuperset(prev):  # the layer's other neurons have found them: one check at C speed
                continue
        else:
            prev = v._prev
        for p in prev:
            if p._p and p not in seen:
                seen.add(p)
                nodes.append(p)
    nodes.sort(key=_number, reverse=True)
    return nodes


def gradients(output: Value, inputs: Sequence[Value], *, create_graph: bool = False) -> tuple[Value, ...]:
    """d output / d x for each x in inputs, as Values, leaving every `.grad` untouched.

    With create_graph=True each gradient is itself a node of a graph over the inputs and can be
    differentiated again (like `torch.autograd.grad(..., create_graph=True)`).
    """
    if not isinstance(output, Value):
        raise TypeError(f"gradients(output) must be a Value, got {type(output).__name__}")
    for x in inputs:
        if not isinstance(x, Value):
            raise TypeError(f"gradients(inputs) must all be Values, got {type(x).__name__}: {x!r:.60}")
    grads: dict[Value, Operand] = {output: 1.0}
    for v in _topological_order(output):
        g = grads.get(v)
        if g is None:
            continue
        for parent, d in zip(v._prev, v._partials(create_graph)):
            contribution = g * d
            old = grads.get(parent)
            grads[parent] = contribution if old is None else old + contribution
    return tuple(_as_value(grads.get(x, 0.0)) for x in inputs)


# -- making nodes -----------------------------------------------------------------------------------
_new = object.__new__


def _node(cls: type[Value], data: float, prev: tuple[Value, ...], arg: Any = None) -> Value:
    """A node of class `cls` (an op of many parents) over `prev`, or a plain leaf when grad mode is off."""
    if _off[0] and not _state.enabled:
        cls, prev, arg = Value, (), None
    v: Value = _new(cls)
    v.data = data  # one statement per slot: quicker than one assignment of a tuple
    v.grad = 0.0
    v.label = ""
    v._p = prev
    v._arg = arg
    v._n = _tick()
    return v


def _leaf(data: float) -> Value:
    """A leaf holding an already validated float."""
    v: Value = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._p = ()
    v._arg = None
    return v


def _as_value(x: Operand) -> Value:
    return x if isinstance(x, Value) else _leaf(x)


def _real(x: object, where: str) -> float:
    """x as a float if it is a real number (int, float, numpy scalar, Fraction...), else TypeError."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return ieee.as_float(x)  # type: ignore[arg-type]
    hint = " (use .data for its number)" if isinstance(x, Value) else ""
    raise TypeError(f"{where} must be a real number (int or float), got {type(x).__name__}: {x!r:.60}{hint}")


def _constant(x: object) -> float | None:
    """x as a float if it is a plain real number, None if it is not a number at all."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, Value)):
        return ieee.as_float(x)  # type: ignore[arg-type]
    return None


def _cmp(other: Operand) -> float:
    if isinstance(other, Value):
        return other.data
    c = _constant(other)
    if c is None:
        raise TypeError(f"cannot compare a Value with {type(other).__name__}: {other!r:.60}")
    return c


def _unary_each(op: Op, xs: Sequence[Value]) -> list[Value]:
    """op (unary) on each of xs, a node each: a layer's activations in one loop, not a call per neuron."""
    f = op.f
    if _off[0] and not _state.enabled:
        return [_leaf(f(x.data)) for x in xs]
    cls = op.node
    out = []
    for x in xs:
        v: Value = _new(cls)  # _node inlined, as in _unary_method
        v.data = f(x.data)
        v.grad = 0.0
        v.label = ""
        v._p = x
        v._arg = None
        v._n = _tick()
        out.append(v)
    return out


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
    if isinstance(rule_x, float) and isinstance(rule_y, float):
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
