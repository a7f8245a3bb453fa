"""`python -m microgradnet` runs the command line."""

import sys

from .cli import main

if __name__ == "__main__":  # not when a tool (a documentation builder, say) imports every module
    sys.exit(main())
