"""Expressions over the engine's ops as small trees: evaluated on Values or on floats, printed as formulas.

A tree is made of `Input(i)` (the variable xᵢ), `Constant(c)` and `Apply(op, args)` where op is a name
in the op table (`microgradnet.OPS`). `Expression` pairs a tree with a point inside the domain of every
op in it; `microgradnet.testing.strategies.expressions()` draws them at random.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, overload

from ..engine import OPS, Op, Value

Operand = Value | float
Apply_ = Callable[..., Any]  # (op name, *operands) -> result

# ops that Python writes as operators; every other op is a Value method of the same name
OPERATORS: dict[str, Callable[..., Any]] = {
    "neg": operator.neg,
    "abs": abs,
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": operator.pow,
}
_INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


def apply_op(name: str, *args: Operand) -> Operand:
    """Op `name` of the table on args: on floats its float value, with any Value operand a Value node."""
    op = _op(name)
    if len(args) != op.arity:
        raise TypeError(f"op {name!r} takes {op.arity} operand(s), got {len(args)}")
    if not any(isinstance(a, Value) for a in args):
        return float(op.f(*args))
    if name in OPERATORS:
        return OPERATORS[name](*args)  # type: ignore[no-any-return]
    return op.function(*args)  # type: ignore[no-any-return]


def _op(name: str) -> Op:
    try:
        return OPS[name]
    except KeyError:
        raise ValueError(f"unknown op {name!r}; the ops are {', '.join(OPS)}") from None


@dataclass(frozen=True)
class Input:
    """The variable x<index>."""

    index: int

    def evaluate(self, xs: Sequence[Any], apply: Apply_ = apply_op) -> Any:
        """This node's value when the inputs are xs."""
        return xs[self.index]

    def __str__(self) -> str:
        return f"x{self.index}"


@dataclass(frozen=True)
class Constant:
    """A plain number."""

    value: float

    def evaluate(self, xs: Sequence[Any], apply: Apply_ = apply_op) -> Any:
        """This node's value (always the constant)."""
        return self.value

    def __str__(self) -> str:
        return repr(self.value)


@dataclass(frozen=True)
class Apply:
    """An op of the table applied to sub-expressions."""

    op: str
    args: tuple[Node, ...]

    def evaluate(self, xs: Sequence[Any], apply: Apply_ = apply_op) -> Any:
        """This node's value when the inputs are xs; `apply(op, *operands)` computes each op."""
        return apply(self.op, *(a.evaluate(xs, apply) for a in self.args))

    def __str__(self) -> str:
        return _format(self, nested=False)


Node = Input | Constant | Apply


def _format(node: Node, nested: bool) -> str:
    """The formula for node; `nested` when it is an operand of an operator, so it may need parentheses."""
    if isinstance(node, Constant):
        return f"({node.value!r})" if nested and math.copysign(1.0, node.value) < 0 else str(node)
    if not isinstance(node, Apply):
        return str(node)
    if node.op in _INFIX and len(node.args) == 2:
        x, y = (_format(a, nested=True) for a in node.args)
        text = f"{x} {_INFIX[node.op]} {y}"
    elif node.op == "neg":
        text = f"-{_format(node.args[0], nested=True)}"
    else:
        return f"{node.op}({', '.join(_format(a, nested=False) for a in node.args)})"
    return f"({text})" if nested else text


def nodes(node: Node) -> list[Node]:
    """Every node of the tree, the root first."""
    found: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        found.append(n)
        if isinstance(n, Apply):
            stack.extend(reversed(n.args))
    return found


@dataclass(frozen=True, repr=False)
class Expression:
    """A tree over x0..x{n-1} and a point `inputs` inside the domain of every op in it; call it like f(*xs)."""

    tree: Node
    inputs: tuple[float, ...]

    @overload
    def __call__(self, *xs: Value) -> Value: ...
    @overload
    def __call__(self, *xs: float) -> float: ...
    @overload
    def __call__(self, *xs: Operand) -> Operand: ...
    def __call__(self, *xs: Operand) -> Operand:
        """The expression at xs: a Value if any of xs is a Value, else a float (the op table's float values)."""
        if len(xs) != len(self.inputs):
            raise TypeError(f"{self.tree} takes {len(self.inputs)} input(s), got {len(xs)}")
        out = self.tree.evaluate(xs)
        if any(isinstance(x, Value) for x in xs) and not isinstance(out, Value):
            return Value(out)  # the tree uses no input: a constant
        return out  # type: ignore[no-any-return]

    @property
    def ops(self) -> tuple[str, ...]:
        """The names of the ops in the tree, root first."""
        return tuple(n.op for n in nodes(self.tree) if isinstance(n, Apply))

    @property
    def leaves(self) -> int:
        """How many inputs and constants the tree has."""
        return sum(1 for n in nodes(self.tree) if not isinstance(n, Apply))

    def __str__(self) -> str:
        return str(self.tree)

    def __repr__(self) -> str:
        point = ", ".join(f"x{i}={x!r}" for i, x in enumerate(self.inputs))
        return f"{self.tree} at {point}"


def well_conditioned(op: Op, args: Sequence[float], *, margin: float = 1e-2, bound: float = 100.0) -> bool:
    """Whether op is smooth all around args (within ±margin; 0 included if that near), its value and
    local derivatives finite and within ±bound: where finite differences of it can be trusted."""
    nearby = [sorted({a - margin, a, a + margin} | ({0.0} if abs(a) <= margin else set())) for a in args]
    domain = op.domain
    if domain is None:  # an op added without a domain: nowhere known to be smooth
        return False
    try:
        if not all(domain(*p) for p in itertools.product(*nearby)):
            return False
        out = op.f(*args)
        partials = [d(out, *args) for d in op.derivatives]
    except (ArithmeticError, ValueError):
        return False
    return all(isinstance(v, float) and math.isfinite(v) and abs(v) <= bound for v in (out, *partials))
