"""draw_dot: the DOT source (always), real renders with Graphviz's dot (where installed), escaping,
colouring, highlighting, clusters, the size guard, and the errors for a missing dot or graphviz."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import micrograd_cases
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import microgradnet as mg
from microgradnet import GraphvizNotFoundError, Value, draw_dot
from microgradnet.render.graph import graph_values, visible

graphviz = pytest.importorskip("graphviz")
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot program is not installed")
SVG = "{http://www.w3.org/2000/svg}"


def edges(source: str) -> list[tuple[str, str, str]]:
    """(tail, head, label) for every edge statement of a DOT source, in order."""
    found = re.findall(r"^\s*(\w+) -> (\w+)(?: \[label=(\S+)\])?$", source, re.MULTILINE)
    return [(a, b, label) for a, b, label in found]


def node_labels(source: str) -> dict[str, str]:
    """node id -> its label attribute (HTML-like, without the outer <>)."""
    return dict(re.findall(r"^\s*(\w+) \[label=<(.*)> .*\]$", source, re.MULTILINE))


def svg_nodes(svg: str) -> dict[str, list[str]]:
    """node id -> the texts drawn in it (non-breaking spaces read as spaces), from an SVG rendered by dot."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "node":
            title = g.find(f"{SVG}title")
            assert title is not None and title.text is not None
            out[title.text] = [(t.text or "").replace("\xa0", " ") for t in g.iter(f"{SVG}text")]
    return out


# -- the DOT source ---------------------------------------------------------------------------------
def test_returns_a_digraph_with_the_graph_of_the_classic_example() -> None:
    dot = draw_dot(micrograd_cases.classic())
    assert isinstance(dot, graphviz.Digraph)
    assert dot.format == "svg"
    labels = node_labels(dot.source)
    values = {k: v for k, v in labels.items() if not k.endswith("op")}
    ops = {k: v for k, v in labels.items() if k.endswith("op")}
    assert len(values) == 10 and sorted(ops.values()) == ["*", "*", "+", "+", "tanh"]
    assert "<td><b>o</b></td><td>data 0.7071</td><td>grad 1</td>" in values["v9"]
    assert "<td><b>x1</b></td><td>data 2</td><td>grad -1.5</td>" in values["v0"]
    assert "<td><b>w1</b></td><td>data -3</td><td>grad 1</td>" in values["v1"]
    assert "<td><b>b</b></td><td>data 6.881</td><td>grad 0.5</td>" in values["v7"]
    # each computed Value has its op node; operands point at the op node; + and * need no operand names
    assert edges(dot.source) == [
        ("v2op", "v2", ""), ("v5op", "v5", ""), ("v6op", "v6", ""), ("v8op", "v8", ""), ("v9op", "v9", ""),
        ("v0", "v2op", ""), ("v1", "v2op", ""), ("v3", "v5op", ""), ("v4", "v5op", ""),
        ("v2", "v6op", ""), ("v5", "v6op", ""), ("v6", "v8op", ""), ("v7", "v8op", ""), ("v8", "v9op", ""),
    ]  # fmt: skip


def test_the_same_graph_gives_byte_identical_source_in_every_process() -> None:
    code = (
        "from microgradnet import Value, draw_dot\n"
        "a = Value(2.0, label='a'); b = Value(-1.5, label='b')\n"
        "c = (a * b + a.exp()) / (b - 2) ** 2; c.backward()\n"
        "print(draw_dot(c, color_by='grad', highlight=[a]).source, end='')\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    ]  # fmt: skip
    a = Value(2.0, label="a")
    b = Value(-1.5, label="b")
    c = (a * b + a.exp()) / (b - 2) ** 2
    c.backward()
    here = draw_dot(c, color_by="grad", highlight=[a]).source
    assert runs[0] == runs[1] == here
    assert re.findall(r"^\s*(v\d+) \[", here, re.MULTILINE) == [f"v{i}" for i in range(8)]  # traversal order


def test_a_value_used_twice_gets_two_edges() -> None:
    a = Value(3.0, label="a")
    assert edges(draw_dot(a * a).source) == [("v1op", "v1", ""), ("v0", "v1op", ""), ("v0", "v1op", "")]
    assert edges(draw_dot(a + a).source).count(("v0", "v1op", "")) == 2


@pytest.mark.parametrize(
    ("make", "op"),
    [
        (lambda a: a * 2, "* 2"),
        (lambda a: 2 - a, "2 -"),
        (lambda a: a - 2.5, "- 2.5"),
        (lambda a: a**3, "** 3"),
        (lambda a: 2**a, "2 **"),
        (lambda a: 1 / a, "1 /"),
        (lambda a: a + 1e-9, "+ 1e-09"),
        (lambda a: -a, "neg"),
        (lambda a: abs(a), "abs"),
        (lambda a: a.relu(), "ReLU"),
        (lambda a: a.leaky_relu(0.1), "leaky_relu(·, 0.1)"),
        (lambda a: a.tanh(), "tanh"),
    ],
)
def test_op_nodes_show_the_op_and_its_constant_operand(make: Any, op: str) -> None:
    labels = node_labels(draw_dot(make(Value(3.0))).source)
    assert labels["v1op"] == op
    assert len(labels) == 3  # the constant is not a node


def test_operands_whose_order_matters_are_named_on_the_edges() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    assert edges(draw_dot(a - b).source)[1:] == [("v0", "v2op", "x"), ("v1", "v2op", "y")]
    assert edges(draw_dot(b / a).source)[1:] == [("v0", "v2op", "x"), ("v1", "v2op", "y")]
    assert edges(draw_dot(a**b).source)[1:] == [("v0", "v2op", "base"), ("v1", "v2op", "exponent")]
    assert edges(draw_dot(a.leaky_relu(b)).source)[1:] == [("v0", "v2op", "x"), ("v1", "v2op", "slope")]


def test_fused_nodes_say_what_they_sum() -> None:
    w = [Value(0.5, label="w0"), Value(-1.0, label="w1")]
    x = [Value(2.0, label="x0"), Value(3.0, label="x1")]
    b = Value(0.25, label="b")
    source = draw_dot(mg.linear(w, x, b)).source
    assert node_labels(source)["v5op"] == "Σ w·x + b<br/>n = 2"
    assert [label for _, _, label in edges(source)[1:]] == ["w0", "w1", "x0", "x1", "b"]
    source = draw_dot(mg.linear(w, [1.0, 2.0], b)).source
    assert node_labels(source)["v3op"] == "Σ w·x + b<br/>n = 2, x = (1, 2)"
    assert [label for _, _, label in edges(source)[1:]] == ["w0", "w1", "b"]
    many = mg.linear([Value(1.0) for _ in range(6)], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    assert node_labels(draw_dot(many).source)["v7op"] == "Σ w·x + b<br/>n = 6, x = (1, 2, 3, 4, …)"
    assert node_labels(draw_dot(mg.sum([Value(1.0), Value(2.0), Value(3.0)])).source)["v3op"] == "Σ<br/>3 terms"
    three = [Value(1.0), Value(2.0), Value(3.0)]
    assert node_labels(draw_dot(mg.sum_squares(three)).source)["v3op"] == "Σ x²<br/>3 terms"
    loss = mg.logsumexp(three) - three[2]  # a cross-entropy: its normaliser and the label's score
    labels = node_labels(draw_dot(loss).source)
    assert labels["v3op"] == "log Σ exp<br/>3 terms" and labels["v4op"] == "-"
    assert edges(draw_dot(loss).source)[-5:] == [
        ("v0", "v3op", ""), ("v1", "v3op", ""), ("v2", "v3op", ""), ("v3", "v4op", "x"), ("v2", "v4op", "y"),
    ]  # fmt: skip


def test_show_grad_false_and_precision() -> None:
    source = draw_dot(micrograd_cases.classic(), show_grad=False, precision=2).source
    assert "grad" not in source
    assert "<td><b>b</b></td><td>data 6.9</td></tr>" in source
    assert "data 0.71" in source
    assert "data 6.881373587019543<" in draw_dot(micrograd_cases.classic(), precision=16).source


def test_labels_are_escaped_in_the_source() -> None:
    a = Value(1.0, label='a<b>&"c\\ {x}|y')
    assert node_labels(draw_dot(a).source)["v0"].count("<b>a&lt;b&gt;&amp;&quot;c\\\\ {x}|y</b>") == 1
    assert "<b>one<br/>two\\\\t</b>" in draw_dot(Value(1.0, label="one\ntwo\t")).source


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"rankdir": "XY"}, ValueError, "draw_dot(rankdir) must be one of LR, RL, TB, BT, got 'XY'"),
        ({"color_by": "data"}, ValueError, "draw_dot(color_by) must be None or 'grad', got 'data'"),
        ({"precision": 0}, ValueError, "draw_dot(precision) must be an int from 1 to 17, got 0"),
        ({"format": "docx"}, ValueError, "draw_dot(format) must be a Graphviz format ('svg', 'png', 'pdf', ...)"),
        ({"max_nodes": 0}, ValueError, "draw_dot(max_nodes) must be a positive int, got 0"),
        ({"highlight": [1.0]}, TypeError, "draw_dot(highlight) must be Values, got float: 1.0"),
        ({"module": object()}, TypeError, "draw_dot(module) must have a named_parameters() method, got object"),
    ],
)
def test_bad_arguments_are_refused_clearly(kwargs: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error) as e:
        draw_dot(Value(1.0) * 2, **kwargs)
    assert str(e.value).startswith(message)


def test_root_must_be_a_value() -> None:
    with pytest.raises(TypeError, match=r"draw_dot\(root\) must be a Value, got float: 1.0"):
        draw_dot(1.0)  # type: ignore[arg-type]


# -- size guard, deep graphs ------------------------------------------------------------------------
def chain(n: int) -> Value:
    v = Value(0.5, label="x")
    for _ in range(n - 1):
        v = v * 1.0
    return v


def test_max_nodes_refuses_a_large_graph_and_says_how_to_draw_part_of_it() -> None:
    with pytest.raises(ValueError) as e:
        draw_dot(chain(501))
    assert str(e.value) == (
        "draw_dot: the graph has 501 values, more than max_nodes=500 can show readably; draw the part nearest the "
        "output (draw_dot(root, depth=3)) or from an intermediate value (draw_dot(root.parents[0])), "
        "or pass max_nodes=501 to draw it all"
    )
    root = chain(501)
    assert len(node_labels(draw_dot(root, max_nodes=501).source)) == 501 + 500
    assert len(node_labels(draw_dot(root.parents[0]._prev[0]).source)) == 499 + 498  # a part of it


def test_depth_draws_the_part_nearest_the_output_and_says_what_is_left_out() -> None:
    root = chain(10_000)
    source = draw_dot(root, depth=2).source
    assert len(node_labels(source)) == 3 + 3  # 3 Values, 3 op nodes, and one "…" stub:
    assert '\tv0more [label="… 1 input" fontcolor="#7f7f7f" shape=plaintext]' in source
    assert '\tv0more -> v0op [color="#7f7f7f" style=dashed]' in source
    assert edges(source)[-2:] == [("v0", "v1op", ""), ("v1", "v2op", "")]
    o = micrograd_cases.classic()
    source = draw_dot(o, depth=2).source  # o, n, and n's operands: x1*w1 + x2*w2 and b
    assert sorted(node_labels(source)[k] for k in node_labels(source) if k.endswith("op")) == ["+", "+", "tanh"]
    assert "… 2 inputs" in source
    assert draw_dot(o, depth=4).source == draw_dot(o).source  # deep enough: everything, no stubs
    a = Value(2.0, label="a")
    diamond = (a * 3) * a  # a is 1 op away by one path and 2 by the other: it is drawn, with both edges
    assert "more" not in draw_dot(diamond, depth=1).source
    assert len(edges(draw_dot(diamond, depth=1).source)) == 2 + 1 + 1 + 1  # 2 op->value, a->*, a->* 3, ...
    with pytest.raises(ValueError, match=r"draw_dot\(depth\) must be None or an int >= 0, got -1"):
        draw_dot(o, depth=-1)


def test_a_graph_deeper_than_the_recursion_limit_is_drawn() -> None:
    n = sys.getrecursionlimit() * 3
    source = draw_dot(chain(n), max_nodes=n).source
    assert source.count(" -> ") == 2 * (n - 1)


# -- colour by gradient, highlight --------------------------------------------------------------------
def test_color_by_grad_fills_each_value_by_the_size_of_its_gradient_with_a_legend() -> None:
    grads = [0.0, 3e-7, -5e-5, 2e-3, -0.5, 300.0, 5e4, -2e6, float("inf"), float("nan")]
    leaves = [Value(1.0, label=f"g{i}") for i in range(len(grads))]
    for v, g in zip(leaves, grads):
        v.grad = g
    source = draw_dot(mg.sum(leaves), color_by="grad").source
    fills = [re.search(r'bgcolor="([^"]+)"', node_labels(source)[f"v{i}"]) for i in range(len(grads))]
    expected = ["#bdbdbd", "#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b", "#000000"]
    assert [m.group(1) if m else None for m in fills] == [*expected, "#000000"]
    legend = node_labels(source)["legend"]
    assert "&lt; 1e-6 (vanishing)" in legend and "≥ 1e6 (exploding)" in legend and "inf or nan" in legend
    assert 'bgcolor="white"' in draw_dot(mg.sum(leaves)).source and "legend" not in draw_dot(mg.sum(leaves)).source


def test_highlight_outlines_exactly_the_chosen_values() -> None:
    o = micrograd_cases.classic()
    n = o._prev[0]
    source = draw_dot(o, highlight={n, o}).source
    marked = [k for k, v in node_labels(source).items() if 'border="3" color="#d62728"' in v]
    assert marked == ["v8", "v9"]
    assert [k for k, v in node_labels(draw_dot(o, highlight=n).source).items() if 'border="3"' in v] == ["v8"]


# -- clusters ---------------------------------------------------------------------------------------
def clusters_of(source: str) -> dict[str, tuple[str, ...]]:
    """node id -> the labels of the clusters it is drawn in, outermost first."""
    stack: list[str] = []
    out: dict[str, tuple[str, ...]] = {}
    for line in source.splitlines():
        line = line.strip()
        if line.startswith("subgraph cluster_"):
            stack.append("?")
        elif line == "}" and stack:
            stack.pop()
        elif stack and stack[-1] == "?" and (m := re.search(r"label=<([^>]*)>", line)) and "->" not in line:
            stack[-1] = m.group(1)
        elif m := re.match(r"(\w+) \[label=", line):
            out[m.group(1)] = tuple(stack)
    return out


class FakeModule:
    """Anything with named_parameters() can be clustered: here two neurons of one layer, and an unused one."""

    def __init__(self, params: Iterable[tuple[str, Value]]) -> None:
        self.params = list(params)

    def named_parameters(self) -> list[tuple[str, Value]]:
        return self.params


def test_clusters_group_each_neuron_with_its_parameters_inside_its_layer() -> None:
    x = [Value(1.0, label="x0"), Value(-2.0, label="x1")]
    p = [Value(0.1 * i) for i in range(9)]
    model = FakeModule(
        [("layers.0.neurons.0.w.0", p[0]), ("layers.0.neurons.0.w.1", p[1]), ("layers.0.neurons.0.b", p[2]),
         ("layers.0.neurons.1.w.0", p[3]), ("layers.0.neurons.1.w.1", p[4]), ("layers.0.neurons.1.b", p[5]),
         ("layers.1.neurons.0.w.0", p[6]), ("layers.1.neurons.0.b", p[7]), ("unused.w", p[8])]
    )  # fmt: skip
    h0 = mg.linear(p[0:2], x, p[2]).tanh()
    h1 = (p[3] * x[0] + p[4] * x[1] + p[5]).relu()  # an unfused neuron
    out = mg.linear([p[6]], [h0], p[7]) + h1
    loss = (out - 1.0) ** 2
    source = draw_dot(loss, module=model).source
    where = clusters_of(source)
    labels = node_labels(source)
    ids = {v: f"v{i}" for i, v in enumerate(graph_values(loss, 1000, "test"))}
    layer0, layer1 = ("FakeModule", "layers.0"), ("FakeModule", "layers.1")
    n0, n1, n2 = (*layer0, "layers.0.neurons.0"), (*layer0, "layers.0.neurons.1"), (*layer1, "layers.1.neurons.0")
    assert [where[ids[v]] for v in p[:8]] == [n0, n0, n0, n1, n1, n1, n2, n2]
    assert where[ids[x[0]]] == where[ids[x[1]]] == ()
    assert where[ids[h0]] == where[ids[h0._prev[0]]] == where[ids[h0._prev[0]] + "op"] == n0  # Σ and tanh
    unfused = [h1, h1._prev[0], *h1._prev[0]._prev[:1], *h1._prev[0]._prev[0]._prev]  # relu, + b, +, w·x, w·x
    assert [where[ids[v]] for v in unfused] == [n1] * 5
    assert where[ids[out._prev[0]]] == n2
    assert where[ids[out]] == where[ids[out] + "op"] == ()  # mixes two parts
    assert where[ids[loss]] == where[ids[loss._prev[0]]] == ()  # the loss belongs to no part
    # parameters without a label show their name within the part, in italics
    assert sorted(labels[k].split("<i>")[1].split("</i>")[0] for k in where if "<i>" in labels[k]) == [
        "b", "b", "b", "w.0", "w.0", "w.0", "w.1", "w.1"
    ]  # fmt: skip
    assert "unused" not in source
    assert source.count("subgraph cluster_") == 6  # module, 2 layers, 3 neurons


def test_module_parameters_must_be_named_values() -> None:
    with pytest.raises(TypeError, match=r"named_parameters\(\) must give \(str, Value\) pairs, got \('w', 1.0\)"):
        draw_dot(Value(1.0) * 2, module=FakeModule([("w", 1.0)]))  # type: ignore[list-item]


def test_clusters_of_a_real_mlp() -> None:
    nn = pytest.importorskip("microgradnet.nn")
    model = nn.MLP(2, [3, 1])
    x = [Value(1.0, label="x0"), Value(2.0, label="x1")]
    loss = (model(x) - 1.0) ** 2
    loss.backward()
    source = draw_dot(loss, module=model).source
    where = clusters_of(source)
    ids = {v: f"v{i}" for i, v in enumerate(graph_values(loss, 1000, "test"))}
    params = model.named_parameters()
    assert len(params) == 13
    for name, p in params:
        layer, neuron = name.split(".")[1], name.split(".")[3]
        assert where[ids[p]] == ("MLP", f"layers.{layer}", f"layers.{layer}.neurons.{neuron}"), name
    # inside the 4 neurons: 13 parameters, 4 weighted sums, 3 hidden ReLUs (the output layer is linear)
    assert len([k for k, c in where.items() if len(c) == 3 and not k.endswith("op")]) == 13 + 4 + 3
    assert len([k for k, c in where.items() if len(c) == 3 and k.endswith("op")]) == 4 + 3
    assert where[ids[loss]] == where[ids[loss._prev[0]]] == where[ids[x[0]]] == ()


# -- rendering with dot -----------------------------------------------------------------------------
@needs_dot
def test_svg_render_shows_every_node_with_its_label_data_and_grad(tmp_path: Path) -> None:
    dot = draw_dot(micrograd_cases.classic())
    svg = dot.pipe(encoding="utf-8")
    nodes = svg_nodes(svg)
    assert len(nodes) == 15  # 10 Values + 5 ops
    assert nodes["v9"] == ["o", "data 0.7071", "grad 1"]
    assert nodes["v0"] == ["x1", "data 2", "grad -1.5"]
    assert nodes["v2"] == ["data -6", "grad 0.5"]
    assert sorted(nodes[k][0] for k in nodes if k.endswith("op")) == ["*", "*", "+", "+", "tanh"]
    assert len([g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "edge"]) == 14
    tooltips = [a.get("{http://www.w3.org/1999/xlink}title") for a in ET.fromstring(svg).iter(f"{SVG}a")]
    assert "data = 0.7071067811865477, grad = 1.0" in tooltips and "tanh" in tooltips  # exact numbers on hover
    path = dot.render(tmp_path / "graph", format="svg")
    assert Path(path).read_text(encoding="utf-8") == svg


@needs_dot
def test_png_render() -> None:
    png = draw_dot(micrograd_cases.classic(), format="png").pipe()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > 300 and height > 100


TRICKY = ['{ } | < > " \\', "a\\Nb\\G\\l\\\\", "ünïcødé ✓ 日本 𝔘 😀", "two\nlines", "&amp; &lt;", "tab\there", "]]>"]


@needs_dot
def test_tricky_labels_round_trip_through_a_real_render() -> None:
    leaves = [Value(float(i), label=text) for i, text in enumerate(TRICKY)]
    nodes = svg_nodes(draw_dot(mg.sum(leaves), show_grad=False).pipe(encoding="utf-8"))
    shown = [nodes[f"v{i}"][:-1] for i in range(len(TRICKY))]
    assert shown == [
        ['{ } | < > " \\'], ["a\\Nb\\G\\l\\\\"], ["ünïcødé ✓ 日本 𝔘 😀"], ["two", "lines"], ["&amp; &lt;"],
        ["tab\\there"], ["]]>"],
    ]  # fmt: skip
    ops = svg_nodes(draw_dot(Value(1.0, label="<&>") ** 2).pipe(encoding="utf-8"))
    assert ops["v1op"] == ["** 2"] and ops["v0"][0] == "<&>"


@needs_dot
@pytest.mark.parametrize("text", ["\n]", "]\n]", "x\n]", "]\nx", "a]\n[b]]>"])
def test_a_bracket_keeps_its_line(text: str) -> None:
    # Graphviz 2.43 drew "]<br/>x" as one line "]x" and dropped the "]" of "x<br/>]" (found by the test below)
    nodes = svg_nodes(draw_dot(mg.sum([Value(1.0, label=text)]), show_grad=False).pipe(encoding="utf-8"))
    assert nodes["v0"] == [*(line for line in text.split("\n") if line), "data 1"]


@needs_dot
@settings(max_examples=25)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=4))
def test_any_label_shows_as_written(texts: list[str]) -> None:
    leaves = [Value(1.0, label=t) for t in texts]
    nodes = svg_nodes(draw_dot(mg.sum(leaves), show_grad=False).pipe(encoding="utf-8"))
    for i, text in enumerate(texts):
        lines = [line.replace("\xa0", " ") for line in visible(text, "\n").split("\n") if line]
        assert nodes[f"v{i}"] == [*lines, "data 1"]


# -- missing dot, missing graphviz ------------------------------------------------------------------
INSTALL = ("sudo apt-get install graphviz", "brew install graphviz", "conda install -c conda-forge graphviz")


def test_without_dot_the_source_is_produced_and_rendering_says_how_to_install_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    dot = draw_dot(micrograd_cases.classic())
    assert "tanh" in dot.source
    for render in (lambda: dot.pipe(), lambda: dot.render(tmp_path / "g"), lambda: dot.pipe(format="png")):
        with pytest.raises(GraphvizNotFoundError) as e:
            render()
        assert all(how in str(e.value) for how in INSTALL)
        assert "`dot` program was not found" in str(e.value) and ".source" in str(e.value)
        assert isinstance(e.value.__cause__, graphviz.ExecutableNotFound)
    bundle = dot._repr_mimebundle_()
    assert list(bundle) == ["text/plain"] and "brew install graphviz" in bundle["text/plain"]


def test_without_the_graphviz_package_the_error_names_the_viz_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError) as e:
        draw_dot(Value(1.0))
    assert 'pip install "microgradnet[viz]"' in str(e.value) and e.value.name == "graphviz"
    assert "data 1" in mg.draw_tree(Value(1.0))  # the text drawing needs nothing


def test_importing_microgradnet_does_not_import_graphviz() -> None:
    code = "import sys, microgradnet; print('graphviz' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
