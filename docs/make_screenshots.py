"""Regenerate the README's SVG screenshots: `python docs/make_screenshots.py`.

Runs the real app against the bundled simulator (as `akool-tui --demo` does), walks
through every screen and saves one SVG each under docs/screenshots/.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from akool_tui.demo import demo_config, start_demo
from akool_tui.tui.app import AkoolApp

OUT = Path(__file__).resolve().parent / "screenshots"


async def settle(pilot, seconds: float) -> None:
    await pilot.pause(seconds)
    await pilot.wait_for_scheduled_animations()


async def advanced_section(app, pilot) -> None:
    """The dialog's Advanced section: server_vad's numbers, a pronunciation, an ElevenLabs
    model and the own-room fields of LiveKit."""
    from textual.widgets import Checkbox, Collapsible, Input

    dialog = app.screen
    dialog.query_one("#advanced", Collapsible).collapsed = False
    dialog.query_one("#stream").value = "livekit"
    dialog.query_one("#turn-type").value = "server_vad"
    dialog.query_one("#stt-language", Input).value = "en-US"
    dialog.query_one("#eleven-model", Input).value = "eleven_flash_v2_5"
    dialog.query_one("#byo", Checkbox).value = True
    dialog.query_one("#pron-add").press()
    await settle(pilot, 0.5)
    dialog.query_one("#pron-word-0", Input).value = "AKool"
    dialog.query_one("#pron-said-0", Input).value = "ay cool"
    dialog.query_one("#turn-threshold", Input).value = "0.6"
    dialog.query_one("#turn-threshold", Input).focus()
    await settle(pilot, 0.5)


async def main(size: tuple[int, int]) -> None:
    OUT.mkdir(exist_ok=True)
    sim = start_demo()
    try:
        app = AkoolApp(demo_config(sim), demo=True, watch_tty=False)
        async with app.run_test(size=size) as pilot:
            await settle(pilot, 2.0)
            await pilot.press("down", "down", "enter")
            await settle(pilot, 0.5)
            app.save_screenshot(str(OUT / "sessions.svg"))
            await pilot.press("n")
            await settle(pilot, 1.0)
            app.save_screenshot(str(OUT / "new-session.svg"))
            await advanced_section(app, pilot)
            app.save_screenshot(str(OUT / "new-session-advanced.svg"))
            await pilot.press("escape")
            await pilot.press("2")
            await settle(pilot, 1.5)
            app.save_screenshot(str(OUT / "avatars.svg"))
            await pilot.press("3")
            await settle(pilot, 1.0)
            await pilot.press("ctrl+n")
            await settle(pilot, 3.0)
            for key in "Hello! What can you do for our visitors?":
                await pilot.press(key if key != " " else "space")
            await pilot.press("enter")
            await settle(pilot, 2.0)  # mid-reply: the avatar's mouth moves, the meter is up
            app.save_screenshot(str(OUT / "chat-video.svg"))
            await settle(pilot, 7.0)
            await pilot.press("ctrl+g")  # set-action: a gesture and an expression
            await settle(pilot, 0.5)
            await pilot.press("down", "tab", "down", "down", "down", "down")
            app.save_screenshot(str(OUT / "action-picker.svg"))
            await pilot.press("enter")
            await settle(pilot, 1.0)
            app.save_screenshot(str(OUT / "chat.svg"))
            await pilot.press("tab", "4")  # leave the chat input first
            await settle(pilot, 1.5)
            app.screen.query_one("#facet-gender").value = "Female"  # the voice filters
            await settle(pilot, 0.5)
            app.save_screenshot(str(OUT / "settings.svg"))
            app.action_history()  # the chat above, recorded
            await settle(pilot, 1.5)
            app.save_screenshot(str(OUT / "history.svg"))
            await pilot.press("enter")
            await settle(pilot, 1.0)
            app.save_screenshot(str(OUT / "history-conversation.svg"))
            await pilot.press("escape", "5")  # leave the settings' text field first
            await settle(pilot, 1.5)
            await pilot.press("down", "down", "down", "enter")  # Acme support desk
            await settle(pilot, 0.5)
            app.save_screenshot(str(OUT / "knowledge.svg"))
            await pilot.press("escape", "escape")
            app.action_pulse()  # what this run did, at a glance
            await settle(pilot, 6.0)
            app.save_screenshot(str(OUT / "pulse.svg"))
    finally:
        sim.stop()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    # the history shown is this run's only (not the demo's history on this machine)
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="akool-screenshots-")
    cols, rows = (int(x) for x in (sys.argv[1:3] or ("120", "34")))
    asyncio.run(main((cols, rows)))
