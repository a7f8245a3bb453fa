"""`microgradnet graph EXPR NAME=VALUE...`: compute an expression, run backward, and draw its graph."""

from __future__ import annotations

import argparse
import keyword
import sys
import unicodedata
from pathlib import Path
from typing import Any

from ..engine import Value
from ..files import write_atomic
from ..render import GraphvizError, draw_dot, draw_tree, graph_values, render
from .formula import FUNCTIONS, Formula, FormulaError

RENDERED = (".svg", ".png", ".pdf")  # need Graphviz's dot program
SOURCE = (".dot", ".gv")  # the DOT source, needs only the graphviz package
TEXT = (".txt",)  # the text tree, needs nothing
SUFFIXES = RENDERED + SOURCE + TEXT
RENDER_TIMEOUT = 120.0  # seconds Graphviz's dot may take before it is stopped and the error says what to do

EPILOG = """\
examples:
  microgradnet graph "tanh(x*w + b)" x=2 w=-3 b=6.88            print the text tree
  microgradnet graph "tanh(x*w + b)" x=2 w=-3 b=6.88 -o g.svg   draw it with Graphviz
  microgradnet graph -- "-x**2" x=3                           an expression starting with '-'

The expression may use numbers, names, + - * / **, unary minus, parentheses and the functions
{functions}.
Each name needs a value NAME=VALUE (any float, also nan or inf).
The output format is the suffix of FILE: .svg, .png or .pdf (these need Graphviz's dot program),
.dot or .gv (the DOT source) or .txt (the text tree). Without -o the text tree is printed.
Exit codes: 0 done, 2 bad expression or arguments, 1 anything else (e.g. Graphviz missing or failing).
""".format(functions=", ".join(FUNCTIONS))


class UsageError(Exception):
    """Bad command-line input: exit code 2."""


def register(commands: Any) -> None:
    """Add the `graph` subcommand to the command line's subparsers."""
    p = commands.add_parser(
        "graph",
        help="draw the computation graph of an expression",
        description="Compute an expression of named values, run backward from it, and draw its computation graph.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("expression", metavar="EXPR", help='an expression such as "tanh(x*w + b)"')
    p.add_argument("bindings", nargs="*", metavar="NAME=VALUE", help="a value for each name in EXPR, e.g. x=2")
    p.add_argument("-o", "--output", metavar="FILE", help="write the drawing to FILE (.svg .png .pdf .dot .gv .txt)")
    p.add_argument("--no-grad", action="store_true", help="do not run backward; show data only")
    p.add_argument("--color-grad", action="store_true", help="colour the Values by |grad| (with a legend)")
    p.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR", help="layout direction (LR)")
    p.add_argument("--depth", type=int, metavar="N", help="draw only the Values at most N ops from the result")
    p.add_argument("--max-nodes", type=int, default=500, metavar="N", help="refuse graphs of more Values (500)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `microgradnet graph`; returns the exit code."""
    try:
        return _run(args)
    except (UsageError, FormulaError) as e:
        return _fail(str(e), 2)
    except (GraphvizError, ImportError, OSError, ValueError) as e:
        return _fail(str(e), 1)


def _run(args: argparse.Namespace) -> int:
    suffix = Path(args.output).suffix.lower() if args.output else ""
    if args.output and suffix not in SUFFIXES:
        raise UsageError(f"cannot tell the format of {args.output!r}: use one of the suffixes {' '.join(SUFFIXES)}")
    if args.max_nodes < 1:
        raise UsageError(f"--max-nodes must be at least 1, got {args.max_nodes}")
    if args.depth is not None and args.depth < 0:
        raise UsageError(f"--depth must be at least 0, got {args.depth}")
    expr = Formula(args.expression)
    values = _bindings(args.bindings)
    for name in values:
        if name not in expr.names:
            print(f"microgradnet graph: warning: {name} is not used in the expression", file=sys.stderr)
    leaves = {name: Value(x, label=name) for name, x in values.items()}
    result = expr.evaluate(leaves)
    root = result if isinstance(result, Value) else Value(result, label="result")
    count = len(graph_values(root, sys.maxsize, "graph", args.depth))
    if count > args.max_nodes:
        raise UsageError(
            f"the graph has {count} values, more than --max-nodes={args.max_nodes}; "
            "draw the part nearest the result with --depth N, or raise --max-nodes"
        )
    if not args.no_grad:
        root.backward()
    show_grad = not args.no_grad
    if not args.output or suffix in TEXT:
        text = draw_tree(root, show_grad=show_grad, depth=args.depth, max_nodes=args.max_nodes) + "\n"
        if not args.output:
            sys.stdout.write(text)
            return 0
        _write(args.output, text.encode("utf-8"))
    else:
        colour = "grad" if args.color_grad and show_grad else None
        dot = draw_dot(
            root,
            rankdir=args.rankdir,
            show_grad=show_grad,
            color_by=colour,
            depth=args.depth,
            max_nodes=args.max_nodes,
        )
        data = dot.source.encode("utf-8") if suffix in SOURCE else render(dot, suffix[1:], RENDER_TIMEOUT)
        _write(args.output, data)
    print(f"wrote {args.output}")
    return 0


def _bindings(items: list[str]) -> dict[str, float]:
    """NAME=VALUE arguments as a dict, each name a valid identifier and each value a float."""
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = unicodedata.normalize("NFKC", name.strip())  # as Python reads the names in the expression
        if not sep:
            raise UsageError(f"expected NAME=VALUE, got {item!r}")
        if not name.isidentifier() or keyword.iskeyword(name):
            raise UsageError(f"{name!r} is not a valid name (in {item!r})")
        if name in FUNCTIONS:
            raise UsageError(f"{name!r} is a function and cannot be given a value")
        if name in values:
            raise UsageError(f"{name} is given twice")
        try:
            x = float(text)
        except ValueError:
            raise UsageError(f"the value of {name} must be a number, got {text!r}") from None
        values[name] = x
    return values


def _write(path: str, data: bytes) -> None:
    """Write data to path atomically (see microgradnet.files)."""
    try:
        write_atomic(path, data)
    except OSError as e:
        message = str(e) if str(e).startswith("cannot write") else f"cannot write {path}: {e.strerror or e}"
        raise OSError(message) from e


def _fail(message: str, code: int) -> int:
    print(f"microgradnet graph: error: {message}", file=sys.stderr)
    return code
