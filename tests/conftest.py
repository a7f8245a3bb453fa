"""Shared test setup: no Hypothesis deadlines; fixtures that plant a wrong derivative, forget ops, hide a package."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import pytest

from microgradnet import OPS, Value

try:
    from hypothesis import settings
except ImportError:  # the dev extra is not installed: the property tests will say so themselves
    pass
else:
    # No timed unit tests (speed belongs in bench/): a slow example is not a failure.
    settings.register_profile("microgradnet", deadline=None)
    settings.load_profile("microgradnet")


Plant = Callable[..., None]


@pytest.fixture
def plant_wrong_derivative(monkeypatch: pytest.MonkeyPatch) -> Plant:
    """plant(op_name, factor, graph_only=False): scale that op's local derivatives by factor.

    With graph_only only the derivatives built as Values (create_graph=True, higher order) are wrong.
    The op's node classes are patched, so every way of computing a gradient sees the bug.
    """

    def plant(name: str, factor: float, graph_only: bool = False) -> None:
        op = OPS[name]
        classes = [op.node] if op.arity == 1 else [op.node, op.node_x, op.node_y]
        for cls in classes:
            right = cls.__dict__["_vjp"]

            def wrong(self: Any, g: Any, graph: bool, right: Any = right) -> Any:
                shares = right(self, g, graph)
                if graph_only and not graph:
                    return shares
                return tuple(None if s is None else s * factor for s in shares)

            monkeypatch.setattr(cls, "_vjp", wrong)
            if "_backward" in cls.__dict__:  # a specialised backward step: use the one built on _vjp
                monkeypatch.setattr(cls, "_backward", Value._backward)

    return plant


@pytest.fixture
def forget_new_ops() -> Any:
    """Remove the ops a test adds with defop (and their Value methods) when it ends."""
    from microgradnet.engine.ops import OPS

    before = set(OPS)
    yield
    for name in set(OPS) - before:
        for method in OPS.pop(name).methods:
            delattr(Value, method)


@pytest.fixture
def hide_package(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A function that makes every import of a package (and its submodules) fail, as if it were not installed."""

    def hide(package: str) -> None:
        real_import = builtins.__import__

        def without(name: str, *args: Any, **kwargs: Any) -> Any:
            if name == package or name.startswith(package + "."):
                raise ImportError(f"No module named {package!r}")
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", without)

    return hide
