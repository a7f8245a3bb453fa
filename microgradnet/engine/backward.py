"""The backward pass, and the walk that orders a graph for it (and for `gradients()`).

The walk goes breadth first from the output, reading each node's parents as its class's layout says
(`layouts.py`). The order in which it reads the nodes is the order of the backward pass, where a node
must come after all of its consumers, since they pass it its gradient. A node that several consumers
queue before its turn is read once, at its first place in the queue, which is after all of them (its
later places are blanked out); a layer's input row, read by all of the layer's neurons, is queued
once. The walk marks what it has queued and read with marks of its own, so it keeps no set of seen
nodes. A mark is a number that no other walk uses, compared with `is`: that holds on every Python,
whether it compares ints by identity (CPython: the node holds the very object) or by value (PyPy),
and unlike a fresh object or list a number is not tracked by the cyclic garbage collector.

Meeting a node that was already read means it came before one of its consumers. That happens only
where a node is reached by paths of different lengths; the nodes are then put in order by counting
consumers (Kahn's algorithm).

The marks and the gradients of a graph are shared by every thread that can reach it, so `backward()`
and `gradients()` hold one lock of the process while they run: from several threads they run one at a
time, a leaf they share accumulates every thread's gradient exactly, and graphs that share nodes give
each call the answer it would give alone. The lock is re-entrant (a backward step of your own may
call them) and, when no other thread wants it, costs two C calls per backward pass (about 1,000
instructions: 3% of a backward over 4 ops, nothing over a network's).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from operator import length_hint
from typing import TYPE_CHECKING

from .layouts import LEAVES, ONE, ROW, ROW_COMPUTED, TWO

if TYPE_CHECKING:
    from .value import Value


_next_mark = itertools.count(1).__next__  # one C call, atomic under the GIL
LOCK = threading.RLock()  # held by backward() and gradients(): one of them at a time in the process
_acquire, _release = LOCK.acquire, LOCK.release  # called, not `with LOCK`: half the cost of a small backward's lock


def interior_nodes(root: Value, reset: bool = False) -> list[Value]:
    """The interior (non-leaf) nodes of root's graph, each one after all of its consumers.

    With reset, each node's grad is set to 0.0 (where backward starts it); without, no grad is touched.
    """
    if not root._p:
        return []
    mark = _next_mark()  # this walk's mark on the nodes it has read
    queued = _next_mark()  # and on a layer's input row that one of the layer's nodes has queued
    queue = [root]
    append = queue.append
    order = iter(queue)
    again = False  # whether a node was queued twice: its later places are then blanked out
    late = False  # whether a node was met again after its parents were read: then Kahn's order is needed
    for v in order:  # the queue grows as parents are found
        if v._seen is mark:  # queued again by another consumer before its turn: read at its first place
            queue[len(queue) - length_hint(order) - 1] = None  # type: ignore[call-overload]
            again = True
            continue
        v._seen = mark
        if reset:
            v.grad = 0.0
        layout = v._layout
        if layout is ONE:
            p = v._p
        elif layout is TWO:
            p = v._p
            if p._p:
                if p._seen is mark:
                    late = True
                else:
                    append(p)
            p = v._arg
        elif layout is ROW:  # the layer's other nodes on this row queue it once, not each
            p = v._arg
            s = p._seen
            if s is mark:
                late = True
            elif s is not queued:
                p._seen = queued
                append(p)
            continue
        elif layout is LEAVES:
            continue
        else:
            for p in _walked_parents(v):
                if p._p:
                    if p._seen is mark:
                        late = True
                    else:
                        append(p)
            continue
        if p._p:  # the one parent of ONE, the second of TWO
            if p._seen is mark:
                late = True
            else:
                append(p)
    nodes = [v for v in queue if v is not None] if again else queue
    return _by_consumers(nodes) if late else nodes


def _walked_parents(v: Value) -> Iterable[Value]:
    """The parents the walk follows: `_prev`, but a layer's shared InputRow rather than its inputs."""
    layout = v._layout
    if layout is ONE:
        return (v._p,)
    if layout is TWO:
        return (v._p, v._arg)
    if layout is ROW:
        return (v._arg,)
    if layout is ROW_COMPUTED:
        return (*v._p, v._arg)
    if layout is LEAVES:
        return ()
    return v._prev


def _by_consumers(nodes: list[Value]) -> list[Value]:
    """The nodes in Kahn's order: a node comes once all of its consumers have come (nodes[0] is the root)."""
    waiting: dict[Value, int] = {}  # a node's consumers among the nodes, as edges (a * a counts twice)
    for v in nodes:
        for p in _walked_parents(v):
            if p._p:
                waiting[p] = waiting.get(p, 0) + 1
    order = [nodes[0]]
    for v in order:
        for p in _walked_parents(v):
            if p._p:
                left = waiting[p] - 1
                waiting[p] = left
                if not left:
                    order.append(p)
    return order


def backward(self: Value) -> None:
    """Compute d self / d v for every Value v in self's graph, into `v.grad`.

    As PyTorch with retain_graph=True: leaves accumulate across calls; every other node's grad
    holds the gradient from this call. Iterative, so graphs of any depth work; from several threads,
    one call at a time.
    """
    _acquire()
    try:
        nodes = interior_nodes(self, reset=True)  # every gradient of this call starts at 0 ...
        if self._p:
            self.grad = 1.0
        else:
            self.grad += 1.0  # ... but a leaf's, which accumulates
        for v in nodes:
            v._backward()
    finally:
        _release()
