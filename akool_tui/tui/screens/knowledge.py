"""Knowledge bases (`5`): yours and AKool's, live, with detail, create, edit, delete.

The columns and detail fields are :data:`~akool_tui.core.fields.KNOWLEDGE_FIELDS`; the
form is :mod:`.knowledge_form`. AKool's own knowledge bases can be used but not changed
or deleted: the screen says so instead of sending.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message

from ...core.fields import KNOWLEDGE_BLOCKS, KNOWLEDGE_FIELDS, count, row_of
from ...core.text import CELL, safe
from ..fields import columns_from_fields
from ..widgets.live_table import LiveTable
from ..readonly import mutating
from ..work import call_api
from .base import TableScreen

if TYPE_CHECKING:
    from ...api.knowledge import KnowledgeBase
    from .common import DetailPane

#: the prologue and the prompt shown in the detail pane (the prompt may have 10,000)
DETAIL_TEXT = 12_000
SOURCE_STYLES = {"AKool": "$text-muted", "yours": ""}


def knowledge_row(kb: KnowledgeBase) -> dict[str, Any]:
    return row_of(KNOWLEDGE_FIELDS, kb)


class KnowledgeDeleted(Message):
    def __init__(self, kb_id: str) -> None:
        super().__init__()
        self.kb_id = kb_id


class KnowledgeScreen(TableScreen):
    TITLE = "Knowledge"
    DEFAULT_CSS = """
    KnowledgeScreen DetailPane { width: 58; max-width: 50%; }
    """
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="knowledge.filter",
                tooltip="Show only the rows with this text in a column (name, source, id...)"),
        Binding("escape", "clear_filter", "Clear", id="knowledge.clear", show=False,
                tooltip="Clear the filter and close the detail pane"),
        Binding("n", "new", "New", id="knowledge.new", tooltip="Create a knowledge base"),
        Binding("u", "edit", "Edit", id="knowledge.edit",
                tooltip="Edit the knowledge base under the cursor (yours, not AKool's)"),
        Binding("x,delete", "delete", "Delete", id="knowledge.delete",
                tooltip="Delete the knowledge base under the cursor (asks first)"),
        Binding("enter", "toggle_detail", "Detail", id="knowledge.detail", show=False,
                tooltip="Show or hide the prologue, prompt, documents and URLs"),
    ]
    FILTER_PLACEHOLDER = "filter knowledge bases: name, source or id"

    def __init__(self) -> None:
        super().__init__()
        self._bases: dict[str, KnowledgeBase] = {}

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield LiveTable(columns_from_fields(KNOWLEDGE_FIELDS,
                                                styles={"source": SOURCE_STYLES}),
                            id="knowledge-table", empty_text="Loading knowledge bases…",
                            clock=self.app.now)

    async def fetch(self) -> list[KnowledgeBase]:
        from ...api.knowledge import FROM_SYSTEM, FROM_USER

        client = await self.app.ctx.client()
        mine, akool = await asyncio.gather(client.list_all_knowledge(source=FROM_USER),
                                           client.list_all_knowledge(source=FROM_SYSTEM))
        return [*mine, *akool]

    def apply(self, bases: list[KnowledgeBase]) -> None:
        if self.table.empty_text != "No knowledge bases yet: n creates one":
            self.table.empty_text = "No knowledge bases yet: n creates one"
            self.table.refresh()
        self._bases = {kb.id: kb for kb in bases if kb.id}
        self.table.set_rows([(k, knowledge_row(kb)) for k, kb in self._bases.items()])
        self.update_extra()
        self.refresh_detail()

    def on_mount(self) -> None:  # the bases' on_mount run too (Textual walks the MRO)
        self.table.sort_by("updated", reverse=True)  # the newest change first, as the CLI lists

    def update_extra(self) -> None:
        mine = sum(not kb.read_only for kb in self._bases.values())
        parts = [f"{len(self._bases)} knowledge bases ({mine} yours)"]
        if self.table.filter_text:
            parts.append(f"filter '{self.table.filter_text}'")
        self.status.set_extra(", ".join(parts))

    def record(self, key: str | None) -> KnowledgeBase | None:
        return self._bases.get(key) if key else None

    def show_detail(self, pane: DetailPane, key: str | None) -> None:
        from ...core.knowledge import format_bytes

        kb = self.record(key)
        short = [f for f in KNOWLEDGE_FIELDS if f.key not in KNOWLEDGE_BLOCKS]
        extra: list[tuple[str, str | Text]] = []
        if kb is not None:
            if kb.read_only:
                extra.append(("", Text("AKool's: can be used, not changed", style="italic")))
            for key_, label in (("prologue", "Prologue"), ("prompt", "Prompt")):
                value = getattr(kb, key_)
                extra.append((label, Text(safe(value, limit=DETAIL_TEXT, newlines=True))
                              if value else "—"))
            docs = Text(f"{len(kb.docs)} · {format_bytes(kb.docs_bytes)}" if kb.docs else "—")
            for doc in kb.docs:
                docs.append("\n")
                docs.append(safe(doc.name, limit=CELL), style="bold")
                docs.append(f"  {format_bytes(doc.size)}\n")
                docs.append(safe(doc.url), style="dim")
            extra.append(("Docs", docs))
            extra.append(("URLs", Text("\n".join(safe(u) for u in kb.urls)) if kb.urls else "—"))
        pane.show_record("Knowledge base", short, kb, extra=extra)

    # -- create, edit, delete ------------------------------------------------------------

    def _under_cursor(self, verb: str) -> KnowledgeBase | None:
        kb = self.record(self.table.cursor_key)
        if kb is None:
            self.notify("No knowledge base under the cursor", severity="warning", timeout=2)
            return None
        if kb.read_only:
            self.notify(f"{kb.name or kb.id} is one of AKool's knowledge bases: it can be "
                        f"used in sessions but not {verb}", severity="warning", timeout=5)
            return None
        return kb

    @mutating("knowledge.edit")
    def action_new(self) -> None:
        from .knowledge_form import KnowledgeForm

        self.app.push_screen(KnowledgeForm(), self._saved)

    @mutating("knowledge.edit")
    def action_edit(self) -> None:
        if (kb := self._under_cursor("changed")) is not None:
            from .knowledge_form import KnowledgeForm

            self.app.push_screen(KnowledgeForm(kb), self._saved)

    def _saved(self, kb: KnowledgeBase | None) -> None:
        if kb is None or not kb.id:
            return
        self._bases[kb.id] = kb
        self.table.update_row(kb.id, knowledge_row(kb))
        self.table.move_cursor_to_key(kb.id)
        self.update_extra()
        self.refresh_detail()
        self.notify(f"Saved knowledge base {kb.name or kb.id}", timeout=3)

    @mutating("knowledge.edit")
    def action_delete(self) -> None:
        if (kb := self._under_cursor("deleted")) is None:
            return
        from .common import ConfirmScreen

        def done(confirmed: bool | None) -> None:
            if confirmed:
                call_api(self, lambda client: client.delete_knowledge(kb.id),
                         what=f"delete the knowledge base {kb.name or kb.id}",
                         group="knowledge-delete",
                         done=lambda _none: KnowledgeDeleted(kb.id))

        what = f"{count(len(kb.docs), 'document')}, {count(len(kb.urls), 'URL')}"
        question = f"Delete the knowledge base {kb.name or kb.id} ({what})? " \
                   "Sessions can no longer use it."
        self.app.push_screen(ConfirmScreen(question, confirm_label="Delete"), done)

    def on_knowledge_deleted(self, message: KnowledgeDeleted) -> None:
        kb = self._bases.pop(message.kb_id, None)
        self.table.remove_row(message.kb_id)
        self.update_extra()
        self.refresh_detail()
        self.notify(f"Deleted knowledge base {kb.name if kb else message.kb_id}", timeout=3)
