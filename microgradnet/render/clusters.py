"""A module's parts in a drawing: which Values belong to which layer and neuron, and its parameters in order.

`draw_dot(root, module=model)` groups a model's parameters, each neuron's weighted sum and its
activation in nested clusters named like `layers.0.neurons.3` inside `layers.0`. A part's
parameters are drawn as one table, a row each in the module's order (w.0, w.1, ..., b), so that
Graphviz cannot shuffle them; and the parts come in the module's order too.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..engine import NodeInfo, Value


class Plan(NamedTuple):
    """Where a module's Values go in a drawing."""

    part: dict[Value, str]  # the part (cluster) of each Value that has one: 'layers.0.neurons.3', '.' the module
    names: dict[Value, str]  # each parameter's name within its part: 'w.1', 'b'
    tree: dict[str, list[str]]  # each cluster's child clusters, in the module's order ('.' is the module)
    blocks: dict[str, list[Value]]  # each part's parameters drawn in the graph, in the module's order


def parameter_names(module: Any, where: str) -> dict[Value, str]:
    """Each parameter of module (anything with `named_parameters()`) and its dotted name, in the module's order."""
    named = getattr(module, "named_parameters", None)
    if not callable(named):
        raise TypeError(f"{where} must have a named_parameters() method, got {type(module).__name__}")
    names: dict[Value, str] = {}
    for item in named():
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], Value)):
            raise TypeError(f"{where}.named_parameters() must give (str, Value) pairs, got {item!r:.60}")
        names.setdefault(item[1], item[0])
    return names


def plan(module: Any, nodes: list[Value], infos: dict[Value, NodeInfo], where: str) -> Plan:
    """Which part of module each node belongs to, the parameters' short names, the clusters and the blocks.

    A node belongs to a part when it is one of the part's parameters, when it is computed from the
    part's parameters (and from no other part's), when it adds up such nodes (an unfused neuron's
    sum), or when it is an activation function of such a node.
    """
    owner: dict[Value, str] = {}
    names: dict[Value, str] = {}
    order: dict[str, None] = {}
    for p, name in parameter_names(module, where).items():
        owner[p] = path = _owner(name)
        names[p] = name[len(path) + 1 :] if path != "." else name
        order[path] = None
    drawn = set(nodes)
    part: dict[Value, str] = {}
    blocks: dict[str, list[Value]] = {}
    for p, path in owner.items():  # in the module's order
        if p in drawn and not infos[p].parents:
            part[p] = path
            blocks.setdefault(path, []).append(p)
    inner: set[Value] = set()  # nodes computed inside a part, which later nodes of that part may build on
    for v in nodes:
        info = infos[v]
        parents = info.parents
        if not parents:
            continue
        found = {owner[p] for p in parents if p in owner}
        if not found and all(p in inner for p in parents) and info.kind == "sum":
            found = {part[p] for p in parents}
        if len(found) == 1:
            part[v] = found.pop()
            inner.add(v)
        elif not found and len(parents) == 1 and parents[0] in inner and info.kind == "function":
            part[v] = part[parents[0]]  # an activation of a part's node: tanh(x), relu(x)
    used = set(part.values())
    tree: dict[str, list[str]] = {".": []}
    for path in order:
        if path not in used:
            continue
        parent = "."
        for level in _levels(path):
            if level not in tree:
                tree[level] = []
                tree[parent].append(level)
            parent = level
    return Plan(part, names, tree, blocks)


def _owner(name: str) -> str:
    """The module path a parameter belongs to: 'layers.0.neurons.3.w.1' -> 'layers.0.neurons.3'."""
    parts = name.split(".")
    while parts and parts[-1].isdigit():
        parts.pop()
    return ".".join(parts[:-1]) or "."


def _levels(path: str) -> list[str]:
    """The nested clusters a part lives in: 'layers.0.neurons.3' -> ['layers.0', 'layers.0.neurons.3']."""
    if path == ".":
        return []
    parts = path.split(".")
    levels = [".".join(parts[: i + 1]) for i, p in enumerate(parts) if p.isdigit()]
    return levels if levels and levels[-1] == path else [*levels, path]
