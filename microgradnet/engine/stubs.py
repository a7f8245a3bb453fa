"""The type stubs of what the op table makes: Value's methods (in value.py) and the functions (in ops.py).

The methods and functions themselves are made from the table when the engine is imported; type
checkers cannot run that, so both files carry a block of stubs written from the table by this
module. After adding a row, run `python -m microgradnet.engine.stubs`; a test checks the blocks.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .ops import TABLE, Row

HERE = Path(__file__).resolve().parent
BEGIN = "# -- generated from the op table by `python -m microgradnet.engine.stubs`: do not edit --"
END = "# -- end of generated stubs --"


def method_stubs() -> list[str]:
    """One line per Value method the table makes."""
    lines = []
    for row in TABLE.values():
        if len(row.derivatives) == 1:
            lines.append(f"def {row.methods[0]}(self) -> Value: ...")
        elif len(row.methods) == 2:
            lines += [f"def {m}(self, other: Operand) -> Value: ..." for m in row.methods]
        else:
            lines.append(f"def {row.methods[0]}(self, {_second(row)}) -> Value: ...")
    return lines


def function_stubs() -> list[str]:
    """One line per function of the table (the ops called by name, such as tanh), and their __all__."""
    lines, names = [], []
    for name, row in TABLE.items():
        if row.methods[0].startswith("__"):  # an operator: Python's own syntax is its function
            continue
        names.append(name)
        second = f", {_second(row)}" if len(row.derivatives) == 2 else ""
        lines.append(f"def {name}(x: T{second}) -> T: ...")
    return [*lines, f"__all__ = [{', '.join(repr(n) for n in sorted(names))}]".replace("'", '"')]


def _second(row: Row) -> str:
    role = row.roles[1] if row.roles else "y"
    default = row.default
    return f"{role}: Operand" + ("" if default is None else f" = {default!r}")


def blocks() -> dict[Path, list[str]]:
    """Each file's stub lines, as they should stand between the BEGIN and END markers."""
    return {HERE / "value.py": method_stubs(), HERE / "ops.py": function_stubs()}


def replaced(text: str, lines: list[str]) -> str:
    """text with the lines between the markers replaced by `lines` (indented as the BEGIN marker)."""
    start = text.index(BEGIN)
    indent = text[text.rindex("\n", 0, start) + 1 : start]
    end = text.index(END, start)
    body = "".join(f"{indent}{line}\n" for line in lines)
    return text[: start + len(BEGIN)] + "\n" + body + indent + text[end:]


def main() -> int:
    """Rewrite the stub blocks from the table; print which files changed."""
    for path, lines in blocks().items():
        text = path.read_text(encoding="utf-8")
        new = replaced(text, lines)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote the stubs in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
