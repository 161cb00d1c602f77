"""App frame: themes, keymap, first run, help, palette, status line."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Input

from akool_tui.config import UiConfig, load_config
from akool_tui.tui.screens.first_run import CredentialsChecked, FirstRunScreen
from akool_tui.tui.screens.help import HelpScreen
from akool_tui.tui.screens.new_session import NewSessionScreen
from akool_tui.tui.screens.sessions import SessionsScreen
from tui_helpers import (  # noqa: F401 - fixtures
    fill,
    isolated_home,
    make_app,
    running,
    screen_text,
    shared_sim,
    start_simulator,
    wait_for,
    wait_loaded,
    wait_message,
    wait_workers,
)


async def test_theme_switch_is_saved_to_the_config_file(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        assert app.theme == "akool-dark"
        assert {"akool-dark", "akool-light", "akool-high-contrast"} <= set(app.available_themes)
        app.theme = "akool-light"
        await pilot.pause()
    assert app.config.ui.theme == "akool-light"
    saved = tmp_path / "config.toml"
    assert tomllib.loads(saved.read_text())["ui"]["theme"] == "akool-light"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert load_config(saved).ui.theme == "akool-light"


async def test_a_broken_user_theme_is_reported_once_and_skipped(shared_sim, tmp_path,
                                                              isolated_home: Path):
    themes = isolated_home / "akool-tui" / "themes"
    themes.mkdir(parents=True)
    (themes / "broken.toml").write_text('name = "broken"\nprimary = "not-a-colour"\n')
    (themes / "night.toml").write_text('name = "night-ops"\ndark = true\nprimary = "#FF8800"\n')
    app = make_app(shared_sim, tmp_path, ui=UiConfig(theme="night-ops"))
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        assert app.theme == "night-ops"  # the good user theme is there and chosen
        assert "broken" not in app.available_themes
        await pilot.press("2")
        await wait_loaded(pilot)
        await pilot.press("1")
        await pilot.pause()
        warnings = [n for n in messages.notes("warning") if "broken.toml" in n]
        assert len(warnings) == 1 and "not a colour" in warnings[0]
        assert app.is_running


async def test_keymap_override_rebinds_new_session(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, keymap={"sessions.new": "ctrl+n"})
    async with running(app) as (pilot, _):
        screen = await wait_loaded(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, NewSessionScreen)
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("question_mark")  # the help shows the new key
        rows = help_rows(app)
        assert [key for key, bid, _ in rows if bid == "sessions.new"] == ["^n"]


def help_rows(app) -> list[tuple[str, str, str]]:
    assert isinstance(app.screen, HelpScreen)
    table = app.screen.query_one(DataTable)
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def test_the_keys_screen_at_80_columns_wraps_what_a_key_does(shared_sim, tmp_path):
    """At 80 columns the action text was cut ("Copy the id under the cursor to…"): the
    part cut was the part that explains the key (tester 8, F11)."""
    app = make_app(shared_sim, tmp_path)
    async with running(app, size=(80, 24)) as (pilot, _):
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        rows = {bid: action for _, bid, action in help_rows(app)}
        assert "…" not in "".join(rows.values())
        assert rows["table.copy_id"] == ("Copy the id under the cursor to the clipboard "
                                         "(works over SSH)")
        def shown() -> str:
            text = " ".join(line.strip("█ ") for line in screen_text(app).splitlines())
            return " ".join(text.split())

        await wait_for(pilot, lambda: "the clipboard (works over SSH)" in shown(),
                       "the whole text on screen")


async def test_question_mark_lists_every_key_with_its_binding_id(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        rows = help_rows(app)
        ids = {binding_id for _, binding_id, _ in rows}
        # the screen's own keys, hidden ones too, the shared ones and the app's
        assert {"sessions.new", "sessions.close", "sessions.close_marked", "sessions.filter",
                "sessions.status_filter", "screen.refresh", "screen.pause", "app.sessions",
                "app.avatars", "app.help", "app.quit", "live_table.mark"} <= ids
        # the screen's own keys come first, the table's movement keys last
        assert rows[0][1].startswith(("sessions.", "screen."))
        with_ids = [bid for _, bid, _ in rows if bid]
        assert with_ids[-1].startswith("live_table.") and not rows[-1][1]
        assert "Create a session" in {action for _, _, action in rows}
        hint = str(app.screen.query_one("#help-hint").render())
        assert '[keymap] <id> = "key"' in hint
        # the table fits its frame at 120 columns: nothing to scroll sideways
        table = app.screen.query_one(DataTable)
        await pilot.pause()
        assert table.virtual_size.width <= table.scrollable_content_region.width, (
            table.virtual_size, table.scrollable_content_region)
        await pilot.press("escape")
        assert isinstance(app.screen, SessionsScreen)


async def test_the_palette_lists_and_runs_the_current_screens_actions(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        commands = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: commands.option_count > 0, what="palette commands")
        ordered = [str(commands.get_option_at_index(i).prompt).split("\n")[0]
                   for i in range(commands.option_count)]
        titles = set(ordered)
        ours = [t for t in ordered if t.startswith("Sessions: ")]
        # the screen's own actions before the table's cursor keys
        assert ours.index("Sessions: New") < min(
            (ours.index(t) for t in ours if "Cursor" in t or "Page" in t or "Scroll" in t),
            default=len(ours))
        assert {"Sessions: New", "Sessions: Close", "Sessions: Close marked",
                "Sessions: Pause", "Sessions: Refresh", "Sessions: Status"} <= titles
        await fill(pilot, app.screen.query_one(Input), "sessions: new")
        await wait_for(pilot, lambda: commands.option_count > 0
                       and "New" in str(commands.get_option_at_index(0).prompt),
                       what="the search hit")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NewSessionScreen),
                       what="the palette to run the action")


async def test_status_line_shows_endpoint_masked_key_and_counts(tmp_path):
    sim = start_simulator(api_key="sk-live-0123456789abcdef")
    try:
        app = make_app(sim, tmp_path)
        async with running(app) as (pilot, _):
            screen = await wait_loaded(pilot)
            status = screen.status.build().plain
            assert f"127.0.0.1:{sim.port}" in status
            assert "cdef" in status and "0123456789" not in status
            assert f"{screen.table.row_count} sessions" in status
            assert "refreshed just now, every 60s" in status
    finally:
        sim.stop()


async def test_first_run_asks_for_a_key_refuses_a_wrong_one_and_saves_the_right_one(
        shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, credentials=False)
    config_file = tmp_path / "config.toml"
    async with running(app) as (pilot, messages):
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen), what="first run")
        first_run = app.screen
        key = first_run.query_one("#api-key", Input)
        assert key.password  # masked input
        await fill(pilot, key, "wrong-key")
        await pilot.press("enter")
        checked = await wait_message(pilot, messages, CredentialsChecked, after=0)
        assert checked.error.startswith("Not accepted")
        assert "Not accepted" in str(first_run.query_one("#first-run-error").render())
        assert app.screen is first_run and not config_file.exists()

        await fill(pilot, key, shared_sim.cfg.api_key)
        await pilot.press("enter")
        await wait_message(pilot, messages, CredentialsChecked, after=1)
        screen = await wait_loaded(pilot)
        assert isinstance(screen, SessionsScreen) and screen.table.row_count > 0
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert load_config(config_file).api_key == shared_sim.cfg.api_key


async def test_first_run_takes_a_key_typed_at_once(shared_sim, tmp_path):
    """The dialog asks for a key: typed straight away (no tab first), it went to the
    radio buttons and was lost without a sign (tester 8, F8)."""
    app = make_app(shared_sim, tmp_path, credentials=False)
    async with running(app) as (pilot, messages):
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen), what="first run")
        await pilot.press(*shared_sim.cfg.api_key, "enter")
        await wait_message(pilot, messages, CredentialsChecked, after=0)
        screen = await wait_loaded(pilot)
        assert isinstance(screen, SessionsScreen)
    assert load_config(tmp_path / "config.toml").api_key == shared_sim.cfg.api_key


async def test_first_run_holds_the_typed_key_masked_while_checking_it(
        shared_sim, tmp_path, monkeypatch):
    import traceback

    from akool_tui.api.client import AkoolClient

    typed = "sk-typed-0123456789abcdef"

    async def bug(self, **kwargs):
        raise RuntimeError("a bug while checking")

    monkeypatch.setattr(AkoolClient, "list_sessions", bug)
    app = make_app(shared_sim, tmp_path, credentials=False)
    async with running(app) as (pilot, _):
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen), what="first run")
        await fill(pilot, app.screen.query_one("#api-key", Input), typed)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.unexpected_errors, what="the bug reported")
        (error,) = app.unexpected_errors
        shown = "".join(traceback.TracebackException.from_exception(
            error, capture_locals=True).format())
        assert "a bug while checking" in shown and "<hidden " in shown
        assert typed not in shown and "0123456789" not in shown
        assert isinstance(app.screen, FirstRunScreen)  # still asking


async def test_first_run_with_client_credentials(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, credentials=False)
    async with running(app) as (pilot, messages):
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen), what="first run")
        first_run = app.screen
        await pilot.click("#kind-client")
        assert not first_run.query_one("#api-key").display
        await fill(pilot, first_run.query_one("#client-id", Input), shared_sim.cfg.client_id)
        await pilot.press("enter")  # half filled: said so, nothing checked
        assert "both clientId and clientSecret" in str(
            first_run.query_one("#first-run-error").render())
        await fill(pilot, first_run.query_one("#client-secret", Input),
                   shared_sim.cfg.client_secret)
        await pilot.press("enter")
        await wait_message(pilot, messages, CredentialsChecked, after=0)
        await wait_loaded(pilot)
    saved = load_config(tmp_path / "config.toml")
    assert (saved.client_id, saved.client_secret) == (shared_sim.cfg.client_id,
                                                      shared_sim.cfg.client_secret)
    assert saved.auth_mode == "client credentials"


async def test_messages_with_brackets_are_shown_as_text_not_markup(shared_sim, tmp_path,
                                                                  isolated_home: Path):
    themes = isolated_home / "akool-tui" / "themes"
    themes.mkdir(parents=True)
    (themes / "[b]roken.toml").write_text("[variables\n")  # a bad file with a bad name
    # any string is a valid config value
    app = make_app(shared_sim, tmp_path, ui=UiConfig(theme="[/night]"))
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        await pilot.pause(0.3)  # the toasts render
        assert app.is_running and app.theme == "akool-dark"
        warnings = messages.notes("warning")
        assert any("Unknown theme '[/night]'" in w for w in warnings)
        assert any("[b]roken.toml" in w and "Expected ']'" in w for w in warnings)
        # a server error with brackets in the create dialog stays text as well
        app.config.defaults.avatar_id = "[/nobody]"
        await pilot.press("n")
        modal = app.screen
        await wait_workers(pilot, "avatars")  # the picker has loaded the real avatars
        modal.query_one("#avatar").set_options([(Text("[/nobody]"), "[/nobody]")])
        await pilot.press("ctrl+s")
        form_error = modal.query_one("#form-error")
        await wait_for(pilot, lambda: "Not created" in str(form_error.render()),
                       what="the server's refusal")
        assert "[/nobody]" in str(form_error.render())
        await pilot.pause(0.1)
        assert app.is_running and app.screen is modal
        await pilot.press("escape")
        assert app.screen is screen


async def test_ctrl_c_says_how_to_quit_in_plain_text(shared_sim, tmp_path):
    """Textual's hint is markup, which the app's notices show as typed:
    "Press [b]ctrl+q[/b] to quit the app" (tester 8, F10)."""
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        await pilot.press("ctrl+c")
        (note,) = messages.notes("information")
        assert note.startswith("Press ") and note.endswith(" to quit akool-tui.")
        assert "[" not in note and app.is_running


def test_the_readmes_key_table_is_the_bindings() -> None:
    """The README's key table is generated from the bindings (python -m
    akool_tui.tui.keydoc --write): a key added, moved or renamed in the code without
    the README fails here."""
    from akool_tui.tui.keydoc import END, START, key_table

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    shown = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert shown == key_table()


def test_an_unknown_keymap_id_stops_the_console_with_a_did_you_mean(tmp_path, capsys,
                                                                    monkeypatch) -> None:
    """`[keymap] "sesions.new" = "ctrl+n"` was accepted silently (the key did nothing):
    the console does not start; the CLI says which id and what was meant (exit 2)."""
    import sys

    from akool_tui.cli import main
    from akool_tui.launch import start_console

    path = tmp_path / "config.toml"
    path.write_text('api_key = "k-0123456789"\n[keymap]\n"sesions.new" = "ctrl+n"\n')
    started = []
    monkeypatch.setattr("akool_tui.tui.app.run_app", lambda *a, **k: started.append(a) or 0)
    for stream in (sys.stdin, sys.stdout):  # as on a terminal: the console would start
        monkeypatch.setattr(stream, "isatty", lambda: True, raising=False)
    assert main(["--config", str(path)], console=start_console) == 2
    err = capsys.readouterr().err
    assert "unknown binding id 'sesions.new'" in err and "did you mean 'sessions.new'" in err
    assert not started


@pytest.mark.parametrize("keys, said", [
    ("not a key!!", "line 3, key 'keymap.sessions.close': expected keys such as"),
    ("ctrl+x,flurb", "'flurb' is no key this terminal console knows"),
])
def test_a_keymap_value_that_is_no_key_stops_the_console(tmp_path, capsys, monkeypatch,
                                                         keys, said):
    """`"sessions.close" = "not a key!!"` was taken: shown in the key bar and `?`, and
    the session could no longer be closed by a key (tester 8, F12)."""
    import sys

    from akool_tui.cli import main
    from akool_tui.launch import start_console

    path = tmp_path / "config.toml"
    path.write_text(f'api_key = "k-0123456789"\n[keymap]\n"sessions.close" = "{keys}"\n')
    started = []
    monkeypatch.setattr("akool_tui.tui.app.run_app", lambda *a, **k: started.append(a) or 0)
    for stream in (sys.stdin, sys.stdout):  # as on a terminal: the console would start
        monkeypatch.setattr(stream, "isatty", lambda: True, raising=False)
    assert main(["--config", str(path)], console=start_console) == 2
    assert said in capsys.readouterr().err
    assert not started


def test_keymap_values_textual_knows_pass():
    from akool_tui.tui.keydoc import check_keymap

    assert check_keymap({"sessions.close": "ctrl+x, question_mark,plus_sign,X,f5,pagedown"}) \
        is None


async def test_leaving_the_first_run_screen_ends_like_the_cli_without_credentials(
        shared_sim, tmp_path):
    """esc on the no-credentials screen: the same line and exit code (2) as the CLI gives
    for the same situation, not a message of its own with exit 1."""
    from akool_tui.config import NO_CREDENTIALS

    app = make_app(shared_sim, tmp_path, credentials=False)
    async with running(app) as (pilot, _):
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen), what="first run")
        await pilot.press("escape")
        said = "".join(str(r) for r in app._exit_renderables)  # printed as the app ends
    assert app.return_code == 2
    assert said == "akool-tui: " + NO_CREDENTIALS.format(path=tmp_path / "config.toml")


async def test_a_rebinding_that_takes_an_app_key_is_warned_about(shared_sim, tmp_path):
    """``"sessions.new" = "q"`` made q open New session instead of quitting, without a
    word (tester 8, F12): the console says which app key it hides, and where."""
    app = make_app(shared_sim, tmp_path, keymap={"sessions.new": "q",
                                                 "sessions.close": "question_mark"})
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        said = [n.message for n in app._notifications]
        assert any("sessions.new = 'q' takes that key from app.quit (Leave akool-tui)"
                   in m for m in said), said
        assert any("sessions.close = 'question_mark' takes that key from app.help" in m
                   for m in said), said
        await pilot.press("q")  # as the keymap says, and as the warning said
        assert isinstance(app.screen, NewSessionScreen)


async def test_a_rebinding_to_a_free_key_is_not_warned_about(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, keymap={"sessions.new": "ctrl+n"})
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        assert not any("[keymap]" in n.message for n in app._notifications)
