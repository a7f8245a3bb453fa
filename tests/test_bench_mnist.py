"""bench/mnist.py runs: its MNIST step agrees with the floor's before it is timed, and its graph sizes are built."""

from __future__ import annotations

import gc

import pytest

from bench import mnist


@pytest.fixture
def no_collections(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bench collects before each timed run; in the test suite's big process that takes long and proves nothing."""
    monkeypatch.setattr(gc, "collect", lambda generation=2: 0)


def test_the_step_is_checked_against_the_floor_then_timed(
    capsys: pytest.CaptureFixture[str], no_collections: None
) -> None:
    mnist.bench_step(repeats=1)
    printed = capsys.readouterr().out
    assert "microgradnet / floor:" in printed and "target (≤ 0.5× the dense plain-Python step):" in printed


def test_the_steps_agree_with_the_floor_loss_for_loss() -> None:
    xs, labels, _ = mnist.images(8)
    ours, floor = mnist.make_microgradnet(xs, labels), mnist.make_floor(xs, labels)
    dense = mnist.dense_path(mnist.make_microgradnet(xs, labels))
    for _ in range(3):
        a, b, c = ours(), floor(), dense()
        assert a == c and a == pytest.approx(b, rel=1e-12)  # the sparse path: the very same floats


def test_node_building_with_the_collector_on_and_off(capsys: pytest.CaptureFixture[str], no_collections: None) -> None:
    enabled = gc.isenabled()
    mnist.bench_nodes([1000, 4000], repeats=1)
    assert gc.isenabled() == enabled
    printed = capsys.readouterr().out
    assert "collector  on, n =     4,000" in printed and "collector off, n =     1,000" in printed
    assert mnist.build(1000)().data == pytest.approx(1.0)  # x * 0.999 + 0.001 from 1.0 stays at 1.0
