"""`gradients(output, inputs)`: derivatives as Values, leaving every `.grad` as it is (torch.autograd.grad).

With `create_graph=True` each gradient is itself a graph over the inputs, built from the nodes' own
partials as Values, so it can be differentiated again: this is where higher-order derivatives
come from (`functional.grad` nests it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .backward import LOCK, interior_nodes
from .make import leaf
from .value import Operand, Value


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
    grads: dict[Value, Any] = {output: 1.0}
    with LOCK:  # the walk's marks, and a lecture node's partials, must not meet another thread's backward
        for v in interior_nodes(output):
            g = grads.get(v)
            if g is None:
                continue
            for parent, share in zip(v._prev, v._vjp(g, create_graph)):
                if share is None:  # a masked derivative: an exact 0 flows on, as in backward() and PyTorch
                    share = 0.0
                old = grads.get(parent)
                grads[parent] = share if old is None else old + share
    return tuple(_as_value(grads.get(x, 0.0)) for x in inputs)


def _as_value(x: Operand) -> Value:
    return x if isinstance(x, Value) else leaf(x)
