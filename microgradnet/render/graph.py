"""What a drawing shows of a Value's graph: its Values in a fixed order, and how numbers and text are written.

Both drawings (`draw_dot` and `draw_tree`) read the graph through here, and each node through its
own `describe()`: the node says what its op node shows (`* 2`, `Σ w·x + b` over n inputs), the
roles of its operands where their order matters (`x`/`y`, `base`/`exponent`, `w0`..`b`, a loss's
targets `y = 1`), and what kind of node it is. So a new op, or a node class of your own, draws
without any change here.
"""

from __future__ import annotations

import unicodedata

from ..engine import Value

__all__ = ["MAX_LABEL", "graph_values", "number", "shortened", "visible"]

MAX_LABEL = 200  # characters of a label or op text a drawing shows (Graphviz refuses a label over 16,384)


def graph_values(root: Value, max_nodes: int, caller: str, depth: int | None = None) -> list[Value]:
    """Every Value in root's graph (or within `depth` ops of root), each after the Values it was computed
    from; the order is deterministic.

    Raises ValueError, saying how to draw a part of the graph, when there are more than max_nodes.
    """
    if not isinstance(root, Value):
        raise TypeError(f"{caller}(root) must be a Value, got {type(root).__name__}: {root!r:.60}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"{caller}(max_nodes) must be a positive int, got {max_nodes!r}")
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 0):
        raise ValueError(f"{caller}(depth) must be None or an int >= 0, got {depth!r}")
    near = None if depth is None else _within(root, depth)
    order: list[Value] = []
    seen: set[Value] = {root}
    stack: list[tuple[Value, tuple[Value, ...], int]] = [(root, root.parents, 0)]  # node, parents, next parent
    while stack:
        v, parents, i = stack[-1]
        if i < len(parents):
            stack[-1] = (v, parents, i + 1)
            p = parents[i]
            if p not in seen and (near is None or p in near):
                seen.add(p)
                stack.append((p, p.parents, 0))
        else:
            stack.pop()
            order.append(v)
    if len(order) > max_nodes:
        raise ValueError(
            f"{caller}: the graph has {len(order)} values, more than max_nodes={max_nodes} can show readably; "
            f"draw the part nearest the output ({caller}(root, depth=3)) or from an intermediate value "
            f"({caller}(root.parents[0])), or pass max_nodes={len(order)} to draw it all"
        )
    return order


def _within(root: Value, depth: int) -> set[Value]:
    """The Values at most `depth` ops away from root (breadth first, so the shortest way counts)."""
    near = {root}
    frontier = [root]
    for _ in range(depth):
        ring = []
        for v in frontier:
            for p in v.parents:
                if p not in near:
                    near.add(p)
                    ring.append(p)
        if not ring:  # the whole graph is in: a larger depth changes nothing
            break
        frontier = ring
    return near


def shortened(text: str, limit: int = MAX_LABEL) -> str:
    """text, or its first `limit` characters and how long it was: 'aaaa… (20000 characters)'."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def number(x: float, precision: int) -> str:
    """x with `precision` significant digits: 0.7071, -1.5, 1e-07, inf, nan."""
    return format(x, f".{precision}g")


def visible(text: str, newline: str = "\\n") -> str:
    """text with control characters, lone surrogates and non-characters spelt as escapes (\\t, \\x00)."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append(newline)
        elif unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff":
            out.append(repr(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)
