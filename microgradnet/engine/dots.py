"""A layer's weighted sums on floats: Σ wᵢ·xᵢ + b for each neuron on one input row, as `sum` adds them.

`sum(map(mul, w, x), b)` costs about a microsecond in calls (making the map, calling sum) before its
arithmetic: two thirds of a dot product of 2 inputs, a third of one of 16. Written out as one
expression, `b + w0 * x0 + w1 * x1 + ...`, a dot product costs its arithmetic alone. `layer_dots(n)`
is that expression for rows of n inputs, generated from the number n (no other text goes in) and
compiled once per width.

Up to Python 3.11, sum() adds floats one after another from its start, which is what the expression
does: the same floats, bit for bit. From 3.12 on sum() compensates the rounding of its additions, so
there `layer_dots` is sum itself (the engine's numbers do not depend on how they were computed).
"""

from __future__ import annotations

import builtins
import operator
import sys
from collections.abc import Callable, Sequence

__all__ = ["Dots", "layer_dots"]

Dots = Callable[[Sequence[Sequence[float]], Sequence[float], Sequence[float]], list[float]]
MAX_WRITTEN_OUT = 128  # wider rows use sum(), where its calls cost little next to the arithmetic
_WRITTEN_OUT = sys.version_info < (3, 12)  # whether the expression adds as sum() does (see above)
_made: dict[int, Dots] = {}


def layer_dots(nin: int) -> Dots:
    """`dots(weights, biases, x)`: [Σ w·x + b for each neuron's weights w and bias b] on a row x of nin floats."""
    dots = _made.get(nin)
    if dots is None:
        dots = _made[nin] = _written_out(nin) if _WRITTEN_OUT and nin <= MAX_WRITTEN_OUT else summed
    return dots


def summed(weights: Sequence[Sequence[float]], biases: Sequence[float], x: Sequence[float]) -> list[float]:
    """[sum(map(mul, w, x), b) for each neuron]: any width, any Python."""
    dot, mul = builtins.sum, operator.mul
    return [dot(map(mul, w, x), b) for w, b in zip(weights, biases)]


def _written_out(nin: int) -> Dots:
    """The expression for rows of nin inputs, compiled: its source is made of nin alone."""
    xs = "".join(f"x{i}, " for i in range(nin))
    ws = "".join(f"w{i}, " for i in range(nin))
    terms = "".join(f" + w{i} * x{i}" for i in range(nin))
    source = (
        f"def dots_{nin}(weights, biases, x):\n"
        f"    ({xs}) = x\n"
        f"    return [b{terms} for ({ws}), b in zip(weights, biases)]\n"
    )
    namespace: dict[str, object] = {}
    exec(compile(source, f"<microgradnet.engine.dots {nin}>", "exec"), namespace)  # made of the number nin only
    dots: Dots = namespace[f"dots_{nin}"]  # type: ignore[assignment]
    dots.__doc__ = f"[Σ w·x + b for each neuron] on a row of {nin} inputs, its terms written out."
    return dots
