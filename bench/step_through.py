"""The step-through page's size and speed: bytes per page, and how long each step takes to redraw in Chromium.

    python -m bench.step_through            # the lesson's neuron, and two graphs of 500 values
    python -m bench.step_through --quick    # small graphs only: a smoke run
    python -m bench.step_through --json results.json

Each page is saved, loaded from file:// in headless Chromium with the network off (bench/browser.py),
and stepped through from the first step to the last and back, then jumped from end to end. A step's
redraw is timed two ways by the wall clock: until the page has set every text and class and the
browser has laid it out again (the script, style and layout, forced by reading a size), and until
the next frame has been painted (requestAnimationFrame, then a task: this includes waiting for the
frame's turn). On a shared, loaded machine wall-clock times mostly measure the wait for a core, so
the CPU time each step costs is measured too, by DevTools' ThreadTime and ProcessTime from the end of
the last step's measure (nothing between steps goes uncounted) until one more frame after the step's
own: the page's main thread (script, style, layout, paint; less what an empty call costs, measured the
same way), per step, and its whole renderer process (raster too: it is counted in 10 ms ticks, so only its
mean per step is told). The whole walk is run twice (--runs), each time on the page loaded afresh, and a
step's figure is the least of its runs: a step's own cost comes back in every run, a hiccup of a shared
machine (another process, a collection) does not come back at the same step. Each run's own slowest step
is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/step_through.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import browser

LIMIT_BYTES = 1_000_000  # the page of a graph of 500 values
LIMIT_MS = 50.0  # each step's redraw

TIME_STEP = """
const done = arguments[arguments.length - 1], k = arguments[0];
const root = document.querySelector('.mgn-st'), t0 = performance.now();
if (k >= 0) {  // (k < 0: a frame with nothing to redraw, what waiting for a frame and the call cost by themselves)
  root.stepThrough.go(k);
  root.getBoundingClientRect(); root.querySelector('svg').getBBox();  // style and layout, now
}
const t1 = performance.now();
requestAnimationFrame(() => {  // painted; then one more frame (a tile coming into view is drawn in it)
  const t2 = performance.now();
  requestAnimationFrame(() => setTimeout(() => done([t1 - t0, t2 - t0]), 0));
});
"""


def graphs(quick: bool) -> dict[str, tuple[Any, Any]]:
    """name -> (root, module): the lesson's neuron; micrograd's demo network on two samples (500 values, with
    its module's clusters); and a dense graph of 500 elementwise values, each using a recent one."""
    from microgradnet import Value, losses
    from microgradnet.nn import MLP
    from microgradnet.render.graph import graph_values

    x1, x2, w1, w2 = Value(2.0, label="x1"), Value(0.0, label="x2"), Value(-3.0, label="w1"), Value(1.0, label="w2")
    n = x1 * w1 + x2 * w2 + Value(6.8813735870195432, label="b")
    n.label = "n"
    out: dict[str, tuple[Any, Any]] = {"neuron": (n.tanh(), None)}
    size = 60 if quick else 500
    model = MLP(2, [4, 4, 1] if quick else [16, 16, 1], seed=0)
    scores: Any = model([[0.5, -0.25], [1.0, 0.75]])  # (one score per sample: the model has one output)
    loss = losses.hinge(scores, [1, 0])
    while len(graph_values(loss, 10_000, "bench")) < size:
        loss = loss.tanh()
    out[f"mlp{size}"] = (loss, model)
    rng = random.Random(0)
    values = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(8)]
    while len(values) < size:
        a, b = values[-1], rng.choice(values[-12:])
        op = rng.randrange(4)
        values.append(a + b if op == 0 else a * b if op == 1 else a.tanh() if op == 2 else a - b)
    out[f"dense{size}"] = (values[-1], None)
    return out


def measure(quick: bool = False, log: Any = print, runs: int = 2) -> list[dict[str, Any]]:
    """Build, save and step through each graph's page, runs times (loaded afresh each time); the figures of each, a
    step's being the least of its runs (a hiccup of the machine does not come back at the same step; its cost does)."""
    from microgradnet import step_through
    from microgradnet.render.graph import graph_values

    rows = []
    with browser.chromium(1280, 900) as driver, tempfile.TemporaryDirectory() as folder:
        driver.set_script_timeout(600)
        for name, (root, module) in graphs(quick).items():
            start = time.perf_counter()
            page = step_through(root, module=module)
            built = time.perf_counter() - start
            path = Path(folder) / f"{name}.html"
            page.save(path)
            last = page.steps - 1
            forward = list(range(1, last + 1))
            order = [*forward, *reversed(range(last)), last, 0, last, 0]  # step by step, there and back; jumps
            each: list[dict[str, list[float]]] = []  # each run's times: per step in order, and of idle frames
            process = 0.0
            for _ in range(runs):
                run, cpu = _run(driver, path, order)
                process += cpu
                each.append(run)
                errors = browser.console_errors(driver)
                if errors:
                    raise RuntimeError(f"{name}: the browser's console shows errors: {errors}")
            times = {kind: [min(ms) for ms in zip(*(run[kind] for run in each), strict=True)] for kind in each[0]}
            row = {
                "graph": name,
                "values": len(graph_values(root, 100_000, "bench")),
                "steps": page.steps,
                "bytes": path.stat().st_size,
                "build_s": round(built, 2),
                **{
                    f"{kind}_{stat}": round(value, 2)
                    for kind in ("layout", "frame", "idle", "main_cpu")
                    for stat, value in _stats(times[kind]).items()
                },
                "all_cpu_mean_ms": round(process / len(order) / runs, 2),
                "step_cpu_max_ms": round(max(times["main_cpu"][:-4]), 2),  # one step forward or back (→ ←)
                "jump_cpu_max_ms": round(max(times["main_cpu"][-4:]), 2),  # End, Home, End, Home: the most changes
                "runs": runs,  # and each run's own slowest step (→ ←), noise included
                "step_cpu_max_each_ms": [round(max(run["main_cpu"][:-4]), 2) for run in each],
            }
            rows.append(row)
            log(_line(row))
    return rows


def _run(driver: Any, path: Path, order: list[int]) -> tuple[dict[str, list[float]], float]:
    """Load the page afresh and go to each step of order: the times of each (ms) and of idle frames, and the
    renderer process's CPU time in all (ms)."""
    driver.get(path.as_uri())
    driver.execute_cdp_cmd("Performance.enable", {"timeDomain": "threadTicks"})
    mark = [_cpu(driver)]  # CPU times at the end of the last step's measure
    idle = [_step(driver, -1, mark) for _ in range(30)]
    empty = statistics.median(cpu for _, _, cpu, _ in idle)
    times: dict[str, list[float]] = {"layout": [], "frame": [], "idle": [frame for _, frame, _, _ in idle],
                                     "main_cpu": []}  # fmt: skip
    process = 0.0
    for k in order:
        layout, frame, cpu, everything = _step(driver, k, mark)
        times["layout"].append(layout)
        times["frame"].append(frame)
        times["main_cpu"].append(max(0.0, cpu - empty))
        process += everything
    return times, process


def _cpu(driver: Any) -> tuple[float, float]:
    """The page's CPU time so far, in ms: its main thread's, and its renderer process's (raster threads too)."""
    metrics = {m["name"]: m["value"] for m in driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]}
    return 1000 * metrics["ThreadTime"], 1000 * metrics["ProcessTime"]


def _step(driver: Any, k: int, mark: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """Go to step k (k < 0: stay): ms until laid out and until painted, and the main thread's and the renderer
    process's CPU time since mark[0] (the end of the last step's measure; then mark[0] is this one's end)."""
    before = mark[0]
    layout, frame = driver.execute_async_script(TIME_STEP, k)
    after = mark[0] = _cpu(driver)
    return layout, frame, after[0] - before[0], after[1] - before[1]


def _stats(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {"min_ms": ordered[0], "median_ms": statistics.median(ms), "p95_ms": ordered[int(0.95 * (len(ordered) - 1))],
            "max_ms": max(ms)}  # fmt: skip


def _line(row: dict[str, Any]) -> str:
    def stats(kind: str) -> str:
        return "/".join(f"{row[f'{kind}_{stat}_ms']:.1f}" for stat in ("min", "median", "p95", "max"))

    return (
        f"{row['graph']:>10}: {row['values']:>4} values, {row['steps']:>5} steps, {row['bytes'] / 1e6:.3f} MB "
        f"(built in {row['build_s']} s)\n    per step, min/median/p95/max ms: wall clock until laid out "
        f"{stats('layout')}, until painted {stats('frame')} (a frame with nothing to paint: "
        f"{row['idle_median_ms']:.1f});\n    CPU per step: main thread {stats('main_cpu')} (one step → or ←: "
        f"{row['step_cpu_max_ms']:.1f} at most; jumps to the end and the start: {row['jump_cpu_max_ms']:.1f} at most), "
        f"renderer process (with raster) {row['all_cpu_mean_ms']:.1f} on average;\n    each step the least of "
        f"{row['runs']} runs; each run's own slowest step → or ←: "
        + ", ".join(f"{ms:.1f}" for ms in row["step_cpu_max_each_ms"])
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a line per page, and whether the targets are met."""
    parser = argparse.ArgumentParser(prog="python -m bench.step_through", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small graphs only: a smoke run")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--runs", type=int, default=2, help="runs per page, each on the page loaded afresh (default 2)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    why = browser.missing()
    if why:
        print(f"cannot run: {why}", file=sys.stderr)
        return 1
    rows = measure(args.quick, runs=args.runs)
    big = [r for r in rows if r["values"] >= 500]
    small = all(r["bytes"] <= LIMIT_BYTES for r in big)
    fast = all(r["frame_median_ms"] < LIMIT_MS for r in rows)
    cheap = all(r["step_cpu_max_ms"] < LIMIT_MS for r in rows)
    jumps = all(r["jump_cpu_max_ms"] < LIMIT_MS for r in rows)
    print(
        f"a 500-value page <= 1 MB: {'met' if small else 'NOT met'}; a step redrawn and painted in < 50 ms, "
        f"wall clock (median): {'met' if fast else 'NOT met'}; main thread CPU (every step → ←): "
        f"{'met' if cheap else 'NOT met'}; (Home, End): {'met' if jumps else 'NOT met'} "
        f"(load average while measured: {os.getloadavg()[0]:.1f})"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"quick": args.quick, "rows": rows}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
