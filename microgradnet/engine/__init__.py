"""The engine: the Value, its op table, the backward pass and grad mode. It imports nothing else of the package.

Its modules, each with one job:

| module | what it holds |
| --- | --- |
| `value.py` | the Value: its slots, constructor (micrograd's), comparisons, `describe()` |
| `make.py` | where every node is made: `new_node` and its inlined twins |
| `layouts.py` | the node layouts: what a node keeps in its two operand slots |
| `ops.py` | the op table: one row per elementwise primitive; `defop` adds one |
| `op_nodes.py` | the node classes made from a row, with their partials and backward steps |
| `reductions.py` | nodes that reduce many terms: `sum`, `sum_squares`, `logsumexp` |
| `weighted_sum.py` | a neuron's weighted sum as one node: `linear`, `linears`, `linears_each` |
| `activated.py` | a neuron's weighted sum and its activation as one node, which comes apart when looked into |
| `vectors.py` | vector building blocks: `dot`, `matvec`, `softmax`, `rmsnorm`, `layernorm` |
| `attention.py` | one head of scaled dot-product attention as d output nodes: `attention` |
| `backward.py` | the backward pass, and the walk that orders a graph for it |
| `gradients.py` | `gradients()`: derivatives as Values, to any order |
| `floats.py` | float semantics: IEEE 754 results where Python's math module raises |
| `grad_mode.py` | `no_grad`, `enable_grad`: whether operations record a graph |
| `extend.py` | the public door for new primitives: `defop`, `FusedNode`, `new_node` |
| `formulas.py` | ops written out as formulas, for `Value.rule` and `explain()` |
| `stubs.py` | writes the type stubs of the methods and functions the op table makes |
| `source.py` | how a node writes itself as Python source, for the code generator |
"""

from __future__ import annotations

from .activated import ACTIVATIONS
from .attention import AttentionHead, AttentionOutput, attention
from .backward import backward_order, backward_reached
from .extend import FusedNode, all_values, new_node, to_float
from .formulas import LocalRule
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .gradients import gradients
from .layouts import LAYOUTS, Layout
from .ops import *  # noqa: F403 - the table's functions (exp, log, tanh ...), named in FUNCTIONS
from .ops import FUNCTIONS, OPS, TABLE, Op, Row, defop
from .reductions import LogSumExp, Sum, SumSquares, logsumexp, sum_squares
from .reductions import sum as sum  # engine.sum, not in __all__: a star import keeps the builtin sum
from .source import NotCompilableError, SourceWriter
from .value import NodeInfo, Operand, Value
from .vectors import Dot, InvRMS, InvStd, MatVecRow, Softmax, dot, layernorm, matvec, rmsnorm, softmax
from .weighted_sum import Linear, LinearComputed, LinearConst, linear, linears, linears_each

__all__ = [
    "ACTIVATIONS",
    "FUNCTIONS",
    "LAYOUTS",
    "OPS",
    "TABLE",
    "AttentionHead",
    "AttentionOutput",
    "Dot",
    "FusedNode",
    "InvRMS",
    "InvStd",
    "Layout",
    "Linear",
    "LinearComputed",
    "LinearConst",
    "LocalRule",
    "LogSumExp",
    "MatVecRow",
    "NodeInfo",
    "NotCompilableError",
    "Op",
    "Operand",
    "Row",
    "Softmax",
    "SourceWriter",
    "Sum",
    "SumSquares",
    "Value",
    "all_values",
    "attention",
    "backward_order",
    "backward_reached",
    "defop",
    "dot",
    "enable_grad",
    "gradients",
    "is_grad_enabled",
    "layernorm",
    "linear",
    "linears",
    "linears_each",
    "logsumexp",
    "matvec",
    "new_node",
    "no_grad",
    "rmsnorm",
    "softmax",
    "sum_squares",
    "to_float",
    *FUNCTIONS,
]
