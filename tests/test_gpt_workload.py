"""bench/gpt.py, a GPT written on a 40-line micrograd-style Value, runs on microgradnet's Value with only its
import changed: the same losses, gradients and weights, bit for bit where the two engines do the same ops."""

from __future__ import annotations

import inspect
import math
import random
import types

import pytest

from bench import gpt_bench, value40

SMALL = {"n_embd": 8, "n_head": 2, "block_size": 8}  # the model of bench/gpt.py, smaller for a quick test
# The two ops the 40-line Value computes differently: it divides as a * b**-1 (two roundings) where microgradnet
# divides once, and it multiplies the gradient by 1/x where microgradnet divides it by x (log, and /'s first
# operand, as PyTorch). Its variant below does both microgradnet's way; nothing else of it changes.
MICROGRADNET_WAY = {
    "def __truediv__(self, other): return self * other**-1": """def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = self.data / other.data
        return Value(out, (self, other), (Divisor(other.data), -(out / other.data)))""",
    "(1 / self.data,)": "(Divisor(self.data),)",  # log's
    "child.grad += local * v.grad": "child.grad += v.grad / local.by if type(local) is Divisor else local * v.grad",
}


class Divisor:
    """A local derivative 1 / by that divides the gradient by `by`."""

    def __init__(self, by: float) -> None:
        self.by = by


@pytest.fixture(scope="module")
def docs() -> list[str]:
    return gpt_bench.names()


def value40_the_microgradnet_way() -> type:
    """The 40-line Value with its division and its gradients through log and / done as microgradnet does them."""
    source = inspect.getsource(value40)
    for old, new in MICROGRADNET_WAY.items():
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    module = types.ModuleType("value40_microgradnet_way")
    module.Divisor = Divisor  # type: ignore[attr-defined]
    exec(compile(source, "value40_microgradnet_way", "exec"), module.__dict__)
    return module.Value  # type: ignore[no-any-return]


def train_side_by_side(docs: list[str], steps: int, toy_value: type | None = None) -> list[list[list[float]]]:
    """Train bench/gpt.py on the 40-line Value and on microgradnet's; per step, each side's loss, grads and weights."""
    toy, ours = gpt_bench.gpt_module("value40"), gpt_bench.gpt_module("microgradnet")
    if toy_value is not None:
        toy.Value = toy_value
    sides = []
    for module in (toy, ours):
        model = module.GPT(**SMALL)
        sides.append((module, model, module.Adam(model.parameters())))
    history = []
    for step in range(steps):
        row = []
        for module, model, opt in sides:
            loss = model.loss(module.encode(docs[step]))
            loss.backward()
            grads = [p.grad for p in model.parameters()]
            opt.step()
            row.append([loss.data, *grads, *(p.data for p in model.parameters())])
        history.append(row)
    assert type(sides[1][1].wte[0][0]).__module__.startswith("microgradnet")
    return history


def test_the_source_differs_from_the_toy_s_by_its_import_alone() -> None:
    toy, ours = gpt_bench.gpt_module("value40"), gpt_bench.gpt_module("microgradnet")
    assert toy.Value is value40.Value
    assert ours.Value.__module__.startswith("microgradnet")


def test_same_losses_gradients_and_weights_bit_for_bit_where_the_ops_are_the_same(docs: list[str]) -> None:
    """Division and log's gradient aside (below), every op rounds as the toy's does and backward adds the
    gradients up in its order."""
    for toy, ours in train_side_by_side(docs, 4, value40_the_microgradnet_way()):
        assert toy == ours  # floats compared exactly: loss, every gradient and every weight after Adam


def test_same_losses_as_the_40_line_value_itself(docs: list[str]) -> None:
    """The toy divides as a * b**-1 and multiplies gradients by 1/x, microgradnet divides: a few ulps apart."""
    history = train_side_by_side(docs, 4)
    for toy, ours in history:
        assert math.isclose(toy[0], ours[0], rel_tol=1e-14)
        assert all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15) for a, b in zip(toy, ours))
    assert any(toy != ours for toy, ours in history)  # the two divisions do differ: the test above needs its toy


def test_the_names_are_the_census_first_names_of_the_names_package(docs: list[str]) -> None:
    assert len(docs) > 5000 and len(set(docs)) == len(docs)
    assert all(name.isalpha() and name.islower() for name in docs)
    assert {"mary", "john", "emma"} <= set(docs)


def test_the_model_written_with_building_blocks_trains_as_the_40_line_one(docs: list[str]) -> None:
    """bench/gpt_blocks.py: the same weights and Adam, far fewer nodes, the same losses up to rounding."""
    from bench import gpt_blocks
    from microgradnet.engine.backward import interior_nodes

    toy = gpt_bench.gpt_module("value40")
    models = (toy.GPT(**SMALL), gpt_blocks.GPT(**SMALL))
    assert [p.data for p in models[0].parameters()] == [p.data for p in models[1].parameters()]
    opts = [toy.Adam(models[0].parameters()), gpt_blocks.Adam(models[1].parameters())]
    for step in range(4):
        losses = []
        for model, opt in zip(models, opts):
            loss = model.loss(toy.encode(docs[step]))
            loss.backward()
            opt.step()
            losses.append(loss.data)
        assert math.isclose(losses[0], losses[1], rel_tol=1e-12)
    ours = gpt_bench.gpt_module("microgradnet").GPT(**SMALL)
    tokens = toy.encode(docs[0])
    assert len(interior_nodes(models[1].loss(tokens))) * 5 < len(interior_nodes(ours.loss(tokens)))
    rng = random.Random(0)
    names = [models[1].sample(rng) for _ in range(5)]
    assert all((isinstance(n, str) and n.isalpha()) or n == "" for n in names)
