"""The CLI's start-up after the split of cli/main.py: printing help builds the parser
(cli/parser.py) and loads none of what starts the simulator, the browser server or the
console (cli/starters.py, demo), nor a command module; those load when they run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOT_FOR_HELP = ("akool_tui.cli.starters", "akool_tui.demo", "akool_tui.cli.sessions",
                "akool_tui.cli.catalog", "asyncio", "httpx", "textual")


def loaded(*argv: str, probe: tuple[str, ...]) -> list[str]:
    """Which of the modules ``probe`` are loaded once ``akool-tui argv`` ran."""
    code = ("import sys\nfrom akool_tui.cli.main import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            f"print('LOADED', sorted(m for m in {probe!r} if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKOOL")}
    done = subprocess.run([sys.executable, "-c", code, *argv], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    return eval(done.stdout.strip().splitlines()[-1].removeprefix("LOADED "))  # noqa: S307


@pytest.mark.parametrize("argv", [["--help"], ["serve", "--help"], ["sessions", "--help"]])
def test_help_loads_no_starter_and_no_command(argv):
    from akool_tui.cli import parser  # the parser lives apart from what runs the commands

    assert callable(parser.build_parser)
    assert loaded(*argv, probe=NOT_FOR_HELP) == []


def test_serve_loads_its_starter_when_it_runs():
    # a bad port is refused by serve itself: the starter module was loaded to say so
    assert loaded("serve", "--port", "65536", probe=("akool_tui.cli.starters",)) == [
        "akool_tui.cli.starters"]
