"""The chat keeps a bounded scrollback in memory (a long-running console must not grow
for ever), says on screen when older lines left it, and its export still holds every
line of the chat."""

from __future__ import annotations

import json

from akool_tui.core.scrollback import Spill
from akool_tui.tui.widgets.transcript import MAX_ENTRIES
from test_tui_chat import SIZE, create_session, make_app, open_chat
from tui_helpers import wait_for

LINES = MAX_ENTRIES + 250


async def test_the_scrollback_is_bounded_and_the_export_holds_every_line(
        simulator_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("AKOOL_TUI_EXPORT_DIR", str(tmp_path))
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot, create_session(sim))
        transcript = screen.transcript
        before = len(transcript.lines)
        for i in range(LINES):
            transcript.add("user", f"line {i} of the long chat", key=f"user:m{i}")
        transcript.flush()
        assert len(transcript.entries) <= MAX_ENTRIES + 1  # the lines and one note
        assert transcript.lines[-1].text == f"line {LINES - 1} of the long chat"
        assert transcript.get("user:m0") is None  # no longer held
        transcript.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        top = " ".join(line[5:] for line in transcript.lines_text()[:2])  # at 80 columns
        assert "older lines left the view" in top and "ctrl+s exports all" in top
        assert f"{transcript.dropped:,} older" in top and transcript.dropped >= 250
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(list(tmp_path.iterdir())) == 2, "exported")
    records = [json.loads(line) for line in next(tmp_path.glob("*.jsonl")).read_text()
               .splitlines()]
    said = [r["text"] for r in records if r["role"] == "user"]
    assert said == [f"line {i} of the long chat" for i in range(LINES)]  # all, in order
    assert len(records) == before + LINES  # the chat's own lines, and no "older lines"
    assert not any("older lines left the view" in r["text"] for r in records)
    md = next(tmp_path.glob("*.md")).read_text()
    assert "line 0 of the long chat" in md and f"lines: {before + LINES}" in md.replace("*", "")


def test_lines_kept_for_the_export_are_masked_and_read_back_in_order():
    secret = "sk-live-0123456789abcdefghijklmnop"
    spill = Spill(lambda: [secret])
    spill.add([{"role": "user", "text": f"key {secret} no {i}", "note": ""} for i in range(3)])
    spill.add([{"role": "bot", "text": "fourth", "note": secret}])
    records = spill.records()
    assert [r["text"].endswith(f"no {i}") for i, r in enumerate(records[:3])] == [True] * 3
    assert records[3]["text"] == "fourth" and spill.count == 4 and spill.lost == 0
    assert secret not in json.dumps(records)
    spill.close()
