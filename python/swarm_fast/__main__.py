"""``python -m swarm_fast``: the same command line as ``swarm-fast``."""

import sys

from .cli import main

sys.exit(main())
