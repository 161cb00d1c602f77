"""Profiles in the console: a read-only profile refuses (and hides) every mutating action;
the palette switches profile without restarting; the status line shows which one."""

from __future__ import annotations

import pytest
from tui_helpers import (
    api_create,
    isolated_home,  # noqa: F401 (an autouse fixture)
    running,
    screen_text,
    start_simulator,
    table_keys,
    wait_for,
    wait_loaded,
    wait_workers,
)

from akool_tui.config import load_config
from akool_tui.tui.app import AkoolApp
from akool_tui.tui.commands import ScreenActionsProvider
from akool_tui.tui.screens.common import ConfirmScreen

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def sims():
    a = start_simulator(seed=3, api_key="key-aaaa-1111")
    b = start_simulator(seed=11, sessions=25, api_key="key-bbbb-2222")
    yield a, b
    a.stop()
    b.stop()


def write_config(tmp_path, a, b):
    path = tmp_path / "config.toml"
    path.write_text(f"""\
refresh_interval = 60.0

[profiles.alpha]
base_url = "{a.base_url}"
api_key = "key-aaaa-1111"
color = "teal"

[profiles.beta]
base_url = "{b.base_url}"
api_key = "key-bbbb-2222"
color = "#cc3333"

[profiles.watch]
base_url = "{b.base_url}"
api_key = "key-bbbb-2222"
read_only = true
""")
    return path


def app_for(tmp_path, sims, profile):
    cfg = load_config(write_config(tmp_path, *sims), env={}, profile=profile)
    return AkoolApp(cfg, watch_tty=False)


def palette_titles(app) -> list[str]:
    provider = ScreenActionsProvider(app.screen)
    return [title for title, *_ in provider._commands()]


def key_bar(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_read_only_profile_hides_and_refuses_close_create_upload(sims, tmp_path):
    _, b = sims
    (session_id,) = await api_create(b)
    app = app_for(tmp_path, sims, "watch")
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        assert "Close" not in key_bar(app) and "New" not in key_bar(app)
        assert "Filter" in key_bar(app)  # looking is fine
        titles = palette_titles(app)
        assert not [t for t in titles if "Close" in t or "New" in t], titles
        assert any("Filter" in t for t in titles)
        status = screen.status.render().plain
        assert status.startswith(" watch · read-only ")

        assert screen.table.move_cursor_to_key(session_id)
        for key in ("c", "C", "n"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen  # no confirmation, no dialog
        warnings = messages.notes("warning")
        assert "profile 'watch' is read-only: closing sessions is off" in warnings
        assert "profile 'watch' is read-only: creating sessions is off" in warnings
        assert b.state.session_status(session_id) in (1, 2)  # still open: nothing sent

        await pilot.press("2")
        await wait_loaded(pilot)
        assert "Upload" not in key_bar(app)
        avatars = set(b.state.avatars)
        await pilot.press("u")
        await pilot.pause()
        assert type(app.screen).__name__ == "AvatarsScreen"
        assert "profile 'watch' is read-only: uploading avatars is off" in messages.notes("warning")
        assert set(b.state.avatars) == avatars

        await pilot.press("4")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SettingsScreen")
        before = app.config.path.read_text()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "profile 'watch' is read-only: saving the config is off" in messages.notes("warning")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert ("profile 'watch' is read-only: changing a live session's parameters is off"
                in messages.notes("warning"))
        app.theme = "akool-light"  # applies for the run, is not written
        await wait_for(pilot, lambda: any("for this run only" in n for n in messages.notes()))
        assert app.config.path.read_text() == before

        await pilot.press("escape", "5")  # knowledge bases: looking is fine, no changes
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KnowledgeScreen")
        await wait_loaded(pilot)
        assert "Filter" in key_bar(app) and "New" not in key_bar(app)
        knowledge = set(b.state.knowledge)
        for key in ("n", "u", "x"):
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == "KnowledgeScreen"  # no form, no confirmation
        assert ("profile 'watch' is read-only: creating, editing and deleting knowledge bases "
                "is off" in messages.notes("warning"))
        assert set(b.state.knowledge) == knowledge

        await pilot.press("3")  # the chat: gestures change the live session
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ChatScreen")
        assert not [t for t in palette_titles(app) if "gesture" in t.lower()]
        app.screen.action_avatar_action()
        await pilot.pause()
        assert ("profile 'watch' is read-only: sending actions to a live session is off"
                in messages.notes("warning"))


async def test_a_writable_profile_keeps_every_action(sims, tmp_path):
    app = app_for(tmp_path, sims, "alpha")
    async with running(app) as (pilot, _messages):
        screen = await wait_loaded(pilot)
        assert "Close" in key_bar(app) and "New" in key_bar(app)
        assert screen.status.render().plain.startswith(" alpha ")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")


async def test_palette_switches_profile_reloads_tables_and_status_line(sims, tmp_path):
    a, b = sims
    app = app_for(tmp_path, sims, "alpha")
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        assert set(table_keys(screen.table)) <= set(a.state.sessions)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Profile: switch to alpha" not in commands  # the one in use
        assert {"Profile: switch to beta", "Profile: switch to watch",
                "Profile: switch to default"} <= set(commands)

        commands["Profile: switch to beta"].callback()
        await wait_for(pilot, lambda: app.config.profile == "beta"
                       and type(app.screen).__name__ == "SessionsScreen"
                       and app.screen is not screen, "the switch")
        await wait_workers(pilot, "profile-switch")
        new = await wait_loaded(pilot)
        keys = set(table_keys(new.table))
        assert keys and keys <= set(b.state.sessions) and not keys & set(a.state.sessions)
        assert app.ctx.profile == "beta"  # the history records into beta's database
        status = new.status.render()
        assert status.plain.startswith(" beta ") and b.base_url.split("//")[1] in status.plain
        assert any("#cc3333" in str(span.style) for span in status.spans), status.spans
        assert "Profile beta: " in " ".join(messages.notes())

        # a profile without credentials is refused; the app stays where it is
        app.switch_profile("default")
        await wait_for(pilot, lambda: any("Profile default has no AKool credentials" in n
                                          for n in messages.notes("error")), "the refusal")
        assert app.config.profile == "beta"

        app.switch_profile("watch")  # and the read-only badge follows the switch
        await wait_for(pilot, lambda: app.config.profile == "watch", "the second switch")
        await wait_workers(pilot, "profile-switch")
        watch = await wait_loaded(pilot)
        assert watch.status.render().plain.startswith(" watch · read-only ")
        assert "Close" not in key_bar(app)


async def test_switching_closes_the_chat_and_returns_to_the_same_screen(sims, tmp_path):
    app = app_for(tmp_path, sims, "alpha")
    async with running(app) as (pilot, _messages):
        await wait_loaded(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: app.ctx.chat_conversation is not None, "the chat")
        old_chat = app.screen
        conversation = app.ctx.chat_conversation
        app.switch_profile("beta")
        await wait_for(pilot, lambda: app.config.profile == "beta"
                       and type(app.screen).__name__ == "ChatScreen"
                       and app.screen is not old_chat, "the new chat screen")
        await wait_workers(pilot, "profile-switch")
        assert app.ctx.chat_conversation is not conversation
        assert not conversation.alive


async def test_demo_has_no_profile_switch(sims, tmp_path):
    a, _ = sims
    from tui_helpers import make_app

    app = make_app(a, tmp_path, demo=True)
    async with running(app) as (pilot, _messages):
        await wait_loaded(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not [t for t in titles if t.startswith("Profile:")]
        assert app.ctx.profile == "demo"


async def test_switching_to_default_without_a_key_says_where_its_key_goes(sims, tmp_path):
    """`default` is the file's top level ([profiles.default] is a reserved name)."""
    app = app_for(tmp_path, sims, "alpha")
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        app.switch_profile("default")
        await wait_for(pilot, lambda: any("Profile default has no AKool credentials" in n
                                          for n in messages.notes("error")), "the refusal")
        (note,) = [n for n in messages.notes("error") if "Profile default" in n]
        assert "[profiles.default]" not in note and "top level" in note, note
        assert app.config.profile == "alpha"
