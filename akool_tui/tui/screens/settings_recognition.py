"""The settings screen's speech recognition fields, changed live with set-params:
the STT language and turn detection (type; threshold, prefix padding and silence only
with server_vad -- disabled otherwise, each checked as typed by
:mod:`akool_tui.core.live_params`). Not saved: new sessions take theirs from the
new-session dialog and the config."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from ...core.live_params import CHECKS as TURN_CHECKS
from ...core.live_params import TURN_TYPES, turn_detection_params
from ..validation import FieldValidator
from ..widgets.safe_input import SafeInput
from .settings_voices import VoiceField

#: the turn detection choices ("": none sent, the session keeps its own)
TURNS = [("not sent", ""), *((t, t) for t in TURN_TYPES)]
#: the turn detection fields (only with server_vad) and their placeholders
TURN_FIELDS = {"threshold": "threshold 0.5", "prefix_padding_ms": "prefix 300 ms",
               "silence_duration_ms": "silence 500 ms"}


class RecognitionFields(VoiceField):
    """The settings screen's base: STT language and turn detection (on the voice field)."""

    def _compose_recognition(self) -> ComposeResult:
        """Speech recognition, changed live with set-params (not saved: new sessions
        take theirs from the new-session dialog)."""
        with Horizontal(classes="field"):
            yield Label("STT lang", classes="field-label")
            with Vertical(classes="field-body"):
                yield Select([], prompt="not sent (the session's own)", id="stt-lang",
                             compact=True)
        with Horizontal(classes="field"):
            yield Label("Turns", classes="field-label")
            with Vertical(classes="field-body"):
                with Horizontal(id="turn-row"):
                    yield Select(TURNS, value="", allow_blank=False, id="turn-type",
                                 compact=True)
                    for name, placeholder in TURN_FIELDS.items():
                        yield SafeInput("", placeholder=placeholder, id=name, compact=True,
                                        disabled=True,
                                        validators=[FieldValidator(TURN_CHECKS[name])])
                yield Static("", id="turn-error", classes="error -empty", markup=False)
                yield Static("turn detection; threshold, prefix and silence only with "
                             "server_vad · both applied live, not saved", classes="field-hint",
                             markup=False)

    @on(Select.Changed, "#turn-type")
    def _turn_type_changed(self, event: Select.Changed) -> None:
        """threshold and the durations apply only with server_vad: disabled otherwise."""
        server_vad = event.value == "server_vad"
        for name in TURN_FIELDS:
            self.query_one(f"#{name}", Input).disabled = not server_vad
        if not server_vad:
            self._show_problem("threshold", None)
        else:
            for name in TURN_FIELDS:
                if self._check(name):
                    break

    def _turn_fields_checked(self) -> list[str]:
        """The turn detection fields that are wrong (checked only with server_vad)."""
        if self.query_one("#turn-type", Select).value != "server_vad":
            return []
        return [name for name in TURN_FIELDS if self._check(name)]

    def _live_vparams(self) -> dict[str, object]:
        """STT language and turn detection for set-params' vparams (valid: checked by
        :meth:`_values` first); empty choices are left out."""
        stt = self.query_one("#stt-lang", Select).value
        kind = self.query_one("#turn-type", Select).value
        turn, _problems = turn_detection_params(
            kind if isinstance(kind, str) else "",
            **{name: self.query_one(f"#{name}", Input).value for name in TURN_FIELDS})
        return {"stt_language": stt if isinstance(stt, str) else None,
                "turn_detection": turn}

