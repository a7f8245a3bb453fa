"""Graph workloads: small elementwise graphs, the memory of a chain, and backward through long chains."""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


def pairs(n: int, seed: int = 2) -> list[tuple[float, float]]:
    """n (a, b) operand pairs."""
    rng = random.Random(seed)
    return [(rng.uniform(-2.0, 2.0), rng.uniform(-2.0, 2.0)) for _ in range(n)]


ELEMENTWISE_OPS = 4  # a*b, + a, b*2.0, - : the ops of one expression


def elementwise(value: Callable[[float], Any], operands: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """For each pair, a*b + a - b*2.0 built op by op from two fresh leaves, then its backward; the grads."""
    grads = []
    for a_, b_ in operands:
        a, b = value(a_), value(b_)
        y = a * b + a - b * 2.0
        y.backward()
        grads.append((a.grad, b.grad))
    return [(float(da), float(db)) for da, db in grads]


def elementwise_graph(value: Callable[[float], Any], operands: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """One graph: a*b + a - b*2.0 for every pair, op by op, summed pairwise, then one backward; the grads.

    The pairwise sum is the same plain additions in every library (micrograd's recursive backward
    could not take the chain of a running sum), so all do the same 5n - 1 ops.
    """
    leaves = [(value(a_), value(b_)) for a_, b_ in operands]
    terms = [a * b + a - b * 2.0 for a, b in leaves]
    while len(terms) > 1:
        pairs = [terms[i] + terms[i + 1] for i in range(0, len(terms) - 1, 2)]
        terms = pairs + terms[len(pairs) * 2 :]
    terms[0].backward()
    return [(float(a.grad), float(b.grad)) for a, b in leaves]


def elementwise_expected(operands: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """d/da and d/db of a*b + a - 2b, by hand."""
    return [(b + 1.0, a - 2.0) for a, b in operands]


def chain(x: Any, n: int, c: float = 1.0000001) -> Any:
    """x * c * c * ... (n multiplications by a float)."""
    for _ in range(n):
        x = x * c
    return x


def bytes_per_op(value: Callable[[float], Any], n: int) -> float:
    """Memory held by a graph of n chained `x = x * c` (c a float), per op, measured with tracemalloc."""
    gc.collect()
    x = value(1.0)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        y = chain(x, n)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del y
    return (after - before) / n


def backward_seconds(value: Callable[[float], Any], n: int) -> tuple[float, float]:
    """Time of one backward() through a chain of n ops (graph built beforehand), and the leaf's grad."""
    x = value(1.0)
    y = chain(x, n)
    gc.collect()
    t = time.process_time()
    y.backward()
    dt = time.process_time() - t
    return dt, x.grad
