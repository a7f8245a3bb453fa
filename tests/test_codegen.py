"""to_python: a graph as a readable program that reproduces the engine bit for bit, and never runs a label."""

from __future__ import annotations

import ast
import math
import struct
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import microgradnet as mg
from microgradnet import Value, losses, nn
from microgradnet.cli import main
from microgradnet.codegen import NotCompilableError, Program, to_python
from microgradnet.engine import FusedNode, SourceWriter
from microgradnet.testing import Expression
from microgradnet.testing.strategies import expressions

X = [[0.5, -1.0], [1.5, 0.25], [-0.3, 0.8], [0.0, 0.0]]


def bits(x: float) -> bytes:
    """x's IEEE bits (every nan alike): equal bits mean the same float, the sign of a zero included."""
    return b"nan" if x != x else struct.pack("<d", x)


def engine_grads(root: Value, inputs: Sequence[Value]) -> list[float]:
    for x in inputs:
        x.grad = 0.0
    root.backward()
    return [x.grad for x in inputs]


def assert_reproduces(root: Value) -> Program:
    """The program gives root's data and the engine's gradients, bit for bit."""
    program = to_python(root)
    want = engine_grads(root, program.inputs)
    value, grads = program(*[x.data for x in program.inputs])
    assert bits(value) == bits(root.data), str(program)
    assert [bits(g) for g in grads] == [bits(g) for g in want], str(program)
    return program


def test_the_readme_neuron_reads_as_python_and_gives_the_engines_numbers() -> None:
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    x2, w2 = Value(0.0, label="x2"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    program = assert_reproduces(o)
    text = str(program)
    assert program.inputs == (x1, w1, x2, w2, b) and program.names == ("x1", "w1", "x2", "w2", "b")
    assert "def program(x1, w1, x2, w2, b):" in text
    assert "    o = math.tanh(add2)\n" in text  # floats.tanh, inlined: one line per node
    assert "    add2_grad = o_grad * (1.0 - o * o)\n" in text  # tanh's rule from the op table: add2's one step
    assert "    x1_grad += mul1_grad * w1\n" in text  # mul's rule "y": the other operand; inputs accumulate
    assert "    x1_grad = w1_grad = x2_grad = w2_grad = b_grad = 0.0\n" in text  # only the inputs start at 0
    assert text.startswith("import math\n")
    forward = text[text.index("# forward") : text.index("# backward")]
    assert forward.count("\n") == 6  # the comment and five nodes
    value, grads = program(1.0, 1.0, 1.0, 1.0, 0.0)  # another point: the same function
    assert value == math.tanh(2.0) and grads[0] == pytest.approx(1.0 - math.tanh(2.0) ** 2, rel=1e-15)


def test_a_node_gradient_is_assigned_first_then_accumulated() -> None:
    """`g = c` at a node's first step, `+=` where more come; a first step of -0.0 changes no input's gradient."""
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    shared = a * b
    shared.label = "s"
    text = str(assert_reproduces(shared * shared - b * 2.0))
    assert "    s_grad = mul1_grad * s\n    s_grad += mul1_grad * s\n" in text  # s*s: two steps into s
    assert "    mul2_grad = -sub1_grad\n" in text  # sub's rule -1, the first step of mul2
    x = Value(3.0, label="x")
    program = assert_reproduces((x * 2.0) * -0.0)  # mul1's gradient is -0.0; the engine's 0.0 + -0.0 is 0.0
    assert "    mul1_grad = mul2_grad * (-0.0)\n" in str(program)
    assert math.copysign(1.0, program(3.0)[1][0]) == 1.0  # x's gradient is +0.0, as the engine's


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(e=expressions(max_leaves=8, n_inputs=3), other=st.tuples(*[st.floats(-3, 3)] * 3))
def test_random_expressions_are_reproduced_bit_for_bit_here_and_elsewhere(
    e: Expression, other: tuple[float, float, float]
) -> None:
    program = assert_reproduces(e(*[Value(x, label=f"x{i}") for i, x in enumerate(e.inputs)]))
    elsewhere = [Value(x, label=f"x{i}") for i, x in enumerate(other)]  # the same function at another point
    root = e(*elsewhere)
    used = [elsewhere[int(name[1:])] for name in program.names]
    value, grads = program(*[x.data for x in used])
    assert bits(value) == bits(root.data)
    assert [bits(g) for g in grads] == [bits(g) for g in engine_grads(root, used)]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear"])
def test_an_mlp_with_each_loss_is_reproduced_bit_for_bit(activation: str) -> None:
    model = nn.MLP(2, [4, 3, 1], activation=activation, seed=1)
    assert_reproduces(losses.hinge(model(X), [1, 0, 1, 0]) + losses.l2(model, 1e-3))
    assert_reproduces(losses.mse(model(X), [1.0, 0.0, 2.0, -1.0], reduction="sum"))
    assert_reproduces(losses.binary_cross_entropy_with_logits(model(X), [1, 0, 0.25, 0]))
    probability = nn.MLP(2, [4, 3, 1], activation=activation, output_activation="sigmoid", seed=1)
    assert_reproduces(losses.binary_cross_entropy(probability(X), [1, 0, 0.25, 0]))
    classes = nn.MLP(2, [4, 3], activation=activation, seed=2)
    assert_reproduces(losses.cross_entropy(classes(X), [0, 2, 1, 1]))
    assert_reproduces(losses.cross_entropy(classes(X[0]), 2))
    rows = [[Value(a), Value(b)] for a, b in X]  # Value inputs: the layers' input rows are nodes
    assert_reproduces(mg.sum([model(x) for x in rows]))


def test_what_the_engine_does_with_nan_and_inf_the_program_does() -> None:
    model = nn.MLP(2, [4, 1], seed=3)
    model.layers[0].neurons[1].w[0].data = math.nan  # a nan pre-activation
    model.layers[0].neurons[2].b.data = math.inf
    program = assert_reproduces(losses.hinge(model(X), [1, 0, 1, 0]))
    assert any(math.isnan(g) for g in program(*[x.data for x in program.inputs])[1])
    a, b = Value(-0.0), Value(0.0)
    assert_reproduces(a * b + (a - b).relu().sqrt() + (b / a) + (a.log() * 0.0))


def test_fused_nodes_and_the_numbers_folded_into_them() -> None:
    a, b = Value(0.5, label="a"), Value(-0.0, label="b")
    program = assert_reproduces(mg.sum([a, 2.0, b], -0.0) * mg.sum_squares([a, 3.0, b]))
    assert "sum1 = -0.0 + a + 2.0 + b" in str(program).replace("(-0.0)", "-0.0")  # in the engine's order
    assert_reproduces(losses.mse([a, 2.0, b], [1.0, 0.5, 0.0]) + losses.hinge([1.5, a], [1, 0], reduction="sum"))
    assert_reproduces(mg.sum([a, b], a) + mg.logsumexp([a, b, 3.0]) + mg.linear([a, b], [1.5, 2.5], a * b))
    program = assert_reproduces(mg.linear([a, b], [1.5, -2.5], Value(1.0)).relu())
    assert program(2.0, 1.0, 0.0)[0] == 0.5 and program(2.0, 1.0, -5.0)[1] == (0.0, 0.0, 0.0)


@pytest.mark.usefixtures("forget_new_ops")
def test_defop_ops_and_fused_nodes_of_your_own() -> None:
    cube = mg.defop("cube_for_codegen", lambda x: x * x * x, lambda out, x: 3.0 * x * x)
    a = Value(0.7, label="a")
    program = assert_reproduces(cube(a) * a.leaky_relu(0.2) + 2**a + a ** Value(1.5))
    assert "cube_for_codegen(a)" in str(program) and "3.0 * a * a" in str(program)

    class Twice(FusedNode):
        symbol = "2·Σ"

        def partials(self, graph: bool) -> list[float]:
            return [2.0] * len(self.parents)

    node = Twice.make(2.0 * (a.data + 1.0), [a, Value(1.0)])
    with pytest.raises(NotCompilableError, match=r"'2·Σ' \(Twice\) cannot be written as code: give its class"):
        to_python(node * 3.0)

    class TwiceWritten(Twice):
        def source(self, writer: SourceWriter) -> None:
            w = writer
            w.value(f"2.0 * ({' + '.join(w.operand(i) for i in range(len(self.parents)))})")
            for i in range(len(self.parents)):
                w.add(i, f"{w.grad} * 2.0")

    assert_reproduces(TwiceWritten.make(2.0 * (a.data + 1.0), [a, Value(1.0)]) * 3.0)


def test_a_lecture_node_is_refused_and_said_why() -> None:
    x = Value(0.5)
    out = Value(math.tanh(x.data), (x,), "tanh")
    with pytest.raises(NotCompilableError, match=r"'tanh' cannot be written as code: its backward step is a Python"):
        to_python(out * 2.0)


HOSTILE = [
    "x\nimport os\nos.system('echo pwned')",
    "'; raise SystemExit #",
    '"""',
    "a\rb\x0c\x00\u2028c",
    "__import__('os').remove('x')",
    "if",
    "None",
    "__debug__",
    "math",
    "program",
    "x_grad",
    "ﬁ",  # NFKC: the same name as "fi"
    "fi",
    "o",
    "o",
]


def test_labels_never_become_code() -> None:
    leaves = [Value(0.1 * (i + 1), label=label) for i, label in enumerate(HOSTILE)]
    root = mg.sum([v * v for v in leaves]).tanh() + leaves[0].exp()
    root.label = "'root'\nprint('hi')"
    program = assert_reproduces(root)
    text = str(program)
    tree = ast.parse(text)  # it is Python, and the labels are nowhere in its code:
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert all(not s.startswith(("x\n", "'", "__import__")) for s in strings)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.arg for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) for a in n.args.args
    }
    assert all(name.isidentifier() for name in names)
    assert {"if", "None", "__debug__", "os", "system"}.isdisjoint(names)
    assert len(set(program.names)) == len(HOSTILE)  # every input its own name: duplicates and ﬁ/fi told apart
    assert {"o", "fi", "math"} <= set(program.names) and "o_2" in program.names
    for line in text.splitlines():  # a label's text appears only in comments, each on one line
        code = line.split("#", 1)[0]
        assert "pwned" not in code and "SystemExit" not in code and "print" not in code
    assert "# x1 is \"x\\nimport os\\nos.system('echo pwned')\"" in text
    assert "    add1 = tanh1 + exp1  # \"'root'\\nprint('hi')\"\n" in text
    assert "\u2028" not in text and "\x00" not in text and "\r" not in text


def test_a_program_is_called_with_its_inputs() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    program = to_python(a * b)
    assert program(2, 3.0) == (6.0, (3.0, 2.0))  # ints are numbers too
    with pytest.raises(TypeError, match=r"the program takes 2 inputs \(a, b\), got 1"):
        program(1.0)
    with pytest.raises(TypeError, match=r"the program takes 2 inputs \(a, b\), got 3"):
        program(1.0, 2.0, 3.0)  # type: ignore[call-arg]
    more = Value(3.0, label="more")  # an input named as the call's own parameter for extra inputs: no clash
    assert to_python(more * more)(5.0) == (25.0, (10.0,))
    assert to_python(Value(1.0, label="_more") * 2.0)(3.0) == (6.0, (2.0,))
    with pytest.raises(TypeError, match=r"program input 1 \(b\) must be a real number .*got str"):
        program(1.0, "2")  # type: ignore[arg-type]
    assert repr(program).startswith("<Program of 2 inputs (a, b), ")
    assert isinstance(program, Program) and program.function(2.0, 3.0) == program(2.0, 3.0)
    xs = [Value(float(i), label=f"x{i}") for i in range(12)]  # more inputs than are tested one by one
    many = to_python(sum((x * x for x in xs[1:]), xs[0]))
    assert many(*range(12)) == many(*map(float, range(12))) == many.function(*map(float, range(12)))
    with pytest.raises(TypeError, match=r"the program takes 12 inputs \(x0, .*, x11\), got 13"):
        many(*range(13))
    with pytest.raises(TypeError, match=r"program input 11 \(x11\) must be a real number .*got NoneType"):
        many(*range(11), None)
    leaf = Value(4.0, label="t")
    assert to_python(leaf)(5.0) == (5.0, (1.0,))  # a leaf is its own program
    with pytest.raises(TypeError, match="to_python\\(root\\) must be a Value, got float"):
        to_python(1.0)  # type: ignore[arg-type]


def test_the_command_line_prints_a_script_that_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    neuron = ["graph", "tanh(x*w + b)", "x=2", "w=-3", "b=6.8813735870195432", "--code"]
    assert main(neuron) == 0
    script = capsys.readouterr().out
    assert "def program(x, w, b):" in script and "add1_grad = tanh1_grad * (1.0 - tanh1 * tanh1)" in script
    assert script.endswith('if __name__ == "__main__":\n    print(program(2.0, -3.0, 6.881373587019543))\n')
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    x, w, b = Value(2.0), Value(-3.0), Value(6.8813735870195432)
    o = (x * w + b).tanh()
    o.backward()
    assert run.stdout == f"({o.data!r}, ({x.grad!r}, {w.grad!r}, {b.grad!r}))\n"
    assert main([*neuron, "-o", str(tmp_path / "neuron.py")]) == 0
    assert (tmp_path / "neuron.py").read_text() == script
    assert main([*neuron, "-o", str(tmp_path / "neuron.svg")]) == 2
    assert "--code writes Python: give -o a .py file" in capsys.readouterr().err
