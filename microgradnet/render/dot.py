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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from ..engine import NodeInfo, Value
from .clusters import Plan, parameter_names, plan
from .graph import NOT_COMPUTED, gradients_computed, graph_values, number, shortened, visible
from .svg import fit_width

__all__ = ["GraphvizError", "GraphvizNotFoundError", "draw_dot", "drawing", "parameter_names", "render"]

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
SVG_TYPE = "image/svg+xml"
QUICK, QUICK_ABOVE = {"nslimit": "0.2", "mclimit": "0.2"}, 200  # a big graph is laid out in seconds, not minutes
COPY_SPAN = 8  # a Value used more than this many ops after its first use is drawn again there (see _copies)


class _Style(NamedTuple):
    show_grad: bool
    precision: int
    colour: bool  # fill by |grad|
    marked: set[Value]  # outlined
    names: dict[Value, str]  # shown for Values without a label: parameters' names (italic)
    vertical: bool  # TB or BT: a Value's cells stacked, so that a rank of them stays narrow
    texts: Callable[[Value], tuple[str, str]] | None  # a Value's data and grad text, if not its own numbers
    ids: dict[Value, str] | None  # for the step-through page: each data and grad cell marked with the Value's id
    tooltips: bool  # the exact numbers on hover


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
    marked = _values(highlight, "draw_dot(highlight)")
    return drawing(graphviz, root, nodes, format, rankdir, show_grad, precision, color_by == "grad", marked, module)


def drawing(
    graphviz: Any,
    root: Value,
    nodes: list[Value],
    format: str,  # noqa: A002
    rankdir: str,
    show_grad: bool,
    precision: int,
    colour: bool,
    marked: set[Value],
    module: Any,
    names: dict[Value, str] | None = None,
    texts: Callable[[Value], tuple[str, str]] | None = None,
    page: bool = False,
) -> Any:
    """The Digraph of nodes (root's graph): draw_dot's, or the step-through page's (page=True), which has
    its own names for unlabelled Values and data and grad texts for each, an id on each edge (v3e0: v3's
    first operand), each data and grad cell marked (href="#v3d", "#v3g"), more room for the edges' labels,
    and no tooltips or notes."""
    infos = {v: v.describe(precision) for v in nodes}
    layout = plan(module, nodes, infos, "draw_dot(module)") if module is not None else Plan({}, {}, {".": []}, {})
    ungrad = show_grad and not page and not gradients_computed(root)
    ids = {v: f"v{i}" for i, v in enumerate(nodes)}
    style = _Style(show_grad, precision, colour and not ungrad, marked, {**(names or {}), **layout.names},
                   rankdir in ("TB", "BT"), texts, ids if page else None, not page)  # fmt: skip
    dot = _digraph_class(graphviz)(
        format=format,
        graph_attr={
            "rankdir": rankdir,
            "fontname": FONT,
            **({"ranksep": "0.7"} if page else {}),
            **(QUICK if len(nodes) > QUICK_ABOVE else {}),
        },
        node_attr={"fontname": FONT, "fontsize": "11"},
        edge_attr={"fontname": FONT, "fontsize": "9", "arrowsize": "0.7"},
    )
    dot.values_drawn = len(nodes)
    tails = dict(ids)  # where a Value's edges start: its box, or its row in its part's parameter table
    for params in layout.blocks.values():
        for v in params:
            tails[v] = f"p{ids[params[0]][1:]}:{ids[v]}:e"
    by_part: dict[str, list[Value]] = {}
    for v in nodes:
        by_part.setdefault(layout.part.get(v, ""), []).append(v)
    for v in by_part.pop("", []):
        _add_value(dot, v, infos[v], ids[v], style)
    if by_part:
        _add_clusters(dot, type(module).__name__, layout, by_part, ids, infos, style, rankdir in ("LR", "RL"))
    named: set[tuple[Value, str]] = set()
    copies = (_copies(nodes, infos), set[str]())
    for v in nodes:
        _add_edges(dot, v, infos[v], ids[v], tails, layout.part, named, page, copies, style)
    if ungrad:
        dot.attr(label=_note(NOT_COMPUTED), labelloc="t")
    elif style.colour:
        dot.attr(label=_legend([v.grad for v in nodes]), labelloc="b")
    return dot


def _check_options(rankdir: str, color_by: str | None, precision: int) -> None:
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot(rankdir) must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if color_by not in (None, "grad"):
        raise ValueError(f"draw_dot(color_by) must be None or 'grad', got {color_by!r}")
    if isinstance(precision, bool) or not isinstance(precision, int) or not 1 <= precision <= 17:
        raise ValueError(f"draw_dot(precision) must be an int from 1 to 17, got {precision!r}")


def _add_edges(dot: Any, v: Value, info: NodeInfo, vid: str, tails: dict[Value, str], part: dict[Value, str],
               named: set[tuple[Value, str]], edge_ids: bool, copies: tuple[dict[Any, int], set[str]],
               style: _Style) -> None:  # fmt: skip
    """An edge from each drawn parent (or its nearby copy) to the node's op node, labelled with the parent's role.

    A parameter's row in its part's table names it already, so its edge has no label. An edge that
    comes into a cluster from another has its label at its tail (once per tail and role: a neuron's
    output is the same x2 of every neuron of the next layer), away from the clusters' titles. A Value
    used far from where it is drawn has its edge start at a copy of it nearby (see _copies).
    """
    which, made = copies
    for j, (p, role) in enumerate(zip(info.parents, info.roles)):
        if p not in tails:
            continue
        attrs = {"id": f"{vid}e{j}"} if edge_ids else {}
        k = 0 if ":" in tails[p] else which.get((p, v), 0)
        tail = f"{tails[p]}copy{k}" if k else tails[p]
        if k and tail not in made:
            made.add(tail)
            _add_copy(dot, p, tail, style)
        if role and ":" not in tails[p]:
            if k or part.get(p, "") == part.get(v, ""):
                attrs["label"] = visible(shortened(role))
            elif (p, role) not in named:
                named.add((p, role))
                attrs["taillabel"] = visible(shortened(role))
        dot.edge(tail, vid + "op", **attrs)
    hidden = len({p for p in info.parents if p not in tails})  # beyond `depth`
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
    name = style.names.get(v, "")
    cells = [f"<b>{_html(v.label)}</b>" if v.label else f"<i>{_html(name)}</i>"] if v.label or name else []
    data, grad = _numbers(v, style)
    cells += [f"data {data}", *([f"grad {grad}"] if style.show_grad else [])]
    fill, font, _ = _grad_colour(v.grad) if style.colour else ("white", "black", "")
    if font != "black":
        cells = [f'<font color="{font}">{c}</font>' for c in cells]
    marks = [""] * (len(cells) - 1 - style.show_grad) + _marks(v, style)[: 1 + style.show_grad]
    tds = [f"<td{mark}>{c}</td>" for mark, c in zip(marks, cells)]
    border = f' border="3" color="{HIGHLIGHT}"' if v in style.marked else ' border="0"'
    rows = "".join(f"<tr>{td}</tr>" for td in tds) if style.vertical else f"<tr>{''.join(tds)}</tr>"
    background = "" if style.ids is not None else f' bgcolor="{fill}"'  # the page's boxes are filled by its CSS
    table = f'<table{border} cellborder="1" cellspacing="0" cellpadding="4"{background}>{rows}</table>'
    dot.node(vid, label=f"<{table}>", shape="plain", **_tooltip(v, style))
    _add_op(dot, info, vid, style.tooltips)


def _add_op(dot: Any, info: NodeInfo, vid: str, tooltips: bool = True) -> None:
    """A computed Value's op node, with its edge to the Value."""
    if info.op:
        label = "<" + "<br/>".join(_html(line) for line in (info.op, *info.details)) + ">"
        tooltip = {"tooltip": shortened(info.name or info.op)} if tooltips else {}
        dot.node(vid + "op", label=label, shape="ellipse", height="0.3", margin="0.05,0.03", **tooltip)
        dot.edge(vid + "op", vid)


def _add_block(dot: Any, params: list[Value], ids: dict[Value, str], style: _Style) -> None:
    """A part's parameters as one table, a row each in the module's order: name, data, grad."""
    head = ["data", *(["grad"] if style.show_grad else [])]
    rows = ['<tr><td border="0"></td>' + "".join(f'<td border="0"><font color="#555555">{h}</font></td>' for h in head)
            + "</tr>"]  # fmt: skip
    for v in params:
        name = f"<b>{_html(v.label)}</b>" if v.label else f"<i>{_html(style.names.get(v, ''))}</i>"
        data, grad = _numbers(v, style)
        cells = [name, data, *([grad] if style.show_grad else [])]
        fill, font, _ = _grad_colour(v.grad) if style.colour else ("white", "black", "")
        if font != "black":
            cells = [f'<font color="{font}">{c}</font>' for c in cells]
        mark = f' border="3" color="{HIGHLIGHT}"' if v in style.marked else ""
        port = f' port="{ids[v]}"'  # on the last cell: the row's edge leaves from its right
        extra = ["", *_marks(v, style)]
        background = f' bgcolor="{fill}"' if style.colour else ""
        tds = [f'<td{background}{mark}{extra[i]}{port if i == len(cells) - 1 else ""}>{c}</td>'
               for i, c in enumerate(cells)]  # fmt: skip
        rows.append(f"<tr>{''.join(tds)}</tr>")
    background = "" if style.ids is not None else ' bgcolor="white"'
    table = f'<table border="0" cellborder="1" cellspacing="0" cellpadding="3"{background}>{"".join(rows)}</table>'
    tooltip = {"tooltip": "; ".join(f"{style.names.get(v, v.label)}: {_exact(v, style)}" for v in params)}
    dot.node(f"p{ids[params[0]][1:]}", label=f"<{table}>", shape="plain", **(tooltip if style.tooltips else {}))


def _numbers(v: Value, style: _Style) -> tuple[str, str]:
    """The data and grad a Value's box shows."""
    if style.texts is not None:
        return style.texts(v)
    return number(v.data, style.precision), number(v.grad, style.precision)


def _marks(v: Value, style: _Style) -> list[str]:
    """The attributes that mark a Value's data and grad cells for the step-through page (none for a drawing)."""
    if style.ids is None:
        return ["", ""]
    return [f' href="#{style.ids[v]}d"', f' href="#{style.ids[v]}g"']


def _tooltip(v: Value, style: _Style) -> dict[str, str]:
    return {"tooltip": _exact(v, style)} if style.tooltips else {}


def _exact(v: Value, style: _Style) -> str:
    """The numbers in full, shown on hover."""
    return f"data = {v.data!r}" + (f", grad = {v.grad!r}" if style.show_grad else "")


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


def _legend(grads: list[float]) -> str:
    """A one-row legend of the colours the drawing uses; where every Value is white, a line that says so."""
    used = {_grad_colour(g) for g in grads}
    rows = [(fill, font, text) for _, fill, font, text in GRAD_COLOURS if (fill, font, text) in used]
    rows += [NONFINITE_COLOUR] if NONFINITE_COLOUR in used else []
    if rows == [GRAD_COLOURS[4][1:]]:
        return _note(f"|grad| of every Value is in {GRAD_COLOURS[4][3]}: nothing vanishes or explodes")
    body = "".join(f'<td bgcolor="{f}"><font color="{c}">{_html(t)}</font></td>' for f, c, t in rows)
    head = '<table border="0" cellborder="1" cellspacing="0" cellpadding="3"><tr><td border="0"><b>|grad|</b></td>'
    return f"<{head}{body}</tr></table>>"


def _note(text: str) -> str:
    return f'<<font color="#555555" point-size="11"><i>{_html(text)}</i></font>>'


def _values(items: Iterable[Value], where: str) -> set[Value]:
    if isinstance(items, Value):
        items = (items,)
    out = set()
    for v in items:
        if not isinstance(v, Value):
            raise TypeError(f"{where} must be Values, got {type(v).__name__}: {v!r:.60}")
        out.add(v)
    return out


def _add_clusters(
    dot: Any,
    title: str,
    layout: Plan,
    by_part: dict[str, list[Value]],
    ids: dict[Value, str],
    infos: dict[Value, NodeInfo],
    style: _Style,
    sideways: bool,
) -> None:
    """One cluster for the module, holding nested clusters for its parts (layers, neurons) in the module's
    order: Graphviz stacks a rank's nodes bottom to top when the graph runs sideways (LR, RL), so the
    clusters are given to it in reverse there."""
    names = {path: f"cluster_{i}" for i, path in enumerate(layout.tree)}

    def emit(graph: Any, path: str) -> None:
        with graph.subgraph(name=names[path]) as sub:
            label = _html_label(title if path == "." else path)
            sub.attr(label=label, style="rounded,dashed", color="#7f7f7f", fontcolor="#555555")
            block = layout.blocks.get(path, [])
            if block:
                _add_block(sub, block, ids, style)
            for v in by_part.get(path, []):
                if v not in block:
                    _add_value(sub, v, infos[v], ids[v], style)
            for child in layout.tree[path] if sideways else reversed(layout.tree[path]):
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
            """Jupyter's view: the SVG scaled down to fit its cell (never clipped), or why it cannot be drawn."""
            try:
                bundle: dict[str, Any] = super()._repr_mimebundle_(include, exclude, **kwargs)
            except GraphvizError as e:
                return {"text/plain": str(e)}
            if isinstance(bundle.get(SVG_TYPE), str):
                bundle[SVG_TYPE] = fit_width(bundle[SVG_TYPE])
            return bundle

    _classes[graphviz] = ComputationGraph
    return ComputationGraph
