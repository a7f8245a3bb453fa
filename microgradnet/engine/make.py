"""Where every node is made: `new_node`, and its twins inlined where a call less per node pays.

A node is made by `new_node(cls, data, p, arg)`, or by one of its inlined twins below: `leaf`, the
Value methods that the op table makes (`unary_method`, `binary_methods`) and `new_nodes` for a
layer's many nodes. Building a node is the commonest thing the engine does, and a call less per node
is what the benchmarks measure most, so each twin repeats new_node's six statements and its test of
the grad mode, and says so; a test checks that every path sets the same slots.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .grad_mode import _off, _state
from .value import Operand, Value, _constant

F = TypeVar("F", bound=Callable[..., Any])

_new = object.__new__


def new_node(cls: type[Value], data: float, p: Any, arg: Any = None) -> Value:
    """A node of class `cls` holding `data`, its operand slots as its layout says; a plain leaf under `no_grad`."""
    if _off[0] and not _state.enabled:
        return leaf(data)
    v: Value = _new(cls)
    v.data = data  # one statement per slot: quicker than one assignment of a tuple
    v.grad = 0.0
    v.label = ""
    v._p = p
    v._arg = arg
    v._seen = None
    return v


def leaf(data: float) -> Value:
    """A leaf holding an already checked float (twin of new_node for the layout LEAF, which needs no `_seen`)."""
    v: Value = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._p = ()
    v._arg = None
    return v


def empty(cls: type[Value]) -> Callable[[], Value]:
    """The call that makes an empty node of a node class (the makers below; new_node takes any class).

    It is `cls()`: Value.__init_subclass__ gives a node class object's __init__, and so calling the class costs
    about 300 instructions less than `object.__new__(cls)`, a fifth of making a node."""
    return cls


def new_nodes(cls: type[Value], datas: Sequence[float], ps: Sequence[Any], arg: Any = None) -> list[Value]:
    """new_node(cls, data, p, arg) for each (data, p) pair: a layer's nodes in one loop (twin of new_node)."""
    if _off[0] and not _state.enabled:
        return [leaf(data) for data in datas]
    new = empty(cls)
    out = []
    for data, p in zip(datas, ps):
        v: Value = new()
        v.data = data
        v.grad = 0.0
        v.label = ""
        v._p = p
        v._arg = arg
        v._seen = None
        out.append(v)
    return out


def new_activated(
    cls: type[Value], f: Callable[[float], float], zs: Sequence[float], ps: Sequence[Any], arg: Any = None
) -> list[Value]:
    """new_node(cls, f(z), p, arg) for each (z, p) pair, each keeping z (a weighted sum before its activation)
    in the slot `_z` of its class (twin of new_node)."""
    if _off[0] and not _state.enabled:
        return [leaf(f(z)) for z in zs]
    new = empty(cls)
    out = []
    for z, p in zip(zs, ps):
        v: Value = new()
        v.data = f(z)
        v.grad = 0.0
        v.label = ""
        v._p = p
        v._arg = arg
        v._seen = None
        v._z = z  # type: ignore[attr-defined]
        out.append(v)
    return out


def new_relu_activated(
    cls: type[Value], f: Callable[[float], float], zs: Sequence[float], ps: Sequence[Any], arg: Any = None
) -> list[Value]:
    """new_activated for f = relu, its rule written in (no call per node): twin of new_activated."""
    if _off[0] and not _state.enabled:
        return [leaf(f(z)) for z in zs]
    new = empty(cls)
    out = []
    for z, p in zip(zs, ps):
        v: Value = new()
        v.data = 0.0 if z <= 0.0 else z  # floats.relu(z): a nan stays nan
        v.grad = 0.0
        v.label = ""
        v._p = p
        v._arg = arg
        v._seen = None
        v._z = z  # type: ignore[attr-defined]
        out.append(v)
    return out


def own_code(fn: F) -> F:
    """fn with a code object of its own. CPython keeps a function's attribute caches in its code object,
    so a function made once per op (a method, a backward step) then specialises to that op's classes."""
    fn.__code__ = fn.__code__.replace()
    return fn


def copy_function(fn: F) -> F:
    """A copy of fn with a code object of its own (see own_code), for one caller's classes."""
    copy = types.FunctionType(fn.__code__.replace(), fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__doc__, copy.__qualname__ = fn.__doc__, fn.__qualname__
    return copy  # type: ignore[return-value]


def unary_method(f: Callable[[float], float], cls: type[Value]) -> Callable[[Value], Value]:
    """The Value method op(self): a node of `cls` over self (new_node inlined: its twin)."""
    new = empty(cls)

    def method(self: Value) -> Value:
        data = f(self.data)
        if _off[0] and not _state.enabled:
            return leaf(data)
        v: Value = new()
        v.data = data
        v.grad = 0.0
        v.label = ""
        v._p = self
        v._arg = None
        v._seen = None
        return v

    return own_code(method)


def binary_methods(
    f: Callable[[float, float], float], node: type[Value], node_x: type[Value], node_y: type[Value]
) -> tuple[Callable[[Value, Operand], Value], Callable[[Value, Operand], Value]]:
    """The Value methods `self op other` and `other op self` (other a plain number): new_node inlined, twice."""
    new, new_x, new_y = empty(node), empty(node_x), empty(node_y)

    def method(self: Value, other: Operand) -> Value:
        if isinstance(other, Value):  # layout TWO: other is the second parent
            data = f(self.data, other.data)
            if _off[0] and not _state.enabled:
                return leaf(data)
            v: Value = new()  # each class gets statements of its own: their caches stay with one class
            v.data = data
            v.grad = 0.0
            v.label = ""
            v._p = self
            v._arg = other
            v._seen = None
            return v
        c = other if type(other) is float else _constant(other)
        if c is None:
            return NotImplemented  # type: ignore[no-any-return]
        data = f(self.data, c)
        if _off[0] and not _state.enabled:
            return leaf(data)
        v = new_x()  # layout ONE: the constant y is the op's data
        v.data = data
        v.grad = 0.0
        v.label = ""
        v._p = self
        v._arg = c
        v._seen = None
        return v

    def reflected(self: Value, other: Operand) -> Value:  # other is not a Value: Python asked it first
        arg = other if type(other) is float else _constant(other)
        if arg is None:
            return NotImplemented  # type: ignore[no-any-return]
        data = f(arg, self.data)
        if _off[0] and not _state.enabled:
            return leaf(data)
        v: Value = new_y()  # layout ONE: the constant x is the op's data
        v.data = data
        v.grad = 0.0
        v.label = ""
        v._p = self
        v._arg = arg
        v._seen = None
        return v

    return own_code(method), own_code(reflected)
