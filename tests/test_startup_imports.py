"""What the console imports on its way to the first rows and with the first keys.

The detail pane's and dialogs' module (``screens.common``: Rich tables, modal screens,
buttons, inputs) is never imported on the event loop before the first rows (the first
rows' highlight imported it there, with the rows waiting), and the palette's provider
of screen actions waits until the palette opens. Once the client is made, what the
first keys need is imported in a thread of its own: typing on the table imports
nothing on the event loop (a printable key looks for the filter bar: ``screens.common``
held the first key typed at 100 000 sessions 9-13 ms, 50 ms without byte-compiled
modules). Checked in a process of its own (this one has imported everything)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import asyncio, sys, threading, importlib._bootstrap as boot
from types import SimpleNamespace
from akool_tui.demo import demo_config
from akool_tui.tui.app import AkoolApp

main_imports = []  # modules imported on the main thread (the event loop's)
find_and_load = boot._find_and_load
def recording(name, import_):
    if threading.current_thread() is threading.main_thread():
        main_imports.append(name)
    return find_and_load(name, import_)
boot._find_and_load = recording

async def until(pilot, check, what):
    deadline = asyncio.get_running_loop().time() + 30
    while not check():
        assert asyncio.get_running_loop().time() < deadline, what
        await pilot.pause(0.02)

async def main():
    sim = SimpleNamespace(base_url=sys.argv[1], cfg=SimpleNamespace(api_key=sys.argv[2]))
    app = AkoolApp(demo_config(sim), watch_tty=False)
    async with app.run_test(size=(120, 34)) as pilot:
        table = app.screen.table
        await until(pilot, lambda: table.row_count and table.cursor_key is not None, "rows")
        await pilot.pause()
        before_rows = [m for m in main_imports if m in ("akool_tui.tui.screens.common",
                                                         "akool_tui.tui.commands")]
        print("ROWS", before_rows, "akool_tui.tui.commands" in sys.modules)
        await until(pilot, lambda: "akool_tui.tui.screens.common" in sys.modules,
                    "screens.common imported ahead")
        await pilot.pause()
        del main_imports[:]
        await pilot.press("space", "down", "space", "up", "space")
        await until(pilot, lambda: len(table.marked_keys) == 1, "marks")
        await pilot.pause()
        print("KEYS", sorted(main_imports))
        await pilot.press("enter")  # the detail pane
        await until(pilot, lambda: app.screen.query("DetailPane"), "the detail pane")
        print("PANE", True)

asyncio.run(main())
"""


def _probe(simulator) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AKOOL", "TEXTUAL"))}
    done = subprocess.run([sys.executable, "-c", PROBE, simulator.base_url,
                           simulator.cfg.api_key], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-3:]


def test_the_first_rows_and_keys_import_nothing_on_the_event_loop(simulator):
    rows, keys, pane = _probe(simulator)
    # the panes' module and the palette's provider never held the first rows
    assert rows == "ROWS [] False", rows
    # the first marks typed on the table: everything they need was imported ahead
    assert keys == "KEYS []", keys
    assert pane == "PANE True"


async def test_a_highlight_while_the_panes_module_is_imported_ahead_does_not_crash(
        simulator, monkeypatch, tmp_path):
    """The panes' module is imported ahead in a thread: a row highlighted meanwhile
    found it in sys.modules half made ("has no attribute 'DetailPane'": the console
    ended at its first rows, at 100 000 sessions)."""
    import types

    from tui_helpers import make_app, running, wait_loaded

    app = make_app(simulator, tmp_path)
    async with running(app) as (pilot, _messages):
        await wait_loaded(pilot)
        half_made = types.ModuleType("akool_tui.tui.screens.common")  # no classes yet
        monkeypatch.setitem(sys.modules, "akool_tui.tui.screens.common", half_made)
        app.screen.refresh_detail()  # what a highlight does
        monkeypatch.undo()
        await pilot.press("down", "enter")  # the pane still opens and shows the row
        await pilot.pause()
        assert app.screen.query("DetailPane").first().display
