"""Issue 9, part 1: nothing from outside reaches the terminal as a control sequence.

Against the hostile server (``tests/hostile_server.py``: every string it sends carries
OSC 52 clipboard writes, an OSC 0 window title, a clear screen, a C1 CSI, bidi
overrides and isolates, zero-width characters, NUL / DEL / BS and Rich markup that
crashes when parsed):

- the console is walked through every screen, pane, dialog and notification, with
  what it WRITES TO THE TERMINAL captured (a driver that renders like a real one and
  keeps the bytes): once the renderer's own sequences are taken out (CSI, and
  Textual's OSC 22 pointer shape), no ESC, C1, BEL, NUL, DEL, BS, bidi or invisible
  character is left, and no poisoned sequence was ever written;
- every CLI command, human and ``--json``, in-process: stdout and stderr hold none of
  them either, and ``--json`` parses back to exactly the poisoned data;
- the error path (poisoned ``msg``) in notifications, dialogs and the CLI's stderr;
- a 1 MB name with the detail pane open costs a keypress what a short one does;
- a negative duration shows as invalid, not "-10m00s".
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets import Input, Select

from akool_tui.cli import main as cli_main
from akool_tui.config import Config
from akool_tui.core.text import CELL, FIELD, MARK, safe
from akool_tui.tui.app import AkoolApp
from akool_tui.tui.screens import avatars as avatars_screen
from akool_tui.tui.screens.avatars import AvatarsScreen, UploadProgress
from akool_tui.tui.screens.base import RefreshFailed
from akool_tui.tui.screens.chat import ChatScreen, SessionsLoaded
from akool_tui.tui.screens.common import ConfirmScreen, DetailPane, FilterBar
from akool_tui.tui.screens.new_session import AvatarsLoaded, CreateFinished, NewSessionScreen
from akool_tui.tui.screens.sessions import SessionsClosed, SessionsScreen
from akool_tui.tui.screens.settings import CatalogLoaded, SettingsScreen
from akool_tui.tui.screens.upload import UploadFinished, UploadScreen
from hostile_server import FORBIDDEN, POISON, HostileServer, run_hostile
from tui_helpers import (  # noqa: F401 - fixtures
    Messages,
    isolated_home,
    screen_text,
    wait_for,
    wait_loaded,
    wait_message,
)

SIZE = (120, 34)
API_KEY = "hostile-api-key-0123456789"
#: what the renderer itself writes: CSI sequences (cursor moves, SGR colours, modes,
#: synchronized output) and Textual's pointer shape (kitty's OSC 22, ended by BEL)
RENDERER = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\]22;[a-z-]*\x07")
#: sequences of the payload that must never be written, whatever else is stripped
POISONED_SEQUENCES = ("\x1b]52;", "\x1b]0;", "\x9b", "\x1b[2J")
#: the poisoned text as the app must show it (visible, inert)
SHOWN = safe(POISON)


def leaks(written: str, *, newlines: bool = True) -> list[str]:
    """Every character of ``written`` (renderer sequences removed) a terminal must not
    get from outside text: the hostile FORBIDDEN set, every other control (newline
    aside) and format character, surrogates and unassigned code points."""
    rest = RENDERER.sub("", written)
    bad = {c for c in set(rest) if c in FORBIDDEN or (
        unicodedata.category(c) in ("Cc", "Cf", "Cs", "Cn") and not (newlines and c == "\n"))}
    found = [f"U+{ord(c):04X}" for c in sorted(bad)]
    found += [f"sequence {s!r}" for s in POISONED_SEQUENCES if s in written]
    return found


# -- the console ---------------------------------------------------------------------------


class TerminalCapture(HeadlessDriver):
    """Renders like a terminal driver (Textual's headless driver skips output) and keeps
    every string the app writes, in ``app.terminal_writes``."""

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        self._app.terminal_writes.append(data)  # type: ignore[attr-defined]


def hostile_app(server: HostileServer, tmp_path: Path) -> AkoolApp:
    cfg = Config(base_url=server.base_url, api_key=API_KEY, refresh_interval=60.0,
                 path=tmp_path / "config.toml")
    app = AkoolApp(cfg, watch_tty=False)
    app.driver_class = TerminalCapture
    app.terminal_writes = []  # type: ignore[attr-defined]
    return app


class Walk:
    """Checks what was written to the terminal since the last step."""

    def __init__(self, app: AkoolApp, pilot) -> None:
        self.app, self.pilot = app, pilot
        self.steps: list[tuple[str, int]] = []

    async def check(self, step: str) -> str:
        """Assert on what was written since the last step (notifications included, then
        cleared: they would cover what the next steps look at)."""
        await self.pilot.pause()
        writes = self.app.terminal_writes  # type: ignore[attr-defined]
        written = "".join(writes)
        writes.clear()
        assert not leaks(written), f"{step}: written to the terminal: {leaks(written)}"
        assert self.app.is_running, f"{step}: the app stopped ({self.app._exception!r})"
        self.steps.append((step, len(written)))
        self.app.clear_notifications()
        return written

    def shown(self) -> str:
        return screen_text(self.app)


async def paste(pilot, text: str) -> None:
    """What a terminal sends for a bracketed paste, delivered to the focused widget."""
    await pilot.pause()  # a focus() just called is applied
    focused = pilot.app.focused
    assert focused is not None
    focused.post_message(events.Paste(text))
    await pilot.pause()


@pytest.fixture
def websocket_hostile() -> Iterator[HostileServer]:
    """The hostile server with websocket sessions (the chat connects to its channel)."""
    with run_hostile(stream_type="websocket") as server:
        yield server


async def test_console_walk_writes_no_control_sequence_and_never_crashes(
        websocket_hostile: HostileServer, tmp_path: Path, monkeypatch) -> None:
    server, hostile = websocket_hostile, websocket_hostile.hostile
    monkeypatch.setattr(avatars_screen, "UPLOAD_POLL_SECONDS", 0.05)
    app = hostile_app(server, tmp_path)
    messages = Messages()
    async with app.run_test(size=SIZE, notifications=True, headless=False,
                            message_hook=messages) as pilot:
        walk = Walk(app, pilot)

        # 1 sessions: the table (ids, avatars), the status line
        screen = await wait_loaded(pilot)
        assert isinstance(screen, SessionsScreen)
        first = await walk.check("sessions table")
        assert "se01[/x]" in walk.shown()  # the ids' tails, markup shown as text
        assert first, "nothing was captured: the driver does not render"

        # the detail pane: every field, credentials' extra keys and values
        await pilot.press("enter")
        pane = screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.display, "detail pane")
        await walk.check("session detail pane")
        assert "TITLE" in walk.shown() and MARK in walk.shown()  # poisoned text, inert

        # the filter bar: a pasted payload is shown back (bar, status line, empty table)
        await pilot.press("slash")
        bar = screen.query_one(FilterBar)
        await paste(pilot, POISON)
        await wait_for(pilot, lambda: bar.value, "pasted filter")
        assert bar.value == safe(POISON, limit=FIELD)
        await walk.check("filter bar with a pasted payload")
        assert "No rows match" in walk.shown()
        await pilot.press("escape")
        await walk.check("filter cleared")

        # new session (n): the dialog lists poisoned avatars (their ids are refused)
        await pilot.press("n")
        await wait_message(pilot, messages, AvatarsLoaded, after=0)
        assert isinstance(app.screen, NewSessionScreen)
        await walk.check("new-session dialog")
        await pilot.press("ctrl+s")
        await walk.check("new-session dialog: a poisoned avatar id refused")
        assert "Fix: Avatar" in walk.shown()
        await pilot.press("escape")
        # ... with clean avatars it creates: the server's answer (the id) is poisoned
        hostile.poison = ""
        await pilot.press("n")
        await wait_message(pilot, messages, AvatarsLoaded, after=1)
        hostile.poison = POISON
        await pilot.press("ctrl+s")
        created = await wait_message(pilot, messages, CreateFinished, after=0)
        assert created.session is not None and created.session.id.startswith("se99x\x1b")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen), "dialog closed")
        await walk.check("session created: notification")
        assert any("created" in note for note in messages.notes())

        # ... and its error: a poisoned server msg in the dialog's error label
        hostile.body = "error"
        await pilot.press("n")
        await wait_message(pilot, messages, AvatarsLoaded, after=2)
        await walk.check("new-session dialog, avatars not listed")
        await pilot.press("ctrl+s")
        await wait_message(pilot, messages, CreateFinished, after=1)
        await walk.check("new-session dialog: create refused")
        assert "Not created" in walk.shown()
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen), "dialog closed")
        hostile.body = "ok"

        # close (c + confirm) an open session: the question quotes its id and avatar id
        open_id = next(k for k, s in screen.tracker.sessions.items()
                       if s.is_open and k.startswith("se01"))
        screen.table.move_cursor_to_key(open_id)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirm")
        await walk.check("close: confirm question")
        await pilot.press("y")
        await wait_message(pilot, messages, SessionsClosed, after=0)
        await walk.check("closed: notification")

        # close refused: the failure notification quotes the id and the poisoned msg
        hostile.body = "error"
        screen.table.move_cursor_to_key(open_id)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirm")
        await pilot.press("y")
        closed = await wait_message(pilot, messages, SessionsClosed, after=1)
        assert closed.failures
        await walk.check("close refused: error notification")
        assert any(note.startswith("Could not close") and "TITLE" in note
                   for note in messages.notes("error"))

        # a refresh that fails: notification and the status line's error count
        before = messages.count(RefreshFailed)
        await pilot.press("ctrl+r")
        await wait_message(pilot, messages, RefreshFailed, after=before)
        await walk.check("refresh failed: notification and status line")
        assert any(n.startswith("Refresh failed") for n in messages.notes("error"))
        hostile.body = "ok"

        # a closed session under the cursor: "already closed" quotes its id
        closed_id = next(k for k, s in screen.tracker.sessions.items() if not s.is_open)
        screen.table.move_cursor_to_key(closed_id)
        await pilot.press("c")
        await walk.check("already closed: warning")
        assert any("already" in n for n in messages.notes("warning"))

        # 2 avatars: table, detail pane, upload dialog, its notifications
        await pilot.press("2")
        avatars = await wait_loaded(pilot)
        assert isinstance(avatars, AvatarsScreen)
        await walk.check("avatars table")
        await pilot.press("enter")
        await wait_for(pilot, lambda: avatars.query_one(DetailPane).display, "avatar detail")
        await walk.check("avatar detail pane")
        assert re.search(r"Name +Avatar", walk.shown())  # the poisoned name, made safe
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UploadScreen), "upload dialog")
        upload = app.screen
        upload.query_one("#url", Input).value = "https://example.invalid/a.mp4"
        upload.query_one("#avatar_id", Input).value = "myavatar01"
        upload.query_one("#name", Input).focus()
        await paste(pilot, POISON)
        assert upload.query_one("#name", Input).value == safe(POISON, limit=FIELD)
        await walk.check("upload dialog with a pasted name")
        hostile.body = "error"
        await pilot.press("ctrl+s")
        await wait_message(pilot, messages, UploadFinished, after=0)
        await walk.check("upload refused: error label")
        assert "Not uploaded" in walk.shown()
        hostile.body = "ok"
        await pilot.press("ctrl+s")
        await wait_message(pilot, messages, UploadFinished, after=1)
        await wait_message(pilot, messages, UploadProgress, after=0)
        await walk.check("uploaded: notifications (uploading, ready)")
        notes = messages.notes()
        assert any(n.startswith("Uploading avatar90") for n in notes)
        assert any(n.startswith("Avatar avatar90") and n.endswith("is ready") for n in notes)

        # 3 chat: the picker (session labels), the header, bot text, a pasted line
        await pilot.press("3")
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        await wait_message(pilot, messages, SessionsLoaded, after=0)
        await walk.check("chat screen")
        await pilot.press("ctrl+o")
        select = chat.query_one(Select)
        await wait_for(pilot, lambda: select.expanded, "picker open")
        await walk.check("chat picker open")
        await pilot.press("escape")
        select.value = next(k for k in chat._sessions if k.startswith("se01"))
        await wait_for(pilot, lambda: chat.conversation.connected, "connected")
        await walk.check("chat connected: header")
        assert "se01" in walk.shown()  # the picked session's label
        chat.chat_input.focus()
        await paste(pilot, POISON)
        assert chat.chat_input.value == safe(POISON, limit=FIELD)
        await walk.check("chat input with a pasted payload")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(e.role == "bot" and "operator" in e.text
                                          and not e.status for e in chat.transcript.entries),
                       "the bot's poisoned reply")
        await walk.check("chat transcript: the bot's reply")
        bot = next(e for e in chat.transcript.entries if e.role == "bot" and not e.status)
        assert bot.text.startswith("Hello x" + MARK + "]52;") and "operator" in bot.text
        assert not leaks(bot.text)
        assert "Hello x" + MARK + "]52;" in walk.shown()

        # 4 settings: voice list, languages, the chosen voice
        await pilot.press("escape")  # leave the input: the screen keys work again
        await pilot.press("4")
        settings = app.screen
        assert isinstance(settings, SettingsScreen)
        await wait_message(pilot, messages, CatalogLoaded, after=0)
        await walk.check("settings: voices and languages")
        assert "Voice 0" in walk.shown()
        await pilot.press("ctrl+f")
        await paste(pilot, POISON)
        await walk.check("settings: a pasted voice search")
        hostile.body = "error"
        await pilot.press("ctrl+r")
        await wait_message(pilot, messages, CatalogLoaded, after=1)
        await walk.check("settings: catalog refused")
        assert "Could not load voices" in walk.shown()
        hostile.body = "ok"

        # help (?) and the palette (ctrl+p)
        await pilot.press("escape", "question_mark")
        await walk.check("help")
        await pilot.press("escape", "ctrl+p")
        await walk.check("palette")
        await pilot.press("escape")
        await walk.check("palette closed")

        assert app.is_running and app._exception is None
        assert all(size for _, size in walk.steps[:3]), walk.steps


async def test_markup_in_ids_never_crashes_notifications(tmp_path: Path) -> None:
    """``se01[/x]`` in an id crashed the app with MarkupError from notify (after close,
    create and upload): every notification is plain text now, markup=True or not."""
    with run_hostile() as server:
        app = hostile_app(server, tmp_path)
        async with app.run_test(size=SIZE, notifications=True, headless=False) as pilot:
            await wait_loaded(pilot)
            app.notify("Session se01[/x] created", markup=True)
            app.screen.notify(f"Avatar {POISON} is ready", title=POISON)
            await pilot.pause()
            await wait_for(pilot, lambda: "se01[/x] created" in screen_text(app), "toast")
            written = "".join(app.terminal_writes)
            assert not leaks(written)
            assert app.is_running and app._exception is None


# -- very long values ------------------------------------------------------------------------


async def _keypress_seconds(server: HostileServer, tmp_path: Path,
                            presses: int = 6) -> tuple[float, str]:
    """Seconds per cursor move on the avatars screen with the detail pane open, and what
    was written to the terminal."""
    app = hostile_app(server, tmp_path)
    async with app.run_test(size=SIZE, headless=False) as pilot:
        await pilot.press("2")
        screen = await wait_loaded(pilot, timeout=30)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.query_one(DetailPane).display, "detail pane")
        await pilot.pause()
        start = time.perf_counter()
        for i in range(presses):
            await pilot.press("down" if i % 2 == 0 else "up")
            await pilot.pause()
        elapsed = (time.perf_counter() - start) / presses
        return elapsed, "".join(app.terminal_writes)


async def test_a_1mb_name_costs_a_keypress_what_a_short_one_does(tmp_path: Path) -> None:
    """A 1 MB avatar name took 3 s per keypress with the detail pane open: it is cut
    before layout now (the pane shows FIELD characters, a table cell CELL)."""
    with run_hostile(body="huge_strings") as server:
        huge, written = await _keypress_seconds(server, tmp_path)
    with run_hostile() as server:
        short, _ = await _keypress_seconds(server, tmp_path)
    print(f"\nkeypress with the detail pane open: 1 MB names {huge * 1000:.0f} ms, "
          f"short names {short * 1000:.0f} ms")
    assert huge < max(0.5, 4 * short), (huge, short)
    assert not leaks(written)


# -- the CLI ---------------------------------------------------------------------------------


POISONED_ID = "se01" + POISON

COMMANDS: list[list[str]] = [
    ["sessions", "list"],
    ["sessions", "show", POISONED_ID],
    ["sessions", "create", "--avatar", "dvp_Tristan_cloth2_1080P"],
    ["sessions", "close", POISONED_ID],
    ["avatars", "list"],
    ["avatars", "upload", "--url", "https://example.invalid/a.mp4", "--avatar-id", "abc1",
     "--name", "x", "--wait"],
    ["voices", "list"],
    ["languages", "list"],
    ["config", "show"],
]


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = cli_main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def cli_env(monkeypatch, tmp_path: Path) -> Path:
    """Credentials in the environment; a hand-written config whose defaults are poisoned
    (``config show`` prints them back)."""
    import tomli_w

    monkeypatch.setenv("AKOOL_API_KEY", API_KEY)
    path = tmp_path / "config.toml"
    path.write_text(tomli_w.dumps({"defaults": {"voice_id": POISON}}), encoding="utf-8")
    monkeypatch.setenv("AKOOL_TUI_CONFIG", str(path))
    return path


def _ids(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k in ("id", "avatar_id", "voice_id",
                                                       "lang_code")] + [
            x for v in value.values() for x in _ids(v)]
    if isinstance(value, list):
        return [x for v in value for x in _ids(v)]
    return []


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_cli_human_output_holds_no_control_sequence(args, hostile, cli_env, capsys) -> None:
    code, out, err = run_cli([*args, "--base-url", hostile.base_url], capsys)
    assert code == 0, err
    assert out and not leaks(out), leaks(out)
    assert not leaks(err, newlines=True), leaks(err)
    if args[0] != "config":
        assert "se01[/x]" in out or "[/x]" in out  # the poisoned text, shown inert
        assert MARK in out


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_cli_json_is_exact_data_with_every_control_escaped(args, hostile, cli_env,
                                                           capsys) -> None:
    code, out, err = run_cli([*args, "--json", "--base-url", hostile.base_url], capsys)
    assert code == 0, err
    assert not leaks(out), leaks(out)  # no raw control, C1 (U+009B), bidi or zero-width
    assert not leaks(err)
    data = json.loads(out)
    if args[0] == "config":
        assert data["config"]["defaults"]["voice_id"] == POISON  # exact data
        return
    # exact data: the poisoned ids come back whole, escapes, C1 and markup included
    ids = _ids(data)
    assert ids and all(POISON in i for i in ids), ids[:3]
    assert "\\u009b" in out and "\\u202e" in out and "\\u001b]52;" in out


@pytest.mark.parametrize("args", [a for a in COMMANDS if a[0] != "config"],
                         ids=lambda a: " ".join(a[:2]))
@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["human", "json"])
def test_cli_error_line_quotes_the_poisoned_msg_safely(args, json_flag, hostile, cli_env,
                                                       capsys) -> None:
    hostile.hostile.body = "error"
    code, out, err = run_cli([*args, *json_flag, "--base-url", hostile.base_url], capsys)
    assert code == 1
    assert err.startswith("akool-tui: ") and err.endswith("\n")
    assert err.count("\n") == len([line for line in err.splitlines() if line])  # whole lines
    assert not leaks(err, newlines=True) and not leaks(out)
    assert "refused" in err and "TITLE" in err  # the server's msg, inert


def test_cli_stderr_line_is_one_bounded_line() -> None:
    """``_fail`` (every failure) and ``Context.note`` print one safe line."""
    from akool_tui.cli.main import _fail

    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        _fail("boom\n" + POISON * 100_000, 1)
    line = err.getvalue()
    assert line.count("\n") == 1 and not leaks(line, newlines=True)
    assert len(line) < 1200


# -- negative durations ----------------------------------------------------------------------


def test_a_negative_duration_shows_as_invalid_everywhere() -> None:
    from datetime import UTC, datetime

    from akool_tui.api.models import Session
    from akool_tui.cli.output import record_details, records_table
    from akool_tui.core.fields import SESSION_FIELDS
    from akool_tui.tui.screens.sessions import COLUMNS, session_row

    now = datetime.now(UTC)
    session = Session.from_api({"_id": "se1", "status": 2, "duration": -600,
                                "create_time": int(now.timestamp() * 1000)})
    columns, row = {c.key: c for c in COLUMNS}, session_row(session)
    assert columns["duration"].format(row["duration"]) == "invalid"
    assert columns["duration"].format(600) == "10m"
    assert columns["left"].value(row, now) == "—"  # no known end: not "0:00 !"
    table = records_table(SESSION_FIELDS, [session], now)
    assert "-10m" not in table and "invalid" in table
    details = record_details(SESSION_FIELDS, session, now)
    assert "Duration: invalid" in details and "Expires" not in details


async def test_a_negative_duration_in_the_detail_pane(tmp_path: Path) -> None:
    with run_hostile() as server:
        app = hostile_app(server, tmp_path)
        async with app.run_test(size=SIZE, headless=False) as pilot:
            screen = await wait_loaded(pilot)
            from akool_tui.api.models import Session
            from akool_tui.tui.screens.sessions import session_row

            session = Session.from_api({"_id": "neg1", "status": 2, "duration": -600,
                                        "create_time": int(app.now().timestamp() * 1000)})
            screen.tracker.remember(session)
            screen.table.update_row(session.id, session_row(session))
            screen.table.move_cursor_to_key(session.id)
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.query_one(DetailPane).display, "detail")
            await pilot.pause()
            text = screen_text(app)
            assert re.search(r"Duration\s+invalid", text) and "-10m" not in text
            assert "Expires" not in text  # no known end


# -- the transcript --------------------------------------------------------------------------


async def test_transcript_text_is_sanitised_and_bounded_while_it_streams() -> None:
    """Bot text streams into the transcript part by part: every part is sanitised (bidi
    and zero-width characters too, which it used to let through) and an entry stops at
    CHAT characters however much more arrives."""
    from textual.app import App, ComposeResult

    from akool_tui.core.text import CHAT, ELLIPSIS
    from akool_tui.tui.widgets.transcript import Transcript

    class TranscriptApp(App):
        def compose(self) -> ComposeResult:
            yield Transcript()

    app = TranscriptApp()
    async with app.run_test(size=(60, 12)) as pilot:
        tr = app.query_one(Transcript)
        tr.add("bot", "a\u202eb\u200bc", key="in:1", status="streaming")
        assert tr.get("in:1").text == f"a{MARK}bc"
        reply = "a\u202eb\u200bc"
        for part in ["\x1b]52;c;x\x07 ", "y" * (CHAT // 2), POISON, "z" * CHAT, "tail"]:
            reply += part
            tr.update("in:1", reply, status="streaming")
        tr.update("in:1", reply, status="", note=POISON)
        entry = tr.get("in:1")
        assert len(entry.text) == CHAT and entry.text.endswith(ELLIPSIS)
        assert entry.text.startswith(f"a{MARK}bc{MARK}]52;c;x{MARK} yyy")
        assert not leaks(entry.text) and not leaks(entry.note)
        tr.flush()
        await pilot.pause()
        assert not leaks("\n".join(tr.lines_text()[:50]))
