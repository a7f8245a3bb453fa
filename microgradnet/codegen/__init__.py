"""Graphs as generated Python: `to_python(root)` writes a graph's forward and backward pass as a program.

| module | what it holds |
| --- | --- |
| `program.py` | `to_python` and `Program`: one graph as a readable function of its inputs |
| `model.py` | `CompiledModel`: a Neuron, Layer or MLP as code for one sample, looped over a batch |
| `step.py` | `CompiledStep`: fit's whole training step (model, loss, L2, backward) as one function |
| `loss.py` | a built-in loss as code: each sample's term and its backward step, the batch's part on top |
| `graph.py` | a graph laid out as code: its order, names, and each node's backward lines |
| `writer.py` | the names of generated code and the writer a node writes itself with |
| `inline.py` | a rule's own expression, written in place of a call of it |

Each node writes its own code (`Value.source`, see engine/source.py); labels never become code.
"""

from __future__ import annotations

from ..engine.source import NotCompilableError
from .model import CompiledModel, NotCompiledWarning
from .program import Program, to_python

__all__ = ["CompiledModel", "NotCompilableError", "NotCompiledWarning", "Program", "to_python"]
