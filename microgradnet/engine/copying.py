"""`pickle` and `copy.deepcopy` of any Value, whatever the depth of its graph.

Both go through `Value.__reduce__` (below): a node is rebuilt from its class, its numbers and its two
operand slots. The op table's node classes are made at run time, so they are named by their op
(`OPS[name]`): an op added with `defop` pickles too, and loads where that op is defined.

Saving a node saves its operands first, which for a chain of n ops would go n calls deep and fail
(pickle and deepcopy recurse). So the first node saved lists its interior ancestors, each after its
parents, ahead of its own operands: pickle saves them in that order, each finds its parents already
saved (its own listing is skipped: it is pending), and the recursion stays a few calls deep. Shared
nodes stay shared, within a graph and between Values saved together (a model and its loss).
"""

from __future__ import annotations

import threading
from typing import Any

from .backward import _walked_parents
from .op_nodes import OpNode
from .ops import OPS
from .value import LectureNode, Value

__all__ = ["reduce"]


class _Pending(threading.local):
    ids: set[int]

    def __init__(self) -> None:
        self.ids = set()


_pending = _Pending()  # the nodes listed ahead by a node being saved in this thread: they need not list theirs


def reduce(v: Value) -> tuple[Any, ...]:
    """v's __reduce__: how pickle and copy.deepcopy rebuild it, its ancestors listed ahead of it."""
    cls = type(v)
    if cls is Value:
        return _leaf, (v.data, v.grad, v.label)
    if cls is LectureNode:
        raise TypeError(
            f"cannot pickle or copy the node {v._op!r}: it was made with micrograd's Value(data, _children, _op), "
            "and its backward step is a Python function tied to the original nodes; define the op with "
            "microgradnet.defop, whose nodes can be pickled and copied"
        )
    ids = _pending.ids
    if id(v) in ids:  # listed ahead by a node being saved: its parents are saved already
        ids.discard(id(v))
        ancestors: list[Value] | None = None
        done = None
    else:
        ancestors = _interior_ancestors(v)
        listed = [id(a) for a in ancestors]
        ids.update(listed)
        done = _Listed(listed)
    ref = (cls._name, cls._const) if issubclass(cls, OpNode) else cls
    return _node, (ancestors, done, ref, v.data, v.grad, v.label, v._p, v._arg)


def _interior_ancestors(root: Value) -> list[Value]:
    """The nodes root is computed from that are not leaves, each after its parents; root not included."""
    order: list[Value] = []
    seen = {root}
    stack = [(root, iter(_walked_parents(root)))]
    while stack:
        v, parents = stack[-1]
        for p in parents:
            if p._p and p not in seen:
                seen.add(p)
                stack.append((p, iter(_walked_parents(p))))
                break
        else:
            stack.pop()
            order.append(v)
    order.pop()  # root, last
    return order


class _Listed:
    """Saved right after a node's listed ancestors: by then each was saved, so none is pending any more."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids

    def __reduce__(self) -> tuple[Any, ...]:
        _pending.ids.difference_update(self.ids)
        return type(None), ()


def _leaf(data: float, grad: float, label: str) -> Value:
    v = Value(data, label=label)
    v.grad = grad
    return v


def _node(ancestors: object, done: object, ref: Any, data: float, grad: float, label: str, p: Any, arg: Any) -> Value:
    """A node rebuilt from its class (or its op's name and which operand is a constant), numbers and slots."""
    cls = _op_class(*ref) if isinstance(ref, tuple) else ref
    v: Value = object.__new__(cls)
    v.data, v.grad, v.label, v._p, v._arg, v._seen = data, grad, label, p, arg, None
    return v


def _op_class(name: str, const: str) -> type[Value]:
    op = OPS.get(name)
    if op is None:
        raise ValueError(
            f"cannot load a node of the op {name!r}: no op of that name is defined in this process; "
            f"define it with microgradnet.defop({name!r}, ...) before loading"
        )
    return {"": op.node, "y": op.node_x, "x": op.node_y}[const]
