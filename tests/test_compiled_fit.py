"""fit(compile=True): the built-in models as generated Python train as the engine trains them (to 1e-9)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest

from microgradnet import Value, datasets, losses, nn
from microgradnet.codegen import CompiledModel, NotCompilableError, NotCompiledWarning
from microgradnet.codegen.model import compiled as compiled_code
from microgradnet.optim import SGD, Adam
from microgradnet.training import fit

X2, Y2 = datasets.make_moons(40, noise=0.1, seed=1)
X3, Y3 = datasets.make_spirals(45, n_classes=3, noise=0.02, seed=2)


def train(make: Any, X: Any, y: Any, compiled: bool, **kwargs: Any) -> tuple[dict[str, list[float]], list[float]]:
    model = make()
    opt = kwargs.pop("optimizer", lambda m: Adam(m.parameters(), lr=0.02))(model)
    history = fit(model, X, y, optimizer=opt, progress=False, seed=3, compile=compiled, **kwargs)
    return history, [p.data for p in model.parameters()]


def assert_same_training(make: Any, X: Any, y: Any, **kwargs: Any) -> None:
    engine, want = train(make, X, y, False, **dict(kwargs))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a built-in model compiles: no notice
        code, got = train(make, X, y, True, **dict(kwargs))
    assert engine.keys() == code.keys()
    for key in engine:
        assert code[key] == pytest.approx(engine[key], rel=1e-9, abs=1e-12, nan_ok=True), key
    assert got == pytest.approx(want, rel=1e-9, abs=1e-12, nan_ok=True)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear"])
def test_an_mlp_trains_as_the_engine_trains_it_with_every_loss(activation: str) -> None:
    binary = lambda: nn.MLP(2, [6, 5, 1], activation=activation, seed=0)  # noqa: E731
    several = lambda: nn.MLP(2, [6, 3], activation=activation, output_activation="tanh", seed=0)  # noqa: E731
    for loss in ("hinge", "binary_cross_entropy_with_logits", "mse"):
        assert_same_training(binary, X2, Y2, loss=loss, epochs=4, batch_size=16, l2=1e-3)
    probability = lambda: nn.MLP(2, [6, 5, 1], activation=activation, output_activation="sigmoid", seed=0)  # noqa: E731
    assert_same_training(probability, X2, Y2, loss="binary_cross_entropy", epochs=4, batch_size=16, l2=1e-3)
    assert_same_training(several, X3, Y3, loss="cross_entropy", epochs=3, batch_size=8, validation_data=(X3, Y3))


def test_a_neuron_a_layer_sgd_full_batches_and_a_loss_of_your_own() -> None:
    sgd = lambda m: SGD(m.parameters(), lr=0.5, momentum=0.9)  # noqa: E731
    assert_same_training(lambda: nn.Neuron(2, activation="sigmoid", seed=1), X2, Y2, loss="mse", optimizer=sgd)
    assert_same_training(lambda: nn.Layer(2, 3, seed=1), X3, Y3, epochs=5, l2=0.01)

    def squared_hinge(outputs: list[Value], labels: list[int]) -> Value:  # the engine computes it on the outputs
        return losses.mse([(1.0 - (2 * t - 1) * o).relu() for o, t in zip(outputs, labels)], [0.0] * len(labels))

    assert_same_training(lambda: nn.MLP(2, [4, 1], seed=2), X2, Y2, loss=squared_hinge, epochs=3)


def test_the_demo_trains_to_the_same_model() -> None:
    X, y = datasets.make_moons(100, noise=0.1, seed=1)

    def demo_sgd(m: nn.Module) -> SGD:
        return SGD(m.parameters(), lr=1.0, schedule=lambda k: 1.0 - 0.9 * k / 30)

    assert_same_training(lambda: nn.MLP(2, [16, 16, 1], seed=0), X, y, loss="hinge", optimizer=demo_sgd, epochs=30,
                         l2=1e-4, shuffle=False)  # fmt: skip


def test_nan_and_inf_train_as_in_the_engine() -> None:
    def broken() -> nn.MLP:
        model = nn.MLP(2, [4, 1], seed=4)
        model.layers[0].neurons[1].w[0].data = math.nan  # a nan pre-activation
        model.layers[0].neurons[2].b.data = -math.inf  # a ReLU at -inf: 0, and no gradient
        return model

    engine, _ = train(broken, X2, Y2, False, loss="hinge", epochs=2)
    code, _ = train(broken, X2, Y2, True, loss="hinge", epochs=2)
    assert [str(x) for x in code["loss"]] == [str(x) for x in engine["loss"]] and math.isnan(code["loss"][0])
    assert_same_training(lambda: nn.MLP(2, [4, 1], seed=4), [[1e308, -1e308], *X2[1:]], Y2, loss="mse", epochs=2)


class Twice(nn.Module):
    def __init__(self) -> None:
        self.inner = nn.MLP(2, [3, 1], seed=5)

    def __call__(self, x: Any) -> Any:
        return self.inner(x) * 2.0


def test_a_model_it_cannot_compile_trains_with_the_engine_after_a_one_line_notice() -> None:
    for make, why in [
        (Twice, "only a Neuron, Layer or MLP can be compiled, not a Twice"),
        (lambda: _mlp_with(Twice()), "layer 1 of the MLP is a Twice, not a Layer"),
    ]:
        with pytest.warns(NotCompiledWarning) as caught:
            history, params = train(make, X2, Y2, True, loss="hinge", epochs=2)
        (notice,) = caught
        assert str(notice.message) == f"fit(compile=True): {why}; training with the engine instead"
        assert "\n" not in str(notice.message)
        assert (history, params) == train(make, X2, Y2, False, loss="hinge", epochs=2)


def _mlp_with(layer: nn.Module) -> nn.MLP:
    model = nn.MLP(2, [2, 1], seed=6)
    model.layers[1] = layer  # type: ignore[call-overload]
    return model


def test_rows_the_compiled_code_does_not_take_get_the_engines_errors() -> None:
    model = nn.MLP(2, [3, 1], seed=7)
    with pytest.raises(ValueError, match=r"row \d of the batch: Layer of \[3 × ReLUNeuron\(2\)\] takes 2 inputs"):
        fit(model, [[1.0, 2.0], [1.0, 2.0, 3.0]], [0, 1], progress=False, compile=True)
    with pytest.raises(TypeError, match=r"linear\(inputs\) must be a real number"):
        fit(model, [[1.0, "2"], [1.0, 2.0]], [0, 1], progress=False, compile=True)
    history = fit(model, [[1, 2], [3.0, 4]], [0, 1], progress=False, compile=True)  # ints are numbers
    assert len(history["loss"]) == 10


def test_the_code_is_made_once_per_model_and_again_when_it_changes() -> None:
    model = nn.MLP(2, [3, 1], seed=8)
    first = compiled_code(model)
    assert compiled_code(model) is first
    fit(model, X2, Y2, epochs=1, progress=False, compile=True)
    assert compiled_code(model) is first  # fit reused it
    model.layers[0].neurons[0].w[1] = Value(0.5)  # another Value: the code must read it
    assert compiled_code(model) is not first
    model.layers[1].neurons[0].activation = "tanh"
    again = compiled_code(model)
    assert "math.tanh" in again.text and compiled_code(model) is again
    with pytest.raises(NotCompilableError, match="only a Neuron, Layer or MLP"):
        CompiledModel(Twice())


def test_the_compiled_code_reads_as_the_model() -> None:
    code = CompiledModel(nn.MLP(2, [2, 1], seed=9))
    assert "def forward(P, rows):" in code.text and "def backward(P, kept, seeds):" in code.text
    assert "linear1 = b0_0 + w0_0_0 * x1 + w0_0_1 * x2" in code.text
    assert "relu1 = 0.0 if linear1 <= 0.0 else linear1" in code.text  # the op table's float ReLU, inlined
    assert "w1_0_1_grad += linear3_grad * relu2" in code.text
    assert code.seconds < 5.0
