"""The op table: every elementwise primitive of the engine in one row, and `defop` to add one from outside.

Each row gives an op's symbol, its value on floats, where it is smooth, its local derivative with
respect to each operand, and the Value methods it makes. Each derivative is written once and serves
twice: on floats in the ordinary backward pass, and on Values when a gradient must itself be
differentiated (higher-order derivatives), which is why the rules are written with functions that
take either (`log`, `sin`, `cos` below are the table's own). From a row follow the op's node classes
(`op_nodes.py`), its Value methods and its function, such as `microgradnet.tanh`, which takes a
Value or a plain number. Adding an op is one row here, or one call of `defop`.
"""

from __future__ import annotations

import inspect
import keyword
import math
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from . import floats
from .make import binary_methods, copy_function, new_nodes, own_code, unary_method
from .op_nodes import Divides, Rule, ZeroWhere, as_function, binary_node_classes, quotient, unary_node_class
from .value import Operand, Value, to_float

T = TypeVar("T", Value, float)


class Row(NamedTuple):
    """One primitive: how it is written, computed and differentiated."""

    symbol: str  # how drawings write it: '+', 'tanh', 'ReLU'
    f: Callable[..., float]  # its value on floats, IEEE 754 (never raises: see floats.py)
    domain: Callable[..., bool] | None  # where it is smooth (no kink, pole or edge); random expressions stay inside
    derivatives: tuple[Rule, ...]  # d out/d x[, d out/d y]: f(out, x[, y]), a number, "x"/"y" (that operand),
    # Divides(by) (1/by: the gradient is divided by it) or ZeroWhere(cond, rule) (an exact 0 where cond holds)
    methods: tuple[str, ...]  # the Value methods it makes: an operator and its reflection, or a function's name
    roles: tuple[str, ...] = ()  # its operands' names in drawings, where their order matters
    default: float | None = None  # the second operand's default, for a function such as leaky_relu(x, slope)


# -- the rules' arithmetic, on floats and Values alike -----------------------------------------------
def _data(x: Operand) -> float:
    return x.data if isinstance(x, Value) else x


def _pow(x: Operand, y: Operand) -> Operand:
    return x**y if isinstance(x, Value) or isinstance(y, Value) else floats.pow(x, y)


def _exponent_zero(out: Any, x: Any, y: Any) -> bool:  # where d(x**y)/dx is masked: y == 0, as PyTorch does ...
    return _data(y) == 0 and not (isinstance(y, Value) and _data(x) > 0)  # ... but in a graph over y, at x > 0


def _pow_base(out: Any, x: Any, y: Any) -> Any:  # y x^(y-1)
    if _data(y) == 0:  # only building a graph over y at x > 0: y out / x is 0, and its d/dy is 1/x (PyTorch: 0)
        return y * out / x
    return y * _pow(x, y - 1.0)


def _pow_exponent(out: Any, x: Any, y: Any) -> Any:  # x^y log x; 0 for a zero base and exponent >= 0
    return 0.0 if _data(x) == 0 and _data(y) >= 0 else out * log(x)


def _everywhere(*operands: float) -> bool:
    return True


# -- the table: one row per op ------------------------------------------------------------------------
# fmt: off
TABLE: dict[str, Row] = {
    "neg": Row("-", operator.neg, _everywhere, (-1.0,), ("__neg__",)),
    "abs": Row("abs", abs, lambda x: x != 0, (lambda out, x: 1.0 if x > 0 else -1.0 if x < 0 else 0.0,), ("__abs__",)),
    "exp": Row("exp", floats.exp, _everywhere, (lambda out, x: out,), ("exp",)),
    "log": Row("log", floats.log, lambda x: x > 0, (Divides("x"),), ("log",)),
    "sqrt": Row("sqrt", floats.sqrt, lambda x: x > 0, (Divides(lambda out, x: 2.0 * out),), ("sqrt",)),
    "tanh": Row("tanh", floats.tanh, _everywhere, (lambda out, x: 1.0 - out * out,), ("tanh",)),
    "sigmoid": Row("sigmoid", floats.sigmoid, _everywhere, (lambda out, x: out * (1.0 - out),), ("sigmoid",)),
    "relu": Row("ReLU", floats.relu, lambda x: x != 0, (ZeroWhere(lambda out, x: x <= 0, 1.0),), ("relu",)),
    "sin": Row("sin", floats.sin, _everywhere, (lambda out, x: cos(x),), ("sin",)),
    "cos": Row("cos", floats.cos, _everywhere, (lambda out, x: -sin(x),), ("cos",)),
    "add": Row("+", operator.add, _everywhere, (1.0, 1.0), ("__add__", "__radd__")),
    "sub": Row("-", operator.sub, _everywhere, (1.0, -1.0), ("__sub__", "__rsub__"), ("x", "y")),
    "mul": Row("*", operator.mul, _everywhere, ("y", "x"), ("__mul__", "__rmul__")),
    "div": Row("/", floats.div, lambda x, y: y != 0, (Divides("y"), lambda out, x, y: -quotient(out, y)),
               ("__truediv__", "__rtruediv__"), ("x", "y")),
    "pow": Row("**", floats.pow, lambda x, y: x > 0, (ZeroWhere(_exponent_zero, _pow_base), _pow_exponent),
               ("__pow__", "__rpow__"), ("base", "exponent")),
    "leaky_relu": Row("leaky_relu", floats.leaky_relu, lambda x, slope: x != 0,
                      (lambda out, x, slope: 1.0 if x > 0 else slope, ZeroWhere(lambda out, x, slope: x > 0, "x")),
                      ("leaky_relu",), ("x", "slope"), 0.01),
}
# fmt: on


class Op:
    """One primitive of the table: its row, the node classes that record it, and its function."""

    def __init__(self, name: str, row: Row) -> None:
        self.name, self.symbol, self.f, self.domain = name, row.symbol, row.f, row.domain
        self.methods, self.default = row.methods, row.default
        self.derivatives = tuple(as_function(d) for d in row.derivatives)  # each a function of (out, x[, y])
        self.arity = len(row.derivatives)
        self.roles = row.roles or ("",) * self.arity
        self.kind = _kind(row)
        if self.arity == 1:
            self.node = self.node_x = self.node_y = unary_node_class(name, row.symbol, self.kind, row.derivatives[0])
        else:
            classes = binary_node_classes(name, row.symbol, self.kind, self.roles, *row.derivatives)
            self.node, self.node_x, self.node_y = classes
        self.function = own_code(_function(self))
        self._new_nodes = copy_function(new_nodes)  # its own copy: it makes this op's nodes only

    def each(self, xs: Sequence[Value]) -> list[Value]:
        """This unary op on each of xs, a node each, in one loop (a layer's activations)."""
        f = self.f
        return self._new_nodes(self.node, [f(x.data) for x in xs], xs)

    def __repr__(self) -> str:
        return f"Op({self.name!r}, symbol={self.symbol!r}, arity={self.arity})"


def _kind(row: Row) -> str:
    """'sum' for an op that adds its operands, 'function' for one called by name (tanh(x)), else 'op'."""
    if all(d == 1.0 for d in row.derivatives):
        return "sum"
    return "op" if row.methods[0].startswith("__") else "function"


def _function(op: Op) -> Callable[..., Any]:
    """The op as a function: of Values it makes a node, of plain numbers it returns a float."""
    name, f = op.name, op.f
    if op.arity == 1:
        method = unary_method(f, op.node)

        def unary(x: Any) -> Any:
            return method(x) if isinstance(x, Value) else f(to_float(x, f"{name}(x)"))

        unary.__name__ = unary.__qualname__ = name
        unary.__doc__ = f"{name}(x) of a Value (a node of the graph) or of a number (a float)."
        return unary
    forward, reflected = binary_methods(f, op.node, op.node_x, op.node_y)
    y_name = op.roles[1] or "y"
    default = op.default

    def binary(x: Any, *rest: Any, **named: Any) -> Any:  # (x, y) with y also by its role's name: slope=0.1
        if named:
            if rest or set(named) != {y_name}:
                raise TypeError(f"{name}() takes x and {y_name}, got the keyword(s) {', '.join(named)}")
            y = named[y_name]
        elif len(rest) == 1:
            y = rest[0]
        elif not rest and default is not None:
            y = default
        else:
            raise TypeError(f"{name}() takes 2 operands (x, {y_name}), got {1 + len(rest)}")
        if isinstance(x, Value):
            out = forward(x, y)
        elif isinstance(y, Value):
            out = reflected(y, x)
        else:
            return f(to_float(x, f"{name}(x)"), to_float(y, f"{name}({y_name})"))
        if out is NotImplemented:
            which, bad = (y_name, y) if isinstance(x, Value) else ("x", x)
            raise TypeError(f"{name}({which}) must be a real number or a Value, got {type(bad).__name__}: {bad!r:.60}")
        return out

    binary.__name__ = binary.__qualname__ = name
    binary.__doc__ = f"{name}(x, {y_name}) of Values (a node of the graph) or of numbers (a float)."
    second = inspect.Parameter(y_name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                               default=inspect.Parameter.empty if default is None else default)  # fmt: skip
    binary.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("x", inspect.Parameter.POSITIONAL_OR_KEYWORD), second]
    )
    return binary


def _attach(op: Op) -> None:
    """Give Value the op's methods, named in its row."""
    made: list[Callable[..., Value]]
    if op.arity == 1:
        made = [unary_method(op.f, op.node)]
        docs = [f"{op.name}(self)"]
    elif len(op.methods) == 2:  # an operator and its reflection: x + y, 2 + x
        made = list(binary_methods(op.f, op.node, op.node_x, op.node_y))
        docs = [f"self {op.symbol} other", f"other {op.symbol} self"]
    else:  # a function of two operands called on the first: x.leaky_relu(slope)
        made = [_method_of(op.function)]
        docs = [f"{op.name}(self, {op.roles[1]})"]
    for method_name, method, doc in zip(op.methods, made, docs):
        method.__name__, method.__qualname__ = method_name, f"Value.{method_name}"
        method.__doc__ = f"{doc}, recorded in the graph."
        setattr(Value, method_name, method)


def _method_of(function: Callable[..., Any]) -> Callable[..., Value]:
    """function(self, ...) as a method, with its signature."""

    def method(self: Value, *rest: Any, **named: Any) -> Value:
        return function(self, *rest, **named)  # type: ignore[no-any-return]

    params = list(inspect.signature(function).parameters.values())
    method.__signature__ = inspect.Signature([params[0].replace(name="self"), *params[1:]])  # type: ignore[attr-defined]
    return method


OPS: dict[str, Op] = {}  # the op table by name: a row per primitive (microgradnet.defop adds one)
for _name, _row in TABLE.items():
    OPS[_name] = Op(_name, _row)
    _attach(OPS[_name])


# -- the ops that are functions (tanh(x) rather than an operator), for a Value or a number ------------
if TYPE_CHECKING:
    # fmt: off
    # -- generated from the op table by `python -m microgradnet.engine.stubs`: do not edit --
    def exp(x: T) -> T: ...
    def log(x: T) -> T: ...
    def sqrt(x: T) -> T: ...
    def tanh(x: T) -> T: ...
    def sigmoid(x: T) -> T: ...
    def relu(x: T) -> T: ...
    def sin(x: T) -> T: ...
    def cos(x: T) -> T: ...
    def leaky_relu(x: T, slope: Operand = 0.01) -> T: ...
    __all__ = ["cos", "exp", "leaky_relu", "log", "relu", "sigmoid", "sin", "sqrt", "tanh"]
    # -- end of generated stubs --
    # fmt: on
else:
    __all__ = [name for name, op in OPS.items() if op.kind == "function"]
    globals().update({name: OPS[name].function for name in __all__})
FUNCTIONS = tuple(__all__)  # the names of the table's functions: microgradnet.tanh ...


# -- defop: the table, open from outside ----------------------------------------------------------------
def defop(
    name: str,
    f: Callable[..., float],
    *derivatives: Callable[..., Any] | float | Divides | ZeroWhere,
    symbol: str | None = None,
    domain: Callable[..., bool] | None = None,
) -> Callable[..., Any]:
    """Add an elementwise op to the table, with a Value method of its name; returns its function.

    f computes the value on floats; each derivative (one per operand, one or two) is a function of
    (out, x[, y]) written with microgradnet's functions, so that it works on floats and on Values
    (for higher-order derivatives), or a number where it is constant. domain (a predicate on floats:
    where the op is smooth) lets `testing.strategies.expressions()` draw it. Defining an op of the
    same name again (a notebook cell run twice) replaces it; a built-in op cannot be replaced.
    """
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise ValueError(f"defop(name) must be a Python name not starting with '_', got {name!r:.60}")
    if name in TABLE or (hasattr(Value, name) and name not in OPS):
        raise ValueError(f"defop: {name!r} is already {'a built-in op' if name in TABLE else 'a Value attribute'}")
    if not callable(f):
        raise TypeError(f"defop(f) must compute the op on floats, got {type(f).__name__}")
    if len(derivatives) not in (1, 2):
        raise TypeError(f"defop({name!r}) needs one derivative per operand (1 or 2), got {len(derivatives)}")
    for d in derivatives:
        if isinstance(d, (Divides, ZeroWhere)):
            continue
        if not callable(d) and (isinstance(d, bool) or not isinstance(d, (int, float)) or not math.isfinite(d)):
            raise TypeError(
                f"defop({name!r}) derivatives must be functions of (out, x[, y]), numbers, Divides or ZeroWhere,"
                f" got {d!r:.60}"
            )
    rules = tuple(d if callable(d) or isinstance(d, tuple) else float(d) for d in derivatives)
    if symbol is not None and not isinstance(symbol, str):
        raise TypeError(f"defop(symbol) must be a str, got {type(symbol).__name__}")
    if domain is not None and not callable(domain):
        raise TypeError(f"defop(domain) must be a predicate on floats (where the op is smooth), got {domain!r:.60}")
    row = Row(symbol or name, _floated(f), domain, rules, (name,), ("x", "y") if len(rules) == 2 else ())
    op = Op(name, row)
    OPS[name] = op
    _attach(op)
    return op.function


def _floated(f: Callable[..., float]) -> Callable[..., float]:
    """f with its result checked: a user's op must give a real number."""

    def value(*xs: float) -> float:
        out = f(*xs)
        return out if type(out) is float else to_float(out, f"the op's value {f.__name__}{xs}")

    value.__name__ = getattr(f, "__name__", "f")
    return value
