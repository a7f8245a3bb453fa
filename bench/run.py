"""The benchmark harness: check every implementation's results, then time it, and print a table.

    python -m bench            # full run, a few minutes at most
    python -m bench --quick    # small sizes, few repeats: a smoke run
    python -m bench --json results.json

Installs nothing: micrograd (the `bench` extra) and PyTorch are measured where they are installed.
Each library runs each workload in a fresh process of its own (bench/worker.py) that imports only
that library, as a user's script would; every timing is the median of several repeats after a
warm-up. Comparisons with the floor (hand-written plain Python, which holds no objects) are timed
side by side in one process instead: the floor and microgradnet run alternately, a ratio is taken
per pair of runs, and the table gives the min and the median of those ratios (a ratio of two medians
taken a minute apart on a shared machine is noise).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

if __package__ in (None, ""):  # run as `python bench/run.py`
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import data, epoch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the repository: where `bench` is found

LIBS = ("microgradnet", "micrograd", "torch", "floor")


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
    pair_repeats: int = 9  # pairs of runs (floor, microgradnet) behind each ratio to the floor
    compile_repeats: int = 7
    program_pairs: int = 5_000
    gpt_steps: int = 5  # training steps of the GPT per timing
    gpt_repeats: int = 5


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
    pair_repeats=2,
    compile_repeats=2,
    program_pairs=200,
    gpt_steps=1,
    gpt_repeats=1,
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
    pairs: list[list[float]] = field(default_factory=list)  # side by side: (floor, microgradnet) per pair


def available(lib: str) -> bool:
    """Whether a library to compare with is installed (microgradnet and the floor always are)."""
    return lib in ("microgradnet", "floor") or importlib.util.find_spec(lib) is not None


def measure(workload: str, lib: str, **job: Any) -> float:
    """Run one library on one workload in a fresh `python -m bench.worker`; its checked, timed result.

    The worker imports only that library, so each is measured as in a script of its own: no other
    library's objects for the garbage collector to scan, no other library's state in the interpreter.
    """
    return float(_work(workload, lib=lib, **job))


def measure_pairs(workload: str, **job: Any) -> list[list[float]]:
    """A side-by-side workload in a fresh worker: [first, second] times per pair of runs, each checked first."""
    return [[float(t) for t in pair] for pair in _work(workload, **job)]


def _work(workload: str, **job: Any) -> Any:
    request = json.dumps({"workload": workload, **job})
    env = {**os.environ, "PYTHONPATH": _pythonpath()}
    proc = subprocess.run([sys.executable, "-m", "bench.worker"], input=request, capture_output=True, text=True,
                          cwd=ROOT, env=env)  # fmt: skip
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
        if lines[-1].startswith("AssertionError: "):
            raise AssertionError(lines[-1].removeprefix("AssertionError: "))
        raise RuntimeError(
            f"bench worker for {workload} ({job.get('lib', 'side by side')}) failed: {lines[-1]}\n{proc.stderr}"
        )
    return json.loads(proc.stdout)["result"]


def _pythonpath() -> str:
    return os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH", "")) if p)


# -- the workloads ----------------------------------------------------------------------------------
def side_by_side(row: Row, pairs: list[list[float]], names: tuple[str, str] = ("floor", "microgradnet")) -> Row:
    """Fill a row from pairs of runs timed side by side: each one's median, and the min and median of
    the ratio second / first taken pair by pair."""
    row.pairs = pairs
    for i, name in enumerate(names):
        row.medians[name] = statistics.median(pair[i] for pair in pairs)
    ratios = [b / a for a, b in pairs]
    row.ratios[f"{names[1]} / {names[0]} min"] = min(ratios)
    row.ratios[f"{names[1]} / {names[0]} median"] = statistics.median(ratios)
    return row


def bench_demo(libs: Sequence[str], sizes: Sizes) -> list[Row]:
    """micrograd's demo step; every library checked against the floor's loss and gradients first.

    Three rows of microgradnet against the floor, each timed side by side with it: the model called on
    the whole batch, once per sample as micrograd's demo does, and fit(compile=True)'s step. The other
    libraries run in processes of their own; their step is the same in every row.
    """
    others = {lib: measure("demo", lib, samples=sizes.demo_samples, repeats=sizes.demo_repeats)
              for lib in libs if lib not in ("microgradnet", "floor")}  # fmt: skip
    rows = []
    for way, workload in (
        ("batch", "demo step: moons, MLP(2,[16,16,1]), hinge + L2, SGD; model(X) on the batch"),
        ("per_sample", "demo step, the same with a model call per sample: [model(x) for x in X]"),
        ("compiled", "demo step, the same by fit(compile=True): the whole step as generated Python"),
    ):
        pairs = measure_pairs("demo_pairs", samples=sizes.demo_samples, repeats=sizes.pair_repeats, way=way)
        row = side_by_side(Row(workload, "ms/step"), pairs)
        row.medians.update(others)
        rows.append(row)
    return rows


def bench_compile(sizes: Sizes) -> Row:
    """Time to trace, write and compile the demo's step for fit(compile=True): the first time in a process,
    then the min and median of later ones (each a new model)."""
    first, *later = [float(t) for t in _work("compile_time", repeats=sizes.compile_repeats)]
    row = Row("compile time: the demo's step (hinge + L2) traced, written and compiled", "ms", {"microgradnet": first})
    row.ratios = {
        "first in the process ms": first,
        "later min ms": min(later),
        "later median ms": statistics.median(later),
    }
    row.target, row.met = "≤ 100 ms", first <= 100
    return row


def bench_program(sizes: Sizes) -> Row:
    """A small expression repeated: the engine (a graph and a backward each) against to_python's program."""
    pairs = measure_pairs("program_pairs", pairs_=sizes.program_pairs, repeats=sizes.pair_repeats)
    n = sizes.program_pairs
    workload = f"repeated small expression: {n:,} × (`a*b + a - b*2.0`) and its gradients, `to_python`"
    row = side_by_side(Row(workload, "µs/expr"), [[b, a] for a, b in pairs], ("to_python program", "engine"))
    row.medians["microgradnet"] = row.medians.pop("to_python program")  # the column shows the program
    del row.medians["engine"]
    median = row.ratios["engine / to_python program median"]
    row.target, row.met = "program ≥ 10× faster than the engine", median >= 10
    return row


def bench_elementwise(libs: Sequence[str], sizes: Sizes) -> list[Row]:
    """a*b + a - b*2.0 per pair of fresh leaves: a backward per expression, then one graph of many.

    micrograd's cost per op grows with the size of one graph (its closures make reference cycles,
    so collections keep scanning the graph as it grows), hence two sizes for the one-graph case.
    """
    first, *graph_sizes = sizes.elementwise_pairs
    cases = [(f"elementwise, small graphs: {first:,} × (`a*b + a - b*2.0`), a backward each", "small", first)]
    cases += [(f"elementwise graph: {n:,} × (`a*b + a - b*2.0`), summed pairwise, one backward", "graph", n)
              for n in graph_sizes]  # fmt: skip
    rows = []
    for workload, kind, n in cases:
        row = Row(workload, "µs/op")
        for lib in libs:
            row.medians[lib] = measure("elementwise", lib, kind=kind, pairs=n, repeats=sizes.elementwise_repeats)
        rows.append(row)
    return rows


def bench_memory(libs: Sequence[str], sizes: Sizes) -> Row:
    """Bytes held per op by a chain of `x = x * c`."""
    row = Row(f"memory: chain of {sizes.memory_ops:,} `x = x * c`", "bytes/op")
    for lib in libs:
        row.medians[lib] = measure("memory", lib, ops=sizes.memory_ops)
    return row


def bench_chain(sizes: Sizes) -> list[Row]:
    """Backward through chains of n ops: the time per node should not grow with n."""
    rows = []
    for n, repeats in zip(sizes.chain_lengths, sizes.chain_repeats):
        per_node = measure("chain", "microgradnet", length=n, repeats=repeats)
        rows.append(Row(f"backward of a chain of {n:,} ops", "ns/node", {"microgradnet": per_node}))
    per_node_all = [r.medians["microgradnet"] for r in rows]
    last = rows[-1]
    last.ratios["slowest / fastest per node"] = max(per_node_all) / min(per_node_all)
    last.target = "slowest / fastest ≤ 1.5"
    last.met = max(per_node_all) / min(per_node_all) <= 1.5
    return rows


def bench_digits(sizes: Sizes) -> list[Row]:
    """One epoch on the digits, microgradnet (the engine, then fit(compile=True)) side by side with the floor
    (checked first, batch by batch or by the epoch's loss)."""
    xs, labels = data.digits(sizes.digits_samples)  # loaded here: the workers need not import scikit-learn
    rows = []
    for compiled, how in ((False, ""), (True, ", fit(compile=True)")):
        pairs = measure_pairs("digits_pairs", xs=xs, labels=labels, repeats=sizes.digits_repeats, compiled=compiled)
        workload = f"digits epoch: {len(xs)} samples, MLP(64,[32,10]), batch {epoch.BATCH}{how}"
        rows.append(side_by_side(Row(workload, "s/epoch"), pairs))
    return rows


def bench_gpt(sizes: Sizes) -> list[Row]:
    """A GPT training step (bench/gpt.py): its own 40-line Value, microgradnet with only the import changed,
    and the same model written with microgradnet's building blocks (bench/gpt_blocks.py)."""
    ms = {impl: measure("gpt", "microgradnet", impl=impl, steps=sizes.gpt_steps, repeats=sizes.gpt_repeats)
          for impl in ("value40", "microgradnet", "blocks")}  # fmt: skip
    toy = f"the 40-line Value {_number(ms['value40'])} ms"
    rows = [Row(f"GPT step: one name, bench/gpt.py ({toy}), only the import changed", "ms/step"),
            Row(f"GPT step with the building blocks: bench/gpt_blocks.py ({toy})", "ms/step")]  # fmt: skip
    for row, impl, times in ((rows[0], "microgradnet", 3), (rows[1], "blocks", 10)):
        row.medians["microgradnet"] = ms[impl]
        row.ratios["40-line Value / microgradnet"] = ms["value40"] / ms[impl]
        row.target, row.met = f"≥ {times}× faster than the 40-line Value", ms["value40"] / ms[impl] >= times
    return rows


# -- targets, table, command line -------------------------------------------------------------------
DEMO_LIMITS = {"model(X)": 1.3, "[model(x) for x in X]": 2.0, "compile=True": 0.5}  # × the floor, median ratio


def judge(rows: list[Row]) -> None:
    """Fill in each row's ratios and whether it meets the issue's target."""
    for row in rows:
        m = row.medians
        mg = m.get("microgradnet")
        if mg is None:
            continue
        if row.workload.startswith("demo"):
            limit = DEMO_LIMITS[next(way for way in DEMO_LIMITS if way in row.workload)]
            checks = [row.ratios["microgradnet / floor median"] <= limit]
            target = f"≤ {limit}× the floor"
            if "micrograd" in m:
                row.ratios["micrograd / microgradnet"] = m["micrograd"] / mg
                if "model(X)" in row.workload:
                    checks.append(m["micrograd"] / mg >= 40)
                    target = "≥ 40× faster than micrograd; " + target
            if "torch" in m:
                row.ratios["torch / microgradnet"] = m["torch"] / mg
            row.target, row.met = target, all(checks)
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
            limit = 0.6 if "compile" in row.workload else 3
            row.target, row.met = f"≤ {limit}× the floor", row.ratios["microgradnet / floor median"] <= limit


def table(rows: list[Row], libs: Sequence[str]) -> str:
    """The results as a Markdown table."""
    head = ["workload", "unit", *libs, "ratios", "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r.workload, r.unit]
        cells += [_number(r.medians[lib]) if lib in r.medians else "—" for lib in libs]
        cells.append(", ".join(f"{k[:-3]} {v:.3g} ms" if k.endswith(" ms") else f"{k} {v:.3g}×"
                               for k, v in r.ratios.items()))  # fmt: skip
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
    """Every workload, checked then timed (each library in a process of its own); returns the table's rows."""
    compare = [lib for lib in libs if lib != "floor"]
    rows = _run(sizes, libs, compare, log)
    judge(rows)
    return rows


def _run(sizes: Sizes, libs: Sequence[str], compare: list[str], log: Callable[[str], None]) -> list[Row]:
    rows: list[Row] = []
    for name, work in (
        ("demo step", lambda: bench_demo(libs, sizes)),
        ("elementwise", lambda: bench_elementwise(compare, sizes)),
        ("memory", lambda: [bench_memory([lib for lib in compare if lib != "torch"], sizes)]),
        ("backward chains", lambda: bench_chain(sizes)),
        ("digits epoch", lambda: bench_digits(sizes)),
        ("compile time", lambda: [bench_compile(sizes)]),
        ("to_python program", lambda: [bench_program(sizes)]),
        ("GPT step", lambda: bench_gpt(sizes)),
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
