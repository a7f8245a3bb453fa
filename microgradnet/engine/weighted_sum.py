"""A neuron's weighted sum Σ wᵢxᵢ + b as one node, and a layer's of them on a batch of input rows.

`linear(weights, inputs, bias)` is one node with n + 1 parameters as parents, not 2n additions and
multiplications; `linears` makes a layer's (its inputs checked once) and `linears_each` a layer's on
each row of a batch, checking its parameters once (their sums: `dots.py`). The node classes keep their operands in
the layouts ROW (leaf parameters in `_p`; in `_arg` an `InputRow`, one node per input row that holds
the row's input Values and is shared by the layer's nodes on it), ROW_COMPUTED (the same with
computed weights) and LEAVES (plain-number inputs, kept as the op's data): a layer's nodes cost no
tuple each, and the backward walk meets a layer's input row as one node read by many neurons.
Plain-number inputs that are mostly zeros (MNIST's pixels) make SparseLinearConst nodes, whose sums and
backward steps skip the zeros with bit for bit the same results.
"""

from __future__ import annotations

import builtins
import math
import operator
import sys
from collections.abc import Callable, Sequence
from itertools import compress
from typing import TYPE_CHECKING

from .dots import param_dots, summed
from .formulas import atom, constant, series
from .layouts import LEAVES, MANY, ROW, ROW_COMPUTED
from .make import copy_function, leaf, new_activated, new_node, new_nodes, new_relu_activated
from .op_nodes import number
from .source import SourceWriter
from .value import _VALUE_TYPES, NodeInfo, Operand, Partials, Value, to_float

if TYPE_CHECKING:
    from .activated import Activation

__all__ = [
    "InputRow",
    "LayerParameters",
    "Linear",
    "LinearComputed",
    "LinearConst",
    "SparseInputs",
    "SparseLinearConst",
    "linear",
    "linears",
    "linears_each",
]

_FLOAT = frozenset([float])
_LEAF = frozenset([Value])  # a Value of exactly this class is a leaf (every node is of a subclass)
MAX_SHOWN_INPUTS = 4  # a drawing of a LinearConst node lists at most this many of its plain-number inputs


class InputRow(Value):
    """The inputs (x1..xn) of a layer on one row, in _p: one node that the layer's Linear nodes share.

    It is bookkeeping for the backward walk, not an op: its data is 0, it passes no gradient (each
    Linear node adds its share to the inputs directly), and no drawing or `_prev` shows it.
    """

    __slots__ = ()
    _op, _name, _kind, _layout = "row", "input_row", "op", MANY

    def _partials(self, graph: bool) -> Partials:
        return (0.0,) * len(self._p)

    def _backward(self) -> None:
        pass

    def source(self, writer: SourceWriter) -> None:
        """Nothing: an input row is no step of its own."""


class Linear(Value):
    """w·x + b over Value inputs x and leaf parameters w, b (layout ROW): _prev = (w1..wn, x1..xn, b)."""

    __slots__ = ()
    _op, _name, _kind, _layout = "Σ w·x + b", "linear", "op", ROW

    def _partials(self, graph: bool) -> Partials:
        xs = self._arg._p
        ws = self._p[:-1]
        if graph:
            return (*xs, *ws, 1.0)
        return (*[x.data for x in xs], *[w.data for w in ws], 1.0)

    def _backward(self) -> None:
        g = self.grad
        if g == 0.0 and math.isfinite(self.data):  # every w·x was finite, so each term would add ±0: nothing to add
            return  # (a neuron behind an inactive ReLU, or a sample the hinge loss is satisfied with)
        params = self._p
        for w, x in zip(params, self._arg._p):  # zip stops at the last input: (w1, x1) .. (wn, xn)
            w.grad += g * x.data
            x.grad += g * w.data
        params[-1].grad += g

    def source(self, writer: SourceWriter) -> None:
        """b + w1·x1 + ... + wn·xn, summed as the engine sums it; its step as `_backward`, skipped where it is."""
        w = writer
        k = len(self._arg._p)
        ws, xs = [w.operand(i) for i in range(k)], [w.operand(k + i) for i in range(k)]
        _linear_source(w, ws, xs, w.operand(2 * k), list(range(k)), list(range(k, 2 * k)), 2 * k)

    def describe(self, precision: int = 4) -> NodeInfo:
        """'Σ w·x + b' over n inputs; its parents are named w0.., x0.., b."""
        k = len(self._arg._p)
        roles = (*[f"w{i}" for i in range(k)], *[f"x{i}" for i in range(k)], "b")
        return NodeInfo(self._op, (f"n = {k}",), self._prev, roles, self._kind, self._name)

    def _formulas(self, name: str, parents: Sequence[str], precision: int) -> tuple[str, Sequence[str]]:
        """w0·x0 + … + b, and the derivatives: x by w, w by x, 1 by b."""
        k = (len(parents) - 1) // 2
        ws, xs = [atom(p) for p in parents[:k]], [atom(p) for p in parents[k:-1]]
        return _weighted(ws, xs, parents[-1]), [*xs, *ws, "1"]


class LinearComputed(Linear):
    """w·x + b over Value inputs where some weight or the bias is itself computed, not a leaf."""

    __slots__ = ()
    _layout = ROW_COMPUTED


class LinearConst(Linear):
    """w·x + b over plain-number inputs x (the op's data, no gradient) and leaf w, b (layout LEAVES)."""

    __slots__ = ()
    _layout = LEAVES

    def _partials(self, graph: bool) -> Partials:
        return (*self._arg, 1.0)

    def _backward(self) -> None:
        g = self.grad
        if g == 0.0 and math.isfinite(self.data):  # as in Linear: each term would add ±0
            return
        params = self._p
        for w, x in zip(params, self._arg):
            w.grad += g * x
        params[-1].grad += g

    def source(self, writer: SourceWriter) -> None:
        """As Linear's, its inputs plain numbers."""
        w = writer
        k = len(self._arg)
        ws, xs = [w.operand(i) for i in range(k)], [w.constant(x) for x in self._arg]
        _linear_source(w, ws, xs, w.operand(k), list(range(k)), [], k)

    def describe(self, precision: int = 4) -> NodeInfo:
        """'Σ w·x + b' with its first inputs written out; its parents are named w0.., b."""
        xs = [number(x, precision) for x in self._arg[:MAX_SHOWN_INPUTS]]
        more = ", …" if len(self._arg) > MAX_SHOWN_INPUTS else ""
        details = (f"n = {len(self._arg)}, x = ({', '.join(xs)}{more})",)
        roles = (*[f"w{i}" for i in range(len(self._arg))], "b")
        return NodeInfo(self._op, details, self._p, roles, self._kind, self._name)

    def _formulas(self, name: str, parents: Sequence[str], precision: int) -> tuple[str, Sequence[str]]:
        """w0·x0 + … + b with the inputs as numbers, and the derivatives: x by w, 1 by b."""
        xs = [atom(constant(x, precision)) for x in self._arg]
        return _weighted([atom(p) for p in parents[:-1]], xs, parents[-1]), [*xs, "1"]


def _weighted(ws: Sequence[str], xs: Sequence[str], b: str) -> str:
    """'w0·x0 + w1·x1 + b' (the middle terms left out of a long one)."""
    return f"{series([f'{w}·{x}' for w, x in zip(ws, xs)])} + {atom(b)}" if ws else atom(b)


def _linear_source(
    w: SourceWriter, ws: list[str], xs: list[str], b: str, w_parents: list[int], x_parents: list[int], b_parent: int
) -> None:
    """A weighted sum's source (see source.py): its value, then each gradient in the order `_backward` adds them."""
    w.value(weighted_sum_source(w, [f"{wi} * {xi}" for wi, xi in zip(ws, xs)], b))
    when = f"not ({w.grad} == 0.0 and {w.call(math.isfinite, w.out)})"  # _backward's early return, negated
    for i, (wi, xi) in enumerate(zip(ws, xs)):
        w.add(w_parents[i], f"{w.grad} * {xi}", when=when)
        if x_parents:
            w.add(x_parents[i], f"{w.grad} * {wi}", when=when)
    w.add(b_parent, w.grad, when=when)


def weighted_sum_source(w: SourceWriter, products: list[str], start: str) -> str:
    """builtins.sum(products, start) as this Python sums floats: left to right, or (3.12 on) compensated."""
    if not products:
        return start
    if sys.version_info < (3, 12):
        return " + ".join([start, *products])
    return w.call(builtins.sum, f"({', '.join(products)},)", start)


class SparseInputs(tuple):  # type: ignore[type-arg]
    """A row of plain-number inputs (the tuple itself) that knows where its non-zero entries are.

    `nz` holds their places and `values` the entries, `take` picks the weights at those places: one
    row is read by all of a layer's neurons, so this is worked out once per row.
    """

    nz: tuple[int, ...]
    values: tuple[float, ...]
    take: Callable[[Sequence[float]], Sequence[float]]


class SparseLinearConst(LinearConst):
    """A LinearConst whose inputs are mostly zeros (MNIST's pixels): its backward step skips them.

    A zero input x adds g·x = ±0 to its weight's gradient, which changes nothing (g finite), so the
    step adds only the non-zero inputs' terms: bit for bit the same gradients in a fraction of the time.
    Its data was summed from the non-zero terms the same way (see `sparse_dots`). Its `_arg` is a
    SparseInputs, a tuple of all of its inputs, so it reads (draws, differentiates) as a LinearConst.
    """

    __slots__ = ()

    def _backward(self) -> None:
        g = self.grad
        if g - g != 0.0:  # g is inf or nan, and g * 0 is nan: no term may be skipped
            LinearConst._backward(self)
            return
        if g == 0.0 and math.isfinite(self.data):  # as in Linear: each term would add ±0
            return
        row = self._arg
        params = self._p
        for w, x in zip(row.take(params), row.values):
            w.grad += g * x
        params[-1].grad += g


# When skipping a row's zeros pays (measured by instruction counts: at 3/4 non-zero it costs ~3% more, at 1/2 it
# saves ~12%): rows of at least SPARSE_MIN_INPUTS inputs of which at most SPARSE_MAX_FILL are non-zero.
SPARSE_MIN_INPUTS = 16
SPARSE_MAX_FILL = 2 / 3


def sparse_inputs(xs: tuple[float, ...]) -> SparseInputs | None:
    """xs as SparseInputs if enough of its entries are zero for skipping them to pay, else None."""
    n = len(xs)
    if n < SPARSE_MIN_INPUTS:
        return None
    nz = tuple(compress(range(n), xs))  # the places of the non-zero entries (nan is one), at C speed
    if len(nz) > SPARSE_MAX_FILL * n:
        return None
    row = SparseInputs(xs)
    row.nz = nz
    row.values = tuple(compress(xs, xs))
    row.take = operator.itemgetter(*nz) if len(nz) > 1 else _Take(nz)
    return row


class _Take:
    """Picks a sequence's entries at 0 or 1 places as a tuple (itemgetter takes 2 or more); pickles, as a row must."""

    __slots__ = ("places",)

    def __init__(self, places: tuple[int, ...]) -> None:
        self.places = places

    def __call__(self, seq: Sequence[float]) -> tuple[float, ...]:
        return tuple(seq[i] for i in self.places)


def finite_weights(wds: Sequence[list[float]]) -> list[bool]:
    """For each neuron's weights, whether all are finite (their sum is inf or nan if one is not)."""
    isfinite, dot = math.isfinite, builtins.sum
    return [isfinite(dot(wd)) for wd in wds]


def sparse_dots(wds: Sequence[list[float]], bds: Sequence[float], finite: list[bool], row: SparseInputs) -> list[float]:
    """Σ w·x + b for each neuron's weights wd and bias bd, summing only the non-zero inputs' terms.

    The same floats as summing every term: a zero input's term w·0 is ±0, and adding ±0 changes no
    partial sum but the sign of a zero one. So a neuron whose sum comes out zero is summed again in
    full, for its sign, and so is one with an infinite or nan weight (not `finite`), whose w·0 is nan.
    """
    dot, mul, take, values = builtins.sum, operator.mul, row.take, row.values
    out = []
    for wd, bd, ok in zip(wds, bds, finite):
        data = dot(map(mul, take(wd), values), bd)
        if data == 0.0 or not ok:
            data = dot(map(mul, wd, row), bd)
        out.append(data)
    return out


def linear(weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand = 0.0) -> Value:
    """Σ wᵢ·xᵢ + bias as one node: a neuron's pre-activation. Inputs may be Values or plain numbers."""
    ws = tuple(weights)
    xs = tuple(inputs)
    if len(ws) != len(xs):
        raise ValueError(f"linear: {len(ws)} weights but {len(xs)} inputs; they must have the same length")
    # Whole tuples are type-checked with set operations at C speed: one Python step per neuron, not per input.
    param_types = set(map(type, ws))
    param_types.add(type(bias))
    if param_types <= _VALUE_TYPES:
        wd = [w.data for w in ws]  # type: ignore[union-attr]
        if _VALUE_TYPES.issuperset(map(type, xs)):  # Value inputs: a hidden or output layer
            data = builtins.sum(map(operator.mul, wd, [x.data for x in xs]), bias.data)  # type: ignore[union-attr]
            cls = Linear if param_types <= _LEAF else LinearComputed
            return new_node(cls, data, (*ws, bias), new_node(InputRow, 0.0, xs))
        if param_types <= _LEAF and _FLOAT.issuperset(map(type, xs)):  # an input layer: float inputs, leaf w and b
            sparse = sparse_inputs(xs)  # type: ignore[arg-type]
            if sparse is not None:  # mostly zeros: skip them
                data = sparse_dots([wd], [bias.data], finite_weights([wd]), sparse)[0]  # type: ignore[union-attr]
                return new_node(SparseLinearConst, data, (*ws, bias), sparse)
            data = builtins.sum(map(operator.mul, wd, xs), bias.data)  # type: ignore[union-attr]
            return new_node(LinearConst, data, (*ws, bias), xs)
    # anything else is normalised first: numbers as weights or bias become leaves, and numbers among
    # Value inputs become constant leaves; inputs that are all numbers stay constants
    ws = tuple(w if isinstance(w, Value) else Value(w) for w in ws)
    b = bias if isinstance(bias, Value) else Value(bias)
    if any(isinstance(x, Value) for x in xs) or not (type(b) is Value and _LEAF.issuperset(map(type, ws))):
        return linear(ws, [x if isinstance(x, Value) else leaf(to_float(x, "linear(inputs)")) for x in xs], b)
    return linear(ws, [to_float(x, "linear(inputs)") for x in xs], b)


def linears(weights: Sequence[Sequence[Operand]], biases: Sequence[Operand], inputs: Sequence[Operand]) -> list[Value]:
    """[linear(w, inputs, b) for w, b in zip(weights, biases)]: a layer's weighted sums, its inputs checked once."""
    return linears_each(weights, biases, [inputs])[0]


class LayerParameters:
    """A layer's weights and biases as `linears_each` reads them: each neuron's (w1..wn, b) tuple for its nodes,
    and whether they are all leaves (parameters), n of them per neuron.

    Made once and kept by a layer, for as long as it `holds` the same Values: a model called once per sample
    (micrograd's demo, `[model(x) for x in X]`) calls each layer with the same parameters at every sample,
    and comparing their identities at C speed costs a tenth of checking their types and building the
    tuples again. Their numbers are read at every call.
    """

    __slots__ = ("biases", "leaves", "nin", "params", "weights")

    def __init__(self, weights: Sequence[Sequence[Operand]], biases: Sequence[Operand]) -> None:
        if len(weights) != len(biases):
            raise ValueError(f"linears: {len(weights)} rows of weights but {len(biases)} biases; they must match")
        self.weights = [list(ws) for ws in weights]  # copies: a neuron's list changed in place no longer `holds`
        self.biases = list(biases)
        self.params = [(*ws, b) for ws, b in zip(weights, biases)]  # each neuron's (w1..wn, b)
        self.nin = nin = len(weights[0]) if weights else 0
        leaf = Value
        self.leaves = _LEAF.issuperset(map(type, biases)) and all(
            len(ws) == nin and all(type(w) is leaf for w in ws) for ws in weights
        )

    def holds(self, weights: Sequence[Sequence[Operand]], biases: Sequence[Operand]) -> bool:
        """Whether these are the very weights and biases (the same objects) it was made from, and all leaves."""
        return self.leaves and self.weights == weights and self.biases == biases  # Values compare by identity


def linears_each(
    weights: Sequence[Sequence[Operand]],
    biases: Sequence[Operand],
    rows: Sequence[Sequence[Operand]],
    activation: Activation | None = None,
    layer: LayerParameters | None = None,
    checked: bool = False,
) -> list[list[Value]]:
    """linears(weights, biases, x) for each x in rows: a layer on a batch, its parameters checked once.

    With an activation (engine.activated.ACTIVATIONS), each neuron's activation of it: one node each.
    `layer`: LayerParameters made earlier that `holds` these weights and biases. `checked`: the rows are
    lists of Values of the right length (a previous layer's outputs), not checked again.
    """
    if layer is None:
        layer = LayerParameters(weights, biases)
    params, nin, leaves = layer.params, layer.nin, layer.leaves
    dots = param_dots(nin) if leaves else None  # each row's weighted sums, written out over the (w, b) Values
    wds: list[list[float]] = []  # or the weights' numbers, read once for all rows (for rows mostly of zeros,
    bds: list[float] = []  # which take them by place, and where the sums are not written out)
    if leaves and dots is None:
        wds, bds = _numbers(weights, biases)
    finite: list[bool] | None = None  # whether each neuron's weights are finite: found at the first sparse row
    out = []
    for i, inputs in enumerate(rows):
        if checked:
            xs, values = tuple(inputs), True
        else:
            try:
                xs, values = _layer_inputs(inputs)
            except TypeError as e:
                raise TypeError(f"row {i} of the batch: {e}" if len(rows) > 1 else str(e)) from None
        if not leaves or len(xs) != nin:  # computed parameters, or a length to refuse: one linear() each
            zs = [linear(ws, xs, b) for ws, b in zip(weights, biases)]
            out.append(zs if activation is None else [activation.function(z) for z in zs])
            continue
        sparse = None if values else sparse_inputs(xs)  # type: ignore[arg-type]
        if sparse is not None:  # mostly zeros (MNIST's pixels): skip them
            if finite is None:
                if not wds:
                    wds, bds = _numbers(weights, biases)
                finite = finite_weights(wds)
            datas = sparse_dots(wds, bds, finite, sparse)
            zs = _new_sparse_linear_consts(SparseLinearConst, datas, params, sparse)
            out.append(zs if activation is None else [activation.function(z) for z in zs])  # not fused
            continue
        xd = [x.data for x in xs] if values else xs  # type: ignore[union-attr]
        datas = dots(params, xd) if dots is not None else summed(wds, bds, xd)  # type: ignore[arg-type]
        if activation is not None:  # the activation fused into each node (see activated.py)
            relu = activation.name == "relu"  # its value written into its own maker: no call per node
            if values:
                make = _new_relus if relu else _new_activated
                out.append(make(activation.nodes, activation.f, datas, params, new_node(InputRow, 0.0, xs)))
            else:
                make = _new_relu_consts if relu else _new_activated_consts
                out.append(make(activation.const_nodes, activation.f, datas, params, xs))
        elif values:
            out.append(_new_linears(Linear, datas, params, new_node(InputRow, 0.0, xs)))
        else:
            out.append(_new_linear_consts(LinearConst, datas, params, xs))
    return out


def _numbers(weights: Sequence[Sequence[Operand]], biases: Sequence[Operand]) -> tuple[list[list[float]], list[float]]:
    """Each neuron's weights' numbers, and the biases' (all leaves)."""
    return [[w.data for w in ws] for ws in weights], [b.data for b in biases]  # type: ignore[union-attr]


_new_linears, _new_linear_consts = copy_function(new_nodes), copy_function(new_nodes)  # one class each (own_code)
_new_sparse_linear_consts = copy_function(new_nodes)
_new_activated, _new_activated_consts = copy_function(new_activated), copy_function(new_activated)
_new_relus, _new_relu_consts = copy_function(new_relu_activated), copy_function(new_relu_activated)


def _layer_inputs(inputs: Sequence[Operand]) -> tuple[tuple[Operand, ...], bool]:
    """A layer's inputs as a tuple, all Values (True) or all floats (False), checked at C speed."""
    xs = tuple(inputs)
    types = set(map(type, xs))
    if types <= _VALUE_TYPES:
        return xs, True
    if types <= _FLOAT:
        return xs, False
    if any(isinstance(x, Value) for x in xs):  # as linear(): numbers among Value inputs become constant leaves
        return tuple(x if isinstance(x, Value) else leaf(to_float(x, "linear(inputs)")) for x in xs), True
    return tuple(to_float(x, "linear(inputs)") for x in xs), False
