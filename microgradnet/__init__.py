"""microgradnet: a scalar autograd engine for learning, teaching and prototyping backpropagation.

The package is built in floors, each importing only the ones below it:

- `engine/`: the Value, its op table, the backward pass and grad mode (it imports nothing else);
- `nn`, `losses`, `optim`, `functional`, `datasets`, `training`, `progress`, `plot`, and `files`, `modelfile`;
- `render/` (`draw_dot`, `draw_tree`), `testing/` (gradient checks, Hypothesis strategies) and `codegen/`
  (`to_python`: a graph's forward and backward pass as Python);
- `cli/`, the command line, which nothing imports.
"""

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
from .codegen import to_python
from .engine import (
    OPS,
    FusedNode,
    Value,
    attention,
    defop,
    dot,
    enable_grad,
    gradients,
    is_grad_enabled,
    layernorm,
    linear,
    linears,
    logsumexp,
    matvec,
    no_grad,
    rmsnorm,
    softmax,
    sum_squares,
)
from .engine import sum as sum  # microgradnet.sum, not in __all__: `from microgradnet import *` keeps the builtin
from .engine.ops import *  # noqa: F403 - the op table's functions: exp, log, sqrt, tanh, sigmoid, relu ...
from .engine.ops import FUNCTIONS
from .functional import grad, value_and_grad
from .render import GraphvizError, GraphvizNotFoundError, draw_dot, draw_tree, explain, step_through

__version__ = "0.1.0"  # the release, as in the wheel's name and `microgradnet --version`

__all__ = [
    "OPS",
    "FusedNode",
    "GraphvizError",
    "GraphvizNotFoundError",
    "Value",
    "__version__",
    "attention",
    "datasets",
    "defop",
    "dot",
    "draw_dot",
    "draw_tree",
    "enable_grad",
    "explain",
    "grad",
    "gradients",
    "is_grad_enabled",
    "layernorm",
    "linear",
    "linears",
    "logsumexp",
    "losses",
    "matvec",
    "nn",
    "no_grad",
    "rmsnorm",
    "softmax",
    "optim",
    "plot",
    "step_through",
    "sum_squares",
    "to_python",
    "training",
    "value_and_grad",
    *FUNCTIONS,
]
