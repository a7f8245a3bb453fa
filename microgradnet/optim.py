"""Optimizers: SGD (with momentum, Nesterov, weight decay) and Adam, with torch.optim's exact updates.

Each takes the parameters to train and a learning rate `lr`. An optional `schedule` scales it:
step k (k = 0 for the first step) uses `lr * schedule(k)`, as `torch.optim.lr_scheduler.LambdaLR`
stepped once per optimizer step. micrograd's demo decays its rate with
`SGD(model.parameters(), lr=1.0, schedule=lambda k: 1.0 - 0.9 * k / 100)`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable

from .engine import Value
from .engine.extend import type_name

__all__ = ["SGD", "Adam", "Optimizer"]

Schedule = Callable[[int], float]


class Optimizer:
    """Base class: the parameters, the learning rate and its schedule, the number of steps taken."""

    def __init__(self, params: Iterable[Value], lr: float, schedule: Schedule | None = None) -> None:
        name = type(self).__name__
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise TypeError(f"{name}(params) must be a list of Values such as model.parameters(), got {params!r:.60}")
        self.params: list[Value] = []
        seen: set[Value] = set()
        for p in params:
            if not isinstance(p, Value):
                raise TypeError(f"{name}(params) must contain Values, got {type(p).__name__}: {p!r:.60}")
            if p not in seen:
                seen.add(p)
                self.params.append(p)
        if not self.params:
            raise ValueError(f"{name}(params) is empty: there is nothing to optimize")
        self.lr = _hyper(lr, f"{name}(lr)", low=0.0)
        if schedule is not None and not callable(schedule):
            raise TypeError(f"{name}(schedule) must be a function of the step number, got {schedule!r:.60}")
        self.schedule = schedule
        self.steps = 0

    def learning_rate(self) -> float:
        """The learning rate the next step will use: lr, times schedule(steps) if there is a schedule."""
        if self.schedule is None:
            return self.lr
        factor = self.schedule(self.steps)
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not math.isfinite(factor):
            raise TypeError(f"schedule({self.steps}) must return a finite number, got {factor!r:.60}")
        return self.lr * float(factor)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its gradient."""
        self._update(self.learning_rate())
        self.steps += 1

    def step_floats(self, data: list[float], grads: list[float]) -> list[float]:
        """step() on plain numbers: the parameters' new values from their values and gradients, in `params` order."""
        n = len(self.params)
        if len(data) != n or len(grads) != n:
            raise ValueError(f"step_floats: {n} parameters, but {len(data)} values and {len(grads)} gradients")
        new = self._floats(self.learning_rate(), data, grads)
        self.steps += 1
        return new

    def _update(self, lr: float) -> None:
        """Each parameter's .data updated from its .grad at learning rate lr (and the optimizer's state)."""
        raise NotImplementedError

    def _floats(self, lr: float, data: list[float], grads: list[float]) -> list[float]:
        """`_update` on plain numbers: the parameters' new values (each computed as `_update` computes it)."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, as torch.optim.SGD: p -= lr · (momentum-averaged grad + weight_decay · p)."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        *,
        dampening: float = 0.0,
        nesterov: bool = False,
        schedule: Schedule | None = None,
    ) -> None:
        super().__init__(params, lr, schedule)
        self.momentum = _hyper(momentum, "SGD(momentum)", low=0.0)
        self.weight_decay = _hyper(weight_decay, "SGD(weight_decay)", low=0.0)
        self.dampening = _hyper(dampening, "SGD(dampening)", low=0.0)
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("SGD(nesterov=True) needs momentum > 0 and dampening = 0")
        self.nesterov = nesterov
        self.buffers: list[float] | None = None  # momentum buffers, made at the first step

    def _update(self, lr: float) -> None:
        mu, wd, damp = self.momentum, self.weight_decay, self.dampening
        first = self.buffers is None
        if first and mu != 0:
            self.buffers = [0.0] * len(self.params)
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd != 0 else p.grad
            if mu != 0:
                buf = g if first else mu * self.buffers[i] + (1.0 - damp) * g  # type: ignore[index]
                self.buffers[i] = buf  # type: ignore[index]
                g = g + mu * buf if self.nesterov else buf
            p.data -= lr * g

    def _floats(self, lr: float, data: list[float], grads: list[float]) -> list[float]:
        mu, wd, damp = self.momentum, self.weight_decay, self.dampening
        if mu == 0 and wd == 0:  # plain SGD: p - lr * grad
            return [x - lr * g for x, g in zip(data, grads)]
        first = self.buffers is None
        if first and mu != 0:
            self.buffers = [0.0] * len(data)
        new = []
        for i, (x, g) in enumerate(zip(data, grads)):
            if wd != 0:
                g = g + wd * x
            if mu != 0:
                buf = g if first else mu * self.buffers[i] + (1.0 - damp) * g  # type: ignore[index]
                self.buffers[i] = buf  # type: ignore[index]
                g = g + mu * buf if self.nesterov else buf
            new.append(x - lr * g)
        return new


class Adam(Optimizer):
    """Adam with bias correction, as torch.optim.Adam (weight_decay adds weight_decay · p to the gradient)."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        schedule: Schedule | None = None,
    ) -> None:
        super().__init__(params, lr, schedule)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam(betas) must be a pair of numbers like (0.9, 0.999), got {betas!r:.60}")
        self.betas = (_hyper(betas[0], "Adam(betas[0])", 0.0, 1.0), _hyper(betas[1], "Adam(betas[1])", 0.0, 1.0))
        self.eps = _hyper(eps, "Adam(eps)", low=0.0)
        self.weight_decay = _hyper(weight_decay, "Adam(weight_decay)", low=0.0)
        self.m = [0.0] * len(self.params)  # first moment (mean of gradients)
        self.v = [0.0] * len(self.params)  # second moment (mean of squared gradients)

    def _update(self, lr: float) -> None:
        b1, b2 = self.betas
        wd, eps = self.weight_decay, self.eps
        t = self.steps + 1
        step_size = lr / (1.0 - b1**t)
        bias_correction2_sqrt = math.sqrt(1.0 - b2**t)
        m, v = self.m, self.v
        c1, c2, sqrt = 1.0 - b1, 1.0 - b2, math.sqrt  # the loop's constants, read once
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd != 0 else p.grad
            mi = m[i]
            m[i] = mi = mi + (g - mi) * c1
            v[i] = vi = v[i] * b2 + c2 * g * g
            p.data -= step_size * (mi / (sqrt(vi) / bias_correction2_sqrt + eps))

    def _floats(self, lr: float, data: list[float], grads: list[float]) -> list[float]:
        b1, b2 = self.betas
        wd, eps = self.weight_decay, self.eps
        t = self.steps + 1
        step_size = lr / (1.0 - b1**t)
        bias_correction2_sqrt = math.sqrt(1.0 - b2**t)
        m, v = self.m, self.v
        c1, c2, sqrt = 1.0 - b1, 1.0 - b2, math.sqrt  # the loop's constants, read once
        new = []
        for i, (x, g) in enumerate(zip(data, grads)):
            if wd != 0:
                g = g + wd * x
            mi = m[i]
            m[i] = mi = mi + (g - mi) * c1
            v[i] = vi = v[i] * b2 + c2 * g * g
            new.append(x - step_size * (mi / (sqrt(vi) / bias_correction2_sqrt + eps)))
        return new


def _hyper(x: object, where: str, low: float, high: float = math.inf) -> float:
    """x as a float if it is a real number in [low, high), else a TypeError or ValueError saying so."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{where} must be a number, got {type_name(x)}: {x!r:.60}")
    f = float(x)
    if not low <= f < high:
        bound = f"in [{low}, {high})" if high != math.inf else f">= {low}"
        raise ValueError(f"{where} must be {bound}, got {f}")
    return f
