"""Pieces the screens share: filter bar, confirm dialog, detail pane."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.visual import VisualType
from textual.widgets import Button, Label, Static

from ...api.models import Session
from ...core.fields import SESSION_FIELDS, Field, details
from ...core.text import CELL, FIELD, LINE, safe
from ..widgets.safe_input import SafeInput


class FilterBar(SafeInput):
    """The `/` filter: hidden until opened, esc (on the screen) clears it. What is typed
    or pasted is shown back (here and in the status line): it is sanitised too."""

    DEFAULT_CSS = """
    FilterBar { display: none; dock: top; height: 3; }
    FilterBar.-open { display: block; }
    """

    def open(self) -> None:
        self.add_class("-open")
        self.focus()

    def clear(self) -> None:
        self.value = ""
        self.remove_class("-open")


class ErrorLabel(Label):
    """An inline message in a form that takes no room while it is empty and at most two
    lines when it is long, wrapped inside the dialog's border: a server error quoting
    10 000 characters filled a whole dialog and hid its fields. A longer message is cut
    with an ellipsis; its whole text goes to the run's events (``e``).

    Shown as plain text, sanitised: it often quotes the server or the user (brackets,
    escapes and megabytes included)."""

    DEFAULT_CSS = """
    ErrorLabel { max-height: 2; text-wrap: wrap; text-overflow: fold; }
    """
    #: the most lines a message takes
    LINES = 2
    #: what a cut message ends with
    MORE = " (the whole text is in the events list)"

    def __init__(self, *, id: str) -> None:
        super().__init__("", id=id, classes="error", markup=False)
        self.display = False

    def _room(self) -> int:
        """The characters two lines hold here (less a word's slack for the wrapping)."""
        width = self.size.width or next(
            (a.content_region.width for a in self.ancestors_with_self
             if getattr(a, "content_region", None) and a.content_region.width), 60)
        return max(40, self.LINES * width - 8)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        if isinstance(content, str):
            content = safe(content, limit=FIELD)
            room = self._room()
            if len(content) > room:
                self._keep_whole(content)
                content = content[: room - len(self.MORE) - 1].rstrip() + "…" + self.MORE
        super().update(content, layout=layout)
        self.display = bool(content)

    def show_problems(self, problems: list[str], prefix: str = "Fix: ") -> None:
        """``prefix`` and the problems ("Duration: expected ..."), or, when they take
        more than two lines, the fields' names only (each field is marked, and says what
        it expects at it)."""
        if not problems:
            self.update("")
            return
        text = prefix + "; ".join(problems)
        if len(text) > self._room():
            text = prefix + "; ".join(p.split(": expected", 1)[0] for p in problems)
        self.update(text)

    def _keep_whole(self, text: str) -> None:
        """The whole message in the run's events (``e``), once per distinct text."""
        app = self.app
        events = getattr(getattr(app, "ctx", None), "events", None)
        if events is None:
            return
        last = events.last()
        if last is None or last.text != text:
            events.add("error" if self.id == "form-error" else "warning", text)


class ConfirmScreen(ModalScreen[bool]):
    """Destructive actions ask first. y / enter confirms, n / esc cancels."""

    BINDINGS = [
        Binding("y", "confirm", "Yes", id="confirm.yes"),
        Binding("n,escape", "cancel", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, *, confirm_label: str = "OK") -> None:
        super().__init__()
        self._question = safe(question, limit=LINE, newlines=True)  # quotes ids and names
        self._confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Static(self._question, id="confirm-question", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"{self._confirm_label} (y)", variant="error", id="yes")
                yield Button("Cancel (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        self.dismiss(False)


def _kv_table(rows: list[tuple[str, str | Text]]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows:  # keys and values come from the API: safe text, never markup
        table.add_row(Text(safe(key, limit=CELL)),
                      value if isinstance(value, Text) else Text(safe(value, limit=FIELD)))
    return table


class DetailPane(VerticalScroll):
    """Right-hand detail of the row under the cursor; credentials always masked."""

    DEFAULT_CSS = """
    DetailPane { display: none; width: 46; max-width: 60%; border-left: solid $primary; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-body")

    def _show(self, title: str, rows: list[tuple[str, str | Text]]) -> None:
        body = self.query_one("#detail-body", Static)
        grid = Table.grid()
        grid.add_row(Text(safe(title, limit=CELL), style="bold underline"))
        grid.add_row(_kv_table(rows))
        body.update(grid)

    def show_record(self, title: str, fields: Sequence[Field[Any]], record: Any, *,
                    extra: Iterable[tuple[str, str | Text]] = ()) -> None:
        """A record's detail fields (the catalogue's labels and detail text, unknown
        values left out), then ``extra`` rows; every value made safe."""
        if record is None:
            self._show(f"No {title.lower()} selected", [])
            return
        rows: list[tuple[str, str | Text]] = [*details(fields, record, self.app.now())]
        rows.extend(extra)
        self._show(title, rows)

    def show_session(self, session: Session | None) -> None:
        """The session's fields, then its credentials (always masked)."""
        masked = session.credentials.masked() if session is not None else {}
        self.show_record("Session", SESSION_FIELDS, session,
                         extra=[(key, str(value)) for key, value in masked.items()])


class DialogBody(VerticalScroll):
    """A dialog's scrolling body whose :class:`DialogFoot` (Create / Cancel) is docked at
    its bottom. Tab walks the fields in the order they are shown, then the foot's buttons;
    the body itself is no tab stop (nothing shows it focused), and a focused field is
    scrolled clear of the foot -- Textual counts a field under a docked widget as in view
    and left it hidden behind the buttons."""

    can_focus = False

    def on_descendant_focus(self, event: Any) -> None:
        widget = event.widget
        if any(isinstance(node, DialogFoot) for node in widget.ancestors):
            return  # docked: always in view
        # after the refresh that lays the field out (on mount it has no place yet)
        self.call_after_refresh(self._scroll_clear_of_foot, widget)

    def _scroll_clear_of_foot(self, widget: Any) -> None:
        if self.screen.focused is widget:
            self.scroll_to_widget(widget, animate=False)  # minds the docked foot


class DialogFoot(Vertical):
    """A dialog's foot (its problem line and buttons), docked under the fields
    (``.dialog-foot`` in app.tcss)."""

    def __init__(self, *children: Any, **kwargs: Any) -> None:
        super().__init__(*children, classes="dialog-foot", **kwargs)

    @property
    def _focus_sort_key(self) -> tuple[int, int]:
        # Textual orders the tab chain by position, and a docked foot sits above the
        # fields that scroll under it: the foot goes last, where it reads
        return (1 << 30, 0)
