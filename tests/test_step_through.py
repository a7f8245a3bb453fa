"""step_through(): the page that plays backpropagation, checked as a file and in a real browser.

The browser is Debian's headless Chromium driven by Selenium, with the network off (bench/browser.py);
CI installs both. The page is loaded from file://, driven with its keys, buttons and slider, and the
numbers it shows are compared with the engine's own at several steps: its data after the forward
pass, and its grads after each of backward()'s node steps, run one by one here with `_backward()`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import micrograd_cases
import pytest
from micrograd_cases import lecture_tanh

import microgradnet as mg
from bench import browser
from microgradnet import Value, explain, losses
from microgradnet.engine import backward_order
from microgradnet.nn import MLP
from microgradnet.render.explanation import Explanation
from microgradnet.render.graph import graph_values
from microgradnet.render.step_page import StepThrough, step_through
from microgradnet.render.trace import Trace

pytest.importorskip("graphviz")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
pytestmark = needs_dot
EVIL = '</script><script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> & "q" \\ {x}'


def number(x: float) -> str:
    return format(x if x else 0.0, ".4g")


def evil_graph() -> Value:
    a = Value(2.0, label=EVIL)
    b = Value(-3.0, label="b")
    return (a * b + a.exp()).tanh()


# -- the file ---------------------------------------------------------------------------------------
def test_the_page_is_one_file_that_asks_for_nothing(tmp_path: Path) -> None:
    page = step_through(micrograd_cases.classic())
    text = page.html()
    assert text.startswith("<!DOCTYPE html>") and text.count("<html") == 1
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
    assert csp is not None and csp.group(1).startswith("default-src 'none';")  # the page may not fetch anything
    assert not re.search(r"<link|<iframe|<img|\bsrc=|@import|url\(|fetch\(|XMLHttpRequest|WebSocket", text)
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) <= {"http://www.w3.org/2000/svg"}  # a namespace, not a fetch
    page.save(tmp_path / "page.html")
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == text
    assert text.count("<svg") == 1 and "microgradnetStepThrough(" in text


def test_labels_are_escaped_everywhere() -> None:
    page = step_through(evil_graph())
    text = page.html()
    assert "<script>window.pwned" not in text and "<img" not in text  # as text, never as markup
    svg = ET.fromstring(page.svg)  # the drawing is well-formed XML with the label as its text
    assert EVIL in [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    data = re.search(r'<script type="application/json" class="mgn-st-data">(.*?)</script>', text, re.DOTALL)
    assert data is not None and json.loads(data.group(1))["values"][0][0] == EVIL


def test_a_graph_of_500_values_makes_a_page_of_at_most_a_megabyte() -> None:
    model = MLP(2, [16, 16, 1], seed=0)  # micrograd's demo network, on two samples, with the hinge loss
    loss = losses.hinge(model([[0.5, -0.25], [1.0, 0.75]]), [1, 0])
    while len(graph_values(loss, 10_000, "test")) < 500:
        loss = loss.tanh()
    assert len(graph_values(loss, 10_000, "test")) == 500
    page = step_through(loss, module=model)
    assert len(page.html().encode("utf-8")) <= 1_000_000
    with pytest.raises(ValueError, match=r"step_through: the graph has 501 values, more than max_nodes=500"):
        step_through(loss.tanh())


def test_the_steps_are_the_inputs_the_forward_pass_the_backward_pass_and_the_end() -> None:
    o = micrograd_cases.classic()
    page = step_through(o)
    kinds = [s[0] for s in page.data["steps"]]
    assert kinds == ["in", *["f"] * 5, "seed", *["b"] * 5, "end"] and page.steps == 13
    assert repr(page) == "<step_through(o): 10 values, 13 steps; .save('page.html')>"
    trace = Trace(o, max_nodes=500, caller="test")
    assert [s[1] for s in page.data["steps"] if s[0] == "b"] == [trace.values.index(s.node) for s in trace.steps]


def test_it_refuses_bad_arguments() -> None:
    o = micrograd_cases.classic()
    with pytest.raises(TypeError, match=r"step_through\(root\) must be a Value, got int: 3"):
        step_through(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"draw_dot\(rankdir\) must be one of LR, RL, TB, BT, got 'XY'"):
        step_through(o, rankdir="XY")
    with pytest.raises(TypeError, match=r"step_through\(module\) must have a named_parameters\(\) method"):
        step_through(o, module=object())


def test_no_grad_changes() -> None:
    o = micrograd_cases.classic()
    before = [(v.data, v.grad) for v in graph_values(o, 100, "t")]
    step_through(o)
    assert [(v.data, v.grad) for v in graph_values(o, 100, "t")] == before


def test_jupyter_gets_the_page_as_html_with_its_own_ids() -> None:
    page = step_through(micrograd_cases.classic())
    one, two = page._repr_html_(), page._repr_html_()
    ids = [re.search(r'<div class="mgn-st" id="(mgn-st-\w+)"', html).group(1) for html in (one, two)]  # type: ignore[union-attr]
    assert ids[0] != ids[1] and f"microgradnetStepThrough({json.dumps(ids[0])})" in one
    assert "<!DOCTYPE" not in one and "<style>" in one  # a fragment, styled inside itself


def test_each_values_parts_are_one_group_in_the_drawing() -> None:
    model = MLP(2, [3, 1], seed=0)
    root = losses.mse(model([[0.5, -1.0]]), [1.0])
    page = step_through(root, module=model)
    svg = ET.fromstring(page.svg)
    values = graph_values(root, 1000, "test")
    ns = "{http://www.w3.org/2000/svg}"
    groups = {g.get("id"): g for g in svg.iter(f"{ns}g") if (g.get("id") or "").endswith("w")}
    for i, v in enumerate(values):
        parts = sorted(g.get("id", "") for g in groups.get(f"v{i}w", []))  # its box, op node, and their edges
        drawn = sorted(i_d for g in svg.iter(f"{ns}g") if re.fullmatch(rf"v{i}(op|o|e\d+)?", i_d := g.get("id", "")))
        assert parts == drawn, (i, parts, drawn)
        if v.parents:  # a computed value: its op node, the edge out of it, and one edge from each operand
            assert f"v{i}op" in parts and f"v{i}o" in parts and len([p for p in parts if "e" in p]) == len(v.parents)
    assert len(groups) == len([g for g in svg.iter(f"{ns}g") if re.fullmatch(r"v\d+w", g.get("id", ""))])


# -- in the browser ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chrome() -> Iterator[Any]:
    why = browser.missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the page in a real browser: {why}")
        pytest.skip(why)
    with browser.chromium() as driver:
        yield driver


def shown(driver: Any, root: str = ".mgn-st") -> dict[str, Any]:
    """What the page shows: each Value's data and grad texts (by id), the step, and the panel's lines."""
    return driver.execute_script(  # type: ignore[no-any-return]
        """
        const root = document.querySelector(arguments[0]);
        const texts = {};
        root.querySelectorAll('.mgn-st-graph text[id]').forEach(t => { texts[t.id] = t.textContent; });
        const lines = [...root.querySelectorAll('.mgn-st-panel > div')]  // the head, and the step's lines in one text
          .flatMap(d => d.textContent ? d.textContent.split('\\n') : []);
        return {texts, step: root.stepThrough.step(), lines, future: root.querySelectorAll('.mgn-future').length};
        """,
        root,
    )


def press(driver: Any, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    chain = ActionChains(driver)
    for key in keys:
        chain.send_keys(key)
    chain.perform()


def open_page(driver: Any, page: StepThrough, path: Path) -> None:
    page.save(path)
    driver.get(path.as_uri())
    browser.console_errors(driver)  # (clears the log)


def engine_steps(root: Value) -> Iterator[dict[Value, float]]:
    """The grads after each of backward()'s node steps, run one at a time by the engine itself."""
    values = graph_values(root, 10_000, "test")
    for v in values:
        v.grad = 0.0
    root.grad = 1.0
    yield {v: v.grad for v in values}
    drawn = set(values)
    for node in backward_order(root):
        if node in drawn:  # not a layer's input row: the engine's bookkeeping, whose step does nothing
            node._backward()
            yield {v: v.grad for v in values}


def check_grads(seen: dict[str, Any], values: list[Value], grads: dict[Value, float]) -> None:
    for i, v in enumerate(values):
        text = seen["texts"][f"v{i}g"]
        assert text.removeprefix("grad ") == number(grads[v]), (i, text, grads[v])


def test_the_keys_step_through_and_every_number_is_the_engines(chrome: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    model = MLP(2, [3, 1], activation="tanh", seed=3)
    root = losses.mse(model([[0.5, -1.0], [1.5, 0.25]]), [1.0, -1.0])
    page = step_through(root, module=model)
    open_page(chrome, page, tmp_path / "page.html")
    values = graph_values(root, 1000, "test")
    kinds = [s[0] for s in page.data["steps"]]
    seed = kinds.index("seed")
    trace = Trace(root, max_nodes=1000, caller="test", names={p: n for n, p in model.named_parameters()})
    words = Explanation(trace, 4, None)

    at_start = shown(chrome)
    assert at_start["step"] == 0 and at_start["lines"][0] == "Step 0 of " + str(page.steps - 1) + ", forward pass"
    for i, v in enumerate(values):  # the inputs only: the rest is still to be computed
        assert at_start["texts"][f"v{i}d"].removeprefix("data ") == (number(v.data) if not v.parents else "?")
        assert at_start["texts"][f"v{i}g"].strip() in ("", "grad")
    press(chrome, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    after3 = shown(chrome)
    computed = [v for v in values if v.parents]
    assert after3["step"] == 3
    assert after3["lines"][1] == "Forward: " + words.forward(computed[2])
    for i, v in enumerate(values):
        appeared = not v.parents or v in computed[:3]
        assert after3["texts"][f"v{i}d"].removeprefix("data ") == (number(v.data) if appeared else "?")
    press(chrome, Keys.ARROW_LEFT)
    assert shown(chrome)["step"] == 2

    grads = list(engine_steps(root))
    chrome.execute_script("document.querySelector('.mgn-st').stepThrough.go(arguments[0])", seed)
    for m in range(len(grads)):  # the seed, then each backward step: the engine's grads after as many steps
        seen = shown(chrome)
        assert seen["step"] == seed + m
        check_grads(seen, values, grads[m])
        if m:
            assert seen["lines"][1:] == words.step(trace.steps[m - 1])  # explain()'s very lines
        press(chrome, Keys.ARROW_RIGHT)
    end = shown(chrome)
    assert end["step"] == page.steps - 1 and end["future"] == 0
    for v in values:
        v.grad = 0.0
    root.backward()
    for i, v in enumerate(values):  # at the end: every Value's data and grad, 4 significant digits
        assert end["texts"][f"v{i}d"].removeprefix("data ") == number(v.data)
        assert end["texts"][f"v{i}g"].removeprefix("grad ") == number(v.grad)
    press(chrome, Keys.HOME)
    assert shown(chrome)["step"] == 0
    press(chrome, Keys.END)
    assert shown(chrome)["step"] == page.steps - 1
    assert browser.console_errors(chrome) == []


def test_the_buttons_and_the_slider(chrome: Any, tmp_path: Path) -> None:
    open_page(chrome, step_through(micrograd_cases.classic()), tmp_path / "page.html")
    click = "document.querySelector('[data-go=\"' + arguments[0] + '\"]').click()"
    chrome.execute_script(click, "end")
    assert shown(chrome)["step"] == 12
    chrome.execute_script(click, "back")
    chrome.execute_script(click, "back")
    assert shown(chrome)["step"] == 10
    chrome.execute_script(click, "next")
    assert shown(chrome)["step"] == 11
    chrome.execute_script(click, "home")
    assert shown(chrome)["step"] == 0
    slide = "const s = document.querySelector('.mgn-st [type=range]'); s.value = 6; s.dispatchEvent(new Event('input'))"
    chrome.execute_script(slide)
    seen = shown(chrome)
    assert seen["step"] == 6 and seen["lines"][1] == "Backward: every grad starts at 0, and o.grad = 1."
    assert chrome.execute_script("return document.querySelector('.mgn-st input[type=range]').value") == "6"
    chrome.execute_script(click, "fit")
    assert chrome.execute_script("return document.querySelector('.mgn-st').classList.contains('mgn-st-full')")
    chrome.execute_script(click, "play")
    assert chrome.execute_script("return document.querySelector('[data-go=play]').textContent") == "❚❚ pause"
    chrome.execute_script(click, "play")
    assert browser.console_errors(chrome) == []


def test_a_backward_step_shows_each_edges_product_and_the_sum_at_a_shared_node(chrome: Any, tmp_path: Path) -> None:
    a = Value(2.0, label="a")
    b = a * 3
    b.label = "b"
    c = a.exp()
    c.label = "c"
    d = b + c
    d.label = "d"
    open_page(chrome, step_through(d), tmp_path / "page.html")
    chrome.execute_script("document.querySelector('.mgn-st').stepThrough.go(arguments[0])", 7)  # c's step
    seen = shown(chrome)
    assert seen["lines"] == [
        "Step 7 of 8, backward pass",
        "  at c = exp(a), with c.grad = 1:",
        "    a.grad += c.grad · c = 1 · 7.389 = 7.389, so a.grad = 3 + 7.389 = 10.39",
    ]
    assert seen["texts"]["v0g"] == "grad 10.39"  # a's sum of its contributions by path
    labels = chrome.execute_script("return [...document.querySelectorAll('.mgn-lab text')].map(t => t.textContent)")
    assert labels == ["7.389 × 1 = 7.389"]  # local derivative × upstream gradient = contribution, on c's edge
    lit = chrome.execute_script(
        """
        const q = s => [...document.querySelectorAll(s)], d = s => document.querySelector(s).getAttribute('d');
        return {nodes: q('.node.mgn-now').map(e => e.id).sort(),
                edges: q('.mgn-trail g').filter(g => g.firstChild.hasAttribute('d')).map(g => [g.getAttribute('class'),
                  g.firstChild.getAttribute('d'), g.lastChild.getAttribute('d')]),
                drawn: {v2e0: [d('#v2e0 path'), document.querySelector('#v2e0 polygon').getAttribute('points')],
                        v2o: [d('#v2o path'), document.querySelector('#v2o polygon').getAttribute('points')]},
                got: q('.mgn-got g').map(g => [g.querySelector('polygon').getAttribute('points'), g.textContent,
                  g.querySelector('text').getAttribute('x'), g.querySelector('text').getAttribute('y')]),
                cell: [['#v0gc', 'points'], ['#v0g', 'x'], ['#v0g', 'y']].map(([s, a]) =>
                  document.querySelector(s).getAttribute(a))};
        """
    )
    assert lit["nodes"] == ["v2", "v2op"]  # c's box and its op, lit as the step's node
    head = {name: "M" + "L".join(points.split()) + "Z" for name, (_, points) in lit["drawn"].items()}
    assert sorted(lit["edges"]) == [["mgn-flow", lit["drawn"]["v2e0"][0], head["v2e0"]],  # a -> exp: the flow
                                    ["mgn-now", lit["drawn"]["v2o"][0], head["v2o"]]]  # fmt: skip
    cell, x, y = lit["cell"]
    assert lit["got"] == [[cell, "grad 10.39", x, y]]  # a's grad, marked over its own cell
    chrome.execute_script("document.querySelector('.mgn-st').stepThrough.go(8)")
    end = shown(chrome)
    assert end["lines"][-1] == "a.grad = 3 (via b) + 7.389 (via c) = 10.39"


OLD_CANVAS = """
const measure = CanvasRenderingContext2D.prototype.measureText;  // as in a browser without a font's metrics on a canvas
CanvasRenderingContext2D.prototype.measureText = function (text) { return {width: measure.call(this, text).width}; };
"""


@pytest.mark.parametrize("metrics", [True, False], ids=["canvas-metrics", "no-canvas-metrics"])
def test_edge_labels_cover_neither_each_other_nor_the_grads_they_change(
    chrome: Any, tmp_path: Path, metrics: bool
) -> None:
    model = MLP(2, [3, 1], seed=0)
    loss = losses.binary_cross_entropy_with_logits(model([[1.0, -0.5], [0.25, 2.0]]), [1, 0])
    page = step_through(loss, module=model)
    patch = None if metrics else chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": OLD_CANVAS})
    try:
        open_page(chrome, page, tmp_path / "page.html")
    finally:
        if patch:
            chrome.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", patch)
    boxes = chrome.execute_script(
        """
        const root = document.querySelector('.mgn-st'), out = [];
        for (let k = 0; k < arguments[0]; k++) {
          root.stepThrough.go(k);
          const box = e => { const b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };
          out.push({labels: [...root.querySelectorAll('.mgn-lab polygon')].map(box),
                    texts: [...root.querySelectorAll('.mgn-lab text')].map(box),
                    grads: [...root.querySelectorAll('.mgn-got polygon')].map(box)});
        }
        return out;
        """,
        page.steps,
    )

    def apart(a: list[float], b: list[float]) -> bool:
        return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]

    crowded = sorted(len(seen["labels"]) for seen in boxes if len(seen["labels"]) > 2)
    assert crowded == [3] * 6 + [7] * 2  # per sample: a hidden neuron w0, w1, b; the output w0..w2, b and its x0..x2
    for seen in boxes:
        labels = seen["labels"]
        assert all(apart(a, b) for i, a in enumerate(labels) for b in labels[i + 1 :]), labels
        assert all(apart(a, g) for a in labels for g in seen["grads"]), seen
        for (x0, y0, x1, y1), text in zip(labels, seen["texts"], strict=True):  # (measured on a canvas: the same box)
            assert x0 <= text[0] and text[2] <= x1 and y0 <= text[1] and text[3] <= y1, (labels, seen["texts"])
    assert browser.console_errors(chrome) == []


def open_tiled_page(driver: Any, tmp_path: Path) -> tuple[Value, StepThrough]:
    """An MLP's loss on two samples, a drawing big enough to be cut into tiles and to scroll: its root, its page."""
    model = MLP(2, [8, 8, 1], seed=1)
    root = losses.mse(model([[0.5, -1.0], [1.5, 0.25]]), [1.0, -1.0])
    page = step_through(root, module=model)
    open_page(driver, page, tmp_path / "page.html")
    return root, page


def test_a_big_drawing_in_tiles_shows_the_engines_numbers_in_every_copy(chrome: Any, tmp_path: Path) -> None:
    """A big drawing is cut into tiles, each part copied into every tile it reaches, and the tiles out of view are
    hidden (until found): every copy of every number still shows the engine's, at the start, after backward steps,
    and after jumps to the start and the end."""
    root, page = open_tiled_page(chrome, tmp_path)
    values = graph_values(root, 10_000, "test")
    read = """
        const root = document.querySelector('.mgn-st'), texts = {}, tiles = [...root.querySelectorAll('.mgn-st-tile')];
        root.stepThrough.go(arguments[0]);
        root.querySelectorAll('.mgn-st-graph text[id]').forEach(t => {
          (texts[t.id] = texts[t.id] || []).push(t.textContent);
        });
        const future = new Set([...root.querySelectorAll('.mgn-future')].map(g => g.id));
        return {texts, future: [...future].sort(), tiles: tiles.length,
                skipped: tiles.filter(t => getComputedStyle(t).contentVisibility === 'hidden').length};
    """

    def at(k: int) -> tuple[dict[str, str], list[str]]:
        got = chrome.execute_script(read, k)
        assert got["tiles"] > 4 and got["skipped"] > 0, got["tiles"]  # in tiles, those out of view skipped
        assert all(len(set(copies)) == 1 for copies in got["texts"].values())  # the copies of a number agree
        texts = {i: copies[0].removeprefix("data ").removeprefix("grad ") for i, copies in got["texts"].items()}
        return texts, got["future"]

    texts, future = at(0)
    assert future == sorted(f"v{i}w" for i, v in enumerate(values) if v.parents)  # each computed Value: not yet
    assert [texts[f"v{i}d"] for i in range(len(values))] == [number(v.data) if not v.parents else "?" for v in values]
    seed = [s[0] for s in page.data["steps"]].index("seed")
    grads = list(engine_steps(root))  # (the engine's grads after each step; at the end, backward()'s)
    for m in (0, 1, 2, len(grads) // 2, len(grads) - 1):  # the seed, the first backward steps, the middle, the last
        texts, future = at(seed + m)
        assert [texts[f"v{i}g"] for i in range(len(values))] == [number(grads[m][v]) for v in values], m
        assert [texts[f"v{i}d"] for i in range(len(values))] == [number(v.data) for v in values] and future == []
    at(0)  # jumps: to the start, then to the end
    texts, future = at(page.steps - 1)
    assert [texts[f"v{i}g"] for i in range(len(values))] == [number(v.grad) for v in values] and future == []
    assert browser.console_errors(chrome) == []


def test_the_view_follows_each_step_and_the_labels_lie_over_the_drawing(chrome: Any, tmp_path: Path) -> None:
    _, page = open_tiled_page(chrome, tmp_path)
    seen = chrome.execute_script(
        """
        const root = document.querySelector('.mgn-st'), view = root.querySelector('.mgn-st-graph');
        const svg = view.querySelector('svg'), over = view.querySelector('svg.mgn-st-over');
        const last = root.stepThrough.last, out = [], moves = new Set();
        const order = [...Array(last + 1).keys()];
        for (const k of [...order, ...order.reverse(), last, 0, last]) {
          root.stepThrough.go(k);
          const step = arguments[0][k];
          if (step[0] === 'in' || step[0] === 'end') continue;
          const node = root.querySelector('#v' + step[1]) || root.querySelector('#v' + step[1] + 'op');
          const r = node.getBoundingClientRect(), c = view.getBoundingClientRect();
          out.push([k, r.left >= c.left && r.right <= c.right && r.top >= c.top && r.bottom <= c.bottom]);
          moves.add(view.scrollTop + ',' + view.scrollLeft);
        }
        const apart = () => {  // how far the labels' layer and each tile are from their place, zoomed in and fitted
          view.querySelectorAll('.mgn-st-tile').forEach(t => { t.style.contentVisibility = 'visible'; });  // as in view
          const a = svg.getBoundingClientRect(), b = over.getBoundingClientRect(), box = svg.viewBox.baseVal;
          const off = [a.left - b.left, a.top - b.top, a.width - b.width, a.height - b.height];
          const kx = a.width / box.width, ky = a.height / box.height;
          view.querySelectorAll('.mgn-st-tile svg').forEach(t => {
            const r = t.getBoundingClientRect(), part = t.viewBox.baseVal;
            off.push(r.left - a.left - (part.x - box.x) * kx, r.top - a.top - (part.y - box.y) * ky,
                     r.width - part.width * kx, r.height - part.height * ky);
          });
          view.querySelectorAll('.mgn-st-tile').forEach(t => { t.style.contentVisibility = ''; });
          return off;
        };
        const full = root.classList.contains('mgn-st-full'), zoomed = apart();
        root.querySelector('[data-go="fit"]').click();
        return {inside: out, moves: moves.size, full, over: [...zoomed, ...apart()],
                tiles: view.querySelectorAll('.mgn-st-tile').length,
                big: [view.scrollWidth > view.clientWidth, view.scrollHeight > view.clientHeight]};
        """,
        page.data["steps"],
    )
    assert seen["full"] and any(seen["big"]), seen["big"]  # the drawing is bigger than its view: it scrolls
    assert [k for k, inside in seen["inside"] if not inside] == []  # every step's node is in view
    assert seen["moves"] > 2  # the view did follow (it scrolled to several places)
    assert seen["tiles"] > 4  # a drawing this big is cut into tiles
    assert all(abs(d) < 0.5 for d in seen["over"]), seen["over"]  # the labels' layer, and each tile, lie in place
    assert browser.console_errors(chrome) == []


def test_the_tiles_near_the_view_are_drawn_and_the_far_ones_hidden_until_found(chrome: Any, tmp_path: Path) -> None:
    """Each tile that the view shows is drawn, after a step, a jump, a scroll by hand and a change of zoom, and each
    tile far from the view is hidden until found (the browser skips it; finding in the page still finds its text)."""
    _, page = open_tiled_page(chrome, tmp_path)
    check = """
        const done = arguments[arguments.length - 1], root = document.querySelector('.mgn-st');
        const view = root.querySelector('.mgn-st-graph');
        const act = {go: k => root.stepThrough.go(k), scroll: k => { view.scrollTop = k; view.scrollLeft = k / 2; },
                     fit: () => root.querySelector('[data-go="fit"]').click()};
        act[arguments[0]](arguments[1]);
        requestAnimationFrame(() => requestAnimationFrame(() => {  // (a scroll or a new size is seen in the next frame)
          const v = view.getBoundingClientRect();
          done([...root.querySelectorAll('.mgn-st-tile:not(.mgn-st-wide)')].map(t => {
            const b = t.getBoundingClientRect();  // how far the tile is from the view (< 0: overlapping), and its state
            return [Math.max(v.left - b.right, b.left - v.right, v.top - b.bottom, b.top - v.bottom),
                    t.getAttribute('hidden'), getComputedStyle(t).contentVisibility];
          }));
        }));
    """
    last = page.steps - 1
    seen_hidden = 0
    for action, arg in [("go", 0), ("go", last // 3), ("go", last), ("go", 0), ("scroll", 2500), ("scroll", 900),
                        ("fit", 0), ("go", last // 2), ("fit", 0), ("go", last - 1)]:  # fmt: skip
        tiles = chrome.execute_async_script(check, action, arg)
        assert len(tiles) > 4
        for gap, hidden, visibility in tiles:
            if gap < 0:  # in view: drawn
                assert hidden is None and visibility == "visible", (action, arg, gap)
            elif gap > 130:  # far (more than 128 px away): hidden until found
                assert hidden == "until-found" and visibility == "hidden", (action, arg, gap)
                seen_hidden += 1
    assert seen_hidden > 10  # (far tiles there were, zoomed in)
    assert browser.console_errors(chrome) == []


def test_the_view_follows_a_small_drawing_after_its_size_changes(chrome: Any, tmp_path: Path) -> None:
    """A drawing too small for tiles: where it is in the view is read again when its size changes (the page gets
    narrower, then zoomed in), so each step still scrolls its node into view."""
    open_page(chrome, step_through(micrograd_cases.classic()), tmp_path / "page.html")
    seen = chrome.execute_async_script(
        """
        const done = arguments[arguments.length - 1], root = document.querySelector('.mgn-st');
        const view = root.querySelector('.mgn-st-graph'), last = root.stepThrough.last, frame = f =>
          requestAnimationFrame(() => requestAnimationFrame(f));
        root.style.width = '520px';  // fitted to a narrower view: the drawing shrinks, and does not scroll
        frame(() => {
          for (let k = 0; k <= last; k++) root.stepThrough.go(k);
          root.querySelector('[data-go="fit"]').click();  // zoomed in: now it scrolls
          frame(() => {
            const out = [];
            for (const k of [...Array(last + 1).keys()].reverse()) {
              root.stepThrough.go(k);
              const step = JSON.parse(root.querySelector('.mgn-st-data').textContent).steps[k];
              if (step[0] === 'in' || step[0] === 'end') continue;
              const node = root.querySelector('#v' + step[1]), r = node.getBoundingClientRect();
              const c = view.getBoundingClientRect();
              out.push(r.left >= c.left && r.right <= c.right && r.top >= c.top && r.bottom <= c.bottom);
            }
            done({inside: out, tiles: root.querySelectorAll('.mgn-st-tile').length,
                  scrolls: view.scrollWidth > view.clientWidth});
          });
        });
        """
    )
    assert seen["tiles"] == 0 and seen["scrolls"]  # one drawing, bigger than its view
    assert seen["inside"] and all(seen["inside"]), seen["inside"]  # every step's node in view
    assert browser.console_errors(chrome) == []


def test_labels_show_as_written_and_run_nothing(chrome: Any, tmp_path: Path) -> None:
    open_page(chrome, step_through(evil_graph()), tmp_path / "page.html")
    press_end = "document.querySelector('.mgn-st').stepThrough.go(99)"
    chrome.execute_script(press_end)
    assert chrome.execute_script("return window.pwned") is None
    texts = chrome.execute_script("return [...document.querySelectorAll('.mgn-st-graph text')].map(t => t.textContent)")
    assert EVIL in texts
    assert any(EVIL in line for line in shown(chrome)["lines"])
    assert browser.console_errors(chrome) == []


HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div id="one"></div><div id="two"></div>
<script>
// JupyterLab's renderHTML for a trusted output: innerHTML, then each script element made anew (so it runs)
window.lab = function (host, html) {
  host.innerHTML = html;
  host.querySelectorAll('script').forEach(function (old) {
    var s = document.createElement('script');
    for (var i = 0; i < old.attributes.length; i++) s.setAttribute(old.attributes[i].name, old.attributes[i].value);
    s.textContent = old.textContent;
    old.parentNode.replaceChild(s, old);
  });
};
// the classic notebook: jQuery's .html() inserts the markup, then evaluates each script's text globally
window.classic = function (host, html) {
  host.innerHTML = html;
  host.querySelectorAll('script').forEach(function (old) {
    if (old.type && old.type !== 'text/javascript') return;
    var s = document.createElement('script');
    s.text = old.textContent;
    document.head.appendChild(s).parentNode.removeChild(s);
  });
};
// an untrusted notebook: the markup only
window.untrusted = function (host, html) { host.innerHTML = html; };
</script></body></html>"""


@pytest.mark.parametrize("how", ["lab", "classic"])
def test_two_pages_in_a_notebook_each_step_on_their_own(chrome: Any, tmp_path: Path, how: str) -> None:
    from selenium.webdriver.common.keys import Keys

    (tmp_path / "notebook.html").write_text(HARNESS, encoding="utf-8")
    chrome.get((tmp_path / "notebook.html").as_uri())
    o = micrograd_cases.classic()
    first, second = step_through(o), step_through(Value(3.0, label="q") * 2)
    for host, page in (("one", first), ("two", second)):
        chrome.execute_script(f"{how}(document.getElementById(arguments[0]), arguments[1])", host, page._repr_html_())
    chrome.execute_script("document.querySelector('#one .mgn-st').focus()")
    press(chrome, Keys.END)
    assert shown(chrome, "#one .mgn-st")["step"] == 12 and shown(chrome, "#two .mgn-st")["step"] == 0
    chrome.execute_script("document.querySelector('#two .mgn-st').focus()")
    press(chrome, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert shown(chrome, "#one .mgn-st")["step"] == 12 and shown(chrome, "#two .mgn-st")["step"] == 2
    assert shown(chrome, "#two .mgn-st")["texts"]["v1g"] == "grad 1"  # the seed of its backward pass
    assert shown(chrome, "#one .mgn-st")["texts"]["v9g"] == "grad 1"  # o's, in the first drawing
    assert browser.console_errors(chrome) == []


def test_an_untrusted_notebook_shows_the_end_state(chrome: Any, tmp_path: Path) -> None:
    (tmp_path / "notebook.html").write_text(HARNESS, encoding="utf-8")
    chrome.get((tmp_path / "notebook.html").as_uri())
    o = micrograd_cases.classic()
    chrome.execute_script("untrusted(document.getElementById('one'), arguments[0])", step_through(o)._repr_html_())
    panel = chrome.execute_script("return document.querySelector('.mgn-st-panel').textContent")
    assert "the end state" in panel and "Run the cell" in panel
    texts = chrome.execute_script(
        "const t = {}; document.querySelectorAll('.mgn-st-graph text[id]').forEach(e => t[e.id] = e.textContent);"
        "return t"
    )
    values = graph_values(o, 100, "t")
    assert [texts[f"v{i}g"] for i in range(len(values))] == [f"grad {number(v.grad)}" for v in values]


def test_any_graph_plays_fused_nodes_lecture_ops_and_top_to_bottom(chrome: Any, tmp_path: Path) -> None:
    x = Value(0.5, label="x")
    out = lecture_tanh(x, label="o")
    y = Value(-1.0, label="y")
    root = mg.logsumexp([out, y, mg.sum_squares([x, y])]) + losses.binary_cross_entropy_with_logits(out * y, 1)
    page = step_through(root, rankdir="TB")
    open_page(chrome, page, tmp_path / "page.html")
    chrome.execute_script("document.querySelector('.mgn-st').stepThrough.go(999)")
    end = shown(chrome)
    root.backward()
    values = graph_values(root, 100, "t")
    for i, v in enumerate(values):
        assert end["texts"][f"v{i}g"] == f"grad {number(v.grad)}"
    lines = str(explain(root, limit=None)).splitlines()
    assert "    x.grad += o.grad · ∂o/∂x = " + number(values[values.index(out)].grad) in "\n".join(lines)
    assert browser.console_errors(chrome) == []


def test_screenshots_of_the_page(chrome: Any, tmp_path: Path) -> None:
    """The page as a learner sees it (kept in the test's folder: look at them when changing the page)."""
    open_page(chrome, step_through(micrograd_cases.classic()), tmp_path / "page.html")
    for k in (0, 5, 9, 12):
        chrome.execute_script("document.querySelector('.mgn-st').stepThrough.go(arguments[0])", k)
        png = chrome.get_screenshot_as_png()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        (tmp_path / f"step{k}.png").write_bytes(png)
    shot = chrome.execute_script(
        "const r = document.querySelector('.mgn-st-graph svg').getBoundingClientRect(); return [r.width, r.height]"
    )
    assert shot[0] > 800 and 100 < shot[1] < 400  # the neuron fills the width, not clipped and not tiny
