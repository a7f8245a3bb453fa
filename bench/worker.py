"""One library on one workload, checked then timed, in a fresh process that imports only that library.

The harness (bench/run.py) starts `python -m bench.worker` once per workload and library, sends the
job as JSON on stdin and reads the result as JSON on stdout. Every library thus runs as it would in a
user's script: its own imports and nothing else's in the interpreter, the garbage collector as it
comes. A result that fails its check raises AssertionError here, before any timing, and the worker
exits with status 1.

The comparisons with the floor are timed side by side in one process: the floor holds no objects, so
the reason for a process of its own does not apply to it, and on a shared machine a ratio of two
medians taken a minute apart is noise. `paired` runs the floor and microgradnet alternately (A B A B
...) and returns each pair of times, so the harness takes a ratio per pair.
"""

from __future__ import annotations

import gc
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench import data, demo, epoch, gpt_bench, graphs

clock = time.process_time  # CPU time of this single-threaded process: other programs do not inflate it


def median_seconds(run: Callable[[], object], repeats: int, warmup: int = 1) -> float:
    """Median CPU time of run() over repeats, after warm-up calls; a full collection precedes each."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        gc.collect()
        t = clock()
        run()
        times.append(clock() - t)
    return statistics.median(times)


def paired(first: Callable[[], object], second: Callable[[], object], repeats: int) -> list[list[float]]:
    """CPU times of first() and second() run alternately, after a warm-up of each; a full collection before each."""
    first()
    second()
    pairs = []
    for _ in range(repeats):
        times = []
        for run in (first, second):
            gc.collect()
            t = clock()
            run()
            times.append(clock() - t)
        pairs.append(times)
    return pairs


def close(a: float, b: float, tol: float) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def check_close(what: str, got: Sequence[float], want: Sequence[float], tol: float) -> None:
    """Raise AssertionError naming the first entry where got and want differ by more than tol."""
    assert len(got) == len(want), f"{what}: {len(got)} values, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        assert close(g, w, tol), f"{what}: entry {i} is {g!r}, expected {w!r} (tolerance {tol})"


def value_factory(lib: str) -> Callable[[float], Any]:
    """The library's scalar constructor (for PyTorch, a 0-d float64 tensor that requires grad)."""
    if lib == "microgradnet":
        from microgradnet import Value

        return Value
    if lib == "micrograd":
        from micrograd.engine import Value as MicrogradValue

        return MicrogradValue
    import torch

    torch.set_num_threads(1)  # 0-d tensors gain nothing from threads; one keeps CPU time = wall time
    return lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)


# -- the workloads: each returns the number for the table -------------------------------------------
def run_demo(lib: str, samples: int, repeats: int, per_sample: bool = False) -> float:
    """ms per step of micrograd's demo, after checking the loss and gradients against the floor's.

    per_sample: microgradnet's model called once per sample, as micrograd's demo does, not on the batch.
    """
    xs, ys = data.moons(samples)
    params = data.init_params([2, 16, 16, 1], scaled=False)
    want_step, want_grads = demo.make_floor(params, xs, ys)
    want_loss = want_step(0.0)
    if lib == "torch":
        value_factory(lib)  # one thread
    make = getattr(demo, f"make_{lib}")
    step, grads = make(params, xs, ys, per_sample=True) if per_sample else make(params, xs, ys)
    check_close(f"demo loss ({lib})", [step(0.0)], [want_loss], 1e-12)
    check_close(f"demo gradients ({lib})", demo.flat(grads()), demo.flat(want_grads()), 1e-12)
    return 1e3 * median_seconds(lambda: step(0.01), repeats)


def run_demo_pairs(samples: int, repeats: int, way: str) -> list[list[float]]:
    """ms per demo step of the floor and of microgradnet, interleaved: way 'batch' (model(X)), 'per_sample'
    ([model(x) for x in X]) or 'compiled' (fit(compile=True), a step per epoch, its code made beforehand)."""
    xs, ys = data.moons(samples)
    params = data.init_params([2, 16, 16, 1], scaled=False)
    floor_step, floor_grads = demo.make_floor(params, xs, ys)
    want_loss = floor_step(0.0)
    if way == "compiled":
        steps = 5  # fit's own setup is paid once per call: a few epochs (steps) per call, as in use
        step, grads = demo.make_microgradnet_fit(params, xs, ys, steps)
        check_close("demo loss (fit(compile=True))", [step(0.0)], [want_loss], 1e-12)
    else:
        steps = 1
        step, grads = demo.make_microgradnet(params, xs, ys, per_sample=way == "per_sample")
        check_close(f"demo loss (microgradnet, {way})", [step(0.0)], [want_loss], 1e-12)
    check_close(f"demo gradients (microgradnet, {way})", demo.flat(grads()), demo.flat(floor_grads()), 1e-12)

    def floor_steps() -> None:
        for _ in range(steps):
            floor_step(0.01)

    pairs = paired(floor_steps, lambda: step(0.01), repeats)
    return [[1e3 * a / steps, 1e3 * b / steps] for a, b in pairs]


def run_compile_time(repeats: int) -> list[float]:
    """CPU ms to trace, write and compile the demo's step for fit(compile=True), MLP(2,[16,16,1]) with the hinge loss
    and its L2 penalty: the first time in this process, then again."""
    from microgradnet import losses, nn
    from microgradnet.codegen.step import CompiledStep

    times = []
    for seed in range(repeats + 1):
        model = nn.MLP(2, [16, 16, 1], seed=seed)  # a new model each time: nothing is reused
        gc.collect()
        t = clock()
        CompiledStep(model, losses.hinge, demo.ALPHA)
        times.append(1e3 * (clock() - t))
    return times


def run_program_pairs(pairs_: int, repeats: int) -> list[list[float]]:
    """µs per expression a*b + a - b*2.0: the engine (build and backward), then to_python's program, interleaved."""
    from microgradnet import Value, to_python

    operands = graphs.pairs(pairs_)
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    program = to_python(a * b + a - b * 2.0)
    want = graphs.elementwise_expected(operands)
    check_close("to_python program gradients", [g for x, y in operands for g in program(x, y)[1]],
                [g for pair in want for g in pair], 1e-12)  # fmt: skip
    check_close("engine gradients", [g for p in graphs.elementwise(Value, operands) for g in p],
                [g for pair in want for g in pair], 1e-12)  # fmt: skip

    def run_program() -> None:
        for x, y in operands:
            program(x, y)

    pairs = paired(lambda: graphs.elementwise(Value, operands), run_program, repeats)
    return [[1e6 * t / pairs_ for t in pair] for pair in pairs]


def run_digits_pairs(xs: data.Matrix, labels: list[int], repeats: int, compiled: bool) -> list[list[float]]:
    """Seconds per digits epoch of the floor and of microgradnet (the engine, or fit(compile=True)), interleaved."""
    params = data.init_params([64, 32, 10])
    want = epoch.make_floor(params, xs, labels)()
    if compiled:
        mine = epoch.make_microgradnet_fit(params, xs, labels)
        sizes = [min(epoch.BATCH, len(xs) - i) for i in range(0, len(xs), epoch.BATCH)]
        mean = sum(w * n for w, n in zip(want, sizes)) / len(xs)
        check_close("digits epoch loss (fit(compile=True))", mine(), [mean], 1e-9)
    else:
        mine = epoch.make_microgradnet(params, xs, labels)
        check_close("digits batch losses (microgradnet)", mine(), want, 1e-9)
    return paired(epoch.make_floor(params, xs, labels), mine, repeats)


def run_elementwise(lib: str, kind: str, pairs: int, repeats: int) -> float:
    """µs per op of a*b + a - b*2.0: 'small' (a graph and backward per pair) or 'graph' (one graph)."""
    build = graphs.elementwise if kind == "small" else graphs.elementwise_graph
    ops = graphs.ELEMENTWISE_OPS * pairs if kind == "small" else (graphs.ELEMENTWISE_OPS + 1) * pairs - 1
    operands = graphs.pairs(pairs)
    value = value_factory(lib)
    want = [g for pair in graphs.elementwise_expected(operands) for g in pair]
    check_close(f"elementwise {kind} gradients ({lib})", [g for p in build(value, operands) for g in p], want, 1e-12)
    return 1e6 * median_seconds(lambda: build(value, operands), repeats) / ops


def run_memory(lib: str, ops: int) -> float:
    """Bytes held per op by a chain of `x = x * c`."""
    return graphs.bytes_per_op(value_factory(lib), ops)


def run_chain(lib: str, length: int, repeats: int) -> float:
    """ns per node of one backward through a chain of `length` ops, checking the gradient."""
    value = value_factory(lib)
    times = []
    for _ in range(repeats):
        seconds, grad = graphs.backward_seconds(value, length)
        want = 1.0000001**length
        assert close(grad, want, 1e-9), f"chain of {length}: gradient {grad!r}, expected {want!r}"
        times.append(seconds)
    return 1e9 * statistics.median(times) / length


def run_digits(lib: str, xs: data.Matrix, labels: list[int], repeats: int) -> float:
    """Seconds per digits epoch, after checking each batch loss against the floor's."""
    params = data.init_params([64, 32, 10])
    want = epoch.make_floor(params, xs, labels)()
    check_close(f"digits batch losses ({lib})", getattr(epoch, f"make_{lib}")(params, xs, labels)(), want, 1e-9)
    return median_seconds(getattr(epoch, f"make_{lib}")(params, xs, labels), repeats)


WORKLOADS: dict[str, Callable[..., Any]] = {
    "demo": run_demo,
    "demo_pairs": run_demo_pairs,
    "compile_time": run_compile_time,
    "program_pairs": run_program_pairs,
    "digits_pairs": run_digits_pairs,
    "elementwise": run_elementwise,
    "memory": run_memory,
    "chain": run_chain,
    "digits": run_digits,
    "gpt": lambda lib, **job: gpt_bench.run_worker(**job),  # bench/gpt.py in its three versions, each run alone
}


def main() -> int:
    """Read {"workload": name, **arguments} from stdin, print {"result": number}."""
    job = json.load(sys.stdin)
    result = WORKLOADS[job.pop("workload")](**job)
    json.dump({"result": result, "modules": sorted(m for m in ("torch", "micrograd") if m in sys.modules)}, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
