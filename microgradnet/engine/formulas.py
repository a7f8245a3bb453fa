"""Ops written out as formulas: how a node's value and its local derivatives read, in names of your choice.

A node tells its op as text through `Value.rule(name, parents)`: the value as a formula of its
parents (`x * w`, `tanh(n)`, `2 - a`) and each local derivative d out / d parent (`1 - o²`, `w`),
with the derivatives' numbers. The op table writes each derivative once, in the words `out` (the
op's result), `x` and `y` (its operands), next to the rule that computes it; `fill` puts the names
in. A name that is not a single word or number is put in parentheses wherever it is used, so a
label such as `x1*w1 + x2*w2` reads right inside `1 - out²`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

__all__ = ["LocalRule", "atom", "constant", "fill", "series", "written"]

_WORDS = re.compile(r"(?<![A-Za-z0-9_.])(out|x|y)(?![A-Za-z0-9_])")  # the table's words, as whole words only
_ATOM = re.compile(r"[^\W\d][\w.#′]*|\d+(\.\d*)?([eE][+-]?\d+)?|inf|nan|∂\S+/∂\S+")  # v3, layers.0.w.1, 2.5, ∂o/∂x
SHOWN_TERMS = 6  # a series of more terms is written with an ellipsis: a + b + … + z


class LocalRule(NamedTuple):
    """A node's op written with given names: the value it computes and its local derivatives (see Value.rule)."""

    formula: str  # its value as a formula of its parents: 'x * w', 'tanh(n)', '2 - a'; '' for a leaf
    derivatives: tuple[str, ...]  # d out / d parent for each parent, as formulas: '1 - o²', 'w', '1'
    values: tuple[float, ...]  # the numbers of those derivatives at this node


def atom(text: str) -> str:
    """text as one operand inside a formula: a word, a number or a call as it is, anything else in parentheses."""
    if _ATOM.fullmatch(text):
        return text
    call = text.find("(")  # f(...) or (...), the parenthesis opened first closing last
    if _parenthesised(text[max(call, 0) :]) and (call <= 0 or _ATOM.fullmatch(text[:call])):
        return text
    return f"({text})"


def _parenthesised(text: str) -> bool:
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and i < len(text) - 1:  # the first parenthesis closes before the end: (a) + (b)
            return False
    return True


def constant(c: float, precision: int) -> str:
    """A plain-number operand as a formula writes it: 2, 0.5, -3 (atom() puts a negative one in parentheses)."""
    return format(c, f".{precision}g")


def fill(template: str, names: Mapping[str, str]) -> str:
    """A formula in the table's words (out, x, y), each replaced by its name: fill('1 - out²', {'out': 'o'})."""
    return _WORDS.sub(lambda m: atom(names[m.group(1)]) if m.group(1) in names else m.group(1), template)


def written(symbol: str, operands: Sequence[str]) -> str:
    """An op applied to its operands: 'tanh(n)' for a name, 'a * b' for an operator, '-a' for a prefix one."""
    if symbol.isidentifier():
        return f"{symbol}({', '.join(operands)})"
    if len(operands) == 1:
        return f"{symbol}{atom(operands[0])}" if symbol in ("-", "+") else f"{atom(operands[0])}{symbol}"
    if len(operands) == 2:
        return f"{atom(operands[0])} {symbol} {atom(operands[1])}"
    return f"{symbol}({series(operands, ', ')})"


def series(terms: Sequence[str], sep: str = " + ", shown: int = SHOWN_TERMS) -> str:
    """terms joined by sep, the middle ones left out beyond `shown` of them: 'a + b + c + … + z'."""
    if len(terms) <= shown:
        return sep.join(terms)
    return sep.join([*terms[: shown - 1], "…", terms[-1]])
