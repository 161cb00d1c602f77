"""Avatars screen: upload with inline validation, then watch it process (1 -> 2 -> 3/4)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from akool_tui.core import fields
from akool_tui.simulator import RunningSimulator
from akool_tui.tui.screens import avatars
from akool_tui.tui.screens.avatars import AvatarsScreen, UploadProgress
from akool_tui.tui.screens.upload import UploadScreen
from tui_helpers import (  # noqa: F401 - fixtures
    fill,
    isolated_home,
    make_app,
    refresh_now,
    running,
    screen_text,
    start_simulator,
    type_text,
    wait_for,
    wait_loaded,
    wait_message,
    wait_workers,
)

#: simulated seconds per processing step: nothing moves until the test advances the clock
STEP = 1000.0


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    sim = start_simulator(avatar_steps=STEP)
    yield sim
    sim.stop()


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(avatars, "UPLOAD_POLL_SECONDS", 0.05)


async def open_avatars(pilot) -> AvatarsScreen:
    await wait_loaded(pilot)
    await pilot.press("2")
    screen = await wait_loaded(pilot)
    assert isinstance(screen, AvatarsScreen)
    return screen


async def upload(pilot, url: str, avatar_id: str, name: str) -> None:
    await pilot.press("u")
    modal = pilot.app.screen
    assert isinstance(modal, UploadScreen) and modal.query_one("#url").has_focus
    await fill(pilot, modal.query_one("#url"), url)
    await pilot.press("tab")
    assert modal.query_one("#avatar_id").has_focus
    await fill(pilot, modal.query_one("#avatar_id"), avatar_id)
    await fill(pilot, modal.query_one("#name"), name)
    await pilot.press("ctrl+s")


async def test_upload_validates_inline_and_sends_nothing_until_fixed(sim, tmp_path):
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await open_avatars(pilot)
        known = set(sim.state.avatars)
        await upload(pilot, "not a url", "my avatar", name="")
        modal = app.screen
        assert isinstance(modal, UploadScreen)
        url_error, id_error = modal.query_one("#url-error"), modal.query_one("#avatar_id-error")
        assert url_error.display and "http(s) URL" in str(url_error.render())
        assert id_error.display and "letters and digits" in str(id_error.render())
        # the name is required (the API answers 1003 without it): said when sent
        assert "a name for the avatar" in str(modal.query_one("#name-error").render())
        assert "Fix:" in str(modal.query_one("#form-error").render())
        assert modal.query_one("#url").has_class("-invalid")  # Textual's validation
        await pilot.pause(0.1)
        assert set(sim.state.avatars) == known

        field = modal.query_one("#avatar_id")
        field.focus()
        field.value = ""
        await pilot.pause()
        await type_text(pilot, "fixed01")
        assert not id_error.display and url_error.display
        await pilot.press("escape")
        assert app.screen is screen and set(sim.state.avatars) == known


async def test_upload_row_goes_queueing_processing_ready_with_a_notification(sim, tmp_path):
    later = datetime.now(UTC) + timedelta(hours=1)  # the app's clock stands still here
    app = make_app(sim, tmp_path, clock=lambda: later)
    async with running(app) as (pilot, messages):
        screen = await open_avatars(pilot)
        table = screen.table
        await upload(pilot, "https://cdn.example.com/ops/demo.mp4", "opsdemo1",
                     name="[/ops] demo")  # a name is free text: never markup
        await wait_for(pilot, lambda: app.screen is screen, what="the upload modal to close")
        assert "opsdemo1" in sim.state.avatars
        assert table.get_row("opsdemo1")["status"] == "queueing"
        assert table.cursor_key == "opsdemo1"
        assert "1 processing" in screen.status.build().plain

        for expected in ("processing", "ready"):
            seen = messages.count(UploadProgress)
            sim.state.clock.advance(STEP)
            await wait_message(pilot, messages, UploadProgress, after=seen)
            assert table.get_row("opsdemo1")["status"] == expected
        assert "Avatar opsdemo1 is ready" in messages.notes("information")
        assert "processing" not in screen.status.build().plain
        # valid for 7 days from the upload: the one wording (core.fields.validity)
        valid = fields.validity(screen._avatars["opsdemo1"], app.now())
        assert re.fullmatch(r"6 days and 2[23] hours", valid)  # the simulated clock ran on
        assert re.search(rf"opsdemo1 .* ready .* {valid} ", screen_text(app))

        await refresh_now(pilot, messages)  # the list now has it: still there, still ready
        assert table.get_row("opsdemo1")["status"] == "ready"
        await pilot.press("enter")  # the detail shows the name as typed
        assert "[/ops] demo" in screen_text(app)
        await pilot.press("1", "n")  # and so does the avatar picker of a new session
        await wait_workers(pilot, "avatars")
        await pilot.press("escape")
        assert app.is_running


async def test_upload_from_an_unreachable_url_ends_failed(sim, tmp_path):
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, messages):
        screen = await open_avatars(pilot)
        await upload(pilot, "https://unreachable.example.com/v.mp4", "brokenclip2", "Broken")
        await wait_for(pilot, lambda: app.screen is screen, what="the upload modal to close")
        sim.state.clock.advance(2 * STEP)
        await wait_for(pilot, lambda: screen.table.get_row("brokenclip2")["status"] == "failed",
                       what="the failed status")
        assert "Avatar brokenclip2 failed to process" in messages.notes("error")


async def test_screen_and_cli_say_the_same_validity(sim, tmp_path, monkeypatch, capsys):
    """One wording (core.fields.validity): the table, the detail pane and the CLI."""
    from akool_tui.cli import catalog, main

    at = datetime.now(UTC) + timedelta(hours=5)  # both front ends' clocks stand here
    monkeypatch.setattr(catalog, "now", lambda: at)
    monkeypatch.setenv("AKOOL_API_KEY", sim.cfg.api_key)
    assert await asyncio.to_thread(main, ["--base-url", sim.base_url, "avatars", "list"]) == 0
    lines = capsys.readouterr().out.strip().split("\n\n")[0].splitlines()
    header = re.split(r"\s{2,}", lines[0])
    rows = [re.split(r"\s{2,}", line) for line in lines[1:]]
    said = {row[0]: row[header.index("VALID FOR")] for row in rows if row[2] == "custom"}
    assert said and all(re.fullmatch(r"\d days? and \d+ hours?|\d+ hours?|expired", v)
                        for v in said.values()), said

    app = make_app(sim, tmp_path, clock=lambda: at)
    async with running(app) as (pilot, _):
        screen = await open_avatars(pilot)
        shown = screen_text(app)
        for avatar_id, valid in said.items():
            assert re.search(rf"^ *{avatar_id} .* custom +{re.escape(valid)} ", shown, re.M)
        avatar_id, valid = next(iter(said.items()))
        screen.table.move_cursor_to_key(avatar_id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: f"Valid for {valid}" in screen_text(app),
                       what="the detail pane's validity")


def test_table_columns_are_the_catalogue_fields():
    columns = avatars._columns()
    assert [c.key for c in columns] == [f.key for f in fields.AVATAR_FIELDS if f.table]
    valid = next(c for c in columns if c.key == "valid")
    assert valid.live and valid.sort_key is not None and not valid.is_searchable
