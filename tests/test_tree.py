"""draw_tree: the text drawing of a graph, which needs nothing installed."""

from __future__ import annotations

import doctest
import sys

import micrograd_cases
import pytest

import microgradnet as mg
import microgradnet.render.tree
from microgradnet import Value, draw_tree


def test_the_classic_example() -> None:
    assert draw_tree(micrograd_cases.classic()) == (
        "o = tanh  data 0.7071  grad 1\n"
        "└─ n = +  data 0.8814  grad 0.5\n"
        "   ├─ +  data -6  grad 0.5\n"
        "   │  ├─ *  data -6  grad 0.5\n"
        "   │  │  ├─ x1  data 2  grad -1.5\n"
        "   │  │  └─ w1  data -3  grad 1\n"
        "   │  └─ *  data 0  grad 0.5\n"
        "   │     ├─ x2  data 0  grad 0.5\n"
        "   │     └─ w2  data 1  grad 0\n"
        "   └─ b  data 6.881  grad 0.5"
    )


def test_shared_values_are_written_once_and_operand_roles_are_named() -> None:
    a, c = Value(2.0, label="a"), Value(3.0)
    y = mg.linear([a, c], [1.0, 2.0], 0.5) - a / c
    y.backward()
    assert draw_tree(y, show_grad=False) == (
        "-  data 7.833\n"
        "├─ x: Σ w·x + b (n = 2, x = (1, 2))  data 8.5\n"
        "│  ├─ w0: a #1  data 2\n"
        "│  ├─ w1: leaf #2  data 3\n"
        "│  └─ b: leaf  data 0.5\n"
        "└─ y: /  data 0.6667\n"
        "   ├─ x: a #1 (see above)\n"
        "   └─ y: leaf #2 (see above)"
    )


def test_a_graph_with_exponentially_many_paths_gives_text_as_large_as_the_graph() -> None:
    v = Value(1.0, label="v")
    for _ in range(60):
        v = v + v  # 2**60 paths from the root to the leaf
    text = draw_tree(v)
    assert len(text.splitlines()) == 1 + 60 * 2 + 1  # each node once in full, and one back-reference
    lines = text.splitlines()
    assert lines[:3] == [
        "+  data 1.153e+18  grad 0",
        "├─ + #1  data 5.765e+17  grad 0",
        "│  ├─ + #2  data 2.882e+17  grad 0",
    ]
    assert lines[-2:] == ["└─ + #1 (see above)", "(grad not computed: backward() has not run on this graph yet)"]
    assert [line.strip("│ ├└─") for line in lines if line.lstrip("│ ├└─").startswith("v")] == [
        "v #60  data 1  grad 0",
        "v #60 (see above)",
    ]


def test_depth_draws_the_part_nearest_the_output() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = ((a * b).exp() + a) * 2
    c.backward()
    assert draw_tree(c, depth=2, show_grad=False) == (
        "* 2  data 810.9\n└─ +  data 405.4\n   ├─ exp  data 403.4\n   │  └─ … 1 input\n   └─ a  data 2"
    )
    assert draw_tree(c, depth=0) == "* 2  data 810.9  grad 1\n└─ … 1 input"
    assert draw_tree(c, depth=4) == draw_tree(c) != draw_tree(c, depth=3)


def test_a_graph_deeper_than_the_recursion_limit() -> None:
    n = sys.getrecursionlimit() + 500
    v = Value(0.5, label="x")
    for _ in range(n - 1):
        v = v * 1.0
    v.backward()
    lines = draw_tree(v, max_nodes=n, precision=2).splitlines()
    assert len(lines) == n
    assert lines[-1] == " " * (3 * (n - 2)) + "└─ x  data 0.5  grad 1"


def test_labels_with_newlines_and_control_characters_stay_on_one_line() -> None:
    assert draw_tree(Value(1.0, label="two\nlines\t\x00")) == "two\\nlines\\t\\x00  data 1  grad 0"


def test_max_nodes_and_bad_arguments() -> None:
    v = Value(1.0)
    for _ in range(10):
        v = v * 2
    with pytest.raises(ValueError, match=r"^draw_tree: the graph has 11 values, more than max_nodes=10 "):
        draw_tree(v, max_nodes=10)
    with pytest.raises(TypeError, match=r"draw_tree\(root\) must be a Value, got str: 'x'"):
        draw_tree("x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"draw_tree\(precision\) must be an int from 1 to 17, got True"):
        draw_tree(v, precision=True)


def test_the_module_docstring_example_runs() -> None:
    result = doctest.testmod(microgradnet.render.tree, raise_on_error=False)
    assert result.attempted == 5 and result.failed == 0


def test_before_backward_the_tree_says_that_the_gradients_are_not_computed() -> None:
    a = Value(2.0, label="a")
    b = a * a
    note = "(grad not computed: backward() has not run on this graph yet)"
    assert draw_tree(b).splitlines()[-1] == note
    assert note not in draw_tree(b, show_grad=False)
    b.backward()
    assert draw_tree(b).splitlines() == ["*  data 4  grad 1", "├─ a #1  data 2  grad 4", "└─ a #1 (see above)"]
