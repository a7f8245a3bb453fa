"""no_grad and enable_grad: context manager, decorator (bare or called), nesting, exceptions, threads."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import pytest

import microgradnet as mg
from microgradnet import Value, enable_grad, is_grad_enabled, no_grad
from microgradnet.engine import grad_mode
from microgradnet.nn import Layer


def _records(x: Value) -> bool:
    """Whether an operation on x records a graph now."""
    return (x * 2)._prev == (x,)


def test_no_grad_as_a_context_manager() -> None:
    x = Value(1.5)
    assert is_grad_enabled() and _records(x)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 2).tanh() + x
        assert y._prev == () and y._op == "" and type(y) is Value
        assert y.data == math.tanh(3.0) + 1.5
    assert is_grad_enabled() and _records(x)


def test_no_grad_as_a_decorator_bare_or_called() -> None:
    @no_grad
    def bare(x: Value) -> Value:
        """Doubles x."""
        return x * 2

    @no_grad()
    def called(x: Value) -> Value:
        return x * 3

    x = Value(1.0)
    assert bare(x)._prev == () and called(x)._prev == () and bare(x).data == 2.0
    assert bare.__name__ == "bare" and bare.__doc__ == "Doubles x."
    assert is_grad_enabled()


def test_enable_grad_inside_no_grad_and_nesting() -> None:
    x = Value(1.0)
    with no_grad():
        with enable_grad():
            assert is_grad_enabled() and _records(x)
            with no_grad():
                assert not _records(x)
            assert _records(x)
        assert not is_grad_enabled()

    @enable_grad
    def records() -> bool:
        return _records(x)

    with no_grad():
        assert records()
        assert not is_grad_enabled()


def test_the_mode_is_restored_after_an_exception() -> None:
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert is_grad_enabled()

    @no_grad
    def fails() -> None:
        raise ValueError("inner")

    with pytest.raises(ValueError, match="inner"):
        fails()
    assert is_grad_enabled() and grad_mode._off == [0]


def test_one_instance_can_be_reused_and_nested() -> None:
    mode = no_grad()
    with mode:
        with mode:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_grad_mode_is_per_thread() -> None:
    inside, done = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def quiet() -> None:
        with no_grad():
            seen["quiet thread"] = is_grad_enabled()
            inside.set()
            done.wait(5)

    def loud() -> None:
        inside.wait(5)
        seen["other thread"] = is_grad_enabled() and _records(Value(1.0))
        done.set()

    threads = [threading.Thread(target=quiet), threading.Thread(target=loud)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"quiet thread": False, "other thread": True}
    with no_grad():  # and the main thread inside no_grad does not affect a new thread
        result: list[bool] = []
        t = threading.Thread(target=lambda: result.append(is_grad_enabled()))
        t.start()
        t.join(10)
        assert result == [True] and not is_grad_enabled()


def test_every_way_of_making_a_node_follows_this_threads_mode_only() -> None:
    a = Value(2.0)
    layer = Layer(2, 3, seed=0)
    makers: dict[str, Callable[[], Value]] = {
        "binary": lambda: a * a,
        "constant right": lambda: a * 2.0,
        "constant left": lambda: 2.0 - a,
        "unary": lambda: a.tanh(),
        "leaky_relu": lambda: a.leaky_relu(0.1),
        "fused sum": lambda: mg.sum([a, a]),
        "layer": lambda: layer([1.0, a])[0],  # type: ignore[index]
        "layer on a batch": lambda: layer([[1.0, 2.0], [a, a]])[1][0],  # type: ignore[index]
    }
    with no_grad():
        assert {name: make()._prev for name, make in makers.items()} == dict.fromkeys(makers, ())
    entered, release = threading.Event(), threading.Event()

    def quiet() -> None:
        with no_grad():
            entered.set()
            release.wait(5)

    t = threading.Thread(target=quiet)
    t.start()
    entered.wait(5)
    try:  # another thread is inside no_grad: this one still records
        recorded = {name: bool(make()._prev) for name, make in makers.items()}
    finally:
        release.set()
        t.join(10)
    assert recorded == dict.fromkeys(makers, True)
    assert grad_mode._off == [0]  # every no_grad block closed: graph building is back on its quick path
