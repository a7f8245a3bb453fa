"""The Value: a scalar that records how it was computed, and reverse-mode autodiff over its graph.

Its operators and functions (+, *, tanh, ...) are the rows of the op table in `ops.py`, which makes
them Value methods; this module holds what every node shares: its layout, backward and `gradients`.

A node's class is its op: the table makes one small `Value` subclass per primitive, so a node stores
only its data, grad, label and operands, and needs no closure. Its operands take two slots: `_p` holds
its parent (or, for a node of many, the tuple of them) and `_arg` its second parent, its plain-number
operand, or its extra data; `_prev`, the tuple of its parents, is made from them when asked for. So a
node of one or two parents costs no tuple, and graphs are freed by reference counting alone. A node
also keeps its number in the order of creation (`_n`): made after its parents, it comes after them,
so `backward()` orders a graph whose nodes are shared by sorting them at C speed, rather than by a
depth-first search (a tree of ops needs no sort at all).
"""

from __future__ import annotations

import itertools
import numbers
import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, SupportsFloat, Union

from . import ieee
from .grad_mode import _off, _state

Operand = Union["Value", float]
Partials = Sequence[Any]  # floats in the ordinary backward pass; Values or floats when building a graph


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

    # -- arithmetic and functions: one method per op of the table, each made from its row in ops.py
    # so that building a node is one call. A plain number on either side of an operator becomes the
    # node's constant operand, not a node of its own.
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
        def leaky_relu(self, slope: Operand = 0.01) -> Value: ...
        # fmt: on

    def __pos__(self) -> Value:
        return self

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
        nodes = _topological_order(self, True)
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

    A walk from root finds each node once: it marks a node by setting its grad to this walk's own
    float 0.0 (a new object, so `grad is mark` tells this walk's nodes), which is also where backward
    wants every node to start (reset); without reset the grads are put back afterwards. If no node
    was met twice, the nodes form a tree and the walk's order already puts each after its one
    consumer; otherwise they are sorted by number, newest first (a node is newer than its parents).
    """
    if not root._p:
        return []
    mark = float(0)
    saved = None if reset else [root.grad]
    root.grad = mark
    nodes = [root]
    rows: set[int] | None = None  # the input rows (shared tuples) of neurons already walked
    shared = False  # whether a node has two consumers (or one consumer twice): then the walk is sorted
    try:
        for v in nodes:  # the list grows as parents are found
            cls = type(v)
            arity = cls._arity
            if arity:  # one or two parents, in _p and _arg (a node's _p is a Value or a non-empty tuple)
                p = v._p
                if p._p:
                    if p.grad is mark:
                        shared = True
                    else:
                        if saved is not None:
                            saved.append(p.grad)
                        p.grad = mark
                        nodes.append(p)
                if arity == 2:
                    p = v._arg
                    if p._p:
                        if p.grad is mark:
                            shared = True
                        else:
                            if saved is not None:
                                saved.append(p.grad)
                            p.grad = mark
                            nodes.append(p)
                continue
            if cls._leaf_parents:  # an input layer's neuron: all its parents are leaves
                continue
            if cls._leaf_params:  # a neuron: only its inputs x1..xn, in _arg, can be nodes
                prev = v._arg
                if rows is None:
                    rows = set()
                elif id(prev) in rows:  # the layer's other neurons on this row have walked them
                    shared = True
                    continue
                rows.add(id(prev))
            else:
                prev = v._prev
            for p in prev:
                if p._p:
                    if p.grad is mark:
                        shared = True
                    else:
                        if saved is not None:
                            saved.append(p.grad)
                        p.grad = mark
                        nodes.append(p)
    finally:
        if saved is not None:  # the caller wanted the order only: every grad as it was
            for v, g in zip(nodes, saved):
                v.grad = g
    if shared:
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
