"""What the console imports on its way to the first rows: the detail pane's and dialogs'
module (``screens.common``: Rich tables, modal screens, buttons, inputs) waits until a
pane or the filter is opened (the first rows' highlight imported it on the event loop,
with the rows waiting), and the palette's provider of screen actions until the palette
opens. Checked in a process of its own (this one has imported everything)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import asyncio, sys
from types import SimpleNamespace
from akool_tui.demo import demo_config
from akool_tui.tui.app import AkoolApp

async def main():
    sim = SimpleNamespace(base_url=sys.argv[1], cfg=SimpleNamespace(api_key=sys.argv[2]))
    app = AkoolApp(demo_config(sim), watch_tty=False)
    async with app.run_test(size=(120, 34)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while app.screen.table.row_count == 0 or app.screen.table.cursor_key is None:
            assert loop.time() < deadline, "no rows"
            await pilot.pause(0.02)
        await pilot.pause()
        before = [m for m in ("akool_tui.tui.screens.common", "akool_tui.tui.commands")
                  if m in sys.modules]
        await pilot.press("enter")  # the detail pane: loaded now
        await pilot.pause()
        print("LOADED", before, "akool_tui.tui.screens.common" in sys.modules,
              bool(app.screen.query("DetailPane")))

asyncio.run(main())
"""


def test_the_first_rows_do_not_import_the_panes_and_dialogs(simulator):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AKOOL", "TEXTUAL"))}
    done = subprocess.run([sys.executable, "-c", PROBE, simulator.base_url,
                           simulator.cfg.api_key], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    line = done.stdout.strip().splitlines()[-1]
    assert line == "LOADED [] True True", line
