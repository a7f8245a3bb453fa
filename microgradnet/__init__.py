"""microgradnet: a scalar autograd engine for learning, teaching and prototyping backpropagation."""

from __future__ import annotations

from .engine import (
    OPS,
    Value,
    cos,
    exp,
    gradients,
    leaky_relu,
    linear,
    log,
    relu,
    sigmoid,
    sin,
    sqrt,
    sum,
    tanh,
)
from .functional import grad, value_and_grad
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .render import GraphvizNotFoundError, draw_dot  # graphviz itself is imported only inside draw_dot
from .tree import draw_tree

__version__ = "0.1.0"

__all__ = [
    "OPS",
    "GraphvizNotFoundError",
    "Value",
    "__version__",
    "cos",
    "draw_dot",
    "draw_tree",
    "enable_grad",
    "exp",
    "grad",
    "gradients",
    "is_grad_enabled",
    "leaky_relu",
    "linear",
    "log",
    "no_grad",
    "relu",
    "sigmoid",
    "sin",
    "sqrt",
    "sum",
    "tanh",
    "value_and_grad",
]
