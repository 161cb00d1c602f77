"""``python -m akool_tui``: the same as the ``akool-tui`` command."""

import sys

from .cli import main

sys.exit(main())
