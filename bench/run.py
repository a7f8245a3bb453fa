"""The benchmark harness: check every implementation's results, then time it, and print a table.

    python -m bench            # full run, a few minutes at most
    python -m bench --quick    # small sizes, few repeats: a smoke run
    python -m bench --json results.json

Installs nothing: micrograd (the `bench` extra) and PyTorch are measured where they are installed.
Every timing is the median of several repeats after a warm-up; ratios compare medians of one run.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

if __package__ in (None, ""):  # run as `python bench/run.py`
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import data, demo, epoch, graphs

LIBS = ("microgradnet", "micrograd", "torch", "floor")
clock = time.process_time  # CPU time of this (single-threaded) process: see median_seconds


@dataclass
class Sizes:
    """How big and how often: the full run, or a quick smoke run."""

    demo_samples: int = 100
    demo_repeats: int = 7
    elementwise_pairs: tuple[int, ...] = (5_000, 1_000, 20_000)  # small graphs, then one graph of each size
    elementwise_repeats: int = 5
    memory_ops: int = 100_000
    chain_lengths: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    chain_repeats: tuple[int, ...] = (9, 5, 3)
    digits_samples: int | None = None  # all 1797
    digits_repeats: int = 3


QUICK = Sizes(
    demo_samples=20,
    demo_repeats=2,
    elementwise_pairs=(200, 100, 400),
    elementwise_repeats=2,
    memory_ops=2_000,
    chain_lengths=(1_000, 4_000),
    chain_repeats=(2, 2),
    digits_samples=64,
    digits_repeats=1,
)


@dataclass
class Row:
    """One line of the table: a workload, its unit, each library's median, and the target's verdict."""

    workload: str
    unit: str
    medians: dict[str, float] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)
    target: str = ""
    met: bool | None = None


def available(lib: str) -> bool:
    """Whether a library to compare with is installed (microgradnet and the floor always are)."""
    return lib in ("microgradnet", "floor") or importlib.util.find_spec(lib) is not None


def median_seconds(runs: dict[str, Callable[[], object]], repeats: int, warmup: int = 1) -> dict[str, float]:
    """Median wall time of each run() over repeats, after warm-up calls.

    The runs take turns (one repeat of each, then the next round), so a change in the machine's load
    affects all of them alike and their ratios stay fair; a full collection precedes each timing.
    Time is this process's CPU time, which other programs on a shared machine do not inflate.
    """
    for run in runs.values():
        for _ in range(warmup):
            run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            gc.collect()
            t = clock()
            run()
            times[name].append(clock() - t)
    return {name: statistics.median(ts) for name, ts in times.items()}


def close(a: float, b: float, tol: float) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def check_close(what: str, got: Sequence[float], want: Sequence[float], tol: float) -> None:
    """Raise AssertionError naming the first entry where got and want differ by more than tol."""
    assert len(got) == len(want), f"{what}: {len(got)} values, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        assert close(g, w, tol), f"{what}: entry {i} is {g!r}, expected {w!r} (tolerance {tol})"


# -- the workloads ----------------------------------------------------------------------------------
def bench_demo(libs: Sequence[str], sizes: Sizes) -> Row:
    """micrograd's demo step; every library checked against the floor's loss and gradients first."""
    xs, ys = data.moons(sizes.demo_samples)
    params = data.init_params([2, 16, 16, 1], scaled=False)
    want_step, want_grads = demo.make_floor(params, xs, ys)
    want_loss = want_step(0.0)
    row = Row("demo step: moons, MLP(2,[16,16,1]), hinge + L2, SGD", "ms/step")
    runs = {}
    for lib in libs:
        step, grads = getattr(demo, f"make_{lib}")(params, xs, ys)
        check_close(f"demo loss ({lib})", [step(0.0)], [want_loss], 1e-12)
        check_close(f"demo gradients ({lib})", demo.flat(grads()), demo.flat(want_grads()), 1e-12)
        runs[lib] = lambda step=step: step(0.01)
    row.medians = {lib: 1e3 * s for lib, s in median_seconds(runs, sizes.demo_repeats).items()}
    return row


def bench_elementwise(libs: Sequence[str], sizes: Sizes) -> list[Row]:
    """a*b + a - b*2.0 per pair of fresh leaves: a backward per expression, then one graph of many.

    micrograd's cost per op grows with the size of one graph (its closures make reference cycles,
    so collections keep scanning the graph as it grows), hence two sizes for the one-graph case.
    """

    def want(n: int) -> list[float]:
        return [g for pair in graphs.elementwise_expected(graphs.pairs(n)) for g in pair]

    cases = [
        (
            f"elementwise, small graphs: {n:,} × (a*b + a - b*2.0), a backward each",
            graphs.elementwise,
            graphs.pairs(n),
            graphs.ELEMENTWISE_OPS * n,
        )
        for n in sizes.elementwise_pairs[:1]
    ]
    cases += [(f"elementwise graph: {n:,} × (a*b + a - b*2.0), summed pairwise, one backward",
               graphs.elementwise_graph, graphs.pairs(n), (graphs.ELEMENTWISE_OPS + 1) * n - 1)
              for n in sizes.elementwise_pairs[1:]]  # fmt: skip
    rows = []
    for workload, build, operands, ops in cases:
        runs = {}
        for lib in libs:
            value = _value_factory(lib)
            got = [g for pair in build(value, operands) for g in pair]
            check_close(f"{workload} gradients ({lib})", got, want(len(operands)), 1e-12)
            runs[lib] = lambda build=build, value=value, operands=operands: build(value, operands)
        medians = median_seconds(runs, sizes.elementwise_repeats)
        rows.append(Row(workload, "µs/op", {lib: 1e6 * s / ops for lib, s in medians.items()}))
    return rows


def bench_memory(libs: Sequence[str], sizes: Sizes) -> Row:
    """Bytes held per op by a chain of `x = x * c`."""
    row = Row(f"memory: chain of {sizes.memory_ops:,} x = x * c", "bytes/op")
    for lib in libs:
        row.medians[lib] = graphs.bytes_per_op(_value_factory(lib), sizes.memory_ops)
    return row


def bench_chain(sizes: Sizes) -> list[Row]:
    """Backward through chains of n ops: the time per node should not grow with n."""
    value = _value_factory("microgradnet")
    rows = []
    for n, repeats in zip(sizes.chain_lengths, sizes.chain_repeats):
        times = []
        for _ in range(repeats):
            seconds, grad = graphs.backward_seconds(value, n)
            assert close(grad, 1.0000001**n, 1e-9), f"chain of {n}: gradient {grad!r}, expected {1.0000001**n!r}"
            times.append(seconds)
        rows.append(
            Row(f"backward of a chain of {n:,} ops", "ns/node", {"microgradnet": 1e9 * statistics.median(times) / n})
        )
    per_node = [r.medians["microgradnet"] for r in rows]
    last = rows[-1]
    last.ratios["slowest / fastest per node"] = max(per_node) / min(per_node)
    last.target = "slowest / fastest ≤ 1.5"
    last.met = max(per_node) / min(per_node) <= 1.5
    return rows


def bench_digits(sizes: Sizes) -> Row:
    """One epoch on the digits, microgradnet against the floor (checked batch by batch first)."""
    xs, labels = data.digits(sizes.digits_samples)
    params = data.init_params([64, 32, 10])
    want = epoch.make_floor(params, xs, labels)()
    row = Row(f"digits epoch: {len(xs)} samples, MLP(64,[32,10]), batch {epoch.BATCH}", "s/epoch")
    runs = {}
    for lib in ("microgradnet", "floor"):
        check_close(f"digits batch losses ({lib})", getattr(epoch, f"make_{lib}")(params, xs, labels)(), want, 1e-9)
        runs[lib] = getattr(epoch, f"make_{lib}")(params, xs, labels)
    row.medians = median_seconds(runs, sizes.digits_repeats)
    return row


def _value_factory(lib: str) -> Callable[[float], Any]:
    if lib == "microgradnet":
        from microgradnet import Value

        return Value
    if lib == "micrograd":
        from micrograd.engine import Value as MicrogradValue

        return MicrogradValue
    import torch

    return lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)


# -- targets, table, command line -------------------------------------------------------------------
def judge(rows: list[Row]) -> None:
    """Fill in each row's ratios and whether it meets the issue's target."""
    for row in rows:
        m = row.medians
        mg = m.get("microgradnet")
        if mg is None:
            continue
        if row.workload.startswith("demo"):
            checks = []
            if "micrograd" in m:
                row.ratios["micrograd / microgradnet"] = m["micrograd"] / mg
                checks.append(m["micrograd"] / mg >= 40)
            if "torch" in m:
                row.ratios["torch / microgradnet"] = m["torch"] / mg
            row.ratios["microgradnet / floor"] = mg / m["floor"]
            checks.append(mg / m["floor"] <= 2.5)
            if "micrograd" in m:
                row.ratios["micrograd / floor"] = m["micrograd"] / m["floor"]
            row.target, row.met = "≥ 40× faster than micrograd; ≤ 2.5× the floor", all(checks)
        elif row.workload.startswith("elementwise"):
            for lib in ("micrograd", "torch"):
                if lib in m:
                    row.ratios[f"{lib} / microgradnet"] = m[lib] / mg
            if "micrograd" in m:
                row.target, row.met = "≥ 3× faster than micrograd", m["micrograd"] / mg >= 3
        elif row.workload.startswith("memory"):
            if "micrograd" in m:
                row.ratios["micrograd / microgradnet"] = m["micrograd"] / mg
            row.target, row.met = "≤ 150 bytes/op", mg <= 150
        elif row.workload.startswith("digits"):
            row.ratios["microgradnet / floor"] = mg / m["floor"]
            row.target, row.met = "≤ 3× the floor", mg / m["floor"] <= 3


def table(rows: list[Row], libs: Sequence[str]) -> str:
    """The results as a Markdown table."""
    head = ["workload", "unit", *libs, "ratios", "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r.workload, r.unit]
        cells += [_number(r.medians[lib]) if lib in r.medians else "—" for lib in libs]
        cells.append(", ".join(f"{k} {v:.3g}×" for k, v in r.ratios.items()))
        cells += [r.target, "" if r.met is None else "yes" if r.met else "**no**"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _number(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def machine() -> dict[str, str]:
    """The CPU, Python and library versions the results were measured with."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    info = {"cpu": cpu, "cores": str(os.cpu_count()), "python": platform.python_version(), "os": platform.platform()}
    for lib in ("microgradnet", "micrograd", "torch"):
        if available(lib):
            module = importlib.import_module(lib)
            info[lib] = getattr(module, "__version__", None) or _installed_version(lib)
    return info


def _installed_version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def run(sizes: Sizes, libs: Sequence[str], log: Callable[[str], None] = print) -> list[Row]:
    """Every workload, checked then timed; returns the table's rows."""
    compare = [lib for lib in libs if lib != "floor"]
    rows: list[Row] = []
    # Import everything up front and freeze it out of the cyclic garbage collector: its collections
    # then scan the workloads' objects, not the harness's imports (PyTorch alone holds ~100k objects),
    # as in a training script that imports only the library it trains with.
    for lib in compare:
        module = importlib.import_module(lib)
        if lib == "torch":
            module.set_num_threads(1)  # 0-d tensors gain nothing from threads; one keeps CPU time = wall time
    if importlib.util.find_spec("sklearn") is not None:
        importlib.import_module("sklearn.datasets")
    gc.collect()
    gc.freeze()
    try:
        rows = _run(sizes, libs, compare, log)
    finally:
        gc.unfreeze()
    judge(rows)
    return rows


def _run(sizes: Sizes, libs: Sequence[str], compare: list[str], log: Callable[[str], None]) -> list[Row]:
    rows: list[Row] = []
    for name, work in (
        ("demo step", lambda: [bench_demo(libs, sizes)]),
        ("elementwise", lambda: bench_elementwise(compare, sizes)),
        ("memory", lambda: [bench_memory([lib for lib in compare if lib != "torch"], sizes)]),
        ("backward chains", lambda: bench_chain(sizes)),
        ("digits epoch", lambda: [bench_digits(sizes)]),
    ):
        t = time.perf_counter()
        rows += work()
        log(f"  {name}: checked and timed in {time.perf_counter() - t:.1f} s")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description="Time microgradnet against micrograd, "
                                     "PyTorch on 0-d tensors and hand-written plain Python.")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats: a smoke run")
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE as JSON")
    parser.add_argument("--without", nargs="*", default=[], choices=["micrograd", "torch"],
                        help="leave out these libraries even if installed")  # fmt: skip
    args = parser.parse_args(argv)
    libs = [lib for lib in LIBS if available(lib) and lib not in args.without]
    for lib in ("micrograd", "torch"):
        if lib not in libs and lib not in args.without:
            print(f'{lib} is not installed: leaving it out (pip install -e ".[dev]" installs micrograd)')
    sizes = QUICK if args.quick else Sizes()
    info = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    rows = run(sizes, libs)
    print()
    print(table(rows, libs))
    if args.json:
        results = {"machine": info, "quick": args.quick, "sizes": asdict(sizes), "rows": [asdict(r) for r in rows]}
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(results, f, indent=2)
        os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
