"""ctrl+n while the avatar is replying: the reply cut short is closed as incomplete in
the conversation it belongs to, and the new session's conversation starts clean (Pilot
against the real simulator, the history as recorded)."""

from __future__ import annotations

from akool_tui.core.history import (
    conversation_items,
    history_path,
    list_conversations,
    open_history,
)
from test_tui_chat import SIZE, create_session, make_app, open_chat, say
from tui_helpers import wait_for


async def test_ctrl_n_mid_reply_closes_the_reply_in_the_old_conversation(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=8.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        first = create_session(sim)
        chat = await open_chat(pilot, first)
        await say(pilot, "tell me a long story")
        bot = lambda: [e for e in chat.transcript.entries if e.role == "bot"]
        await wait_for(pilot, lambda: bot() and bot()[0].status == "streaming", "streaming")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: chat._session_id not in (None, first)
                       and chat.conversation.connected, "the new session connected")
        await wait_for(pilot, lambda: bot()[0].status == "incomplete", "the reply closed")
        assert app.ctx.history.flush()
        conn = open_history(history_path(demo=True))
        new, old = list_conversations(conn)  # newest first
        old_items = conversation_items(conn, old.id)
        new_items = conversation_items(conn, new.id)
    assert old.session_id == first and new.session_id == chat._session_id
    (reply,) = [i for i in old_items if i.kind == "reply"]
    assert reply.status == "incomplete"  # not "streaming" for good
    assert new.replies == 0 and not [i for i in new_items if i.kind == "reply"]
