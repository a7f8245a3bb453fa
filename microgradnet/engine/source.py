"""Nodes as code: how a node writes its value and its backward step as Python source.

A code generator (`microgradnet.to_python`, the compiled training step) walks a graph and asks each
node to write itself with `node.source(writer)`, as a drawing asks it to `describe()` itself. The
node says, in Python text over names the writer gives it, how its value is computed from its
operands and what its backward step adds to each operand's gradient, in the order its own float
step adds it, so that the code reproduces the engine's numbers bit for bit. Its rules are written
by the writer from the very objects the engine computes with (`writer.call(rule, ...)`): a rule
that is one expression is inlined, any other is called. A node that cannot be written so raises
`NotCompilableError`, saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["NotCompilableError", "SourceWriter"]


class NotCompilableError(TypeError):
    """A node, model or loss that cannot be written as generated code (the message says why)."""


class SourceWriter(Protocol):
    """What a node writes its code with. Every text it is given or returns is a Python expression."""

    out: str  # the node's value
    grad: str  # the node's gradient: the upstream gradient of its backward step

    def operand(self, i: int) -> str:
        """The value of the node's i-th parent (in `parents` order)."""

    def constant(self, c: float) -> str:
        """A plain number the node keeps as its op's data (a constant operand, a target)."""

    def call(self, fn: Callable[..., Any], *args: str) -> str:
        """fn applied to args: fn's own expression inlined where it is one expression, else a call of fn."""

    def value(self, expr: str) -> None:
        """The node's value is expr."""

    def let(self, hint: str, expr: str) -> str:
        """A name for expr, computed once in the backward step before the gradients that follow."""

    def add(self, i: int, expr: str, *, when: str = "", subtract: bool = False) -> None:
        """Add expr to the gradient of parent i (subtract it if `subtract`), only where `when` holds if given."""
