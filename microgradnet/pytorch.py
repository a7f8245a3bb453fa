"""A bridge to PyTorch, for a learner who outgrows scalars: a network as a `torch.nn.Sequential` and back.

`to_torch(model)` (also `model.to_torch()`) gives a Sequential of `nn.Linear` layers, each followed by
its activation (`nn.ReLU`, `nn.Tanh`, `nn.Sigmoid`, `nn.LeakyReLU(0.01)`; none for a linear layer),
with the same weights, in float64 unless told otherwise; `from_torch(seq)` (also `MLP.from_torch`)
makes an MLP of such a Sequential. Outputs and gradients agree to 1e-12 both ways (tests/test_pytorch.py).

`save_torch(model, "model.pt")` writes the Sequential's state dict with its architecture, which
`load_torch("model.pt")` rebuilds with plain `torch.load(weights_only=True)`; `export_onnx(model,
"model.onnx")` writes it as ONNX with torch's exporter. torch (the `torch` extra) and, for ONNX, onnx
and onnxscript (the `onnx` extra) are imported only by these functions.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import warnings
from collections.abc import Iterator
from typing import Any, NamedTuple

from .files import PathLike, write_atomic
from .nn import MLP, Layer, Module, Neuron

__all__ = ["FORMAT", "TORCH_ACTIVATIONS", "export_onnx", "from_torch", "load_torch", "save_torch", "to_torch"]

FORMAT = "microgradnet.torch"  # the "format" of a file save_torch writes
TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "leaky_relu": "LeakyReLU", "linear": None}
_LEAKY_SLOPE = 0.01  # microgradnet's leaky_relu, and PyTorch's default negative_slope


class Dense(NamedTuple):
    """One layer of a network in PyTorch's terms: nn.Linear(nin, nout), then its activation."""

    nin: int
    nout: int
    activation: str  # a key of TORCH_ACTIVATIONS


def to_torch(model: Module, dtype: Any = None) -> Any:
    """A torch.nn.Sequential computing what `model` (a Neuron, Layer or MLP) computes, with its weights;
    dtype: a floating torch dtype or its name ('float32'), torch.float64 by default."""
    torch = _torch()
    layers = architecture(model)
    seq = sequential(layers, _dtype(torch, dtype))
    with torch.no_grad():
        for dense, linear in zip(_layers_of(model), (m for m in seq if isinstance(m, torch.nn.Linear))):
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in dense], dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in dense], dtype=torch.float64))
    return seq


def from_torch(seq: Any) -> MLP:
    """An MLP with the weights of a torch.nn.Sequential of nn.Linear layers, each followed by at most one
    activation (ReLU, Tanh, Sigmoid, LeakyReLU(0.01), Identity); every hidden layer must share one."""
    torch = _torch()
    nn = torch.nn
    if isinstance(seq, nn.Linear):
        seq = nn.Sequential(seq)
    if not isinstance(seq, nn.Sequential):
        raise TypeError(
            f"from_torch takes a torch.nn.Sequential of Linear layers and activations, got {type(seq).__name__}"
        )
    linears: list[Any] = []
    activations: list[str] = []
    names = {v: k for k, v in TORCH_ACTIVATIONS.items() if v}
    for i, module in enumerate(seq):
        kind = type(module).__name__
        if isinstance(module, nn.Linear):
            if linears and module.in_features != linears[-1].out_features:
                raise ValueError(
                    f"from_torch: layer {i} (Linear({module.in_features}, {module.out_features})) does not take the "
                    f"{linears[-1].out_features} outputs of the layer before it"
                )
            linears.append(module)
            activations.append("linear")
        elif isinstance(module, nn.Identity):
            continue
        elif kind in names and type(module) is getattr(nn, kind):
            if not linears or activations[-1] != "linear":
                raise ValueError(f"from_torch: layer {i} ({kind}) must follow a Linear layer, and only one may")
            if kind == "LeakyReLU" and module.negative_slope != _LEAKY_SLOPE:
                raise ValueError(
                    f"from_torch: layer {i} is LeakyReLU({module.negative_slope}); microgradnet's leaky_relu has "
                    f"slope {_LEAKY_SLOPE}"
                )
            activations[-1] = names[kind]
        else:
            raise ValueError(
                f"from_torch: layer {i} is {kind}, which an MLP has no counterpart for; it takes Linear layers, "
                "each followed by ReLU, Tanh, Sigmoid, LeakyReLU(0.01) or nothing"
            )
    if not linears:
        raise ValueError("from_torch: the Sequential has no Linear layer")
    hidden = set(activations[:-1])
    if len(hidden) > 1:
        raise ValueError(
            f"from_torch: an MLP has one activation for all its hidden layers, but these have {sorted(hidden)}"
        )
    model = MLP(
        linears[0].in_features,
        [m.out_features for m in linears],
        activation=hidden.pop() if hidden else "relu",
        output_activation=activations[-1],
        seed=0,
    )
    for layer, linear in zip(model.layers, linears):
        weight = linear.weight.detach().double().tolist()
        bias = linear.bias.detach().double().tolist() if linear.bias is not None else [0.0] * linear.out_features
        for neuron, row, b in zip(layer.neurons, weight, bias):
            for w, x in zip(neuron.w, row):
                w.data = x
            neuron.b.data = b
    return model


def save_torch(model: Module, path: PathLike, dtype: Any = None) -> None:
    """Write the model's Sequential as {"format", "version", "layers", "state_dict"} with torch.save, atomically."""
    torch = _torch()
    seq = to_torch(model, dtype)
    doc = {
        "format": FORMAT,
        "version": 1,
        "module": type(model).__name__,
        "layers": [list(dense) for dense in architecture(model)],  # [[nin, nout, activation], ...]
        "state_dict": seq.state_dict(),
    }
    write_atomic(path, lambda f: torch.save(doc, f))


def load_torch(path: PathLike) -> Any:
    """The torch.nn.Sequential saved by `save_torch` (or `microgradnet export`), read with weights_only=True."""
    torch = _torch()
    doc = torch.load(path, weights_only=True)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise ValueError(f"{path}: not a file of microgradnet's torch export (format {found!r}, expected {FORMAT!r})")
    try:
        layers = [Dense(int(a), int(b), str(c)) for a, b, c in doc["layers"]]
        state = doc["state_dict"]
        seq = sequential(layers, next(iter(state.values())).dtype)
        seq.load_state_dict(state)
    except (KeyError, TypeError, ValueError, RuntimeError, StopIteration) as e:
        raise ValueError(f"{path}: a damaged torch export: {e}") from None
    return seq


def export_onnx(model: Module, path: PathLike, dtype: Any = None) -> None:
    """Write the model as an ONNX graph (input 'input' of shape (batch, nin), output 'output') with torch's
    exporter, atomically; needs onnx and onnxscript (the `onnx` extra)."""
    torch = _torch()
    try:  # torch's exporter needs both
        importlib.import_module("onnx")
        importlib.import_module("onnxscript")
    except ImportError:
        raise ModuleNotFoundError(
            'ONNX export needs onnx and onnxscript, which are not installed: pip install "microgradnet[onnx]"'
        ) from None
    seq = to_torch(model, dtype).eval()
    nin = architecture(model)[0].nin
    example = torch.zeros(2, nin, dtype=seq[0].weight.dtype)
    with _quiet_exporter():
        program = torch.onnx.export(seq, (example,), dynamo=True, input_names=["input"], output_names=["output"],
                                    dynamic_shapes=({0: "batch"},), verbose=False)  # fmt: skip
    write_atomic(path, program.model_proto.SerializeToString())


def architecture(model: Module) -> list[Dense]:
    """The model's layers in PyTorch's terms; a TypeError for a module that is not a Neuron, Layer or MLP of them."""
    out = []
    for i, neurons in enumerate(_layers_of(model)):
        kinds = {n.activation for n in neurons}
        if len(kinds) != 1:
            raise ValueError(f"to_torch: layer {i} mixes the activations {sorted(kinds)}; a torch layer has one")
        out.append(Dense(len(neurons[0].w), len(neurons), kinds.pop()))
    return out


def sequential(layers: list[Dense], dtype: Any) -> Any:
    """A torch.nn.Sequential of the layers (initialised by torch), in dtype."""
    torch = _torch()
    modules: list[Any] = []
    for dense in layers:
        if dense.activation not in TORCH_ACTIVATIONS:
            raise ValueError(f"unknown activation {dense.activation!r}")
        modules.append(torch.nn.Linear(dense.nin, dense.nout, dtype=dtype))
        name = TORCH_ACTIVATIONS[dense.activation]
        if name == "LeakyReLU":
            modules.append(torch.nn.LeakyReLU(_LEAKY_SLOPE))
        elif name is not None:
            modules.append(getattr(torch.nn, name)())
    return torch.nn.Sequential(*modules)


# -- helpers ----------------------------------------------------------------------------------------
def _layers_of(model: Module) -> list[list[Neuron]]:
    """The neurons of each layer of a Neuron, Layer or MLP."""
    if isinstance(model, Neuron):
        return [[model]]
    if isinstance(model, Layer):
        return [model.neurons]
    if isinstance(model, MLP):
        for i, layer in enumerate(model.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"to_torch: layers.{i} is a {type(layer).__name__}, which has no torch counterpart")
        return [layer.neurons for layer in model.layers]
    raise TypeError(f"to_torch converts a Neuron, Layer or MLP, got {type(model).__name__}")


def _dtype(torch: Any, dtype: Any) -> Any:
    """A floating torch dtype from None (float64), a name such as 'float32', or a dtype."""
    found = torch.float64 if dtype is None else getattr(torch, dtype, None) if isinstance(dtype, str) else dtype
    if not isinstance(found, torch.dtype) or not found.is_floating_point:
        raise TypeError(f"dtype must be a floating torch dtype such as torch.float64 or 'float32', got {dtype!r:.60}")
    return found


def _torch() -> Any:
    try:
        return importlib.import_module("torch")
    except ImportError:
        raise ModuleNotFoundError(
            'this needs PyTorch, which is not installed: pip install "microgradnet[torch]"'
        ) from None


@contextlib.contextmanager
def _quiet_exporter() -> Iterator[None]:
    """Silence the exporter's progress and warnings (its logger's level and the warning filters come back after)."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
