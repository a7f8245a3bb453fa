"""Draw the pictures that README.md and the documentation show, into docs/assets/, with the library itself.

Run `python docs/pictures.py` from the repository's root after a change to the drawings or the plots
(it needs the `viz` and `plot` extras and Graphviz's `dot`). The pictures are made deterministically.
"""

from __future__ import annotations

import sys
from pathlib import Path

from microgradnet import Value, draw_dot
from microgradnet.datasets import make_moons
from microgradnet.nn import MLP
from microgradnet.plot import plot_decision_boundary
from microgradnet.training import accuracy, fit

ASSETS = Path(__file__).resolve().parent / "assets"


def neuron_graph(path: Path) -> None:
    """The README's first example, a neuron o = tanh(x1·w1 + x2·w2 + b), backpropagated and drawn."""
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    x2, w2 = Value(0.0, label="x2"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    o.backward()
    dot = draw_dot(o, format="png", rankdir="TB")
    dot.graph_attr["dpi"] = "144"
    path.write_bytes(dot.pipe())


def moons_boundary(path: Path) -> None:
    """micrograd's demo: an MLP(2, [16, 16, 1]) trained on 200 moons, its decision boundary drawn."""
    X, y = make_moons(200, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    fit(model, X, y, epochs=100, batch_size=32, seed=0, progress=False)
    ax = plot_decision_boundary(model, X, y)
    ax.set_title(f"MLP(2, [16, 16, 1]) on 200 moons: {accuracy(model, X, y):.0%} accuracy")
    ax.figure.savefig(path, dpi=150)


def main() -> int:
    """Write every picture into docs/assets/ and say where."""
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    ASSETS.mkdir(exist_ok=True)
    for name, draw in (("neuron.png", neuron_graph), ("moons.png", moons_boundary)):
        draw(ASSETS / name)
        print(ASSETS / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
