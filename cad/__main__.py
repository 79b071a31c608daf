"""`python -m cad ...`: see cad.cli."""

import sys

from cad.cli import main

if __name__ == "__main__":
    sys.exit(main())
