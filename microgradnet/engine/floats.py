"""Float functions with IEEE-754 semantics: they return inf or nan where Python's math module raises.

PyTorch computes in IEEE arithmetic, so `log(0)` is `-inf`, `1/0` is `inf` and `exp(1000)` is `inf`.
Python's `math` raises ValueError, ZeroDivisionError or OverflowError instead, and `**` may even
return a complex number. Every primitive of the engine computes its value through this module, so no
op ever raises on a real number and none ever returns a complex one.
"""

from __future__ import annotations

import math

inf = math.inf
nan = math.nan


def _is_odd_integer(y: float) -> bool:
    """Whether y is an odd integer (the case where a negative base keeps its sign)."""
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0.0


def div(x: float, y: float) -> float:
    """x / y, with x/0 = ±inf and 0/0 = nan."""
    try:
        return x / y
    except ZeroDivisionError:
        if x == 0.0 or math.isnan(x):
            return nan
        return math.copysign(inf, x) * math.copysign(1.0, y)


def pow(x: float, y: float) -> float:  # noqa: A001 - the name of the math it computes
    """x ** y as C's pow: 0**-1 = inf, (-8)**(1/3) = nan, overflow = ±inf; never complex."""
    try:
        return math.pow(x, y)
    except OverflowError:
        return -inf if x < 0.0 and _is_odd_integer(y) else inf
    except ValueError:  # zero to a negative power, or a negative base with a non-integer exponent
        if x == 0.0:
            return math.copysign(inf, x) if _is_odd_integer(y) else inf
        return nan


def exp(x: float) -> float:
    """e ** x, inf on overflow."""
    try:
        return math.exp(x)
    except OverflowError:
        return inf


def log(x: float) -> float:
    """Natural logarithm: log(0) = -inf, log(x < 0) = nan."""
    if x > 0.0:
        return math.log(x)
    return -inf if x == 0.0 else nan


def sqrt(x: float) -> float:
    """Square root: nan for x < 0."""
    return math.sqrt(x) if x >= 0.0 else nan


def tanh(x: float) -> float:
    """Hyperbolic tangent (math.tanh saturates to ±1 without overflow)."""
    return math.tanh(x)


def sigmoid(x: float) -> float:
    """Logistic function 1 / (1 + e**-x), in the form that cannot overflow for either sign of x."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = exp(x)  # x may be -inf or nan here; exp(x) <= 1 for every x < 0
    return e / (1.0 + e)


def relu(x: float) -> float:
    """max(x, 0), propagating nan as PyTorch does."""
    return 0.0 if x <= 0.0 else x


def leaky_relu(x: float, slope: float) -> float:
    """x for x > 0, slope * x otherwise."""
    return x if x > 0.0 else slope * x


def sin(x: float) -> float:
    """Sine; nan for ±inf."""
    return math.sin(x) if math.isfinite(x) else nan


def cos(x: float) -> float:
    """Cosine; nan for ±inf."""
    return math.cos(x) if math.isfinite(x) else nan


def logsumexp(xs: list[float]) -> float:
    """log Σ exp(x), shifted by the largest x so that nothing overflows: -inf for no xs, nan if one is nan."""
    if any(x != x for x in xs):
        return nan
    m = max(xs, default=-inf)
    return m if math.isinf(m) else m + math.log(sum([math.exp(x - m) for x in xs]))


def as_float(x: int | float) -> float:
    """float(x), with integers too large for a float becoming ±inf as in IEEE overflow."""
    try:
        return float(x)
    except OverflowError:
        return inf if x > 0 else -inf
