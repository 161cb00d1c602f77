"""``python -m akool_tui.simulator [options]``: serve the simulator in the foreground."""

from .cli import main

main()
