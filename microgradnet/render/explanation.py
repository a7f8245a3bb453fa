"""`explain(root)`: backpropagation through root's graph written out as the chain rule, in numbers.

    >>> from microgradnet import Value, explain
    >>> a = Value(2.0, label="a")
    >>> b = a * 3; b.label = "b"
    >>> c = a.exp(); c.label = "c"
    >>> d = b + c; d.label = "d"
    >>> print(str(explain(d)).splitlines()[-1])
      a.grad = 3 (via b) + 7.389 (via c) = 10.39

First the forward values in order, then each backward step as `backward()` runs it: each parent's
`grad += upstream grad · local derivative`, the derivative written with the op's own rule. A Value
that feeds several others shows its gradient as the sum of its contributions by path. Nothing in
the graph changes, not even a `.grad`.
"""

from __future__ import annotations

import sys
from typing import Any

from ..engine import Value
from ..engine.extend import atom
from .clusters import parameter_names
from .trace import Step, Trace, added, number

__all__ = ["Explanation", "explain"]

MAX_TERMS = 8  # a backward step lists at most this many of its parents
LONG = 100  # a forward formula longer than this is not repeated in numbers


class Explanation:
    """The trace of backpropagation through a graph; `str()` (or `print`) gives its text."""

    def __init__(self, trace: Trace, precision: int, limit: int | None) -> None:
        self.trace, self.precision, self.limit = trace, precision, limit

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        t = self.trace
        sizes = f"{_count(len(t.values), 'value')}, {_count(len(t.steps), 'backward step')}"
        return f"<explain({t.names[t.root]}): {sizes}; print() it>"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython and Jupyter show the text itself
        p.text(str(self))

    def lines(self) -> list[str]:
        """The text, line by line."""
        t, limit = self.trace, self.limit
        root = t.names[t.root]
        sizes = f"{_count(len(t.values), 'value')}, {_count(len(t.steps), 'backward step')}"
        out = [f"Backpropagation through {root}: {sizes}."]
        out += ["", "Forward pass, each value computed from those above it:"]
        out += _shown([f"  {self.forward(v)}" for v in t.reading], limit, "value", keep_end=True)
        if not t.steps:
            out += ["", f"{root} is a leaf: {atom(root)}.grad = 1, and there is nothing to pass it on to."]
            return out
        out += ["", f"Backward pass, in the order backward() runs it (each node after all that use it), from "
                f"{atom(root)}.grad = 1:"]  # fmt: skip
        steps = t.steps if limit is None else t.steps[:limit]
        for step in steps:
            out += self.step(step)
        if len(steps) < len(t.steps):
            out.append(f"  … {_count(len(t.steps) - len(steps), 'more step')} left out{_all()}")
        leaves = [v for v in t.reading if not v.parents]
        out += ["", "Gradients of the leaves:"]
        out += _shown([f"  {atom(t.names[v])}.grad = {t.sum_by_path(v, self.precision)}" for v in leaves], limit,
                      "leaf", keep_end=False)  # fmt: skip
        return out

    def forward(self, v: Value) -> str:
        """'o = tanh(n) = tanh(0.8814) = 0.7071', or 'x1 = 2' for a leaf."""
        t, p = self.trace, self.precision
        formula = t.forward_formula(v, p)
        if len(formula) > LONG:
            formula = t.rules[v].formula
        return f"{t.names[v]} = {formula + ' = ' if formula else ''}{number(v.data, p)}"

    def step(self, step: Step) -> list[str]:
        """The lines of one backward step: its node, how its gradient was summed, and each parent's term."""
        t, p = self.trace, self.precision
        node = t.names[step.node]
        summed = t.sum_by_path(step.node, p) if step.node is not t.root else "1"
        lines = [f"  at {node} = {step.formula}, with {atom(node)}.grad = {summed}:"]
        upstream = f"{atom(node)}.grad"
        for i, term in enumerate(step.terms):
            if self.limit is not None and i == MAX_TERMS and len(step.terms) > MAX_TERMS + 1:
                lines.append(f"    … {_count(len(step.terms) - i, 'more parent')} left out{_all()}")
                break
            parent = f"{atom(t.names[term.parent])}.grad"
            line = (f"    {parent} += {upstream} · {atom(term.formula)} = {atom(number(step.grad, p))} · "
                    f"{atom(number(term.local, p))} = {number(term.amount, p)}")  # fmt: skip
            if term.before is not None:  # it had a term already: the sum so far
                so_far = added([(number(abs(x), p), x) for x in (term.before, term.amount)], p)
                line += f", so {parent} = {so_far} = {number(term.total, p)}"
            lines.append(line)
        return lines


def explain(root: Value, *, precision: int = 4, limit: int | None = 40, module: Any = None) -> Explanation:
    """The chain rule through root's graph in numbers: its forward values, then each backward step.

    Shows at most `limit` values, backward steps and leaves (None: all), saying what it leaves out;
    module (anything with `named_parameters()`, such as an `nn.MLP`) names the unlabelled parameters.
    No `.grad` changes.
    """
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"explain(precision) must be an int from 1 to 17, got {precision!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"explain(limit) must be None or a positive int, got {limit!r}")
    names = parameter_names(module, "explain(module)") if module is not None else {}
    return Explanation(Trace(root, max_nodes=sys.maxsize, caller="explain", names=names), precision, limit)


def _count(n: int, what: str) -> str:
    if n == 1:
        return f"1 {what}"
    return f"{n} {what[:-1] + 'ves' if what.endswith('leaf') else what + 's'}"


def _all() -> str:
    return " (explain(root, limit=None) shows all)"


def _shown(lines: list[str], limit: int | None, what: str, keep_end: bool) -> list[str]:
    """At most `limit` of the lines, the first (and, with keep_end, the last), saying how many are left out."""
    if limit is None or len(lines) <= limit:
        return lines
    head = (limit + 1) // 2 if keep_end else limit
    tail = lines[len(lines) - (limit - head) :] if keep_end and limit > head else []
    gap = f"  … {_count(len(lines) - head - len(tail), what)} left out{_all()}"
    return [*lines[:head], gap, *tail]
