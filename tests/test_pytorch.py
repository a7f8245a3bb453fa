"""The bridge to PyTorch: a network as a torch.nn.Sequential and back, with outputs and gradients equal to
1e-12 both ways; the .pt export and its command; ONNX export where onnx and onnxscript are installed."""

from __future__ import annotations

import importlib
import json
import random
from pathlib import Path
from typing import Any

import pytest

from microgradnet import Value
from microgradnet.cli import main
from microgradnet.losses import mse
from microgradnet.nn import MLP, Layer, Module, Neuron
from microgradnet.pytorch import export_onnx, from_torch, load_torch, save_torch, to_torch

torch = pytest.importorskip("torch")
nn = torch.nn

ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "linear"]


def inputs(n: int, nin: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    rows = [[rng.gauss(0.0, 1.5) for _ in range(nin)] for _ in range(n)]
    rows[0] = [0.0] * nin  # the kinks of ReLU and LeakyReLU at 0 too
    return rows


def torch_names(model: MLP) -> list[tuple[Value, str, tuple[int, ...]]]:
    """Each parameter of an MLP with the torch state-dict entry (and index) that holds it in to_torch(model)."""
    out = []
    position = 0
    for layer in model.layers:
        assert isinstance(layer, Layer)
        for j, neuron in enumerate(layer.neurons):
            out += [(w, f"{position}.weight", (j, k)) for k, w in enumerate(neuron.w)]
            out.append((neuron.b, f"{position}.bias", (j,)))
        position += 1 if layer.neurons[0].activation == "linear" else 2
    return out


def compare(model: MLP, seq: Any, X: list[list[float]]) -> None:
    """Outputs, parameter gradients and input gradients of a loss on both sides agree to 1e-12."""
    xs = [[Value(x) for x in row] for row in X]
    targets = [[0.5 * (i % 3) - 0.5] * model.config()["nouts"][-1] for i in range(len(X))]
    ours = model.scores(xs)
    loss = mse([v for row in ours for v in row], [t for row in targets for t in row])
    model.zero_grad()
    loss.backward()
    t_in = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    theirs = seq(t_in)
    t_loss = nn.functional.mse_loss(theirs, torch.tensor(targets, dtype=torch.float64))
    t_loss.backward()
    assert [v.data for row in ours for v in row] == pytest.approx(theirs.flatten().tolist(), rel=1e-12, abs=1e-14)
    assert loss.data == pytest.approx(t_loss.item(), rel=1e-12)
    params = dict(seq.named_parameters())
    for p, name, index in torch_names(model):
        assert p.grad == pytest.approx(params[name].grad[index].item(), rel=1e-12, abs=1e-15), name
    assert [x.grad for row in xs for x in row] == pytest.approx(t_in.grad.flatten().tolist(), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("output", ["linear", "sigmoid"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_to_torch_computes_the_same_outputs_and_gradients(activation: str, output: str) -> None:
    model = MLP(3, [5, 4, 2], activation=activation, output_activation=output, seed=1)
    seq = model.to_torch()
    assert isinstance(seq, nn.Sequential) and all(p.dtype == torch.float64 for p in seq.parameters())
    names = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "leaky_relu": "LeakyReLU", "linear": "Linear"}
    assert [type(m).__name__ for m in seq][:2] == ["Linear", names[activation]]
    compare(model, seq, inputs(6, 3, seed=2))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_from_torch_computes_the_same_outputs_and_gradients(activation: str) -> None:
    act: dict[str, Any] = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky_relu": nn.LeakyReLU,
                           "linear": nn.Identity}  # fmt: skip
    with torch.random.fork_rng():  # torch's own initialisation, seeded, leaving the global generator as it was
        torch.manual_seed(0)
        seq = nn.Sequential(nn.Linear(4, 6), act[activation](), nn.Linear(6, 3), act[activation](), nn.Linear(3, 1))
    seq = seq.double()
    model = MLP.from_torch(seq)
    assert model.config() == {"nin": 4, "nouts": [6, 3, 1], "activation": activation, "output_activation": "linear"}
    compare(model, nn.Sequential(*[m for m in seq if not isinstance(m, nn.Identity)]), inputs(5, 4, seed=3))
    assert to_torch(model).state_dict().keys() and MLP.from_torch(to_torch(model)).state_dict() == model.state_dict()


def test_a_neuron_and_a_layer_become_a_one_layer_sequential() -> None:
    neuron = Neuron(3, activation="tanh", seed=0)
    seq = neuron.to_torch()
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh"]
    x = [0.5, -1.0, 2.0]
    assert seq(torch.tensor([x], dtype=torch.float64)).item() == pytest.approx(neuron(x).data, rel=1e-15)
    layer = Layer(3, 4, activation="linear", seed=0)
    seq = to_torch(layer)
    assert [type(m).__name__ for m in seq] == ["Linear"]
    assert seq(torch.tensor([x], dtype=torch.float64))[0].tolist() == pytest.approx(
        [v.data for v in layer.scores(x)], rel=1e-15
    )


def test_float32_on_request() -> None:
    model = MLP(2, [8, 1], seed=0)
    seq = model.to_torch(torch.float32)
    assert all(p.dtype == torch.float32 for p in seq.parameters()) and to_torch(model, "float32")[0].weight.dtype == (
        torch.float32
    )
    x = [[0.3, -0.7]]
    assert seq(torch.tensor(x)).item() == pytest.approx(model.score(x[0]).data, rel=1e-6)
    with pytest.raises(TypeError, match=r"dtype must be a floating torch dtype such as torch\.float64 or 'float32'"):
        model.to_torch(torch.int64)


def test_what_has_no_torch_counterpart_is_explained() -> None:
    class Doubler(Module):
        def forward(self, x: Any) -> Any:
            return [2 * v for v in x]

    with pytest.raises(TypeError, match="to_torch converts a Neuron, Layer or MLP, got Doubler"):
        Doubler().to_torch()
    stack = MLP(2, [2, 1], seed=0)
    stack.layers.insert(0, Doubler())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"to_torch: layers\.0 is a Doubler, which has no torch counterpart"):
        stack.to_torch()
    mixed = Layer(2, 2, seed=0)
    mixed.neurons[1].activation = "tanh"
    with pytest.raises(ValueError, match=r"to_torch: layer 0 mixes the activations \['relu', 'tanh'\]"):
        mixed.to_torch()


@pytest.mark.parametrize(
    ("seq", "message"),
    [
        (lambda: nn.Sequential(nn.Linear(2, 3), nn.Dropout(), nn.Linear(3, 1)), "layer 1 is Dropout, which an MLP has"),
        (lambda: nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2)), r"layer 1 is LeakyReLU\(0.2\); microgradnet's"),
        (lambda: nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1)), r"layer 1 \(Linear\(4, 1\)\) does not take the 3"),
        (lambda: nn.Sequential(nn.ReLU(), nn.Linear(2, 1)), r"layer 0 \(ReLU\) must follow a Linear layer"),
        (lambda: nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1)),
         r"one activation for all its hidden layers, but these have \['relu', 'tanh'\]"),
        (lambda: nn.Sequential(), "the Sequential has no Linear layer"),
    ],
)  # fmt: skip
def test_from_torch_explains_what_an_mlp_cannot_be(seq: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        from_torch(seq())


def test_from_torch_takes_one_linear_and_a_layer_without_bias() -> None:
    linear = nn.Linear(3, 2, bias=False).double()
    model = from_torch(linear)
    assert model.config()["nouts"] == [2] and all(n.b.data == 0.0 for n in model.layers[0].neurons)  # type: ignore[union-attr]
    x = [1.0, -2.0, 0.5]
    assert [v.data for v in model.scores(x)] == pytest.approx(linear(torch.tensor(x, dtype=torch.float64)).tolist())
    with pytest.raises(TypeError, match=r"from_torch takes a torch\.nn\.Sequential of Linear layers and activations"):
        from_torch(nn.ReLU())


def test_without_torch_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def no_torch(name: str, *args: Any) -> Any:
        if name == "torch":
            raise ImportError("No module named 'torch'")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_torch)
    with pytest.raises(
        ModuleNotFoundError, match=r'needs PyTorch, which is not installed: pip install "microgradnet\[torch\]"'
    ):
        MLP(2, [1], seed=0).to_torch()


# -- the .pt file: a state dict with its architecture -------------------------------------------------------
def test_save_and_load_torch_round_trip(tmp_path: Path) -> None:
    model = MLP(2, [6, 3], activation="leaky_relu", output_activation="sigmoid", seed=4)
    save_torch(model, tmp_path / "m.pt")
    doc = torch.load(tmp_path / "m.pt", weights_only=True)  # plain data: no pickled code to trust
    assert doc["format"] == "microgradnet.torch" and doc["module"] == "MLP"
    assert doc["layers"] == [[2, 6, "leaky_relu"], [6, 3, "sigmoid"]]
    seq = load_torch(tmp_path / "m.pt")
    assert [type(m).__name__ for m in seq] == ["Linear", "LeakyReLU", "Linear", "Sigmoid"]
    for key, value in to_torch(model).state_dict().items():
        assert torch.equal(seq.state_dict()[key], value)
    assert MLP.from_torch(seq).state_dict() == model.state_dict()
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match=r"not a file of microgradnet's torch export \(format None"):
        load_torch(tmp_path / "other.pt")


def test_export_command_writes_the_state_dict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = MLP(2, [4, 4, 1], activation="tanh", seed=0)
    model.save(tmp_path / "model.json")
    assert main(["export", str(tmp_path / "model.json"), str(tmp_path / "model.pt")]) == 0
    assert capsys.readouterr().out == (
        f"wrote {tmp_path / 'model.pt'}: a torch.nn.Sequential's state dict (float64) of "
        "Linear(2, 4), Tanh, Linear(4, 4), Tanh, Linear(4, 1)\n"
    )
    seq = load_torch(tmp_path / "model.pt")
    X = inputs(4, 2, seed=5)
    assert seq(torch.tensor(X, dtype=torch.float64)).flatten().tolist() == pytest.approx(
        [s.data for s in model.score(X)], rel=1e-12
    )
    assert main(["export", str(tmp_path / "model.json"), str(tmp_path / "m32.pt"), "--dtype", "float32"]) == 0
    assert load_torch(tmp_path / "m32.pt")[0].weight.dtype == torch.float32


def test_export_command_explains_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    MLP(2, [1], seed=0).save(tmp_path / "model.json")
    assert main(["export", str(tmp_path / "model.json"), str(tmp_path / "model.zip")]) == 2
    assert "cannot tell the format of" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "missing.json"), str(tmp_path / "m.pt")]) == 2
    assert "cannot read" in capsys.readouterr().err
    (tmp_path / "broken.json").write_text(json.dumps({"format": "something else"}))
    assert main(["export", str(tmp_path / "broken.json"), str(tmp_path / "m.pt")]) == 2
    assert "not a microgradnet model file" in capsys.readouterr().err
    assert not (tmp_path / "m.pt").exists()


# -- ONNX: torch's exporter, with onnx and onnxscript -----------------------------------------------------
def onnx_or_skip() -> Any:
    try:
        importlib.import_module("onnxscript")
        return importlib.import_module("onnx")
    except ImportError:
        pytest.skip('ONNX export needs onnx and onnxscript: pip install "microgradnet[onnx]"')


def test_onnx_export_computes_what_the_model_computes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    onnx = onnx_or_skip()
    from onnx.reference import ReferenceEvaluator  # onnx's own evaluator: no runtime needed

    model = MLP(3, [6, 2], activation="tanh", seed=0)
    model.save(tmp_path / "model.json")
    assert main(["export", str(tmp_path / "model.json"), str(tmp_path / "model.onnx")]) == 0
    assert "ONNX (float64) of Linear(3, 6), Tanh, Linear(6, 2)" in capsys.readouterr().out
    graph = onnx.load(tmp_path / "model.onnx")
    onnx.checker.check_model(graph, full_check=True)
    assert [i.name for i in graph.graph.input] == ["input"] and [o.name for o in graph.graph.output] == ["output"]
    assert graph.graph.input[0].type.tensor_type.shape.dim[0].dim_param  # any batch size
    X = inputs(5, 3, seed=6)
    numpy = pytest.importorskip("numpy")
    (out,) = ReferenceEvaluator(graph).run(None, {"input": numpy.array(X)})
    assert out.flatten().tolist() == pytest.approx(
        [v.data for row in model.scores(X) for v in row], rel=1e-12, abs=1e-15
    )


def test_onnx_export_without_onnx_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def no_onnx(name: str, *args: Any) -> Any:
        if name in ("onnx", "onnxscript"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_onnx)
    with pytest.raises(ModuleNotFoundError, match=r'needs onnx and onnxscript.*pip install "microgradnet\[onnx\]"'):
        export_onnx(MLP(2, [1], seed=0), tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
