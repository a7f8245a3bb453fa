"""The command line's parser of formulas typed by a user, such as "tanh(x*w + b)": safe by construction.

The text is parsed with Python's `ast` and checked against a whitelist before anything is computed:
numbers, names, `+ - * / **`, unary `-` and `+`, parentheses, and calls of the engine's functions
by name. Everything else (attribute access, other calls, `__import__`, lambdas, comprehensions,
strings, huge exponents or literals) is refused with an `FormulaError` naming what was found.
The text is never passed to `eval`; the checked tree is walked by this module alone.
"""

from __future__ import annotations

import ast
import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

from .. import engine
from ..engine import OPS, Value
from ..engine import floats as ieee

Number = Value | float

MAX_LENGTH = 2000  # characters
MAX_NODES = 1000  # syntax-tree nodes
MAX_DEPTH = 200  # nesting: parentheses, calls, unary minus (a flat sum or product of n terms is one level)
MAX_EXPONENT = 1000  # largest |constant exponent|

# name: (function, least and most arguments): the op table's functions, and abs
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int]] = {
    name: (OPS[name].function, 1 if OPS[name].arity == 1 or OPS[name].default is not None else 2, OPS[name].arity)
    for name in engine.FUNCTIONS
}
FUNCTIONS["abs"] = (abs, 1, 1)
BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda x, y: x + y,
    ast.Sub: lambda x, y: x - y,
    ast.Mult: lambda x, y: x * y,
    ast.Div: lambda x, y: ieee.div(x, y) if not isinstance(x, Value) and not isinstance(y, Value) else x / y,
    ast.Pow: lambda x, y: ieee.pow(x, y) if not isinstance(x, Value) and not isinstance(y, Value) else x**y,
}
SYMBOLS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
           ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.Not: "not", ast.Invert: "~"}  # fmt: skip
ALLOWED = "numbers, names, + - * / **, unary -, parentheses and the functions " + ", ".join(FUNCTIONS)


class FormulaError(ValueError):
    """A malformed or disallowed formula, or a missing value for one of its names; the message is one line."""


class Formula:
    """A checked arithmetic formula over named variables; `evaluate` computes it with Values."""

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"Formula(text) must be a str, got {type(text).__name__}")
        self.text = text
        self._tree = _parse(text)
        first: dict[str, tuple[int, int]] = {}
        for node in ast.walk(self._tree):
            if isinstance(node, ast.Name) and node.id not in FUNCTIONS:  # functions are called, not bound
                where = (node.lineno, node.col_offset)
                first[node.id] = min(where, first.get(node.id, where))
        self.names: tuple[str, ...] = tuple(sorted(first, key=first.__getitem__))  # in order of first appearance

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"

    def evaluate(self, values: Mapping[str, Number]) -> Number:
        """The expression's value with each name bound to values[name]; a Value if any name is used."""
        for name, v in values.items():
            if not isinstance(v, (Value, numbers.Real)) or isinstance(v, bool):
                raise TypeError(f"the value of {name!r} must be a Value or a real number, got {type(v).__name__}")
        missing = [n for n in self.names if n not in values]
        if missing:
            s = "s" if len(missing) > 1 else ""
            raise FormulaError(f"unbound name{s} {', '.join(map(repr, missing))}: give a value, e.g. {missing[0]}=1.0")
        return _evaluate(self._tree.body, values)


def _parse(text: str) -> ast.Expression:
    """text as a syntax tree that passed every check."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"expression is too long: {len(text)} characters, at most {MAX_LENGTH}")
    if not text.strip():
        raise FormulaError("empty expression")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        where = f" at column {e.offset}" if e.offset else ""
        detail = "" if e.msg == "invalid syntax" else f": {e.msg}"
        raise FormulaError(f"invalid syntax{where}{detail}") from None
    except (ValueError, RecursionError, MemoryError) as e:  # null bytes, nesting beyond the parser's limits
        raise FormulaError(f"cannot parse the expression: {type(e).__name__}: {e}"[:200]) from None
    _check(tree, text.strip())
    return tree


def _check(tree: ast.Expression, source: str) -> None:
    """Raise FormulaError at the first node outside the whitelist or beyond the size limits."""
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise FormulaError(f"expression is too large: more than {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            raise FormulaError(f"expression is nested too deeply: more than {MAX_DEPTH} levels")
        children = _allowed_children(node, source)
        if isinstance(node, ast.BinOp):  # a chain a + b - c ... is flat: its left operand is at its own level
            stack += [(node.right, depth + 1), (node.left, depth)]
        else:
            stack.extend((child, depth + 1) for child in reversed(children))
    _check_exponents(tree.body, source)


def _allowed_children(node: ast.AST, source: str) -> list[ast.AST]:
    """The operands of an allowed node; FormulaError for any other node."""
    if isinstance(node, ast.BinOp):
        if type(node.op) not in BINARY:
            raise FormulaError(f"operator {_symbol(node.op)!r} is not allowed; allowed: {ALLOWED}")
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise FormulaError(f"operator {_symbol(node.op)!r} is not allowed; allowed: {ALLOWED}")
        return [node.operand]
    if isinstance(node, ast.Constant):
        _literal(node, source)
        return []
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise FormulaError(f"{node.id!r} is a function: call it, as in {node.id}(x)")
        return []
    if isinstance(node, ast.Call):
        return _call_arguments(node, source)
    raise FormulaError(f"{_describe(node, source)} is not allowed; allowed: {ALLOWED}")


def _literal(node: ast.Constant, source: str) -> float:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FormulaError(f"the literal {_snippet(node, source)} is not a number; allowed: {ALLOWED}")
    x = ieee.as_float(value)
    if not math.isfinite(x):
        raise FormulaError(f"the number {_snippet(node, source)} is too large for a float")
    return x


def _call_arguments(node: ast.Call, source: str) -> list[ast.AST]:
    if not isinstance(node.func, ast.Name):
        functions = ", ".join(FUNCTIONS)
        raise FormulaError(
            f"only the engine's functions can be called ({functions}), not {_snippet(node.func, source)}"
        )
    name = node.func.id
    if name not in FUNCTIONS:
        raise FormulaError(f"{name!r} is not a function of the engine; the functions are {', '.join(FUNCTIONS)}")
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise FormulaError(f"{name}() takes positional arguments only")
    _, least, most = FUNCTIONS[name]
    if not least <= len(node.args) <= most:
        want = f"{least}" if least == most else f"{least} or {most}"
        s = "" if want == "1" else "s"
        raise FormulaError(f"{name}() takes {want} argument{s}, got {len(node.args)}")
    return list(node.args)


def _check_exponents(body: ast.AST, source: str) -> None:
    """Refuse x ** c where the constant exponent c (after folding, as in 2 ** 10 ** 10) exceeds MAX_EXPONENT."""
    for node in ast.walk(body):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            c = _fold(node.right)
            if c is not None and not abs(c) <= MAX_EXPONENT:
                limit = f"|exponent| must be at most {MAX_EXPONENT}"
                raise FormulaError(f"the exponent {_snippet(node.right, source)} is too large: {limit}")


def _fold(node: ast.AST) -> float | None:
    """The value of a subexpression made of numbers only (None if it uses a name)."""
    if any(isinstance(n, ast.Name) for n in ast.walk(node)):
        return None
    result = _evaluate(node, {})
    return result.data if isinstance(result, Value) else result


def _evaluate(node: ast.AST, values: Mapping[str, Number]) -> Number:
    """The checked subexpression's value; plain-number parts stay floats, so they draw as constants."""
    if isinstance(node, ast.Constant):
        return _literal(node, "")
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        x = _evaluate(node.operand, values)
        return -x if isinstance(node.op, ast.USub) else x
    if isinstance(node, ast.BinOp):  # down a chain a + b - c ... in a loop, not a call per operator
        chain = []
        while isinstance(node, ast.BinOp):
            chain.append(node)
            node = node.left
        result: Number = _evaluate(node, values)
        for link in reversed(chain):
            result = BINARY[type(link.op)](result, _evaluate(link.right, values))
        return result
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        f = FUNCTIONS[node.func.id][0]
        out: Number = f(*[_evaluate(a, values) for a in node.args])
        return out
    raise AssertionError(f"unchecked node {type(node).__name__}")  # pragma: no cover


def _symbol(op: ast.AST) -> str:
    return SYMBOLS.get(type(op), type(op).__name__)


def _describe(node: ast.AST, source: str) -> str:
    kinds = {
        ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Lambda: "lambda",
        ast.ListComp: "a comprehension", ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
        ast.GeneratorExp: "a generator expression", ast.Compare: "a comparison", ast.BoolOp: "and/or",
        ast.IfExp: "if/else", ast.NamedExpr: "assignment (:=)", ast.Await: "await", ast.Yield: "yield",
        ast.YieldFrom: "yield", ast.JoinedStr: "an f-string", ast.List: "a list", ast.Tuple: "a tuple",
        ast.Set: "a set", ast.Dict: "a dict", ast.Starred: "unpacking (*)", ast.Slice: "a slice",
    }  # fmt: skip
    return f"{kinds.get(type(node), type(node).__name__)} {_snippet(node, source)}"


def _snippet(node: ast.AST, source: str) -> str:
    """node's text as the user wrote it, shortened to 40 characters."""
    text = ast.get_source_segment(source, node) or ast.unparse(node)
    return repr(text if len(text) <= 40 else text[:37] + "...")
