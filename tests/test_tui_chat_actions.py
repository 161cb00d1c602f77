"""set-params with the voice in vparams and set-action, from the chat screen against the
real simulator over loopback (Pilot): the picker, the palette, the acks in the transcript."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import OptionList

from akool_tui.simulator.stream_channel import live_avatars
from akool_tui.tui.screens.action_picker import ActionPicker
from test_tui_chat import SIZE, create_session, make_app, open_chat, say, texts
from tui_helpers import wait_for


async def test_set_params_carries_the_voice_in_vparams_and_the_ack_says_what_was_applied(
        simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        sid = create_session(sim)
        screen = await open_chat(pilot, sid)
        ack = await screen.conversation.set_params(vid="fr-FR-HenriNeural", lang="fr",
                                                   vparams={"stt_language": "fr"})
        assert ack.ok
        # the simulator applied it from vparams.vid, with no note about deprecated keys
        assert "vparams.vid=fr-FR-HenriNeural" in ack.msg and "deprecated" not in ack.msg
        (avatar,) = live_avatars(sim.state, sid)
        assert avatar.params.vid == "fr-FR-HenriNeural"
        assert avatar.params.vparams.get("stt_language") == "fr"
        await wait_for(pilot, lambda: any(t.startswith(
            "set-params voice fr-FR-HenriNeural, STT language fr, language fr: applied")
            for t in texts(screen, "ok")), "ack in the transcript")


async def test_the_action_key_opens_the_picker_and_the_ack_and_the_gesture_show(
        simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        sid = create_session(sim)
        screen = await open_chat(pilot, sid)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionPicker), "picker")
        picker = app.screen
        # enter on "none" / "none" sends nothing and says why
        await pilot.press("enter")
        assert isinstance(app.screen, ActionPicker)
        assert "Pick a gesture" in str(picker.query_one("#action-problem").render())
        await pilot.press("down")  # hand wave
        await pilot.press("tab", "down", "down", "down", "down")  # happiness
        assert picker.choice() == ("hand_wave", "happiness")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionPicker), "closed")
        await wait_for(pilot, lambda: any(
            t.startswith("set-action gesture hand wave, expression happiness: applied")
            for t in texts(screen, "ok")), "ack in the transcript")
        (avatar,) = live_avatars(sim.state, sid)
        assert avatar.last_action == {"action": "hand_wave", "expression": "happiness"}
        # the simulated avatar's next reply mentions the gesture
        await say(pilot, "hello")
        await wait_for(pilot, lambda: any(t.startswith("*") for t in texts(screen, "bot")),
                       "reply with the gesture")
        # the picker opens again on the last choice; esc sends nothing
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionPicker), "picker again")
        assert app.screen.choice() == ("hand_wave", "happiness")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActionPicker), "cancelled")


async def test_the_palette_offers_each_gesture_and_sends_it(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        sid = create_session(sim)
        screen = await open_chat(pilot, sid)
        titles = [title for title, *_ in screen.palette_commands()]
        assert len(titles) == 15 and "Avatar gesture: thumbs up" in titles
        assert "Avatar expression: surprise" in titles
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "palette")
        await pilot.press(*"thumbs up")
        options = app.screen.query_one(OptionList)
        await wait_for(pilot, lambda: options.option_count > 0
                       and "thumbs up" in str(options.get_option_at_index(0).prompt), "hit")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(t.startswith("set-action gesture thumbs up: applied")
                                          for t in texts(screen, "ok")), "ack")
        (avatar,) = live_avatars(sim.state, sid)
        assert avatar.last_action == {"action": "thumbs_up"}
