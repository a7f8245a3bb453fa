"""The public door for new primitives: everything outside the engine defines its ops through here.

- `defop(name, f, *derivatives)` adds an elementwise op: one row of the op table (see ops.py). A
  derivative may also be `Divides(by)` (1/by, the gradient divided by `by`) or `ZeroWhere(cond, rule)`
  (an exact 0 where cond holds: an infinite gradient stops there), as in the table's own rows.
- `FusedNode` is the base class of a node of many operands computed in one go: a sum, a loss over a
  batch. A subclass says what drawings call it (`symbol`, `name`), its local derivatives
  (`partials`), and optionally a fast float backward step (`accumulate`), its operands' roles and
  extra lines for drawings; `cls.make(data, parents, arg)` builds one (a plain leaf under no_grad).
- `new_node`, `all_values`, `to_float` and `type_name` are what such code needs to build nodes and
  check input (`type_name` says "a Value" of any node, whose class, such as Linear, is the engine's own).

Example, a loss node of your own (mean absolute error)::

    class MAE(FusedNode):
        symbol, name = "MAE", "mae"
        def partials(self, graph):
            n = len(self.parents)
            return [(1.0 if p.data > t else -1.0) / n for p, t in zip(self.parents, self.arg)]
        def roles(self):
            return [f"t = {t:g}" for t in self.arg]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from .layouts import MANY
from .make import new_node
from .op_nodes import Divides, ZeroWhere
from .ops import defop
from .value import NodeInfo, Partials, Value, all_values, to_float, type_name

__all__ = [
    "Divides",
    "FusedNode",
    "NodeInfo",
    "ZeroWhere",
    "all_values",
    "defop",
    "new_node",
    "to_float",
    "type_name",
]


class FusedNode(Value):
    """A node of many operands (its `parents`, a tuple) and whatever data its op needs (its `arg`)."""

    __slots__ = ()
    _layout = MANY
    symbol: ClassVar[str] = "?"  # what a drawing writes in its op node
    name: ClassVar[str] = ""  # the op's name (tooltips, NodeInfo.name); the class name in lower case if ''
    kind: ClassVar[str] = "op"  # 'sum' if it adds its parents up (drawings group such nodes with them)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._op = cls.symbol
        cls._name = cls.name or cls.__name__.lower()
        cls._kind = cls.kind
        if "accumulate" in cls.__dict__:  # its own float backward step: the engine calls it directly
            cls._backward = cls.__dict__["accumulate"]  # type: ignore[method-assign]

    @classmethod
    def make(cls, data: float, parents: Iterable[Value], arg: Any = None) -> Value:
        """A node of this class holding data over parents (Values) with the op's data arg; a leaf under no_grad."""
        return new_node(cls, data, tuple(parents), arg)

    @property
    def arg(self) -> Any:
        """The op's own data, as given to `make`."""
        return self._arg

    def partials(self, graph: bool) -> Partials:
        """d self / d parent for each parent: floats, or (graph) Values over the parents that can be differentiated;
        None where a parent gets no gradient at all (an exact 0 that an infinite gradient does not turn into nan)."""
        raise NotImplementedError(f"{type(self).__name__} must define partials(self, graph)")

    def accumulate(self) -> None:
        """The backward step: add self.grad * d self / d parent to each parent's grad."""
        g = self.grad
        for parent, d in zip(self._p, self.partials(False)):
            if d is not None:  # None: this parent gets no gradient (an exact 0)
                parent.grad += g * d

    def roles(self) -> Sequence[str]:
        """A name per parent for drawings ('y = 1', 'w0'), or '' where the order does not matter."""
        return ("",) * len(self._p)

    def details(self) -> Sequence[str]:
        """Lines a drawing shows under the symbol."""
        n = len(self._p)
        return (f"{n} term{'s' if n != 1 else ''}",)

    def describe(self, precision: int = 4) -> NodeInfo:
        """What this node's op node shows in a drawing, its parents and their roles."""
        return NodeInfo(self.symbol, tuple(self.details()), self._p, tuple(self.roles()), self.kind, self._name)

    def _partials(self, graph: bool) -> Partials:
        return self.partials(graph)

    def _backward(self) -> None:
        self.accumulate()
