"""micrograd's demo training step (moons, MLP(2,[16,16,1]), hinge loss + 1e-4·L2, SGD) in each library.

Each `make_*` builds a model from the same initial weights and returns `step(lr) -> loss` (forward,
backward, update) and `grads() -> Params` (the gradients of the latest step, shaped as the weights),
so the harness can check every implementation against the hand-written floor before timing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench import floor
from bench.data import Matrix, Params

ALPHA = 1e-4
Step = Callable[[float], float]
Grads = Callable[[], Params]


def _shape(flat: list[float], like: Params) -> Params:
    """Flat per-neuron parameter values (w..., b for each neuron, layer by layer) shaped as `like`."""
    it = iter(flat)
    out: Params = []
    for w, _ in like:
        rows, bs = [], []
        for row in w:
            rows.append([next(it) for _ in row])
            bs.append(next(it))
        out.append((rows, bs))
    return out


def flat(params: Params) -> list[float]:
    """All parameter values in model order (each neuron's weights, then its bias)."""
    return [v for w, b in params for row, bias in zip(w, b) for v in (*row, bias)]


def make_floor(params: Params, xs: Matrix, ys: list[float]) -> tuple[Step, Grads]:
    """The hand-written plain-Python step."""
    params = [([list(r) for r in w], list(b)) for w, b in params]
    latest: list[Params] = []

    def step(lr: float) -> float:
        loss, grads = floor.demo_loss_and_grads(params, xs, ys, ALPHA)
        floor.sgd(params, grads, lr)
        latest[:] = [grads]
        return loss

    return step, lambda: latest[0]


def make_microgradnet(params: Params, xs: Matrix, ys: list[float], per_sample: bool = False) -> tuple[Step, Grads]:
    """microgradnet's own nn.MLP, losses.hinge + losses.l2 and optim.SGD (fused linear nodes inside).

    The model is called once on the whole batch, `model(xs)`, or, with per_sample, once per sample as
    micrograd's demo does (`[model(x) for x in xs]`); the graphs are the same.
    """
    from microgradnet import losses, nn, optim

    sizes = [len(params[0][0][0])] + [len(b) for _, b in params]
    model = nn.MLP(sizes[0], sizes[1:])
    load(model, params)
    opt = optim.SGD(model.parameters(), lr=1.0)

    def step(lr: float) -> float:
        scores = [model(x) for x in xs] if per_sample else model(xs)
        total = losses.hinge(scores, ys) + losses.l2(model, ALPHA)
        opt.zero_grad()
        total.backward()
        opt.lr = lr
        opt.step()
        return total.data

    return step, lambda: grads_of(model, params)


def make_microgradnet_fit(params: Params, xs: Matrix, ys: list[float], epochs: int) -> tuple[Step, Grads]:
    """The same step by microgradnet's fit(compile=True): `epochs` full-batch steps per call, the model compiled
    once (the first call) and reused; returns the first step's loss."""
    from microgradnet import nn, optim
    from microgradnet.training import fit

    sizes = [len(params[0][0][0])] + [len(b) for _, b in params]
    model = nn.MLP(sizes[0], sizes[1:])
    load(model, params)
    opt = optim.SGD(model.parameters(), lr=1.0)

    def step(lr: float) -> float:
        opt.lr = lr
        history = fit(model, xs, ys, loss="hinge", optimizer=opt, epochs=epochs, l2=ALPHA, shuffle=False,
                      progress=False, compile=True)  # fmt: skip
        return history["loss"][0]

    return step, lambda: grads_of(model, params)


def load(model: Any, params: Params) -> None:
    """Set a microgradnet MLP's weights and biases from params."""
    for layer, (w, b) in zip(model.layers, params):
        for neuron, row, bias in zip(layer.neurons, w, b):
            for p, v in zip(neuron.w, row):
                p.data = v
            neuron.b.data = bias


def grads_of(model: Any, like: Params) -> Params:
    """A microgradnet MLP's gradients, shaped as its parameters."""
    return _shape([p.grad for layer in model.layers for n in layer.neurons for p in (*n.w, n.b)], like)


def make_micrograd(params: Params, xs: Matrix, ys: list[float]) -> tuple[Step, Grads]:
    """micrograd 0.1.0, exactly as its demo notebook trains."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    sizes = [len(params[0][0][0])] + [len(b) for _, b in params]
    model = MLP(sizes[0], sizes[1:])
    for p, v in zip(model.parameters(), flat(params)):
        p.data = v

    def step(lr: float) -> float:
        inputs = [list(map(Value, row)) for row in xs]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        return float(total.data)

    return step, lambda: _shape([float(p.grad) for p in model.parameters()], params)


def make_torch(params: Params, xs: Matrix, ys: list[float]) -> tuple[Step, Grads]:
    """PyTorch on 0-d tensors: micrograd's demo with every scalar a tensor."""
    import torch

    dt = torch.float64

    def leaf(v: float) -> Any:
        return torch.tensor(v, dtype=dt, requires_grad=True)

    layers = [[([leaf(v) for v in row], leaf(bias)) for row, bias in zip(w, b)] for w, b in params]
    flat = [p for layer in layers for ws, b in layer for p in (*ws, b)]
    last = len(layers) - 1

    def model(x: list[Any]) -> Any:
        for i, layer in enumerate(layers):
            x = [sum((wi * xi for wi, xi in zip(ws, x)), b) for ws, b in layer]
            if i != last:
                x = [v.relu() for v in x]
        return x[0]

    def step(lr: float) -> float:
        inputs = [[torch.tensor(v, dtype=dt) for v in row] for row in xs]
        scores = [model(x) for x in inputs]
        losses = [(1 + -yi * s).relu() for yi, s in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in flat)
        total = data_loss + reg_loss
        for p in flat:
            p.grad = None
        total.backward()
        with torch.no_grad():
            for p in flat:
                p -= lr * p.grad
        return float(total.detach())

    return step, lambda: _shape([float(p.grad) for p in flat], params)
