"""Training: `fit` a model to data with a progress bar, `predict` classes and measure `accuracy`.

A model with one output is a binary classifier: its output is a score (a logit), class 1 when it
is positive, or, if its output neuron is a sigmoid, a probability, class 1 when it is above 0.5. A
model with k outputs scores k classes, and the class is the one with the highest score. Labels are
0/1 (or -1/+1 with the hinge loss) and 0..k-1.

A Neuron, Layer or MLP is called once per minibatch, on its rows (`model(rows)`, which reads each
weight once for all of them), and on 16 rows at a time to predict; any other model (a function, a
Module with a `__call__` of its own) is called on one input at a time. Both give the same numbers.
With `fit(..., compile=True)` a Neuron, Layer or MLP is traced once into generated Python (see
`codegen/model.py`), which computes the same outputs and, up to rounding, the same gradients.
"""

from __future__ import annotations

import gc
import numbers
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from . import losses
from .codegen.model import CompiledModel, NotCompiledWarning, compiled, rows_of_numbers
from .codegen.step import CompiledStep, compiled_step
from .datasets import Seed, random_source, seed_or_random_state
from .engine import NotCompilableError, Operand, Value, no_grad
from .engine.extend import type_name
from .engine.floats import as_float
from .nn import MLP, Layer, Neuron, forward_rows
from .optim import SGD, Adam, Optimizer
from .progress import Progress as _Progress

__all__ = [
    "LOSSES",
    "OPTIMIZERS",
    "accuracy",
    "batches",
    "class_index",
    "collector_paused",
    "decision_threshold",
    "fit",
    "predict",
    "predict_scores",
]

Model = Callable[[Sequence[Operand]], Value | list[Value]]
LossFn = Callable[[Any, Any], Value]
LOSSES: dict[str, LossFn] = {
    "mse": losses.mse,
    "hinge": losses.hinge,
    "binary_cross_entropy": losses.binary_cross_entropy,
    "binary_cross_entropy_with_logits": losses.binary_cross_entropy_with_logits,
    "cross_entropy": losses.cross_entropy,
}
OPTIMIZERS: dict[str, type[Optimizer]] = {"adam": Adam, "sgd": SGD}  # fit(optimizer="adam"): lr=0.01


def predict(model: Model, X: Sequence[Sequence[Operand]]) -> list[int]:
    """The class of each input: the argmax of a model's scores, or (one output) 1 if the score > 0 (a sigmoid's
    probability > 0.5) else 0."""
    threshold = decision_threshold(model)
    return [_decide(out, threshold) for out in predict_scores(model, X)]


def predict_scores(model: Model, X: Sequence[Sequence[Operand]]) -> list[Value | list[Value]]:
    """The model's output for each input (a Value, or a list of them for several outputs), without a graph."""
    with no_grad():
        return forward_rows(model, X, _ROWS_AT_ONCE)


def accuracy(model: Model, X: Sequence[Sequence[Operand]], y: Sequence[int]) -> float:
    """The fraction of inputs whose predicted class is the label (a -1 label counts as class 0)."""
    X, y = _lists(X, y, "accuracy")
    return _fraction_correct(predict(model, X), y)


def batches(
    n: int, batch_size: int | None, shuffle: bool = True, seed: Seed = None, *, random_state: Seed = None
) -> list[list[int]]:
    """The indices 0..n-1 in batches of batch_size (the last may be smaller; None: one batch of all)."""
    order = list(range(n))
    if shuffle:
        random_source(seed_or_random_state(seed, random_state, "batches")).shuffle(order)
    size = n if batch_size is None else batch_size
    return [order[i : i + size] for i in range(0, n, size)]


def fit(
    model: Any,
    X: Sequence[Sequence[Operand]],
    y: Sequence[Any],
    *,
    loss: str | LossFn | None = None,
    optimizer: Optimizer | str | None = None,
    epochs: int = 10,
    batch_size: int | None = None,
    l2: float = 0.0,
    shuffle: bool = True,
    seed: Seed = None,
    validation_data: tuple[Sequence[Sequence[Operand]], Sequence[Any]] | None = None,
    progress: bool | None = None,
    callbacks: Sequence[Any] | None = None,
    random_state: Seed = None,
    compile: bool = False,  # noqa: A002 - the word for it
) -> dict[str, list[float]]:
    """Train `model` on (X, y) by minibatch gradient descent; returns the history of each epoch.

    loss: a name in LOSSES or a function (outputs, labels) -> Value; None picks cross_entropy for a
    model with several outputs and, for one, binary_cross_entropy_with_logits on its score (or
    binary_cross_entropy if its output neuron is a sigmoid, whose output is a probability).
    optimizer: an Optimizer, or 'adam' or 'sgd' for Adam or SGD with lr=0.01; default Adam(lr=0.01).
    batch_size: None trains on all of X at each step. l2: adds l2 * Σ p² to the loss. seed (or
    random_state, scikit-learn's name): the order of the minibatches. progress: a bar in a terminal
    or Jupyter, a line per epoch in a log (False: nothing; True: insists on tqdm in a terminal). The
    history has 'loss' (mean training loss, including the l2 term) and, for class labels (ints, or
    whole floats such as NumPy's 1.0, which are read as ints), 'accuracy' (of the predictions made
    while training), plus 'val_loss' and 'val_accuracy' when validation_data is given. Other targets
    (a regression's, soft labels such as 0.3) get no accuracy. callbacks: each is called after every
    epoch as cb(epoch, history, model), epochs counted from 0 (or cb.on_epoch_end(epoch, history, model)
    if it has that method), e.g. microgradnet.plot.LivePlot. compile: trace a Neuron, Layer or MLP
    once into generated Python and train with that (another model trains with the engine, with a notice).
    """
    X, y = _lists(X, y, "fit")
    y = _class_labels(y)
    validation_data = _check_fit(epochs, batch_size, l2, validation_data)
    loss_fn = _loss_function(loss, model, X)
    at_epoch_end = _epoch_callbacks(callbacks)
    optimizer = _optimizer(optimizer, model)
    classify = loss_fn is not losses.mse and all(isinstance(t, numbers.Integral) for t in y)
    rng = random_source(seed_or_random_state(seed, random_state, "fit"))
    engine_step = _Step(model, loss_fn, optimizer, model.parameters() if l2 else [], l2, classify)
    step = (_generated(engine_step, X, y) if compile else None) or engine_step
    if compile and step is engine_step:  # the model alone (a loss of your own), or a notice that it cannot be
        engine_step.compiled = _compiled(model, X)
    history: dict[str, list[float]] = {"loss": []}
    with (
        _Progress(progress, epochs * len(batches(len(X), batch_size, shuffle=False))) as bar,
        collector_paused() as collecting,
    ):
        for epoch in range(epochs):
            bar.start_epoch(epoch, epochs)
            total, correct, seen = 0.0, 0, 0
            try:
                for idx in batches(len(X), batch_size, shuffle, rng):
                    loss_sum, right = step(X, y, idx)
                    total, correct, seen = total + loss_sum, correct + right, seen + len(idx)
                    bar.step(total / seen, correct / seen if classify else None)
                    if collecting:
                        _collect_young()
            finally:
                step.sync()  # the model's Values hold the parameters (and the latest gradients) from here on
            _record(history, "loss", total / len(X))
            if classify:
                _record(history, "accuracy", correct / len(X))
            if validation_data is not None:
                for key, value in _evaluate(model, loss_fn, *validation_data, classify, step.compiled).items():
                    _record(history, key, value)
            bar.end_epoch(history)
            for callback in at_epoch_end:
                callback(epoch, history, model)
    return history


@contextmanager
def collector_paused() -> Iterator[bool]:
    """Pause Python's cyclic garbage collector inside the block; restore it as it was on leaving, even on an error.

    The block gets whether the collector was enabled (`with collector_paused() as was_enabled:`).

    While a graph is alive, every few hundred new objects the collector scans the objects already made,
    and the older ones less often but all of them: a node of a 10^6-node graph takes 1.5× the
    instructions of one of 10^4 nodes, and none more with the collector paused. microgradnet's graphs
    hold no reference cycles, so reference counting frees them without the collector. `fit` trains
    inside this block (and collects the young objects between its steps, which frees the cycles a
    model or a loss of your own may make in a step); use it around a big graph of your own. The
    collector's settings (thresholds, frozen objects) are left alone.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield enabled
    finally:
        if enabled:
            gc.enable()


def _collect_young() -> None:
    """Between two of fit's steps: a young collection where the paused collector would have run one."""
    threshold = gc.get_threshold()[0]
    if threshold and gc.get_count()[0] > threshold:
        gc.collect(0)


def class_index(label: Any) -> int:
    """The class a label stands for: the label itself, or 0 for the -1 of ±1 labels."""
    return 0 if label == -1 else int(label)


# -- helpers ----------------------------------------------------------------------------------------
_ROWS_AT_ONCE = 16  # predict's rows per call: more keep so many nodes alive that Python's cyclic GC slows it down


class _Step:
    """One step of minibatch gradient descent: forward, loss (+ L2), backward, update."""

    compiled: CompiledModel | None = None  # the model as generated code, if fit compiles it

    def __init__(self, model: Any, loss_fn: LossFn, optimizer: Optimizer, decay: list[Value], l2: float,
                 classify: bool) -> None:  # fmt: skip
        self.model, self.loss_fn, self.optimizer, self.decay, self.l2, self.classify = (
            model, loss_fn, optimizer, decay, l2, classify)  # fmt: skip

    def __call__(self, X: list[Any], y: list[Any], idx: list[int]) -> tuple[float, int]:
        """Train on the minibatch of rows idx; its summed loss and how many of its rows were classified right."""
        rows, targets = [X[i] for i in idx], [y[i] for i in idx]
        compiled = self.compiled
        outputs = forward_rows(self.model, rows) if compiled is None else compiled(rows)  # compiled: leaves
        objective = self.loss_fn(outputs, targets)
        if self.l2:
            objective = objective + losses.l2(self.decay, self.l2)
        self.optimizer.zero_grad()
        objective.backward()
        if compiled is not None:  # the loss's backward stopped at the outputs: the model's backward, compiled
            compiled.backward()
        self.optimizer.step()
        threshold = decision_threshold(self.model)
        right = sum(_decide(o, threshold) == class_index(t) for o, t in zip(outputs, targets)) if self.classify else 0
        return objective.data * len(rows), right

    def sync(self) -> None:
        """Nothing to do: the step trains the model's Values themselves."""


class _GeneratedStep:
    """fit's whole step as generated code (see codegen/step.py): the parameters are floats between the steps, and
    the model's Values get them (and the latest gradients) back at the end of each epoch."""

    def __init__(self, code: CompiledStep, step: _Step, X: list[Any], y: list[Any]) -> None:
        self.code, self.model, self.classify = code, step.model, step.classify
        self.threshold = decision_threshold(step.model)
        self.rows = [_float_row(row) for row in X]
        self.targets = code.targets(y)
        self.params = code.params
        self.P = [p.data for p in self.params]
        self.grads: list[float] | None = None
        self.optimizer, self.loss_fn = step.optimizer, step.loss_fn
        own = isinstance(self.optimizer, (SGD, Adam)) and type(self.optimizer).step is Optimizer.step
        self.on_floats = own and set(self.optimizer.params) == set(self.params)  # else: its step() on the Values
        index = {p: i for i, p in enumerate(self.params)}
        self.order = None if self.optimizer.params == self.params else [index[p] for p in self.optimizer.params]

    @property
    def compiled(self) -> CompiledModel:
        """The model alone as generated code, for the validation data (made when first asked for)."""
        return compiled(self.model)

    def __call__(self, X: list[Any], y: list[Any], idx: list[int]) -> tuple[float, int]:
        """Train on the minibatch of rows idx; its summed loss and how many of its rows were classified right."""
        rows, targets = self.rows, self.targets
        objective, outs, grads = self.code(self.P, [rows[i] for i in idx], [targets[i] for i in idx])
        if self.code.checks_outputs:  # the loss's own check of the outputs (binary_cross_entropy's probabilities)
            self.loss_fn(outs, [y[i] for i in idx])
        if self.on_floats:
            self.P, self.grads = self._update_floats(self.P, grads), grads
        else:
            self.optimizer.zero_grad()
            for p, g in zip(self.params, grads):
                p.grad += g
            self.optimizer.step()
            self.P = [p.data for p in self.params]
        right = 0
        if self.classify:
            right = sum(_decide_floats(o, self.threshold) == class_index(y[i]) for o, i in zip(outs, idx))
        return objective * len(idx), right

    def _update_floats(self, P: list[float], grads: list[float]) -> list[float]:
        """The optimizer's step on the floats (in its own order of the parameters)."""
        order = self.order
        if order is None:
            return self.optimizer.step_floats(P, grads)
        new = self.optimizer.step_floats([P[i] for i in order], [grads[i] for i in order])
        P = list(P)
        for i, x in zip(order, new):
            P[i] = x
        return P

    def sync(self) -> None:
        """Write the parameters (and the latest gradients) to the model's Values."""
        if self.on_floats and self.grads is not None:
            for p, x, g in zip(self.params, self.P, self.grads):
                p.data, p.grad = x, g


def _generated(step: _Step, X: list[Any], y: list[Any]) -> _GeneratedStep | None:
    """fit's whole step as generated code, if the model and the loss are built-in ones and the rows are numbers
    (else None: the engine computes the loss, and says what is wrong with odd rows)."""
    try:
        code = compiled_step(step.model, step.loss_fn, step.l2)
        if len(set(code.params)) != len(code.params) or not rows_of_numbers(X, code.nin):
            return None
        return _GeneratedStep(code, step, X, y)
    except NotCompilableError:
        return None


_FLOAT = frozenset([float])


def _float_row(row: Any) -> list[float]:
    """A row of numbers (checked by CompiledModel.accepts) as a list of floats: the row itself if it is one."""
    if type(row) is list and _FLOAT.issuperset(map(type, row)):
        return row
    return [x if type(x) is float else as_float(x) for x in row]


def _decide_floats(out: float | tuple[float, ...], threshold: float) -> int:
    """_decide on the generated step's outputs: a float, or a tuple of the class scores."""
    if isinstance(out, float):
        return 1 if out > threshold else 0
    return max(range(len(out)), key=out.__getitem__)


def _compiled(model: Any, X: list[Any]) -> CompiledModel | None:
    """The model compiled for fit, or None (with a one-line notice if the model is what cannot be compiled)."""
    try:
        code = compiled(model)  # made once per model, and reused by the next fit
    except NotCompilableError as e:
        warnings.warn(f"fit(compile=True): {e}; training with the engine instead", NotCompiledWarning, stacklevel=3)
        return None
    return code if code.accepts(X) else None  # odd rows: the engine says what is wrong with them


def _decide(out: Value | list[Value], threshold: float = 0.0) -> int:
    if isinstance(out, Value):
        return 1 if out.data > threshold else 0
    return max(range(len(out)), key=lambda k: out[k].data)


def _fraction_correct(predicted: list[int], y: Sequence[Any]) -> float:
    return sum(p == class_index(t) for p, t in zip(predicted, y)) / len(y)


def _loss_function(loss: str | LossFn | None, model: Any, X: Sequence[Sequence[Operand]]) -> LossFn:
    if loss is None:
        with no_grad():
            several = not isinstance(forward_rows(model, X[:1])[0], Value)
        if several:
            return LOSSES["cross_entropy"]
        probability = _output_activation(model) == "sigmoid"
        return LOSSES["binary_cross_entropy" if probability else "binary_cross_entropy_with_logits"]
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"fit(loss) must be one of {', '.join(map(repr, LOSSES))} or a function, got {loss!r}")
        loss = LOSSES[loss]
    activation = _output_activation(model)
    if loss is losses.binary_cross_entropy and activation not in (None, "sigmoid"):
        raise ValueError(
            "fit(loss='binary_cross_entropy') takes probabilities, but this model's output neuron is "
            f"{activation!r}, which gives scores: use loss='binary_cross_entropy_with_logits' (the default), "
            "or output_activation='sigmoid'"
        )
    if not callable(loss):
        raise TypeError(f"fit(loss) must be a loss name or a function (outputs, labels) -> Value, got {loss!r:.60}")
    return loss


def _evaluate(model: Any, loss_fn: LossFn, X: Sequence[Any], y: Sequence[Any], classify: bool,
              code: CompiledModel | None = None) -> dict[str, float]:  # fmt: skip
    """Validation loss (and accuracy) of the model on (X, y), from one forward pass without a graph."""
    with no_grad():
        outputs = code(X) if code is not None and code.accepts(X) else forward_rows(model, X, _ROWS_AT_ONCE)
        scores = {"val_loss": loss_fn(outputs, list(y)).data}
    if classify:
        threshold = decision_threshold(model)
        scores["val_accuracy"] = _fraction_correct([_decide(o, threshold) for o in outputs], y)
    return scores


def _output_activation(model: Any) -> str | None:
    """The activation of a Neuron's, Layer's or MLP's output neurons; None for any other model, or a mix."""
    if isinstance(model, MLP):
        model = model.layers[-1]
    if isinstance(model, Neuron):
        return model.activation
    if isinstance(model, Layer):
        kinds = {n.activation for n in model.neurons}
        return kinds.pop() if len(kinds) == 1 else None
    return None


def decision_threshold(model: Any) -> float:
    """Where a model's one output turns from class 0 to class 1: 0.5 for a sigmoid's probability, else 0."""
    return 0.5 if _output_activation(model) == "sigmoid" else 0.0


def _record(history: dict[str, list[float]], key: str, value: float) -> None:
    history.setdefault(key, []).append(value)


def _lists(X: Any, y: Any, where: str) -> tuple[list[Any], list[Any]]:
    """X and y as lists (from lists, tuples, NumPy arrays...), checked to be non-empty and equally long."""
    if isinstance(X, (str, bytes)) or isinstance(y, (str, bytes)) or not _iterable(X) or not _iterable(y):
        raise TypeError(f"{where}: X and y must be lists, got {type_name(X)} and {type_name(y)}")
    X, y = list(X), list(y)
    if len(X) != len(y):
        raise ValueError(f"{where}: X has {len(X)} rows but y has {len(y)} labels")
    if not X:
        raise ValueError(f"{where}: there is no data (X is empty)")
    return X, y


def _iterable(x: object) -> bool:
    return hasattr(x, "__iter__") and hasattr(x, "__len__")


def _check_fit(
    epochs: object, batch_size: object, l2: float, validation_data: Any
) -> tuple[list[Any], list[Any]] | None:
    """fit's numbers checked, and its validation data as lists (or None)."""
    _positive(epochs, "fit(epochs)")
    if batch_size is not None:
        _positive(batch_size, "fit(batch_size)")
    if isinstance(l2, bool) or not isinstance(l2, numbers.Real) or not l2 >= 0:
        raise ValueError(f"fit(l2) must be a number >= 0, got {l2!r:.60}")
    if validation_data is None:
        return None
    X_val, y_val = _lists(*validation_data, "fit(validation_data)")
    return X_val, _class_labels(y_val)


def _class_labels(y: list[Any]) -> list[Any]:
    """Labels as they are, or as ints if they are all whole floats (1.0, NumPy's float64): classes, not targets."""
    if all(isinstance(t, numbers.Integral) for t in y):
        return y
    if all(isinstance(t, numbers.Real) and float(t).is_integer() for t in y):
        return [int(t) for t in y]
    return y


def _optimizer(optimizer: Optimizer | str | None, model: Any) -> Optimizer:
    """fit's optimizer: the one given, or Adam or SGD by name (lr=0.01), Adam(lr=0.01) for None."""
    if optimizer is None or isinstance(optimizer, str):
        name = "adam" if optimizer is None else optimizer.lower()
        if name not in OPTIMIZERS:
            raise ValueError(
                f"fit(optimizer) must be an Optimizer such as Adam(model.parameters(), lr=0.01), or one of "
                f"{', '.join(map(repr, OPTIMIZERS))}; got {optimizer!r:.60}"
            )
        return OPTIMIZERS[name](model.parameters(), lr=0.01)
    if not (callable(getattr(optimizer, "step", None)) and callable(getattr(optimizer, "zero_grad", None))):
        raise TypeError(
            "fit(optimizer) must be an Optimizer (with step() and zero_grad()), such as Adam(model.parameters(), "
            f"lr=0.01), or 'adam' or 'sgd'; got {type_name(optimizer)}: {optimizer!r:.60}"
        )
    return optimizer


def _epoch_callbacks(callbacks: Any) -> list[Callable[[int, dict[str, list[float]], Any], object]]:
    """fit's callbacks as functions (epoch, history, model), each checked to be callable."""
    if callbacks is None:
        return []
    if isinstance(callbacks, (str, bytes)) or not hasattr(callbacks, "__iter__"):
        raise TypeError(
            f"fit(callbacks) must be a list of callbacks (callbacks=[cb]), got {type(callbacks).__name__}: "
            f"{callbacks!r:.60}"
        )
    found = []
    for cb in callbacks:
        call = getattr(cb, "on_epoch_end", cb)
        if not callable(call):
            raise TypeError(
                f"fit(callbacks): a callback must be a function (epoch, history, model) or have an "
                f"on_epoch_end(epoch, history, model) method, got {type(cb).__name__}: {cb!r:.60}"
            )
        found.append(call)
    return found


def _positive(n: object, where: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{where} must be a positive int, got {type_name(n)}: {n!r:.60}")
    if n < 1:
        raise ValueError(f"{where} must be a positive int, got {n}")
