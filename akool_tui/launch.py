"""The ``akool-tui`` command: the CLI parses and runs commands; without one, on a
terminal, it starts the console handed in from here. Neither front end imports the
other (the layer contracts in ``pyproject.toml`` say so)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Config


def start_console(config: Config, *, demo: bool = False,
                  demo_starter: Callable[[], Config] | None = None) -> int:
    """Run the Textual console until it exits; returns the process exit code."""
    from .api.errors import ConfigError
    from .tui.app import run_app

    if config.keymap:  # an unknown binding id stops here, with the closest known ones
        from .tui.keydoc import check_keymap

        if problem := check_keymap(config.keymap):
            where = f"{config.path}: " if config.path else ""
            raise ConfigError(where + problem)
    from .tui.video_support import prepare_pixels

    prepare_pixels(config.chat.video_mode)  # asks the terminal now, or never
    return run_app(config, demo=demo, demo_starter=demo_starter)


def main(argv: Sequence[str] | None = None) -> int:
    from .cli import main as cli_main

    return cli_main(argv, console=start_console)


if __name__ == "__main__":
    sys.exit(main())
