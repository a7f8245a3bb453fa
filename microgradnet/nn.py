"""Neural networks of Values: Module, Neuron, Layer and MLP, with micrograd's API and more.

`Neuron(nin, nonlin=True)`, `Layer(nin, nout, **kwargs)` and `MLP(nin, nouts)` keep micrograd's
signatures and defaults (ReLU hidden layers, a linear output layer; a one-neuron Layer returns a Value).
A neuron's weighted sum Σ wᵢxᵢ + b is one fused graph node (`microgradnet.linear`), which is where
training gets its speed. Weights start uniform in ±gain·√(3/nin) (scaled by fan-in, as PyTorch's
`kaiming_uniform_`, gain √2 for ReLU, 5/3 for tanh, 1 otherwise); biases start at 0.
"""

from __future__ import annotations

import itertools
import math
import numbers
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from operator import attrgetter
from typing import Any, TypeVar, overload

from . import modelfile
from .engine import ACTIVATIONS as FUSED
from .engine import Operand, Value, all_values, linear, linears_each
from .engine.extend import type_name
from .engine.weighted_sum import LayerParameters
from .files import PathLike
from .modelfile import ModelFileError

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Embedding",
    "Layer",
    "ModelFileError",
    "Module",
    "Neuron",
    "forward_rows",
    "is_batch",
    "load",
]

M = TypeVar("M", bound="Module")
Batch = Sequence[Sequence[Operand]]  # input rows, one per sample
Output = Value | list[Value]  # a module's output for one sample: a Value, or a list for several neurons

# name: (prefix of the neuron's repr, the function, the init gain)
ACTIVATIONS: dict[str, tuple[str, Callable[[Value], Value], float]] = {
    "relu": ("ReLU", Value.relu, math.sqrt(2.0)),
    "tanh": ("Tanh", Value.tanh, 5.0 / 3.0),
    "sigmoid": ("Sigmoid", Value.sigmoid, 1.0),
    "leaky_relu": ("LeakyReLU", Value.leaky_relu, math.sqrt(2.0 / (1.0 + 0.01**2))),
    "linear": ("Linear", lambda v: v, 1.0),
}


class Module:
    """Base class of every network: its parameters, their names and gradients, and saving them.

    A module of your own defines `forward(self, x)`, as a PyTorch module does, and is called as
    `module(x)`; `score(x)` and `scores(x)` give its output with a type a checker can follow.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__ and "__call__" not in cls.__dict__:  # a PyTorch-style subclass, also of an
            cls.__call__ = Module.__call__  # type: ignore[method-assign]  # MLP: calling it runs its own forward

    def __call__(self, x: Any) -> Any:
        """The module's output for x: `self.forward(x)`, as PyTorch's modules."""
        return self.forward(x)

    def forward(self, x: Any) -> Any:
        """The module's computation; a module of your own defines it (a Neuron, Layer or MLP has its own)."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, x), as a PyTorch module does")

    @overload
    def score(self, x: Batch) -> list[Value]: ...
    @overload
    def score(self, x: Sequence[Operand] | Operand) -> Value: ...
    def score(self, x: Sequence[Operand] | Operand | Batch) -> Value | list[Value]:
        """The output of a model with one output (a score) for one input, or the list of them for a batch."""
        if is_batch(x):
            return [_one_output(out, self) for out in forward_rows(self, x)]  # type: ignore[arg-type]
        return _one_output(self(x), self)

    @overload
    def scores(self, x: Batch) -> list[list[Value]]: ...
    @overload
    def scores(self, x: Sequence[Operand] | Operand) -> list[Value]: ...
    def scores(self, x: Sequence[Operand] | Operand | Batch) -> list[Value] | list[list[Value]]:
        """Every output of the model for one input, as a list (of one for one output), or such lists for a batch."""
        if is_batch(x):
            return [_all_outputs(out, self) for out in forward_rows(self, x)]  # type: ignore[arg-type]
        return _all_outputs(self(x), self)

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0."""
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        """Every parameter (a leaf Value), each once, in a stable order."""
        found: list[Value] = []
        _collect(self, found)  # the order of named_parameters(), without building the names
        return list(dict.fromkeys(found))  # each once (a Value's hash is its identity)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, parameter) pairs such as ('layers.0.neurons.3.w.1', Value), found in attributes."""
        seen: set[Value] = set()
        out: list[tuple[str, Value]] = []
        for name, p in _walk(self, ""):
            if p not in seen:
                seen.add(p)
                out.append((name, p))
        return out

    def state_dict(self) -> dict[str, float]:
        """The parameters' numbers by name, in order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set the parameters from `state_dict()` output; checks every name and number before changing any."""
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict(state) must be a mapping of names to numbers, got {type(state).__name__}")
        named = self.named_parameters()
        missing = [name for name, _ in named if name not in state]
        if missing:
            raise ModelFileError(f"missing parameter {missing[0]!r} ({len(missing)} of {len(named)} missing)")
        known = {name for name, _ in named}
        unexpected = [name for name in state if name not in known]
        if unexpected:
            raise ModelFileError(f"unexpected parameter {unexpected[0]!r} ({len(unexpected)} not in this model)")
        for name, _ in named:
            x = state[name]
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
                raise ModelFileError(f"parameter {name!r} must be a finite number, got {x!r:.60}")
        for name, p in named:
            p.data = float(state[name])

    def config(self) -> dict[str, Any] | None:
        """The constructor arguments that rebuild this module (None for a module of your own)."""
        return None

    def to_torch(self, dtype: Any = None) -> Any:
        """This Neuron, Layer or MLP as a torch.nn.Sequential with the same weights (float64 unless dtype)."""
        from .pytorch import to_torch

        return to_torch(self, dtype)

    def save(self, path: PathLike) -> None:
        """Save the parameters (and architecture) as JSON, atomically."""
        modelfile.write(path, type(self).__name__, self.config(), self.state_dict())

    def load(self: M, path: PathLike) -> M:
        """Load parameters saved by `save` into this module (checked against it); returns the module."""
        f = modelfile.read(path)
        where = f"{path}"
        if f.module != type(self).__name__:
            raise ModelFileError(f"{where}: key 'module' is {f.module!r}, but this model is a {type(self).__name__}")
        mine = self.config()
        if mine is not None and f.config is not None:
            for key in sorted(set(mine) | set(f.config)):
                if mine.get(key) != f.config.get(key):
                    raise ModelFileError(
                        f"{where}: key 'config.{key}' is {f.config.get(key)!r}, but this model has {mine.get(key)!r}"
                    )
        try:
            self.load_state_dict(f.parameters)
        except ModelFileError as e:
            raise ModelFileError(f"{where}: {e}") from None
        return self


class Neuron(Module):
    """One neuron: activation(Σ wᵢxᵢ + b). `nonlin=False` makes it linear (micrograd's flag)."""

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str = "relu",
        seed: int | None = None,
        rng: random.Random | None = None,
        random_state: int | random.Random | None = None,
    ) -> None:
        _check_count(nin, "Neuron(nin)")
        _check_activation(activation)
        uniform = _generator(seed, rng, random_state).uniform
        act = activation if nonlin else "linear"
        bound = ACTIVATIONS[act][2] * math.sqrt(3.0 / nin)
        self.w = [Value(uniform(-bound, bound)) for _ in range(nin)]
        self.b = Value(0.0)
        self.activation = act
        self.nonlin = act != "linear"

    @overload
    def __call__(self, x: Batch) -> list[Value]: ...
    @overload
    def __call__(self, x: Sequence[Operand] | Operand) -> Value: ...
    def __call__(self, x: Sequence[Operand] | Operand | Batch) -> Value | list[Value]:
        """The neuron's output for one input (a list of numbers or Values), or a list of them for a batch of inputs."""
        if is_batch(x):
            return [self(row) for row in x]  # type: ignore[union-attr]
        xs = _inputs(x, len(self.w), self)  # type: ignore[arg-type]
        return ACTIVATIONS[self.activation][1](linear(self.w, xs, self.b))

    forward = __call__

    def __repr__(self) -> str:
        return f"{ACTIVATIONS[self.activation][0]}Neuron({len(self.w)})"

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this neuron."""
        return {"nin": len(self.w), "activation": self.activation}


class Layer(Module):
    """`nout` neurons on the same inputs; returns a list of Values, or one Value when nout is 1."""

    def __init__(
        self,
        nin: int,
        nout: int,
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
        random_state: int | random.Random | None = None,
        **kwargs: Any,
    ) -> None:
        _check_count(nin, "Layer(nin)")
        _check_count(nout, "Layer(nout)")
        gen = _generator(seed, rng, random_state)
        rng = gen if isinstance(gen, random.Random) else None
        self.neurons = [Neuron(nin, rng=rng, **kwargs) for _ in range(nout)]

    @overload
    def __call__(self, x: Batch) -> list[Output]: ...
    @overload
    def __call__(self, x: Sequence[Operand] | Operand) -> Output: ...
    def __call__(self, x: Sequence[Operand] | Operand | Batch) -> Output | list[Output]:
        """The layer's output for one input (a list of numbers or Values), or a list of them for a batch of inputs."""
        if is_batch(x):
            return [_unwrap(out) for out in self._forward(x)]  # type: ignore[arg-type]
        return _unwrap(self._forward([x])[0])  # type: ignore[list-item]

    forward = __call__

    def _forward(self, rows: Batch, checked: bool = False) -> list[list[Value]]:
        """Each row's outputs, as a list even for one neuron; the parameters are checked once for all rows.
        checked: the rows are a previous Layer's outputs, lists of Values as many as this layer's inputs."""
        neurons = self.neurons
        if not checked:
            nin = len(neurons[0].w)
            many = len(rows) > 1
            rows = [_inputs(x, nin, self, i if many else None) for i, x in enumerate(rows)]
        kinds = set(map(_ACTIVATION_OF, neurons))  # attrgetters mapped: read at C speed, no frame per neuron
        kind = kinds.pop() if len(kinds) == 1 else None
        weights, biases = list(map(_WEIGHTS_OF, neurons)), list(map(_BIAS_OF, neurons))
        layer = self.__dict__.get("_parameters")  # kept from the latest call while it holds the same parameters
        if layer is None or not layer.holds(weights, biases):
            layer = self._parameters = LayerParameters(weights, biases)
        if kind in FUSED:  # each neuron's activation and weighted sum as one node (it comes apart when looked into)
            return linears_each(weights, biases, rows, FUSED[kind], layer, checked)
        zs = linears_each(weights, biases, rows, None, layer, checked)  # inputs checked once per row
        if kind == "linear":
            return zs
        fs = [ACTIVATIONS[n.activation][1] for n in neurons]
        return [[f(z) for f, z in zip(fs, row)] for row in zs]

    def __repr__(self) -> str:
        return f"Layer of [{_runs([repr(n) for n in self.neurons])}]"

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this layer."""
        first = self.neurons[0]
        return {"nin": len(first.w), "nout": len(self.neurons), "activation": first.activation}


class MLP(Module):
    """A multi-layer perceptron: `activation` on every hidden layer, `output_activation` on the last."""

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str = "relu",
        output_activation: str = "linear",
        seed: int | None = None,
        rng: random.Random | None = None,
        random_state: int | random.Random | None = None,
    ) -> None:
        _check_count(nin, "MLP(nin)")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise TypeError(f"MLP(nouts) must be a non-empty list of layer sizes, like [16, 16, 1], got {nouts!r:.60}")
        for n in nouts:
            _check_count(n, "MLP(nouts) entries")
        _check_activation(activation)
        _check_activation(output_activation)
        gen = _generator(seed, rng, random_state)
        rng = gen if isinstance(gen, random.Random) else None
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=output_activation if i == last else activation, rng=rng)
            for i in range(len(nouts))
        ]

    @overload
    def __call__(self, x: Batch) -> list[Output]: ...
    @overload
    def __call__(self, x: Sequence[Operand] | Operand) -> Output: ...
    def __call__(self, x: Sequence[Operand] | Operand | Batch) -> Output | list[Output]:
        """The network's output for one input (a list of numbers or Values), or a list of them for a batch of inputs."""
        batch = is_batch(x)
        rows: Batch = x if batch else [x]  # type: ignore[assignment,list-item]
        width = None  # how many Values each row holds, where a Layer made them
        for layer in self.layers:
            if type(layer).__call__ is Layer.__call__:  # a Layer: the batch in one go
                rows = layer._forward(rows, width == len(layer.neurons[0].w))  # its inputs checked unless a Layer's
                width = len(layer.neurons)
            else:  # a module of your own in the stack: a call per row
                rows = [out if isinstance(out := layer(row), list) else [out] for row in rows]
                width = None
        outs = [_unwrap(out) for out in rows]  # type: ignore[arg-type]
        return outs if batch else outs[0]

    forward = __call__

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(repr(layer) for layer in self.layers)}]"

    @classmethod
    def from_torch(cls, seq: Any) -> MLP:
        """The MLP of a torch.nn.Sequential of Linear layers and activations, with its weights."""
        from .pytorch import from_torch

        return from_torch(seq)

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this network."""
        neurons = [layer.neurons[0] for layer in self.layers]
        return {
            "nin": len(neurons[0].w),
            "nouts": [len(layer.neurons) for layer in self.layers],
            "activation": neurons[0].activation if len(neurons) > 1 else "relu",
            "output_activation": neurons[-1].activation,
        }


class Embedding(Module):
    """A table of `num_embeddings` vectors of `embedding_dim` parameters; `emb(i)` is vector i (torch.nn.Embedding).

    The vectors start as PyTorch's, each number drawn from N(0, std²) with std = 1 unless given.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        *,
        std: float = 1.0,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        _check_count(num_embeddings, "Embedding(num_embeddings)")
        _check_count(embedding_dim, "Embedding(embedding_dim)")
        if isinstance(std, bool) or not isinstance(std, (int, float)) or not 0 < std < math.inf:
            raise ValueError(f"Embedding(std) must be a positive number, got {std!r:.60}")
        gauss = _generator(seed, rng).gauss
        self.weight = [[Value(gauss(0.0, std)) for _ in range(embedding_dim)] for _ in range(num_embeddings)]

    @overload
    def __call__(self, index: int) -> list[Value]: ...
    @overload
    def __call__(self, index: Sequence[int]) -> list[list[Value]]: ...
    def __call__(self, index: int | Sequence[int]) -> list[Value] | list[list[Value]]:
        """The vector of an index (its parameters themselves, no new node), or a list of them for a list of indices."""
        if isinstance(index, Sequence) and not isinstance(index, (str, bytes)):
            return [self._row(i) for i in index]
        return self._row(index)

    def _row(self, i: object) -> list[Value]:
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            raise TypeError(f"{self!r} takes an int index (or a list of them), got {type(i).__name__}: {i!r:.60}")
        k = int(i)
        if not 0 <= k < len(self.weight):  # no negative indices, as PyTorch
            raise IndexError(f"{self!r}: index {k} is out of range 0..{len(self.weight) - 1}")
        return list(self.weight[k])

    def __repr__(self) -> str:
        return f"Embedding({len(self.weight)}, {len(self.weight[0])})"

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this table."""
        return {"num_embeddings": len(self.weight), "embedding_dim": len(self.weight[0])}


def load(path: PathLike) -> Module:
    """Rebuild a Neuron, Layer, MLP or Embedding saved by `save`, with its parameters."""
    f = modelfile.read(path)
    cls = {"Neuron": Neuron, "Layer": Layer, "MLP": MLP, "Embedding": Embedding}.get(f.module)
    if cls is None or f.config is None:
        raise ModelFileError(
            f"{path}: key 'module' is {f.module!r}, which load() cannot rebuild;"
            " create the model and call model.load(path)"
        )
    described = _parameter_count(f.module, f.config)  # checked before anything is built: a few bytes of config
    if described is not None and described != len(f.parameters):  # could ask for any size
        raise ModelFileError(
            f"{path}: key 'config' describes a {f.module} of {described} parameters, but the file holds "
            f"{len(f.parameters)}"
        )
    try:
        model: Module = cls(**f.config, seed=0)
    except (TypeError, ValueError) as e:
        raise ModelFileError(f"{path}: key 'config' does not describe a {f.module}: {e}") from None
    return model.load(path)


def _parameter_count(module: str, config: dict[str, Any]) -> int | None:
    """How many parameters a saved Neuron, Layer or MLP config describes (None if its sizes are not positive ints)."""
    given: list[Any]
    if module == "Neuron":
        given = [config.get("nin"), 1]
    elif module == "Layer":
        given = [config.get("nin"), config.get("nout")]
    else:
        nouts = config.get("nouts")
        given = [config.get("nin"), *nouts] if isinstance(nouts, list) else []
    sizes = [n for n in given if type(n) is int and n > 0]
    if len(sizes) < 2 or len(sizes) != len(given):
        return None  # the constructor says what is wrong, before allocating anything
    return sum((nin + 1) * nout for nin, nout in itertools.pairwise(sizes))


_BATCH_CALLS = frozenset([Neuron.__call__, Layer.__call__, MLP.__call__])  # the calls that take a batch of rows


def forward_rows(model: Any, X: Batch, chunk: int | None = None) -> list[Any]:
    """The model's output for each row of X: a Neuron, Layer or MLP is called on the rows (chunk rows at a
    time; None: all at once, reading each weight once), any other model once per row; the same numbers."""
    if not (isinstance(model, (Neuron, Layer, MLP)) and type(model).__call__ in _BATCH_CALLS and is_batch(X)):
        return [model(x) for x in X]
    if chunk is None or chunk >= len(X):
        return model(X)
    return [out for i in range(0, len(X), chunk) for out in model(X[i : i + chunk])]


# -- helpers ----------------------------------------------------------------------------------------
def _walk(obj: object, prefix: str) -> Iterator[tuple[str, Value]]:
    """Parameters in obj's attributes (Values, Modules, lists, tuples and dicts of them), with dotted names."""
    if isinstance(obj, Value):
        yield prefix, obj
        return
    if isinstance(obj, Module):
        items: Any = ((k, v) for k, v in vars(obj).items() if not k.startswith("_"))
    elif isinstance(obj, (list, tuple)):
        items = enumerate(obj)
    elif isinstance(obj, dict):
        items = obj.items()
    else:
        return
    for key, value in items:
        yield from _walk(value, f"{prefix}.{key}" if prefix else str(key))


_CONTAINERS = (Module, list, tuple, dict)  # what _collect looks into
_ACTIVATION_OF, _WEIGHTS_OF, _BIAS_OF = attrgetter("activation"), attrgetter("w"), attrgetter("b")  # a neuron's


def _collect(obj: object, out: list[Value]) -> None:
    """Append the Values in obj's attributes to out, in the order of _walk."""
    if isinstance(obj, Value):
        out.append(obj)
        return
    if isinstance(obj, Module):
        items: Any = [v for k, v in vars(obj).items() if not k.startswith("_")]
    elif isinstance(obj, (list, tuple)):
        if all_values(obj):  # a neuron's weights: all at once
            out.extend(obj)
            return
        items = obj
    elif isinstance(obj, dict):
        items = obj.values()
    else:
        return
    for value in items:  # the Values here, the containers by a call each (most attributes are neither)
        if isinstance(value, Value):
            out.append(value)
        elif isinstance(value, _CONTAINERS):
            _collect(value, out)


def is_batch(x: object) -> bool:
    """Whether x is a batch of input rows (a list of lists, a 2-D array) rather than one input."""
    if isinstance(x, (Value, numbers.Real, str, bytes)):
        return False
    try:
        first = x[0]  # type: ignore[index]
    except (TypeError, IndexError, KeyError):
        return False
    return not isinstance(first, (Value, numbers.Real, str, bytes))


def _one_output(out: object, model: Module) -> Value:
    """A model's output for one input as its single Value (TypeError if it has several)."""
    if isinstance(out, Value):
        return out
    if isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value):
        return out[0]
    if isinstance(out, list) and all_values(out):
        raise TypeError(f"score() is for a model with one output; {model!r:.60} gives {len(out)}: use scores()")
    raise TypeError(f"score(): the model's output must be a Value, got {type_name(out)}: {out!r:.60}")


def _all_outputs(out: object, model: Module) -> list[Value]:
    """A model's output for one input as a list of Values (of one for a single output)."""
    if isinstance(out, Value):
        return [out]
    if isinstance(out, (list, tuple)) and all_values(out):
        return list(out)
    raise TypeError(
        f"scores(): the model's output must be a Value or a list of Values, got {type_name(out)}: {out!r:.60}"
    )


def _unwrap(out: list[Value]) -> Output:
    """One neuron's output as a Value, several as a list (micrograd's convention)."""
    return out[0] if len(out) == 1 else out


def _inputs(x: Sequence[Operand] | Operand, n: int, module: Module, row: int | None = None) -> Sequence[Operand]:
    """x as a sequence of n inputs (a single Value or number counts as one input); row: its place in a batch."""
    xs: Sequence[Operand] = [x] if isinstance(x, (Value, int, float)) else x
    if len(xs) != n:
        where = "" if row is None else f"row {row} of the batch: "
        raise ValueError(f"{where}{module!r} takes {n} input{'s' if n != 1 else ''}, got {len(xs)}")
    return xs


def _generator(
    seed: int | None, rng: random.Random | None, random_state: int | random.Random | None = None
) -> random.Random | Any:
    """The random source: rng, a new Random(seed), or the `random` module (so random.seed() applies).
    random_state, scikit-learn's name, is a seed (an int) or an rng (a random.Random)."""
    if random_state is not None:
        if seed is not None or rng is not None:
            raise TypeError("pass one of seed=, rng= and random_state=, not several")
        if isinstance(random_state, random.Random):
            rng = random_state
        elif isinstance(random_state, bool) or not isinstance(random_state, int):
            kind = type_name(random_state)
            raise TypeError(f"random_state must be an int or a random.Random, got {kind}: {random_state!r:.60}")
        else:
            seed = random_state
    if seed is not None and rng is not None:
        raise TypeError("pass seed= or rng=, not both")
    if rng is not None:
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type_name(rng)}")
        return rng
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {type_name(seed)}: {seed!r:.60}")
        return random.Random(seed)
    return random


def _check_count(n: object, where: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{where} must be a positive int, got {type_name(n)}: {n!r:.60}")
    if n < 1:
        raise ValueError(f"{where} must be a positive int, got {n}")


def _check_activation(name: object) -> None:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}; got {name!r:.60}")


def _runs(names: list[str]) -> str:
    """'16 × ReLUNeuron(2)' for a run of equal names, so a wide layer reads at a glance."""
    parts: list[str] = []
    i = 0
    while i < len(names):
        j = i
        while j < len(names) and names[j] == names[i]:
            j += 1
        parts.append(names[i] if j - i == 1 else f"{j - i} × {names[i]}")
        i = j
    return ", ".join(parts)
