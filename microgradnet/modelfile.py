"""Model files: a module's parameters as JSON, written atomically and read back with every field checked.

A file looks like this (never a pickle, so loading one cannot run code)::

    {"format": "microgradnet.module", "version": 1, "module": "MLP",
     "config": {"nin": 2, "nouts": [16, 1], "activation": "relu", "output_activation": "linear"},
     "parameters": {"layers.0.neurons.0.w.0": 0.123, ...}}

`config` holds the constructor arguments of a built-in module (null for a module of your own).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from typing import Any

from .files import PathLike, write_atomic

FORMAT = "microgradnet.module"
VERSION = 1


class ModelFileError(ValueError):
    """A model file that cannot be loaded: unreadable, truncated, foreign, or not matching the model."""


@dataclass(frozen=True)
class ModelFile:
    """The checked contents of a model file."""

    module: str
    config: dict[str, Any] | None
    parameters: dict[str, float]


def write(path: PathLike, module: str, config: dict[str, Any] | None, parameters: dict[str, float]) -> None:
    """Write a model file atomically: to a temporary file beside `path`, then renamed over it."""
    for name, x in parameters.items():
        if not math.isfinite(x):
            raise ValueError(f"cannot save: parameter {name!r} is {x}; only finite numbers can be saved")
    doc = {"format": FORMAT, "version": VERSION, "module": module, "config": config, "parameters": parameters}
    text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
    write_atomic(path, text)


def read(path: PathLike) -> ModelFile:
    """Read and check a model file; any problem raises ModelFileError naming the file and the key."""
    where = os.fspath(path)
    try:
        with open(where, encoding="utf-8") as f:
            text = f.read()
    except UnicodeDecodeError as e:
        raise ModelFileError(f"{where}: not a microgradnet model file (not UTF-8 text: {e.reason})") from None
    try:
        doc = json.loads(text, object_pairs_hook=_unique_keys)  # NaN and Infinity parse, then fail their key's check
    except json.JSONDecodeError as e:
        raise ModelFileError(
            f"{where}: not a valid model file (broken or truncated JSON at line {e.lineno}, column {e.colno}: {e.msg})"
        ) from None
    except _DuplicateKeyError as e:
        raise ModelFileError(f"{where}: not a valid model file (key {e.args[0]!r} is given twice)") from None
    except RecursionError:
        raise ModelFileError(f"{where}: not a valid model file (its JSON is nested too deeply)") from None
    except ValueError as e:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        raise ModelFileError(f"{where}: not a valid model file ({str(e).split(';')[0][:120]})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise ModelFileError(
            f"{where}: not a microgradnet model file (key 'format' is {found!r:.60}, expected {FORMAT!r})"
        )
    version = doc.get("version")
    if type(version) is not int or version != VERSION:  # true == 1 and 1.0 == 1 in Python: not here
        raise ModelFileError(f"{where}: key 'version' is {version!r:.60}; this microgradnet reads {VERSION}")
    module, config, parameters = doc.get("module"), doc.get("config"), doc.get("parameters")
    if not isinstance(module, str) or not module:
        raise ModelFileError(f"{where}: key 'module' must be a class name, got {module!r:.60}")
    if config is not None and not isinstance(config, dict):
        raise ModelFileError(f"{where}: key 'config' must be an object or null, got {type(config).__name__}")
    if not isinstance(parameters, dict):
        raise ModelFileError(f"{where}: key 'parameters' must be an object, got {type(parameters).__name__}")
    checked: dict[str, float] = {}
    for name, x in parameters.items():
        number = _finite(x)
        if number is None:
            shown = f"an integer of {int(x.bit_length() * 0.30103) + 1} digits" if type(x) is int else f"{x!r:.60}"
            raise ModelFileError(f"{where}: parameter {name!r:.80} must be a finite number, got {shown}")
        checked[name] = number
    return ModelFile(module, config, checked)


def _finite(x: object) -> float | None:
    """x as a finite float, or None if it is not a number (bools neither) or too large for a float."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    try:
        number = float(x)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


class _DuplicateKeyError(Exception):
    """A key given twice in one JSON object (json.loads would keep the last silently)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    doc = dict(pairs)
    if len(doc) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return doc
