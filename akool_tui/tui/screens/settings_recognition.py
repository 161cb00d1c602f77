"""The settings screen's speech recognition fields, changed live with set-params:
the STT language and turn detection (type; threshold, prefix padding and silence only
with server_vad -- disabled otherwise, each checked as typed by
:mod:`akool_tui.core.live_params`). Not saved: new sessions take theirs from the
new-session dialog and the config."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from ...core.live_params import CHECKS as TURN_CHECKS
from ...core.live_params import TURN_TYPES, turn_detection_params
from ...core.text import CELL, safe
from ..validation import FieldValidator
from ..widgets.safe_input import SafeInput
from .settings_voices import VoiceField

#: the turn detection choices ("": none sent, the session keeps its own)
TURNS = [("not sent", ""), *((t, t) for t in TURN_TYPES)]
#: the turn detection fields' configured defaults ([defaults] keys)
TURN_DEFAULTS = {"threshold": "turn_threshold", "prefix_padding_ms": "turn_prefix_padding_ms",
                 "silence_duration_ms": "turn_silence_duration_ms"}
#: the turn detection fields (only with server_vad) and their placeholders
TURN_FIELDS = {"threshold": "threshold 0.5", "prefix_padding_ms": "prefix 300 ms",
               "silence_duration_ms": "silence 500 ms"}


class RecognitionFields(VoiceField):
    """The settings screen's base: STT language and turn detection (on the voice field)."""

    def _compose_recognition(self) -> ComposeResult:
        """Speech recognition, changed live with set-params (not saved: new sessions
        take theirs from the new-session dialog). Each starts from the configured
        default, so that Apply at once sends the user's values, not the service's."""
        d = self.app.config.defaults
        stt = d.stt_language  # shown until the language list comes
        with Horizontal(classes="field"):
            yield Label("STT lang", classes="field-label")
            with Vertical(classes="field-body"):
                yield Select([(Text(safe(stt, limit=CELL)), stt)] if stt else [],
                             value=stt or Select.NULL, prompt="not sent (the session's own)",
                             id="stt-lang", compact=True)
        with Horizontal(classes="field"):
            yield Label("Turns", classes="field-label")
            with Vertical(classes="field-body"):
                with Horizontal(id="turn-row"):
                    kind = d.turn_detection if d.turn_detection in TURN_TYPES else ""
                    yield Select(TURNS, value=kind, allow_blank=False, id="turn-type",
                                 compact=True)
                    for name, placeholder in TURN_FIELDS.items():
                        value = getattr(d, TURN_DEFAULTS[name])
                        yield SafeInput("" if value is None else f"{value:g}",
                                        placeholder=placeholder, id=name, compact=True,
                                        disabled=kind != "server_vad",
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


    def _live_unsaved(self) -> bool:
        """Whether the STT language or turn detection on screen differ from the
        configured defaults (Save does not keep them: it says so)."""
        d = self.app.config.defaults
        texts = {name: "" if getattr(d, key) is None else f"{getattr(d, key):g}"
                 for name, key in TURN_DEFAULTS.items()}
        turn, _problems = turn_detection_params(
            d.turn_detection if d.turn_detection in TURN_TYPES else "", **texts)
        return self._live_vparams() != {"stt_language": d.stt_language or None,
                                        "turn_detection": turn}
