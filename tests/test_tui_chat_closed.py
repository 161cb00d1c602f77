"""The chat when the session it talks to is closed elsewhere (simulator, Pilot): it says
so, offers no reconnect, shows and counts the lines typed then, and never delivers them
to another session unasked (ctrl+y does, once the user picked one)."""

from __future__ import annotations

import httpx

from akool_tui.stream.transport import TransportState
from test_tui_chat import SIZE, create_session, make_app, open_chat, say, texts
from tui_helpers import wait_for as _wait


async def wait_for(pilot, condition, what: str = "", **options) -> None:
    """tui_helpers.wait_for, printing the transcript when it times out."""
    try:
        await _wait(pilot, condition, what, **options)
    except AssertionError:
        print([(e.role, e.text, e.status, e.note) for e in pilot.app.screen.transcript.entries])
        raise

CLOSE = "/api/open/v4/liveAvatar/session/close"


def close_session(sim, session_id: str) -> None:
    answer = httpx.post(sim.base_url + CLOSE, headers={"x-api-key": sim.cfg.api_key},
                        json={"id": session_id}).json()
    assert answer["code"] == 1000, answer


async def test_a_line_typed_after_the_session_closed_waits_visibly_and_is_not_sent_elsewhere(
        simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        first, second = create_session(sim), create_session(sim)
        screen = await open_chat(pilot, first)
        close_session(sim, first)
        await wait_for(pilot, lambda: screen.conversation.state is TransportState.FAILED,
                       "the channel ends")
        await wait_for(pilot, lambda: any(f"Session {first[-8:]} closed: ^o picks another, "
                                          "^n creates one." in t
                                          for t in texts(screen, "error")), "said closed", timeout=3)
        assert not any("reconnects" in t for t in texts(screen, "error"))  # no dead retry
        await say(pilot, "line typed after close")
        line = lambda: next(e for e in screen.transcript.entries
                            if e.role == "user" and e.text == "line typed after close")
        await wait_for(pilot, lambda: any(e.role == "user" for e in screen.transcript.entries),
                       "the line shows")
        assert line().status == "queued" and f"session {first[-8:]} closed" in line().note
        assert screen.conversation.queued_count == 1
        assert "1 queued" in str(screen.status.render())
        await wait_for(pilot, lambda: "queued 1" in str(screen.query_one("#chat-health").render()),
                       "health counts it")
        # ctrl+y: no reconnect to the dead session, it says what to do instead
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: sum("picks another" in t
                                          for t in texts(screen, "error")) >= 2, "retry says")
        assert not any(t.startswith("Reconnecting") for t in texts(screen, "system"))
        # picking another session: the line is marked failed, not delivered there
        await wait_for(pilot, lambda: second in screen._sessions, "listed")
        screen.query_one("#chat-session").value = second
        await wait_for(pilot, lambda: screen.conversation.connected
                       and screen.conversation.session.id == second, "second connected")
        await wait_for(pilot, lambda: line().status == "failed", "marked failed")
        assert line().note.startswith(f"not sent: session {first[-8:]} closed")
        await say(pilot, "hello second")
        await wait_for(pilot, lambda: any("hello second" in t for t in texts(screen, "bot")),
                       "answer")
        assert not any("line typed after close" in t for t in texts(screen, "bot"))
        # ctrl+y sends it, now that the user asks, to the session connected
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: any("line typed after close" in t
                                          for t in texts(screen, "bot")), "resent")
        assert line().status == ""


async def test_the_picker_marks_the_closed_session_closed(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        sid = create_session(sim)
        screen = await open_chat(pilot, sid)
        close_session(sim, sid)
        select = screen.query_one("#chat-session")
        label = lambda: next((str(p) for p, v in select._options if v == sid), "")
        await wait_for(pilot, lambda: label().endswith("closed"), "marked closed")
        assert label() == f"{sid[-8:]}  closed"


async def test_ctrl_o_lists_the_sessions_as_they_are_now(simulator_factory):
    """Sessions started and closed elsewhere after the chat opened: ctrl+o lists them
    as they are when it opens (the list it had at once, "loading…" until the new one)."""
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        current, other = create_session(sim), create_session(sim)
        screen = await open_chat(pilot, current)
        select = screen.query_one("#chat-session")
        values = lambda: [v for _p, v in select._options[1:]]
        await wait_for(pilot, lambda: other in values(), "listed")
        await wait_for(pilot, lambda: "loading" not in select.prompt, "listing done")
        started = create_session(sim)  # from a script, a colleague's terminal
        close_session(sim, other)
        screen.action_pick_session()  # ctrl+o (called: checked before the loop runs on)
        assert select.expanded and other in values()  # at once: the list it had...
        assert "loading" in select.prompt  # ...saying a new one is on its way
        assert "loading" in str(select.query_one("SelectOverlay").get_option_at_index(0).prompt)
        await wait_for(pilot, lambda: started in values(), "the new session listed")
        assert other not in values() and "loading" not in select.prompt
        assert select.expanded  # still open for the pick
        await pilot.press("escape")


async def test_esc_from_the_picker_goes_back_to_typing(simulator_factory):
    """The Select focused itself after its own dismiss: what was typed next went nowhere."""
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot, create_session(sim))
        await pilot.press("ctrl+o")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.chat_input.has_focus, "the input focused")
        await pilot.press("o", "k")
        assert screen.chat_input.value == "ok"


async def test_a_line_typed_while_ctrl_n_creates_goes_to_the_new_session(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        first = create_session(sim)
        screen = await open_chat(pilot, first)
        close_session(sim, first)
        await wait_for(pilot, lambda: screen.conversation.state is TransportState.FAILED,
                       "the channel ends")
        screen.action_new_session()  # ctrl+n, and a line typed before the session is made
        screen.chat_input.value = "for the new one"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.conversation.connected
                       and screen.conversation.session.id != first, "the new session")
        await wait_for(pilot, lambda: any("for the new one" in t
                                          for t in texts(screen, "bot")), "answered there")
        assert not any(e.status == "failed" for e in screen.transcript.entries)
