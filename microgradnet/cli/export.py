"""`microgradnet export MODEL.json OUT.pt|OUT.onnx`: a saved network as PyTorch's state dict, or as ONNX."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..modelfile import ModelFileError
from ..nn import load

TORCH = (".pt", ".pth")
ONNX = (".onnx",)

EPILOG = """\
examples:
  microgradnet export microgradnet-out/model.json model.pt      PyTorch: the state dict and architecture
  microgradnet export microgradnet-out/model.json model.onnx    ONNX, for any runtime

MODEL is a file written by model.save() or `microgradnet train` (a Neuron, Layer or MLP).
A .pt file holds {"format", "version", "module", "layers", "state_dict"}, read with
torch.load(path, weights_only=True); microgradnet.pytorch.load_torch(path) rebuilds the
torch.nn.Sequential, and MLP.from_torch(seq) the MLP. An .onnx file has one input, "input"
(batch × inputs), and one output, "output". Both need PyTorch (pip install "microgradnet[torch]");
ONNX also onnx and onnxscript (pip install "microgradnet[onnx]").
Exit codes: 0 done, 2 bad arguments or model file, 1 anything else (e.g. PyTorch missing).
"""


def register(commands: Any) -> None:
    """Add the `export` subcommand to the command line's subparsers."""
    p = commands.add_parser(
        "export",
        help="write a saved model for PyTorch (.pt) or ONNX (.onnx)",
        description="Convert a saved microgradnet model to a torch.nn.Sequential's state dict, or to ONNX.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", metavar="MODEL", help="a model file written by model.save() (JSON)")
    p.add_argument("output", metavar="OUT", help="where to write it: a .pt (or .pth) or .onnx file")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="the weights' type (float64)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `microgradnet export`; returns the exit code."""
    suffix = Path(args.output).suffix.lower()
    if suffix not in TORCH + ONNX:
        return _fail(f"cannot tell the format of {args.output!r}: use the suffix .pt, .pth or .onnx", 2)
    try:
        model = load(args.model)
    except ModelFileError as e:
        return _fail(str(e), 2)
    except OSError as e:
        return _fail(f"cannot read {args.model}: {e.strerror or e}", 2)
    try:
        from .. import pytorch

        if suffix in ONNX:
            pytorch.export_onnx(model, args.output, args.dtype)
        else:
            pytorch.save_torch(model, args.output, args.dtype)
        layers = ", ".join(_describe(d.nin, d.nout, pytorch.TORCH_ACTIVATIONS[d.activation])
                           for d in pytorch.architecture(model))  # fmt: skip
    except (ImportError, OSError, TypeError, ValueError) as e:
        return _fail(str(e), 1)
    kind = "ONNX" if suffix in ONNX else "a torch.nn.Sequential's state dict"
    print(f"wrote {args.output}: {kind} ({args.dtype}) of {layers}")
    return 0


def _describe(nin: int, nout: int, activation: str | None) -> str:
    return f"Linear({nin}, {nout})" + (f", {activation}" if activation else "")


def _fail(message: str, code: int) -> int:
    print(f"microgradnet export: error: {message}", file=sys.stderr)
    return code
