"""One epoch of minibatch SGD on the digits, MLP(64,[32,10]) with softmax cross-entropy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench import floor
from bench.data import Matrix, Params

BATCH = 32
LR = 0.5
Epoch = Callable[[], list[float]]  # runs one epoch, returns each batch's loss


def make_floor(params: Params, xs: Matrix, labels: list[int]) -> Epoch:
    """The hand-written plain-Python epoch."""
    params = [([list(r) for r in w], list(b)) for w, b in params]
    return lambda: floor.digits_epoch(params, xs, labels, BATCH, LR)


def make_microgradnet(params: Params, xs: Matrix, labels: list[int]) -> Epoch:
    """microgradnet: fused linear nodes, log-sum-exp cross-entropy."""
    import microgradnet as mg

    layers = [[([mg.Value(v) for v in row], mg.Value(bias)) for row, bias in zip(w, b)] for w, b in params]
    flat = [p for layer in layers for ws, b in layer for p in (*ws, b)]
    last = len(layers) - 1

    def model(x: list[Any]) -> list[Any]:
        for i, layer in enumerate(layers):
            x = [mg.linear(ws, x, b) for ws, b in layer]
            if i != last:
                x = [v.relu() for v in x]
        return x

    def cross_entropy(z: list[Any], label: int) -> Any:
        m = max(v.data for v in z)
        return mg.sum((v - m).exp() for v in z).log() - (z[label] - m)

    def epoch() -> list[float]:
        losses = []
        for i in range(0, len(xs), BATCH):
            batch = [cross_entropy(model(x), t) for x, t in zip(xs[i : i + BATCH], labels[i : i + BATCH])]
            loss = mg.sum(batch) * (1.0 / len(batch))
            for p in flat:
                p.grad = 0.0
            loss.backward()
            for p in flat:
                p.data -= LR * p.grad
            losses.append(loss.data)
        return losses

    return epoch
