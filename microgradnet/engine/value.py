"""The Value: a number that remembers how it was computed.

A node's class is its op: the op table (`ops.py`) makes one small `Value` subclass per primitive, so
a node stores only its data, grad, label and operands, and needs no closure. Its operands take two
slots, `_p` and `_arg`, and what they hold is its class's layout, declared once in `layouts.py` and
named by the class attribute `_layout`; `_prev`, the tuple of its parents, follows from it. A node
of one or two parents thus costs no tuple, and graphs are freed by reference counting alone.

Every node is made in `make.py`. A Value's arithmetic comes from the op table (`ops.py`) and its
`backward()` from `backward.py`.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, SupportsFloat, TypeVar, Union, overload

from . import floats
from .backward import backward as _backward_pass
from .formulas import LocalRule, atom, written
from .layouts import LEAF, MANY, Layout
from .source import NotCompilableError, SourceWriter

Operand = Union["Value", float]
F = TypeVar("F", bound=Callable[..., Any])
Partials = Sequence[Any]  # floats in the ordinary backward pass; Values or floats when building a graph


class NodeInfo(NamedTuple):
    """What a node tells a drawing about itself (see `Value.describe`)."""

    op: str  # what its op node says: '+', '* 2', 'tanh', 'Σ w·x + b'; '' for a leaf
    details: tuple[str, ...]  # more lines under it: 'n = 16', 'mean of 100'
    parents: tuple[Value, ...]  # in operand order
    roles: tuple[str, ...]  # a name per parent where their order matters ('base', 'w0', 'y = 1'), else ''
    kind: str  # 'leaf'; 'sum' (adds its parents up); 'function' (tanh(x), relu(x)...); 'op' (anything else)
    name: str  # the op's name in the table ('mul', 'tanh', 'linear'), '' for a leaf


_NO_CHILDREN: tuple[Value, ...] = ()  # the constructor's defaults, told apart from a given () by identity
_NO_OP = ""


class Value:
    """A real number that remembers the operations that produced it, so gradients can flow back.

    Attributes:
        data: The number, a float.
        grad: d output / d self from the latest `backward()` (a leaf's accumulates across calls); 0.0 at first.
        label: A name that drawings show ('' for none).
    """

    __slots__ = ("data", "grad", "label", "_p", "_arg", "_seen")
    _op: ClassVar[str] = ""  # the op's symbol; '' for a leaf
    _name: ClassVar[str] = ""  # the op's name in the table ('mul', 'tanh', 'sum', 'linear'); '' for a leaf
    _kind: ClassVar[str] = "leaf"  # see NodeInfo.kind
    _layout: ClassVar[Layout] = LEAF

    data: float
    grad: float
    label: str
    _p: Any  # see the class's _layout
    _arg: Any
    _seen: object  # the mark of the last walk that met this node (see backward.py); a leaf has none

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _VALUE_TYPES.add(cls)
        if cls._layout is not LEAF and "__init__" not in cls.__dict__:  # a node class: the engine makes its nodes
            cls.__init__ = object.__init__  # type: ignore[method-assign,assignment]  # empty, by `cls()` (make.empty)
        if "_prev" not in cls.__dict__:
            cls._prev = property(cls._layout.prev)  # type: ignore[assignment]

    def __init__(
        self, data: SupportsFloat, _children: Iterable[Value] = _NO_CHILDREN, _op: str = _NO_OP, label: str = ""
    ) -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value(label) must be a str, got {type(label).__name__}: {label!r:.60}")
        self.data = data if type(data) is float else to_float(data, "Value(data)")
        self.grad = 0.0
        self.label = label
        self._p = ()
        self._arg = None
        if _children is not _NO_CHILDREN or _op is not _NO_OP:  # micrograd's way to make a node (checked by identity:
            _lecture_node(self, _children, _op)  # the quickest test), Value(t, (x,), 'tanh'), with a _backward

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The parents, in operand order (a leaf has none)."""
        return ()

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in operand order (micrograd's `_prev`)."""
        return self._prev

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self._op!r}" if self._op else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label}{op})"

    def describe(self, precision: int = 4) -> NodeInfo:
        """What this node's op node shows in a drawing, its parents and their roles (numbers to `precision` digits)."""
        parents = self._prev
        if not parents and not self._op:
            return NodeInfo("", (), (), (), "leaf", "")
        return NodeInfo(self._op or type(self).__name__, (), parents, ("",) * len(parents), self._kind, self._name)

    def rule(self, name: str = "out", parents: Sequence[str] | None = None, precision: int = 4) -> LocalRule:
        """This node's op written with the given names (its own and one per parent): the formula of its value
        and of each local derivative d self / d parent, with their numbers here. A leaf has none."""
        prev = self._prev
        names = tuple(parents) if parents is not None else _operand_names(len(prev))
        if len(names) != len(prev) or not all(isinstance(n, str) for n in (name, *names)):
            raise ValueError(f"Value.rule needs a name (str) for the node and one per parent ({len(prev)}), got "
                             f"{(name, names)!r:.80}")  # fmt: skip
        if not prev:
            return LocalRule("", (), ())
        formula, derivatives = self._formulas(name, names, precision)
        shares = self._vjp(1.0, False)  # each parent's share of a gradient of 1: its local derivative (None: 0)
        return LocalRule(formula, tuple(derivatives), tuple(0.0 if d is None else float(d) for d in shares))

    def _formulas(self, name: str, parents: Sequence[str], precision: int) -> tuple[str, Sequence[str]]:
        """The formula of the value and of each d self / d parent, in the given names (for `rule`)."""
        return written(self._op or type(self).__name__, parents), [f"∂{atom(name)}/∂{atom(p)}" for p in parents]

    # -- arithmetic and functions: one method per op of the table, each made from its row in ops.py
    # so that building a node is one call. A plain number on either side of an operator becomes the
    # node's constant operand, not a node of its own. Written out here for type checkers:
    if TYPE_CHECKING:
        # fmt: off
        # -- generated from the op table by `python -m microgradnet.engine.stubs`: do not edit --
        def __neg__(self) -> Value: ...
        def __abs__(self) -> Value: ...
        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def sqrt(self) -> Value: ...
        def tanh(self) -> Value: ...
        def sigmoid(self) -> Value: ...
        def relu(self) -> Value: ...
        def sin(self) -> Value: ...
        def cos(self) -> Value: ...
        def __add__(self, other: Operand) -> Value: ...
        def __radd__(self, other: Operand) -> Value: ...
        def __sub__(self, other: Operand) -> Value: ...
        def __rsub__(self, other: Operand) -> Value: ...
        def __mul__(self, other: Operand) -> Value: ...
        def __rmul__(self, other: Operand) -> Value: ...
        def __truediv__(self, other: Operand) -> Value: ...
        def __rtruediv__(self, other: Operand) -> Value: ...
        def __pow__(self, other: Operand) -> Value: ...
        def __rpow__(self, other: Operand) -> Value: ...
        def leaky_relu(self, slope: Operand = 0.01) -> Value: ...
        # -- end of generated stubs --
        # fmt: on

    def __pos__(self) -> Value:
        return self

    # -- comparisons look at data; == stays identity, so Values can live in sets and dicts ---------
    # fmt: off
    def __lt__(self, other: Operand) -> bool: return self.data < _compared(other)
    def __le__(self, other: Operand) -> bool: return self.data <= _compared(other)
    def __gt__(self, other: Operand) -> bool: return self.data > _compared(other)
    def __ge__(self, other: Operand) -> bool: return self.data >= _compared(other)
    # fmt: on

    # -- a number where Python wants one: printing and rounding read .data; there is no __float__, so
    # math.tanh(v) raises rather than silently leaving the graph ---------------------------------------
    def item(self) -> float:
        """The number this Value holds (its `.data`), as `torch.Tensor.item()`."""
        return self.data

    def __format__(self, spec: str) -> str:
        """f"{v:.4f}" formats the number; f"{v}" with no spec is `str(v)`, the Value's repr."""
        if not spec:
            return str(self)
        try:
            return format(self.data, spec)
        except ValueError:
            raise ValueError(
                f"format spec {spec!r} does not apply to a Value, whose number is a float ({self.data!r})"
            ) from None

    @overload
    def __round__(self, ndigits: None = None) -> int: ...
    @overload
    def __round__(self, ndigits: int) -> float: ...
    def __round__(self, ndigits: int | None = None) -> int | float:
        """round(v) and round(v, 2) round the number, as round(v.data, ...): a plain number, not a node."""
        return round(self.data, ndigits)

    # -- autodiff ----------------------------------------------------------------------------------
    def detach(self) -> Value:
        """A new leaf with the same data, cut off from this graph."""
        return Value(self.data)

    def _partials(self, graph: bool) -> Partials:
        """d self / d parent for each parent in `_prev` (floats, or Values if `graph`); a leaf has none.

        A partial may be None: that parent gets no gradient at all (an exact 0, whatever self's gradient is).
        """
        return ()

    def _vjp(self, g: Any, graph: bool) -> Partials:
        """What each parent in `_prev` gets of the gradient g: g times its partial, or None for nothing (floats,
        or Values if `graph`). The op table's nodes give each rule's own form (masked, divided); see op_nodes.py."""
        return tuple(None if d is None else g * d for d in self._partials(graph))

    def _backward(self) -> None:
        """One step of the chain rule: add each parent's share of self.grad to its grad."""
        for parent, share in zip(self._prev, self._vjp(self.grad, False)):
            if share is not None:
                parent.grad += share

    backward = _backward_pass  # d self / d v into every v.grad: see backward.py

    def source(self, writer: SourceWriter) -> None:
        """Write this node's value and backward step as Python source with `writer` (see source.py)."""
        raise NotCompilableError(f"a node of class {type(self).__name__} cannot be written as code")

    # -- pickle and copy -----------------------------------------------------------------------------
    def __reduce__(self) -> tuple[Any, ...]:
        """How pickle and copy.deepcopy rebuild this Value and its graph, of any depth (see copying.py)."""
        from .copying import reduce  # copying.py needs the op table, which is built on this module

        return reduce(self)

    def __copy__(self) -> Value:
        """A new Value of the same class, numbers and operands (its graph is shared, not copied)."""
        v: Value = object.__new__(type(self))
        v.data, v.grad, v.label, v._p, v._arg = self.data, self.grad, self.label, self._p, self._arg
        if self._p:
            v._seen = None
        return v


def _operand_names(n: int) -> tuple[str, ...]:
    """Names for n operands when none are given: x, y; or x0, x1, ..."""
    return ("x", "y")[:n] if n <= 2 else tuple(f"x{i}" for i in range(n))


_VALUE_TYPES: set[type] = {Value}  # Value and every subclass: whole tuples are type-checked against it at C speed


def all_values(items: Iterable[object]) -> bool:
    """Whether every item is a Value (checked at C speed)."""
    return _VALUE_TYPES.issuperset(map(type, items))


# -- micrograd's own nodes: Value(data, _children, _op) with a _backward closure ----------------------
def _no_step() -> None:
    """A lecture node's backward step until one is assigned (micrograd's `lambda: None`)."""


def _lecture_node(v: Value, children: Iterable[Value], op: str) -> None:
    """Make v a LectureNode over children (a leaf if there are none and no op is named)."""
    parents = _lecture_children(children, op)
    if parents or op:
        if type(v) is not Value:
            raise TypeError(f"Value(data, _children, _op) makes a node of Value itself, not of {type(v).__name__}")
        v._p = parents
        v._arg = [op, _no_step]
        v._seen = None
        v.__class__ = LectureNode


def _lecture_children(children: Iterable[Value], op: str) -> tuple[Value, ...]:
    if not isinstance(op, str):
        raise TypeError(f"Value(_op) must be a str such as 'tanh', got {type(op).__name__}: {op!r:.60}")
    if isinstance(children, (str, bytes)) or not isinstance(children, Iterable):
        raise TypeError(
            "Value(_children) must be a tuple of Values (micrograd's signature: Value(data, _children=(), _op='',"
            f" label='')), got {type(children).__name__}: {children!r:.60}; pass a label as label=..."
        )
    parents = tuple(children)
    for p in parents:
        if not isinstance(p, Value):
            raise TypeError(f"Value(_children) must contain Values, got {type(p).__name__}: {p!r:.60}")
    if op and not parents:
        raise ValueError(f"Value(_op={op!r}) needs the Values it was computed from: Value(data, (x, ...), {op!r})")
    return parents


class LectureNode(Value):
    """A node made as micrograd's lecture makes one, `out = Value(t, (x,), 'tanh')`, whose backward step is
    a closure assigned to `out._backward`. Its `_arg` holds [op symbol, backward step]."""

    __slots__ = ()
    _layout, _kind = MANY, "op"

    @property
    def _op(self) -> str:  # type: ignore[override]
        return self._arg[0]  # type: ignore[no-any-return]

    @property
    def _backward(self) -> Callable[[], None]:
        return self._arg[1]  # type: ignore[no-any-return]

    @_backward.setter
    def _backward(self, step: Callable[[], None]) -> None:
        if not callable(step):
            raise TypeError(f"_backward must be a function of no arguments, got {type(step).__name__}")
        self._arg[1] = step

    def _partials(self, graph: bool) -> Partials:
        """The closure's partials, found by running it once with self.grad = 1 and every parent's grad at 0."""
        if graph:
            raise TypeError(
                f"cannot differentiate through the node {self._op!r} twice: its backward step is a Python function "
                "(micrograd's _backward), not a formula; define the op with microgradnet.defop for higher orders"
            )
        parents = self._p
        unique = list(dict.fromkeys(parents))
        saved = [self.grad, *(p.grad for p in unique)]
        try:
            self.grad = 1.0
            for p in unique:
                p.grad = 0.0
            self._arg[1]()
            found = {p: p.grad for p in unique}
        finally:
            self.grad = saved[0]
            for p, g in zip(unique, saved[1:]):
                p.grad = g
        first = [found.pop(p, 0.0) for p in parents]  # a parent given twice gets its whole share once
        return first

    def source(self, writer: SourceWriter) -> None:
        """A lecture node has no formula to write: its backward step is a Python function."""
        raise NotCompilableError(
            f"the node {self._op!r} cannot be written as code: its backward step is a Python function (micrograd's "
            "_backward), not a formula; define the op with microgradnet.defop to compile it"
        )


# -- numbers in, checked ----------------------------------------------------------------------------
def to_float(x: object, where: str) -> float:
    """x as a float if it is a real number (int, float, NumPy scalar, Fraction...), else TypeError naming `where`."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return floats.as_float(x)  # type: ignore[arg-type]
    hint = " (use .data for its number)" if isinstance(x, Value) else ""
    raise TypeError(f"{where} must be a real number (int or float), got {type_name(x)}: {x!r:.60}{hint}")


def type_name(x: object) -> str:
    """What an error message calls x's type: 'a Value' for any node (not its class, such as Linear), else its name."""
    return "a Value" if isinstance(x, Value) else type(x).__name__


def _constant(x: object) -> float | None:
    """x as a float if it is a plain real number, None if it is not a number at all."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, Value)):
        return floats.as_float(x)  # type: ignore[arg-type]
    return None


def _compared(other: Operand) -> float:
    if isinstance(other, Value):
        return other.data
    c = _constant(other)
    if c is None:
        raise TypeError(f"cannot compare a Value with {type(other).__name__}: {other!r:.60}")
    return c
