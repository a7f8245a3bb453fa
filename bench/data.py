"""The benchmark's data and initial weights, generated here so every implementation starts the same."""

from __future__ import annotations

import itertools
import math
import random

Matrix = list[list[float]]
Params = list[tuple[Matrix, list[float]]]  # one (weights[out][in], biases[out]) per layer


def moons(n: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[Matrix, list[float]]:
    """Two interleaving half circles, as sklearn's make_moons; labels are -1 and +1 as in micrograd's demo."""
    rng = random.Random(seed)
    outer, inner = n // 2, n - n // 2
    xs: Matrix = []
    ys: list[float] = []
    for i in range(outer):
        t = math.pi * i / (outer - 1)
        xs.append([math.cos(t) + rng.gauss(0.0, noise), math.sin(t) + rng.gauss(0.0, noise)])
        ys.append(-1.0)
    for i in range(inner):
        t = math.pi * i / (inner - 1)
        xs.append([1.0 - math.cos(t) + rng.gauss(0.0, noise), 0.5 - math.sin(t) + rng.gauss(0.0, noise)])
        ys.append(1.0)
    return xs, ys


def digits(limit: int | None = None) -> tuple[Matrix, list[int]]:
    """scikit-learn's 8x8 handwritten digits (shipped with it, no download), pixels scaled to [0, 1]."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:  # pragma: no cover - scikit-learn is in the dev extra
        raise RuntimeError('the digits workload needs scikit-learn: pip install "microgradnet[datasets]"') from e
    d = load_digits()
    xs = [[float(p) / 16.0 for p in row] for row in d.data[:limit]]
    return xs, [int(t) for t in d.target[:limit]]


def init_params(sizes: list[int], seed: int = 0, scaled: bool = True) -> Params:
    """Weights uniform in [-1, 1] (times 1/sqrt(fan-in) if scaled; micrograd does not), biases 0."""
    rng = random.Random(seed)
    params: Params = []
    for nin, nout in itertools.pairwise(sizes):
        scale = 1.0 / math.sqrt(nin) if scaled else 1.0
        params.append(([[rng.uniform(-1.0, 1.0) * scale for _ in range(nin)] for _ in range(nout)], [0.0] * nout))
    return params
