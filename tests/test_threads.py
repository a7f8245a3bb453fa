"""backward() and gradients() from several threads: a shared leaf accumulates every thread's gradient
exactly, and graphs that share nodes give each call its own right answer (the walk holds a lock of the
process). A derivative that sleeps lets the other threads run in the middle of every backward step, so
an unguarded `x.grad += ...` would lose updates here every time, not once in a while."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from microgradnet import OPS, Value, defop, gradients


@pytest.fixture
def yielding_tanh() -> Iterator[Callable[[Any], Any]]:
    """tanh whose derivative gives the other threads the GIL in the middle of each backward step."""

    def derivative(out: Any, x: Any) -> Any:
        time.sleep(0)
        return 1.0 - out * out

    f = defop("yielding_tanh", math.tanh, derivative)
    yield f
    for method in OPS.pop("yielding_tanh").methods:
        delattr(Value, method)


def run_threads(targets: list[Callable[[], None]]) -> None:
    start = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def run(target: Callable[[], None]) -> None:
        start.wait()
        try:
            target()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a thread hangs"
    assert not errors, errors


def test_a_leaf_shared_by_threads_gets_every_gradient(yielding_tanh: Callable[[Any], Any]) -> None:
    x = Value(0.3)
    reps, n = 25, 4

    def work() -> None:
        for _ in range(reps):
            (yielding_tanh(x) * 2.0).backward()  # a graph of its own each time, the leaf shared

    run_threads([work] * n)
    one = Value(0.3)
    (yielding_tanh(one) * 2.0).backward()
    assert x.grad == pytest.approx(one.grad * reps * n, rel=1e-12)


def test_threads_walking_graphs_that_share_nodes_get_their_own_answers(yielding_tanh: Callable[[Any], Any]) -> None:
    leaves = [Value(0.1 * i) for i in range(1, 5)]
    h = leaves[0]
    for v in leaves[1:]:
        h = yielding_tanh(h * v) + v  # interior nodes shared by both outputs
    outs = [(h * 3.0).sin() + h, yielding_tanh(h.exp() + h) * 0.5]
    alone = [[g.data for g in gradients(out, leaves)] for out in outs]
    found: dict[int, list[float]] = {}

    def grads(i: int) -> Callable[[], None]:
        def work() -> None:
            for _ in range(5):
                found[i] = [g.data for g in gradients(outs[i], leaves)]
                outs[i].backward()

        return work

    run_threads([grads(0), grads(1)])
    assert found == {0: alone[0], 1: alone[1]}
    expected = [5 * (a + b) for a, b in zip(*alone)]
    assert [v.grad for v in leaves] == pytest.approx(expected, rel=1e-12)


def test_a_backward_step_may_call_backward_itself() -> None:
    """The lock is re-entrant: a node of micrograd's own kind whose step runs another backward does not hang."""
    inner = Value(2.0)
    x = Value(3.0)
    out = Value(x.data * 2, (x,), "double")

    def step() -> None:
        (inner * inner).backward()
        x.grad += 2 * out.grad

    out._backward = step
    run_threads([out.backward])
    assert x.grad == 2.0 and inner.grad == 4.0


@pytest.mark.parametrize("op", ["tanh", "sigmoid", "exp"])
def test_four_threads_on_separate_graphs_sharing_a_leaf_lose_nothing(op: str) -> None:
    """The issue's case: the built-in ops, a graph per thread per step, one leaf shared by four threads."""
    x = Value(0.3)
    reps, n = 200, 4

    def work() -> None:
        for _ in range(reps):
            (getattr(x * 1.5, op)() * 2.0).backward()

    run_threads([work] * n)
    one = Value(0.3)
    (getattr(one * 1.5, op)() * 2.0).backward()
    assert x.grad == pytest.approx(one.grad * reps * n, rel=1e-12)
