"""The floor: the same training steps written by hand in plain Python floats, backward derived by hand.

An MLP is a list of layers (weights[out][in], biases[out]); every layer but the last applies ReLU.
No graph, no objects per number: this is as fast as pure Python gets for the arithmetic, and what
the engine's overhead is measured against.
"""

from __future__ import annotations

import math
from operator import mul

from bench.data import Matrix, Params


def forward(params: Params, x: list[float]) -> list[list[float]]:
    """Every layer's activations for input x: [x, h1, ..., logits]."""
    acts = [x]
    last = len(params) - 1
    for i, (w, b) in enumerate(params):
        z = [sum(map(mul, row, x), bias) for row, bias in zip(w, b)]
        x = z if i == last else [v if v > 0.0 else 0.0 for v in z]
        acts.append(x)
    return acts


def transposed(params: Params) -> list[list[tuple[float, ...]]]:
    """Each layer's weights as columns (weights[in][out]), for the backward pass through the weights."""
    return [list(zip(*w)) for w, _ in params]


def backward(
    columns: list[list[tuple[float, ...]]], grads: Params, acts: list[list[float]], d_out: list[float]
) -> None:
    """Add d loss / d parameter into grads, given d loss / d logits for one input's activations."""
    d = d_out
    for i in range(len(grads) - 1, -1, -1):
        gw, gb = grads[i]
        a = acts[i]
        for j, dj in enumerate(d):
            if dj:  # a unit behind an inactive ReLU adds nothing (the engine skips such neurons too)
                gw[j] = [g + dj * aj for g, aj in zip(gw[j], a)]
                gb[j] += dj
        if i:  # through the weights, then through the ReLU that produced a
            d = [sum(map(mul, col, d)) if ak > 0.0 else 0.0 for col, ak in zip(columns[i], a)]


def zeros_like(params: Params) -> Params:
    """Gradients of zero, shaped as params."""
    return [([[0.0] * len(row) for row in w], [0.0] * len(b)) for w, b in params]


def sgd(params: Params, grads: Params, lr: float) -> None:
    """p -= lr * grad, in place."""
    for (w, b), (gw, gb) in zip(params, grads):
        for j, (row, grow) in enumerate(zip(w, gw)):
            w[j] = [p - lr * g for p, g in zip(row, grow)]
        b[:] = [p - lr * g for p, g in zip(b, gb)]


def demo_loss_and_grads(params: Params, xs: Matrix, ys: list[float], alpha: float = 1e-4) -> tuple[float, Params]:
    """micrograd's demo loss: mean hinge max(0, 1 - y·score) + alpha·Σp², and its gradient."""
    grads = zeros_like(params)
    columns = transposed(params)
    n = len(xs)
    data_loss = 0.0
    for x, y in zip(xs, ys):
        acts = forward(params, x)
        margin = 1.0 - y * acts[-1][0]
        data_loss += margin if margin > 0.0 else 0.0
        backward(columns, grads, acts, [-y / n if margin > 0.0 else 0.0])
    reg = 0.0
    for (w, b), (gw, gb) in zip(params, grads):
        for row, grow in zip(w, gw):
            reg += sum(map(mul, row, row))
            grow[:] = [g + 2.0 * alpha * p for g, p in zip(grow, row)]
        reg += sum(map(mul, b, b))
        gb[:] = [g + 2.0 * alpha * p for g, p in zip(gb, b)]
    return data_loss / n + alpha * reg, grads


def demo_step(params: Params, xs: Matrix, ys: list[float], lr: float = 1.0) -> float:
    """One step of micrograd's demo: loss, gradients, SGD update. Returns the loss."""
    loss, grads = demo_loss_and_grads(params, xs, ys)
    sgd(params, grads, lr)
    return loss


def cross_entropy_batch(params: Params, xs: Matrix, labels: list[int]) -> tuple[float, Params]:
    """Mean softmax cross-entropy of the batch, and its gradient."""
    grads = zeros_like(params)
    columns = transposed(params)
    n = len(xs)
    total = 0.0
    for x, label in zip(xs, labels):
        acts = forward(params, x)
        z = acts[-1]
        m = max(z)
        e = [math.exp(v - m) for v in z]
        s = sum(e)
        total += math.log(s) - (z[label] - m)
        d = [ek / (s * n) for ek in e]
        d[label] -= 1.0 / n
        backward(columns, grads, acts, d)
    return total / n, grads


def digits_epoch(params: Params, xs: Matrix, labels: list[int], batch: int, lr: float) -> list[float]:
    """One epoch of minibatch SGD on softmax cross-entropy, in order; returns each batch's loss."""
    losses = []
    for i in range(0, len(xs), batch):
        loss, grads = cross_entropy_batch(params, xs[i : i + batch], labels[i : i + batch])
        sgd(params, grads, lr)
        losses.append(loss)
    return losses
