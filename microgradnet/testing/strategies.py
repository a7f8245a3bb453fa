"""Hypothesis strategies for Values and for random expressions over the engine's ops.

Needs Hypothesis (`pip install "microgradnet[testing]"`). Hypothesis registers `values()` as the
strategy for `Value` through our "hypothesis" entry point (see `_plugin`), so `st.from_type(Value)` works.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as error:  # pragma: no cover - exercised by a test that hides hypothesis
    raise ImportError(
        'microgradnet.testing.strategies needs Hypothesis: pip install "microgradnet[testing]"'
    ) from error

from ..engine import OPS, Value
from .trees import Apply, Constant, Expression, Input, Node, nodes, well_conditioned

__all__ = ["expressions", "values"]

DEFAULT_CONSTANTS = (2.0, 0.5, -1.0, 3.0, -0.5, 1.5, -2.0)


def values(
    min_value: float | None = None,
    max_value: float | None = None,
    *,
    allow_nan: bool = False,
    allow_infinity: bool = False,
) -> st.SearchStrategy[Value]:
    """Leaf Values whose data is drawn as by st.floats(min_value, max_value, ...); finite by default."""
    return st.floats(min_value, max_value, allow_nan=allow_nan, allow_infinity=allow_infinity).map(Value)


def expressions(
    *,
    ops: Iterable[str] | None = None,
    max_leaves: int = 8,
    n_inputs: int = 2,
    inputs: st.SearchStrategy[float] | None = None,
    constants: st.SearchStrategy[float] | None = None,
) -> st.SearchStrategy[Expression]:
    """Random expressions over x0..x{n_inputs-1} built from `ops` (default: every op of the table), each
    with a point where every op is smooth with a margin and well-conditioned, so checks never hit a kink.

    `inputs` draws each input's value (default floats in [-2, 2]), `constants` the constant leaves.
    """
    names = _op_names(ops)
    if isinstance(max_leaves, bool) or not isinstance(max_leaves, int) or max_leaves < 1:
        raise InvalidArgument(f"max_leaves must be a positive int, got {max_leaves!r}")
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, int) or n_inputs < 1:
        raise InvalidArgument(f"n_inputs must be a positive int, got {n_inputs!r}")
    for name, strategy in (("inputs", inputs), ("constants", constants)):
        if strategy is not None and not isinstance(strategy, st.SearchStrategy):
            raise InvalidArgument(f"{name} must be a strategy of floats, got {type(strategy).__name__}")
    input_values = st.floats(-2.0, 2.0) if inputs is None else inputs
    constant_values = st.sampled_from(DEFAULT_CONSTANTS) if constants is None else constants
    return _expressions(names, max_leaves, n_inputs, input_values, constant_values)


def _op_names(ops: Iterable[str] | None) -> tuple[str, ...]:
    if ops is None:  # every op whose domain is known: where it is smooth
        return tuple(name for name, op in OPS.items() if op.domain is not None)
    if isinstance(ops, str):
        raise InvalidArgument(f"ops must be an iterable of op names, got the string {ops!r}")
    names = tuple(ops)
    unknown = [n for n in names if n not in OPS]
    if unknown:
        raise InvalidArgument(f"unknown op(s) {', '.join(map(repr, unknown))}; the ops are {', '.join(OPS)}")
    if not names:
        raise InvalidArgument("ops is empty: an expression needs at least one op")
    return names


@dataclass(frozen=True)
class _Pending:
    """An op node whose op is chosen once the point is known: the `choice`-th of those that fit there
    (counting from 1; 0 means no op: the node is its first operand)."""

    args: tuple[_Pending | Node, ...]
    choice: int
    slot: int  # if every operand is input-free, operand `slot` becomes the input x<variable>
    variable: int


def _expressions(
    names: tuple[str, ...],
    max_leaves: int,
    n_inputs: int,
    input_values: st.SearchStrategy[float],
    constant_values: st.SearchStrategy[float],
) -> st.SearchStrategy[Expression]:
    """Draw a tree shape with st.recursive, then a point, then choose each op among those that fit there."""
    variables = st.integers(0, n_inputs - 1).map(Input)
    leaves = st.one_of(variables, variables, constant_values.map(float).map(Constant))  # 2 to 1
    arities = sorted({OPS[n].arity for n in names})

    def applications(children: st.SearchStrategy[Any]) -> st.SearchStrategy[_Pending]:
        each_arity = [
            st.builds(
                _Pending,
                st.tuples(*[children] * arity),
                st.integers(0, 1023),
                st.integers(0, arity - 1),
                st.integers(0, n_inputs - 1),
            )
            for arity in arities
        ]
        return st.one_of(*each_arity)

    shapes = applications(st.recursive(leaves, applications, max_leaves=max_leaves))  # at least one op
    points = st.tuples(*[input_values.map(float)] * n_inputs)
    expressions = st.tuples(shapes, points).map(lambda shape_point: _resolve(names, *shape_point))
    return expressions.filter(lambda e: isinstance(e.tree, Apply))  # rarely needed: see _choose_ops


def _resolve(names: tuple[str, ...], shape: _Pending, point: tuple[float, ...]) -> Expression:
    return Expression(_choose_ops(names, shape, point), point)


def _choose_ops(names: tuple[str, ...], node: _Pending | Node, point: tuple[float, ...]) -> Node:
    """The tree with an op chosen for each pending node, among those well-conditioned at its operands."""
    if not isinstance(node, _Pending):
        return node
    args = [_choose_ops(names, a, point) for a in node.args]
    if not any(isinstance(n, Input) for a in args for n in nodes(a)):  # an op over constants alone tests nothing
        args[node.slot] = Input(node.variable)
    at = [float(a.evaluate(point)) for a in args]
    fitting = [n for n in names if OPS[n].arity == len(args) and well_conditioned(OPS[n], at)]
    if not fitting or node.choice == 0:  # choice 0 drops the op, which lets a shrinker remove any node
        return args[0]
    return Apply(fitting[(node.choice - 1) % len(fitting)], tuple(args))
