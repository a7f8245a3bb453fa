"""A built-in loss as code: its term for one sample, that term's backward step, and the batch's part on top.

The loss is traced on the model's traced outputs with the very functions and nodes the engine uses
(`losses.hinge`, `cross_entropy`, `l2`...), and each node writes its own code (engine/source.py). A
sample's target and the batch's size are not numbers of the trace: the nodes are made with two
placeholder numbers that no graph holds, which the code's writer names `t` and `n`. What the code
adds up over the batch is a loss node's sum of terms, `0.0 + term1 + term2 + ...` from left to
right, as a running total; the nodes above it (the mean, the L2 penalty, their sum) are written
once per batch, their backward step before the loop over the samples, since none of them reads a
sample's number.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .. import losses
from ..engine import Value
from ..engine import sum as vsum
from ..engine.source import NotCompilableError
from .graph import backward_lines, name_values, node_code, tidy, walk
from .writer import NodeWriter, Scope

__all__ = ["BATCH_LOSSES", "SIZE", "TARGET", "LossCode", "loss_code"]

TARGET, SIZE = 1.2345678901234567e-301, 2.3456789012345678e-301  # placeholders for a sample's target, the batch size
BATCH_LOSSES = {losses.mse, losses.hinge, losses.binary_cross_entropy, losses.binary_cross_entropy_with_logits}
_LET = re.compile(r" *(\w+) = (.*)")
_NAME = re.compile(r"(?<![\w.])[^\W\d]\w*")


class LossCode(NamedTuple):
    """The loss's code around a model's code for one sample (every line indented for its place)."""

    before: list[str]  # once per batch, before the loop: the gradient down to each sample's term, and the L2's
    forward: list[str]  # per sample, after the model's forward: the term, added to the running total
    backward: list[str]  # per sample, before the model's backward: the term's backward step to the outputs
    after: list[str]  # once per batch, after the loop: the objective's value
    objective: str  # the objective's name
    inner: list[str]  # per-sample gradients that start from 0.0
    total: str  # the running total's name
    targets: Callable[[list[Any]], list[Any]]  # labels as the code's targets (checked by the loss itself)


def loss_code(scope: Scope, loss_fn: Any, outputs: list[Value], names: dict[Value, str], grads: dict[Value, str],
              params: Sequence[Value], l2: float) -> LossCode:  # fmt: skip
    """The code of loss_fn (a built-in loss) on the traced outputs, plus l2 · Σ p² over params if l2."""
    scope.symbols = {TARGET: "t", SIZE: "n"}
    total = scope.fresh("total")
    names = dict(names)
    grads = dict(grads)
    for o in outputs:
        grads.setdefault(o, names[o] + "_grad")
    if loss_fn in BATCH_LOSSES:
        if len(outputs) != 1:
            raise NotCompilableError(f"{loss_fn.__name__} takes one output per sample, the model has {len(outputs)}")
        probe = loss_fn([Value(0.5)], [_probe_target(loss_fn)])  # the loss function's own node, over a sample
        node = type(probe).make(0.0, [outputs[0]], (TARGET, SIZE))  # the same node with placeholders
        loss = Value(0.0)  # the batch's loss, to the nodes above it
        names[node] = names[loss] = scope.fresh("loss", ("", "_grad"))
        term = node.term_source(NodeWriter(scope, [names[outputs[0]]], names[node], names[node] + "_grad"), 0)
        forward = [f"{total} += {tidy(term)}"]
        backward = backward_lines(node_code(scope, node, names), grads, "")
        inner = [grads[outputs[0]]]
        top, reduced, placeholder = loss, [f"{names[loss]} = {total} / n"], loss
        targets = _batch_targets(loss_fn)
    elif loss_fn is losses.cross_entropy:
        forward, backward, inner = _cross_entropy(scope, outputs, names, grads, total)
        placeholder = Value(0.0)  # the sum of the terms, to the nodes above it
        names[placeholder], grads[placeholder] = total, total + "_grad"
        top, reduced = placeholder / SIZE, []  # as cross_entropy: Σ terms / len(terms)
        targets = _class_targets(len(outputs))
    else:
        raise NotCompilableError(f"{getattr(loss_fn, '__name__', loss_fn)!r} is not a built-in loss")
    objective = top + losses.l2(list(params), l2) if l2 else top
    before, after = _batch_part(scope, objective, names, grads, reduced, placeholder)
    lets = [(m.group(1), m.group(2)) for line in backward if (m := _LET.fullmatch(line))]
    batch_names = set(scope.helpers) | {"n"} | {name for line in before for name in _NAME.findall(line)}
    hoisted = [f"{a} = {b}" for a, b in lets if set(_NAME.findall(b)) <= batch_names]  # k = loss_grad * (1.0 / n)
    backward = [line for line in backward if line not in hoisted]
    return LossCode(before + hoisted, forward, backward, after, names[objective], inner, total, targets)


def _cross_entropy(scope: Scope, outputs: list[Value], names: dict[Value, str], grads: dict[Value, str],
                   total: str) -> tuple[list[str], list[str], list[str]]:  # fmt: skip
    """-log softmax(outputs)[t] for the class t of the sample: log Σ exp once, then a branch per class."""
    if len(outputs) < 2:
        raise NotCompilableError(f"cross_entropy takes at least 2 class scores, the model has {len(outputs)} output")
    terms = [losses.cross_entropy(outputs, c) for c in range(len(outputs))]  # each logsumexp(outputs) - outputs[c]
    lse = terms[0].parents[0]
    term_name = scope.fresh("term", ("", "_grad"))
    lse_name = name_values(scope, [lse])[lse]
    for term in terms:
        names[term], names[term.parents[0]] = term_name, lse_name
        grads[term], grads[term.parents[0]] = term_name + "_grad", lse_name + "_grad"
    forward = [f"{lse_name} = {tidy(node_code(scope, lse, names).expr or '')}"]
    backward: list[str] = []
    for c, term in enumerate(terms):
        code = node_code(scope, term, names)
        forward += [f"{'if' if c == 0 else 'elif'} t == {c}:", f"    {term_name} = {tidy(code.expr or '')}"]
        backward += [f"{'if' if c == 0 else 'elif'} t == {c}:", *backward_lines(code, grads, "    ")]
    forward.append(f"{total} += {term_name}")  # the sum of the terms, as losses' vsum(terms) adds them
    term_sum = vsum([terms[0]])
    names[term_sum] = total
    grads[term_sum] = total + "_grad"
    step = backward_lines(node_code(scope, term_sum, names), grads, "")  # each term's gradient: the sum's
    backward = [*step, *backward, *backward_lines(node_code(scope, lse, names), grads, "")]
    return forward, backward, [grads[o] for o in outputs] + [term_name + "_grad", lse_name + "_grad"]


def _batch_part(scope: Scope, objective: Value, names: dict[Value, str], grads: dict[Value, str],
                reduced: list[str], placeholder: Value) -> tuple[list[str], list[str]]:  # fmt: skip
    """The nodes above the sum of the terms: their backward step (before the loop), their values (after it)."""
    interior, _ = walk([objective]) if objective.parents else ([], [])
    if not interior:
        return [f"{grads.setdefault(objective, names[objective] + '_grad')} = 1.0"], reduced
    names.update(name_values(scope, [v for v in interior if v not in names]))
    for node in interior:
        for v in (node, *node.parents):
            grads.setdefault(v, names[v] + "_grad")
    codes = {v: node_code(scope, v, names) for v in interior}
    starts = [grads[v] for v in [*interior, placeholder] if v is not objective]
    before = [f"{grads[objective]} = 1.0", *([f"{' = '.join(starts)} = 0.0"] if starts else [])]
    for v in reversed(interior):
        before += backward_lines(codes[v], grads, "")
    values = {names[v] for v in [*interior, placeholder]}
    if any(set(_NAME.findall(line)) & values for line in before):
        raise NotCompilableError("the loss's nodes above the samples read a value of the batch in their backward step")
    after = [*reduced, *(f"{names[v]} = {tidy(codes[v].expr or '')}" for v in interior)]
    return before, after


def _probe_target(loss_fn: Any) -> float:
    return 1.0 if loss_fn is not losses.mse else 0.0


def _batch_targets(loss_fn: Any) -> Callable[[list[Any]], list[Any]]:
    """Labels as the loss node's targets (hinge's ±1...), each checked by the loss function itself."""

    def targets(y: list[Any]) -> list[Any]:
        distinct = list(dict.fromkeys((type(t), t) for t in y))
        if any(isinstance(t, Value) for _, t in distinct):
            raise NotCompilableError("a target is a Value")
        probes = [Value(0.5) for _ in distinct]
        node = loss_fn(probes, [t for _, t in distinct])
        if node.parents != tuple(probes):
            raise NotCompilableError(f"{loss_fn.__name__} did not make one node over the predictions")
        found = dict(zip(distinct, node.arg[:-1]))
        return [found[type(t), t] for t in y]

    return targets


def _class_targets(k: int) -> Callable[[list[Any]], list[Any]]:
    """Class labels as ints, each checked by cross_entropy itself."""

    def targets(y: list[Any]) -> list[Any]:
        distinct = list(dict.fromkeys((type(t), t) for t in y))
        losses.cross_entropy([[0.0] * k for _ in distinct], [t for _, t in distinct])
        return [operator.index(t) for t in y]

    return targets
