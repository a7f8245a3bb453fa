"""microgradnet: a scalar autograd engine for learning, teaching and prototyping backpropagation."""

from __future__ import annotations

# Networks and training are submodules (microgradnet.nn.MLP ...), pure Python: tqdm, matplotlib and
# scikit-learn are imported only by the functions that need them.
from . import (
    datasets,
    losses,
    nn,
    optim,
    plot,
    training,
)
from .engine import Value, gradients
from .functional import grad, value_and_grad
from .fused import linear, linears, logsumexp, sum, sum_squares
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .ops import OPS, cos, exp, leaky_relu, log, relu, sigmoid, sin, sqrt, tanh  # ops gives Value its operators
from .render import GraphvizNotFoundError, draw_dot  # graphviz itself is imported only inside draw_dot
from .tree import draw_tree

__version__ = "0.1.0"

__all__ = [
    "OPS",
    "GraphvizNotFoundError",
    "Value",
    "__version__",
    "cos",
    "datasets",
    "draw_dot",
    "draw_tree",
    "enable_grad",
    "exp",
    "grad",
    "gradients",
    "is_grad_enabled",
    "leaky_relu",
    "linear",
    "linears",
    "log",
    "logsumexp",
    "losses",
    "nn",
    "no_grad",
    "optim",
    "plot",
    "relu",
    "sigmoid",
    "sin",
    "sqrt",
    "sum",
    "sum_squares",
    "tanh",
    "training",
    "value_and_grad",
]
