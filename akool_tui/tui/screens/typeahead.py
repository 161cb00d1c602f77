"""Keys typed into a dialog before it is on screen. An operator who types `n` then
`600` quickly gets 600 in the new-session dialog's first field: the keys typed between
the `n` and the dialog's first focus were lost (the dialog had no focused field yet) or,
worse, acted on the screen beneath (1-5 switch screens there).

Two ways a key can arrive early, both kept in order and given to the first field:

- the app forwards it to the dialog itself while nothing in it has the focus: the
  dialog (:class:`TypeAhead`) keeps it until its first field has the focus, then replays
  it there;
- it was already queued at the screen beneath (typed before the `n` was acted on), and
  reaches the app once the dialog is up: the main screen marks it
  (:func:`mark_typed_on`) and the app hands it to the dialog (:class:`TypeAheadApp`)
  instead of running its own bindings.
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen
from textual.widget import Widget


def _copy(event: events.Key) -> events.Key:
    return events.Key(event.key, event.character)


class TypeAhead:
    """A dialog screen mixin: call :meth:`focus_first` from ``on_mount`` (instead of
    focusing the field); keys that reach the screen before then go to that field."""

    #: "keep" (nothing focused yet), "pass" (focused; keys queued before still arrive),
    #: "done" (keys go where the focus is, as in any screen)
    _typeahead = "keep"
    _kept: list[events.Key] | None = None

    def focus_first(self, field: Widget) -> None:
        """Focus ``field`` after the keys already queued here, then replay them to it."""
        self.call_later(self._take_first_focus, field)  # type: ignore[attr-defined]

    def _take_first_focus(self, field: Widget) -> None:
        self.set_focus(field, scroll_visible=False)  # type: ignore[attr-defined]
        for key in self._kept or ():
            field.post_message(key)
        self._kept = None
        self._typeahead = "pass"
        # keys forwarded here before the focus was set are still queued: after them, done
        self.call_later(self._typeahead_done)  # type: ignore[attr-defined]

    def _typeahead_done(self) -> None:
        self._typeahead = "done"

    def take_key(self, event: events.Key) -> None:
        """A key typed for this dialog that went to the screen beneath it."""
        focused = self.focused  # type: ignore[attr-defined]
        if self._typeahead == "done" and focused is not None:
            focused.post_message(_copy(event))
        else:  # kept, or passed on after those kept (on_key)
            self.post_message(_copy(event))  # type: ignore[attr-defined]

    def on_key(self, event: events.Key) -> None:
        if self._typeahead == "done":
            return
        event.stop()
        event.prevent_default()
        focused = self.focused  # type: ignore[attr-defined]
        if self._typeahead == "pass" and focused is not None:
            focused.post_message(_copy(event))
        else:
            if self._kept is None:
                self._kept = []
            self._kept.append(_copy(event))


def mark_typed_on(screen: Screen, event: events.Key) -> None:
    """On a main screen: ``event`` was typed while this screen's widgets had the focus
    (:class:`TypeAheadApp` reads it when the key reaches the app)."""
    event.typed_on = screen  # type: ignore[attr-defined]


class TypeAheadApp:
    """The app mixin: a key typed on a screen that a :class:`TypeAhead` dialog now
    covers (typed right after the key that opened it, and still queued when the dialog
    came) is the dialog's -- never the app's bindings' (1-5 switched screens)."""

    def on_key(self, event: events.Key) -> None:
        origin = getattr(event, "typed_on", None)
        top = self.screen  # type: ignore[attr-defined]
        if origin is not None and origin is not top and isinstance(top, TypeAhead):
            event.stop()
            event.prevent_default()  # the app's own key handling (its bindings) too
            top.take_key(event)
