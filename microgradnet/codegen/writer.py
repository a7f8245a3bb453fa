"""Writing nodes as code: the names of a generated program, and the writer each node writes itself with.

A `Scope` hands out the program's names: a Value is named after its label where the label is a
Python identifier, after its op otherwise, and every helper the code calls (a float function, a rule
that is not one expression, `math.isfinite`) gets a name of its own, bound to the very object the
engine uses. Labels are never code: one that is no identifier only ever appears in a comment,
escaped by `comment()`. A `NodeWriter` is the `SourceWriter` a node writes into (see
`engine/source.py`); it keeps the node's value and its backward steps for the generator to place.
"""

from __future__ import annotations

import importlib
import keyword
import math
import re
import types
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from .inline import BINARY, UNARY, one_expression, substitute

__all__ = ["Add", "Let", "NodeWriter", "Scope", "atomic", "comment", "identifier", "tidy"]

MAX_NAME = 40  # a label longer than this is not used as a name


def identifier(text: str) -> str | None:
    """text as a name of generated code, if it is a Python identifier (as Python reads it), else None."""
    name = unicodedata.normalize("NFKC", text)
    if not name.isidentifier() or keyword.iskeyword(name) or name == "__debug__" or len(name) > MAX_NAME:
        return None
    return name


def comment(text: str) -> str:
    """text as it may stand inside a comment: quoted, every control character, newline and line separator escaped."""
    return repr(text)


class Scope:
    """The names of one generated program: each handed out once, helpers bound to their objects."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self.taken: set[str] = set(reserved)
        self._counts: dict[str, int] = {}  # the last number handed out after each hint (mul1, mul2 ...)
        self.helpers: dict[str, object] = {}  # name -> the object it is bound to
        self._helper_names: dict[int, str] = {}  # id(object) -> its name (the object is kept alive in helpers)
        self.symbols: dict[float, str] = {}  # numbers that stand for a variable of the code (a traced target): its name

    def fresh(self, hint: str, suffixes: tuple[str, ...] = ("",)) -> str:
        """A new name like hint (hint_2, hint_3 ... if taken), with name + each suffix free as well."""
        base = identifier(hint) or "v"
        name, k = base, 1
        while any(name + s in self.taken or keyword.iskeyword(name + s) for s in suffixes):
            k += 1
            name = f"{base}_{k}"
        self.taken.update(name + s for s in suffixes)
        return name

    def numbered(self, hint: str, suffixes: tuple[str, ...] = ("",)) -> str:
        """A new name hint1, hint2 ... (the next number not taken), with name + each suffix free as well."""
        base = identifier(hint) or "v"
        k = self._counts.get(base, 0)
        while True:
            k += 1
            name = f"{base}{k}"
            if not any(name + s in self.taken for s in suffixes):
                break
        self._counts[base] = k
        self.taken.update(name + s for s in suffixes)
        return name

    def helper(self, obj: object, hint: str) -> str:
        """The name the code calls obj by (the same name for the same object)."""
        name = self._helper_names.get(id(obj))
        if name is None:
            name = self.fresh(hint.lstrip("_") or "f")
            self._helper_names[id(obj)] = name
            self.helpers[name] = obj
        return name

    def literal(self, c: float) -> str:
        """c as Python text that reads back as exactly c: a float literal, or a name for inf and nan."""
        c = float(c)
        if c in self.symbols:
            return self.symbols[c]
        if c != c:
            return self.helper(math.nan, "nan")
        if math.isinf(c):
            inf = self.helper(math.inf, "inf")
            return inf if c > 0 else f"(-{inf})"
        text = repr(c)
        return f"({text})" if text.startswith("-") else text

    def header(self) -> list[str]:
        """Import lines for the helpers that can be imported, a comment for each that cannot."""
        lines, notes = [], []
        for name, obj in sorted(self.helpers.items()):
            where = _importable(obj)
            if where is None:
                notes.append(f"# {name} = {comment(_describe(obj))}, bound when the code was made")
            elif isinstance(obj, types.ModuleType):
                lines.append(f"import {where}" + ("" if where == name else f" as {name}"))
            else:
                module, qualname = where.rsplit(":", 1)
                lines.append(f"from {module} import {qualname}" + ("" if qualname == name else f" as {name}"))
        return lines + notes


def _importable(obj: object) -> str | None:
    """'module:name' (or a module's name) that imports obj itself, if there is one."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    if isinstance(obj, float):
        name = {id(math.inf): "inf", id(math.nan): "nan"}.get(id(obj))
        return f"math:{name}" if name else None
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or not qualname.isidentifier():
        return None
    try:
        found = getattr(importlib.import_module(module), qualname)
    except (ImportError, AttributeError):
        return None
    return f"{module}:{qualname}" if found is obj else None


def _describe(obj: object) -> str:
    """'<function module.name>': what an object that cannot be imported is."""
    name = getattr(obj, "__qualname__", None) or type(obj).__name__
    module = getattr(obj, "__module__", None)
    return f"<{type(obj).__name__} {module}.{name}>" if module else f"<{type(obj).__name__} {name}>"


# -- one node's code --------------------------------------------------------------------------------------
class Let(NamedTuple):
    """A temporary of a backward step: name = expr."""

    name: str
    expr: str


class Add(NamedTuple):
    """A contribution of a backward step: parent i's gradient += expr (-= if subtract), where `when` holds."""

    parent: int
    expr: str
    when: str
    subtract: bool


class NodeWriter:
    """The `SourceWriter` one node writes its code into (see engine/source.py)."""

    def __init__(self, scope: Scope, operands: list[str], out: str, grad: str) -> None:
        self.scope, self.operands, self.out, self.grad = scope, operands, out, grad
        self.expr: str | None = None  # the node's value
        self.steps: list[Let | Add] = []  # its backward step

    def operand(self, i: int) -> str:
        """The value of the node's i-th parent."""
        return self.operands[i]

    def constant(self, c: float) -> str:
        """A plain number, as a literal."""
        return self.scope.literal(c)

    def call(self, fn: Callable[..., Any], *args: str) -> str:
        """fn applied to args: an operator, fn's own expression inlined, or a call of fn by its bound name."""
        atoms = [a if atomic(a) else f"({a})" for a in args]
        key = _key(fn)
        if len(args) == 2 and key in BINARY:
            return f"({atoms[0]} {BINARY[fn]} {atoms[1]})"
        if len(args) == 1 and key in UNARY:
            return f"({UNARY[fn]}{atoms[0]})"
        inlined = one_expression(fn)
        if inlined is not None and len(inlined.params) == len(args):
            names = {name: self.scope.helper(obj, name) for name, obj in inlined.free.items()}
            text = substitute(inlined, atoms, names)
            return text if inlined.atomic else f"({text})"
        return f"{self.scope.helper(fn, getattr(fn, '__name__', 'f'))}({', '.join(atoms)})"

    def value(self, expr: str) -> None:
        """The node's value."""
        self.expr = expr

    def let(self, hint: str, expr: str) -> str:
        """A temporary of the backward step."""
        name = self.scope.fresh(hint)
        self.steps.append(Let(name, expr))
        return name

    def add(self, i: int, expr: str, *, when: str = "", subtract: bool = False) -> None:
        """A contribution to parent i's gradient."""
        self.steps.append(Add(i, expr, when, subtract))


_NUMBER = re.compile(r"\d+(\.\d*)?(e[-+]?\d+)?")
_NAMES = re.compile(r"[^\W\d][\w.]*")  # a name or a dotted name: x, math.tanh


def atomic(text: str) -> bool:
    """Whether an expression's text needs no parentheses anywhere: a name, a number, a call, a bracketed whole."""
    if text.isidentifier() or _NUMBER.fullmatch(text):
        return True
    match = _NAMES.match(text)
    start = match.end() if match else 0
    return start < len(text) and text[start] in "([" and _closing(text, start) == len(text) - 1


def tidy(expr: str) -> str:
    """expr without parentheses around the whole of it (a tuple keeps them)."""
    while expr.startswith("("):
        close, comma = _bracket(expr, 0)
        if close != len(expr) - 1 or comma:
            break
        expr = expr[1:-1]
    return expr


def _closing(text: str, i: int) -> int:
    """Where the bracket opened at text[i] closes (-1 if it does not)."""
    return _bracket(text, i)[0]


def _bracket(text: str, i: int) -> tuple[int, bool]:
    """Where the bracket opened at text[i] closes (-1 if it does not), and whether it holds a comma of its own."""
    depth, comma = 0, False
    for j in range(i, len(text)):
        c = text[j]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return j, comma
        elif c == "," and depth == 1:
            comma = True
    return -1, comma
    return False


def _key(fn: object) -> object:
    """fn, if it can be looked up in a dict (a callable object may not be hashable)."""
    try:
        hash(fn)
    except TypeError:
        return None
    return fn
