"""`n` / `u` on the knowledge screen: create or edit a knowledge base in a form.

Name, prologue and prompt (multi-line editors counting the characters left against the
limits), documents as rows of name + URL (+ size) and URLs as a list, each checked as
typed by :mod:`akool_tui.core.knowledge`; nothing is sent while a field is wrong. An edit
sends only what changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from ...api.knowledge import KnowledgeBase, KnowledgeDoc
from ...core import knowledge as kc
from ...core.text import CELL, safe
from ..widgets.safe_input import SafeInput
from ..work import call_api
from .common import ErrorLabel

if TYPE_CHECKING:
    from textual.widgets.text_area import EditResult, Location


class SafeTextArea(TextArea):
    """A TextArea whose typed and pasted text is made safe to paint (newlines kept)."""

    def _replace_via_keyboard(self, insert: str, start: Location, end: Location
                              ) -> EditResult | None:
        return super()._replace_via_keyboard(safe(insert, limit=None, newlines=True, tabs=4),
                                             start, end)


def _input(value: str, classes: str, placeholder: str) -> SafeInput:
    return SafeInput(value, placeholder=placeholder, classes=classes, compact=True)


class DocRow(Vertical):
    """One document: name, URL, size (optional), a remove button, its problems."""

    def __init__(self, doc: KnowledgeDoc | None = None) -> None:
        super().__init__(classes="doc-row")
        self.original = doc
        self.size_text = kc.format_bytes(doc.size) if doc and doc.size is not None else ""

    def compose(self) -> ComposeResult:
        doc = self.original
        with Horizontal(classes="row"):
            yield _input(safe(doc.name, limit=CELL) if doc else "", "doc-name", "faq.pdf")
            yield _input(safe(doc.url) if doc else "", "doc-url", "https://…/faq.pdf")
            yield _input(self.size_text, "doc-size", "size")
            yield Button("✕", classes="remove", compact=True, tooltip="Remove this document")
        yield ErrorLabel(id="doc-error")

    def values(self) -> tuple[str, str, str]:
        return tuple(self.query_one(f".doc-{part}", Input).value  # type: ignore[return-value]
                     for part in ("name", "url", "size"))

    def doc(self) -> KnowledgeDoc:
        """The document as typed; a size left as shown keeps its exact bytes."""
        name, url, size = (v.strip() for v in self.values())
        if self.original is not None and (name, url, size) == (
                safe(self.original.name, limit=CELL), safe(self.original.url), self.size_text):
            return self.original
        try:
            bytes_ = kc.parse_size(size) if size else None
        except kc.ParamError:
            bytes_ = None
        if self.original is not None and size == self.size_text:
            bytes_ = self.original.size
        return KnowledgeDoc(name=name, url=url, size=bytes_)

    def check(self, *, typing: bool = False) -> dict[str, str]:
        """Show what is wrong; ``typing``: a field not filled in yet is not scolded."""
        name, url, size = self.values()
        found = kc.doc_problems(name, url, size)
        if typing:
            found = {k: v for k, v in found.items()
                     if {"name": name, "url": url, "size": size}[k].strip()}
        self.query_one(ErrorLabel).update("; ".join(found.values()))
        return found


class UrlRow(Vertical):
    def __init__(self, url: str = "") -> None:
        super().__init__(classes="url-row")
        self.url = url

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield _input(safe(self.url), "url", "https://example.com/page")
            yield Button("✕", classes="remove", compact=True, tooltip="Remove this URL")
        yield ErrorLabel(id="url-error")

    def value(self) -> str:
        return self.query_one(".url", Input).value.strip()

    def check(self) -> str | None:
        problem = kc.check_url(self.value())
        self.query_one(ErrorLabel).update(problem or "")
        return problem


#: the start of the line a refused save leaves (it then follows the fields)
NOT_SENT = "Not sent. Fix: "


def _field_name(key: str) -> str:
    """``docs[1].url`` -> ``document 2 URL``: a problem's field as the form shows it."""
    import re

    if (match := re.fullmatch(r"(docs|urls)\[(\d+)\](?:\.(\w+))?", key)) is not None:
        noun = "document" if match.group(1) == "docs" else "URL"
        part = {"url": " URL", "name": " name", "size": " size"}.get(match.group(3) or "", "")
        return f"{noun} {int(match.group(2)) + 1}{part}"
    return {"docs": "documents", "urls": "URLs"}.get(key, key)


class Saved(Message):
    def __init__(self, kb: KnowledgeBase | None, error: str = "") -> None:
        super().__init__()
        self.kb = kb
        self.error = error


class KnowledgeForm(ModalScreen[KnowledgeBase | None]):
    """Create (``kb`` None) or edit ``kb``; dismissed with the saved record."""

    DEFAULT_CSS = """
    KnowledgeForm #knowledge-form {
        width: 100; max-width: 95%; height: 90%;
        border: thick $primary; background: $surface; padding: 0 0 0 2;
    }
    KnowledgeForm #form-body { height: 1fr; padding-right: 2; }
    KnowledgeForm #form-foot { height: auto; }
    KnowledgeForm #form-foot .buttons { margin-top: 0; }
    KnowledgeForm .row { height: 1; }
    KnowledgeForm .doc-name { width: 26; margin-right: 1; }
    KnowledgeForm .doc-url, KnowledgeForm .url { width: 1fr; margin-right: 1; }
    KnowledgeForm .doc-size { width: 10; margin-right: 1; }
    KnowledgeForm .remove { min-width: 3; width: 3; }
    KnowledgeForm .doc-row, KnowledgeForm .url-row, KnowledgeForm #docs, KnowledgeForm #urls {
        height: auto;
    }
    KnowledgeForm SafeTextArea { height: 5; margin-bottom: 0; }
    KnowledgeForm #prompt { height: 8; }
    KnowledgeForm .left { color: $foreground-muted; height: 1; }
    KnowledgeForm .left.-over { color: $error; text-style: bold; }
    KnowledgeForm .add { margin-top: 0; margin-bottom: 1; }
    KnowledgeForm Label { margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="knowledge_form.cancel"),
        Binding("ctrl+s", "save", "Save", id="knowledge_form.save"),
    ]

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        super().__init__()
        self.kb = kb
        self._initial: kc.Draft | None = None

    @property
    def creating(self) -> bool:
        return self.kb is None

    def compose(self) -> ComposeResult:
        kb = self.kb
        title = "New knowledge base" if kb is None else \
            f"Edit knowledge base {safe(kb.name, limit=60) or kb.id}"
        with Vertical(id="knowledge-form"):  # wider than a .dialog
            with VerticalScroll(id="form-body"):
                yield Static(title, classes="title", markup=False)
                yield Static("Documents: " + kc.FORMATS_TEXT + "; 100 MB each, 500 MB "
                             "together.", classes="hint", markup=False)
                yield Label("Name")
                yield SafeInput(safe(kb.name, limit=CELL) if kb else "", id="name", compact=True,
                                placeholder="Support desk")
                yield ErrorLabel(id="name-error")
                for key, text in (("prologue", "Prologue: what the avatar says first"),
                                  ("prompt", "Prompt: instructions for the LLM")):
                    yield Label(text)
                    value = safe(getattr(kb, key), limit=None, newlines=True) if kb else ""
                    yield SafeTextArea(value, id=key, soft_wrap=True)
                    yield Static(kc.left_text(value, kc.LIMITS[key]), id=f"{key}-left",
                                 classes="left", markup=False)
                yield Label("Documents: name, URL, size (optional: AKool measures it)")
                with Vertical(id="docs"):
                    for doc in (kb.docs if kb else ()):
                        yield DocRow(doc)
                yield Static("", id="docs-total", classes="left", markup=False)
                yield ErrorLabel(id="docs-error")
                yield Button("+ document", id="add-doc", classes="add", compact=True)
                yield Label("Web pages (URLs)")
                with Vertical(id="urls"):
                    for url in (kb.urls if kb else ()):
                        yield UrlRow(url)
                yield ErrorLabel(id="urls-error")
                yield Button("+ URL", id="add-url", classes="add", compact=True)
            with Vertical(id="form-foot"):  # below the fields, never scrolled away
                yield ErrorLabel(id="form-error")
                with Horizontal(classes="buttons"):
                    yield Button("Save (ctrl+s)", variant="primary", id="submit", compact=True)
                    yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self._show_total()
        self._initial = self.draft()

    # -- reading the form -------------------------------------------------------------

    def draft(self) -> kc.Draft:
        return kc.Draft(
            name=self.query_one("#name", Input).value.strip(),
            prologue=self.query_one("#prologue", TextArea).text,
            prompt=self.query_one("#prompt", TextArea).text,
            docs=[row.doc() for row in self.query(DocRow)],
            urls=[row.value() for row in self.query(UrlRow)],
        )

    # -- checked as typed -------------------------------------------------------------

    def _show_total(self) -> None:
        docs = [row.doc() for row in self.query(DocRow)]
        total = sum(d.size or 0 for d in docs)
        unknown = sum(d.size is None for d in docs)
        text = f"{len(docs)} document{'' if len(docs) == 1 else 's'} · " \
               f"{kc.format_bytes(total)} of 500 MB" + (f" ({unknown} to be measured)"
                                                        if unknown else "")
        problem = kc.total_problem([d.size for d in docs])
        total_label = self.query_one("#docs-total", Static)
        total_label.update(text)
        total_label.set_class(problem is not None, "-over")
        self.query_one("#docs-error", ErrorLabel).update(problem or "")

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        problem = kc.check_name(event.value, required=False)
        self.query_one("#name-error", ErrorLabel).update(problem or "")

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        key = event.text_area.id or ""
        if key in kc.LIMITS:
            label = self.query_one(f"#{key}-left", Static)
            label.update(kc.left_text(event.text_area.text, kc.LIMITS[key]))
            label.set_class(kc.check_text(key, event.text_area.text) is not None, "-over")

    @on(Input.Changed, ".doc-name, .doc-url, .doc-size")
    def _doc_changed(self, event: Input.Changed) -> None:
        row = next(a for a in event.input.ancestors if isinstance(a, DocRow))
        row.check(typing=True)
        self._show_total()

    @on(Input.Changed, ".url")
    def _url_changed(self, event: Input.Changed) -> None:
        row = next(a for a in event.input.ancestors if isinstance(a, UrlRow))
        if row.value():
            row.check()

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _follow_fix(self) -> None:
        """A "Not sent. Fix: ..." line from the last try follows what is still wrong."""
        error = self.query_one("#form-error", ErrorLabel)
        if not str(error.content).startswith(NOT_SENT):
            return
        draft = self.draft()
        found = {**kc.problems(draft, creating=True), **self._typed_sizes()}
        if self._initial is not None and not self.creating:
            found.update(kc.cannot_clear(self._initial, kc.changes(self._initial, draft)))
        error.update(NOT_SENT + ", ".join(dict.fromkeys(map(_field_name, found)))
                     if found else "")

    def _typed_sizes(self) -> dict[str, str]:
        """``docs[i].size`` for each document whose typed size is wrong: the draft holds
        no size for it (so the checks of the draft alone would send it without one)."""
        return {f"docs[{i}].size": problem for i, row in enumerate(self.query(DocRow))
                if (problem := kc.doc_problems(*row.values()).get("size")) is not None}

    # -- rows ---------------------------------------------------------------------------

    @on(Button.Pressed, "#add-doc")
    async def add_doc(self) -> None:
        row = DocRow()
        await self.query_one("#docs").mount(row)
        row.query_one(".doc-name", Input).focus()
        self._show_total()

    @on(Button.Pressed, "#add-url")
    async def add_url(self) -> None:
        row = UrlRow()
        await self.query_one("#urls").mount(row)
        row.query_one(".url", Input).focus()

    @on(Button.Pressed, ".remove")
    async def _remove(self, event: Button.Pressed) -> None:
        row = next(a for a in event.button.ancestors if isinstance(a, (DocRow, UrlRow)))
        await row.remove()
        self._show_total()
        self._follow_fix()

    # -- saving ----------------------------------------------------------------------------

    def _problems(self, draft: kc.Draft, change: kc.Draft) -> list[str]:
        """The field of every problem (``docs[0].url``...), each shown beside its field."""
        found = {**kc.problems(draft, creating=True), **self._typed_sizes()}
        if self._initial is not None and not self.creating:
            found.update(kc.cannot_clear(self._initial, change))
        self.query_one("#name-error", ErrorLabel).update(found.get("name", ""))
        for key in ("prologue", "prompt"):
            self.query_one(f"#{key}-left", Static).set_class(key in found, "-over")
        for row in self.query(DocRow):
            row.check()
        for row in self.query(UrlRow):
            row.check()
        self.query_one("#docs-error", ErrorLabel).update(found.get("docs", ""))
        self.query_one("#urls-error", ErrorLabel).update(found.get("urls", ""))
        return list(found)

    def _show_first(self, key: str) -> None:
        """Scroll the first wrong field into view (``docs[1].url`` -> the second row)."""
        import re

        widget = None
        if (match := re.fullmatch(r"(docs|urls)\[(\d+)\].*", key)) is not None:
            rows = list(self.query(DocRow if match.group(1) == "docs" else UrlRow))
            index = int(match.group(2))
            widget = rows[index] if index < len(rows) else None
        elif key == "name":
            widget = self.query_one("#name")
        elif key in ("prologue", "prompt"):
            widget = self.query_one(f"#{key}-left")  # the counter, the editor above it
        elif key in ("docs", "urls"):
            widget = self.query_one(f"#{key}-error")
        if widget is not None:  # once the message below has taken its room
            body = self.query_one("#form-body", VerticalScroll)
            self.call_after_refresh(body.scroll_to_widget, widget, animate=False)

    @on(Button.Pressed, "#submit")
    def action_save(self) -> None:
        draft = self.draft()
        change = draft if self.creating or self._initial is None \
            else kc.changes(self._initial, draft)
        error = self.query_one("#form-error", ErrorLabel)
        problems = self._problems(draft, change)
        if problems:
            error.update(NOT_SENT + ", ".join(dict.fromkeys(map(_field_name, problems))))
            self._show_first(problems[0])
            return
        if not self.creating and kc.is_empty(change):
            self.notify("Nothing changed", timeout=2)
            self.dismiss(None)
            return
        error.update("Saving…")
        self.query_one("#submit", Button).disabled = True
        kwargs = change.kwargs()
        kb = self.kb
        if kb is None:
            call_api(self, lambda client: client.create_knowledge(**kwargs),
                     what="create the knowledge base", group="knowledge-save", done=Saved,
                     failed=lambda e: Saved(None, str(e)))
        else:
            call_api(self, lambda client: client.update_knowledge(kb.id, **kwargs),
                     what="save the knowledge base", group="knowledge-save", done=Saved,
                     failed=lambda e: Saved(None, str(e)))

    def on_saved(self, message: Saved) -> None:
        if message.kb is None:
            self.query_one("#form-error", ErrorLabel).update(f"Not saved: {message.error}")
            self.query_one("#submit", Button).disabled = False
            return
        self.dismiss(message.kb)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Leave without saving; asks first when something was typed (nothing the user
        typed is lost silently)."""
        if self._initial is None or self.draft() == self._initial:
            self.dismiss(None)
            return
        from .common import ConfirmScreen

        def done(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard what you typed in this knowledge base?",
                                           confirm_label="Discard"), done)
