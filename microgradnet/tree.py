"""Drawing a Value's computation graph as text: an indented tree of ops with data and grad.

It needs nothing installed, so it works in terminals, logs and doctests::

    >>> from microgradnet import Value, draw_tree
    >>> a = Value(3.0, label="a")
    >>> c = (a * a) * 3
    >>> c.backward()
    >>> print(draw_tree(c))
    * 3  data 27  grad 1
    └─ *  data 9  grad 3
       ├─ a #1  data 3  grad 18
       └─ a #1 (see above)

A Value used more than once (here `a`, in `a * a`) is written out once and tagged `#k`; later uses
refer back to it, so shared subgraphs are not repeated and the text stays as large as the graph.
"""

from __future__ import annotations

from .engine import Value
from .walk import graph_nodes, number, op_lines, operand_roles, visible


def draw_tree(root: Value, *, show_grad: bool = True, precision: int = 4, max_nodes: int = 500) -> str:
    """root's computation graph as an indented text tree: each op or Value with its data and grad."""
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"draw_tree(precision) must be an int from 1 to 17, got {precision!r}")
    nodes = graph_nodes(root, max_nodes, "draw_tree")
    uses: dict[Value, int] = {}
    for v in nodes:
        for p in v._prev:
            uses[p] = uses.get(p, 0) + 1
    tags: dict[Value, int] = {}
    lines: list[str] = []
    stack: list[tuple[Value, str, str, str]] = [(root, "", "", "")]  # node, line prefix, children's prefix, role
    while stack:
        v, head, tail, role = stack.pop()
        name = _name(v, precision)
        name = f"{role}: {name}" if role and role != name else name
        if uses.get(v, 0) > 1:
            if v in tags:
                lines.append(f"{head}{name} #{tags[v]} (see above)")
                continue
            tags[v] = len(tags) + 1
            name += f" #{tags[v]}"
        numbers = f"data {number(v.data, precision)}" + (f"  grad {number(v.grad, precision)}" if show_grad else "")
        lines.append(f"{head}{name}  {numbers}")
        last = len(v._prev) - 1
        for i, (p, r) in reversed(list(enumerate(zip(v._prev, operand_roles(v))))):
            stack.append((p, tail + ("└─ " if i == last else "├─ "), tail + ("   " if i == last else "│  "), r))
    return "\n".join(lines)


def _name(v: Value, precision: int) -> str:
    """'o = tanh' for a labelled op, 'tanh' for an unlabelled one, 'x1' for a leaf, 'leaf' if unlabelled."""
    lines = op_lines(v, precision)
    op = lines[0] + (f" ({'; '.join(lines[1:])})" if len(lines) > 1 else "") if lines else ""
    label = visible(v.label)
    if label and op:
        return f"{label} = {op}"
    return label or op or "leaf"
