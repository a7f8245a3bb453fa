"""The "hypothesis" entry point: Hypothesis calls the hook below when it is imported.

It must not import `strategies` right away: Hypothesis may be importing because `strategies` is, and
the module would be only half made. So the strategy for `Value` is looked up when first needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine import Value

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy


def _values_for(cls: type[Value]) -> SearchStrategy[Value]:
    """The strategy for st.from_type(Value): microgradnet.testing.strategies.values()."""
    from .strategies import values

    return values()


def _hypothesis_setup_hook() -> None:
    """Register the strategy for Value, so that st.from_type(Value) and @given(x=...) with hints work."""
    from hypothesis import strategies as st

    st.register_type_strategy(Value, _values_for)
