"""`step_through(root)`: a page that plays backpropagation through root's graph, one step at a time.

The page draws the graph with Graphviz's layout (its SVG, embedded) and steps through the forward
pass, each value appearing in the order it is computed, then through the backward pass node by
node, in the order `backward()` runs it: the node highlighted, each edge into it showing local
derivative × upstream gradient = contribution, and each parent's grad updating, its sum so far
where it is fed by several nodes. Buttons, a slider and the keys ArrowRight / ArrowLeft (one step)
and Home / End move through it.

It is one self-contained HTML file (`.save(path)`) and shows inline in Jupyter (`_repr_html_`):
plain JavaScript of ours, no network, nothing to fetch; every text is escaped, and the saved page
forbids any request by its Content-Security-Policy. The numbers are those of `explain()`.
"""

from __future__ import annotations

import html
import json
import secrets
from importlib import resources
from typing import Any

from ..engine import Value
from ..engine.extend import atom
from ..files import PathLike, write_atomic
from .clusters import parameter_names
from .dot import _check_options, _import_graphviz, drawing
from .explanation import Explanation
from .svg import page_svg
from .trace import Trace, added, number

__all__ = ["StepThrough", "step_through"]

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


class StepThrough:
    """Backpropagation through a graph as a page to step through: `.save(path)`, or shown inline in Jupyter."""

    def __init__(self, trace: Trace, svg: str, data: dict[str, Any]) -> None:
        self.trace, self.svg, self.data = trace, svg, data

    @property
    def steps(self) -> int:
        """How many steps the page has: the inputs, each computed value, the start of backward, each backward
        step, and the end."""
        return len(self.data["steps"])

    def __repr__(self) -> str:
        t = self.trace
        return f"<step_through({t.names[t.root]}): {len(t.values)} values, {self.steps} steps; .save('page.html')>"

    def fragment(self, uid: str | None = None) -> str:
        """The page's body: the controls, the text of each step, the drawing and the script, all inline; its id
        is new each time unless given (a notebook may show several, each steps on its own)."""
        uid = uid or f"mgn-st-{secrets.token_hex(6)}"
        data = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        data = data.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")  # inert inside <script>
        title = html.escape(f"Backpropagation through {self.trace.names[self.trace.root]}")
        return (
            f'<div class="mgn-st" id="{uid}" tabindex="0" aria-label="{title}">'
            f"<style>{_asset('step_page.css')}</style>"
            '<div class="mgn-st-bar">'
            '<button type="button" data-go="home" title="to the start (Home)">|◀</button>'
            '<button type="button" data-go="back" title="one step back (ArrowLeft)">◀</button>'
            '<button type="button" data-go="play" title="play / pause">▶ play</button>'
            '<button type="button" data-go="next" title="one step forward (ArrowRight)">▶</button>'
            '<button type="button" data-go="end" title="to the end (End)">▶|</button>'
            f'<input type="range" min="0" max="{self.steps - 1}" value="{self.steps - 1}" aria-label="step">'
            '<span class="mgn-st-count"></span>'
            '<button type="button" data-go="fit" title="fit the drawing to the width, or zoom in to read it">'
            "zoom in</button></div>"
            f'<div class="mgn-st-panel"><b>{title}</b>: the end state, every Value with its data and grad. '
            "Run the cell (or open the saved page) to step through it.</div>"
            f'<div class="mgn-st-graph">{self.svg}</div>'
            f'<script type="application/json" class="mgn-st-data">{data}</script>'
            f"<script>{_asset('step_page.js')}\nmicrogradnetStepThrough({json.dumps(uid)});</script>"
            "</div>"
        )

    def html(self) -> str:
        """The whole page: one HTML file that needs nothing else and makes no request."""
        title = html.escape(f"Backpropagation through {self.trace.names[self.trace.root]}")
        return (
            "<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
            f'<body class="mgn-st-page">{self.fragment("mgn-st-page")}</body></html>\n'
        )

    def _repr_html_(self) -> str:
        """Jupyter shows the page inline (JupyterLab and the classic notebook run its script once trusted)."""
        return self.fragment()

    def save(self, path: PathLike) -> None:
        """Write the page to path (one HTML file), atomically."""
        write_atomic(path, self.html())


def step_through(
    root: Value,
    *,
    module: Any = None,
    rankdir: str = "LR",
    precision: int = 4,
    max_nodes: int = 500,
) -> StepThrough:
    """A page that steps through backpropagation in root's graph (shows inline in Jupyter; `.save(path)`).

    module (anything with `named_parameters()`, such as an `nn.MLP`) draws its layers and neurons as
    clusters and names its parameters; rankdir lays the graph out left to right ('LR') or top to
    bottom ('TB'); numbers show `precision` significant digits. Refuses graphs of more than
    max_nodes Values. No `.grad` changes.
    """
    _check_options(rankdir, None, precision)
    names = parameter_names(module, "step_through(module)") if module is not None else {}
    trace = Trace(root, max_nodes=max_nodes, caller="step_through", names=names)
    data, widest, final = _steps(trace, precision)
    graphviz = _import_graphviz()
    own = {v: name for v, name in trace.names.items() if not v.label and v not in names}  # v3, v4 ...
    dot = drawing(graphviz, root, trace.values, "svg", rankdir, True, precision, False, set(), module,
                  names=own, texts=lambda v: widest[v], page=True)  # fmt: skip
    svg = page_svg(dot.pipe(format="svg", encoding="utf-8"), {f"v{i}": final[v] for i, v in enumerate(trace.values)})
    return StepThrough(trace, svg, data)


Texts = dict[Value, tuple[str, str]]  # each Value's data and grad, as written


def _steps(trace: Trace, precision: int) -> tuple[dict[str, Any], Texts, Texts]:
    """The page's data, and each value's widest data and grad (the drawing's cells are laid out for them)
    and its last.

    values: [name, name as an operand (x1, (x1*w1)), data, 1 if a leaf]. steps: [kind, value, lines,
    updates, upstream]: kind 'in' (the inputs), 'f' (a forward step), 'seed', 'b' (a backward step) or
    'end'; each backward step's lines are its header, and its terms are written by the page from its
    updates [parent, edge, parent's grad after, d value / d parent as a formula, its number, the term,
    the parent's sum so far (or '')] and the node's gradient, upstream, as explain() writes them.
    """
    p = precision
    index = {v: i for i, v in enumerate(trace.values)}
    words = Explanation(trace, p, None)
    datas = {v: number(v.data, p) for v in trace.values}
    values = [[trace.names[v], atom(trace.names[v]), datas[v], int(not v.parents)] for v in trace.values]
    grads: dict[Value, list[str]] = {v: ["0"] for v in trace.values}
    leaves = [v for v in trace.reading if not v.parents]
    shown = ", ".join(f"{trace.names[v]} = {number(v.data, p)}" for v in leaves[:12])
    steps: list[list[Any]] = [["in", -1, [f"The inputs: {shown}{', …' if len(leaves) > 12 else ''}."], [], ""]]
    for v in trace.values:
        if v.parents:
            steps.append(["f", index[v], [f"Forward: {words.forward(v)}"], [], ""])
    root = index[trace.root]
    grads[trace.root].append("1")
    seed = f"Backward: every grad starts at 0, and {atom(trace.names[trace.root])}.grad = 1."
    steps.append(["seed", root, [seed], [[root, -1, "1", "", "", "", ""]], ""])
    for step in trace.steps:
        updates = []
        for j, term in enumerate(step.terms):
            total = number(term.total, p)
            grads[term.parent].append(total)
            so = "" if term.before is None else added([(number(abs(x), p), x) for x in (term.before, term.amount)], p)
            updates.append([index[term.parent], j, total, atom(term.formula), number(term.local, p),
                            number(term.amount, p), so])  # fmt: skip
        steps.append(["b", index[step.node], words.step(step)[:1], updates, number(step.grad, p)])
    lines = [f"{atom(trace.names[v])}.grad = {trace.sum_by_path(v, p)}" for v in leaves]
    end = ["Done: every Value shows its data and its grad.", *lines[:40]]
    steps.append(["end", root, [*end, *([f"… and {len(lines) - 40} more"] if len(lines) > 40 else [])], [], ""])
    widest = {v: (max(datas[v], "?", key=len), max(g, key=len)) for v, g in grads.items()}
    final = {v: (datas[v], number(trace.grad(v), p)) for v in trace.values}
    return {"values": values, "steps": steps}, widest, final
