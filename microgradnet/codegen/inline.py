"""A function's own expression, to write into generated code in place of a call of it.

The engine's rules are Python functions: `lambda out, x: 1.0 - out * out` for tanh, `floats.relu`.
Where such a function is one expression (a lambda, or a def whose body only returns one) and its
source can be found, generated code writes that expression with the arguments put in for its
parameters, so a reader sees the rule itself and no call is paid for it. The expression's other
names keep meaning what they mean to the function: each is looked up where the function looks it
up (its closure, its module, the builtins) and handed back, so the generated code can bind it to
the very same object. Anything else (a function without source, one of several statements) is
called by name instead; both compute exactly what the function computes.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import copy
import inspect
import linecache
import operator
import re
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = ["ATOMS", "BINARY", "UNARY", "Inlined", "one_expression", "substitute"]

BINARY: dict[Callable[..., Any], str] = {
    operator.add: "+",
    operator.sub: "-",
    operator.mul: "*",
    operator.truediv: "/",
    operator.pow: "**",
}
UNARY: dict[Callable[..., Any], str] = {operator.neg: "-", operator.pos: "+"}
ATOMS = (ast.Name, ast.Call, ast.Attribute, ast.Subscript, ast.Constant, ast.List, ast.Tuple)  # need no parentheses
_MARK = "\x00"  # marks a name in a template: no Python text holds it outside a string, where unparse escapes it

# nodes an inlined expression may not contain: each opens a scope of its own or does more than compute
_REFUSED = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr, ast.Yield,
            ast.YieldFrom, ast.Await, ast.Starred)  # fmt: skip


class Inlined(NamedTuple):
    """A one-expression function: its parameters, its expression's text, and what its other names refer to."""

    params: tuple[str, ...]
    template: str  # the expression, each of its names marked: \x00name\x00
    free: dict[str, object]
    atomic: bool  # whether the expression needs no parentheses around it


_cache: weakref.WeakKeyDictionary[Callable[..., Any], Inlined | None] = weakref.WeakKeyDictionary()


def one_expression(fn: Callable[..., Any]) -> Inlined | None:
    """fn as one expression over its parameters, or None if it is not one (or its source cannot be found)."""
    try:
        return _cache[fn]
    except (KeyError, TypeError):
        pass
    found = _find(fn)
    with contextlib.suppress(TypeError):  # a callable that cannot be weakly referred to is looked at again next time
        _cache[fn] = found
    return found


def substitute(inlined: Inlined, args: list[str], names: dict[str, str]) -> str:
    """The expression's text with args (each an atom: a name, a number, a call...) in place of the parameters
    and each free name renamed as `names` says."""
    values = {**names, **dict(zip(inlined.params, args))}
    return re.sub(f"{_MARK}([^{_MARK}]*){_MARK}", lambda m: values[m.group(1)], inlined.template)


# -- finding a function's expression in its source ------------------------------------------------------
def _find(fn: Callable[..., Any]) -> Inlined | None:
    code = getattr(fn, "__code__", None)
    if code is None or getattr(fn, "__defaults__", None) or getattr(fn, "__kwdefaults__", None):
        return None
    if code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS) or code.co_kwonlyargcount:
        return None
    params = code.co_varnames[: code.co_argcount]
    tree = _module_tree(code.co_filename)
    if tree is None:
        return None
    candidates = [body for node in ast.walk(tree) if (body := _body_at(node, code, params)) is not None]
    if len(candidates) > 1:
        candidates = [body for body in candidates if _holds(body, code)]
    if len(candidates) != 1:
        return None
    (body,) = candidates
    if any(isinstance(node, _REFUSED) for node in ast.walk(body)):
        return None
    used = {node.id for node in ast.walk(body) if isinstance(node, ast.Name)}
    if not used - set(params) <= set(code.co_names) | set(code.co_freevars):  # not what was compiled
        return None
    free = {}
    for name in sorted(used - set(params)):
        found, value = _lookup(fn, name)
        if not found:
            return None
        free[name] = value
    marked = copy.deepcopy(body)
    for node in ast.walk(marked):
        if isinstance(node, ast.Name):
            node.id = f"{_MARK}{node.id}{_MARK}"
    return Inlined(params, ast.unparse(marked), free, isinstance(body, ATOMS))


def _module_tree(filename: str) -> ast.Module | None:
    """The syntax tree of a source file as Python's line cache holds it (None if there is none)."""
    text = "".join(linecache.getlines(filename))
    if not text:
        return None
    return _parsed(filename, text)


_trees: dict[tuple[str, int], ast.Module | None] = {}


def _parsed(filename: str, text: str) -> ast.Module | None:
    key = (filename, hash(text))
    if key not in _trees:
        try:
            _trees[key] = ast.parse(text)
        except SyntaxError:
            _trees[key] = None
    return _trees[key]


def _body_at(node: ast.AST, code: Any, params: tuple[str, ...]) -> ast.expr | None:
    """node's one expression if node is a lambda or def that could have compiled to code (same line and parameters)."""
    if isinstance(node, ast.Lambda):
        args, line, body = node.args, node.lineno, node.body
    elif isinstance(node, ast.FunctionDef) and node.name == code.co_name:
        args = node.args
        line = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        statements = node.body
        if statements and isinstance(statements[0], ast.Expr) and isinstance(statements[0].value, ast.Constant):
            statements = statements[1:]  # a docstring
        if len(statements) != 1 or not isinstance(statements[0], ast.Return) or statements[0].value is None:
            return None
        body = statements[0].value
    else:
        return None
    if line != code.co_firstlineno or tuple(a.arg for a in args.posonlyargs + args.args) != params:
        return None
    if args.vararg or args.kwarg or args.kwonlyargs or args.defaults:
        return None
    return body


def _holds(body: ast.expr, code: Any) -> bool:
    """Whether the code's instructions all lie within the expression's lines and columns (Python 3.11 on)."""
    positions = getattr(code, "co_positions", None)
    if positions is None:
        return False
    start = (body.lineno, body.col_offset)
    end = (body.end_lineno or body.lineno, body.end_col_offset or 0)
    spots = [
        (line, col)
        for line, _, col, end_col in positions()
        if line is not None and col is not None and (col, end_col) != (0, 0)  # (0, 0): the frame's own set-up
    ]
    return bool(spots) and all(start <= spot <= end for spot in spots)


def _lookup(fn: Any, name: str) -> tuple[bool, object]:
    """What `name` means inside fn: its closure's cell, its module's global, or a builtin."""
    code = fn.__code__
    if name in code.co_freevars:
        cell = fn.__closure__[code.co_freevars.index(name)]
        try:
            return True, cell.cell_contents
        except ValueError:  # an empty cell
            return False, None
    namespace = fn.__globals__
    if name in namespace:
        return True, namespace[name]
    if hasattr(builtins, name):
        return True, getattr(builtins, name)
    return False, None
