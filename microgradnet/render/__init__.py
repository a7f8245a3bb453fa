"""Drawings of a Value's computation graph: `draw_dot` (Graphviz) and `draw_tree` (text).

| module | what it holds |
| --- | --- |
| `graph.py` | the Values a drawing shows, in order; how numbers and text are written |
| `dot.py` | `draw_dot`: the graph as a `graphviz.Digraph`, with module clusters and colours |
| `tree.py` | `draw_tree`: the graph as an indented text tree, needing nothing installed |
| `clusters.py` | a module's parts in a drawing: layers and neurons, their parameters in order |
| `svg.py` | Graphviz's SVG made to fit a notebook's cell |
| `trace.py` | backpropagation step by step, as numbers: the forward values and each backward step |
| `explanation.py` | `explain`: the chain rule through a graph, in numbers, as text |
| `step_page.py` | `step_through`: a page that plays backpropagation step by step (with `step_page.js`, `.css`) |

Each node describes itself (`Value.describe()`): no op name or node layout appears here.
"""

from __future__ import annotations

from .dot import GraphvizError, GraphvizNotFoundError, draw_dot, render
from .explanation import Explanation, explain
from .graph import graph_values
from .step_page import StepThrough, step_through
from .tree import draw_tree

__all__ = [
    "Explanation",
    "GraphvizError",
    "GraphvizNotFoundError",
    "StepThrough",
    "draw_dot",
    "draw_tree",
    "explain",
    "graph_values",
    "render",
    "step_through",
]
