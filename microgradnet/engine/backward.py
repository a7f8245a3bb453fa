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
where a node is reached by paths of different lengths (a transformer's residuals and its cache of
keys, an input read by many neurons through sums of different depths); the walk then stops and the
graph is walked again depth first, as micrograd does but without recursion: a node comes once all of
the nodes it feeds have come (reversed postorder), each parent explored in operand order.

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
from collections.abc import Sequence
from operator import length_hint
from typing import TYPE_CHECKING

from .layouts import LEAVES, ONE, ROW, ROW_COMPUTED, TWO

if TYPE_CHECKING:
    from .value import Value


_next_mark = itertools.count(1).__next__  # one C call, atomic under the GIL
_next_quiet_mark = itertools.count(-1, -1).__next__  # walks that set no grad (gradients()) mark below 0
LOCK = threading.RLock()  # held by backward() and gradients(): one of them at a time in the process
_acquire, _release = LOCK.acquire, LOCK.release  # called, not `with LOCK`: half the cost of a small backward's lock


def interior_nodes(root: Value, reset: bool = False) -> list[Value]:
    """The interior (non-leaf) nodes of root's graph, each one after all of its consumers.

    Breadth first; where that order fails (a node met again after it was read), depth first instead.
    With reset, each node's grad is set to 0.0 (where backward starts it); without, no grad is touched.
    """
    if not root._p:
        return []
    mark = _next_mark() if reset else _next_quiet_mark()  # this walk's mark on the nodes it has read
    queued = _next_mark()  # and on a layer's input row that one of the layer's nodes has queued
    queue = [root]
    append = queue.append
    order = iter(queue)
    again = False  # whether a node was queued twice: its later places are then blanked out
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
                    break
                append(p)
            p = v._arg
        elif layout is ROW:  # the layer's other nodes on this row queue it once, not each
            p = v._arg
            s = p._seen
            if s is mark:
                break
            if s is not queued:
                p._seen = queued
                append(p)
            continue
        elif layout is LEAVES:
            continue
        else:
            for p in _walked_parents(v):
                if p._p:
                    if p._seen is mark:
                        break
                    append(p)
            else:
                continue
            break
        if p._p:  # the one parent of ONE, the second of TWO
            if p._seen is mark:  # read already, before this consumer of it: the order does not work
                break
            append(p)
    else:  # every node came after all of its consumers
        return [v for v in queue if v is not None] if again else queue
    return _depth_first(root, reset)  # a node was read before one of its consumers: walk again, depth first


def backward_order(root: Value) -> list[Value]:
    """The interior nodes of root's graph in the order backward() runs their steps, each after all of its
    consumers; it changes no grad, and leaves backward_reached() as it was for root's graph."""
    reached = backward_reached(root)
    nodes = interior_nodes(root)  # a walk that sets no grad: it marks the nodes as not reached by backward()
    if reached:
        mark = _next_mark()
        for v in nodes:
            v._seen = mark  # as backward() from root would have left them
    return nodes


def backward_reached(v: Value) -> bool:
    """Whether the latest walk through v was a backward() pass, which set its grad; False for a leaf."""
    mark = getattr(v, "_seen", None)  # a leaf has no mark; a node not walked yet has None
    return type(mark) is int and mark > 0


def _depth_first(root: Value, reset: bool) -> list[Value]:
    """The interior nodes in reversed postorder of a depth-first walk (micrograd's order), without recursion.

    A node on the stack is entered (its parents pushed, the first on top) the first time it is on top,
    and put in the order the next time, when all of its parents are; copies of it pushed by other
    consumers meanwhile are dropped when they come up.
    """
    entered = _next_mark()
    done = _next_mark() if reset else _next_quiet_mark()  # the mark it leaves, as the first walk's
    order: list[Value] = []
    add = order.append
    stack = [root]
    push = stack.append
    pop = stack.pop
    while stack:
        v = stack[-1]
        s = v._seen
        if s is entered:  # its parents are all done
            pop()
            v._seen = done
            add(v)
            continue
        if s is done:  # a copy pushed by another consumer before its turn
            pop()
            continue
        v._seen = entered
        if reset:
            v.grad = 0.0
        layout = v._layout
        if layout is ONE:
            p = v._p
            if p._p and p._seen is not done:
                push(p)
        elif layout is TWO:
            p = v._arg  # pushed first: the first operand is explored first
            if p._p and p._seen is not done:
                push(p)
            p = v._p
            if p._p and p._seen is not done:
                push(p)
        elif layout is ROW:
            p = v._arg
            if p._seen is not done:
                push(p)
        elif layout is not LEAVES:
            for p in reversed(_walked_parents(v)):
                if p._p and p._seen is not done:
                    push(p)
    order.reverse()
    return order


def _walked_parents(v: Value) -> Sequence[Value]:
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
