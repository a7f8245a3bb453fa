"""Optimizers: step for step the same parameters as torch.optim, schedules, and argument checks."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from microgradnet import Value
from microgradnet.optim import SGD, Adam, Optimizer

torch = pytest.importorskip("torch")

START = [0.5, -1.25, 2.0, 0.0, 3e-3]


def grads_at(step: int, params: list[float]) -> list[float]:
    """Gradients that change with the step and the parameters, as a real loss's would (fixed, not random)."""
    return [math.sin(3 * p + step) + 0.1 * p * step + (0.5 if i % 2 else -0.25) for i, p in enumerate(params)]


def run_both(ours: Any, theirs: Any, steps: int = 25, scheduler: Any = None) -> None:
    """Drive both optimizers with the same gradients and compare the parameters after every step."""
    params: list[Value] = ours.params
    tensors: list[Any] = theirs.param_groups[0]["params"]
    for step in range(steps):
        g = grads_at(step, [p.data for p in params])
        ours.zero_grad()
        theirs.zero_grad()
        for p, t, gi in zip(params, tensors, g):
            p.grad += gi
            t.grad = torch.tensor(gi, dtype=torch.float64)
        ours.step()
        theirs.step()
        if scheduler is not None:
            scheduler.step()
        expected = [t.item() for t in tensors]
        assert [p.data for p in params] == pytest.approx(expected, rel=1e-13, abs=1e-15), f"step {step}"


def make(kind: type[Optimizer], torch_kind: Any, kwargs: dict[str, Any], torch_kwargs: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    params = [Value(x) for x in START]
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in START]
    return kind(params, **kwargs), torch_kind(tensors, **(torch_kwargs if torch_kwargs is not None else kwargs))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.1},
        {"lr": 0.05, "momentum": 0.9},
        {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01},
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3},
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3},
        {"lr": 0.2, "weight_decay": 0.5},
    ],
)
def test_sgd_matches_torch(kwargs: dict[str, Any]) -> None:
    run_both(*make(SGD, torch.optim.SGD, kwargs))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.01},
        {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.01, "weight_decay": 0.1},
        {"lr": 0.3, "betas": (0.0, 0.5)},
    ],
)
def test_adam_matches_torch(kwargs: dict[str, Any]) -> None:
    run_both(*make(Adam, torch.optim.Adam, kwargs))


def test_schedule_matches_lambda_lr() -> None:
    schedule = lambda k: 1.0 - 0.9 * k / 20  # noqa: E731 - micrograd's demo decay
    for kind, torch_kind, kw in [(SGD, torch.optim.SGD, {"momentum": 0.5}), (Adam, torch.optim.Adam, {})]:
        ours, theirs = make(kind, torch_kind, {"lr": 0.1, "schedule": schedule, **kw}, {"lr": 0.1, **kw})
        run_both(ours, theirs, steps=20, scheduler=torch.optim.lr_scheduler.LambdaLR(theirs, schedule))


def test_schedule_is_a_factor_of_the_step_number() -> None:
    p = Value(0.0)
    opt = SGD([p], lr=2.0, schedule=lambda k: 1.0 / (k + 1))
    assert opt.learning_rate() == 2.0
    seen = []
    for _ in range(3):
        p.grad = 1.0
        seen.append(opt.learning_rate())
        opt.step()
    assert seen == [2.0, 1.0, 2.0 / 3.0] and opt.steps == 3
    assert p.data == -(2.0 + 1.0 + 2.0 / 3.0)


def test_micrograd_demo_update_is_reproduced() -> None:
    # micrograd: for p in parameters: p.data -= learning_rate * p.grad, with learning_rate = 1.0 - 0.9*k/100
    random.seed(0)
    ours = [Value(random.uniform(-1, 1)) for _ in range(5)]
    theirs = [p.data for p in ours]
    opt = SGD(ours, lr=1.0, schedule=lambda k: 1.0 - 0.9 * k / 100)
    for k in range(10):
        g = grads_at(k, theirs)
        for p, gi in zip(ours, g):
            p.grad = gi
        opt.step()
        theirs = [t - (1.0 - 0.9 * k / 100) * gi for t, gi in zip(theirs, g)]
        assert [p.data for p in ours] == theirs


def test_zero_grad_and_duplicate_parameters() -> None:
    a, b = Value(1.0), Value(2.0)
    opt = Adam([a, b, a])
    assert opt.params == [a, b]  # a shared parameter is updated once per step
    a.grad, b.grad = 3.0, 4.0
    opt.zero_grad()
    assert a.grad == b.grad == 0.0


def test_bad_arguments_are_explained() -> None:
    p = [Value(1.0)]
    with pytest.raises(ValueError, match=r"SGD\(lr\) must be >= 0.0, got -0.1"):
        SGD(p, lr=-0.1)
    with pytest.raises(TypeError, match=r"Adam\(lr\) must be a number, got str: '0.1'"):
        Adam(p, lr="0.1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Adam\(betas\[1\]\) must be in \[0.0, 1.0\), got 1.0"):
        Adam(p, betas=(0.9, 1.0))
    with pytest.raises(TypeError, match=r"Adam\(betas\) must be a pair of numbers"):
        Adam(p, betas=0.9)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"SGD\(nesterov=True\) needs momentum > 0 and dampening = 0"):
        SGD(p, nesterov=True)
    with pytest.raises(ValueError, match=r"SGD\(params\) is empty: there is nothing to optimize"):
        SGD([])
    with pytest.raises(TypeError, match=r"SGD\(params\) must be a list of Values such as model.parameters\(\)"):
        SGD(Value(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Adam\(params\) must contain Values, got float: 1.0"):
        Adam([1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"SGD\(schedule\) must be a function of the step number"):
        SGD(p, schedule=0.5)  # type: ignore[arg-type]
    opt = SGD(p, schedule=lambda k: "fast")  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError, match=r"schedule\(0\) must return a finite number, got 'fast'"):
        opt.step()


def test_step_floats_is_step_on_plain_numbers() -> None:
    from microgradnet import Value
    from microgradnet.optim import SGD, Adam

    makers = [
        lambda ps: SGD(ps, lr=0.1),
        lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01, dampening=0.1),
        lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True, schedule=lambda k: 1.0 / (k + 1)),
        lambda ps: Adam(ps, lr=0.01, weight_decay=0.1),
    ]
    for make in makers:
        values = [Value(x) for x in (0.5, -1.25, 3.0, 0.0)]
        on_values, on_floats = make(values), make([Value(0.0) for _ in values])
        data = [v.data for v in values]
        for k in range(4):
            grads = [0.3 * k - 1.0, 2.0, -0.5 * k, 1e-3]
            for v, g in zip(values, grads):
                v.grad = g
            on_values.step()
            data = on_floats.step_floats(data, grads)
            assert data == [v.data for v in values]  # bit for bit
        assert on_floats.steps == on_values.steps == 4
    with pytest.raises(ValueError, match="step_floats: 4 parameters, but 3 values and 4 gradients"):
        on_floats.step_floats([0.0] * 3, [0.0] * 4)
