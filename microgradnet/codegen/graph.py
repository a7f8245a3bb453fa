"""A graph laid out as code: its Values in the order a program computes them, each node's code, its backward lines.

Shared by `to_python` (a program for one graph) and the compiled training step (a model's code for
one sample). Each node writes its own code (`Value.source`, see engine/source.py); what is here
only orders the nodes, names them, and places each node's backward steps, grouping the ones that
share a condition under one `if` (and writing a gradient's first step as an assignment).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..engine import Value
from ..engine.source import NotCompilableError
from .writer import Add, Let, NodeWriter, Scope, comment, identifier, tidy

__all__ = [
    "NodeCode",
    "backward_lines",
    "first_assignments",
    "label_note",
    "name_values",
    "names_in",
    "node_code",
    "tidy",
    "walk",
]

_NAME = re.compile(r"(?<![\w.])[^\W\d]\w*")  # a name (or an attribute: harmless extra)
_ADD = re.compile(r"( *)(\w+) ([-+])= (.*)")  # a backward step: target += c, or target -= c


def walk(roots: Sequence[Value]) -> tuple[list[Value], list[Value]]:
    """The interior nodes of the roots' graph, each after its parents; and its leaves, in the order met."""
    interior: list[Value] = []
    leaves: list[Value] = []
    seen: set[Value] = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack: list[tuple[Value, tuple[Value, ...], int]] = [(root, root.parents, 0)]
        while stack:
            v, parents, i = stack[-1]
            if i < len(parents):
                stack[-1] = (v, parents, i + 1)
                p = parents[i]
                if p not in seen:
                    seen.add(p)
                    stack.append((p, p.parents, 0))
            else:
                stack.pop()
                (interior if parents else leaves).append(v)
    return interior, leaves


def name_values(scope: Scope, values: Iterable[Value], fallback: str = "x") -> dict[Value, str]:
    """A name for each Value (and its `_grad`): its label where that is an identifier, else its op's name."""
    values = list(values)
    names: dict[Value, str] = {}
    for v in values:  # the labelled first, so that they keep their own names
        if v.label and identifier(v.label) is not None:
            names[v] = scope.fresh(v.label, ("", "_grad"))
    for v in values:
        if v not in names:
            hint = v.describe().name if v.parents else fallback
            names[v] = scope.numbered(hint or fallback, ("", "_grad"))
    return names


class NodeCode:
    """One node's code: its value's expression and its backward steps, over its parents' names."""

    def __init__(self, node: Value, writer: NodeWriter) -> None:
        self.node = node
        self.parents = node.parents
        self.expr = writer.expr
        self.steps = writer.steps


def node_code(scope: Scope, v: Value, names: dict[Value, str]) -> NodeCode:
    """What v writes of itself (see engine/source.py), its parents named as `names` says."""
    parents = v.parents
    writer = NodeWriter(scope, [names[p] for p in parents], names.get(v, "out"), names.get(v, "out") + "_grad")
    try:
        v.source(writer)
    except NotCompilableError:
        raise
    except Exception as e:  # a node's own source() went wrong: say which node
        raise NotCompilableError(f"the node {v.describe().op!r} could not write its code: {e}") from e
    if writer.expr is None and parents:
        raise NotCompilableError(f"the node {v.describe().op!r} ({type(v).__name__}) wrote no value in its source()")
    return NodeCode(v, writer)


def label_note(v: Value, name: str) -> str:
    """A comment that gives v's label where the code does not use it as the name."""
    return f"  # {comment(v.label)}" if v.label and v.label != name else ""


def backward_lines(code: NodeCode, grads: dict[Value, str], indent: str) -> list[str]:
    """The node's backward steps as lines: contributions to the parents in `grads` (others are left out), the
    temporaries they use, and the contributions that share a condition under one `if`."""
    steps = [s for s in code.steps if isinstance(s, Let) or code.parents[s.parent] in grads]
    used = " ".join(s.expr + " " + s.when for s in steps if isinstance(s, Add))
    lines: list[str] = []
    block = None  # the condition of the `if` being written
    for step in steps:
        if isinstance(step, Let):
            if _mentions(used, step.name) or any(_mentions(s.expr, step.name) for s in steps if isinstance(s, Let)):
                lines.append(f"{indent}{step.name} = {tidy(step.expr)}")
                block = None
            continue
        target = grads[code.parents[step.parent]]
        line = f"{target} {'-=' if step.subtract else '+='} {tidy(step.expr)}"
        if not step.when:
            lines.append(indent + line)
            block = None
            continue
        if step.when != block:
            lines.append(f"{indent}if {tidy(step.when)}:")
            block = step.when
        lines.append(f"{indent}    {line}")
    return lines


def first_assignments(lines: list[str], targets: set[str], indent: int = 8) -> tuple[list[str], set[str]]:
    """Each target's first `+= c` (`-= c`), where it comes unconditionally (at `indent`) before any other use,
    written as `= c` (`= -c`): the target then needs no 0.0 to start from (a -0.0 contribution stays -0.0,
    which no later sum can tell: every rule is linear in the gradient it passes on)."""
    seen: set[str] = set()
    assigned: set[str] = set()
    out = []
    for line in lines:
        match = _ADD.fullmatch(line)
        if match and len(match[1]) == indent and match[2] in targets and match[2] not in seen:
            lead, name, sign, c = match.groups()
            if sign == "+" or "#" not in c:  # (a comment cannot go inside the parentheses of -(c))
                negated = c if c.isidentifier() else f"({c})"
                line = f"{lead}{name} = {c if sign == '+' else '-' + negated}"
                assigned.add(name)
        seen.update(names_in(line))
        out.append(line)
    return out, assigned


def names_in(line: str) -> list[str]:
    """The names a line of code uses (and the attributes it reads: harmless extra)."""
    return _NAME.findall(line)


def _mentions(text: str, name: str) -> bool:
    """Whether text uses the name (as a whole name, not part of another or an attribute)."""
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) is not None
