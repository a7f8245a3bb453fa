"""`to_python(root)`: a graph's forward and backward pass as a readable Python program that runs.

The program is one function of the graph's leaves (its inputs): one line per node computes its value,
then the chain rule runs node by node in the very order `root.backward()` runs it, one line per
contribution to a gradient, each written with the op's own rule (see engine/source.py). It returns
the root's value and its gradient with respect to each input. On the graph it came from it gives the
engine's numbers bit for bit; on other inputs it computes the same function, branches included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine import Value, to_float
from ..engine.backward import interior_nodes
from .graph import backward_lines, first_assignments, label_note, name_values, node_code, tidy, walk
from .writer import Scope, comment

__all__ = ["Program", "to_python"]

FUNCTION = "program"
ENTRY, MISSING, CHECKED, FLOATS, MORE = "_program_entry", "_missing", "_checked", "_floats", "more"  # the call's names


class Program:
    """A graph as generated Python: `str(program)` is its source, `program(*floats)` runs it.

    `inputs` are the graph's leaves in argument order; a call returns `(value, grads)`, the root's value
    and d root / d input for each input, in that order.
    """

    __slots__ = ("function", "inputs", "names", "text")

    def __init__(self, text: str, function: Any, inputs: tuple[Value, ...], names: tuple[str, ...]) -> None:
        self.text, self.function, self.inputs, self.names = text, function, inputs, names

    def __call__(self, *xs: float) -> tuple[float, tuple[float, ...]]:
        """The root's value and its gradient with respect to each input, at these inputs' values."""
        for x in xs:  # the common case costs a type test per input (a small program runs in about a microsecond)
            if type(x) is not float:
                return self.function(*self._floats(xs))  # type: ignore[no-any-return]
        if len(xs) != len(self.inputs):
            self._floats(xs)
        return self.function(*xs)  # type: ignore[no-any-return]

    def _floats(self, xs: tuple[Any, ...]) -> tuple[float, ...]:
        """The inputs as floats; TypeError if there are not as many as the program takes."""
        if len(xs) != len(self.inputs):
            raise TypeError(
                f"the program takes {len(self.inputs)} input{'s' if len(self.inputs) != 1 else ''}"
                f" ({', '.join(self.names)}), got {len(xs)}"
            )
        return tuple(to_float(x, f"program input {i} ({self.names[i]})") for i, x in enumerate(xs))

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        lines = self.text.count("\n")
        return f"<Program of {len(self.inputs)} inputs ({', '.join(self.names)}), {lines} lines>"


def to_python(root: Value) -> Program:
    """root's forward and backward pass as a Program: readable Python that reproduces the engine bit for bit."""
    if not isinstance(root, Value):
        raise TypeError(f"to_python(root) must be a Value, got {type(root).__name__}: {root!r:.60}")
    interior, leaves = walk([root])  # reading each node's parents makes every node explicit (see nn's fusion)
    scope = Scope([FUNCTION, ENTRY, MISSING, CHECKED, FLOATS, MORE])
    names = name_values(scope, [*leaves, *interior])
    lines = [f"def {FUNCTION}({', '.join(names[x] for x in leaves)}):"]
    lines.append(f'    """{_docstring(root, names)}"""')
    codes = {v: node_code(scope, v, names) for v in interior}
    if interior:
        lines.append("    # forward: each value from the values it is computed from")
    for v in interior:
        lines.append(f"    {names[v]} = {tidy(codes[v].expr or '')}{label_note(v, names[v])}")
    notes = [f"    # {names[x]} is {comment(x.label)}" for x in leaves if x.label and x.label != names[x]]
    lines[2:2] = notes
    grads = {v: names[v] + "_grad" for v in [*leaves, *interior]}
    if interior:
        lines.append(f"    # backward: the chain rule, node by node in the order of {names[root]}.backward()")
        lines.append(f"    {grads[root]} = 1.0")
        steps: list[str] = []
        for v in interior_nodes(root):
            if v in codes:  # the walk also meets its own bookkeeping (a layer's input row), which has no step
                steps += backward_lines(codes[v], grads, "    ")
        steps, first = first_assignments(steps, {grads[v] for v in interior if v is not root}, indent=4)
        rest = [grads[v] for v in [*interior, *leaves] if v is not root and grads[v] not in first]
        lines += [f"    {' = '.join(chunk)} = 0.0" for chunk in _chunks(rest, 8)]
        lines += steps
        result = f"{names[root]}, ({', '.join(grads[x] for x in leaves)}{',' if len(leaves) == 1 else ''})"
    else:  # the root is an input itself
        result = f"{names[root]}, (1.0,)"
    lines.append(f"    return {result}")
    header = scope.header()
    text = "\n".join([*header, *([""] if header else []), *lines]) + "\n"
    namespace: dict[str, Any] = {**scope.helpers, MISSING: _MISSING, FLOATS: frozenset([float])}
    args = [names[x] for x in leaves]
    entry = _entry(args, [line for line in lines[2:] if not line.lstrip().startswith("#")])
    code = compile(text + "\n\n" + entry, "<microgradnet.to_python>", "exec")
    exec(code, namespace)  # generated text only: labels are in comments
    return _program(text, namespace, tuple(leaves), tuple(args))


def _entry(args: list[str], body: list[str]) -> str:
    """The function a call of the program runs: the program's own lines after a test that its inputs are floats,
    in one frame (a small program runs in about a microsecond: a call of a call would double it)."""
    given = f"({', '.join(args)}{',' if len(args) == 1 else ''})"
    if len(args) <= 8:
        test = " or ".join([*(f"type({a}) is not float" for a in args), MORE])
    else:
        test = f"{MORE} or not {FLOATS}.issuperset(map(type, {given}))"
    head = f"def {ENTRY}({', '.join(f'{a}={MISSING}' for a in args)}, *{MORE}):"
    return "\n".join([head, f"    if {test}:", f"        return {CHECKED}(({', '.join(args)}, *{MORE}))", *body]) + "\n"


def _program(text: str, namespace: dict[str, Any], inputs: tuple[Value, ...], names: tuple[str, ...]) -> Program:
    """The Program, called through the entry in `namespace` (a class of its own holds it as its __call__)."""
    cls = type("Program", (Program,), {"__slots__": (), "__call__": staticmethod(namespace[ENTRY])})
    program: Program = cls(text, namespace[FUNCTION], inputs, names)
    namespace[CHECKED] = lambda xs: program.function(*program._floats(tuple(x for x in xs if x is not _MISSING)))
    return program


_MISSING = object()  # an input not given


def _docstring(root: Value, names: dict[Value, str]) -> str:
    return f"{names[root]} and its gradient with respect to each input (generated by microgradnet.to_python)."


def _chunks(items: Sequence[str], n: int) -> list[Sequence[str]]:
    return [items[i : i + n] for i in range(0, len(items), n)]
