"""akool-tui: a terminal operator console for AKool's Live (Streaming) Avatar service."""

import sys as _sys
import types as _types

__version__ = "0.1.0"


def _skip_httpx_command_line() -> None:
    """``import httpx`` also imports httpx's own command-line tool (``httpx._main``: rich,
    click and pygments, 50-90 ms) whenever those are installed, and Textual installs
    them. We never run httpx's tool, so its module is a stand-in that says so; the
    CLI's every network command starts that much sooner. Done only before httpx is
    first imported, and never over a real ``httpx._main``."""
    if "httpx" in _sys.modules or "httpx._main" in _sys.modules:
        return
    stand_in = _types.ModuleType("httpx._main", "httpx's command line, not loaded by akool-tui")

    def main() -> None:
        raise SystemExit("httpx's command-line tool is not loaded inside akool-tui")

    main.__module__ = "httpx._main"
    stand_in.main = main  # type: ignore[attr-defined]
    _sys.modules["httpx._main"] = stand_in


_skip_httpx_command_line()
