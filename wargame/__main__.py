"""`python -m wargame`: the same as the `wargame` command."""

import sys

from wargame.cli import main

if __name__ == "__main__":
    sys.exit(main())
