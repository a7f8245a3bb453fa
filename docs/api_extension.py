"""A Griffe extension for the API reference: a class's methods made at import time are its own.

The Value's operators and functions (`__add__`, `exp`, `tanh` ...) are made from the op table when
the package is imported, in another module than the class's. Inspection finds them on the class,
but takes them for names imported from elsewhere, which the reference leaves out. A function whose
qualified name says it belongs to the class (`Value.exp`) is documented as the class's method.
An attribute that is a plain value (`OPS`, a dict; `FusedNode.kind`, a str) has no docstring of its own:
inspection would give it its type's ("dict() -> new empty dictionary"). It is described by the comment
on the line that assigns it or just above it, if there is one, and otherwise by its type ("A dict.").
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import griffe


class OwnMethods(griffe.Extension):
    """Document the methods a class was given at import time as its own; attributes without their type's docstring."""

    def on_attribute_instance(self, *, node: Any, attr: griffe.Attribute, agent: Any, **kwargs: Any) -> None:
        if isinstance(node, griffe.ObjectNode) and attr.docstring is not None:
            value = node.obj
            if not isinstance(value, type) and getattr(value, "__doc__", None) == getattr(type(value), "__doc__", 0):
                text = assignment_comment(node.name, node.parent.obj if node.parent else None)
                if text is None:
                    alias = type(value).__module__ in ("types", "typing")  # str | os.PathLike[str]
                    text = "A type alias, for the types shown above." if alias else f"A {type(value).__name__}."
                attr.docstring = griffe.Docstring(text, parent=attr)

    def on_class_members(self, *, node: Any, cls: griffe.Class, agent: Any, **kwargs: Any) -> None:
        if not isinstance(node, griffe.ObjectNode) or not isinstance(agent, griffe.Inspector):
            return  # static analysis: nothing made at import time to see
        runtime = node.obj
        for name, member in list(cls.members.items()):
            value = vars(runtime).get(name)
            if member.is_alias and inspect.isfunction(value) and value.__qualname__ == f"{runtime.__qualname__}.{name}":
                agent.inspect_function(griffe.ObjectNode(value, name, parent=node))  # replaces the alias
                written = value.__annotations__  # as the code writes them: Operand, not the Union it stands for
                for parameter in cls.members[name].parameters:
                    if isinstance(written.get(parameter.name), str):
                        parameter.annotation = written[parameter.name]


PACKAGE = Path(__file__).resolve().parents[1] / "microgradnet"


def assignment_comment(name: str, owner: object) -> str | None:
    """The comment on the line that assigns `name` in the class `owner`, or at the top level of a package file."""
    if isinstance(owner, type):
        try:
            lines, indent = inspect.getsourcelines(owner)[0], r"\s+"
        except (OSError, TypeError):
            return None
    else:
        module = inspect.getsourcefile(owner) if inspect.ismodule(owner) else None  # type: ignore[arg-type]
        files = [Path(module)] if module else []
        files += sorted(PACKAGE.rglob("*.py"))  # a name the module imports is assigned in another file
        lines, indent = [line for f in files for line in f.read_text(encoding="utf-8").splitlines()], ""
    assigns = re.compile(rf"^({indent}){re.escape(name)}\s*(?::[^=#]+)?=[^#]*(?:#\s*(.+?))?\s*$")
    for i, line in enumerate(lines):
        if m := assigns.match(line):
            above = re.match(rf"^{m.group(1)}#\s*(.+?)\s*$", lines[i - 1]) if i else None
            text = m.group(2) or (above.group(1) if above else None)
            if text:
                return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return None
