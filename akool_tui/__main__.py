"""``python -m akool_tui``: the same as the ``akool-tui`` command."""

import sys

from .launch import main

sys.exit(main())
