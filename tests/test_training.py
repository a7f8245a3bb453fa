"""fit, predict and accuracy: the targets (micrograd's demo, XOR, digits on a subset) and fit's behaviour."""

from __future__ import annotations

from typing import Any

import pytest

import microgradnet
from microgradnet import Value
from microgradnet.datasets import load_digits, make_blobs, make_moons, make_xor, train_test_split
from microgradnet.losses import hinge, l2, mse
from microgradnet.nn import MLP, Layer, Neuron
from microgradnet.optim import SGD, Adam
from microgradnet.training import _ROWS_AT_ONCE, accuracy, batches, fit, predict


def test_micrograds_demo_reaches_100_percent() -> None:
    # micrograd's demo.ipynb: 100 moons, MLP(2, [16, 16, 1]), hinge loss + 1e-4 L2, SGD with lr 1.0 - 0.9 k/100,
    # 100 full-batch steps, labels -1 and +1.
    X, y01 = make_moons(100, noise=0.1, seed=1)
    y = [1 if t == 1 else -1 for t in y01]
    model = MLP(2, [16, 16, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=1.0, schedule=lambda k: 1.0 - 0.9 * k / 100)
    history = fit(model, X, y, loss="hinge", optimizer=optimizer, epochs=100, l2=1e-4, shuffle=False, progress=False)
    assert history["accuracy"][0] < 0.9 and history["loss"][-1] < 0.1 * history["loss"][0]
    assert accuracy(model, X, y) == 1.0
    assert accuracy(model, X, y01) == 1.0  # the same predictions, with 0/1 labels


def test_fit_is_micrograds_training_loop() -> None:
    # The demo's loop written out by hand gives exactly the same weights as fit (full batch, no shuffling).
    X, y01 = make_moons(20, noise=0.1, seed=2)
    y = [1 if t == 1 else -1 for t in y01]
    ours, by_hand = MLP(2, [4, 1], seed=3), MLP(2, [4, 1], seed=3)
    fit(ours, X, y, loss="hinge", optimizer=SGD(ours.parameters(), lr=0.5, schedule=lambda k: 1.0 - 0.09 * k),
        epochs=5, l2=1e-4, shuffle=False, progress=False)  # fmt: skip
    for k in range(5):
        scores = [by_hand(x) for x in X]
        losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]  # type: ignore[operator,union-attr]
        data_loss = microgradnet.sum(losses) * (1.0 / len(losses))
        total = data_loss + 1e-4 * microgradnet.sum(p * p for p in by_hand.parameters())
        by_hand.zero_grad()
        total.backward()
        for p in by_hand.parameters():
            p.data -= 0.5 * (1.0 - 0.09 * k) * p.grad
    assert ours.state_dict() == pytest.approx(by_hand.state_dict(), rel=1e-12)


def test_xor_truth_table_with_a_2_4_1_tanh_mlp() -> None:
    X, y = make_xor()
    solved = []
    for seed in range(10):
        model = MLP(2, [4, 1], activation="tanh", seed=seed)
        fit(model, X, y, optimizer=Adam(model.parameters(), lr=0.1), epochs=100, progress=False)
        solved.append(accuracy(model, X, y) == 1.0)
    assert solved[0]
    assert sum(solved) >= 7  # a few initialisations of so small a network fall into XOR's local minimum


def test_digits_subset() -> None:
    pytest.importorskip("sklearn")
    X, y = load_digits()
    _, X_small, _, y_small = train_test_split(X, y, 0.2, stratify=True, seed=0)  # 360 images
    X_train, X_test, y_train, y_test = train_test_split(X_small, y_small, 0.25, stratify=True, seed=0)
    model = MLP(64, [16, 10], seed=0)
    history = fit(model, X_train, y_train, optimizer=Adam(model.parameters(), lr=0.02), epochs=4, batch_size=16,
                  seed=0, validation_data=(X_test, y_test), progress=False)  # fmt: skip
    assert history["loss"] == sorted(history["loss"], reverse=True)
    assert history["accuracy"][-1] > 0.85
    assert accuracy(model, X_test, y_test) == history["val_accuracy"][-1] > 0.8


def test_history_and_validation() -> None:
    X, y = make_blobs(60, centers=3, seed=0)
    X_val, y_val = make_blobs(30, centers=3, seed=0)
    model = MLP(2, [8, 3], seed=0)
    h = fit(model, X, y, epochs=3, batch_size=16, validation_data=(X_val, y_val), seed=0, progress=False)
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy"} and all(len(v) == 3 for v in h.values())
    assert h["val_accuracy"][-1] == accuracy(model, X_val, y_val)
    from microgradnet.losses import cross_entropy

    with microgradnet.no_grad():
        assert h["val_loss"][-1] == pytest.approx(cross_entropy([model(x) for x in X_val], y_val).data, rel=1e-12)


def test_default_loss_follows_the_number_of_outputs() -> None:
    X, y = make_moons(30, seed=0)
    one = MLP(2, [4, 1], seed=0)
    h = fit(one, X, y, epochs=1, optimizer=SGD(one.parameters(), lr=0.0), progress=False)
    from microgradnet.losses import binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy

    with microgradnet.no_grad():
        assert h["loss"][0] == pytest.approx(binary_cross_entropy_with_logits([one(x) for x in X], y).data, rel=1e-12)
    sigmoid = MLP(2, [4, 1], output_activation="sigmoid", seed=0)  # its output is a probability: PyTorch's BCE
    h = fit(sigmoid, X, y, epochs=1, optimizer=SGD(sigmoid.parameters(), lr=0.0), progress=False)
    with microgradnet.no_grad():
        assert h["loss"][0] == pytest.approx(binary_cross_entropy([sigmoid(x) for x in X], y).data, rel=1e-12)
    two = MLP(2, [4, 2], seed=0)
    h = fit(two, X, y, epochs=1, optimizer=SGD(two.parameters(), lr=0.0), progress=False)
    with microgradnet.no_grad():
        assert h["loss"][0] == pytest.approx(cross_entropy([two(x) for x in X], y).data, rel=1e-12)


def test_regression_with_mse_and_a_custom_loss() -> None:
    X = [[x / 10] for x in range(-10, 11)]
    y = [3.0 * x[0] - 1.0 for x in X]
    model = Neuron(1, nonlin=False, seed=0)
    h = fit(model, X, y, loss="mse", optimizer=Adam(model.parameters(), lr=0.1), epochs=200, progress=False)
    assert set(h) == {"loss"} and h["loss"][-1] < 1e-6
    assert model.w[0].data == pytest.approx(3.0, abs=1e-3) and model.b.data == pytest.approx(-1.0, abs=1e-3)

    calls = []

    def my_loss(outputs: list[Value], targets: list[float]) -> Value:
        calls.append(len(outputs))
        return mse(outputs, targets, reduction="sum")

    fit(model, X, y, loss=my_loss, epochs=1, batch_size=8, progress=False)
    assert calls == [8, 8, 5]


def test_l2_term_is_part_of_the_loss() -> None:
    X, y = make_moons(10, seed=0)
    model = MLP(2, [3, 1], seed=0)
    frozen = SGD(model.parameters(), lr=0.0)
    plain = fit(model, X, y, loss="hinge", optimizer=frozen, epochs=1, progress=False)["loss"][0]
    with_l2 = fit(model, X, y, loss="hinge", optimizer=frozen, epochs=1, l2=0.5, progress=False)["loss"][0]
    assert with_l2 == pytest.approx(plain + l2(model, 0.5).data, rel=1e-12)
    with microgradnet.no_grad():
        assert plain == pytest.approx(hinge([model(x) for x in X], y).data, rel=1e-12)


def test_seeded_fit_is_reproducible_and_the_default_uses_random() -> None:
    X, y = make_moons(40, noise=0.1, seed=0)
    a, b = MLP(2, [4, 1], seed=0), MLP(2, [4, 1], seed=0)
    fit(a, X, y, epochs=2, batch_size=8, seed=5, progress=False)
    fit(b, X, y, epochs=2, batch_size=8, seed=5, progress=False)
    assert a.state_dict() == b.state_dict()
    fit(a, X, y, epochs=1, batch_size=8, progress=False)  # seed=None: the global random module


def test_predict_and_accuracy() -> None:
    one = Neuron(1, nonlin=False)
    one.w[0].data, one.b.data = 1.0, 0.0
    assert predict(one, [[2.0], [-1.0], [0.0]]) == [1, 0, 0]  # a score of exactly 0 is class 0
    assert accuracy(one, [[2.0], [-1.0]], [1, -1]) == 1.0
    assert accuracy(one, [[2.0], [-1.0]], [0, 1]) == 0.0
    three = MLP(1, [3], output_activation="linear", seed=0)
    for n, w in zip(three.layers[0].neurons, [1.0, -1.0, 0.0]):
        n.w[0].data, n.b.data = w, 0.5 if w == 0 else 0.0
    assert predict(three, [[2.0], [-2.0], [0.1]]) == [0, 1, 2]
    assert accuracy(three, [[2.0], [-2.0], [0.1], [3.0]], [0, 1, 2, 2]) == 0.75


def test_batches() -> None:
    assert batches(5, 2, shuffle=False) == [[0, 1], [2, 3], [4]]
    assert batches(3, None, shuffle=False) == [[0, 1, 2]]
    shuffled = batches(10, 4, seed=0)
    assert [len(b) for b in shuffled] == [4, 4, 2] and sorted(i for b in shuffled for i in b) == list(range(10))
    assert shuffled == batches(10, 4, seed=0) != batches(10, 4, shuffle=False)


def test_bad_arguments_are_explained() -> None:
    X, y = make_moons(10, seed=0)
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="fit: X has 10 rows but y has 9 labels"):
        fit(model, X, y[:-1])
    with pytest.raises(ValueError, match=r"fit: there is no data \(X is empty\)"):
        fit(model, [], [])
    with pytest.raises(ValueError, match=r"fit\(epochs\) must be a positive int, got 0"):
        fit(model, X, y, epochs=0)
    with pytest.raises(TypeError, match=r"fit\(batch_size\) must be a positive int, got float: 2.5"):
        fit(model, X, y, batch_size=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"fit\(loss\) must be one of 'mse', 'hinge', 'binary_cross_entropy', "):
        fit(model, X, y, loss="bce")
    with pytest.raises(TypeError, match=r"fit\(loss\) must be a loss name or a function"):
        fit(model, X, y, loss=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"fit\(l2\) must be a number >= 0, got -1"):
        fit(model, X, y, l2=-1)
    with pytest.raises(ValueError, match=r"fit\(validation_data\): X has 2 rows but y has 1 labels"):
        fit(model, X, y, validation_data=(X[:2], y[:1]))
    with pytest.raises(TypeError, match="accuracy: X and y must be lists"):
        accuracy(model, X, 3)  # type: ignore[arg-type]


def test_numpy_arrays_work_as_in_micrograds_demo() -> None:
    np = pytest.importorskip("numpy")
    sklearn = pytest.importorskip("sklearn.datasets")
    X, y = sklearn.make_moons(n_samples=40, noise=0.1, random_state=1)
    y = y * 2 - 1  # micrograd's -1 and +1
    assert isinstance(X, np.ndarray)
    model = MLP(2, [8, 1], seed=0)
    history = fit(model, X, y, loss="hinge", epochs=3, progress=False, validation_data=(X[:10], y[:10]))
    assert len(history["val_accuracy"]) == 3
    assert accuracy(model, X, y) == accuracy(model, X.tolist(), y.tolist())
    assert predict(model, X) == predict(model, X.tolist())


class _OneRowAtATime:
    """A model that is not one of microgradnet's modules: fit, predict and accuracy call it on each input."""

    def __init__(self, model: Any) -> None:
        self.model, self.rows_seen = model, 0

    def __call__(self, x: Any) -> Any:
        self.rows_seen += 1
        return self.model(x)

    def parameters(self) -> list[Value]:
        return self.model.parameters()  # type: ignore[no-any-return]


def _forward_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of rows of each call of Layer._forward from now on (a Layer, an MLP's layers)."""
    sizes: list[int] = []
    forward = Layer._forward

    def counted(self: Layer, rows: Any, checked: bool = False) -> Any:
        sizes.append(len(rows))
        return forward(self, rows, checked)

    monkeypatch.setattr(Layer, "_forward", counted)
    return sizes


@pytest.mark.parametrize(
    ("make", "data", "kwargs"),
    [
        (lambda: MLP(2, [8, 8, 1], seed=4), lambda: make_moons(50, noise=0.1, seed=3),
         {"batch_size": 16, "l2": 1e-3, "loss": "hinge"}),
        (lambda: MLP(2, [6, 3], activation="tanh", seed=5), lambda: make_blobs(45, centers=3, seed=2),
         {"batch_size": 10}),
        (lambda: Layer(2, 1, activation="tanh", seed=6), lambda: make_moons(30, noise=0.2, seed=4), {}),
        (lambda: Neuron(2, nonlin=False, seed=7), lambda: make_moons(30, noise=0.2, seed=5),
         {"batch_size": 7, "loss": "mse"}),
    ],
    ids=["mlp-hinge-l2", "mlp-3-classes", "layer", "neuron-mse"],
)  # fmt: skip
def test_a_minibatch_in_one_call_trains_exactly_as_one_call_per_input(
    make: Any, data: Any, kwargs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = data()
    X_val, y_val = X[::3], y[::3]
    batched, one_by_one = make(), make()
    wrapped = _OneRowAtATime(one_by_one)
    runs = []
    for model in (batched, wrapped):
        opt = Adam(model.parameters(), lr=0.05)
        runs.append(fit(model, X, y, optimizer=opt, epochs=3, seed=1, validation_data=(X_val, y_val), progress=False,
                        **kwargs))  # fmt: skip
    assert runs[0] == runs[1] and set(runs[0]) >= {"loss", "val_loss"}
    assert batched.state_dict() == one_by_one.state_dict()
    probe = 0 if "loss" in kwargs else 1  # fit asks for one output to choose the default loss
    assert wrapped.rows_seen == probe + 3 * (len(X) + len(X_val))  # then each row of X and X_val at each epoch
    assert predict(batched, X) == predict(wrapped, X) and accuracy(batched, X, y) == accuracy(wrapped, X, y)

    sizes = _forward_calls(monkeypatch)
    predict(batched, X)
    layers = 0 if isinstance(batched, Neuron) else len(getattr(batched, "layers", [batched]))
    chunks = [min(_ROWS_AT_ONCE, len(X) - i) for i in range(0, len(X), _ROWS_AT_ONCE)]
    assert sizes == [n for n in chunks for _ in range(layers)]  # each layer on 16 rows at a time


def test_fit_calls_an_mlp_once_per_minibatch(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = make_moons(20, seed=0)
    sizes = _forward_calls(monkeypatch)
    fit(MLP(2, [3, 1], seed=0), X, y, epochs=1, batch_size=8, validation_data=(X, y), progress=False)
    assert _ROWS_AT_ONCE == 16  # validation, as predict, calls the model on 16 rows at a time
    assert sizes == [1, 1, 8, 8, 8, 8, 4, 4, 16, 16, 4, 4]  # 2 layers: default-loss probe, 3 minibatches, validation


def test_a_module_with_its_own_call_is_called_on_each_input() -> None:
    class Residual(MLP):
        """x + mlp(x): its __call__ takes one input, never a batch."""

        def __call__(self, x: Any) -> Any:  # type: ignore[override]
            assert not isinstance(x[0], (list, tuple)), "called on a batch"
            return [xi + oi for xi, oi in zip(x, super().__call__(x))]

    X, y = make_blobs(24, centers=2, seed=0)
    model = Residual(2, [4, 2], seed=0)
    h = fit(model, X, y, epochs=2, batch_size=8, seed=0, validation_data=(X, y), progress=False)
    assert h["val_accuracy"][-1] == accuracy(model, X, y)
    with microgradnet.no_grad():
        assert predict(model, X) == [max((0, 1), key=lambda k: model(x)[k].data) for x in X]


def test_inputs_given_as_plain_numbers_are_called_one_by_one() -> None:
    # A one-input model takes a number as its input; a list of numbers is then the data, not one input.
    one = Neuron(1, nonlin=False)
    one.w[0].data, one.b.data = 1.0, 0.0
    assert predict(one, [2.0, -1.0, 0.0]) == predict(one, [[2.0], [-1.0], [0.0]]) == [1, 0, 0]
    assert accuracy(MLP(1, [2], seed=0), [0.5, -0.5], [0, 0]) == accuracy(MLP(1, [2], seed=0), [[0.5], [-0.5]], [0, 0])
    assert predict(MLP(2, [3, 1], seed=0), []) == []
