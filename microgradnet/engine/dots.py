"""A layer's weighted sums on one input row: Σ wᵢ·xᵢ + b for each neuron, the floats `sum` gives.

`sum(map(mul, w, x), b)` costs about a microsecond in calls (making the map, calling sum) before its
arithmetic: two thirds of a dot product of 2 inputs, a third of one of 16, and the list of the
weights' numbers it needs costs as much again. Written out as one expression over each neuron's
(w1..wn, b) Values, `b.data + w0.data * x0 + w1.data * x1 + ...`, a dot product costs little more
than its arithmetic, reading each weight as it goes. `param_dots(n)` is that expression for rows of
n inputs, generated from the number n (no other text goes in) and compiled once per width.

Up to Python 3.11, sum() adds floats one after another from its start, which is what the expression
does: the same floats, bit for bit. From 3.12 on sum() compensates the rounding of its additions, so
there (and for rows wider than MAX_WRITTEN_OUT) `param_dots` is None and the engine calls `summed`.
"""

from __future__ import annotations

import builtins
import operator
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .value import Value

__all__ = ["MAX_WRITTEN_OUT", "ParamDots", "param_dots", "summed"]

ParamDots = Callable[[Sequence[tuple["Value", ...]], Sequence[float]], list[float]]
MAX_WRITTEN_OUT = 128  # wider rows use sum(), where its calls cost little next to the arithmetic
_WRITTEN_OUT = sys.version_info < (3, 12)  # whether the expression adds as sum() does (see above)
_made: dict[int, ParamDots | None] = {}


def param_dots(nin: int) -> ParamDots | None:
    """`dots(params, x)`: [Σ w·x + b for each neuron's (w1..wn, b) Values in params] on a row x of nin floats;
    None where the sum is not written out."""
    if nin not in _made:
        _made[nin] = _written_out(nin) if _WRITTEN_OUT and nin <= MAX_WRITTEN_OUT else None
    return _made[nin]


def summed(weights: Sequence[Sequence[float]], biases: Sequence[float], x: Sequence[float]) -> list[float]:
    """[sum(map(mul, w, x), b) for each neuron's weights' numbers w and bias b]: any width, any Python."""
    dot, mul = builtins.sum, operator.mul
    return [dot(map(mul, w, x), b) for w, b in zip(weights, biases)]


def _written_out(nin: int) -> ParamDots:
    """The expression for rows of nin inputs, compiled: its source is made of nin alone."""
    xs = "".join(f"x{i}, " for i in range(nin))
    ws = "".join(f"w{i}, " for i in range(nin))
    terms = "".join(f" + w{i}.data * x{i}" for i in range(nin))
    source = f"def dots_{nin}(params, x):\n    ({xs}) = x\n    return [b.data{terms} for ({ws}b,) in params]\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<microgradnet.engine.dots {nin}>", "exec"), namespace)  # made of the number nin only
    dots: ParamDots = namespace[f"dots_{nin}"]
    dots.__doc__ = f"[Σ w·x + b for each neuron's (w, b)] on a row of {nin} inputs, its terms written out."
    return dots
