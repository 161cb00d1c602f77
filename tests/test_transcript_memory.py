"""What a long chat costs the transcript: each reply's text once, and a bounded number
of rendered lines however long the replies are (the soak keeps a chat running)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from akool_tui.tui.widgets import transcript_paint as transcript_module
from akool_tui.tui.widgets.transcript import Transcript
from akool_tui.tui.widgets.transcript_paint import MAX_CACHED_LINES


class TranscriptApp(App):
    def compose(self) -> ComposeResult:
        yield Transcript()


def paint_all(tr: Transcript) -> list[str]:
    """Scroll over every line and render it, as an operator scrolling back does;
    returns the text of every line as painted."""
    painted = []
    height = tr.size.height
    for top in range(0, max(1, tr.line_count), height):
        tr.scroll_to(y=top, animate=False, immediate=True)
        top = tr.scroll_offset.y
        for y in range(height):
            if top + y >= tr.line_count:
                break
            if top + y >= len(painted):
                painted.append(tr.render_line(y).text.rstrip())
    return painted


def cached_lines(tr: Transcript) -> int:
    return sum(len(entry.strips) for entry in tr.entries)


async def test_a_reply_keeps_its_text_once_and_control_characters_are_still_replaced():
    app = TranscriptApp()
    async with app.run_test(size=(60, 12)):
        tr = app.query_one(Transcript)
        reply, parts = "", ["It is ", "sunny today, ", "with a light ", "breeze."]
        for i, part in enumerate(parts):
            reply += part
            if i == 0:
                tr.add("bot", reply, key="in:1", status="streaming")
            else:
                tr.update("in:1", reply, status="streaming")
        tr.update("in:1", reply, status="")
        entry = tr.get("in:1")
        assert entry.text == reply and entry.text is entry.raw  # one string, not two copies
        line = tr.add("user", "plain line")
        assert line.text is line.raw
        hostile = tr.add("system", "\x1b[31mred\x07")
        assert hostile.text == "\ufffd[31mred\ufffd" and hostile.raw == "\x1b[31mred\x07"
        tr.add("bot", "clean ", key="in:2", status="streaming")
        tr.update("in:2", "clean \x07tail", status="")  # a control character streams in
        assert tr.get("in:2").text == "clean \ufffdtail"
        tr.flush()
        assert tr.lines_text()[-1] == "bot  clean \ufffdtail"


async def test_rendered_lines_stay_bounded_with_long_replies(monkeypatch):
    limit = 120  # a small budget keeps the test quick; the bound works the same
    monkeypatch.setattr(transcript_module, "MAX_CACHED_LINES", limit)
    app = TranscriptApp()
    async with app.run_test(size=(40, 12)) as pilot:
        tr = app.query_one(Transcript)
        for i in range(6):  # six replies of ~60 wrapped lines each: 12 entries, ~360 lines
            tr.add("user", f"question {i}")
            tr.add("bot", " ".join(f"reply{i}-word{j}" for j in range(200)))
        tr.flush()
        await pilot.pause()
        assert tr.line_count > 3 * limit
        painted = paint_all(tr)
        assert 0 < cached_lines(tr) <= limit
        assert painted == tr.lines_text()  # evicted lines paint again, correctly
        assert cached_lines(tr) <= limit


async def test_one_reply_longer_than_the_line_budget_is_bounded_too(monkeypatch):
    limit = 60
    monkeypatch.setattr(transcript_module, "MAX_CACHED_LINES", limit)
    app = TranscriptApp()
    async with app.run_test(size=(30, 10)) as pilot:
        tr = app.query_one(Transcript)
        entry = tr.add("bot", " ".join(f"w{j}" for j in range(1500)))
        tr.flush()
        await pilot.pause()
        assert len(entry.spans) > 3 * limit
        assert paint_all(tr) == tr.lines_text()
        assert 0 < len(entry.strips) <= limit


def test_the_default_line_budget_is_above_what_typical_entries_need():
    # 512 cached entries of 2-3 lines (a normal chat) fit without evicting by lines
    assert MAX_CACHED_LINES >= transcript_module.MAX_CACHED_ENTRIES * 3
