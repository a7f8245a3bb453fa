"""The node classes made from a row of the op table, each with its partials and its float backward step.

A unary op makes one class, `op(x)`. A binary op makes three: `x op y` over two Values (layout TWO),
`x op c` and `c op y` where c is a plain number kept as the node's data (layout ONE). A derivative
rule is a function of (out, x[, y]), a number where it is constant, or the name of the operand it
equals ("y": d(x*y)/dx = y); the backward steps below are specialised for the last two, so that the
step of `+` adds the gradient as it is and the step of `*` reads the other operand, with no call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from .layouts import ONE, TWO
from .make import own_code
from .source import SourceWriter
from .value import NodeInfo, Partials, Value

Rule = Callable[..., Any] | float | str  # a derivative in the table: a function, a number, or "x"/"y"


def as_function(rule: Rule) -> Callable[..., Any]:
    """A derivative rule as a function of (out, x[, y]): a constant or an operand's name included."""
    if callable(rule):
        return rule
    if isinstance(rule, str):
        return (lambda out, x, y: x) if rule == "x" else (lambda out, x, y: y)
    c = rule
    return lambda out, *operands: c


def number(x: float, precision: int) -> str:
    """x with `precision` significant digits: 0.7071, -1.5, 1e-07, inf, nan."""
    return format(x, f".{precision}g")


class OpNode(Value):
    """A node of an op of the table; each op's classes set the class attributes below."""

    __slots__ = ()
    _const: str = ""  # which operand is the plain number kept in _arg: 'x', 'y', or '' (none)
    _roles: tuple[str, ...] = ()  # the operands' names where their order matters
    _f: Callable[..., float]  # the op's value on floats (set by ops.Op)
    _rules: tuple[Rule, ...] = ()  # its derivative rules, as the table writes them

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

    def source(self, writer: SourceWriter) -> None:
        """Its value by the op's float function; each Value operand's gradient by its rule, as its step adds it."""
        w = writer
        if self._const == "x":  # c op y: the constant comes first, y is parent 0
            operands, parent = [w.constant(self._arg), w.operand(0)], [-1, 0]
        elif self._const == "y":
            operands, parent = [w.operand(0), w.constant(self._arg)], [0, -1]
        else:
            operands = [w.operand(i) for i in range(len(self._rules))]
            parent = list(range(len(self._rules)))
        w.value(w.call(type(self)._f, *operands))  # the function itself, not bound to the node
        for i, rule in enumerate(self._rules):
            if parent[i] < 0:
                continue
            if rule == 1.0:  # the step adds the gradient as it is (bit for bit g * 1.0)
                w.add(parent[i], w.grad)
            elif rule == -1.0:  # or subtracts it (g * -1.0)
                w.add(parent[i], w.grad, subtract=True)
            elif isinstance(rule, float):
                w.add(parent[i], f"{w.grad} * {w.constant(rule)}")
            elif isinstance(rule, str):  # the other operand
                w.add(parent[i], f"{w.grad} * {operands[0 if rule == 'x' else 1]}")
            else:
                w.add(parent[i], f"{w.grad} * {w.call(rule, w.out, *operands)}")


def unary_node_class(name: str, symbol: str, kind: str, rule: Rule) -> type[Value]:
    """The node class of op(x): x in _p (layout ONE)."""
    dx = as_function(rule)
    dx_float = cast(Callable[..., float], dx)  # on floats, a rule returns a float
    c = rule if isinstance(rule, float) else None  # a constant derivative: no call for it

    class Node(OpNode):
        __slots__ = ()
        _op, _name, _kind, _layout, _rules = symbol, name, kind, ONE, (rule,)

        def _partials(self, graph: bool) -> Partials:
            x = self._p
            return (dx(self, x),) if graph else (dx(self.data, x.data),)

        if c is None:

            def _backward(self) -> None:
                x = self._p
                x.grad += self.grad * dx_float(self.data, x.data)

        else:

            def _backward(self) -> None:
                self._p.grad += self.grad * c

    Node.__name__ = Node.__qualname__ = name
    return _own_codes(Node)


def binary_node_classes(
    name: str, symbol: str, kind: str, roles: tuple[str, ...], rule_x: Rule, rule_y: Rule
) -> tuple[type[Value], type[Value], type[Value]]:
    """The node classes of x op y (both Values), x op c and c op y (c a plain number)."""
    dx, dy = as_function(rule_x), as_function(rule_y)

    class Node(OpNode):  # x in _p, y in _arg
        __slots__ = ()
        _op, _name, _kind, _layout, _roles, _rules = symbol, name, kind, TWO, roles, (rule_x, rule_y)
        _backward = _step_xy(rule_x, rule_y)

        def _partials(self, graph: bool) -> Partials:
            x, y = self._p, self._arg
            if graph:
                return dx(self, x, y), dy(self, x, y)
            out, xd, yd = self.data, x.data, y.data
            return dx(out, xd, yd), dy(out, xd, yd)

    class NodeX(OpNode):  # x in _p, the constant y in _arg
        __slots__ = ()
        _op, _name, _kind, _layout, _const, _rules = symbol, name, kind, ONE, "y", (rule_x, rule_y)
        _backward = _step_const(rule_x, const_first=False)

        def _partials(self, graph: bool) -> Partials:
            x = self._p
            return (dx(self, x, self._arg),) if graph else (dx(self.data, x.data, self._arg),)

    class NodeY(OpNode):  # the constant x in _arg, y in _p
        __slots__ = ()
        _op, _name, _kind, _layout, _const, _rules = symbol, name, kind, ONE, "x", (rule_x, rule_y)
        _backward = _step_const(rule_y, const_first=True)

        def _partials(self, graph: bool) -> Partials:
            y = self._p
            return (dy(self, self._arg, y),) if graph else (dy(self.data, self._arg, y.data),)

    for cls, suffix in ((Node, ""), (NodeX, "_const_y"), (NodeY, "_const_x")):
        cls.__name__ = cls.__qualname__ = name + suffix
    return _own_codes(Node), _own_codes(NodeX), _own_codes(NodeY)


def _own_codes(cls: type[Value]) -> type[Value]:
    """The class, its backward step and partials each with a code object of its own (see value.own_code)."""
    for name in ("_backward", "_partials"):
        own_code(cls.__dict__[name])
    return cls


# A binary node's backward step, made for the way its rules are written: a rule that is a number or
# names an operand needs no call (the step of + adds the gradient, the step of * reads the other operand).
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

    else:
        fx, fy = as_function(rule_x), as_function(rule_y)

        def step(self: Value) -> None:
            x = self._p
            y = self._arg
            g = self.grad
            out = self.data
            xd = x.data
            yd = y.data
            x.grad += g * fx(out, xd, yd)
            y.grad += g * fy(out, xd, yd)

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

    else:
        d = as_function(rule)

        if const_first:

            def step(self: Value) -> None:
                v = self._p
                v.grad += self.grad * d(self.data, self._arg, v.data)

        else:

            def step(self: Value) -> None:
                v = self._p
                v.grad += self.grad * d(self.data, v.data, self._arg)

    return step
