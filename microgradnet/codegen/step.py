"""A training step compiled: a built-in model, a built-in loss and its L2 penalty as one generated function.

`CompiledStep(model, loss, l2)` traces the model once on one row of input Values (as `CompiledModel`
does), traces the loss on the outputs (see codegen/loss.py), and writes one function,
`step(P, rows, targets, n)`: for each sample, the model's forward pass, the loss's term, the term's
backward step and the model's backward pass, in one loop with every number in a local; then the
objective's value. It returns the objective, each sample's outputs and d objective / d parameter, in
the order of `params`. No Value is made per sample: the whole step is plain Python on floats. The
results are the engine's up to the order in which the samples' contributions to a gradient are added.
"""

from __future__ import annotations

import math
import re
import time
import weakref
from collections.abc import Sequence
from typing import Any, NamedTuple

from .. import losses
from ..engine.weighted_sum import SPARSE_MIN_INPUTS
from ..nn import Module
from .graph import first_assignments
from .loss import loss_code
from .model import _chunks, _declare, _lets, _signature, _tuple, model_code, trace
from .writer import Scope

__all__ = ["CompiledStep", "compiled_step"]

_PRODUCT = re.compile(r"(\w+) \* (\w+)")
_LOOSE = re.compile(r"[<>=|&^]|(?<!\w)(if|else|and|or|not|lambda)(?!\w)")  # what binds more loosely than +
_STEP = re.compile(r"( *)if not \((\w+) == 0\.0 and (\w+) - \3 == 0\.0\):")  # a weighted sum's backward step
_TERM = re.compile(r"(\w+) \+= (\w+) \* (\w+)")  # w_grad += g * x
_LONG = 100  # terms of a sum per line: a longer chain of + is split (CPython's compiler recurses on each operator)


class CompiledStep:
    """A model's training step on a batch (forward, loss, L2, backward) as one generated Python function."""

    def __init__(self, model: Module, loss_fn: Any, l2: float = 0.0) -> None:
        start = time.perf_counter()
        t = trace(model)
        self.nin, self.single, self.params = t.nin, t.single, t.params
        self.signature = (*_signature(model), loss_fn, l2)
        xs, outputs = t.xs, t.outputs
        scope = Scope(["step", "P", "rows", "targets", "n", "t", "outs", "out", "sparse"])
        code = model_code(scope, xs, t.named, t.interior)
        loss = loss_code(scope, loss_fn, outputs, code.names, code.grads, model.parameters(), l2)
        self.targets = loss.targets
        self.checks_outputs = loss_fn is losses.binary_cross_entropy  # probabilities: the loss checks they are
        self.text = _step_text(scope, code, loss, [code.names[x] for x in xs], [code.names[o] for o in outputs],
                               [code.names[p] for p in self.params], [code.grads[p] for p in self.params])  # fmt: skip
        namespace: dict[str, Any] = dict(scope.helpers)
        exec(compile(self.text, f"<compiled step of {type(model).__name__}>", "exec"), namespace)  # generated text
        self._step = namespace["step"]
        self.seconds = time.perf_counter() - start  # how long tracing, writing and compiling took

    def __call__(
        self, P: list[float], rows: Sequence[Any], targets: Sequence[Any]
    ) -> tuple[float, list[Any], list[float]]:
        """One step on a batch of rows (lists of floats) and their targets (as `targets()` gives them): the objective,
        each row's outputs (a float, or a tuple of them), and d objective / d parameter for each of `params`."""
        return self._step(P, rows, targets, float(len(rows)))  # type: ignore[no-any-return]


def _step_text(scope: Scope, code: Any, loss: Any, xs: list[str], outputs: list[str], params: list[str],
               param_grads: list[str]) -> str:  # fmt: skip
    """The source of step(P, rows, targets, n)."""
    per_sample = [*loss.backward, *(line.removeprefix("        ") for line in code.backward)]
    inner = list(dict.fromkeys([*loss.inner, *code.inner]))
    per_sample, assigned = first_assignments([f"        {line}" for line in per_sample], set(inner))
    inner = [g for g in inner if g not in assigned]
    hot = [*xs, *(line.split(" = ")[0] for line in code.forward), *inner, *assigned, "t", *_lets(per_sample)]
    lines = ["def step(P, rows, targets, n):", *_declare(hot)]
    lines.append(f"    {_tuple(params, parens=False)} = P")
    lines += [f"    {' = '.join(chunk)} = 0.0" for chunk in _chunks(param_grads, 8)]
    lines += [f"    {line}" for line in loss.before]
    lines += [f"    {loss.total} = 0.0", "    outs = []", "    out = outs.append"]
    lines.append(f"    for {_tuple(xs)}, t in zip(rows, targets):")
    first = _first_layer(code.forward, xs, params)
    if first:  # rows of many inputs: a zero input's terms are skipped, as the engine's sparse rows skip them
        isfinite = scope.helper(math.isfinite, "isfinite")
        lines.insert(-1, f"    sparse = {isfinite}(sum(P[:{first.params}]))  # no inf or nan weight: w·0 is ±0")
        lines += [f"        {line}" for line in first.lines]
    lines += [f"        {line}" for line in [*code.forward, *loss.forward] if not first or line not in first.dense]
    lines.append(f"        out({outputs[0] if len(outputs) == 1 else _tuple(outputs)})")
    lines += [f"        {' = '.join(chunk)} = 0.0" for chunk in _chunks(inner, 8)]
    lines += _sparse_backward(per_sample, set(xs)) if first else per_sample
    for line in loss.after:
        lines += [f"    {part}" for part in _split_sum(line)]
    lines.append(f"    return {loss.objective}, outs, [{', '.join(param_grads)}]")
    body = "\n".join(lines) + "\n"
    scope.helpers = {name: obj for name, obj in scope.helpers.items() if re.search(rf"\b{name}\b", body)}
    header = scope.header()
    return "\n".join([*header, "", "", body] if header else [body])


class _FirstLayer(NamedTuple):
    """The first layer's weighted sums, written to skip the zero inputs (see _first_layer)."""

    lines: list[str]  # the sums, sparse where `sparse` holds, else as the nodes write them
    dense: set[str]  # the nodes' own lines, which these replace
    params: int  # how many parameters (from the first) the layer's weighted sums read


def _first_layer(forward: list[str], xs: list[str], params: list[str]) -> _FirstLayer | None:
    """The lines `z = b + w1 * x1 + ... + wn * xn` over all the inputs, rewritten to add only the non-zero inputs'
    terms, as SparseLinearConst does (engine/weighted_sum.py): a zero input's term w·0 is ±0, which changes no
    partial sum but the sign of a zero one, so a sum that comes out zero is summed again in full, for its sign.
    None if the rows are too short for this to pay, or the first layer is not such sums."""
    if len(xs) < SPARSE_MIN_INPUTS:
        return None
    sums: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for line in forward:
        name, _, expr = line.partition(" = ")
        terms = _top_level_terms(expr)
        products = [(m.group(1), m.group(2)) for term in terms[1:] if (m := _PRODUCT.fullmatch(term))]
        if [x for _, x in products] == xs and len(products) == len(terms) - 1:
            sums[name] = (terms[0], products)
    used = {p for bias, products in sums.values() for p in (bias, *(w for w, _ in products))}
    count = max((params.index(p) + 1 for p in used if p in params), default=0)
    if not sums or used - set(params) or len(used) != count:  # the layer's parameters are the first ones
        return None
    sparse = [f"{name} = {bias}" for name, (bias, _) in sums.items()]
    for k, x in enumerate(xs):
        sparse += [f"if {x}:"] + [f"    {name} += {products[k][0]} * {x}" for name, (_, products) in sums.items()]
    dense = [line for line in forward if line.partition(" = ")[0] in sums]
    for line in dense:
        sparse += [f"if {line.partition(' = ')[0]} == 0.0:", f"    {line}"]
    lines = ["if sparse:", *(f"    {line}" for line in sparse), "else:", *(f"    {line}" for line in dense)]
    return _FirstLayer(lines, set(dense), count)


def _sparse_backward(lines: list[str], xs: set[str]) -> list[str]:
    """The first layer's backward steps with a zero input's `w_grad += g * x` skipped where g is finite (g·0 is ±0,
    which changes no gradient but the sign of a zero one), as SparseLinearConst's step skips them."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        head = _STEP.fullmatch(lines[i])
        i += 1
        if head is None:
            continue
        indent, g = " " * (len(head.group(1)) + 4), head.group(2)
        block = []
        while i < len(lines) and lines[i].startswith(indent):
            block.append(lines[i].strip())
            i += 1
        terms = [line for line in block if (m := _TERM.fullmatch(line)) and m.group(2) == g and m.group(3) in xs]
        if len(terms) < SPARSE_MIN_INPUTS:
            out += [indent + line for line in block]
            continue
        out.append(f"{indent}if {g} - {g} == 0.0:  # finite: a zero input adds ±0")
        out += [f"{indent}    if {_TERM.fullmatch(line).group(3)}: {line}" for line in terms]  # type: ignore[union-attr]
        out += [f"{indent}else:", *(f"{indent}    {line}" for line in terms)]
        out += [indent + line for line in block if line not in terms]
    return out


def _split_sum(line: str) -> list[str]:
    """`x = a + b + ... ` as several lines of at most _LONG terms each, added in the same order."""
    name, _, expr = line.partition(" = ")
    terms = _top_level_terms(expr)
    if len(terms) <= _LONG:
        return [line]
    chunks = [" + ".join(terms[i : i + _LONG]) for i in range(0, len(terms), _LONG)]
    return [f"{name} = {chunks[0]}", *(f"{name} = {name} + {chunk}" for chunk in chunks[1:])]


def _top_level_terms(expr: str) -> list[str]:
    """expr split at its top-level ' + ' (a single term if anything binds more loosely than + at the top)."""
    cuts, top, depth = [], [], 0
    for i, c in enumerate(expr):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0:
            top.append(c)
            if c == "+" and expr[i - 1 : i + 2] == " + ":
                cuts.append(i)
    if _LOOSE.search("".join(top)):
        return [expr]
    starts = [0, *(i + 2 for i in cuts)]
    ends = [*(i - 1 for i in cuts), len(expr)]
    return [expr[a:b] for a, b in zip(starts, ends)]


_cache: weakref.WeakKeyDictionary[Module, dict[tuple[Any, float], CompiledStep]] = weakref.WeakKeyDictionary()


def compiled_step(model: Module, loss_fn: Any, l2: float) -> CompiledStep:
    """The model's step with this loss as a CompiledStep: the one made before, if the model is still the same."""
    made = _cache.setdefault(model, {})
    done = made.get((loss_fn, l2))
    if done is not None and done.signature == (*_signature(model), loss_fn, l2):
        return done
    made[loss_fn, l2] = done = CompiledStep(model, loss_fn, l2)
    return done
