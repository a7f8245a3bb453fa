"""Walking a Value's graph for the renderers: its nodes in a fixed order, and how to name each op.

Both drawings (`render.draw_dot` and `tree.draw_tree`) read the graph through this module, so they
agree on what a node is called: an op with a plain-number operand shows it (`* 2`, `2 -`, `** 3`),
the fused nodes say what they sum (`Σ w·x + b` over n inputs), and the operands of an op whose order
matters are named (`x`/`y`, `base`/`exponent`, `w0`..`wn-1`; a fused loss's predictions by their
targets, `y = 1`).
"""

from __future__ import annotations

import unicodedata

from .engine import Value
from .fused import LinearConst

COMMUTATIVE = frozenset({"add", "mul"})
ROLES = {"pow": ("base", "exponent"), "leaky_relu": ("x", "slope")}
LOSSES = {"hinge": "y", "mse": "t", "binary_cross_entropy": "y"}  # fused losses: the name of each parent's target
MAX_SHOWN_CONSTANTS = 4  # a LinearConst node lists at most this many of its plain-number inputs


def graph_nodes(root: Value, max_nodes: int, caller: str, depth: int | None = None) -> list[Value]:
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
    stack: list[tuple[Value, int]] = [(root, 0)]  # (node, index of the next parent to visit)
    while stack:
        v, i = stack[-1]
        if i < len(v._prev):
            stack[-1] = (v, i + 1)
            p = v._prev[i]
            if p not in seen and (near is None or p in near):
                seen.add(p)
                stack.append((p, 0))
        else:
            stack.pop()
            order.append(v)
    if len(order) > max_nodes:
        raise ValueError(
            f"{caller}: the graph has {len(order)} values, more than max_nodes={max_nodes} can show readably; "
            f"draw the part nearest the output ({caller}(root, depth=3)) or from an intermediate value "
            f"({caller}(root._prev[0])), or pass max_nodes={len(order)} to draw it all"
        )
    return order


def _within(root: Value, depth: int) -> set[Value]:
    """The Values at most `depth` ops away from root (breadth first, so the shortest way counts)."""
    near = {root}
    frontier = [root]
    for _ in range(depth):
        ring = []
        for v in frontier:
            for p in v._prev:
                if p not in near:
                    near.add(p)
                    ring.append(p)
        frontier = ring
    return near


def number(x: float, precision: int) -> str:
    """x with `precision` significant digits: 0.7071, -1.5, 1e-07, inf, nan."""
    return format(x, f".{precision}g")


def op_lines(v: Value, precision: int) -> list[str]:
    """What v's op node says, one string per line; [] for a leaf."""
    if not v._prev and not v._op:
        return []
    cls = type(v)
    name, symbol, const = cls._name, cls._op or cls.__name__, cls._const
    n = len(v._prev)
    if name == "linear":
        if isinstance(v, LinearConst):  # plain-number inputs, kept in the node
            xs = [number(x, precision) for x in v._arg[:MAX_SHOWN_CONSTANTS]]
            more = ", …" if len(v._arg) > MAX_SHOWN_CONSTANTS else ""
            return [symbol, f"n = {n - 1}, x = ({', '.join(xs)}{more})"]
        return [symbol, f"n = {(n - 1) // 2}"]
    if name in ("sum", "sum_squares", "logsumexp"):
        return [symbol, f"{n} terms"]
    if name in LOSSES:  # _arg: each parent's target, then the divisor (the batch size for a mean, else 1)
        d = int(v._arg[-1])
        return [symbol, f"mean of {d}" if d > 1 else f"sum of {n}" if n > 1 else "1 sample"]
    if name == "neg":
        return ["neg"]  # the table's '-' alone would read like a subtraction with a missing operand
    if const:
        c = number(v._arg, precision)
        if symbol.isidentifier():  # a function such as leaky_relu
            return [f"{symbol}(·, {c})" if const == "y" else f"{symbol}({c}, ·)"]
        return [f"{symbol} {c}" if const == "y" else f"{c} {symbol}"]
    return [symbol]


def operand_roles(v: Value) -> list[str]:
    """A name for each of v's parents where their order matters ('' where it does not)."""
    cls = type(v)
    n = len(v._prev)
    if cls._name == "linear":
        const = isinstance(v, LinearConst)
        k = n - 1 if const else (n - 1) // 2
        xs = [] if const else [f"x{i}" for i in range(k)]  # from 0, as Python indexes
        return [f"w{i}" for i in range(k)] + xs + ["b"]
    if cls._name in LOSSES:  # each prediction's edge says its target: y = 1, t = 0.5
        return [f"{LOSSES[cls._name]} = {t:g}" for t in v._arg[:n]]
    if n == 2 and cls._name not in COMMUTATIVE:
        return list(ROLES.get(cls._name, ("x", "y")))
    return [""] * n


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
