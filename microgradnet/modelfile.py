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
        doc = json.loads(text)  # NaN and Infinity parse, then fail the check of their key below
    except json.JSONDecodeError as e:
        raise ModelFileError(
            f"{where}: not a valid model file (broken or truncated JSON at line {e.lineno}, column {e.colno}: {e.msg})"
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise ModelFileError(f"{where}: not a microgradnet model file (key 'format' is {found!r}, expected {FORMAT!r})")
    if doc.get("version") != VERSION:
        raise ModelFileError(f"{where}: key 'version' is {doc.get('version')!r}; this microgradnet reads {VERSION}")
    module, config, parameters = doc.get("module"), doc.get("config"), doc.get("parameters")
    if not isinstance(module, str) or not module:
        raise ModelFileError(f"{where}: key 'module' must be a class name, got {module!r:.60}")
    if config is not None and not isinstance(config, dict):
        raise ModelFileError(f"{where}: key 'config' must be an object or null, got {type(config).__name__}")
    if not isinstance(parameters, dict):
        raise ModelFileError(f"{where}: key 'parameters' must be an object, got {type(parameters).__name__}")
    checked: dict[str, float] = {}
    for name, x in parameters.items():
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            raise ModelFileError(f"{where}: parameter {name!r} must be a finite number, got {x!r:.60}")
        checked[name] = float(x)
    return ModelFile(module, config, checked)
