"""Small classification datasets as plain lists: seeded, pure Python, nothing to download.

Every generator returns `(X, y)`: X a list of points (lists of floats), y a list of int class labels
0..k-1. `seed` is an int (a private generator), a `random.Random`, or None for the global `random`
module (so `random.seed(...)` makes it repeatable); `random_state=`, scikit-learn's name, is the
same. `noise` is the standard deviation of Gaussian noise added to every coordinate. `load_digits`
wraps scikit-learn's bundled copy of the 8×8 digits, and `load_mnist` (from `microgradnet.mnist`)
reads MNIST's 28×28 digits from its files.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any, TypeVar

from .engine.extend import type_name
from .mnist import load_mnist

__all__ = [
    "load_digits",
    "load_mnist",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_spirals",
    "make_xor",
    "random_source",
    "seed_or_random_state",
    "train_test_split",
]

Seed = int | random.Random | None
Dataset = tuple[list[list[float]], list[int]]
T = TypeVar("T")
L = TypeVar("L")


def make_moons(
    n_samples: int = 100, *, noise: float = 0.0, shuffle: bool = True, seed: Seed = None, random_state: Seed = None
) -> Dataset:
    """Two interleaving half circles (scikit-learn's make_moons): the upper is class 0, the lower class 1."""
    rng = random_source(seed_or_random_state(seed, random_state, "make_moons"))
    n_out = _count(n_samples, "make_moons(n_samples)", 2) // 2
    n_in = n_samples - n_out
    points = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n_out)]
    points += [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n_in)]
    return _finish(points, [0] * n_out + [1] * n_in, noise, shuffle, rng)


def make_circles(
    n_samples: int = 100,
    *,
    noise: float = 0.0,
    factor: float = 0.8,
    shuffle: bool = True,
    seed: Seed = None,
    random_state: Seed = None,
) -> Dataset:
    """A circle inside a larger one (scikit-learn's make_circles): the outer is class 0, the inner class 1."""
    rng = random_source(seed_or_random_state(seed, random_state, "make_circles"))
    if not 0.0 <= factor < 1.0:
        raise ValueError(f"make_circles(factor) must be in [0, 1), got {factor!r}")
    n_out = _count(n_samples, "make_circles(n_samples)", 2) // 2
    n_in = n_samples - n_out
    outer = [[math.cos(t), math.sin(t)] for t in _angles(n_out)]
    inner = [[factor * math.cos(t), factor * math.sin(t)] for t in _angles(n_in)]
    return _finish(outer + inner, [0] * n_out + [1] * n_in, noise, shuffle, rng)


def make_blobs(
    n_samples: int = 100,
    *,
    centers: int | Sequence[Sequence[float]] = 3,
    n_features: int = 2,
    cluster_std: float = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    seed: Seed = None,
    random_state: Seed = None,
) -> Dataset:
    """Gaussian blobs around `centers` (a number of random centres in center_box, or their coordinates)."""
    rng = random_source(seed_or_random_state(seed, random_state, "make_blobs"))
    if isinstance(centers, int):
        k = _count(centers, "make_blobs(centers)", 1)
        dims = _count(n_features, "make_blobs(n_features)", 1)
        middles = [[rng.uniform(*center_box) for _ in range(dims)] for _ in range(k)]
    else:
        middles = [[float(c) for c in centre] for centre in centers]
        if not middles or len({len(c) for c in middles}) != 1:
            raise ValueError("make_blobs(centers) must be a non-empty list of points of one dimension")
    n = _count(n_samples, "make_blobs(n_samples)", len(middles))
    sizes = [n // len(middles) + (1 if j < n % len(middles) else 0) for j in range(len(middles))]
    points = [list(c) for j, c in enumerate(middles) for _ in range(sizes[j])]
    labels = [j for j in range(len(middles)) for _ in range(sizes[j])]
    return _finish(points, labels, _nonneg(cluster_std, "make_blobs(cluster_std)"), shuffle, rng)


def make_spirals(
    n_samples: int = 100,
    *,
    n_classes: int = 2,
    turns: float = 1.0,
    noise: float = 0.0,
    shuffle: bool = True,
    seed: Seed = None,
    random_state: Seed = None,
) -> Dataset:
    """Interleaved spiral arms from the centre out to radius 1, one per class, each winding `turns` times."""
    rng = random_source(seed_or_random_state(seed, random_state, "make_spirals"))
    k = _count(n_classes, "make_spirals(n_classes)", 2)
    n = _count(n_samples, "make_spirals(n_samples)", k)
    points: list[list[float]] = []
    labels: list[int] = []
    for j in range(k):
        size = n // k + (1 if j < n % k else 0)
        for r in _linspace(0.05, 1.0, size):
            t = 2 * math.pi * (turns * r + j / k)
            points.append([r * math.cos(t), r * math.sin(t)])
            labels.append(j)
    return _finish(points, labels, noise, shuffle, rng)


def make_xor(n_samples: int = 4, *, noise: float = 0.0, seed: Seed = None, random_state: Seed = None) -> Dataset:
    """XOR: the truth table [[0,0],[0,1],[1,0],[1,1]] -> [0,1,1,0], repeated to n_samples points, plus noise."""
    rng = random_source(seed_or_random_state(seed, random_state, "make_xor"))
    n = _count(n_samples, "make_xor(n_samples)", 1)
    table = [([0.0, 0.0], 0), ([0.0, 1.0], 1), ([1.0, 0.0], 1), ([1.0, 1.0], 0)]
    points = [list(table[i % 4][0]) for i in range(n)]
    return _finish(points, [table[i % 4][1] for i in range(n)], noise, False, rng)


def load_digits(*, scale: bool = True) -> Dataset:
    """scikit-learn's 1797 8×8 images of digits: 64 pixels each (0..16, or 0..1 when scale), labels 0..9."""
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits  # type: ignore[import-untyped]
    except ImportError:
        raise ModuleNotFoundError(
            'load_digits needs scikit-learn, which is not installed: pip install "microgradnet[datasets]"'
        ) from None
    bunch: Any = sklearn_load_digits()
    divisor = 16.0 if scale else 1.0
    return [[float(p) / divisor for p in row] for row in bunch.data], [int(t) for t in bunch.target]


def train_test_split(
    X: Sequence[T],
    y: Sequence[L],
    test_size: float = 0.25,
    *,
    stratify: bool = False,
    seed: Seed = None,
    random_state: Seed = None,
) -> tuple[list[T], list[T], list[L], list[L]]:
    """Shuffle and split into (X_train, X_test, y_train, y_test); stratify keeps each class's share in both."""
    rng = random_source(seed_or_random_state(seed, random_state, "train_test_split"))
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} rows but y has {len(y)}")
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"train_test_split(test_size) must be a fraction in (0, 1), got {test_size!r}")
    n_test = math.ceil(test_size * len(X))
    if not 0 < n_test < len(X):
        raise ValueError(f"train_test_split: cannot split {len(X)} samples into train and test {test_size}")
    if stratify:
        groups: dict[L, list[int]] = {}
        for i, label in enumerate(y):
            groups.setdefault(label, []).append(i)
        shares = {c: n_test * len(ix) / len(X) for c, ix in groups.items()}
        take = {c: math.floor(s) for c, s in shares.items()}
        by_remainder = sorted(groups, key=lambda c: (take[c] - shares[c], -len(groups[c])))
        for c in by_remainder[: n_test - sum(take.values())]:  # largest remainders get the leftover places
            take[c] += 1
        test: list[int] = []
        train: list[int] = []
        for c, ix in groups.items():
            rng.shuffle(ix)
            test += ix[: take[c]]
            train += ix[take[c] :]
        rng.shuffle(test)
        rng.shuffle(train)
    else:
        order = list(range(len(X)))
        rng.shuffle(order)
        test, train = order[:n_test], order[n_test:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


# -- helpers ----------------------------------------------------------------------------------------
def seed_or_random_state(seed: Seed, random_state: Seed, where: str) -> Seed:
    """The one of seed= and random_state= (scikit-learn's name for it) that was given; both is an error."""
    if random_state is None:
        return seed
    if seed is not None:
        raise TypeError(f"{where}: pass seed= or random_state= (the same thing), not both")
    return random_state


def random_source(seed: object) -> Any:
    """Where random numbers come from: a new Random(seed), the given Random, or the `random` module for None."""
    if seed is None or seed is random:
        return random
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, a random.Random or None, got {type_name(seed)}: {seed!r:.60}")
    return random.Random(seed)


def _count(n: object, where: str, minimum: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{where} must be an int, got {type_name(n)}: {n!r:.60}")
    if n < minimum:
        raise ValueError(f"{where} must be at least {minimum}, got {n}")
    return n


def _nonneg(x: object, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not x >= 0 or not math.isfinite(x):
        raise ValueError(f"{where} must be a finite number >= 0, got {x!r:.60}")
    return float(x)


def _angles(n: int) -> list[float]:
    return [2 * math.pi * i / n for i in range(n)]


def _linspace(start: float, stop: float, n: int) -> list[float]:
    if n == 1:
        return [start]
    return [start + (stop - start) * i / (n - 1) for i in range(n)]


def _finish(points: list[list[float]], labels: list[int], noise: float, shuffle: bool, rng: Any) -> Dataset:
    """Add Gaussian noise to every coordinate, then shuffle points and labels together."""
    sigma = _nonneg(noise, "noise")
    if sigma:
        points = [[c + rng.gauss(0.0, sigma) for c in p] for p in points]
    if shuffle:
        order = list(range(len(points)))
        rng.shuffle(order)
        points, labels = [points[i] for i in order], [labels[i] for i in order]
    return points, labels
