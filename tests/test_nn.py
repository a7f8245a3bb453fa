"""Modules: micrograd's API and behaviour, parameter names, initialisation, fused neurons, gradients vs PyTorch."""

from __future__ import annotations

import math
import random

import pytest

import microgradnet
import microgradnet as mg
from microgradnet import Value
from microgradnet.engine import Linear, LinearConst
from microgradnet.nn import MLP, Layer, Module, Neuron


def test_neuron_matches_micrograd_on_the_same_weights() -> None:
    from micrograd.nn import Neuron as MicroNeuron

    random.seed(7)
    theirs = MicroNeuron(3)
    ours = Neuron(3)
    for mine, their in zip(ours.parameters(), theirs.parameters()):
        mine.data = their.data
    ours.b.data = theirs.b.data = 0.25
    x = [0.5, -1.5, 2.0]
    out, expected = ours(x), theirs(x)
    assert out.data == pytest.approx(expected.data, rel=1e-15)
    out.backward()
    expected.backward()
    assert [p.grad for p in ours.parameters()] == pytest.approx([p.grad for p in theirs.parameters()], rel=1e-15)


def test_micrograd_signatures_and_defaults() -> None:
    n = Neuron(2)
    assert n.nonlin and n.activation == "relu" and len(n.w) == 2 and n.b.data == 0.0
    assert not Neuron(2, nonlin=False).nonlin and Neuron(2, False).activation == "linear"
    layer = Layer(3, 4, nonlin=False)
    assert [nr.activation for nr in layer.neurons] == ["linear"] * 4
    mlp = MLP(2, [16, 16, 1])
    assert [nr.activation for nr in (mlp.layers[0].neurons[0], mlp.layers[1].neurons[0], mlp.layers[2].neurons[0])] == [
        "relu",
        "relu",
        "linear",
    ]
    assert isinstance(mlp([1.0, 2.0]), Value)
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    out = Layer(2, 3)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3


def test_parameter_count_and_order_are_micrograds() -> None:
    mlp = MLP(3, [4, 4, 1], seed=0)
    assert len(mlp.parameters()) == (3 + 1) * 4 + (4 + 1) * 4 + (4 + 1) * 1 == 41
    neuron = mlp.layers[1].neurons[2]
    assert neuron.parameters() == [*neuron.w, neuron.b]
    expected = [p for layer in mlp.layers for n in layer.neurons for p in [*n.w, n.b]]
    assert mlp.parameters() == expected


def test_named_parameters_are_stable_dotted_names() -> None:
    mlp = MLP(2, [4, 1], seed=0)
    names = [name for name, _ in mlp.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.1.neurons.0.b"
    assert "layers.0.neurons.3.w.1" in names
    named = dict(mlp.named_parameters())
    assert named["layers.0.neurons.3.w.1"] is mlp.layers[0].neurons[3].w[1]
    assert [p for _, p in mlp.named_parameters()] == mlp.parameters()
    assert [n for n, _ in MLP(2, [4, 1], seed=5).named_parameters()] == names  # names do not depend on weights


def test_named_parameters_of_a_module_of_your_own_skip_private_and_shared() -> None:
    class Net(Module):
        def __init__(self) -> None:
            self.encoder = Layer(2, 2, seed=0)
            self.scale = Value(3.0)
            self.heads = {"a": Neuron(2, seed=1)}
            self.tied = self.scale  # the same Value twice: listed once, under its first name
            self._cache = Value(9.0)  # private: not a parameter
            self.note = "not a parameter"

    names = [name for name, _ in Net().named_parameters()]
    assert names == [
        "encoder.neurons.0.w.0",
        "encoder.neurons.0.w.1",
        "encoder.neurons.0.b",
        "encoder.neurons.1.w.0",
        "encoder.neurons.1.w.1",
        "encoder.neurons.1.b",
        "scale",
        "heads.a.w.0",
        "heads.a.w.1",
        "heads.a.b",
    ]
    net = Net()
    net.extra = [(Value(1.0), net.scale), {"k": net.heads["a"].w[0]}]  # type: ignore[attr-defined]
    assert net.parameters() == [p for _, p in net.named_parameters()]  # the same order, each once
    assert len(net.parameters()) == 11


def test_zero_grad() -> None:
    mlp = MLP(2, [3, 1], seed=0)
    mlp([1.0, -1.0]).backward()
    assert any(p.grad != 0 for p in mlp.parameters())
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())


def test_reprs_show_the_architecture() -> None:
    assert repr(Neuron(2)) == "ReLUNeuron(2)"
    assert repr(Neuron(2, nonlin=False)) == "LinearNeuron(2)"
    assert repr(Neuron(5, activation="tanh")) == "TanhNeuron(5)"
    assert repr(Neuron(1, activation="leaky_relu")) == "LeakyReLUNeuron(1)"
    assert repr(Neuron(1, activation="sigmoid")) == "SigmoidNeuron(1)"
    assert repr(Layer(2, 1)) == "Layer of [ReLUNeuron(2)]"
    assert repr(Layer(2, 16)) == "Layer of [16 × ReLUNeuron(2)]"
    assert repr(MLP(2, [16, 16, 1])) == (
        "MLP of [Layer of [16 × ReLUNeuron(2)], Layer of [16 × ReLUNeuron(16)], Layer of [LinearNeuron(16)]]"
    )
    assert repr(MLP(2, [3, 2], activation="tanh", output_activation="sigmoid")) == (
        "MLP of [Layer of [3 × TanhNeuron(2)], Layer of [2 × SigmoidNeuron(3)]]"
    )


def test_mlp_with_one_neuron_in_the_middle_works() -> None:
    # micrograd's MLP(2, [16, 1, 1]) fails: its one-neuron layer returns a Value the next layer cannot zip over.
    mlp = MLP(2, [16, 1, 1], seed=0)
    out = mlp([0.5, -0.5])
    assert isinstance(out, Value)
    out.backward()
    assert mlp.layers[2].neurons[0].w[0].grad == mlp.layers[1].neurons[0](mlp.layers[0]([0.5, -0.5])).data


def test_a_neuron_is_one_fused_node_with_exact_partials() -> None:
    n = Neuron(3, nonlin=False, seed=0)
    const = n([1.0, 2.0, 3.0])
    assert type(const) is LinearConst and const._prev == (*n.w, n.b)
    xs = [Value(1.0), Value(2.0), Value(3.0)]
    out = n(xs)
    assert type(out) is Linear and len(out._prev) == 2 * 3 + 1
    assert out.data == pytest.approx(sum(w.data * x.data for w, x in zip(n.w, xs)) + n.b.data, rel=1e-15)
    out.backward()
    assert [x.grad for x in xs] == [w.data for w in n.w]
    assert [w.grad for w in n.w] == [1.0, 2.0, 3.0] and n.b.grad == 1.0
    relu = Neuron(3, seed=0)(xs)
    assert relu._op == "ReLU" and type(relu._prev[0]) is Linear


def test_inputs_may_be_floats_values_or_a_single_number() -> None:
    n = Neuron(2, seed=0)
    a = n([1.0, 2.0]).data
    assert n([Value(1.0), 2]).data == pytest.approx(a, rel=1e-15)
    assert n((1, 2)).data == pytest.approx(a, rel=1e-15)
    one = Neuron(1, nonlin=False, seed=0)
    assert one(2.0).data == one([2.0]).data == one(Value(2.0)).data == 2.0 * one.w[0].data


@pytest.mark.parametrize(
    "activation, f",
    [
        ("relu", lambda z: max(z, 0.0)),
        ("tanh", math.tanh),
        ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
        ("leaky_relu", lambda z: z if z > 0 else 0.01 * z),
        ("linear", lambda z: z),
    ],
)
def test_activations(activation: str, f: object) -> None:
    n = Neuron(2, activation=activation, seed=3)
    n.b.data = -0.3
    for x in ([1.0, 0.5], [-2.0, -1.0]):
        z = n.w[0].data * x[0] + n.w[1].data * x[1] - 0.3
        assert n(x).data == pytest.approx(f(z), rel=1e-12)  # type: ignore[operator]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear", "mixed"])
def test_a_layer_gives_what_its_neurons_give_one_by_one(activation: str) -> None:
    """A Layer checks its inputs once and makes its nodes in one go: the same nodes as each neuron alone."""
    layer = Layer(3, 4, activation="relu" if activation == "mixed" else activation, seed=2)
    if activation == "mixed":  # a neuron's activation changed after construction is honoured
        layer.neurons[1].activation, layer.neurons[2].activation = "tanh", "linear"
    for n in layer.neurons:
        n.b.data = 0.1
    for x in ([0.5, -1.0, 2.0], [Value(0.5), Value(-1.0), Value(2.0)], [1, Value(-1.0), 2.5]):
        got, want = layer(x), [n(x) for n in layer.neurons]
        assert isinstance(got, list)
        assert [v.data for v in got] == [v.data for v in want]
        assert [v._op for v in got] == [v._op for v in want] and [v._name for v in got] == [v._name for v in want]
        assert all(type(a._prev[0]) is type(b._prev[0]) for a, b in zip(got, want) if a._prev)
    with mg.no_grad():
        out = layer([0.5, -1.0, 2.0])
        assert isinstance(out, list) and all(not v._prev for v in out)


def test_a_batch_of_inputs_gives_what_each_input_gives_alone() -> None:
    """model(X) on a list of input rows: each row's output, the same nodes, the same gradients."""
    X = [[0.5, -1.0], [Value(2.0), 1], (3, 4)]
    model = MLP(2, [4, 3], seed=0)
    got = model(X)
    assert isinstance(got, list) and len(got) == 3
    for out, x in zip(got, X):
        want = model(x)
        assert isinstance(out, list) and isinstance(want, list)
        assert [v.data for v in out] == [v.data for v in want]
        assert [type(v._prev[0]) for v in out] == [type(v._prev[0]) for v in want]
    net = MLP(2, [4, 1], seed=1)
    outs = net(X)
    assert all(isinstance(v, Value) for v in outs)  # one output neuron: a Value per row, as for one input
    mg.sum(outs).backward()
    batched = [p.grad for p in net.parameters()]
    net.zero_grad()
    mg.sum([net(x) for x in X]).backward()  # type: ignore[misc]
    assert batched == [p.grad for p in net.parameters()]
    assert [v.data for v in Layer(2, 1, seed=2)(X)] == [Layer(2, 1, seed=2)(x).data for x in X]  # type: ignore[union-attr]
    assert [v.data for v in Neuron(2, seed=3)(X)] == [Neuron(2, seed=3)(x).data for x in X]
    assert Neuron(1, seed=3)([[2.0]])[0].data == Neuron(1, seed=3)([2.0]).data  # a batch of one-input rows
    layer = r"Layer of \[4 × ReLUNeuron\(2\)\]"
    with pytest.raises(ValueError, match=rf"^row 1 of the batch: {layer} takes 2 inputs, got 3$"):
        model([[1.0, 2.0], [1.0, 2.0, 3.0]])
    with pytest.raises(TypeError, match=r"^row 2 of the batch: linear\(inputs\) must be a real number .* str: 'a'$"):
        model([[1.0, 2.0], [3.0, 4.0], [5.0, "a"]])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=rf"^{layer} takes 2 inputs, got 0$"):
        model([[]])  # a batch of one row says no row number, as a single input


def test_a_layers_nodes_share_their_neurons_parameters_and_their_row() -> None:
    """One tuple (w1..wn, b) per neuron and one of inputs per row, not a tuple of parents per node."""
    layer = Layer(2, 3, activation="linear", seed=5)
    h = [Value(1.0), Value(2.0)]
    rows = layer([h, [Value(3.0), Value(4.0)]])
    for j, n in enumerate(layer.neurons):
        a, b = rows[0][j], rows[1][j]  # type: ignore[index]
        assert a._p is b._p and a._p == (*n.w, n.b)
        assert a._prev == (*n.w, *h, n.b)
    assert rows[0][0]._arg is rows[0][2]._arg  # type: ignore[index]


def test_a_layer_called_per_sample_sees_parameters_replaced_between_calls() -> None:
    """A layer keeps its parameters' tuples between calls (LayerParameters) only while they are the same Values."""
    x = [Value(0.5), Value(-1.0)]
    layer = Layer(2, 2, seed=7)
    first = layer(x)
    n = layer.neurons[1]
    n.w[0] = Value(3.0)  # replaced in its list
    layer.neurons[0].b = Value(1.0)  # and a bias replaced
    out = layer(x)
    assert out[1]._p == (*n.w, n.b) and out[0]._p[-1] is layer.neurons[0].b  # type: ignore[index]
    assert out[1].data == max(0.0, 3.0 * 0.5 + n.w[1].data * -1.0)  # type: ignore[index]
    n.w = [Value(-2.0), Value(0.25)]  # the whole list replaced
    assert layer(x)[1]._p == (*n.w, n.b)  # type: ignore[index]
    n.w[1] = 0.75 * n.w[0]  # a computed weight: one linear() per neuron, whose node walks into it
    out = layer(x)
    out[1].backward()  # type: ignore[index]
    assert n.w[0].grad == 0.5 + 0.75 * -1.0 and first[0]._p is not out[0]._p  # type: ignore[index]


def test_an_mlps_hidden_layers_take_the_previous_layers_outputs_unchecked_but_not_a_wrong_width() -> None:
    model = MLP(2, [3, 1], seed=8)
    want = [model(x).data for x in ([1.0, 2.0], [0.5, -1.0])]  # type: ignore[union-attr]
    assert [v.data for v in model([[1.0, 2.0], [0.5, -1.0]])] == want  # type: ignore[union-attr]
    model.layers[1] = Layer(4, 1, seed=8)  # 3 outputs into 4 inputs: checked as ever
    with pytest.raises(ValueError, match=r"takes 4 inputs, got 3$"):
        model([1.0, 2.0])


def test_an_mlp_takes_a_module_of_your_own_among_its_layers() -> None:
    class Scale(Module):
        def __call__(self, x: list[Value]) -> list[Value]:
            return [v * 2.0 for v in x]

    model = MLP(2, [3, 1], seed=6)
    plain = [model(x).data for x in ([1.0, 2.0], [0.5, -1.0])]  # type: ignore[union-attr]
    model.layers.insert(1, Scale())  # type: ignore[arg-type]
    doubled = model([[1.0, 2.0], [0.5, -1.0]])
    last = model.layers[-1].neurons[0]  # type: ignore[union-attr]
    for out, before in zip(doubled, plain):  # the output layer sees twice its inputs: (y - b) * 2 + b
        assert out.data == pytest.approx((before - last.b.data) * 2.0 + last.b.data, rel=1e-12)  # type: ignore[union-attr]
    assert model([1.0, 2.0]).data == doubled[0].data  # type: ignore[union-attr]


def test_a_2d_array_is_a_batch() -> None:
    np = pytest.importorskip("numpy")
    model = MLP(2, [3, 1], seed=4)
    X = np.array([[0.5, -1.0], [2.0, 1.0]])
    assert [v.data for v in model(X)] == [model(list(map(float, x))).data for x in X]  # type: ignore[union-attr]
    assert model(X[0]).data == model([0.5, -1.0]).data  # type: ignore[union-attr]


def test_seed_and_rng_make_initialisation_reproducible() -> None:
    def weights(m: Module) -> list[float]:
        return [p.data for p in m.parameters()]

    assert weights(MLP(2, [8, 1], seed=1)) == weights(MLP(2, [8, 1], seed=1))
    assert weights(MLP(2, [8, 1], seed=1)) != weights(MLP(2, [8, 1], seed=2))
    assert weights(MLP(2, [8, 1], rng=random.Random(4))) == weights(MLP(2, [8, 1], seed=4))
    random.seed(1337)  # micrograd's way: the global generator
    a = weights(MLP(2, [8, 1]))
    random.seed(1337)
    assert weights(MLP(2, [8, 1])) == a
    layer = Layer(2, 3, seed=0)
    assert len({tuple(p.data for p in n.w) for n in layer.neurons}) == 3  # neurons differ from one another


def test_initialisation_is_scaled_by_fan_in() -> None:
    for nin, activation, gain in [(64, "relu", math.sqrt(2)), (16, "tanh", 5 / 3), (100, "linear", 1.0)]:
        ws = [w.data for n in Layer(nin, 50, activation=activation, seed=0).neurons for w in n.w]
        bound = gain * math.sqrt(3 / nin)
        assert max(abs(w) for w in ws) <= bound
        assert max(abs(w) for w in ws) > 0.95 * bound
        var = sum(w * w for w in ws) / len(ws)
        assert var == pytest.approx(gain**2 / nin, rel=0.1)  # Var U(-a, a) = a²/3
    assert all(n.b.data == 0.0 for n in Layer(4, 5, seed=0).neurons)


def test_bad_arguments_are_explained() -> None:
    with pytest.raises(ValueError, match=r"Neuron\(nin\) must be a positive int, got 0"):
        Neuron(0)
    with pytest.raises(TypeError, match=r"MLP\(nin\) must be a positive int, got float: 2.0"):
        MLP(2.0, [1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"MLP\(nouts\) must be a non-empty list"):
        MLP(2, 16)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"MLP\(nouts\) must be a non-empty list"):
        MLP(2, [])
    with pytest.raises(ValueError, match=r"MLP\(nouts\) entries must be a positive int, got -1"):
        MLP(2, [4, -1])
    with pytest.raises(ValueError, match="activation must be one of 'relu', 'tanh', 'sigmoid', 'leaky_relu', 'linear'"):
        Neuron(2, activation="gelu")
    with pytest.raises(TypeError, match="pass seed= or rng=, not both"):
        MLP(2, [1], seed=0, rng=random.Random(0))
    with pytest.raises(TypeError, match=r"rng must be a random\.Random"):
        Neuron(2, rng=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"ReLUNeuron\(2\) takes 2 inputs, got 3"):
        Neuron(2)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"^Layer of \[4 × ReLUNeuron\(3\)\] takes 3 inputs, got 2$"):
        MLP(3, [4, 1])([1.0, 2.0])


def test_mlp_gradients_match_pytorch() -> None:
    torch = pytest.importorskip("torch")
    mlp = MLP(3, [5, 4, 2], activation="tanh", seed=0)
    x = [0.3, -1.2, 2.0]
    out = mlp(x)
    assert isinstance(out, list)
    loss = microgradnet.sum([o * o for o in out])
    mlp.zero_grad()
    loss.backward()

    t = torch.tensor(x, dtype=torch.float64)
    tensors = []
    for layer in mlp.layers:
        w = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        tensors.append((w, b))
    h = t
    for i, (w, b) in enumerate(tensors):
        h = w @ h + b
        if i < len(tensors) - 1:
            h = torch.tanh(h)
    (h * h).sum().backward()
    assert [o.data for o in out] == pytest.approx(h.tolist(), rel=1e-13)
    for layer, (w, b) in zip(mlp.layers, tensors):
        assert [[p.grad for p in n.w] for n in layer.neurons] == [pytest.approx(r, rel=1e-12) for r in w.grad.tolist()]
        assert [n.b.grad for n in layer.neurons] == pytest.approx(b.grad.tolist(), rel=1e-12)


def test_importing_the_package_loads_no_optional_dependency() -> None:
    import subprocess
    import sys

    code = (
        "import sys, microgradnet; from microgradnet.nn import MLP; "
        "print(microgradnet.nn.MLP is MLP, sorted(m for m in ('tqdm', 'matplotlib', 'sklearn', 'graphviz', 'numpy', "
        "'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True []"
