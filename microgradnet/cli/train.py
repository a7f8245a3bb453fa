"""`microgradnet train`: train a classifier on a small dataset, show its progress, save pictures and the model."""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from .. import datasets
from ..files import write_atomic
from ..nn import ACTIVATIONS, MLP
from ..optim import Adam
from ..plot import DPI
from ..training import accuracy, fit

DEFAULT_OUT = "microgradnet-out"
MAX_PARAMETERS = 1_000_000  # a larger network is refused before it is built


@dataclass(frozen=True)
class Recipe:
    """How `train` makes and learns a dataset unless told otherwise."""

    load: Any  # seed -> (X, y)
    hidden: tuple[int, ...]
    epochs: int
    lr: float
    batch_size: int
    about: str
    test_size: float = 0.25  # the fraction of the points kept to test on


RECIPES = {
    "moons": Recipe(lambda s: datasets.make_moons(200, noise=0.1, seed=s), (16, 16), 100, 0.01, 32,
                    "two interleaving half circles, 200 points"),
    "circles": Recipe(lambda s: datasets.make_circles(200, noise=0.05, factor=0.5, seed=s), (16, 16), 100, 0.01, 32,
                      "a circle inside a circle, 200 points"),
    "spirals": Recipe(lambda s: datasets.make_spirals(300, n_classes=3, noise=0.02, seed=s), (16, 16), 150, 0.01, 32,
                      "three spiral arms, 300 points"),
    "xor": Recipe(lambda s: datasets.make_xor(200, noise=0.15, seed=s), (8, 8), 100, 0.01, 32,
                  "the XOR truth table with noise, 200 points"),
    "digits": Recipe(lambda s: datasets.load_digits(), (32,), 20, 0.01, 32,
                     "8×8 images of handwritten digits, 1797 images"),
    "mnist": Recipe(lambda s: datasets.load_mnist(split="all"), (32,), 3, 0.01, 32,
                    "28×28 images of handwritten digits, MNIST's 5,000-image subset (or --data)", test_size=0.2),
}  # fmt: skip

EPILOG = """\
examples:
  microgradnet train                                  moons, the default
  microgradnet train --dataset spirals --hidden 32,32
  microgradnet train --dataset digits --out digits-run
  microgradnet train --dataset mnist                  MNIST's 5,000-image subset (pip install "microgradnet[mnist]")
  microgradnet train --dataset mnist --data ~/mnist   a folder of the four IDX files: train-* to train, t10k-* to test

datasets, with their default hidden layers and epochs:
{recipes}

Every dataset is split 75/25 into training and test points (stratified, seeded by --seed); mnist 80/20.
--data PATH (with --dataset mnist) reads MNIST files of your own instead of the subset: a Kaggle-style
CSV or an IDX images file (split 80/20), or a folder of the four standard IDX files (its own split).
Networks use ReLU hidden layers (see --activation) and are trained with Adam on the binary
cross-entropy (two classes) or the cross-entropy (more), with the learning rate decaying linearly to
a tenth. The output directory receives loss.png (loss and accuracy per epoch), decision_boundary.png
(2-D datasets) and model.json (load it with microgradnet.nn.load).
A run whose loss stops being finite (a learning rate far too large) says at which epoch, keeps loss.png,
saves no model and exits with code 2.
Exit codes: 0 done, 2 bad arguments or a diverged run, 1 anything else (e.g. a missing optional package).
""".format(
    recipes="\n".join(
        f"  {name:<8} {','.join(map(str, r.hidden)):<6} {r.epochs:>4} epochs   {r.about}" for name, r in RECIPES.items()
    )
)


def register(commands: Any) -> None:
    """Add the `train` subcommand to the command line's subparsers."""
    p = commands.add_parser(
        "train",
        help="train a classifier and draw what it learnt",
        description="Train a small neural network on a toy dataset with a progress bar, then save its pictures "
        "and weights.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--dataset", choices=list(RECIPES), default="moons", help="what to learn (default: moons)")
    p.add_argument(
        "--hidden", type=_sizes, metavar="SIZES", help="hidden layer sizes, e.g. 16,16 (default per dataset)"
    )
    p.add_argument("--activation", choices=[a for a in ACTIVATIONS if a != "linear"], default="relu",
                   help="activation of the hidden layers (default: relu)")  # fmt: skip
    p.add_argument(
        "--epochs", type=_positive_int, metavar="N", help="passes over the training data (default per dataset)"
    )
    p.add_argument("--lr", type=_positive_float, metavar="X", help="Adam's learning rate (default: 0.01)")
    p.add_argument("--batch-size", type=_positive_int, metavar="N", help="points per step (default: 32)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed for data, split, weights and order (0)")
    p.add_argument("--data", metavar="PATH", help="with --dataset mnist: MNIST files of your own (a CSV, an IDX "
                   "images file, or a folder of the four IDX files) instead of the 5,000-image subset")  # fmt: skip
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"where to write the results ({DEFAULT_OUT})")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


class UsageError(Exception):
    """A bad argument found after parsing (an --out that cannot be written, a network too large): exit code 2."""


def run(args: argparse.Namespace) -> int:
    """Run `microgradnet train`; returns the exit code."""
    try:
        return _train(args)
    except UsageError as e:
        return _fail(str(e), 2)
    except (ImportError, OSError) as e:
        return _fail(str(e), 1)


def _train(args: argparse.Namespace) -> int:
    if args.data is not None and args.dataset != "mnist":
        raise UsageError(f"--data reads MNIST files: it goes with --dataset mnist, not --dataset {args.dataset}")
    if not args.out:
        raise UsageError("--out must name a directory, got ''")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise UsageError(f"--out {args.out!r} is a file, not a directory")
    recipe = RECIPES[args.dataset]
    X, y, X_train, X_test, y_train, y_test = _split(recipe, args)
    classes = len(set(y))
    sizes = [len(X[0]), *(args.hidden or recipe.hidden), 1 if classes == 2 else classes]
    parameters = sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))
    if parameters > MAX_PARAMETERS:  # checked before a single weight is made
        raise UsageError(
            f"--hidden {','.join(map(str, sizes[1:-1]))} makes a network of {parameters:,} parameters, more than "
            f"{MAX_PARAMETERS:,}: pure Python would take hours over it; choose smaller hidden layers"
        )
    _check_writable(args.out)
    model = MLP(sizes[0], sizes[1:], activation=args.activation, seed=args.seed)
    epochs = args.epochs or recipe.epochs
    batch_size = args.batch_size or recipe.batch_size
    steps = epochs * math.ceil(len(X_train) / batch_size)
    optimizer = Adam(model.parameters(), lr=args.lr or recipe.lr, schedule=lambda k: 1.0 - 0.9 * k / steps)
    about = f"MNIST from {args.data}" if args.data is not None else recipe.about
    print(f"{args.dataset}: {about} ({len(X_train)} to train on, {len(X_test)} to test)")
    print(f"model: {model} ({len(model.parameters())} parameters)")
    sys.stdout.flush()
    start = time.perf_counter()
    history = fit(model, X_train, y_train, optimizer=optimizer, epochs=epochs, batch_size=batch_size, seed=args.seed,
                  validation_data=(X_test, y_test), progress=False if args.quiet else None)  # fmt: skip
    seconds = time.perf_counter() - start
    train_acc, test_acc = accuracy(model, X_train, y_train), accuracy(model, X_test, y_test)
    print(f"trained {epochs} epochs in {seconds:.1f} s: train accuracy {train_acc:.1%}, test accuracy {test_acc:.1%}")
    diverged = _diverged(history["loss"], model)
    written = []
    if diverged is None:  # a model whose weights are not all finite cannot be saved, nor its boundary drawn
        written.append(os.path.join(args.out, "model.json"))
        model.save(written[0])
    written += _pictures(model if diverged is None else None, history, (X_train, y_train), (X_test, y_test), args.out)
    if written:
        print("wrote " + ", ".join(written))
    if diverged is not None:
        return _fail(f"training diverged: {diverged}; no model saved, try a smaller --lr", 2)
    return 0


def _split(recipe: Recipe, args: argparse.Namespace) -> tuple[Any, Any, Any, Any, Any, Any]:
    """X, y and their training and test parts: the recipe's data, or the MNIST files of --data."""
    data = args.data
    if data is not None and os.path.isdir(data):  # the four standard files: their own training and test sets
        X_train, y_train = _mnist(data, "train")
        X_test, y_test = _mnist(data, "test")
        return X_train + X_test, y_train + y_test, X_train, X_test, y_train, y_test
    X, y = recipe.load(args.seed) if data is None else _mnist(data, "train")
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, recipe.test_size, stratify=True, seed=args.seed)
    return X, y, X_train, X_test, y_train, y_test


def _mnist(path: str, split: str) -> Any:
    """load_mnist(path, split), its ValueError (a bad file) turned into an OSError for `run` to report."""
    try:
        return datasets.load_mnist(path, split)
    except ValueError as e:
        raise OSError(str(e)) from None


def _diverged(losses: list[float], model: MLP) -> str | None:
    """How training stopped being finite ('the loss stopped being finite at epoch 3 of 100 (nan)'), or None."""
    for epoch, loss in enumerate(losses, 1):
        if not math.isfinite(loss):
            return f"the loss stopped being finite at epoch {epoch} of {len(losses)} ({loss})"
    if not all(math.isfinite(p.data) for p in model.parameters()):
        return f"the weights stopped being finite by epoch {len(losses)}"
    return None


def _check_writable(out: str) -> None:
    """Create the folder --out if need be and write a file there, so a bad --out is refused before training."""
    try:
        os.makedirs(out, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out, prefix=".microgradnet-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise UsageError(f"cannot write to --out {out!r}: {e.strerror or e}") from None


def _pictures(model: MLP | None, history: dict[str, list[float]], train: Any, test: Any, out: str) -> list[str]:
    """Save loss.png and, for 2-D data and a model, decision_boundary.png (train and test points); skip them
    (saying why) without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: no window, works without a display
        import matplotlib.pyplot as plt
    except ImportError:
        print('no pictures: they need matplotlib (pip install "microgradnet[plot]")', file=sys.stderr)
        return []
    from ..plot import plot_decision_boundary, plot_history

    figures = [("loss.png", plot_history(history, val_label="test"))]
    if model is not None and len(train[0][0]) == 2:
        figures.append(("decision_boundary.png", plot_decision_boundary(model, *train, test_data=test).figure))
    paths = []
    for name, fig in figures:
        paths.append(os.path.join(out, name))
        _save_figure(fig, paths[-1])
        plt.close(fig)
    return paths


def _save_figure(fig: Any, path: str) -> None:
    """Save a PNG atomically (see microgradnet.files)."""
    write_atomic(path, lambda f: fig.savefig(f, format="png", dpi=DPI))


def _fail(message: str, code: int) -> int:
    print(f"microgradnet train: error: {message}", file=sys.stderr)
    return code


# -- argument types: a bad value makes argparse print the message and exit with code 2 --------------
def _sizes(text: str) -> tuple[int, ...]:
    parts = [t.strip() for t in text.split(",")]
    if not all(t.isascii() and t.isdigit() and int(t) > 0 for t in parts):
        raise argparse.ArgumentTypeError(f"expected positive integers separated by commas, like 16,16; got {text!r}")
    return tuple(int(t) for t in parts)


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return n


def _positive_float(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (x > 0 and math.isfinite(x)):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text!r}")
    return x
