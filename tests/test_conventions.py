"""The names and habits users bring from PyTorch, Keras and scikit-learn: Value targets for mse, errors that
say "a Value", fit(optimizer="adam"), random_state=, float labels, sigmoid outputs, and PyTorch-style modules."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

import microgradnet
from microgradnet import Value, datasets, gradients
from microgradnet.datasets import make_blobs, make_moons
from microgradnet.engine import LinearConst
from microgradnet.losses import MSE, binary_cross_entropy, hinge, mse
from microgradnet.nn import MLP, Layer, Module, Neuron
from microgradnet.optim import SGD, Adam
from microgradnet.training import accuracy, batches, fit, predict


# -- mse takes Value targets, as F.mse_loss does --------------------------------------------------------
def test_mse_with_value_targets_matches_pytorch_and_gives_the_targets_their_gradient() -> None:
    torch = pytest.importorskip("torch")
    preds, targets = [0.5, -1.5, 2.0, 4.0], [1.0, 0.25, -3.0, 4.5]
    for reduction in ("mean", "sum"):
        ps, ts = [Value(p) for p in preds], [Value(t) for t in targets]
        mixed = [ts[0], targets[1], ts[2], targets[3]]  # Values and numbers in one list of targets
        loss = mse(ps, mixed, reduction=reduction)  # type: ignore[arg-type]
        loss.backward()
        p = torch.tensor(preds, dtype=torch.float64, requires_grad=True)
        t = torch.tensor(targets, dtype=torch.float64, requires_grad=True)
        expected = torch.nn.functional.mse_loss(p, t, reduction=reduction)
        expected.backward()
        assert loss.data == pytest.approx(expected.item(), rel=1e-15)
        assert [v.grad for v in ps] == pytest.approx(p.grad.tolist(), rel=1e-15)
        assert [ts[0].grad, ts[2].grad] == pytest.approx([t.grad[0].item(), t.grad[2].item()], rel=1e-15)
        assert ts[1].grad == ts[3].grad == 0.0 and type(loss) is MSE  # still one MSE node


def test_mse_of_one_value_against_another_and_its_second_derivative() -> None:
    p, t = Value(3.0), Value(1.0)
    loss = mse(p, t)
    assert loss.data == 4.0
    dp, dt = gradients(loss, [p, t], create_graph=True)
    assert (dp.data, dt.data) == (4.0, -4.0)
    assert [g.data for g in gradients(dp, [p, t])] == [2.0, -2.0]
    constant = mse(2.5, t)  # a plain-number prediction against a Value target
    constant.backward()
    assert constant.data == 2.25 and t.grad == -3.0


def test_only_mse_takes_value_targets_and_the_others_say_so() -> None:
    with pytest.raises(TypeError, match=r"hinge: targets must be numbers, got a Value: .*use \.data for its number"):
        hinge([Value(0.5)], [Value(1.0)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="mse: a list of predictions needs a list of targets, got a Value"):
        mse([Value(0.5)], Value(1.0))


# -- errors call any node "a Value", not by the engine's own class names --------------------------------
def node() -> Value:
    """An inner node of an unusual class (LinearConst), as a user would get from a Neuron."""
    out = Neuron(2, nonlin=False, seed=0)([1.0, 2.0])
    assert type(out) is LinearConst
    return out


BAD_CALLS: list[tuple[Callable[[Value], Any], str]] = [
    (lambda v: Value(v), r"Value\(data\) must be a real number \(int or float\), got a Value: Value\(data="),  # type: ignore[arg-type]
    (lambda v: hinge([Value(1.0)], [v]), r"hinge: targets must be numbers, got a Value: Value\(data="),  # type: ignore[list-item]
    (lambda v: binary_cross_entropy([Value(0.5)], v), "a list of predictions needs a list of targets, got a Value"),  # type: ignore[arg-type]
    (lambda v: SGD([Value(1.0)], lr=v), r"SGD\(lr\) must be a number, got a Value: Value\(data="),  # type: ignore[arg-type]
    (lambda v: make_moons(v), r"make_moons\(n_samples\) must be an int, got a Value: Value\(data="),  # type: ignore[arg-type]
    (lambda v: MLP(2, [v]), r"MLP\(nouts\) entries must be a positive int, got a Value: Value\(data="),  # type: ignore[list-item]
    (lambda v: Neuron(2, seed=v), r"seed must be an int, got a Value: Value\(data="),  # type: ignore[arg-type]
    (lambda v: fit(MLP(2, [1]), [[0.0, 0.0]], [0], epochs=v), r"fit\(epochs\) must be a positive int, got a Value"),  # type: ignore[arg-type]
    (lambda v: fit(MLP(2, [1]), v, [0]), r"fit: X and y must be lists, got a Value and list"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("call", "message"), BAD_CALLS)
def test_errors_call_any_node_a_value(call: Callable[[Value], Any], message: str) -> None:
    with pytest.raises(TypeError, match=message) as info:
        call(node())
    assert "LinearConst" not in str(info.value) and "Linear:" not in str(info.value)


# -- fit(optimizer="adam"), as Keras's compile -----------------------------------------------------------
@pytest.mark.parametrize(("name", "cls"), [("adam", Adam), ("sgd", SGD), ("Adam", Adam), ("SGD", SGD)])
def test_fit_takes_an_optimizer_by_name_with_lr_0_01(name: str, cls: type) -> None:
    X, y = make_moons(40, noise=0.1, seed=0)
    by_name, by_hand = MLP(2, [6, 1], seed=1), MLP(2, [6, 1], seed=1)
    h1 = fit(by_name, X, y, optimizer=name, epochs=3, batch_size=8, seed=2, progress=False)
    h2 = fit(
        by_hand, X, y, optimizer=cls(by_hand.parameters(), lr=0.01), epochs=3, batch_size=8, seed=2, progress=False
    )
    assert h1 == h2 and by_name.state_dict() == by_hand.state_dict()
    assert by_name.state_dict() != MLP(2, [6, 1], seed=1).state_dict()  # it trained


def test_fit_explains_a_bad_optimizer() -> None:
    X, y = make_moons(10, seed=0)
    model = MLP(2, [1], seed=0)
    with pytest.raises(
        ValueError, match=r"fit\(optimizer\) must be an Optimizer such as Adam\(.*'adam', 'sgd'; got 'rmsprop'"
    ):
        fit(model, X, y, optimizer="rmsprop", progress=False)
    with pytest.raises(
        TypeError, match=r"fit\(optimizer\) must be an Optimizer \(with step\(\) and zero_grad\(\)\).*got float"
    ):
        fit(model, X, y, optimizer=0.1, progress=False)  # type: ignore[arg-type]


# -- random_state=, scikit-learn's name for seed= ----------------------------------------------------------
GENERATORS: list[Callable[..., Any]] = [
    lambda **kw: datasets.make_moons(30, noise=0.1, **kw),
    lambda **kw: datasets.make_circles(30, noise=0.1, **kw),
    lambda **kw: datasets.make_blobs(30, **kw),
    lambda **kw: datasets.make_spirals(30, noise=0.1, **kw),
    lambda **kw: datasets.make_xor(30, noise=0.1, **kw),
    lambda **kw: datasets.train_test_split(list(range(20)), [i % 2 for i in range(20)], stratify=True, **kw),
    lambda **kw: MLP(2, [4, 3], **kw).state_dict(),
    lambda **kw: Layer(3, 2, **kw).state_dict(),
    lambda **kw: Neuron(5, **kw).state_dict(),
    lambda **kw: batches(20, 3, **kw),
]


@pytest.mark.parametrize("make", GENERATORS)
def test_random_state_is_seed(make: Callable[..., Any]) -> None:
    assert make(random_state=7) == make(seed=7)
    assert make(random_state=random.Random(7)) == make(seed=7)  # a Random, as scikit-learn's RandomState
    assert make(random_state=7) != make(random_state=8)
    with pytest.raises(
        TypeError, match=r"pass (seed= or random_state= \(the same thing\)|one of seed=, rng= and random_state=)"
    ):
        make(seed=1, random_state=1)


def test_fit_takes_random_state_for_the_order_of_minibatches() -> None:
    X, y = make_moons(30, noise=0.1, seed=0)
    a, b = MLP(2, [4, 1], seed=0), MLP(2, [4, 1], seed=0)
    h1 = fit(a, X, y, batch_size=5, epochs=2, random_state=3, progress=False)
    h2 = fit(b, X, y, batch_size=5, epochs=2, seed=3, progress=False)
    assert h1 == h2 and a.state_dict() == b.state_dict()
    with pytest.raises(TypeError, match=r"fit: pass seed= or random_state="):
        fit(a, X, y, seed=1, random_state=1, progress=False)


# -- labels given as floats: classes when they are whole numbers -------------------------------------------
def test_whole_float_labels_are_classes_with_their_accuracy() -> None:
    X, y = make_blobs(45, centers=3, seed=2)
    as_floats = [float(t) for t in y]
    ints, floats = MLP(2, [6, 3], seed=5), MLP(2, [6, 3], seed=5)
    h_int = fit(ints, X, y, epochs=3, batch_size=9, seed=1, validation_data=(X, y), progress=False)
    h_float = fit(floats, X, as_floats, epochs=3, batch_size=9, seed=1, validation_data=(X, as_floats), progress=False)
    assert h_float == h_int and set(h_float) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert accuracy(floats, X, as_floats) == accuracy(ints, X, y)


def test_numpy_float_labels_are_classes() -> None:
    np = pytest.importorskip("numpy")
    X, y = make_moons(30, noise=0.1, seed=0)
    h = fit(MLP(2, [4, 1], seed=0), np.array(X), np.array(y, dtype=np.float64), epochs=2, progress=False)
    assert set(h) == {"loss", "accuracy"}


def test_soft_labels_and_regression_targets_get_no_accuracy() -> None:
    X, y = make_moons(30, noise=0.1, seed=0)
    soft = [0.9 if t == 1 else 0.1 for t in y]
    assert set(fit(MLP(2, [4, 1], seed=0), X, soft, epochs=2, progress=False)) == {"loss"}
    assert set(fit(MLP(2, [4, 1], seed=0), X, [float(t) for t in y], loss=mse, epochs=2, progress=False)) == {"loss"}


# -- a sigmoid output is a probability: PyTorch's BCE, class 1 above 0.5 -----------------------------------
def test_a_sigmoid_output_is_a_probability_for_predict_accuracy_and_fit() -> None:
    X, y = make_moons(60, noise=0.1, seed=0)
    model = MLP(2, [8, 1], output_activation="sigmoid", seed=0)
    history = fit(model, X, y, epochs=30, batch_size=10, seed=0, progress=False)
    probabilities = [model(x).data for x in X]  # type: ignore[union-attr]
    assert predict(model, X) == [1 if p > 0.5 else 0 for p in probabilities]
    assert history["accuracy"][-1] > 0.8 and accuracy(model, X, y) > 0.8
    with microgradnet.no_grad():  # the loss fit used is PyTorch's BCE on the probabilities
        final = binary_cross_entropy([model(x) for x in X], y).data  # type: ignore[misc]
    assert final < history["loss"][0]
    with pytest.raises(ValueError, match="takes probabilities, but this model's output neuron is 'linear'"):
        fit(MLP(2, [4, 1], seed=0), X, y, loss="binary_cross_entropy", progress=False)


def test_any_other_model_gives_a_score_whose_sign_is_the_class() -> None:
    assert predict(lambda x: Value(x[0] - 0.25), [[0.0], [0.5], [0.3]]) == [0, 1, 1]
    sigmoid = Neuron(1, activation="sigmoid")
    sigmoid.w[0].data, sigmoid.b.data = 1.0, 0.0  # sigmoid(x) > 0.5 exactly where x > 0
    assert predict(sigmoid, [[-0.1], [0.2], [-3.0]]) == [0, 1, 0]


# -- PyTorch-style modules: forward, and typed outputs ------------------------------------------------------
class Residual(Module):
    """A module of one's own, as in PyTorch: parameters in attributes, the computation in forward."""

    def __init__(self) -> None:
        self.inner = MLP(2, [4, 2], activation="tanh", seed=3)
        self.scale = Value(0.5)

    def forward(self, x: list[float]) -> list[Value]:
        return [self.scale * h + xi for h, xi in zip(self.inner.scores(x), x)]


class Shifted(MLP):
    """An MLP whose forward is overridden and calls the MLP's own."""

    def forward(self, x: Any) -> Any:
        return super().forward(x) + 1.0


def test_calling_a_module_runs_its_forward() -> None:
    block = Residual()
    out = block([1.0, -1.0])
    assert [v.data for v in out] == [0.5 * h.data + x for h, x in zip(block.inner([1.0, -1.0]), [1.0, -1.0])]  # type: ignore[union-attr]
    assert len(block.parameters()) == len(block.inner.parameters()) + 1
    stack = MLP(2, [2, 1], seed=0)
    stack.layers.insert(0, block)  # type: ignore[arg-type]
    assert stack([1.0, -1.0]).data == stack.layers[2](stack.layers[1](block([1.0, -1.0]))).data  # type: ignore[union-attr]


def test_a_subclass_overriding_forward_is_called_through_it() -> None:
    shifted, plain = Shifted(2, [3, 1], seed=0), MLP(2, [3, 1], seed=0)
    assert shifted([0.5, 0.5]).data == plain([0.5, 0.5]).data + 1.0  # type: ignore[union-attr]
    assert predict(shifted, [[0.5, 0.5], [1.0, 0.0]]) == [
        1 if plain.score(x).data + 1.0 > 0 else 0 for x in ([0.5, 0.5], [1.0, 0.0])
    ]


def test_a_module_without_forward_says_what_to_define() -> None:
    class Empty(Module):
        pass

    with pytest.raises(NotImplementedError, match="Empty must define forward\\(self, x\\), as a PyTorch module does"):
        Empty()([1.0])


def test_score_and_scores_give_typed_outputs_for_an_input_or_a_batch() -> None:
    X = [[0.5, -1.0], [1.0, 2.0], [0.0, 0.0]]
    one, three = MLP(2, [4, 1], seed=0), MLP(2, [4, 3], seed=0)
    assert one.score(X[0]).data == one(X[0]).data  # type: ignore[union-attr]
    assert [s.data for s in one.score(X)] == [one(x).data for x in X]  # type: ignore[union-attr]
    assert [v.data for v in one.scores(X[0])] == [one(X[0]).data]  # type: ignore[union-attr]
    assert [[v.data for v in row] for row in three.scores(X)] == [[v.data for v in three(x)] for x in X]  # type: ignore[union-attr]
    with pytest.raises(TypeError, match=r"score\(\) is for a model with one output; MLP of .* gives 3: use scores\(\)"):
        three.score(X[0])
    assert Residual().score is not None and len(Residual().scores(X[0])) == 2
