"""The node classes made from a row of the op table, each with its gradient rules and its float backward step.

A unary op makes one class, `op(x)`. A binary op makes three: `x op y` over two Values (layout TWO),
`x op c` and `c op y` where c is a plain number kept as the node's data (layout ONE).

A derivative rule, one per operand, is one of:

- a function of (out, x[, y]): the local derivative, by which the gradient is multiplied;
- a number, where it is constant (`+`, `-`), or the name of the operand it equals ("y": d(x*y)/dx = y);
- `Divides(by)`: the derivative is 1 / by, and the gradient is divided by `by` (log: g / x, as PyTorch
  does) rather than multiplied by 1 / by, which overflows for a tiny (subnormal) `by`;
- `ZeroWhere(cond, rule)`: exactly 0 where cond holds, `rule` elsewhere. Exactly: where cond holds
  the operand gets nothing, not the gradient times 0, so an infinite or nan gradient stops there, as
  PyTorch's threshold_backward does for relu (relu(x).sqrt() at x = -1 has derivative 0, not inf * 0).
  The exact 0 then flows on like any gradient (backward(), gradients() and PyTorch alike).

The float backward steps below are specialised for the commonest rules, so that the step of `+` adds
the gradient as it is and the step of `*` reads the other operand, with no call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, cast

from . import floats
from .layouts import ONE, TWO
from .make import own_code
from .value import NodeInfo, Partials, Value


class Divides(NamedTuple):
    """A derivative 1 / by, applied by dividing the gradient by `by` (a function of (out, x[, y]) or "x"/"y")."""

    by: Callable[..., Any] | str


class ZeroWhere(NamedTuple):
    """A derivative that is exactly 0 where cond(out, x[, y]) holds (the gradient is not multiplied by it), else rule.

    cond gets what the rule gets: numbers in `backward()`, Values where a gradient is built as a graph
    (compare them with < <= > >=, which read their data).
    """

    cond: Callable[..., bool]
    rule: Callable[..., Any] | float | str | Divides


Rule = Callable[..., Any] | float | str | Divides | ZeroWhere  # a derivative in the table


def quotient(a: Any, b: Any) -> Any:
    """a / b: a node if either is a Value, else floats.div (IEEE: x / 0 is ±inf or nan, never an exception)."""
    return a / b if isinstance(a, Value) or isinstance(b, Value) else floats.div(a, b)


def _operand(name: str) -> Callable[..., Any]:
    return (lambda out, x, *y: x) if name == "x" else (lambda out, x, y: y)


def as_function(rule: Rule) -> Callable[..., Any]:
    """A derivative rule as a function of (out, x[, y]) giving the local derivative (0.0 where a ZeroWhere masks)."""
    if isinstance(rule, ZeroWhere):
        cond, d = rule.cond, as_function(rule.rule)
        return lambda *args: 0.0 if cond(*args) else d(*args)
    if isinstance(rule, Divides):
        by = as_function(rule.by)
        return lambda *args: quotient(1.0, by(*args))
    if callable(rule):
        return rule
    if isinstance(rule, str):
        return _operand(rule)
    c = rule
    return lambda out, *operands: c


def pullback(rule: Rule) -> Callable[..., Any]:
    """A rule as a function of (g, out, x[, y]): the gradient its operand gets from g (None: nothing, where masked)."""
    if isinstance(rule, ZeroWhere):
        cond, inner = rule.cond, pullback(rule.rule)
        return lambda g, *args: None if cond(*args) else inner(g, *args)
    if isinstance(rule, Divides):
        by = as_function(rule.by)
        return lambda g, *args: quotient(g, by(*args))
    if rule == 1.0 and not callable(rule):
        return lambda g, *args: g  # the gradient as it is: no node of g * 1.0 in a graph
    d = as_function(rule)
    return lambda g, *args: g * d(*args)


class _Parts(NamedTuple):
    """A rule taken apart for a generic float step: where it masks, the function it calls, and whether it divides."""

    zero: Callable[..., bool] | None
    f: Callable[..., float]
    divides: bool


def _parts(rule: Rule) -> _Parts:
    if isinstance(rule, ZeroWhere):
        inner = _parts(rule.rule)
        if inner.zero is not None:
            raise TypeError("ZeroWhere(cond, rule): the rule cannot be a ZeroWhere itself; combine the conditions")
        return _Parts(rule.cond, inner.f, inner.divides)
    if isinstance(rule, Divides):
        return _Parts(None, as_function(rule.by), True)
    return _Parts(None, as_function(rule), False)


def number(x: float, precision: int) -> str:
    """x with `precision` significant digits: 0.7071, -1.5, 1e-07, inf, nan."""
    return format(x, f".{precision}g")


class OpNode(Value):
    """A node of an op of the table; each op's classes set the class attributes below."""

    __slots__ = ()
    _const: str = ""  # which operand is the plain number kept in _arg: 'x', 'y', or '' (none)
    _roles: tuple[str, ...] = ()  # the operands' names where their order matters

    def describe(self, precision: int = 4) -> NodeInfo:
        """What this node's op node shows in a drawing, its parents and their roles."""
        if self._const:
            c = number(self._arg, precision)
            if self._op.isidentifier():  # a function such as leaky_relu
                text = f"{self._op}(·, {c})" if self._const == "y" else f"{self._op}({c}, ·)"
            else:
                text = f"{self._op} {c}" if self._const == "y" else f"{c} {self._op}"
            return NodeInfo(text, (), self._prev, ("",), self._kind, self._name)
        parents = self._prev
        symbol = self._name if len(parents) == 1 and not self._op.isidentifier() else self._op  # '-' alone: neg
        return NodeInfo(symbol, (), parents, self._roles or ("",) * len(parents), self._kind, self._name)


def unary_node_class(name: str, symbol: str, kind: str, rule: Rule) -> type[Value]:
    """The node class of op(x): x in _p (layout ONE)."""
    pull = pullback(rule)

    class Node(OpNode):
        __slots__ = ()
        _op, _name, _kind, _layout = symbol, name, kind, ONE
        _backward = _step_unary(rule)

        def _vjp(self, g: Any, graph: bool) -> Partials:
            x = self._p
            return (pull(g, self, x),) if graph else (pull(g, self.data, x.data),)

    Node.__name__ = Node.__qualname__ = name
    return _own_codes(Node)


def binary_node_classes(
    name: str, symbol: str, kind: str, roles: tuple[str, ...], rule_x: Rule, rule_y: Rule
) -> tuple[type[Value], type[Value], type[Value]]:
    """The node classes of x op y (both Values), x op c and c op y (c a plain number)."""
    px, py = pullback(rule_x), pullback(rule_y)

    class Node(OpNode):  # x in _p, y in _arg
        __slots__ = ()
        _op, _name, _kind, _layout, _roles = symbol, name, kind, TWO, roles
        _backward = _step_xy(rule_x, rule_y)

        def _vjp(self, g: Any, graph: bool) -> Partials:
            x, y = self._p, self._arg
            if graph:
                return px(g, self, x, y), py(g, self, x, y)
            out, xd, yd = self.data, x.data, y.data
            return px(g, out, xd, yd), py(g, out, xd, yd)

    class NodeX(OpNode):  # x in _p, the constant y in _arg
        __slots__ = ()
        _op, _name, _kind, _layout, _const = symbol, name, kind, ONE, "y"
        _backward = _step_const(rule_x, const_first=False)

        def _vjp(self, g: Any, graph: bool) -> Partials:
            x = self._p
            return (px(g, self, x, self._arg),) if graph else (px(g, self.data, x.data, self._arg),)

    class NodeY(OpNode):  # the constant x in _arg, y in _p
        __slots__ = ()
        _op, _name, _kind, _layout, _const = symbol, name, kind, ONE, "x"
        _backward = _step_const(rule_y, const_first=True)

        def _vjp(self, g: Any, graph: bool) -> Partials:
            y = self._p
            return (py(g, self, self._arg, y),) if graph else (py(g, self.data, self._arg, y.data),)

    for cls, suffix in ((Node, ""), (NodeX, "_const_y"), (NodeY, "_const_x")):
        cls.__name__ = cls.__qualname__ = name + suffix
    return _own_codes(Node), _own_codes(NodeX), _own_codes(NodeY)


def _own_codes(cls: type[Value]) -> type[Value]:
    """The class, its backward step and vjp each with a code object of its own (see make.own_code)."""
    for name in ("_backward", "_vjp"):
        own_code(cls.__dict__[name])
    return cls


# -- the float backward steps, made for the way the rules are written: a rule that is a number or names
# an operand needs no call (the step of + adds the gradient, the step of * reads the other operand); a
# rule that divides catches the division by 0 that Python raises and IEEE 754 does not.
def _step_unary(rule: Rule) -> Callable[[Value], None]:
    """The backward step of op(x), x in _p."""
    if isinstance(rule, float):
        c = rule

        def step(self: Value) -> None:
            self._p.grad += self.grad * c

    elif isinstance(rule, ZeroWhere) and rule.rule == 1.0 and not callable(rule.rule):  # relu: the gradient, or 0
        zero = rule.cond

        def step(self: Value) -> None:
            x = self._p
            if not zero(self.data, x.data):
                x.grad += self.grad

    elif rule == Divides("x"):  # log: g / x

        def step(self: Value) -> None:
            x = self._p
            try:
                x.grad += self.grad / x.data
            except ZeroDivisionError:
                x.grad += floats.div(self.grad, x.data)

    elif callable(rule):
        d = cast(Callable[[float, float], float], rule)

        def step(self: Value) -> None:
            x = self._p
            x.grad += self.grad * d(self.data, x.data)

    else:
        zero_x, fx, divides = _parts(rule)

        def step(self: Value) -> None:
            x = self._p
            out = self.data
            xd = x.data
            if zero_x is None or not zero_x(out, xd):
                d = fx(out, xd)
                if divides:
                    try:
                        x.grad += self.grad / d
                    except ZeroDivisionError:
                        x.grad += floats.div(self.grad, d)
                else:
                    x.grad += self.grad * d

    return step


def _step_xy(rule_x: Rule, rule_y: Rule) -> Callable[[Value], None]:
    """The backward step of x op y, both Values (x in _p, y in _arg)."""
    if (rule_x, rule_y) == (1.0, 1.0):  # a sum: the gradient passes to both unchanged

        def step(self: Value) -> None:
            g = self.grad
            self._p.grad += g
            self._arg.grad += g

    elif (rule_x, rule_y) == (1.0, -1.0):  # a difference (y.grad - g is y.grad + g * -1.0, bit for bit)

        def step(self: Value) -> None:
            g = self.grad
            self._p.grad += g
            self._arg.grad -= g

    elif isinstance(rule_x, float) and isinstance(rule_y, float):
        cx, cy = rule_x, rule_y

        def step(self: Value) -> None:
            g = self.grad
            self._p.grad += g * cx
            self._arg.grad += g * cy

    elif rule_x == "y" and rule_y == "x":  # a product

        def step(self: Value) -> None:
            g = self.grad
            x = self._p
            y = self._arg
            x.grad += g * y.data
            y.grad += g * x.data

    else:  # any other rules: each operand's share, masked, divided or multiplied as its rule says
        zero_x, fx, divides_x = _parts(rule_x)
        zero_y, fy, divides_y = _parts(rule_y)

        def step(self: Value) -> None:
            x = self._p
            y = self._arg
            g = self.grad
            out = self.data
            xd = x.data
            yd = y.data
            if zero_x is None or not zero_x(out, xd, yd):
                d = fx(out, xd, yd)
                if divides_x:
                    try:
                        x.grad += g / d
                    except ZeroDivisionError:
                        x.grad += floats.div(g, d)
                else:
                    x.grad += g * d
            if zero_y is None or not zero_y(out, xd, yd):
                d = fy(out, xd, yd)
                if divides_y:
                    try:
                        y.grad += g / d
                    except ZeroDivisionError:
                        y.grad += floats.div(g, d)
                else:
                    y.grad += g * d

    return step


def _step_const(rule: Rule, const_first: bool) -> Callable[[Value], None]:
    """The backward step of v op c (or c op v if const_first), c a constant: v in _p, c in _arg."""
    if isinstance(rule, float):
        c = rule

        def step(self: Value) -> None:
            self._p.grad += self.grad * c

    elif rule == ("x" if const_first else "y"):  # the derivative is the constant: d(v * c)/dv = c

        def step(self: Value) -> None:
            self._p.grad += self.grad * self._arg

    elif rule == Divides("x" if const_first else "y"):  # divided by the constant: d(v / c)/dv = 1 / c

        def step(self: Value) -> None:
            v = self._p
            try:
                v.grad += self.grad / self._arg
            except ZeroDivisionError:
                v.grad += floats.div(self.grad, self._arg)

    elif callable(rule):
        d = rule

        if const_first:

            def step(self: Value) -> None:
                v = self._p
                v.grad += self.grad * d(self.data, self._arg, v.data)

        else:

            def step(self: Value) -> None:
                v = self._p
                v.grad += self.grad * d(self.data, v.data, self._arg)

    else:  # masked or divided: the generic step, with the operands in their order
        zero, f, divides = _parts(rule)

        def step(self: Value) -> None:
            v = self._p
            out = self.data
            args = (out, self._arg, v.data) if const_first else (out, v.data, self._arg)
            if zero is None or not zero(*args):
                d = f(*args)
                if divides:
                    try:
                        v.grad += self.grad / d
                    except ZeroDivisionError:
                        v.grad += floats.div(self.grad, d)
                else:
                    v.grad += self.grad * d

    return step
