"""python -m helpers {info,build-tiny,run,sync,prefetch}: the maintainers' command line (helpers.tools.cli)."""

import sys

from .tools.cli import main

if __name__ == "__main__":
    sys.exit(main())
