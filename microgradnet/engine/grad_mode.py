"""Grad mode: whether operations record a graph. Per thread, like PyTorch's."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    enabled = True


_state = _State()
# How many no_grad blocks are open, in all threads together. While none is, every thread records and
# graph building need not look up its thread's mode: `_off[0] and not _state.enabled` is the test.
_off = [0]
_off_lock = threading.Lock()


def is_grad_enabled() -> bool:
    """Whether operations in this thread currently record a graph."""
    return _state.enabled


class _GradMode:
    """Context manager and decorator that sets grad mode for the code it wraps, then restores it."""

    def __init__(self, mode: bool) -> None:
        self._mode = mode
        self._saved: list[bool] = []

    def __enter__(self) -> None:
        if not self._mode:
            with _off_lock:
                _off[0] += 1
        self._saved.append(_state.enabled)
        _state.enabled = self._mode

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _state.enabled = self._saved.pop()
        if not self._mode:
            with _off_lock:
                _off[0] -= 1

    def __call__(self, func: F) -> F:
        """Wrap func so that it runs in this grad mode."""
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _GradMode(mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


@overload
def no_grad() -> _GradMode: ...
@overload
def no_grad(func: F) -> F: ...
def no_grad(func: F | None = None) -> _GradMode | F:
    """Build no graph inside: `with no_grad():`, `@no_grad` or `@no_grad()`; results are plain leaves."""
    return _GradMode(False) if func is None else _GradMode(False)(func)


@overload
def enable_grad() -> _GradMode: ...
@overload
def enable_grad(func: F) -> F: ...
def enable_grad(func: F | None = None) -> _GradMode | F:
    """Record a graph inside, even within `no_grad`: `with enable_grad():` or as a decorator."""
    return _GradMode(True) if func is None else _GradMode(True)(func)
