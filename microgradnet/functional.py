"""Function transforms in the style of JAX: `grad(f)` and `value_and_grad(f)`, nestable to any order.

They are built on `engine.gradients(..., create_graph=True)`, so a derivative is itself a graph that
can be differentiated again. Each call differentiates only with respect to the fresh leaves it makes
for its own arguments, so nested calls never confuse their variables: with
`f = lambda x: x * grad(lambda y: x * y)(3.0)`, `grad(f)(2.0)` is 4.0.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .engine import Value, enable_grad, gradients, to_float


class _Depth(threading.local):
    level = 0  # how many grad/value_and_grad calls are running in this thread


_depth = _Depth()


def _argnums(argnums: int | tuple[int, ...], nargs: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else argnums
    if not isinstance(nums, tuple) or not nums or not all(isinstance(i, int) and not isinstance(i, bool) for i in nums):
        raise TypeError(f"argnums must be an int or a non-empty tuple of ints, got {argnums!r}")
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(f"argnums {i} is out of range for a call with {nargs} positional argument(s)")
    return tuple(i % nargs for i in nums)


def value_and_grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., tuple[Any, Any]]:
    """A function returning (f(*args), df/d args[argnums]); results are floats at top level, Values when nested."""

    def value_and_grad_f(*args: Any) -> tuple[Any, Any]:
        nums = _argnums(argnums, len(args))
        xs = list(args)
        for i in nums:  # a fresh variable per differentiated argument: a leaf, or a node over a given Value
            if isinstance(args[i], Value):
                xs[i] = args[i] + 0.0
            else:
                xs[i] = Value(to_float(args[i], f"argument {i} of the differentiated function"))
        _depth.level += 1
        try:
            with enable_grad():
                out = f(*xs)
                if not isinstance(out, Value):
                    out = Value(to_float(out, "the differentiated function's result"))
                gs = gradients(out, [xs[i] for i in nums], create_graph=True)
        finally:
            _depth.level -= 1
        # Inside another grad, or when called with Values, keep the graph so it can be differentiated
        # again; at top level with plain numbers, a user wants plain numbers.
        keep_graph = _depth.level > 0 or any(isinstance(args[i], Value) for i in nums)
        value: Any = out if keep_graph else out.data
        result: tuple[Any, ...] = gs if keep_graph else tuple(g.data for g in gs)
        return value, (result[0] if isinstance(argnums, int) else result)

    value_and_grad_f.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """The function computing df/d args[argnums] (a tuple for a tuple of argnums); nests: grad(grad(f))."""
    vg = value_and_grad(f, argnums)

    def grad_f(*args: Any) -> Any:
        return vg(*args)[1]

    grad_f.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    return grad_f
