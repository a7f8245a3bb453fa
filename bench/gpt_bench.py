"""The GPT workload: bench/gpt.py's training step with its own 40-line Value, with microgradnet's Value
(the same source, its one import changed), and the same model written with microgradnet's building
blocks (bench/gpt_blocks.py).
"""

from __future__ import annotations

import random
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).with_name("gpt.py")
IMPORT = "from bench.value40 import Value\n"  # the line of bench/gpt.py that names the engine
IMPORTS = {"value40": IMPORT, "microgradnet": "from microgradnet import Value\n"}


def gpt_module(engine: str) -> types.ModuleType:
    """bench/gpt.py as a module of its own, with its import of Value naming `engine` ('value40', 'microgradnet')."""
    source = SOURCE.read_text()
    if source.count(IMPORT) != 1:
        raise RuntimeError(f"{SOURCE} must import its Value with exactly one line {IMPORT.strip()!r}")
    module = types.ModuleType(f"gpt_{engine}")
    module.__file__ = str(SOURCE)
    sys.modules[module.__name__] = module  # a module of its own, as if the user had saved the edited file
    exec(compile(source.replace(IMPORT, IMPORTS[engine]), str(SOURCE), "exec"), module.__dict__)
    return module


def names() -> list[str]:
    """The first names of the `names` package (US census lists), shuffled once with a fixed seed."""
    import names as census

    gpt = gpt_module("value40")
    docs: list[str] = gpt.load_names(census.FILES["first:female"], census.FILES["first:male"])
    random.Random(42).shuffle(docs)
    return docs


def make(impl: str, docs: list[str], seed: int = 42) -> Callable[[], float]:
    """A training step of impl ('value40', 'microgradnet' or 'blocks') on the next name of docs; returns its loss.

    Each starts from the weights that GPT(seed=seed) of bench/gpt.py draws, and uses its Adam.
    """
    if impl == "blocks":
        from bench import gpt_blocks

        module: Any = gpt_blocks
    else:
        module = gpt_module(impl)
    model = module.GPT(seed=seed)
    opt = module.Adam(model.parameters(), 0.01)
    state = {"step": 0}

    def step() -> float:
        k = state["step"]
        state["step"] = k + 1
        loss = model.loss(module.encode(docs[k % len(docs)]))
        loss.backward()
        opt.step()
        return float(loss.data)

    return step


IMPLS = ("value40", "microgradnet", "blocks")


def check(impl: str, docs: list[str], steps: int = 3) -> None:
    """Raise AssertionError unless impl's first losses are the 40-line Value's (to rounding: a / b differs)."""
    want = make("value40", docs)
    got = make(impl, docs)
    for k in range(steps):
        a, b = want(), got()
        assert abs(a - b) <= 1e-12 * abs(a), f"GPT step {k} ({impl}): loss {b!r}, the 40-line Value's {a!r}"


def run_worker(impl: str, steps: int, repeats: int) -> float:
    """ms of CPU per training step of impl (the collector on, as users run it): the median of repeats runs
    of `steps` steps each, after two warm-up steps, every implementation on the same names in the same order."""
    import gc
    import statistics
    import time

    if impl not in IMPLS:
        raise ValueError(f"GPT implementation must be one of {IMPLS}, got {impl!r}")
    docs = names()
    if impl != "value40":
        check(impl, docs)
        gc.collect()
    step = make(impl, docs)
    step()
    step()
    times = []
    for _ in range(repeats):
        t = time.process_time()
        for _ in range(steps):
            step()
        times.append((time.process_time() - t) / steps)
    return 1e3 * statistics.median(times)
