"""The package's layering: the engine imports nothing else of it, nothing imports the command line, and
private names stay at home.

A "room" is a subpackage (engine/, render/, testing/, cli/, codegen/), whose modules may share private helpers,
or a module at the top of the package (nn.py, training.py ...), which is a room of its own. Rooms talk
only through public names: no `_name` defined in one room is imported, called or read in another.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "microgradnet"
ROOMS = ("engine", "render", "testing", "cli", "codegen")
# Python's and Jupyter's own protocols spelt with one underscore: public by convention
PROTOCOLS = {"_repr_html_", "_repr_mimebundle_", "_repr_svg_", "_repr_png_", "_ipython_display_", "_asdict"}


def _room(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0] if len(parts) > 1 else parts[0] + ".py"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


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


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__")) and name not in PROTOCOLS


def _defined(tree: ast.AST) -> set[str]:
    """The private names a module defines: functions, classes, variables, attributes, slots, parameters."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias) and node.asname:
            names.add(node.asname)
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__slots__" for t in node.targets):
            names |= {e.value for e in ast.walk(node.value) if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return {n for n in names if _private(n)}


def _used(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, name) of every private name a module imports or reads as an attribute."""
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            used += [(node.lineno, a.name) for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            used.append((node.lineno, node.attr))
    return used


def _foreign_private_names() -> list[str]:
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in _modules()}
    by_room: dict[str, set[str]] = {}
    for path, tree in trees.items():
        by_room.setdefault(_room(path), set()).update(_defined(tree))
    everywhere = set().union(*by_room.values())
    found = []
    for path, tree in trees.items():
        home = by_room[_room(path)]
        for line, name in _used(tree):
            if name not in home and name in everywhere:
                owners = sorted(room for room, names in by_room.items() if name in names)
                found.append(f"{path.relative_to(PACKAGE)}:{line} uses {name}, private to {', '.join(owners)}")
    return found


def test_the_engine_imports_nothing_else_of_the_package() -> None:
    for path in (PACKAGE / "engine").glob("*.py"):
        assert _imports(path) <= {"engine"} | {p.stem for p in (PACKAGE / "engine").glob("*.py")}, path


def test_nothing_imports_the_command_line() -> None:
    for path in _modules():
        if "cli" not in path.relative_to(PACKAGE).parts and path.name != "__main__.py":
            assert "cli" not in _imports(path), path


def test_private_names_do_not_cross_rooms() -> None:
    assert _foreign_private_names() == []


def test_the_rooms_are_what_the_layout_says() -> None:
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(ROOMS)


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    """The checks above would fail on a violation: they find what modules import and what they reach for."""
    assert {"engine", "modelfile", "files"} <= _imports(PACKAGE / "nn.py")
    assert "datasets" in _imports(PACKAGE / "cli" / "train.py")  # from .. import datasets
    assert "cli" in _imports(PACKAGE / "__main__.py")  # python -m microgradnet runs the command line
    reach = ast.parse("from .engine.value import _new\nx = v._arg\ny = self._mine\nself._mine = 1\n")
    assert _used(reach) == [(1, "_new"), (2, "_arg"), (3, "_mine"), (4, "_mine")]
    assert "_mine" in _defined(reach) and "_arg" not in _defined(reach)
    engine = set().union(*(_defined(ast.parse(p.read_text())) for p in (PACKAGE / "engine").glob("*.py")))
    assert {"_arg", "_p", "_prev", "_layout", "_new"} <= engine  # what an upper floor must not touch
