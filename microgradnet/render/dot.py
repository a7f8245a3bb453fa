"""Drawing a Value's computation graph with Graphviz: `draw_dot(root)` returns a `graphviz.Digraph`.

Every Value is a box with its label, data and grad; every computed Value has an op node (`+`, `* 2`,
`tanh`, `Σ w·x + b`) whose edges come from its operands, so `a * a` shows two edges. Node ids follow
the traversal order, so the same graph always gives byte-identical DOT source. Labels are HTML-like
and escaped, so any text (`{ } | < > " \\`, unicode, newlines) shows as written.

The graphviz package is imported only when `draw_dot` is called; rendering without Graphviz's `dot`
program raises `GraphvizNotFoundError`, which says how to install it, and a failure of `dot` raises
`GraphvizError`, which says what to do. A Value used by ops far apart is drawn again near the later
ones, so that no edge crosses more than a few ranks: long edges are what make dot crawl or crash.
"""

from __future__ import annotations

import html
import math
import signal
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from ..engine import NodeInfo, Value
from .graph import graph_values, number, shortened, visible

RANKDIRS = ("LR", "RL", "TB", "BT")
FONT = "Helvetica,Arial,sans-serif"
HIGHLIGHT = "#d62728"
INSTALL_DOT = (
    "Graphviz's `dot` program was not found on PATH, so the graph cannot be rendered "
    "(its DOT source is still available as `.source`). Install Graphviz: "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz` (conda), or see https://graphviz.org/download/"
)
# |grad| on a log scale, from vanishing (blue) through healthy (white) to exploding (red)
GRAD_COLOURS = (  # (upper bound of |grad|, fill, font colour, legend text)
    (0.0, "#bdbdbd", "black", "0"),
    (1e-6, "#2166ac", "white", "< 1e-6 (vanishing)"),
    (1e-4, "#67a9cf", "black", "1e-6 … 1e-4"),
    (1e-2, "#d1e5f0", "black", "1e-4 … 0.01"),
    (1e2, "#f7f7f7", "black", "0.01 … 100"),
    (1e4, "#fddbc7", "black", "100 … 1e4"),
    (1e6, "#ef8a62", "black", "1e4 … 1e6"),
    (math.inf, "#b2182b", "white", "≥ 1e6 (exploding)"),
)
NONFINITE_COLOUR = ("#000000", "white", "inf or nan")
COPY_SPAN = 8  # a Value used more than this many ops after its first use is drawn again there (see _copies)


class _Style(NamedTuple):
    show_grad: bool
    precision: int
    colour: bool  # fill by |grad|
    marked: set[Value]  # outlined
    names: dict[Value, str]  # parameter names, shown for parameters without a label


class GraphvizError(RuntimeError):
    """Graphviz's `dot` could not render a drawing: it failed, crashed or took too long (the message says why)."""


class GraphvizNotFoundError(GraphvizError):
    """Raised when a drawing is rendered but Graphviz's `dot` program is not installed."""


def draw_dot(
    root: Value,
    *,
    format: str = "svg",  # noqa: A002 - graphviz's name for it
    rankdir: str = "LR",
    show_grad: bool = True,
    precision: int = 4,
    color_by: str | None = None,
    highlight: Iterable[Value] = (),
    module: Any = None,
    depth: int | None = None,
    max_nodes: int = 500,
) -> Any:
    """The computation graph of root as a `graphviz.Digraph` (shows inline in Jupyter; `.render`, `.pipe`).

    color_by='grad' fills each Value by |grad| on a log scale (with a legend); highlight outlines the
    given Values; module (anything with `named_parameters()`, such as an `nn.MLP`) groups its
    parameters and neurons in labelled clusters; depth draws only the Values at most that many ops
    from root. Refuses graphs of more than max_nodes Values.
    """
    nodes = graph_values(root, max_nodes, "draw_dot", depth)
    _check_options(rankdir, color_by, precision)
    graphviz = _import_graphviz()
    if format not in graphviz.FORMATS:
        raise ValueError(f"draw_dot(format) must be a Graphviz format ('svg', 'png', 'pdf', ...), got {format!r}")
    infos = {v: v.describe(precision) for v in nodes}
    clusters, names, parts = _clusters(module, nodes, infos) if module is not None else ({}, {}, [])
    style = _Style(show_grad, precision, color_by == "grad", _values(highlight, "draw_dot(highlight)"), names)
    dot = _digraph_class(graphviz)(
        format=format,
        graph_attr={"rankdir": rankdir, "fontname": FONT},
        node_attr={"fontname": FONT, "fontsize": "11"},
        edge_attr={"fontname": FONT, "fontsize": "9", "arrowsize": "0.7"},
    )
    dot.values_drawn = len(nodes)
    ids = {v: f"v{i}" for i, v in enumerate(nodes)}
    by_cluster: dict[str, list[Value]] = {}
    for v in nodes:
        by_cluster.setdefault(clusters.get(v, ""), []).append(v)
    for v in by_cluster.pop("", []):
        _add_value(dot, v, infos[v], ids[v], style)
    if by_cluster:
        _add_clusters(dot, type(module).__name__, parts, by_cluster, ids, infos, style)
    copies, made = _copies(nodes, infos), set[str]()
    for v in nodes:
        _add_edges(dot, v, infos[v], ids, (copies, made), style)
    if style.colour:
        dot.node("legend", label=_legend(), shape="plain")
    return dot


def _check_options(rankdir: str, color_by: str | None, precision: int) -> None:
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot(rankdir) must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if color_by not in (None, "grad"):
        raise ValueError(f"draw_dot(color_by) must be None or 'grad', got {color_by!r}")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"draw_dot(precision) must be an int from 1 to 17, got {precision!r}")


def _add_edges(
    dot: Any, v: Value, info: NodeInfo, ids: dict[Value, str], copies: tuple[dict[Any, int], set[str]], style: _Style
) -> None:
    """An edge from each drawn parent (or its nearby copy) to the node's op node, labelled with the parent's role."""
    vid = ids[v]
    which, made = copies
    for p, role in zip(info.parents, info.roles):
        if p in ids:
            k = which.get((p, v), 0)
            tail = f"{ids[p]}copy{k}" if k else ids[p]
            if k and tail not in made:
                made.add(tail)
                _add_copy(dot, p, tail, style)
            dot.edge(tail, vid + "op", **({"label": visible(shortened(role))} if role else {}))
    hidden = len({p for p in info.parents if p not in ids})  # beyond `depth`
    if hidden:
        more = f"… {hidden} input{'s' if hidden > 1 else ''}"
        dot.node(vid + "more", label=more, shape="plaintext", fontcolor="#7f7f7f")
        dot.edge(vid + "more", vid + "op", style="dashed", color="#7f7f7f")


# -- copies: a Value used by ops far apart is drawn again near the later ones ---------------------------
def _copies(nodes: list[Value], infos: dict[Value, NodeInfo]) -> dict[tuple[Value, Value], int]:
    """Which copy (1, 2 ...) of a Value each far consumer's edge comes from.

    Graphviz's dot lays a graph out in ranks, and an edge across many ranks costs it a node per rank:
    a Value used at every step of a long chain (x in 300 steps of v = v + x) makes hundreds of thousands,
    which dot takes minutes over or dies of. So the Value is drawn where it is first used, and again
    (a small dashed copy) every COPY_SPAN ops further on: no edge is longer than that.
    """
    level: dict[Value, int] = {}  # ops from the leaves, by the longest way (nodes come after their parents)
    for v in nodes:
        level[v] = 1 + max((level[p] for p in infos[v].parents if p in level), default=-1)
    first: dict[Value, int] = {}  # the level of each Value's first consumer
    for v in nodes:
        for p in infos[v].parents:
            if p in level:
                first[p] = min(first.get(p, level[v]), level[v])
    copies = {}
    for v in nodes:
        for p in infos[v].parents:
            if p in level and (k := (level[v] - first[p]) // COPY_SPAN):
                copies[(p, v)] = k
    return copies


def _add_copy(dot: Any, v: Value, cid: str, style: _Style) -> None:
    """A small dashed box standing for a Value drawn further back, with its name or data."""
    name = v.label or style.names.get(v, "") or f"data {number(v.data, style.precision)}"
    tip = f"{name}, drawn again: data = {v.data!r}" + (f", grad = {v.grad!r}" if style.show_grad else "")
    dot.node(cid, label=_html_label(name), shape="box", style="rounded,dashed", color="#7f7f7f",
             fontcolor="#555555", tooltip=tip)  # fmt: skip


def _add_value(dot: Any, v: Value, info: NodeInfo, vid: str, style: _Style) -> None:
    """A Value's box, and its op node if it was computed."""
    precision = style.precision
    name = f"<i>{_html(style.names[v])}</i>" if v in style.names else ""
    cells = [f"<b>{_html(v.label)}</b>" if v.label else name] if v.label or name else []
    cells.append(f"data {number(v.data, precision)}")
    if style.show_grad:
        cells.append(f"grad {number(v.grad, precision)}")
    fill, font, _ = _grad_colour(v.grad) if style.colour else ("white", "black", "")
    border = f' border="3" color="{HIGHLIGHT}"' if v in style.marked else ' border="0"'
    if font != "black":
        cells = [f'<font color="{font}">{c}</font>' for c in cells]
    row = "".join(f"<td>{c}</td>" for c in cells)
    table = f'<table{border} cellborder="1" cellspacing="0" cellpadding="4" bgcolor="{fill}"><tr>{row}</tr></table>'
    exact = f"data = {v.data!r}" + (f", grad = {v.grad!r}" if style.show_grad else "")  # shown on hover
    dot.node(vid, label=f"<{table}>", shape="plain", tooltip=exact)
    if info.op:
        label = "<" + "<br/>".join(_html(line) for line in (info.op, *info.details)) + ">"
        tooltip = shortened(info.name or info.op)
        dot.node(vid + "op", label=label, shape="ellipse", height="0.3", margin="0.05,0.03", tooltip=tooltip)
        dot.edge(vid + "op", vid)


def _html(text: str) -> str:
    """text as the content of an HTML-like Graphviz label: escaped, with its newlines as line breaks."""
    # Graphviz still reads backslash escapes (\N, \G, \l, \\) in HTML-like labels, so backslashes are doubled;
    # and Graphviz 2.43 loses a line break next to a bare "]" (drawing "]<br/>x" as "]x"), so "]" is a reference.
    lines = visible(shortened(text), "\n").split("\n")
    return "<br/>".join(html.escape(line).replace("\\", "\\\\").replace("]", "&#93;") for line in lines)


def _grad_colour(g: float) -> tuple[str, str, str]:
    if not math.isfinite(g):
        return NONFINITE_COLOUR
    size = abs(g)
    for bound, fill, font, text in GRAD_COLOURS:
        if size < bound or (bound == 0.0 and size == 0.0):
            return fill, font, text
    raise AssertionError("unreachable: the last bound is inf")  # pragma: no cover


def _legend() -> str:
    rows = [(fill, font, text) for _, fill, font, text in GRAD_COLOURS] + [NONFINITE_COLOUR]
    body = "".join(f'<tr><td bgcolor="{f}"><font color="{c}">{_html(t)}</font></td></tr>' for f, c, t in rows)
    head = '<table border="0" cellborder="1" cellspacing="0" cellpadding="3"><tr><td><b>|grad|</b></td></tr>'
    return f"<{head}{body}</table>>"


def _values(items: Iterable[Value], where: str) -> set[Value]:
    if isinstance(items, Value):
        items = (items,)
    out = set()
    for v in items:
        if not isinstance(v, Value):
            raise TypeError(f"{where} must be Values, got {type(v).__name__}: {v!r:.60}")
        out.add(v)
    return out


# -- clusters: a module's parameters and the neurons computed from them ------------------------------
def _owner(name: str) -> str:
    """The module path a parameter belongs to: 'layers.0.neurons.3.w.1' -> 'layers.0.neurons.3'."""
    parts = name.split(".")
    while parts and parts[-1].isdigit():
        parts.pop()
    return ".".join(parts[:-1]) or "."


def _clusters(
    module: Any, nodes: list[Value], infos: dict[Value, NodeInfo]
) -> tuple[dict[Value, str], dict[Value, str], list[str]]:
    """Which part of module ('.' for the module itself) each node belongs to, the parameters' short
    names ('w.1'), and the parts in the order of `named_parameters()`.

    A node belongs to a part when it is one of the part's parameters, when it is computed from the
    part's parameters (and from no other part's), when it adds up such nodes (an unfused neuron's
    sum), or when it is an activation function of such a node.
    """
    named = getattr(module, "named_parameters", None)
    if not callable(named):
        raise TypeError(f"draw_dot(module) must have a named_parameters() method, got {type(module).__name__}")
    owner: dict[Value, str] = {}
    names: dict[Value, str] = {}
    parts: dict[str, None] = {}
    for item in named():
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], Value)):
            raise TypeError(f"draw_dot(module).named_parameters() must give (str, Value) pairs, got {item!r:.60}")
        name, p = item
        if p not in owner:
            owner[p] = part = _owner(name)
            names[p] = name[len(part) + 1 :] if part != "." else name
            parts[part] = None
    clusters: dict[Value, str] = {v: owner[v] for v in nodes if not infos[v].parents and v in owner}
    inner: set[Value] = set()  # nodes computed inside a part, which later nodes of that part may build on
    for v in nodes:
        info = infos[v]
        parents = info.parents
        if not parents:
            continue
        found = {owner[p] for p in parents if p in owner}
        if not found and all(p in inner for p in parents) and info.kind == "sum":
            found = {clusters[p] for p in parents}
        if len(found) == 1:
            clusters[v] = found.pop()
            inner.add(v)
        elif not found and len(parents) == 1 and parents[0] in inner and info.kind == "function":
            clusters[v] = clusters[parents[0]]  # an activation of a part's node: tanh(x), relu(x)
    return clusters, names, list(parts)


def _levels(path: str) -> list[str]:
    """The nested clusters a part lives in: 'layers.0.neurons.3' -> ['layers.0', 'layers.0.neurons.3']."""
    if path == ".":
        return []
    parts = path.split(".")
    levels = [".".join(parts[: i + 1]) for i, p in enumerate(parts) if p.isdigit()]
    return levels if levels and levels[-1] == path else [*levels, path]


def _add_clusters(
    dot: Any,
    title: str,
    parts: list[str],
    by_cluster: dict[str, list[Value]],
    ids: dict[Value, str],
    infos: dict[Value, NodeInfo],
    style: _Style,
) -> None:
    """One cluster for the module, holding nested clusters for its parts (layers, neurons)."""
    tree: dict[str, list[str]] = {".": []}  # cluster -> child clusters, in the order of named_parameters()
    for path in parts:
        if path not in by_cluster:
            continue
        parent = "."
        for level in _levels(path):
            if level not in tree:
                tree[level] = []
                tree[parent].append(level)
            parent = level
    names = {path: f"cluster_{i}" for i, path in enumerate(tree)}

    def emit(graph: Any, path: str) -> None:
        with graph.subgraph(name=names[path]) as sub:
            label = _html_label(title if path == "." else path)
            sub.attr(label=label, style="rounded,dashed", color="#7f7f7f", fontcolor="#555555")
            for v in by_cluster.get(path, []):
                _add_value(sub, v, infos[v], ids[v], style)
            for child in tree[path]:
                emit(sub, child)

    emit(dot, ".")  # nesting is as deep as the module's dotted names, so recursion is fine


def _html_label(text: str) -> str:
    return f"<{_html(text)}>"


# -- graphviz, imported lazily, and a Digraph that explains a missing `dot` ---------------------------
def _import_graphviz() -> Any:
    try:
        import graphviz  # type: ignore[import-untyped]
    except ImportError as e:
        raise ImportError(
            'draw_dot needs the graphviz Python package: pip install "microgradnet[viz]" (or pip install graphviz)',
            name="graphviz",
        ) from e
    return graphviz


@contextmanager
def _explain_failures(graphviz: Any, values: int) -> Iterator[None]:
    """Graphviz's own errors as a GraphvizNotFoundError or GraphvizError saying what to do."""
    try:
        yield
    except graphviz.ExecutableNotFound as e:
        raise GraphvizNotFoundError(INSTALL_DOT) from e
    except subprocess.CalledProcessError as e:
        raise GraphvizError(_failed(values, e.returncode, e.stderr)) from e


def _failed(values: int, code: int, stderr: bytes | str | None) -> str:
    """What went wrong in dot, and what to do about it."""
    if code < 0:
        try:
            what = f"crashed ({signal.Signals(-code).name})"
        except ValueError:
            what = f"crashed (signal {-code})"
    else:
        text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr or ""
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        what = f"failed (exit status {code}{': ' + first[:200] if first else ''})"
    return f"Graphviz's dot {what} on this drawing of {values} values; {WHAT_TO_DO}"


WHAT_TO_DO = (
    "draw a part of the graph (depth=3, or from an intermediate value: draw_dot(root.parents[0])), "
    "or draw it as text with draw_tree(root); the DOT source is still available as .source"
)


def render(drawing: Any, format: str, timeout: float | None = None) -> bytes:  # noqa: A002 - graphviz's name for it
    """The drawing (from draw_dot) rendered by Graphviz's dot as `format` ('svg', 'png', 'pdf'), within timeout seconds.

    Raises GraphvizNotFoundError without dot, and GraphvizError (saying what to do) when dot fails,
    crashes or takes longer than timeout.
    """
    values = getattr(drawing, "values_drawn", 0)
    try:
        done = subprocess.run(
            [drawing.engine, f"-T{format}"], input=drawing.source.encode("utf-8"), capture_output=True, timeout=timeout
        )
    except FileNotFoundError as e:
        raise GraphvizNotFoundError(INSTALL_DOT) from e
    except subprocess.TimeoutExpired as e:
        raise GraphvizError(
            f"Graphviz's dot took more than {timeout:g} s over this drawing of {values} values and was stopped; "
            + WHAT_TO_DO
        ) from e
    if done.returncode:
        raise GraphvizError(_failed(values, done.returncode, done.stderr))
    out: bytes = done.stdout
    return out


_classes: dict[Any, type] = {}


def _digraph_class(graphviz: Any) -> type:
    """A `graphviz.Digraph` subclass whose render, pipe and view explain how to install Graphviz."""
    if graphviz in _classes:
        return _classes[graphviz]

    class ComputationGraph(graphviz.Digraph):  # type: ignore[misc]
        """A graphviz.Digraph of a Value's computation graph."""

        values_drawn = 0  # how many Values it draws (error messages say it)

        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            with _explain_failures(graphviz, self.values_drawn):
                return super().pipe(*args, **kwargs)

        def render(self, *args: Any, **kwargs: Any) -> Any:
            with _explain_failures(graphviz, self.values_drawn):
                return super().render(*args, **kwargs)

        def view(self, *args: Any, **kwargs: Any) -> Any:
            with _explain_failures(graphviz, self.values_drawn):
                return super().view(*args, **kwargs)

        def unflatten(self, *args: Any, **kwargs: Any) -> Any:
            with _explain_failures(graphviz, self.values_drawn):
                return super().unflatten(*args, **kwargs)

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, Any]:
            try:
                bundle: dict[str, Any] = super()._repr_mimebundle_(include, exclude, **kwargs)
            except GraphvizError as e:
                return {"text/plain": str(e)}
            return bundle

    _classes[graphviz] = ComputationGraph
    return ComputationGraph
