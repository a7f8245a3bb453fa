"""Backpropagation through a graph, step by step, as numbers: what `explain()` prints and the step-through page plays.

The forward pass lists the Values each after those it is computed from. The backward pass takes
the interior nodes in the very order `backward()` runs their steps (`engine.backward_order`), and
for each one writes the chain rule with the node's own rule (`Value.rule`): each parent receives
upstream gradient × local derivative, and a parent fed by several nodes adds up its contributions.
The gradients are recomputed here, in floats and in the engine's order, so no `.grad` changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ..engine import LocalRule, Value, backward_order
from .graph import graph_values, visible


class Contribution(NamedTuple):
    """One term of the chain rule: `parent.grad += node.grad · local = amount`."""

    parent: Value
    role: str  # the parent's role in the op ('x', 'base', 'w0'), or ''
    formula: str  # the local derivative d node / d parent as a formula of names
    local: float  # its number
    amount: float  # upstream gradient × local
    total: float  # the parent's gradient once this term is added
    before: float | None  # the parent's gradient before it, None if this is its first term


class Step(NamedTuple):
    """One node's backward step: its gradient (complete by now) passed on to each of its parents."""

    node: Value
    formula: str  # the node's value as a formula of its parents' names
    grad: float
    terms: tuple[Contribution, ...]


class Trace:
    """A graph's forward values and backward steps, with a name for every Value (its label where it has one)."""

    def __init__(self, root: Value, *, max_nodes: int, caller: str, names: Mapping[Value, str] | None = None) -> None:
        self.root = root
        self.values = graph_values(root, max_nodes, caller)
        self.names = _names(self.values, names or {})
        drawn = set(self.values)
        order = [v for v in backward_order(root) if v in drawn]  # not the engine's bookkeeping nodes
        self.rules: dict[Value, LocalRule] = {v: self.rule(v) for v in self.values if v.parents}
        self.received: dict[Value, list[tuple[Value, float]]] = {}  # value -> (consumer, amount), in order
        self.grads: dict[Value, float] = {root: 1.0}
        self.steps = [self._step(v) for v in order]
        self.reading = _reading(self.values, drawn)

    def rule(self, v: Value, precision: int = 4) -> LocalRule:
        """v's rule written with the trace's names."""
        return v.rule(self.names[v], [self.names[p] for p in v.parents], precision)

    def _step(self, v: Value) -> Step:
        g = self.grads.get(v, 0.0)
        info = v.describe()
        rule = self.rules[v]
        terms = []
        for p, role, formula, local in zip(info.parents, info.roles, rule.derivatives, rule.values):
            amount = g * local
            before = self.grads.get(p)
            total = amount if before is None else before + amount
            self.grads[p] = total
            self.received.setdefault(p, []).append((v, amount))
            terms.append(Contribution(p, role, formula, local, amount, total, before))
        return Step(v, rule.formula, g, tuple(terms))

    def grad(self, v: Value) -> float:
        """v's gradient from this backward pass (as if every grad started at 0)."""
        return self.grads.get(v, 0.0)

    def forward_formula(self, v: Value, precision: int) -> str:
        """'x1 * w1 = 2 * (-3)': v's formula in names, then in its parents' numbers ('' for a leaf)."""
        if not v.parents:
            return ""
        numbers = [number(p.data, precision) for p in v.parents]  # a negative one gets its parentheses from rule()
        in_numbers = v.rule(self.names[v], numbers, precision).formula
        return f"{self.rules[v].formula} = {in_numbers}"

    def sum_by_path(self, v: Value, precision: int) -> str:
        """'3 (via b) + 7.389 (via c) = 10.39' where v received several terms, else its gradient."""
        received = self.received.get(v, [])
        total = number(self.grad(v), precision)
        if len(received) < 2:
            return total
        terms = [(f"{number(abs(amount), precision)} (via {self.names[c]})", amount) for c, amount in received]
        return f"{added(terms, precision)} = {total}"


def number(x: float, precision: int) -> str:
    """x to `precision` significant digits, a zero without its sign: 0.7071, -1.5, 0, inf."""
    return format(x if x else 0.0, f".{precision}g")


def added(terms: list[tuple[str, float]], precision: int) -> str:
    """Terms (text, value) added up as text, each negative one subtracted: '3 (via b) - 7.389 (via c)'."""
    out = ""
    for i, (text, value) in enumerate(terms):
        negative = value < 0
        if i == 0:
            out = f"-{text}" if negative else text
        else:
            out += f" - {text}" if negative else f" + {text}"
    return out


def _reading(values: list[Value], drawn: set[Value]) -> list[Value]:
    """values in the order to read a forward pass in: each leaf just before the first value computed from it (an
    MLP's list starts with its first layer, not with the weights of its last, whose neuron comes first in the graph)."""
    out: list[Value] = []
    placed: set[Value] = set()
    for v in values:
        if v.parents:
            for p in v.parents:
                if not p.parents and p in drawn and p not in placed:
                    out.append(p)
                    placed.add(p)
            out.append(v)
    return out + [v for v in values if not v.parents and v not in placed]  # a root that is a leaf


def _names(values: list[Value], given: Mapping[Value, Any]) -> dict[Value, str]:
    """A distinct name for each Value: its label, else a given name (a parameter's), else v1, v2, ... by place."""
    names: dict[Value, str] = {}
    taken: set[str] = set()
    wanted = [visible(v.label) or str(given.get(v, "")) for v in values]
    reserved = set(wanted)
    for i, (v, name) in enumerate(zip(values, wanted)):
        if not name:
            name = f"v{i + 1}"
            while name in reserved:
                name += "′"
        while name in taken:  # two Values of the same label
            name += "′"
        taken.add(name)
        names[v] = name
    return names
