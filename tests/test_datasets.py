"""Datasets: shapes, labels, geometry, seeding, stratified splits, and the digits wrapper."""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

import pytest

from microgradnet.datasets import (
    load_digits,
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
    train_test_split,
)

GENERATORS = [make_moons, make_circles, make_blobs, make_spirals]


@pytest.mark.parametrize("make", GENERATORS)
def test_plain_lists_of_the_right_shape(make: Any) -> None:
    X, y = make(101, seed=0)
    assert type(X) is list and type(y) is list and len(X) == len(y) == 101
    assert all(type(p) is list and len(p) == 2 and all(type(c) is float for c in p) for p in X)
    assert all(type(t) is int for t in y)


@pytest.mark.parametrize("make", GENERATORS)
def test_seeded(make: Any) -> None:
    assert make(50, seed=3) == make(50, seed=3)
    assert make(50, seed=random.Random(3)) == make(50, seed=3)
    assert make(50, seed=3) != make(50, seed=4)
    random.seed(11)
    a = make(50)
    random.seed(11)
    assert make(50) == a


def test_moons_match_scikit_learns_geometry() -> None:
    sklearn = pytest.importorskip("sklearn.datasets")
    X, y = make_moons(100, shuffle=False)
    Xs, ys = sklearn.make_moons(100, shuffle=False)
    assert y == ys.tolist()
    assert len(X) == len(Xs)
    for ours, theirs in zip(X, Xs.tolist()):
        assert ours == pytest.approx(theirs, abs=1e-15)


def test_circles_match_scikit_learns_geometry() -> None:
    sklearn = pytest.importorskip("sklearn.datasets")
    X, y = make_circles(100, factor=0.5, shuffle=False)
    Xs, ys = sklearn.make_circles(100, factor=0.5, shuffle=False)
    assert y == ys.tolist()
    assert len(X) == len(Xs)
    for ours, theirs in zip(X, Xs.tolist()):
        assert ours == pytest.approx(theirs, abs=1e-15)


def test_noise_has_the_requested_spread() -> None:
    clean, _ = make_moons(2000, shuffle=False)
    noisy, _ = make_moons(2000, noise=0.2, shuffle=False, seed=0)
    deltas = [n - c for p, q in zip(noisy, clean) for n, c in zip(p, q)]
    assert sum(deltas) / len(deltas) == pytest.approx(0.0, abs=0.01)
    assert math.sqrt(sum(d * d for d in deltas) / len(deltas)) == pytest.approx(0.2, rel=0.05)


def test_shuffle_keeps_points_with_their_labels() -> None:
    ordered = make_circles(60, shuffle=False)
    shuffled = make_circles(60, seed=1)
    assert shuffled != ordered
    assert sorted(zip(map(tuple, shuffled[0]), shuffled[1])) == sorted(zip(map(tuple, ordered[0]), ordered[1]))
    for p, t in zip(*shuffled):
        assert math.hypot(*p) == pytest.approx(1.0 if t == 0 else 0.8)


def test_blobs() -> None:
    X, y = make_blobs(90, centers=[[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]], cluster_std=0.5, seed=0)
    assert Counter(y) == {0: 45, 1: 45} and all(len(p) == 3 for p in X)
    for c in (0, 1):
        mean = [sum(p[d] for p, t in zip(X, y) if t == c) / 45 for d in range(3)]
        assert mean == pytest.approx([10.0 * c] * 3, abs=0.3)
    X, y = make_blobs(100, centers=4, n_features=5, seed=0)
    assert Counter(y) == {0: 25, 1: 25, 2: 25, 3: 25} and all(len(p) == 5 for p in X)


def test_spirals() -> None:
    X, y = make_spirals(300, n_classes=3, shuffle=False)
    assert Counter(y) == {0: 100, 1: 100, 2: 100}
    assert max(math.hypot(*p) for p in X) == pytest.approx(1.0)
    # each arm is the previous one turned by a third of a circle
    for a, b in zip(X[:100], X[100:200]):
        angle = math.atan2(b[1], b[0]) - math.atan2(a[1], a[0])
        assert math.remainder(angle - 2 * math.pi / 3, 2 * math.pi) == pytest.approx(0.0, abs=1e-9)


def test_xor_is_the_truth_table_and_its_noisy_version() -> None:
    assert make_xor() == ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    X, y = make_xor(200, noise=0.1, seed=0)
    assert len(X) == 200 and Counter(y) == {0: 100, 1: 100}
    for p, t in zip(X, y):
        corner = (round(p[0]), round(p[1]))
        assert t == corner[0] ^ corner[1]


def test_train_test_split_stratified() -> None:
    y = [0] * 60 + [1] * 30 + [2] * 10
    X = [[float(i)] for i in range(100)]
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.25, stratify=True, seed=0)
    assert len(X_test) == 25 and len(X_train) == 75
    assert Counter(y_test) == {0: 15, 1: 7, 2: 3} or Counter(y_test) == {0: 15, 1: 8, 2: 2}
    assert sorted(map(tuple, X_train + X_test)) == sorted(map(tuple, X))  # a partition
    assert all(y[int(p[0])] == t for p, t in zip(X_train + X_test, y_train + y_test))
    assert train_test_split(X, y, 0.25, stratify=True, seed=0) == train_test_split(X, y, 0.25, stratify=True, seed=0)


def test_train_test_split_plain() -> None:
    X, y = list(range(10)), list(range(10))
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.3, seed=1)
    assert len(X_test) == 3 and X_train == y_train and X_test == y_test
    assert sorted(X_train + X_test) == X


def test_load_digits() -> None:
    pytest.importorskip("sklearn")
    X, y = load_digits()
    assert len(X) == len(y) == 1797 and all(len(row) == 64 for row in X)
    assert set(y) == set(range(10))
    assert min(min(r) for r in X) == 0.0 and max(max(r) for r in X) == 1.0
    raw, _ = load_digits(scale=False)
    assert max(max(r) for r in raw) == 16.0 and raw[0][:8] == [0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]


def test_load_digits_without_scikit_learn_says_which_extra(hide_package: Any) -> None:
    hide_package("sklearn")
    message = r'load_digits needs scikit-learn.*pip install "microgradnet\[datasets\]"'
    with pytest.raises(ModuleNotFoundError, match=message):
        load_digits()


def test_bad_arguments_are_explained() -> None:
    with pytest.raises(TypeError, match=r"make_moons\(n_samples\) must be an int, got float"):
        make_moons(10.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"make_spirals\(n_samples\) must be at least 3, got 2"):
        make_spirals(2, n_classes=3)
    with pytest.raises(ValueError, match=r"noise must be a finite number >= 0, got -0.1"):
        make_moons(10, noise=-0.1)
    with pytest.raises(ValueError, match=r"make_circles\(factor\) must be in \[0, 1\), got 1.5"):
        make_circles(10, factor=1.5)
    with pytest.raises(TypeError, match=r"seed must be an int, a random\.Random or None, got str"):
        make_xor(seed="0")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="train_test_split: X has 3 rows but y has 2"):
        train_test_split([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match=r"train_test_split\(test_size\) must be a fraction in \(0, 1\), got 25"):
        train_test_split([1, 2, 3], [1, 2, 3], 25)
