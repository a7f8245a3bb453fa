"""Tools to test gradients: finite-difference checks, expression trees and Hypothesis strategies.

`gradcheck`, `gradgradcheck`, `numerical_grad` and `check_backward` need nothing else; `microgradnet.testing.strategies`
needs Hypothesis (`pip install "microgradnet[testing]"`).
"""

from __future__ import annotations

from .checks import GradcheckError, check_backward, gradcheck, gradgradcheck, numerical_grad
from .trees import Apply, Constant, Expression, Input, apply_op, well_conditioned

__all__ = [
    "Apply",
    "Constant",
    "Expression",
    "GradcheckError",
    "Input",
    "apply_op",
    "check_backward",
    "gradcheck",
    "gradgradcheck",
    "numerical_grad",
    "well_conditioned",
]
