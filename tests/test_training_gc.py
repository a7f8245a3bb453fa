"""fit trains with Python's cyclic collector paused, and leaves the collector exactly as it found it."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from microgradnet import Value, losses
from microgradnet.nn import MLP
from microgradnet.training import collector_paused, fit

X = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
Y = [1, 1, 0, 0]


@pytest.fixture(autouse=True)
def collector_state() -> Iterator[None]:
    """Every test starts with the collector on and its default thresholds, and leaves it so."""
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    gc.enable()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        (gc.enable if enabled else gc.disable)()


def test_the_collector_is_paused_inside_and_restored_after() -> None:
    with collector_paused() as was_enabled:
        assert was_enabled is True and not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with collector_paused() as was_enabled:
        assert was_enabled is False and not gc.isenabled()
    assert not gc.isenabled()  # off stays off
    gc.enable()
    with collector_paused(), collector_paused() as inner:  # nested: the inner block finds it paused
        assert inner is False
    assert gc.isenabled()


def test_restored_even_when_the_block_raises() -> None:
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_fit_trains_with_the_collector_paused_and_restores_it() -> None:
    seen: list[bool] = []

    def loss(outputs: Any, labels: Any) -> Value:
        seen.append(gc.isenabled())
        return losses.binary_cross_entropy_with_logits(outputs, labels)

    gc.set_threshold(500, 7, 3)
    fit(MLP(2, [4, 1], seed=0), X, Y, loss=loss, epochs=2, batch_size=2, seed=0, progress=False)
    assert seen == [False] * 4
    assert gc.isenabled() and gc.get_threshold() == (500, 7, 3)
    gc.disable()
    fit(MLP(2, [4, 1], seed=0), X, Y, epochs=1, progress=False)
    assert not gc.isenabled()


@pytest.mark.parametrize("where", ["loss", "optimizer", "validation"])
def test_fit_restores_the_collector_when_it_fails(where: str) -> None:
    model = MLP(2, [4, 1], seed=0)

    def failing_loss(outputs: Any, labels: Any) -> Value:
        raise RuntimeError("a loss that fails")

    class FailingOptimizer:
        def zero_grad(self) -> None:
            pass

        def step(self) -> None:
            raise RuntimeError("an optimizer that fails")

    kwargs: dict[str, Any] = {
        "loss": {"loss": failing_loss},
        "optimizer": {"optimizer": FailingOptimizer()},
        "validation": {"validation_data": ([[1.0, 2.0, 3.0]], [1])},  # a row of the wrong length, found late
    }[where]
    with pytest.raises((RuntimeError, ValueError)):
        fit(model, X, Y, epochs=1, progress=False, **kwargs)
    assert gc.isenabled()


def test_fit_frees_the_cycles_that_a_step_makes() -> None:
    """Cycles made by a loss of one's own are collected between steps, as the collector would have done."""
    freed: list[int] = []
    alive_at_step: list[int] = []

    class Node:
        def __init__(self) -> None:
            self.me = self  # a reference cycle: only the collector frees it
            self.junk = [[] for _ in range(2 * gc.get_threshold()[0])]  # enough young objects for a collection

    def loss(outputs: Any, labels: Any) -> Value:
        alive_at_step.append(len(steps) - len(freed))
        node = Node()
        weakref.finalize(node, freed.append, len(steps))
        steps.append(node.me is node)
        return losses.binary_cross_entropy_with_logits(outputs, labels)

    steps: list[bool] = []
    fit(MLP(2, [4, 1], seed=0), X, Y, loss=loss, epochs=3, batch_size=2, seed=0, progress=False)
    assert len(steps) == 6 and max(alive_at_step) <= 1  # each step's cycle was freed before the next step
    gc.collect()
    assert len(freed) == 6
