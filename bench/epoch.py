"""One epoch of minibatch SGD on the digits, MLP(64,[32,10]) with softmax cross-entropy."""

from __future__ import annotations

from collections.abc import Callable

from bench import demo, floor
from bench.data import Matrix, Params

BATCH = 32
LR = 0.5
Epoch = Callable[[], list[float]]  # runs one epoch, returns each batch's loss


def make_floor(params: Params, xs: Matrix, labels: list[int]) -> Epoch:
    """The hand-written plain-Python epoch."""
    params = [([list(r) for r in w], list(b)) for w, b in params]
    return lambda: floor.digits_epoch(params, xs, labels, BATCH, LR)


def make_microgradnet(params: Params, xs: Matrix, labels: list[int]) -> Epoch:
    """microgradnet's own nn.MLP (called on each minibatch), losses.cross_entropy and optim.SGD."""
    from microgradnet import losses, nn, optim

    sizes = [len(params[0][0][0])] + [len(b) for _, b in params]
    model = nn.MLP(sizes[0], sizes[1:])
    demo.load(model, params)
    opt = optim.SGD(model.parameters(), lr=LR)

    def epoch() -> list[float]:
        history = []
        for i in range(0, len(xs), BATCH):
            loss = losses.cross_entropy(model(xs[i : i + BATCH]), labels[i : i + BATCH])
            opt.zero_grad()
            loss.backward()
            opt.step()
            history.append(loss.data)
        return history

    return epoch


def make_microgradnet_fit(params: Params, xs: Matrix, labels: list[int]) -> Epoch:
    """The same epoch by microgradnet's fit(compile=True) (its code made by the first call); returns [epoch loss]."""
    from microgradnet import nn, optim
    from microgradnet.training import fit

    sizes = [len(params[0][0][0])] + [len(b) for _, b in params]
    model = nn.MLP(sizes[0], sizes[1:])
    demo.load(model, params)
    opt = optim.SGD(model.parameters(), lr=LR)

    def epoch() -> list[float]:
        history = fit(model, xs, labels, loss="cross_entropy", optimizer=opt, epochs=1, batch_size=BATCH,
                      shuffle=False, progress=False, compile=True)  # fmt: skip
        return history["loss"]

    return epoch
