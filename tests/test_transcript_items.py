"""Issue 11, chat and transcript: wrapping by painted cells, the export's Markdown."""

from __future__ import annotations

import html as htmllib
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes

from textual.app import App, ComposeResult

from akool_tui.core.export import render_markdown, write_exports
from akool_tui.tui.widgets.transcript import Transcript, wrap_spans
from test_tui_chat import SIZE, create_session, make_app, open_chat, say
from tui_helpers import wait_for

#: a skin-toned thumb, a heart with VS16, a flag, CJK, letters with combining marks
PIECES = ["a", "b", "xyz", " ", "\n", "\U0001f44d\U0001f3fd", "\U0001f44d", "\u2764\ufe0f",
          "\U0001f1eb\U0001f1f7", "\u4f60", "\u597d", "e\u0301", "o\u0308\u0323"]


def _boundaries(text: str) -> set[int]:
    """Where a line may start or end: grapheme cluster edges within each paragraph."""
    cuts, pos = set(), 0
    for paragraph in text.split("\n"):
        spans, _ = split_graphemes(paragraph)
        cuts |= {pos + start for start, _end, _w in spans} | {pos + len(paragraph)}
        pos += len(paragraph) + 1
    return cuts


@given(st.lists(st.sampled_from(PIECES), max_size=80), st.integers(min_value=2, max_value=24))
def test_wrapped_lines_fit_by_painted_cells_and_lose_nothing(pieces, width):
    text = "".join(pieces)
    spans = wrap_spans(text, width)
    cuts = _boundaries(text)
    rebuilt, pos = [], 0
    for a, b in spans:
        assert pos <= a <= b
        assert set(text[pos:a]) <= {"\n"}  # only newlines sit between lines
        rebuilt += [text[pos:a], text[a:b]]
        pos = b
        assert a in cuts and b in cuts, (text, width, spans)  # no cluster is cut
        assert cell_len(text[a:b].rstrip(" ")) <= width, (text[a:b], width)
    assert "".join(rebuilt) + text[pos:] == text


def test_a_long_word_of_skin_toned_emoji_folds_between_the_emoji():
    thumb = "\U0001f44d\U0001f3fd"
    text = thumb * 5 + "x"
    lines = [text[a:b] for a, b in wrap_spans(text, 5)]
    assert lines == [thumb * 2, thumb * 2, thumb + "x"]
    heart = "\u2764\ufe0f"
    text = "a" + heart * 3
    lines = [text[a:b] for a, b in wrap_spans(text, 3)]
    assert lines == ["a" + heart, heart * 1, heart]
    assert all(cell_len(line) <= 3 for line in lines)


# -- following the tail across resizes ---------------------------------------------------


class TranscriptApp(App):
    def compose(self) -> ComposeResult:
        yield Transcript()


def _shows_the_last_line(tr) -> bool:
    return (tr.line_count > tr.size.height and tr.scroll_offset.y == tr.max_scroll_y
            and tr.scroll_offset.y + tr.size.height >= tr.line_count)


async def test_the_chat_follows_new_replies_after_the_terminal_is_resized(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot, create_session(sim))
        tr = screen.transcript
        replies = lambda: [e for e in tr.entries if e.role == "bot" and e.status == ""]
        for i in range(40):  # earlier lines: the transcript scrolls
            tr.add("system", f"an earlier line {i}")
        for n in range(1, 3):
            await say(pilot, f"question number {n} about the weather in a long sentence")
            await wait_for(pilot, lambda n=n: len(replies()) == n, f"reply {n}")
        await wait_for(pilot, lambda: _shows_the_last_line(tr), "following before resizing")
        for size in [(80, 24), SIZE, (80, 24), SIZE]:
            await pilot.resize_terminal(*size)
            await wait_for(pilot, lambda size=size: app.size == size
                           and tr._width == tr._wrap_width(), f"resized to {size}")
            n += 1
            await say(pilot, f"and after resizing to {size[0]}x{size[1]}, question {n}")
            await wait_for(pilot, lambda n=n: len(replies()) == n, f"reply {n}")
            await wait_for(pilot, lambda: _shows_the_last_line(tr),
                           f"the last reply in view at {size}")
        assert tr.lines_text()[-1].strip()  # the reply's last line, not a blank row


async def test_the_transcript_keeps_the_users_place_across_resizes_when_scrolled_up():
    app = TranscriptApp()
    async with app.run_test(size=(120, 34)) as pilot:
        tr = app.query_one(Transcript)
        for i in range(80):
            tr.add("bot", f"reply {i} " + "word " * (i % 30))
        tr.flush()
        await pilot.pause()
        assert _shows_the_last_line(tr)
        for size in [(80, 24), (120, 34)]:
            await pilot.resize_terminal(*size)
            await wait_for(pilot, lambda: tr._width == tr._wrap_width(), "rewrapped")
            tr.add("bot", f"new reply at {size}")
            tr.flush()
            await pilot.pause()
            assert _shows_the_last_line(tr), size
        tr.scroll_to(y=3, animate=False)
        await pilot.pause()
        for size in [(80, 24), (120, 34)]:
            await pilot.resize_terminal(*size)
            await wait_for(pilot, lambda: tr._width == tr._wrap_width(), "rewrapped")
            tr.add("bot", "a reply while scrolled up")
            tr.flush()
            await pilot.pause()
            assert tr.scroll_offset.y == 3, size  # the user's place is kept
        tr.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        tr.add("bot", "back at the end: followed again")
        tr.flush()
        await pilot.pause()
        assert _shows_the_last_line(tr)


# -- the export's Markdown ---------------------------------------------------------------

HOSTILE = [
    "**bold** and __under__ and *one* _two_",
    "# a heading\n## another",
    "see [x](y) and ![img](http://e.test/i.png) and <http://e.test>",
    "`code` and ```fenced```\n```\nblock\n```",
    "<html><b>hi</b><script>x()</script></html> &amp; &lt;",
    "- item\n+ item\n* item\n1. one\n2) two\n> quoted",
    "a paragraph\n===\nanother\n---\n***",
    "line\n\n    indented after a blank line\n\n",
    "a | table | row\n|---|---|\n~~struck~~ $x^2$ back\\slash \\*",
]


def _markdown_html(text: str, **entry) -> str:
    from markdown_it import MarkdownIt

    record = {"time": "2026-03-02T09:30:00+00:00", "role": "bot", "text": text,
              "status": "", "note": "", "mid": "m1", **entry}
    document = render_markdown([record], {"session": "se01"})
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(document)


@pytest.mark.parametrize("text", HOSTILE)
def test_the_markdown_export_shows_message_text_literally(text):
    html = _markdown_html(text)
    body = html.split("</strong> (2026-03-02T09:30:00+00:00): ", 1)[1]
    body = body.removesuffix("</p>\n")
    shown = htmllib.unescape(re.sub(r"<br />\n?", "\n", body))
    # every character, none turned into formatting (only a line's indentation goes)
    assert shown == "\n".join(line.lstrip(" ") for line in text.rstrip("\n").split("\n"))
    assert "<" not in body.replace("<br />", "")
    assert html.count("<p>") == 1 and html.count("<h") == 1  # one paragraph, the title


def test_the_markdown_export_marks_interrupted_incomplete_and_unfinished_replies():
    html = _markdown_html("cut sh", interrupted=True)
    assert "<strong>bot</strong> (2026-03-02T09:30:00+00:00) <strong>[interrupted]</strong>: cut sh" in html
    html = _markdown_html("half", status="incomplete", note="parts missing")
    assert "<strong>[incomplete]</strong>: half <em>[parts missing]</em>" in html
    html = _markdown_html("so far", status="streaming")
    assert "<strong>[still streaming when exported]</strong>: so far" in html
    assert "[" not in _markdown_html("whole reply").split("<p><strong>bot")[1]


def test_a_secret_is_masked_before_the_markdown_escapes_it(tmp_path):
    secret = "sk_live_0123456789abcdef"
    record = {"time": None, "role": "bot", "text": f"key {secret} **x**", "status": "",
              "note": f"echo {secret}", "mid": "m1", "interrupted": False}
    md, jsonl = write_exports([record], tmp_path, "s", {"session": secret}, [secret])
    for path in (md, jsonl):
        text = path.read_text()
        assert secret not in text and secret.replace("_", "\\_") not in text
    assert "\\*\\*x\\*\\*" in md.read_text()


async def test_an_interrupted_reply_is_marked_on_screen_and_in_the_export(
        simulator_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("AKOOL_TUI_EXPORT_DIR", str(tmp_path))
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=25.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot, create_session(sim))
        await say(pilot, "tell me a long story")
        await wait_for(pilot, lambda: screen._speaking, "speaking")
        await pilot.press("escape")
        (reply,) = [e for e in screen.transcript.entries if e.role == "bot"]
        await wait_for(pilot, lambda: reply.status == "" and not screen._speaking, "cut")
        screen.transcript.flush()
        assert reply.interrupted and any(
            line.endswith("[interrupted]") for line in screen.transcript.lines_text())
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(list(tmp_path.iterdir())) == 2, "exported")
    jsonl = next(tmp_path.glob("*.jsonl")).read_text()
    (bot,) = [r for r in map(json.loads, jsonl.splitlines()) if r["role"] == "bot"]
    assert bot["interrupted"] is True and bot["status"] == ""
    md = next(tmp_path.glob("*.md")).read_text()
    assert "**bot** (" in md and "**\\[interrupted\\]**: " in md
