"""Drawings of a Value's computation graph: `draw_dot` (Graphviz) and `draw_tree` (text).

| module | what it holds |
| --- | --- |
| `graph.py` | the Values a drawing shows, in order; how numbers and text are written |
| `dot.py` | `draw_dot`: the graph as a `graphviz.Digraph`, with module clusters and colours |
| `tree.py` | `draw_tree`: the graph as an indented text tree, needing nothing installed |

Each node describes itself (`Value.describe()`): no op name or node layout appears here.
"""

from __future__ import annotations

from .dot import GraphvizError, GraphvizNotFoundError, draw_dot, render
from .graph import graph_values
from .tree import draw_tree

__all__ = ["GraphvizError", "GraphvizNotFoundError", "draw_dot", "draw_tree", "graph_values", "render"]
