"""Messages in dialogs stay readable: a long server error takes at most two lines inside
the dialog's border (its whole text in the run's events, `e`), and a validation message
names a field by the words on screen, never a widget id. Real simulator, Pilot."""

from __future__ import annotations

from textual.widgets import Input

from akool_tui.tui.screens.common import ErrorLabel
from akool_tui.tui.screens.knowledge_form import KnowledgeForm
from akool_tui.tui.screens.new_session import CreateFinished, NewSessionScreen
from tui_helpers import (  # noqa: F401 - fixtures
    fill,
    isolated_home,
    make_app,
    open_advanced,
    running,
    screen_text,
    wait_for,
    wait_loaded,
    wait_message,
)


def lines_of(label: ErrorLabel) -> int:
    return label.region.height


async def test_a_long_create_error_takes_two_lines_and_is_kept_whole_in_the_events(
        simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with running(app, size=(80, 24)) as (pilot, messages):
        await wait_loaded(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewSessionScreen), "dialog")
        modal = app.screen
        await fill(pilot, modal.query_one("#voice", Input), "A" * 10_000)
        await pilot.press("ctrl+s")
        await wait_message(pilot, messages, CreateFinished, after=0)
        await pilot.pause()
        error = modal.query_one("#form-error", ErrorLabel)
        text = str(error.render())
        assert text.startswith("Not created: ") and "…" in text
        assert 1 <= lines_of(error) <= 2
        assert modal.query_one("#duration").region.height == 1  # the fields still show
        whole = [e.text for e in app.ctx.events.entries() if "AAAA" in e.text]
        assert whole and len(whole[-1]) > 1000  # the whole message, kept in `e`


async def test_a_long_knowledge_error_wraps_inside_the_border(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    name = "HR" + "x" * 98  # the longest name allowed
    async with running(app, size=(80, 24)) as (pilot, _messages):
        await wait_loaded(pilot)
        await pilot.press("5")
        screen = await wait_loaded(pilot)
        for _ in range(2):  # the second one is refused: the name exists
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, KnowledgeForm), "form")
            form = app.screen
            await fill(pilot, form.query_one("#name", Input), name)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.screen is screen or str(
                form.query_one("#form-error").render()).startswith("Not saved"), "answer")
        error = form.query_one("#form-error", ErrorLabel)
        assert str(error.render()).startswith("Not saved: ")
        assert 1 <= lines_of(error) <= 2
        box = form.query_one("#knowledge-form").content_region
        assert error.region.right <= box.right  # inside the border
        for row in screen_text(app).splitlines():
            assert "xxxxxxxx" not in row[box.right:]


async def test_fix_lines_name_fields_by_their_labels(simulator, tmp_path):
    from akool_tui.tui.screens.upload import UploadScreen

    app = make_app(simulator, tmp_path)
    async with running(app) as (pilot, _messages):
        await wait_loaded(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewSessionScreen), "dialog")
        modal = app.screen
        await open_advanced(pilot, modal)
        for _ in range(2):  # two "+ word" rows left empty, the first one removed
            modal.query_one("#pron-add").press()
            await pilot.pause()
        modal.query_one(".pron-remove").press()
        await pilot.pause()
        await fill(pilot, modal.query_one("#duration", Input), "0")
        await pilot.press("ctrl+s")
        await pilot.pause()
        fix = str(modal.query_one("#form-error").render())
        # three problems take more than two lines: the fields' names, as on screen
        assert fix == "Fix: Duration; Pronunciation 1, word; Pronunciation 1, how to say it"
        assert "pron-" not in fix and "duration:" not in fix
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, NewSessionScreen), "closed")
        await pilot.press("2")
        await wait_loaded(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, UploadScreen), "upload dialog")
        upload = app.screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        fix = str(upload.query_one("#form-error").render())
        assert fix == "Fix: Video URL; Avatar ID; Name"  # each says what it expects at it
        assert str(upload.query_one("#url-error").render()).startswith("Expected an http")
        await fill(pilot, upload.query_one("#url", Input), "https://example.com/a.mp4")
        await fill(pilot, upload.query_one("#name", Input), "Ann")
        await pilot.press("ctrl+s")
        await pilot.pause()
        fix = str(upload.query_one("#form-error").render())
        assert fix.startswith("Fix: Avatar ID: expected")  # was "avatar_id: expected"
