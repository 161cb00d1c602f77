"""Knowledge screen (`5`): the live table, the detail pane, create and edit in the form
(checked as typed, nothing sent while wrong), delete asking first, AKool's read-only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Input, TextArea

from akool_tui.simulator import RunningSimulator
from akool_tui.tui.screens.common import ConfirmScreen, DetailPane
from akool_tui.tui.screens.knowledge import KnowledgeScreen
from akool_tui.tui.screens.knowledge_form import DocRow, KnowledgeForm, UrlRow
from tui_helpers import (  # noqa: F401 - fixtures
    fill,
    isolated_home,
    make_app,
    running,
    screen_text,
    start_simulator,
    table_keys,
    wait_for,
    wait_loaded,
)


@pytest.fixture
def sim() -> Iterator[RunningSimulator]:
    sim = start_simulator()
    yield sim
    sim.stop()


def state(sim) -> dict[str, tuple]:
    return {oid: (k.name, k.prologue, k.prompt, repr(k.docs), tuple(k.urls), k.update)
            for oid, k in sim.state.knowledge.items()}


def by_name(sim, name: str):
    return next(k for k in sim.state.knowledge.values() if k.name == name)


def text_of(widget) -> str:
    return str(widget.render())


async def open_knowledge(pilot) -> KnowledgeScreen:
    await wait_loaded(pilot)
    await pilot.press("5")
    screen = await wait_loaded(pilot)
    assert isinstance(screen, KnowledgeScreen)
    return screen


async def press_button(pilot, form, selector: str) -> None:
    """Tab to a button and press enter (it may be scrolled out of view: no click)."""
    form.query_one(selector).focus()
    await pilot.press("enter")
    await pilot.pause()


async def new_base_with_doc(pilot, name: str, doc_name: str, doc_url: str):
    """n on the knowledge screen, the base's name and one document: (the form, its row)."""
    await pilot.press("n")
    form = pilot.app.screen
    await fill(pilot, form.query_one("#name"), name)
    await press_button(pilot, form, "#add-doc")
    row = form.query_one(DocRow)
    await fill(pilot, row.query_one(".doc-name", Input), doc_name)
    await fill(pilot, row.query_one(".doc-url", Input), doc_url)
    return form, row


async def cursor_to(pilot, screen: KnowledgeScreen, kb_id: str) -> None:
    assert screen.table.move_cursor_to_key(kb_id)
    await pilot.pause()


async def test_5_shows_yours_and_akools_and_the_detail(sim, tmp_path):
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await open_knowledge(pilot)
        assert set(table_keys(screen.table)) == set(sim.state.knowledge)
        text = screen_text(app)
        assert "Acme support desk" in text and "3 · 10.7 MB" in text
        assert "AKool Streaming Avatar FAQ" in text and "12345 screens" in text
        acme = by_name(sim, "Acme support desk")
        await cursor_to(pilot, screen, acme.oid)
        await pilot.press("enter")
        pane = screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.display)
        await pilot.pause()
        text = screen_text(app)
        for part in ("Hello, and welcome to Acme", "You are Acme's support agent",
                     "returns-policy.pdf  2.2 MB", "https://acme.example/support"):
            assert part in text, part


async def test_create_checks_as_typed_and_sends_nothing_while_wrong(sim, tmp_path):
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, messages):
        screen = await open_knowledge(pilot)
        before = state(sim)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, KnowledgeForm) and form.query_one("#name").has_focus
        await fill(pilot, form.query_one("#name"), "Bike shop")
        prompt = form.query_one("#prompt", TextArea)
        prompt.text = "p" * 10_005
        await pilot.pause()
        left = form.query_one("#prompt-left")
        assert text_of(left) == "5 characters too many (at most 10,000)"
        assert left.has_class("-over")
        await press_button(pilot, form, "#add-doc")
        row = form.query_one(DocRow)
        await fill(pilot, row.query_one(".doc-name", Input), "setup.exe")
        error = row.query_one("#doc-error")
        assert ".exe: a document must be PDF" in text_of(error)  # as typed, the URL not yet
        await fill(pilot, row.query_one(".doc-url", Input), "https://bikes.example/setup.exe")
        await fill(pilot, row.query_one(".doc-size", Input), "120MB")
        assert "over the 100 MB" in text_of(error)
        await press_button(pilot, form, "#add-url")
        await fill(pilot, form.query_one(UrlRow).query_one(Input), "ftp://bikes.example")
        assert "http(s) URL" in text_of(form.query_one(UrlRow).query_one("#url-error"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert text_of(form.query_one("#form-error")) == \
            "Not sent. Fix: prompt, document 1 name, document 1 size, URL 1"
        assert state(sim) == before  # nothing was sent
        # fixed: saved, the form closes, the row is there under the cursor
        prompt.text = "You sell bikes.\nBe brief."
        await fill(pilot, row.query_one(".doc-name", Input), "catalog.pdf")
        await fill(pilot, row.query_one(".doc-size", Input), "12 MB")
        await fill(pilot, form.query_one(UrlRow).query_one(Input), "https://bikes.example")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="the form to close")
        made = by_name(sim, "Bike shop")
        assert made.prompt == "You sell bikes.\nBe brief."
        assert made.docs == [{"name": "catalog.pdf", "url": "https://bikes.example/setup.exe",
                              "size": 12 * 2 ** 20}]
        assert made.urls == ["https://bikes.example"]
        assert screen.table.cursor_key == made.oid
        assert screen.table.cursor_index == 0  # the newest change first, as the CLI lists them
        assert "Bike shop" in screen_text(app)


async def test_edit_sends_what_changed_and_akools_refuse(sim, tmp_path):
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, messages):
        screen = await open_knowledge(pilot)
        faq = by_name(sim, "AKool Streaming Avatar FAQ")
        await cursor_to(pilot, screen, faq.oid)
        await pilot.press("u")
        await pilot.pause()
        assert app.screen is screen
        assert any("one of AKool's knowledge bases" in n for n in messages.notes("warning"))
        await pilot.press("x")
        await pilot.pause()
        assert app.screen is screen  # no confirm for a delete that cannot be done
        hotel = by_name(sim, "Hotel concierge (Lisbon)")
        docs_before = [dict(d) for d in hotel.docs]
        await cursor_to(pilot, screen, hotel.oid)
        await pilot.press("u")
        form = app.screen
        assert isinstance(form, KnowledgeForm)
        assert form.query_one("#prologue", TextArea).text == hotel.prologue
        assert [r.values()[0] for r in form.query(DocRow)] == ["restaurants.json",
                                                                "spa-menu.pdf"]
        assert text_of(form.query_one("#prologue-left")) == \
            f"{2000 - len(hotel.prologue):,} characters left of 2,000"
        form.query_one("#prologue", TextArea).text = "Bom dia!"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="the form to close")
        assert hotel.prologue == "Bom dia!"
        assert hotel.docs == docs_before  # left as they were: exact sizes kept
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Bom dia!" in screen_text(app), what="the new prologue")


async def test_delete_asks_first_then_the_row_goes(sim, tmp_path):
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await open_knowledge(pilot)
        clinic = by_name(sim, "Clinic reception")
        await cursor_to(pilot, screen, clinic.oid)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete the knowledge base Clinic reception" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert clinic.oid in sim.state.knowledge and clinic.oid in table_keys(screen.table)
        await pilot.press("x")
        await pilot.press("y")
        await wait_for(pilot, lambda: clinic.oid not in table_keys(screen.table),
                       what="the row to go")
        assert clinic.oid not in sim.state.knowledge


async def test_edit_removes_and_adds_rows_and_cannot_empty_a_list(sim, tmp_path):
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await open_knowledge(pilot)
        acme = by_name(sim, "Acme support desk")
        await cursor_to(pilot, screen, acme.oid)
        await pilot.press("u")
        form = app.screen
        assert isinstance(form, KnowledgeForm)
        assert text_of(form.query_one("#docs-total")) == "3 documents · 10.7 MB of 500 MB"
        rows = list(form.query(DocRow))
        await press_button(pilot, rows[1], ".remove")  # product-manual-v4.docx
        assert text_of(form.query_one("#docs-total")) == "2 documents · 2.2 MB of 500 MB"
        await press_button(pilot, form, "#add-doc")
        new = list(form.query(DocRow))[-1]
        await fill(pilot, new.query_one(".doc-url", Input), "https://acme.example/files/faq.md")
        await fill(pilot, new.query_one(".doc-name", Input), "faq.md")
        for row in list(form.query(UrlRow)):  # every URL removed: the service would keep them
            await press_button(pilot, row, ".remove")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and acme.urls == ["https://acme.example/support",
                                                     "https://acme.example/returns"]
        assert "the last URL cannot be removed" in text_of(form.query_one("#urls-error"))
        await press_button(pilot, form, "#add-url")
        await fill(pilot, form.query_one(UrlRow).query_one(Input), "https://acme.example/help")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="the form to close")
        assert [d["name"] for d in acme.docs] == ["returns-policy.pdf", "warranty.md", "faq.md"]
        assert acme.docs[0]["size"] == 2_318_776 and acme.urls == ["https://acme.example/help"]


async def test_server_strings_are_shown_as_text(sim, tmp_path):
    from test_cli_knowledge import create_hostile

    kb_id = await create_hostile(sim)
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await open_knowledge(pilot)
        await cursor_to(pilot, screen, kb_id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Hi" in screen_text(app) and "there" in screen_text(app))
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, KnowledgeForm))
        text = screen_text(app)
        assert "[b]Evil[/b]" in text and "Edit knowledge base" in text
        assert not any(c in text for c in "\x1b\x07\x9b\u202e")
        await pilot.press("escape")
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen) and "[b]Evil[/b]" in screen_text(app)


async def test_the_delete_question_counts_in_words(sim, tmp_path):
    """'1 URL', not '1 URLs' (Clinic reception has two documents and one page)."""
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await open_knowledge(pilot)
        await cursor_to(pilot, screen, by_name(sim, "Clinic reception").oid)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        assert "(2 documents, 1 URL)?" in app.screen._question
        await pilot.press("n")


async def test_the_not_sent_line_follows_the_fields_as_they_are_fixed(sim, tmp_path):
    """After a refused save, the "Not sent. Fix: ..." line drops each field as it is
    fixed and goes when nothing is wrong (it used to stay until the next ctrl+s)."""
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, _):
        await open_knowledge(pilot)
        form, row = await new_base_with_doc(pilot, "Shop", "doc.exe", "ftp://x")
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = form.query_one("#form-error")
        assert text_of(error) == "Not sent. Fix: document 1 URL, document 1 name"
        await fill(pilot, row.query_one(".doc-url", Input), "https://x.example/doc.pdf")
        assert text_of(error) == "Not sent. Fix: document 1 name"
        await fill(pilot, row.query_one(".doc-name", Input), "doc.pdf")
        assert text_of(error) == ""
        assert app.screen is form  # nothing saved until ctrl+s


async def test_esc_asks_before_throwing_away_what_was_typed(sim, tmp_path):
    """Nothing typed is lost silently: esc on an untouched form closes it; with a prompt
    typed it asks first, and n keeps the form and the text."""
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, messages):
        screen = await open_knowledge(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, KnowledgeForm), what="the form")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="an untouched form to close")

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, KnowledgeForm), what="the form")
        form = app.screen
        form.query_one("#prompt", TextArea).text = "Answer questions about our bikes."
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        assert form.query_one("#prompt", TextArea).text == "Answer questions about our bikes."
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen, what="the form discarded")


async def test_sorting_by_id_orders_the_ids_as_the_column_shows_them(sim, tmp_path):
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, _):
        screen = await open_knowledge(pilot)
        for _ in range(len(screen.table.columns) + 1):
            if screen.table.sort_column == "id":
                break
            await pilot.press("s")
        assert screen.table.sort_column == "id"
        shown = [key[-8:] for key in table_keys(screen.table)]  # the column's 8 characters
        assert shown == sorted(shown, reverse=screen.table.sort_reverse)
        await pilot.press("S")
        shown = [key[-8:] for key in table_keys(screen.table)]
        assert shown == sorted(shown, reverse=screen.table.sort_reverse)


async def test_a_size_that_is_not_a_size_is_named_and_nothing_is_sent(sim, tmp_path):
    app = make_app(sim, tmp_path)
    async with running(app) as (pilot, _):
        await open_knowledge(pilot)
        before = state(sim)
        form, row = await new_base_with_doc(pilot, "Sizes", "faq.md", "https://x.example/faq.md")
        await fill(pilot, row.query_one(".doc-size", Input), "-5 GB")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # the typed size was not dropped to send the rest
        assert text_of(form.query_one("#form-error")) == "Not sent. Fix: document 1 size"
        assert state(sim) == before
        await fill(pilot, row.query_one(".doc-size", Input), "5 KB")
        assert text_of(form.query_one("#form-error")) == ""  # the line follows the fix
