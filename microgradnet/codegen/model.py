"""A built-in model compiled: its forward and backward pass on one sample as straight-line Python, looped over a batch.

`CompiledModel(model)` traces a Neuron, Layer or MLP once on one row of input Values, writes the graph
it builds as code with the nodes' own sources (see engine/source.py), and compiles two functions:
`forward(P, rows)` computes every row's outputs from the parameters' numbers P, keeping what the
backward pass will need, and `backward(P, kept, seeds)` takes d loss / d output for each row and
returns d loss / d parameter, summed over the rows. Calling the compiled model on a batch gives its
outputs as fresh leaf Values, so that any loss can be computed on them by the engine; after that
loss's `backward()` has filled their `.grad`, `compiled.backward()` adds each parameter's gradient
into its `.grad`. The outputs are the engine's, bit for bit; the gradients are the engine's up to the
order in which the rows' contributions are added.
"""

from __future__ import annotations

import math
import numbers
import re
import time
import weakref
from collections.abc import Sequence
from typing import Any, NamedTuple

from ..engine import Value
from ..engine.floats import as_float
from ..engine.make import leaf
from ..engine.source import NotCompilableError
from ..nn import MLP, Layer, Module, Neuron
from .graph import backward_lines, first_assignments, name_values, names_in, node_code, tidy, walk
from .writer import Scope

__all__ = ["CompiledModel", "ModelCode", "NotCompiledWarning", "compiled", "model_code", "rows_of_numbers"]

_FLOAT = frozenset([float])
_LET = re.compile(r" *(\w+) = ")
_CALLS = {Neuron: Neuron.__call__, Layer: Layer.__call__, MLP: MLP.__call__}


class NotCompiledWarning(UserWarning):
    """fit(compile=True) was given a model it cannot compile, and trains it with the engine."""


class CompiledModel:
    """A Neuron, Layer or MLP as generated Python for one sample, run in a loop over a batch of rows."""

    def __init__(self, model: Module) -> None:
        start = time.perf_counter()
        t = trace(model)
        self.nin, self.single, self.params = t.nin, t.single, t.params
        self.signature = _signature(model)
        self.text, helpers = _module_text(t.xs, t.named, t.outputs, t.interior)
        namespace: dict[str, Any] = dict(helpers)
        exec(compile(self.text, f"<compiled {type(model).__name__}>", "exec"), namespace)  # generated text only
        self._forward, self._backward = namespace["forward"], namespace["backward"]
        self._kept: list[Any] = []
        self._P: list[float] = []
        self._outputs: list[Value] = []
        self.seconds = time.perf_counter() - start  # how long tracing, writing and compiling took

    def accepts(self, rows: Sequence[Any]) -> bool:
        """Whether every row is a sequence of `nin` real numbers (anything else is left to the engine)."""
        return rows_of_numbers(rows, self.nin)

    def __call__(self, rows: Sequence[Sequence[float]]) -> list[Any]:
        """The model's output for each row, as new leaf Values (a Value per row, or a list for several outputs)."""
        self._P = P = [p.data for p in self.params]
        clean = [row if type(row) is list and _FLOAT.issuperset(map(type, row)) else _floats(row) for row in rows]
        outs, self._kept = self._forward(P, clean)
        if self.single:
            self._outputs = [leaf(o) for o in outs]
            return list(self._outputs)
        values = [[leaf(o) for o in row] for row in outs]
        self._outputs = [v for row in values for v in row]
        return values

    def backward(self) -> None:
        """Add d loss / d parameter to each parameter's .grad, from the .grad of the latest call's outputs."""
        grads = [o.grad for o in self._outputs]
        if not self.single:
            k = len(grads) // max(len(self._kept), 1)
            seeds: list[Any] = [tuple(grads[i : i + k]) for i in range(0, len(grads), k)]
        else:
            seeds = grads
        for p, g in zip(self.params, self._backward(self._P, self._kept, seeds)):
            p.grad += g


class Traced(NamedTuple):
    """A model traced once on a row of input Values: what the code writers read."""

    nin: int  # inputs per row
    xs: list[Value]  # the input Values x1..xn
    outputs: list[Value]  # the model's outputs on them
    single: bool  # whether the model gives one Value per row (not a list)
    named: list[tuple[str, Value]]  # the parameters with their names
    params: list[Value]  # the parameters, in that order
    interior: list[Value]  # the computed nodes between them, each after its consumers


def trace(model: Module) -> Traced:
    """The model's graph on one row of input Values; NotCompilableError if it holds any other leaf."""
    nin = _inputs_of(model)
    xs = [Value(0.0, label=f"x{i + 1}") for i in range(nin)]
    traced = model(xs)
    single = isinstance(traced, Value)  # one output: a Value per row, as the model gives
    outputs: list[Value] = [traced] if single else list(traced)
    named = model.named_parameters()
    params = [p for _, p in named]
    interior, leaves = walk(outputs)
    known = set(xs) | set(params)
    if any(leaf not in known for leaf in leaves) or any(not isinstance(o, Value) for o in outputs):
        raise NotCompilableError(f"the graph of {model!r} holds a Value that is neither an input nor a parameter")
    return Traced(nin, xs, outputs, single, named, params, interior)


def rows_of_numbers(rows: Sequence[Any], nin: int) -> bool:
    """Whether every row is a sequence of `nin` real numbers (anything else is left to the engine)."""
    for row in rows:
        if isinstance(row, (str, bytes, Value, numbers.Real)) or not hasattr(row, "__len__"):
            return False
        if len(row) != nin:
            return False
        if not _FLOAT.issuperset(map(type, row)) and not all(
            isinstance(x, numbers.Real) and not isinstance(x, bool) for x in row
        ):
            return False
    return True


_cache: weakref.WeakKeyDictionary[Module, CompiledModel] = weakref.WeakKeyDictionary()


def compiled(model: Module) -> CompiledModel:
    """model as a CompiledModel: the one made for it before, if its parameters and activations are still the same."""
    done = _cache.get(model)
    if done is not None and done.signature == _signature(model):
        return done
    _cache[model] = done = CompiledModel(model)
    return done


def _signature(model: Module) -> tuple[Any, ...]:
    """What the traced code depends on: which Values the parameters are, and each neuron's activation."""
    layers = model.layers if isinstance(model, MLP) else [model]
    neurons = [n for layer in layers for n in (layer.neurons if isinstance(layer, Layer) else [layer])]
    return (*map(id, model.parameters()), *[getattr(n, "activation", None) for n in neurons])


def _inputs_of(model: Module) -> int:
    """How many inputs the model takes, if it is a built-in model the compiler can trace; else NotCompilableError."""
    cls = type(model)
    if _CALLS.get(cls) is not getattr(cls, "__call__", None):  # noqa: B004 - the method itself is compared
        raise NotCompilableError(f"only a Neuron, Layer or MLP can be compiled, not a {cls.__name__}")
    if isinstance(model, MLP):
        for i, layer in enumerate(model.layers):
            if type(layer) is not Layer:
                raise NotCompilableError(f"layer {i} of the MLP is a {type(layer).__name__}, not a Layer")
        model = model.layers[0]
    neurons = model.neurons if isinstance(model, Layer) else [model]
    return len(neurons[0].w)  # type: ignore[attr-defined]


def _floats(row: Sequence[Any]) -> list[float]:
    return [x if type(x) is float else as_float(x) for x in row]


class ModelCode(NamedTuple):
    """A traced model's code for one sample: names, forward lines, backward lines and the gradients they use."""

    names: dict[Value, str]  # every input, parameter and node, named
    grads: dict[Value, str]  # the gradient's name of each parameter and of each node a parameter's gradient needs
    forward: list[str]  # `name = expr` for each node, each after its parents
    backward: list[str]  # the chain rule from the outputs' gradients back to the parameters', indented for a loop
    inner: list[str]  # the gradients of the nodes (outputs' included) that start from 0.0 for each sample


def model_code(scope: Scope, xs: list[Value], named: list[tuple[str, Value]], interior: list[Value]) -> ModelCode:
    """The code of the traced graph `interior` over the inputs xs and the named parameters (see ModelCode)."""
    params = [p for _, p in named]
    names = {p: scope.fresh(_parameter_hint(name), ("", "_grad")) for name, p in named}
    names.update(name_values(scope, [*xs, *interior]))
    codes = {v: node_code(scope, v, names) for v in interior}
    needed = _needs_grad(interior, set(params))
    grads = {v: names[v] + "_grad" for v in [*params, *interior] if v in needed or v in set(params)}
    backward: list[str] = []
    for v in reversed(interior):  # each node after all of its consumers
        if v in needed:
            backward += backward_lines(codes[v], grads, "        ")
    forward = [f"{names[v]} = {tidy(codes[v].expr or '')}" for v in interior]
    inner = [grads[v] for v in interior if v in grads]
    return ModelCode(names, grads, forward, _inline_isfinite(backward, scope), inner)


def _module_text(
    xs: list[Value], named: list[tuple[str, Value]], outputs: list[Value], interior: list[Value]
) -> tuple[str, dict[str, object]]:
    """The source of forward(P, rows) and backward(P, kept, seeds) for the traced graph, and its helpers."""
    scope = Scope(["forward", "backward", "P", "rows", "kept", "seeds", "outs", "keep", "out"])
    params = [p for _, p in named]
    names, grads, forward, backward, inner = model_code(scope, xs, named, interior)
    output_grads = [grads[o] for o in outputs if o in grads]
    inner = [g for g in inner if g not in output_grads]
    backward, assigned = first_assignments(backward, set(inner))
    inner = [g for g in inner if g not in assigned]
    used = set(names_in("\n".join(backward)))
    kept = [names[v] for v in [*xs, *interior] if names[v] in used]
    unpack_params = f"    {_tuple([names[p] for p in params], parens=False)} = P"

    # CPython numbers a function's locals in the order it meets them, and the first 256 load fastest (one
    # instruction, not two): the names of the loop over the rows come first, before the parameters'.
    hot = [names[v] for v in [*xs, *interior]]
    lines = ["def forward(P, rows):", *_declare(hot), unpack_params, "    outs = []", "    kept = []"]
    lines += ["    out = outs.append", "    keep = kept.append"]
    lines.append(f"    for {_tuple([names[x] for x in xs], parens=False)} in rows:")
    lines += [f"        {line}" for line in forward]
    result = names[outputs[0]] if len(outputs) == 1 else f"({', '.join(names[o] for o in outputs)})"
    lines += [f"        out({result})", f"        keep({_tuple(kept)})"]
    lines += ["    return outs, kept", "", "", "def backward(P, kept, seeds):"]
    lines += [*_declare([*kept, *output_grads, *inner, *_lets(backward)]), unpack_params]
    lines += [f"    {' = '.join(chunk)} = 0.0" for chunk in _chunks([grads[p] for p in params], 8)]
    seed = output_grads[0] if len(outputs) == 1 else _tuple(output_grads)
    lines.append(f"    for {_tuple(kept)}, {seed} in zip(kept, seeds):")
    lines += [f"        {' = '.join(chunk)} = 0.0" for chunk in _chunks(inner, 8)]
    lines += backward or ["        pass"]
    lines.append(f"    return [{', '.join(grads[p] for p in params)}]")
    text = "\n".join(lines) + "\n"
    helpers = {name: obj for name, obj in scope.helpers.items() if re.search(rf"\b{name}\b", text)}
    scope.helpers = helpers
    header = scope.header()
    return "\n".join([*header, "", "", text] if header else [text]), helpers


def _declare(names: list[str]) -> list[str]:
    """Lines that name these locals first (see above), set to None."""
    return [f"    {' = '.join(chunk)} = None" for chunk in _chunks(list(dict.fromkeys(names)), 12)]


def _lets(lines: list[str]) -> list[str]:
    """The temporaries the lines assign (k = ..., softmax1 = ...)."""
    return [m.group(1) for line in lines if (m := _LET.match(line))]


def _inline_isfinite(lines: list[str], scope: Scope) -> list[str]:
    """isfinite(z) of a name written as z - z == 0.0, the same test without a call (0.0 for finite z, nan else)."""
    names = [name for name, obj in scope.helpers.items() if obj is math.isfinite]
    if not names:
        return lines
    call = re.compile(rf"\b{names[0]}\((\w+)\)")
    return [call.sub(r"\1 - \1 == 0.0", line) for line in lines]


def _needs_grad(interior: list[Value], params: set[Value]) -> set[Value]:
    """The nodes whose gradient the parameters' gradients need: those from which some parameter is reached."""
    needed: set[Value] = set(params)
    for v in interior:  # parents come first
        if any(p in needed for p in v.parents):
            needed.add(v)
    return needed


def _tuple(items: list[str], parens: bool = True) -> str:
    """Items as a tuple's text: (a, b), (a,), ()."""
    text = ", ".join(items) + ("," if len(items) == 1 else "")
    return f"({text})" if parens or not items else text


def _parameter_hint(name: str) -> str:
    """'layers.0.neurons.3.w.1' as the name w0_3_1, 'b' as b."""
    parts = name.split(".")
    letters = "".join(p for p in parts if not p.isdigit() and p not in ("layers", "neurons"))
    return (letters or "p") + "_".join(p for p in parts if p.isdigit())


def _chunks(items: list[str], n: int) -> list[list[str]]:
    return [items[i : i + n] for i in range(0, len(items), n)]
