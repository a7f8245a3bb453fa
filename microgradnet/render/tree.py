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

from ..engine import Value
from .graph import graph_values, number, shortened, visible


def draw_tree(
    root: Value, *, show_grad: bool = True, precision: int = 4, depth: int | None = None, max_nodes: int = 500
) -> str:
    """root's computation graph as an indented text tree: each op or Value with its data and grad.

    depth draws only the Values at most that many ops from root; max_nodes refuses larger graphs.
    """
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"draw_tree(precision) must be an int from 1 to 17, got {precision!r}")
    nodes = graph_values(root, max_nodes, "draw_tree", depth)
    drawn = set(nodes)
    uses: dict[Value, int] = {}
    for node in nodes:
        for p in node.parents:
            uses[p] = uses.get(p, 0) + 1
    tags: dict[Value, int] = {}
    lines: list[str] = []
    stack: list[tuple[Value | None, str, str, str]] = [(root, "", "", "")]  # node, line prefix, children's, role
    while stack:
        v, head, tail, role = stack.pop()
        if v is None:  # the inputs beyond `depth`
            lines.append(f"{head}{role}")
            continue
        info = v.describe(precision)
        name = _name(v, info.op, info.details)
        name = f"{visible(shortened(role))}: {name}" if role and role != name else name
        if uses.get(v, 0) > 1:
            if v in tags:
                lines.append(f"{head}{name} #{tags[v]} (see above)")
                continue
            tags[v] = len(tags) + 1
            name += f" #{tags[v]}"
        numbers = f"data {number(v.data, precision)}" + (f"  grad {number(v.grad, precision)}" if show_grad else "")
        lines.append(f"{head}{name}  {numbers}")
        children: list[tuple[Value | None, str]] = [(p, r) for p, r in zip(info.parents, info.roles) if p in drawn]
        hidden = len({p for p in info.parents if p not in drawn})
        if hidden:
            children.append((None, f"… {hidden} input{'s' if hidden > 1 else ''}"))
        last = len(children) - 1
        for i, (child, r) in reversed(list(enumerate(children))):
            stack.append((child, tail + ("└─ " if i == last else "├─ "), tail + ("   " if i == last else "│  "), r))
    return "\n".join(lines)


def _name(v: Value, op: str, details: tuple[str, ...]) -> str:
    """'o = tanh' for a labelled op, 'tanh' for an unlabelled one, 'x1' for a leaf, 'leaf' if unlabelled."""
    op = visible(shortened(op)) + (f" ({shortened('; '.join(details))})" if details else "") if op else ""
    label = visible(shortened(v.label))
    if label and op:
        return f"{label} = {op}"
    return label or op or "leaf"
