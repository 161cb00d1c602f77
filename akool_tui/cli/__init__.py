"""The headless CLI: ``akool-tui COMMAND`` for scripts and SSH sessions (no Textual).

:mod:`.main` parses and runs the commands, :mod:`.output` writes tables and JSON. The
console is started by :mod:`akool_tui.launch`, which hands it in: the two front ends
never import each other.
"""

from .main import build_parser, main, run

__all__ = ["build_parser", "main", "run"]
