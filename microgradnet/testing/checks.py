"""Gradient checks: the engine's derivatives against central finite differences, as torch.autograd does.

`numerical_grad` is the finite-difference estimate itself; `gradcheck` compares it with the first
derivatives the engine computes (both `Value.backward()` and `gradients()`); `gradgradcheck` does the
same for second derivatives, built with `gradients(..., create_graph=True)`. `check_backward` turns
it around for a learner: a backward pass written by hand, checked against the engine's.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..engine import Value, enable_grad, gradients, no_grad, to_float

Function = Callable[..., Any]


class GradcheckError(AssertionError):
    """A derivative computed by the engine disagrees with its finite-difference estimate."""


def numerical_grad(f: Function, inputs: Iterable[object], eps: float = 1e-6) -> tuple[float, ...]:
    """d f / d x for each input x, by central differences (f(x + eps) - f(x - eps)) / 2 eps."""
    xs = _points(inputs, "numerical_grad")
    _check_positive(eps=eps)
    return tuple(_central_difference(lambda p: _value(f, p), xs, i, eps) for i in range(len(xs)))


def gradcheck(
    f: Function,
    inputs: Iterable[object],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Whether the engine's gradient of f(*inputs) matches central differences for every input.

    f takes one argument per input (it is called with Values) and returns a Value. A derivative
    passes when |analytic - numerical| <= atol + rtol * |numerical|, as in torch.autograd.gradcheck.
    On a mismatch raises GradcheckError naming the input, both values and the relative error, or
    returns False if raise_exception is False. Only the inputs' numbers are used; no .grad is touched.
    """
    inputs = _listed(inputs, "gradcheck")
    xs = _points(inputs, "gradcheck")
    _check_positive(eps=eps)
    _check_tolerances(atol, rtol)
    numerical = numerical_grad(f, xs, eps)
    for method, analytic in (("backward()", _backward_grads(f, xs)), ("gradients()", _first_grads(f, xs, False))):
        for i, (a, n) in enumerate(zip(analytic, numerical)):
            if not _close(a, n, atol, rtol):
                where = _describe(f, inputs, xs, i)
                msg = f"gradcheck: the derivative with respect to {where} disagrees with finite differences: "
                msg += f"analytic {a!r} (by {method}), "
                return _fail(msg + _verdict(a, n, atol, rtol, eps), raise_exception)
    return True


def gradgradcheck(
    f: Function,
    inputs: Iterable[object],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Whether the engine's second derivatives of f(*inputs) match central differences of its first ones.

    The first derivatives are built with gradients(..., create_graph=True) and differentiated again;
    each d²f / dxᵢ dxⱼ is compared with the central difference of d f / d xᵢ along xⱼ, and the first
    derivatives themselves with central differences of f. Failures as in `gradcheck`.
    """
    inputs = _listed(inputs, "gradgradcheck")
    xs = _points(inputs, "gradgradcheck")
    _check_positive(eps=eps)
    _check_tolerances(atol, rtol)
    first = _first_grads(f, xs, True)
    for i, (a, n) in enumerate(zip(first, numerical_grad(f, xs, eps))):
        if not _close(a, n, atol, rtol):
            where = _describe(f, inputs, xs, i)
            msg = f"gradgradcheck: the first derivative (create_graph=True) with respect to {where} disagrees "
            msg += f"with finite differences: analytic {a!r}, "
            return _fail(msg + _verdict(a, n, atol, rtol, eps), raise_exception)
    hessian = _hessian(f, xs)
    for j in range(len(xs)):
        column = _central_differences(lambda p: _first_grads(f, p, True), xs, j, eps)
        for i, n in enumerate(column):
            a = hessian[i][j]
            if not _close(a, n, atol, rtol):
                wi, wj = _describe(f, inputs, xs, i), _describe(f, inputs, xs, j)
                msg = f"gradgradcheck: the second derivative d²f / d[{wi}] d[{wj}] disagrees with finite differences "
                msg += f"of the first: analytic {a!r}, "
                return _fail(msg + _verdict(a, n, atol, rtol, eps), raise_exception)
    return True


def check_backward(
    f: Function,
    df: Callable[..., Sequence[float]],
    inputs: Iterable[object],
    *,
    atol: float = 1e-8,
    rtol: float = 1e-5,
) -> bool:
    """Whether a backward pass written by hand, df, gives the engine's gradient of f at inputs; raises if not.

    f builds a Value from one Value per input; df(*floats) returns the gradient written by hand, one
    number per input. Each must satisfy |hand - engine| <= atol + rtol * |engine| (inf and nan must be
    the same). Returns True, or raises GradcheckError naming every input whose gradient is wrong, with
    both numbers. The engine's gradient comes from `backward()`; no input's .grad is touched.
    """
    inputs = _listed(inputs, "check_backward")
    xs = _points(inputs, "check_backward")
    _check_tolerances(atol, rtol)
    if not callable(df):
        raise TypeError(f"check_backward(df) must be a function of the inputs' numbers, got {type(df).__name__}")
    hand = df(*xs)
    if isinstance(hand, (str, bytes, Value)) or not isinstance(hand, Iterable):
        raise TypeError(f"check_backward: df must return one gradient per input (a list), got {hand!r:.60}")
    hand = [to_float(g, f"check_backward: df's gradient {i}") for i, g in enumerate(hand)]
    if len(hand) != len(xs):
        raise ValueError(f"check_backward: df returned {len(hand)} gradients for {len(xs)} inputs")
    wrong = [
        f"  {_describe(f, inputs, xs, i)}: by hand {h!r}, by the engine {e!r}"
        for i, (h, e) in enumerate(zip(hand, _backward_grads(f, xs)))
        if not (_close(h, e, atol, rtol) or h == e or (h != h and e != e))
    ]
    if wrong:
        raise GradcheckError(
            f"check_backward: the gradient written by hand is wrong for {len(wrong)} of {len(xs)} inputs "
            f"(allowed: |hand - engine| <= atol {atol:g} + rtol {rtol:g} * |engine|):\n" + "\n".join(wrong)
        )
    return True


# -- evaluating f -----------------------------------------------------------------------------------
def _listed(inputs: Iterable[object], where: str) -> list[object]:
    if isinstance(inputs, (str, bytes, Value)) or not isinstance(inputs, Iterable):
        raise TypeError(f"{where}(inputs) must be a sequence of numbers or Values, got {type(inputs).__name__}")
    return list(inputs)


def _points(inputs: Iterable[object], where: str) -> list[float]:
    """The inputs as floats (a Value gives its .data); TypeError for anything else."""
    inputs = _listed(inputs, where)
    if not inputs:
        raise ValueError(f"{where}(inputs) is empty: there is nothing to differentiate with respect to")
    return [x.data if isinstance(x, Value) else to_float(x, f"{where}(inputs[{i}])") for i, x in enumerate(inputs)]


def _output(out: object) -> Value | float:
    if isinstance(out, Value):
        return out
    return to_float(out, "the checked function's result")


def _value(f: Function, point: Sequence[float]) -> float:
    """f at point, as a float, without building a graph."""
    with no_grad():
        out = _output(f(*[Value(x) for x in point]))
    return out.data if isinstance(out, Value) else out


def _backward_grads(f: Function, point: Sequence[float]) -> list[float]:
    """The gradient of f at point by Value.backward()."""
    with enable_grad():
        leaves = [Value(x) for x in point]
        out = _output(f(*leaves))
        if isinstance(out, Value):
            out.backward()
    return [leaf.grad for leaf in leaves]


def _first_grads(f: Function, point: Sequence[float], create_graph: bool) -> list[float]:
    """The gradient of f at point by gradients()."""
    with enable_grad():
        leaves = [Value(x) for x in point]
        out = _output(f(*leaves))
        if not isinstance(out, Value):
            return [0.0] * len(leaves)
        return [g.data for g in gradients(out, leaves, create_graph=create_graph)]


def _hessian(f: Function, point: Sequence[float]) -> list[list[float]]:
    """Second derivatives of f at point: row i is the gradient of d f / d xᵢ."""
    with enable_grad():
        leaves = [Value(x) for x in point]
        out = _output(f(*leaves))
        if not isinstance(out, Value):
            return [[0.0] * len(leaves) for _ in leaves]
        firsts = gradients(out, leaves, create_graph=True)
        return [[g.data for g in gradients(d, leaves)] for d in firsts]


def _central_differences(
    g: Callable[[list[float]], Sequence[float]], point: Sequence[float], j: int, eps: float
) -> list[float]:
    """(g(point + eps eⱼ) - g(point - eps eⱼ)) / (the step actually taken), for a vector-valued g."""
    hi, lo = list(point), list(point)
    hi[j] += eps
    lo[j] -= eps
    step = hi[j] - lo[j]
    return [(a - b) / step for a, b in zip(g(hi), g(lo))]


def _central_difference(g: Callable[[list[float]], float], point: Sequence[float], j: int, eps: float) -> float:
    return _central_differences(lambda p: (g(p),), point, j, eps)[0]


# -- verdicts and messages --------------------------------------------------------------------------
def _close(analytic: float, numerical: float, atol: float, rtol: float) -> bool:
    return abs(analytic - numerical) <= atol + rtol * abs(numerical)  # False for nan or inf on either side


def _relative_error(analytic: float, numerical: float) -> float:
    diff = abs(analytic - numerical)
    if diff == 0.0:
        return 0.0
    return diff / abs(numerical) if numerical != 0.0 else math.inf


def _verdict(analytic: float, numerical: float, atol: float, rtol: float, eps: float) -> str:
    rel = _relative_error(analytic, numerical)
    return (
        f"numerical {numerical!r}, relative error {rel:.3g} "
        f"(allowed: |analytic - numerical| <= atol {atol:g} + rtol {rtol:g} * |numerical|; eps {eps:g})"
    )


def _describe(f: Function, inputs: Sequence[object], point: Sequence[float], i: int) -> str:
    """'input 1 (y = 2.0)': its position, its name (label, parameter name or xᵢ) and its value."""
    x = inputs[i]
    name = x.label if isinstance(x, Value) and x.label else _parameter_name(f, i) or f"x{i}"
    return f"input {i} ({name} = {point[i]!r})"


def _parameter_name(f: Function, i: int) -> str | None:
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if i < len(params) and params[i].kind in positional:
        return params[i].name
    return None


def _fail(message: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(message)
    return False


def _check_positive(**numbers: float) -> None:
    for name, x in numbers.items():
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not x > 0 or not math.isfinite(x):
            raise ValueError(f"{name} must be a positive finite number, got {x!r}")


def _check_tolerances(atol: float, rtol: float) -> None:
    for name, x in (("atol", atol), ("rtol", rtol)):
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not x >= 0 or not math.isfinite(x):
            raise ValueError(f"{name} must be a non-negative finite number, got {x!r}")
