"""The benchmark's own checks on tiny sizes, so `python -m bench` cannot rot. No timing is asserted."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench import data, demo, epoch, floor, graphs, run, worker
from microgradnet import Value

TINY = run.Sizes(
    demo_samples=6,
    demo_repeats=1,
    elementwise_pairs=(10, 5, 12),
    elementwise_repeats=1,
    memory_ops=500,
    chain_lengths=(100, 300),
    chain_repeats=(1, 1),
    digits_samples=40,
    digits_repeats=1,
    pair_repeats=1,
    compile_repeats=1,
    program_pairs=10,
    gpt_steps=1,
    gpt_repeats=1,
)


def test_every_workload_is_checked_and_gives_a_row_per_measurement() -> None:
    libs = [lib for lib in run.LIBS if run.available(lib)]
    rows = run.run(TINY, libs, log=lambda _: None)
    names = [r.workload.split(":")[0] for r in rows]
    assert names == ["demo step", "demo step, the same with a model call per sample", "demo step, the same by "
                     "fit(compile=True)", "elementwise, small graphs", "elementwise graph", "elementwise graph",
                     "memory", "backward of a chain of 100 ops", "backward of a chain of 300 ops", "digits epoch",
                     "digits epoch", "compile time", "repeated small expression", "GPT step",
                     "GPT step with the building blocks"]  # fmt: skip
    assert set(rows[0].medians) == set(libs)
    assert all(v > 0 for r in rows for v in r.medians.values())
    assert all(r.met is not None for r in rows if "floor" in r.medians or "compile" in r.workload)
    side_by_side = [r for r in rows if r.pairs]  # timed pair by pair against the floor (or the engine)
    assert len(side_by_side) == 6 and all(len(r.pairs) == 1 and len(r.pairs[0]) == 2 for r in side_by_side)
    assert all(any(k.endswith(" min") for k in r.ratios) and any(k.endswith(" median") for k in r.ratios)
               for r in side_by_side)  # fmt: skip
    table = run.table(rows, libs)
    assert table.count("\n") == len(rows) + 1 and "microgradnet / floor median" in table


def test_floor_gradients_match_finite_differences() -> None:
    """The floor is checked independently of the engine, so the two cannot agree on a wrong answer."""
    xs, ys = data.moons(6, seed=3)
    params = data.init_params([2, 3, 1], seed=4, scaled=False)
    _, grads = floor.demo_loss_and_grads(params, xs, ys)
    h = 1e-6
    for layer in range(len(params)):
        w, b = params[layer]
        for j in range(len(b)):
            for k in range(len(w[j]) + 1):
                row = w[j] if k < len(w[j]) else b
                at = k if k < len(w[j]) else j
                old = row[at]
                row[at] = old + h
                up = floor.demo_loss_and_grads(params, xs, ys)[0]
                row[at] = old - h
                down = floor.demo_loss_and_grads(params, xs, ys)[0]
                row[at] = old
                got = grads[layer][0][j][k] if k < len(w[j]) else grads[layer][1][j]
                assert math.isclose(got, (up - down) / (2 * h), rel_tol=1e-5, abs_tol=1e-8)


def test_floor_cross_entropy_matches_the_engine() -> None:
    xs, labels = data.digits(5)
    params = data.init_params([64, 8, 10], seed=5)
    want_loss, _ = floor.cross_entropy_batch(params, xs, labels)
    losses = epoch.make_microgradnet(params, xs, labels)()  # one batch: the loss before its update
    assert math.isclose(losses[0], want_loss, rel_tol=1e-12)
    assert len(floor.digits_epoch(params, xs, labels, 2, 0.1)) == 3  # batches of 2, 2 and 1


def test_a_wrong_result_fails_the_check() -> None:
    with pytest.raises(AssertionError, match=r"grads: entry 1 is 2\.5, expected 2\.0"):
        worker.check_close("grads", [1.0, 2.5], [1.0, 2.0], 1e-12)
    with pytest.raises(AssertionError, match="3 values, expected 2"):
        worker.check_close("grads", [1.0, 2.0, 3.0], [1.0, 2.0], 1e-12)


def test_demo_implementations_agree_with_the_floor() -> None:
    xs, ys = data.moons(5)
    params = data.init_params([2, 4, 1], scaled=False)
    step, grads = demo.make_floor(params, xs, ys)
    loss = step(0.0)
    for per_sample in (False, True):
        mine, my_grads = demo.make_microgradnet(params, xs, ys, per_sample=per_sample)
        assert math.isclose(mine(0.0), loss, rel_tol=1e-12)
        for got, want in zip(demo.flat(my_grads()), demo.flat(grads())):
            assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-15)


def test_memory_and_chain_measure_the_engine() -> None:
    assert 90 < graphs.bytes_per_op(Value, 1000) < 400  # a node (5 slots) and its float: 96 bytes
    seconds, grad = graphs.backward_seconds(Value, 50)
    assert seconds > 0 and math.isclose(grad, 1.0000001**50, rel_tol=1e-12)
    assert graphs.elementwise(Value, [(3.0, 4.0)]) == [(5.0, 1.0)]
    three = [(3.0, 4.0), (1.0, -2.0), (0.5, 0.0)]
    assert graphs.elementwise_graph(Value, three) == [(5.0, 1.0), (-1.0, -1.0), (1.0, -1.5)]


def test_command_line_writes_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(run, "QUICK", TINY)
    out = tmp_path / "results.json"
    assert run.main(["--quick", "--without", "micrograd", "torch", "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["quick"] is True and results["machine"]["python"]
    assert set(results["rows"][0]["medians"]) == {"microgradnet", "floor"}
    assert "| workload |" in capsys.readouterr().out


# -- the engine's fast paths (written for speed) give exactly the general path's results ----------
def _expanded(ws: list[Value], xs: list[Value | float], b: Value) -> Value:
    out = b
    for w, x in zip(ws, xs):
        out = out + w * x
    return out


def test_linear_fast_paths_match_the_expanded_sum() -> None:
    import microgradnet as mg
    from microgradnet.engine import Linear, LinearConst

    def params() -> tuple[list[Value], Value]:
        return [Value(0.5), Value(-1.25), Value(2.0)], Value(0.75)

    for inputs in ([1.5, -2.0, 0.25], [Value(1.5), Value(-2.0), Value(0.25)], [1.5, Value(-2.0), 3]):
        ws, b = params()
        out = mg.linear(ws, inputs, b).tanh()
        out.backward()
        ws2, b2 = params()
        xs2 = [Value(x.data) if isinstance(x, Value) else x for x in inputs]
        ref = _expanded(ws2, xs2, b2).tanh()
        ref.backward()
        assert out.data == pytest.approx(ref.data, rel=1e-15)
        assert [w.grad for w in ws] == pytest.approx([w.grad for w in ws2], rel=1e-15)
        assert b.grad == pytest.approx(b2.grad, rel=1e-15)
        kind = LinearConst if all(type(x) is float for x in inputs) else Linear
        assert type(out._prev[0]) is kind


def test_computed_weights_and_bias_are_still_reached() -> None:
    """Non-leaf weights or bias must not take the nodes whose parameters the sort skips past."""
    import microgradnet as mg
    from microgradnet.engine import Linear, LinearComputed, LinearConst

    da = 2.0 * 3.0 - (1.0 - math.tanh(1.5) ** 2)  # d/da of 2a·3 + tanh(a)·(-1)
    for inputs in ([3.0, -1.0], [Value(3.0), Value(-1.0)]):
        a = Value(1.5)
        out = mg.linear([a * 2.0, a.tanh()], inputs, Value(0.5))  # weights computed from a parameter
        assert type(out) is LinearComputed
        out.backward()
        assert a.grad == pytest.approx(da, rel=1e-15)
    a, x = Value(1.5), Value(2.0)
    out = mg.linear([Value(1.0)], [x], a * a)  # a computed bias
    assert type(out) is LinearComputed
    out.backward()
    assert (a.grad, x.grad) == (3.0, 1.0)
    y = Value(0.5)
    hidden = mg.linear([Value(2.0)], [y.exp()], Value(0.0))
    assert type(hidden) is Linear and type(mg.linear([Value(1.0)], [4.0])) is LinearConst
    hidden.backward()
    assert y.grad == pytest.approx(2.0 * math.exp(0.5), rel=1e-15)


def test_linear_still_refuses_what_is_not_a_number() -> None:
    import microgradnet as mg

    for bad in (True, "a", None):
        with pytest.raises(TypeError, match=r"linear\(inputs\) must be a real number"):
            mg.linear([Value(1.0)], [bad])
    with pytest.raises(TypeError, match=r"Value\(data\) must be a real number"):
        mg.linear([Value(1.0)], [1.0], bias=False)


def test_each_library_runs_in_a_process_of_its_own() -> None:
    """A worker imports only the library it measures; a worker's failure is the harness's error."""
    import subprocess
    import sys

    def worker_run(job: dict[str, object]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bench.worker"], input=json.dumps(job), capture_output=True,
                              text=True, cwd=run.ROOT)  # fmt: skip

    proc = worker_run({"workload": "memory", "lib": "microgradnet", "ops": 200})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["modules"] == [] and 90 < result["result"] < 400
    with pytest.raises(RuntimeError, match=r"bench worker for spin \(microgradnet\) failed: KeyError: 'spin'"):
        run.measure("spin", "microgradnet")


def test_the_hostile_run_runs() -> None:
    """bench/hostile.py on a few cases (its full run is not a test: random and slow)."""
    import random

    from bench import hostile

    torch = pytest.importorskip("torch")
    rng = random.Random(16)
    tallies = [*hostile.section_expressions(torch, rng, 12), hostile.section_files(rng), hostile.section_threads(1)]
    assert all(t.tried == t.held + t.on_purpose for t in tallies), [t.line() for t in tallies]
    assert [t.tried for t in tallies] == [9, 3, 154, 4]
