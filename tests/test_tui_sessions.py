"""Sessions screen flows, driven with Pilot against the real simulator over loopback."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import pytest

from akool_tui.api.models import SessionStatus
from akool_tui.simulator import RunningSimulator
from akool_tui.simulator.state import CLOSED, LIVE, QUEUEING
from akool_tui.tui.screens.base import Refreshed, RefreshFailed
from akool_tui.tui.screens.common import ConfirmScreen, DetailPane, FilterBar
from akool_tui.tui.screens.new_session import AvatarsLoaded, NewSessionScreen
from akool_tui.core.ids import short_id
from akool_tui.tui.screens.sessions import SessionsClosed
from tui_helpers import (  # noqa: F401 - fixtures
    api_create,
    isolated_home,
    make_app,
    refresh_now,
    running,
    screen_text,
    shared_sim,
    start_simulator,
    table_keys,
    type_text,
    wait_for,
    wait_loaded,
    wait_message,
)


def server_status(sim: RunningSimulator, session_id: str) -> int | None:
    return sim.state.session_status(session_id)


async def open_modal(pilot, messages) -> NewSessionScreen:
    before = messages.count(AvatarsLoaded)
    await pilot.press("n")
    await wait_message(pilot, messages, AvatarsLoaded, after=before)
    assert isinstance(pilot.app.screen, NewSessionScreen)
    return pilot.app.screen


async def test_create_session_validates_duration_inline_then_adds_the_row(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        modal = await open_modal(pilot, messages)
        duration = modal.query_one("#duration")
        error = modal.query_one("#duration-error")
        form_error = modal.query_one("#form-error")
        assert duration.has_focus and not error.display
        known = set(shared_sim.state.sessions)

        await pilot.press("backspace", "backspace", "backspace", "0")
        assert duration.value == "0"
        assert error.display and "from 1 to 3600" in str(error.render())
        assert not duration.is_valid and duration.has_class("-invalid")  # Textual's own state
        await pilot.press("ctrl+s")
        assert "Duration" in str(form_error.render())  # the label on screen
        await pilot.press("backspace")
        # what the field refuses stays as typed and is refused with a message ("60.5"
        # used to become "605": ten times the credits held)
        await type_text(pilot, "60.5")
        assert duration.value == "60.5" and "from 1 to 3600" in str(error.render())
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.screen is modal and set(shared_sim.state.sessions) == known, "sent anyway"
        assert "Duration" in str(form_error.render())

        await pilot.press(*["backspace"] * 4)
        await type_text(pilot, "120")
        assert not error.display and duration.is_valid
        assert not form_error.display  # the stale "Fix: duration ..." went with the problem
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="the modal to close")
        new = set(shared_sim.state.sessions) - known
        assert len(new) == 1
        (session_id,) = new
        assert shared_sim.state.sessions[session_id].duration == 120
        assert screen.table.get_row(session_id) is not None
        assert screen.table.cursor_key == session_id
        assert any(short_id(session_id) in note for note in messages.notes())


async def test_close_asks_first_n_keeps_it_y_closes_it(shared_sim, tmp_path):
    (session_id,) = await api_create(shared_sim)
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        assert screen.table.move_cursor_to_key(session_id)

        await pilot.press("c")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.screen is screen
        await pilot.pause(0.2)
        assert server_status(shared_sim, session_id) in (QUEUEING, LIVE)

        await pilot.press("c")
        assert isinstance(app.screen, ConfirmScreen)
        before = messages.count(Refreshed)
        await pilot.press("y")
        closed = await wait_message(pilot, messages, SessionsClosed, after=0)
        assert closed.closed == [session_id] and not closed.failures
        assert server_status(shared_sim, session_id) == CLOSED
        await wait_message(pilot, messages, Refreshed, after=before)
        assert screen.table.get_row(session_id)["status"] == "closed"
        assert screen.table.cursor_key == session_id

        await pilot.press("c")  # closing a closed session is refused without asking
        assert app.screen is screen
        assert any("already closed" in note for note in messages.notes("warning"))


async def test_space_marks_three_rows_and_shift_c_closes_them_all(shared_sim, tmp_path):
    ids = await api_create(shared_sim, 3)
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        for session_id in ids:
            assert screen.table.move_cursor_to_key(session_id)
            await pilot.press("space")
        assert screen.table.marked_keys == frozenset(ids)
        assert "3 marked" in screen.status.build().plain

        await pilot.press("C")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Close 3 marked sessions?" in str(app.screen.query_one("#confirm-question").render())
        before = messages.count(Refreshed)
        await pilot.press("y")
        closed = await wait_message(pilot, messages, SessionsClosed, after=0)
        assert sorted(closed.closed) == sorted(ids)
        await wait_message(pilot, messages, Refreshed, after=before)
        assert all(server_status(shared_sim, i) == CLOSED for i in ids)
        assert all(screen.table.get_row(i)["status"] == "closed" for i in ids)
        assert not screen.table.marked_keys and "marked" not in screen.status.build().plain


async def test_a_session_closed_behind_the_apps_back_counts_as_closed_and_says_so(
        shared_sim, tmp_path):
    ids = await api_create(shared_sim, 2)
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        for session_id in ids:
            assert screen.table.move_cursor_to_key(session_id)
            await pilot.press("space")
        shared_sim.state.close_session(ids[0])  # someone else closes one first
        await pilot.press("C", "y")
        closed = await wait_message(pilot, messages, SessionsClosed, after=0)
        assert sorted(closed.closed) == sorted(ids) and closed.already == [ids[0]]
        assert not closed.failures and not messages.notes("error")
        assert "Closed 2 sessions (1 already closed)" in messages.notes()


async def test_slash_filters_and_escape_clears(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await wait_loaded(pilot)
        table = screen.table
        everything = table.row_count
        target = table_keys(table)[5]

        await pilot.press("slash")
        bar = screen.query_one(FilterBar)
        assert bar.display and bar.has_focus
        await type_text(pilot, short_id(target))
        assert table_keys(table) == [target]
        assert f"filter '{short_id(target)}'" in screen.status.build().plain

        await pilot.press("enter")  # back to the table, the filter stays
        assert table.has_focus and table_keys(table) == [target]
        await pilot.press("escape")
        assert table.visible_row_count == everything and table.filter_text == ""
        assert not bar.display and bar.value == ""

        await pilot.press("slash")
        await type_text(pilot, "closed")  # status text
        closed = table_keys(table)
        assert 0 < len(closed) < everything
        assert all(table.get_row(k)["status"] == "closed" for k in closed)
        await pilot.press("escape")  # also straight from the filter bar
        assert table.visible_row_count == everything and table.has_focus


async def test_f_cycles_the_status_quick_filter(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await wait_loaded(pilot)
        table = screen.table
        everything = table.row_count
        statuses = {k: screen.tracker.sessions[k].status for k in table_keys(table)}
        for label, status in (("live", SessionStatus.PROCESSING),
                              ("queueing", SessionStatus.QUEUEING),
                              ("closed", SessionStatus.COMPLETED),
                              ("failed", SessionStatus.FAILED)):
            await pilot.press("f")
            shown = table_keys(table)
            assert sorted(shown) == sorted(k for k, s in statuses.items() if s is status), label
            assert f"showing {label}" in screen.status.build().plain
        await pilot.press("f")
        assert table.visible_row_count == everything
        assert "showing" not in screen.status.build().plain


async def test_sort_by_keys_and_by_header_click(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await wait_loaded(pilot)
        table = screen.table

        def column(key: str) -> list:
            return [table.get_row(k)[key] for k in table_keys(table)]

        created = column("created")
        assert table.sort_column == "created" and created == sorted(created, reverse=True)
        await pilot.press("s")  # the next column after "created"
        assert table.sort_column == "stream" and table.sort_reverse
        assert column("stream") == sorted(column("stream"), reverse=True)
        await pilot.press("S")
        assert not table.sort_reverse and column("stream") == sorted(column("stream"))

        avatar = next(i for i, c in enumerate(table.columns) if c.key == "avatar")
        await pilot.click(table, offset=(table._offsets[avatar] + 1, 0))
        assert table.sort_column == "avatar" and not table.sort_reverse
        avatars = [a.casefold() for a in column("avatar")]
        assert avatars == sorted(avatars)
        await pilot.click(table, offset=(table._offsets[avatar] + 1, 0))
        assert table.sort_reverse
        assert [a.casefold() for a in column("avatar")] == sorted(avatars, reverse=True)


async def test_p_pauses_the_refresh_and_resumes_it(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, interval=1.0)
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        await wait_message(pilot, messages, Refreshed, after=messages.count(Refreshed))
        await pilot.press("p")
        assert screen.loop.state.paused and "PAUSED" in screen.status.build().plain
        await wait_for(pilot, lambda: not screen.loop.state.in_flight, what="a tick in flight")
        await pilot.pause(0.1)  # its message, if any, is handled
        paused_at = messages.count(Refreshed)
        await pilot.pause(1.6)  # more than one interval: no tick while paused
        assert messages.count(Refreshed) == paused_at

        await pilot.press("ctrl+r")  # refresh-now still works while paused
        await wait_message(pilot, messages, Refreshed, after=paused_at, timeout=3)
        await pilot.press("p")
        assert not screen.loop.state.paused and "PAUSED" not in screen.status.build().plain
        resumed = messages.count(Refreshed)
        await wait_message(pilot, messages, Refreshed, after=resumed, timeout=3)
        await wait_message(pilot, messages, Refreshed, after=resumed + 1, timeout=3)


async def test_refresh_keeps_the_cursor_on_its_session_while_new_ones_arrive(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        table = screen.table
        await pilot.press("down", "down", "down", "down", "down", "down", "down")
        key, index = table.cursor_key, table.cursor_index
        assert index == 7
        for round_ in (1, 2):
            new = await api_create(shared_sim, 2)  # newest first: they land above the cursor
            await refresh_now(pilot, messages)
            assert all(table.get_row(k) is not None for k in new)
            assert table.cursor_key == key
            assert table.cursor_index == index + 2 * round_


async def test_refresh_error_shows_in_status_line_and_notification_then_recovers(tmp_path):
    sim = start_simulator()
    app = make_app(sim, tmp_path, interval=1.0)
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        port, cfg = sim.port, sim.cfg
        sim.stop()  # the service goes away
        failed = await wait_message(pilot, messages, RefreshFailed, after=0, timeout=15)
        state = screen.loop.state
        assert state.consecutive_errors >= 1 and state.next_delay > state.interval
        status = screen.status.build().plain
        assert "errors" in status and "retry in" in status
        await wait_for(pilot, lambda: state.errors >= 2, timeout=20, what="a second failure")
        errors = messages.notes("error")  # the same error is notified once, not every tick
        assert len(errors) == 1 and errors[0].startswith("Refresh failed")
        assert str(failed.error) in errors[0]
        assert screen.table.row_count > 0  # the last data stays on screen

        sim = RunningSimulator(cfg, "127.0.0.1", port).start()  # and comes back
        try:
            await wait_for(pilot, lambda: state.consecutive_errors == 0 and state.errors >= 1,
                           timeout=25, what="recovery")
            await pilot.pause()
            assert app.is_running and app.screen is screen
            assert "retry in" not in screen.status.build().plain
            assert len(messages.notes("error")) == 1
        finally:
            sim.stop()


async def test_enter_opens_the_detail_with_credentials_masked(shared_sim, tmp_path):
    (session_id,) = await api_create(shared_sim)
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await wait_loaded(pilot)
        assert screen.table.move_cursor_to_key(session_id)
        await pilot.press("enter")
        pane = screen.query_one(DetailPane)
        assert pane.display
        session = await (await app.ctx.client()).session_detail(session_id)
        shown = screen_text(app)
        assert session_id in shown
        values, masked = session.credentials.values, session.credentials.masked()
        secrets = {k: str(v) for k, v in values.items() if masked[k] != v}
        assert secrets, "the simulator hands out credentials with secrets"
        for key, secret in secrets.items():
            assert str(masked[key]) in shown and secret not in shown.replace("\n", "")
        await pilot.press("escape")
        assert not pane.display


async def test_the_detail_leaves_the_ids_in_view_on_a_small_terminal(shared_sim, tmp_path):
    """At 50x12 the detail pane used to take the whole width: no ID column was left."""
    (session_id,) = await api_create(shared_sim)
    app = make_app(shared_sim, tmp_path)
    async with running(app, size=(50, 12)) as (pilot, _):
        screen = await wait_loaded(pilot)
        assert screen.table.move_cursor_to_key(session_id)
        await pilot.press("enter")
        await pilot.pause()
        pane = screen.query_one(DetailPane)
        assert pane.display
        assert pane.region.width <= 30
        rows = screen_text(app).splitlines()
        assert any(short_id(session_id) in row.split("\u2502")[0] for row in rows)


async def test_each_screen_runs_one_refresh_loop(shared_sim, tmp_path):
    from textual.worker import Worker

    def refresh_workers(messages) -> set[int]:
        return {id(m.worker) for m in messages.of(Worker.StateChanged)
                if m.worker.group == "refresh"}

    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        assert len(refresh_workers(messages)) == 1  # not one per class along the MRO
        await pilot.press("2")
        await wait_loaded(pilot)
        assert len(refresh_workers(messages)) == 2


async def test_the_retry_countdown_in_the_status_line_counts_down(tmp_path):
    sim = start_simulator()
    now = [datetime.now(UTC)]
    app = make_app(sim, tmp_path, interval=5.0, clock=lambda: now[0])
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        sim.stop()
        screen.loop.trigger()
        await wait_message(pilot, messages, RefreshFailed, after=0, timeout=15)
        state = screen.loop.state
        await wait_for(pilot, lambda: state.next_at is not None and state.consecutive_errors,
                       what="a scheduled retry")

        def shown() -> int:
            screen.status.update_status()
            return int(re.search(r"retry in (\d+)s", screen.status.build().plain)[1])

        first = shown()
        assert first == math.ceil(state.next_at - now[0].timestamp()) > 3
        now[0] += timedelta(seconds=3)
        assert shown() == first - 3


async def test_y_copies_the_id_Y_the_row_as_json_d_describes_it(shared_sim, tmp_path):
    """Copy over SSH (OSC 52 through the terminal) and a describe view of the raw record:
    the row under the cursor, its credentials masked."""
    import json

    from akool_tui.tui.screens.describe import DescribeScreen

    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await wait_loaded(pilot)
        key = screen.table.cursor_key
        await pilot.press("y")
        assert app.clipboard == key
        await pilot.press("Y")
        record = json.loads(app.clipboard)
        assert record["id"] == key and record["status_label"]
        secret = shared_sim.state.sessions[key].secret
        assert secret not in app.clipboard  # RTC credentials masked
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DescribeScreen), what="describe")
        body = str(app.screen.query_one("#describe-body").render())
        assert key in body and secret not in body and '"credentials"' in body
        await pilot.press("escape")
        assert app.screen is screen


async def test_new_session_dialog_at_80x24_keeps_its_buttons_and_wraps_errors(shared_sim,
                                                                             tmp_path):
    """At 80x24 a long error line wraps inside the dialog (it was cut at the dialog's
    width) and the buttons stay on screen (they scrolled away when an error showed)."""
    app = make_app(shared_sim, tmp_path)
    async with running(app, size=(80, 24)) as (pilot, messages):
        await wait_loaded(pilot)
        modal = await open_modal(pilot, messages)
        await pilot.press(*["backspace"] * 4)
        await type_text(pilot, "x" * 30)
        modal.query_one("#background").value = "ftp://not-a-web-address"  # a second problem
        await pilot.press("ctrl+s")
        form_error = modal.query_one("#form-error")
        await pilot.pause()
        text = str(form_error.render())
        assert 1 <= form_error.size.height <= 2 and form_error.size.width <= 80, form_error.size
        # both named, in at most two lines (each field says what it expects at it)
        assert text == "Fix: Duration; Background URL"
        create = modal.query_one("#create")
        assert create.region.bottom <= 24 and create.region.height >= 1, create.region
        visible = app.screen.find_widget(create).region
        assert visible.height >= 1


async def test_the_table_keeps_refreshing_behind_a_dialog(shared_sim, tmp_path):
    """The status line says "every 1s": with the new-session dialog open the table
    still follows the server (it stopped while any dialog was open)."""
    app = make_app(shared_sim, tmp_path, interval=1.0)
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        modal = await open_modal(pilot, messages)
        (made,) = await api_create(shared_sim)  # another operator, behind the dialog
        await wait_for(pilot, lambda: screen.table.get_row(made) is not None, timeout=15,
                       what="the new session to show behind the dialog")
        assert app.screen is modal  # the dialog was not disturbed
        assert modal.query_one("#duration").has_focus


async def test_at_80x24_the_table_shows_the_most_important_columns_that_fit(shared_sim,
                                                                           tmp_path):
    """At 80x24 the columns that do not fit are hidden, least important first (Stream
    and Duration were cut at the right edge); the ones shown keep their order and are
    exactly the highest-priority ones that fit; at 120x34 they all come back."""
    from akool_tui.core.fields import SESSION_FIELDS, table_fields
    from akool_tui.tui.widgets.table_paint import MARK_WIDTH

    fields = table_fields(SESSION_FIELDS)
    by_priority = sorted(fields, key=lambda f: f.priority)
    app = make_app(shared_sim, tmp_path)
    async with running(app, size=(80, 24)) as (pilot, _messages):
        screen = await wait_loaded(pilot)
        table = screen.table
        room, used, fitting = table.scrollable_content_region.width, MARK_WIDTH, set()
        for field in by_priority:
            used += field.width + 2
            if used > room:
                break
            fitting.add(field.key)
        labels = [c.label for c in table.shown_columns()]
        assert labels == [f.label for f in fields if f.key in fitting]
        assert labels == ["ID", "Status", "Left", "Avatar", "Created"]
        header = screen_text(app).splitlines()[table.region.y]
        assert re.findall(r"[A-Z][A-Za-z]*", header)[:5] == ["ID", "Status", "Left", "Avatar",
                                                          "Created"]
        assert "Stream" not in header and "Duration" not in header
        assert not table.show_horizontal_scrollbar  # nothing cut at the right edge
        await pilot.resize_terminal(120, 34)
        await wait_for(pilot, lambda: len(table.shown_columns()) == len(fields),
                       what="every column back")
        await pilot.pause()
        header = screen_text(app).splitlines()[table.region.y]
        for field in fields:
            assert field.label in header
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: [c.label for c in table.shown_columns()] == labels,
                       what="narrow again")


async def test_at_80x24_the_status_line_keeps_where_errors_paused_age_and_counts(tmp_path):
    """The demo's status line at 80x24 with errors and paused: it got shorter instead of
    being cut (no "every 5s", "3s ago" for "refreshed 3 seconds ago", "cr 10,000 · rate …"
    for the credits, no auth mode, terse errors, no credits) so endpoint, PAUSED, errors,
    the age and the counts fit."""
    sim = start_simulator()
    now = [datetime.now(UTC)]
    app = make_app(sim, tmp_path, demo=True, interval=5.0, clock=lambda: now[0])
    async with running(app, size=(80, 24)) as (pilot, messages):
        screen = await wait_loaded(pilot)
        count = screen.table.row_count
        status = screen.status
        line = status.build().plain
        assert status.size.width == 78
        # the balance stays (terse) where the auth mode goes
        assert re.fullmatch(r"DEMO \(simulator\) │ (just now|\d+s ago) │ .* │ cr 10,000 · rate …",
                            line), line
        sim.stop()
        screen.loop.trigger()
        await wait_message(pilot, messages, RefreshFailed, after=0, timeout=15)
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.loop.state.paused, what="paused")
        now[0] += timedelta(seconds=3)
        status.update_status()
        await pilot.pause()
        line = status.build().plain
        assert len(line) <= 78, line
        assert line.startswith("DEMO (simulator) │ PAUSED │ errors ")
        assert re.search(r"│ \d+s ago │ ", line), line
        assert f"{count} sessions" in line
        assert "every" not in line
        assert line in screen_text(app)  # on screen as built, nothing cut


def test_short_age():
    from akool_tui.tui.status import short_age

    assert [short_age(100 - s, 100) for s in (0, 3, 59, 60, 3599, 7200, 90000)] == [
        "just now", "3s ago", "59s ago", "1m ago", "59m ago", "2h ago", "1d ago"]
    assert short_age(None) == "never"


@pytest.mark.parametrize("theme", ["akool-light", "akool-dark", "akool-high-contrast"])
async def test_the_dialogs_inputs_stand_out_from_the_dialog_in_every_theme(shared_sim,
                                                                           tmp_path, theme):
    """The new-session dialog's inputs and selects are compact (no border, to fit
    80x24): their background is their own, not the dialog's (in akool-light they were
    invisible, white on white)."""
    from textual.widgets import Input, Select

    from akool_tui.config import UiConfig
    from akool_tui.tui.themes import bundled_theme_dir

    assert theme in {p.stem for p in bundled_theme_dir().glob("*.toml")}
    app = make_app(shared_sim, tmp_path, ui=UiConfig(theme=theme))
    async with running(app, size=(80, 24)) as (pilot, messages):
        await wait_loaded(pilot)
        assert app.theme == theme
        modal = await open_modal(pilot, messages)
        await pilot.pause()
        dialog = modal.query_one(".dialog").background_colors[1]
        fields = [*modal.query(Input),
                  *(s.query_one("SelectCurrent") for s in modal.query(Select))]
        assert len(fields) >= 6
        for field in fields:
            own = field.background_colors[1]
            assert abs(own.brightness - dialog.brightness) >= 0.1, (field, own, dialog)


async def test_keys_typed_right_after_slash_are_the_filters_text(shared_sim, tmp_path):
    """`/` then `emma` typed at once (one read from the terminal): all four letters are
    the filter's text; they were lost (at 100 000 rows the `e` opened the events list)."""
    from textual import events

    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await wait_loaded(pilot)
        for _ in range(2):  # the bar's first opening (mounted then) and a later one
            for key, char in (("slash", "/"), ("e", "e"), ("m", "m"), ("m", "m"), ("a", "a")):
                app.post_message(events.Key(key, char))  # queued at once
            await wait_for(pilot, lambda: screen.table.filter_text == "emma",
                           what="the filter")
            assert app.screen is screen and screen.query_one(FilterBar).value == "emma"
            await pilot.press("escape")
            assert screen.table.filter_text == "" and screen.table.has_focus
