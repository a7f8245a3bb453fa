"""A Griffe extension for the API reference: a class's methods made at import time are its own.

The Value's operators and functions (`__add__`, `exp`, `tanh` ...) are made from the op table when
the package is imported, in another module than the class's. Inspection finds them on the class,
but takes them for names imported from elsewhere, which the reference leaves out. A function whose
qualified name says it belongs to the class (`Value.exp`) is documented as the class's method.
"""

from __future__ import annotations

import inspect
from typing import Any

import griffe


class OwnMethods(griffe.Extension):
    """Document the methods a class was given at import time as its own."""

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
