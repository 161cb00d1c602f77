"""The settings screen's additions against the real simulator over loopback (Pilot):
voice filters and model names, STT language and turn detection applied live in vparams,
and the knowledge base of new sessions."""

from __future__ import annotations

from textual.widgets import Input, Select

from akool_tui.demo import demo_config
from akool_tui.simulator.stream_channel import live_avatars
from akool_tui.tui.app import AkoolApp
from test_tui_settings import SIZE, connected_chat, field_error, open_settings, result
from tui_helpers import wait_for


def shown_voices(screen) -> list[str]:
    voice_list = screen.query_one("#voice-list")
    return [screen._voice_of(voice_list.get_option_at_index(i).id)
            for i in range(voice_list.option_count)
            if voice_list.get_option_at_index(i).id != "no-match"]


async def test_filters_by_gender_age_style_and_scenario_narrow_the_list(simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        every = shown_voices(screen)
        by_id = {v.voice_id: v for v in screen._voices}
        gender = screen.query_one("#facet-gender", Select)
        assert [value for _label, value in gender._options[1:]] == ["Female", "Male"]
        gender.value = "Female"
        await wait_for(pilot, lambda: len(shown_voices(screen)) < len(every), "narrowed")
        female = shown_voices(screen)[1:]
        assert female and all(by_id[v].gender == "Female" for v in female)
        assert len(female) == sum(1 for v in screen._voices if v.gender == "Female")
        assert f"{len(female)} of {len(screen._voices)} voices" in screen.status.build().plain
        screen.query_one("#facet-scenario", Select).value = "Audiobook"
        await wait_for(pilot, lambda: len(shown_voices(screen)) <= len(female), "narrower")
        assert all("Audiobook" in by_id[v].scenario and by_id[v].gender == "Female"
                   for v in shown_voices(screen)[1:])
        # the search still works inside the filters; nothing matching says so
        await pilot.press("ctrl+f", *"zzz")
        await wait_for(pilot, lambda: shown_voices(screen) == [""], "no match")
        assert "No voice matches 'zzz Female Audiobook'" in str(
            screen.query_one("#voice-list").get_option_at_index(1).prompt)
        # the model shows in the list and for the voice chosen
        gender.clear()
        screen.query_one("#facet-scenario", Select).clear()
        screen.query_one("#voice-filter", Input).value = "andrew"
        await wait_for(pilot, lambda: "en-US-AndrewMultilingualNeural" in shown_voices(screen),
                       "andrew")
        line = str(screen.query_one("#voice-list").get_option_at_index(1).prompt)
        assert "Multilingual 3" in line


async def test_apply_sends_the_voice_stt_language_and_turn_detection_in_vparams(simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        sid, chat = await connected_chat(pilot, simulator)
        screen = await open_settings(pilot)
        await pilot.press("ctrl+f", *"henri", "enter", "down", "enter")
        screen.query_one("#stt-lang", Select).value = "fr"
        screen.query_one("#turn-type", Select).value = "server_vad"
        await pilot.pause()
        assert not screen.query_one("#threshold", Input).disabled
        screen.query_one("#threshold", Input).value = "1.7"
        await pilot.pause()
        assert field_error(screen, "turn").startswith("threshold: expected a number from 0 to 1")
        await pilot.press("ctrl+t")
        assert result(screen).startswith("Fix the marked field")
        (avatar,) = live_avatars(simulator.state, sid)
        assert avatar.params.vparams == {}  # nothing was sent
        screen.query_one("#threshold", Input).value = "0.6"
        screen.query_one("#silence_duration_ms", Input).value = "700"
        await pilot.pause()
        assert field_error(screen, "turn") == ""
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: result(screen).startswith("✓"), "ack")
        assert "vparams.vid=fr-FR-HenriNeural" in result(screen)
        p = avatar.params
        assert p.vid == "fr-FR-HenriNeural"
        assert p.vparams["stt_language"] == "fr"
        assert p.vparams["turn_detection"] == {"type": "server_vad", "threshold": 0.6,
                                               "silence_duration_ms": 700}
        # the chat's transcript says what was applied, in words
        assert any(e.text.startswith("set-params voice fr-FR-HenriNeural, speed 1, STT language "
                                     "fr, turn detection server_vad (threshold 0.6, silence 700 ms)")
                   for e in chat.transcript.entries if e.role == "ok")
        # semantic_vad: the server_vad fields are disabled and not sent
        screen.query_one("#turn-type", Select).value = "semantic_vad"
        await pilot.pause()
        assert screen.query_one("#threshold", Input).disabled
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "turn_detection" in result(screen)
                       and "semantic_vad" in result(screen), "second ack")
        assert avatar.params.vparams["turn_detection"] == {"type": "semantic_vad"}


async def test_the_knowledge_base_of_new_sessions_is_chosen_from_yours_and_akools(simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        knowledge = screen.query_one("#knowledge", Select)
        await wait_for(pilot, lambda: len(knowledge._options) > 1, "knowledge bases")
        labels = [str(label) for label, _value in knowledge._options[1:]]
        assert any(label.endswith("· yours") for label in labels)
        assert any(label.endswith("· AKool") for label in labels)
        wanted = next(value for label, value in knowledge._options[1:]
                      if str(label).endswith("· AKool"))
        knowledge.value = wanted
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: result(screen).startswith("✓"), "saved")
        assert app.config.defaults.knowledge_id == wanted


async def test_the_turns_line_names_every_wrong_field_after_another_is_edited(simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        screen.query_one("#turn-type", Select).value = "server_vad"
        await pilot.pause()
        for name, value in (("threshold", "1e3"), ("prefix_padding_ms", "1e3"),
                            ("silence_duration_ms", "500")):  # the last one is right
            screen.query_one(f"#{name}", Input).value = value
            await pilot.pause()
        line = field_error(screen, "turn")
        assert line.startswith("threshold: expected a number from 0 to 1")
        assert "; prefix: expected whole milliseconds" in line and "silence" not in line
        screen.query_one("#threshold", Input).value = "0.5"
        await pilot.pause()
        assert field_error(screen, "turn").startswith("prefix: expected whole milliseconds")
        screen.query_one("#turn-type", Select).value = "semantic_vad"
        await pilot.pause()
        assert field_error(screen, "turn") == ""  # not sent: nothing to fix
