"""The digits target: train MLP(64, [32, 10]) in pure Python to >= 97% test accuracy, timed, next to scikit-learn.

    python bench/digits.py                 # the target run (under a minute on 2 cores)
    python bench/digits.py --seeds 0 1 2   # several initialisations and shuffles

The split is stratified 75/25 with seed 0 (1347 images to train on, 450 to test); pixels are scaled
to [0, 1]. scikit-learn's MLPClassifier(hidden_layer_sizes=(32,)) is trained on the same split.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings

from microgradnet.datasets import load_digits, train_test_split
from microgradnet.nn import MLP
from microgradnet.optim import Adam
from microgradnet.training import accuracy, fit

EPOCHS = 20
LR = 0.01
BATCH = 32


def train(seed: int, epochs: int, X_train: list[list[float]], y_train: list[int], progress: bool) -> tuple[MLP, float]:
    """Train microgradnet's network; returns it and the training time in seconds."""
    model = MLP(64, [32, 10], seed=seed)
    steps = epochs * math.ceil(len(X_train) / BATCH)
    optimizer = Adam(model.parameters(), lr=LR, schedule=lambda k: 1.0 - 0.9 * k / steps)
    start = time.perf_counter()
    fit(model, X_train, y_train, loss="cross_entropy", optimizer=optimizer, epochs=epochs, batch_size=BATCH,
        seed=seed, progress=progress)  # fmt: skip
    return model, time.perf_counter() - start


def sklearn_accuracy(seed: int, X_train: list[list[float]], y_train: list[int], X_test: list[list[float]],
                     y_test: list[int]) -> tuple[float, float]:  # fmt: skip
    """scikit-learn's MLPClassifier(hidden_layer_sizes=(32,)) on the same split: (test accuracy, seconds)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(32,), random_state=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    return float(clf.score(X_test, y_test)), time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="initialisation and shuffling seeds")
    parser.add_argument("--no-sklearn", action="store_true", help="skip the scikit-learn comparison")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.25, stratify=True, seed=0)
    print(f"digits: {len(X_train)} train / {len(X_test)} test (stratified, seed 0); MLP(64, [32, 10]), Adam "
          f"lr {LR} decaying linearly to {LR / 10}, batch {BATCH}, {args.epochs} epochs, cross-entropy")  # fmt: skip
    ok = True
    for seed in args.seeds:
        model, seconds = train(seed, args.epochs, X_train, y_train, progress=not args.quiet)
        test_acc = accuracy(model, X_test, y_test)
        train_acc = accuracy(model, X_train, y_train)
        ok &= test_acc >= 0.97 and seconds < 120
        print(f"microgradnet seed {seed}: test accuracy {test_acc:.2%}, train accuracy {train_acc:.2%}, "
              f"training {seconds:.1f} s")  # fmt: skip
        sys.stdout.flush()
    if not args.no_sklearn:
        for seed in args.seeds:
            acc, seconds = sklearn_accuracy(seed, X_train, y_train, X_test, y_test)
            print(f"scikit-learn MLPClassifier((32,)) random_state {seed}: test accuracy {acc:.2%} ({seconds:.1f} s)")
    print("target (>= 97% test accuracy in < 120 s):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
