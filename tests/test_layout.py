"""The package's layering: the engine imports nothing else of it, and nothing imports the command line."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "microgradnet"
ENGINE = {"engine", "ops", "ieee", "grad_mode"}


def _imports(path: Path) -> set[str]:
    """The package's modules that path imports (their first name under microgradnet)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    here = parts[:-1]  # the subpackage the file sits in
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(here[: len(here) - (node.level - 1)])
            target = base + (node.module.split(".") if node.module else [])
            found |= {target[0]} if target else {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("microgradnet."):
            found.add(node.module.split(".")[1])  # type: ignore[union-attr]
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("microgradnet.")}
    return found


def test_the_engine_imports_nothing_else_of_the_package() -> None:
    for name in sorted(ENGINE):
        assert _imports(PACKAGE / f"{name}.py") <= ENGINE, name


def test_nothing_imports_the_command_line() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "cli" not in path.relative_to(PACKAGE).parts and path.name != "__main__.py":
            assert "cli" not in _imports(path), path


def test_the_check_sees_imports() -> None:
    """The checks above would fail on a violation: the helper finds what nn and the command line import."""
    assert {"engine", "ops", "fused", "modelfile"} <= _imports(PACKAGE / "nn.py")
    assert "datasets" in _imports(PACKAGE / "cli" / "train.py")  # from .. import datasets
    assert "cli" in _imports(PACKAGE / "__main__.py")  # python -m microgradnet runs the command line
