"""Node layouts: what a node class keeps in its two operand slots, `_p` and `_arg`, declared once here.

A node's parents and its op's data share two slots rather than a tuple each, which keeps a node of
one or two parents at six slots and no tuple. Which slot holds what depends on the node class: the
class names its layout in its `_layout` attribute, and everything that reads a node's operands (the
walk in backward.py, `_prev`) goes by that layout alone. The table below is the whole list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = ["LAYOUTS", "LEAF", "LEAVES", "MANY", "ONE", "ROW", "ROW_COMPUTED", "TWO", "Layout"]


class Layout(NamedTuple):
    """Where a node class keeps its parents and its op's data: what its two operand slots hold."""

    name: str
    p: str  # what the slot `_p` holds
    arg: str  # what the slot `_arg` holds
    prev: Callable[[Any], tuple[Any, ...]]  # `_prev`, the parents in operand order, from the two slots


def _params_then_inputs(v: Any) -> tuple[Any, ...]:
    params = v._p
    return (*params[:-1], *v._arg._p, params[-1])


# fmt: off
LEAF = Layout("leaf",
              p="()", arg="None", prev=lambda v: ())
ONE = Layout("one",
             p="the parent",
             arg="the op's data: None, or its plain-number operand (x * 2, 2 - x)",
             prev=lambda v: (v._p,))
TWO = Layout("two",
             p="the first parent",
             arg="the second parent",
             prev=lambda v: (v._p, v._arg))
MANY = Layout("many",
              p="the tuple of parents",
              arg="the op's data: None, or what it needs (a loss's targets)",
              prev=lambda v: v._p)
LEAVES = Layout("leaves",
                p="the tuple of parents, all of them leaves (the walk need not look at them)",
                arg="the op's data (a neuron's plain-number inputs)",
                prev=lambda v: v._p)
ROW = Layout("row",
             p="(w1..wn, b): a neuron's parameters, all of them leaves",
             arg="an InputRow node holding its inputs (x1..xn), one shared by a layer's nodes on one input row",
             prev=_params_then_inputs)
ROW_COMPUTED = Layout("row_computed",
                      p="(w1..wn, b), some of them computed (not leaves)",
                      arg="an InputRow, as in ROW",
                      prev=_params_then_inputs)
# fmt: on
LAYOUTS = (LEAF, ONE, TWO, MANY, LEAVES, ROW, ROW_COMPUTED)
