"""The settings screen's form manners: what it has not saved, asked about before it is
left or the app quits, and the keys typed inside the form kept in the form.

- Leaving (1-5, h, P, the palette) or quitting (q, ctrl+q) with values the defaults do
  not hold yet asks first: save, discard (the form goes back to the saved defaults) or
  stay. The STT language and turn detection are applied live and never saved: they do
  not count.
- A letter or digit typed while a form control (a Select, a button) has focus stays in
  the form, as it does in a text field: it does not switch screens, open the history or
  quit (typing "https://..." on the Mode field opened the history at ``h``; ``q``
  quit at once). esc leaves the field for the voice list, where 1-5, q and the other
  app keys work again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static
from textual.widgets.select import InvalidSelectValueError

from ...config import SessionDefaults
from ...core.readonly import refusal
from ...core.text import CELL, LINE, safe

#: the unsaved-changes question's answers
SAVE, DISCARD, STAY = "save", "discard", "stay"


class UnsavedScreen(ModalScreen[str]):
    """Unsaved settings: save (s), discard (d) or stay (esc)."""

    BINDINGS = [
        Binding("s", "answer('save')", "Save", id="unsaved.save"),
        Binding("d", "answer('discard')", "Discard", id="unsaved.discard"),
        Binding("escape", "answer('stay')", "Stay", id="unsaved.stay"),
    ]

    def __init__(self, changes: list[str], *, can_save: bool, going: str) -> None:
        super().__init__()
        self._changes = changes
        self._can_save = can_save
        self._going = going

    def compose(self) -> ComposeResult:
        text = (f"Settings not saved: {'; '.join(self._changes)}.\n"
                f"Save them as the defaults of new sessions before {self._going}?")
        if not self._can_save:
            text += "\n(This profile is read-only: they cannot be saved.)"
        with Vertical(id="unsaved-box", classes="dialog"):
            yield Static(safe(text, limit=LINE, newlines=True), id="unsaved-question",
                         markup=False)
            with Horizontal(classes="buttons"):
                if self._can_save:
                    yield Button("Save (s)", variant="primary", id=SAVE, compact=True)
                yield Button("Discard (d)", variant="error", id=DISCARD, compact=True)
                yield Button("Stay (esc)", id=STAY, compact=True)

    def on_mount(self) -> None:
        self.query_one(f"#{STAY}", Button).focus()

    def action_answer(self, answer: str) -> None:
        if answer == SAVE and not self._can_save:
            return
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id or STAY)


def _text(value: object) -> str:
    return safe(str(value) if value not in ("", None) else "none", limit=CELL)


class LeaveGuard:
    """The settings screen's part: ``ask_before_leaving`` (called by the app) and the
    form's keys (``on_key``). Mixed into :class:`.settings.SettingsScreen`."""

    app: object
    _voice: str

    # -- what is not saved ---------------------------------------------------------

    def unsaved_changes(self) -> list[str]:
        """The saved fields whose value on screen differs from the defaults, as
        "Language en → fr" (empty: nothing to lose)."""
        d: SessionDefaults = self.app.config.defaults  # type: ignore[attr-defined]
        query = self.query_one  # type: ignore[attr-defined]

        def choice(select_id: str) -> object:
            select = query(select_id, Select)
            return "" if select.is_blank() else select.value

        speed_text = query("#speed", Input).value.strip()
        try:
            speed_same = float(speed_text) == float(d.speed)
        except ValueError:
            speed_same = False
        found = []
        for label, now, saved in (
                ("Voice", self._voice, d.voice_id),
                ("Language", choice("#lang"), d.language),
                ("Mode", choice("#mode"), d.mode_type),
                ("Background", query("#bgurl", Input).value.strip(), d.background_url),
                ("Knowledge", choice("#knowledge"), d.knowledge_id)):
            if now != saved:
                found.append(f"{label} {_text(saved)} → {_text(now)}")
        if not speed_same:
            found.append(f"Speed {d.speed:g} → {_text(speed_text)}")
        return found

    def discard_changes(self) -> None:
        """The saved fields back to the defaults (the live-only ones are left)."""
        d: SessionDefaults = self.app.config.defaults  # type: ignore[attr-defined]
        query = self.query_one  # type: ignore[attr-defined]
        self._voice = d.voice_id
        self._show_voice()  # type: ignore[attr-defined]
        for select_id, value in (("#lang", d.language), ("#mode", d.mode_type),
                                 ("#knowledge", d.knowledge_id)):
            select = query(select_id, Select)
            with contextlib.suppress(InvalidSelectValueError):  # not among the choices
                if value in ("", None):
                    select.clear()
                else:
                    select.value = value
        query("#bgurl", Input).value = d.background_url
        query("#speed", Input).value = f"{d.speed:g}"

    # -- leaving ------------------------------------------------------------------------

    def ask_before_leaving(self, go: Callable[[], object], *, going: str = "leaving") -> None:
        """``go()`` now when nothing is unsaved; else after the user's answer."""
        if isinstance(self.app.screen, UnsavedScreen):  # type: ignore[attr-defined]
            return  # asked already: the question waits for its answer
        changes = self.unsaved_changes()
        if not changes:
            go()
            return
        can_save = refusal(self.app.config, "config.write") is None  # type: ignore[attr-defined]

        def answered(answer: str | None) -> None:
            if answer == DISCARD:
                self.discard_changes()
                go()
            elif answer == SAVE:
                self.save_then(go)  # type: ignore[attr-defined]

        self.app.push_screen(  # type: ignore[attr-defined]
            UnsavedScreen(changes, can_save=can_save, going=going), answered)

    # -- keys typed inside the form --------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """A printable key bound only by the app (1-5, q, h, P, e) is kept in the form
        while a control other than the voice list has focus, as a text field keeps it."""
        focused = self.app.focused  # type: ignore[attr-defined]
        if (not event.is_printable or focused is None or focused.id == "voice-list"
                or isinstance(focused, Input)):
            return
        active = self.app.screen.active_bindings.get(event.key)  # type: ignore[attr-defined]
        if active is not None and active.node is self.app:
            event.stop()
            event.prevent_default()
            if getattr(self, "_hinted", None) is not focused:
                self._hinted = focused
                self.app.notify(  # type: ignore[attr-defined]
                    "Keys typed here stay in the form: esc leaves the field "
                    "(then 1-5 switch screens, q quits)", timeout=4)
