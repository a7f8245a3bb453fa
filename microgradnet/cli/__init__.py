"""The `microgradnet` command line. It sits on top of the library; nothing in the library imports it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from . import export, graph, train


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="microgradnet",
        description="A scalar autograd engine: train small networks and draw computation graphs.",
    )
    parser.add_argument("--version", action="version", version=f"microgradnet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    train.register(commands)
    graph.register(commands)
    export.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for bad arguments)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
