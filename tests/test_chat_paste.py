"""The chat's input loses nothing silently: a multi-line paste is one message with its
lines joined by spaces, a long paste is sent whole, and a paste past the line's limit is
cut with a warning that says how much (Pilot against the real simulator)."""

from __future__ import annotations

from textual import events

from akool_tui.core.text import CHAT
from test_tui_chat import SIZE, create_session, make_app, open_chat, texts
from tui_helpers import wait_for


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def paste(pilot, chat, text: str) -> None:
    chat.chat_input.post_message(events.Paste(text))
    await pilot.pause()


async def test_a_multi_line_paste_is_one_message_with_its_lines_joined(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        chat = await open_chat(pilot, create_session(sim))
        await paste(pilot, chat, "first line\nsecond line\r\n\nthird")
        assert chat.chat_input.value == "first line second line third"
        assert any("3 lines as one message" in n for n in notices(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: texts(chat, "user"), "sent")
        assert texts(chat, "user") == ["first line second line third"]


async def test_a_long_paste_is_sent_whole_and_one_past_the_limit_says_what_was_cut(
        simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        chat = await open_chat(pilot, create_session(sim))
        long = ("word " * 2000).strip()  # 9 999 characters
        await paste(pilot, chat, long)
        assert chat.chat_input.value == long and not notices(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: texts(chat, "user"), "sent")
        assert texts(chat, "user") == [long]  # whole: no "…", nothing cut
        await paste(pilot, chat, "x" * (CHAT + 1234))
        assert chat.chat_input.value == "x" * CHAT
        assert any("1,234 characters past that were left out" in n for n in notices(app))
