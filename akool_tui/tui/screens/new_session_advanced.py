"""The new-session dialog's "Advanced" section: the whole ``voice_params``, the scene
mode and a bring-your-own room. The rules are core's (:mod:`akool_tui.core.session_options`);
this module lays the fields out, shows only those that apply (by scene mode, turn
detection type and stream type) and reads them back as create overrides.

A field that does not apply is hidden (its group's ``display`` is off) and is neither
checked nor sent; every field that applies is, even while the section is collapsed
(its values start as the configured defaults). Secrets (the ElevenLabs key, tokens,
user sigs, app ids) are password inputs.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select

from ...config import SessionDefaults
from ...core import session_options as so
from ..validation import FieldValidator
from ..widgets.safe_input import SafeInput
from .common import ErrorLabel

DEFAULT = "(the service's default)"
#: how the pron_map rows are numbered in widget ids
MAX_PRON_ROWS = so.PRON_MAX_ENTRIES


def _text(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def field(label: str, wid: str, value: str = "", check=None, *, password: bool = False,
          placeholder: str = "") -> ComposeResult:
    """A labelled input on one row, its inline problem under it."""
    with Horizontal(classes="opt-row"):
        yield Label(label, classes="opt-label")
        yield SafeInput(value, id=wid, name=label, compact=True, password=password,
                        placeholder=placeholder,
                        validators=[FieldValidator(check)] if check else [])
    yield ErrorLabel(id=f"{wid}-error")


def choice(label: str, wid: str, options: list[tuple[str, Any]], value: Any) -> ComposeResult:
    with Horizontal(classes="opt-row"):
        yield Label(label, classes="opt-label")
        yield Select(options, value=value, allow_blank=False, id=wid, compact=True)


def _credential_check(key: str):
    return lambda text: so.check_credential(key, text)


class OptionsChanged(Message):
    """Which fields apply changed (scene mode, turn type, own room)."""


class PronRow(Horizontal):
    """One pron_map entry: the word, how to say it, and a remove button."""

    def __init__(self, n: int, word: str = "", said: str = "", *, position: int = 1) -> None:
        super().__init__(classes="pron-row")
        self.n, self.word, self.said = n, word, said
        self.position = position  # 1 for the first row shown: the words a Fix: line uses

    def compose(self) -> ComposeResult:
        yield SafeInput(self.word, id=f"pron-word-{self.n}", compact=True, placeholder="word",
                        name=self._field_name("word"), validators=[FieldValidator(so.check_pron_text)])
        yield SafeInput(self.said, id=f"pron-said-{self.n}", compact=True,
                        placeholder="how to say it", name=self._field_name("how to say it"),
                        validators=[FieldValidator(so.check_pron_text)])
        yield Button("✕", id=f"pron-remove-{self.n}", classes="pron-remove", compact=True)

    def _field_name(self, part: str) -> str:
        return f"Pronunciation {self.position}, {part}"

    def renumber(self, position: int) -> None:
        """Another row went: this one's place, as a Fix: line names it."""
        self.position = position
        # (Textual's ``name`` has no setter; ``_name`` is what it reads)
        self.query_one(f"#pron-word-{self.n}", Input)._name = self._field_name("word")
        self.query_one(f"#pron-said-{self.n}", Input)._name = self._field_name("how to say it")


class AdvancedOptions(Vertical):
    """The section's fields (the screen puts them in a collapsed Collapsible); they
    start as the configured defaults."""

    DEFAULT_CSS = """
    AdvancedOptions { height: auto; }
    AdvancedOptions .opt-row, AdvancedOptions .pron-row { height: auto; }
    AdvancedOptions .opt-label { width: 22; }
    AdvancedOptions .opt-row Input, AdvancedOptions .opt-row Select { width: 1fr; }
    AdvancedOptions .pron-row Input { width: 1fr; }
    AdvancedOptions .pron-remove { min-width: 3; width: 3; margin-left: 1; }
    AdvancedOptions .group { height: auto; }
    AdvancedOptions .heading { margin-top: 1; text-style: bold; }
    AdvancedOptions .note { color: $text-muted; width: 1fr; }
    AdvancedOptions #pron-add { margin-left: 22; }
    """

    def __init__(self, defaults: SessionDefaults, stream_type: str) -> None:
        super().__init__(id="advanced-options")
        self.defaults = defaults
        self.stream_type = stream_type
        self._next_pron = 0

    def compose(self) -> ComposeResult:
        d = self.defaults
        fast_default = d.voice_id if d.voice_id in so.OPENAI_VOICES else ""
        yield from choice("Scene mode", "scene", [
            ("normal", ""), ("fast_dialogue (low latency, voice in)", so.FAST_DIALOGUE)],
            d.scene_mode if d.scene_mode in so.SCENE_MODES else "")
        with Vertical(id="fast-only", classes="group"):
            yield from choice("Preset voice", "fast-voice",
                              [(DEFAULT, ""), *((v, v) for v in so.OPENAI_VOICES)],
                              fast_default)
            yield Label("Voice List voices do not work with fast_dialogue; with "
                        "ElevenLabs settings the voice id above is ElevenLabs'.",
                        classes="note")
        with Vertical(id="normal-only", classes="group"):
            yield from field("Speed (0.8-1.2)", "speed", _text(d.speed), so.check_speed)
            yield from choice("STT type", "stt-type", [(DEFAULT, ""), *((t, t) for t in
                                                                      so.STT_TYPES)],
                              d.stt_type if d.stt_type in so.STT_TYPES else "")
            yield Label("Pronunciations (word → how to say it)", classes="heading")
            yield Vertical(id="pron-rows", classes="group")
            yield Button("+ word", id="pron-add", compact=True)
        yield from field("STT language", "stt-language", d.stt_language,
                         so.check_stt_language, placeholder="e.g. en or en-US")
        yield Label("Turn detection", classes="heading")
        yield from choice("Type", "turn-type", [(DEFAULT, ""), *((t, t) for t in
                                                                 so.TURN_TYPES)],
                          d.turn_detection if d.turn_detection in so.TURN_TYPES else "")
        with Vertical(id="server-vad-only", classes="group"):
            yield from field("Threshold (0-1)", "turn-threshold", _text(d.turn_threshold),
                             so.check_unit, placeholder="0.5")
            yield from field("Prefix padding ms", "turn-prefix",
                             _text(d.turn_prefix_padding_ms), so.check_ms, placeholder="300")
            yield from field("Silence ms", "turn-silence",
                             _text(d.turn_silence_duration_ms), so.check_ms,
                             placeholder="500")
        yield Label("ElevenLabs voice", classes="heading")
        yield from field("API key", "eleven-key", d.elevenlabs_api_key, password=True,
                         placeholder="your ElevenLabs key (a secret)")
        yield Checkbox("Save this key as my default (config file, mode 0600)",
                       id="eleven-save", compact=True)
        yield from field("Model id", "eleven-model", d.elevenlabs_model_id,
                         placeholder="e.g. eleven_flash_v2_5")
        for key, label in (("stability", "Stability (0-1)"),
                           ("similarity_boost", "Similarity (0-1)"),
                           ("style", "Style (0-1)")):
            yield from field(label, f"eleven-{key.replace('_', '-')}",
                             _text(getattr(d, f"elevenlabs_{key}")), so.check_unit)
        boost = d.elevenlabs_speaker_boost
        yield from choice("Speaker boost", "eleven-boost",
                          [(DEFAULT, ""), ("on", "on"), ("off", "off")],
                          "" if boost is None else "on" if boost else "off")
        yield Label("Your own room", classes="heading")
        yield Checkbox("Bring my own room (the avatar joins it)", id="byo", compact=True)
        yield Label("", id="byo-note", classes="note")
        for stream, keys in so.BYO_FIELDS.items():
            with Vertical(id=f"byo-{stream}", classes="group byo"):
                for key, (_, secret) in keys.items():
                    yield from field(key, f"byo-{key.replace('_', '-')}",
                                     check=_credential_check(key), password=secret)

    def on_mount(self) -> None:
        self.sync()

    # -- which fields apply ----------------------------------------------------------

    def value_of(self, wid: str) -> Any:
        widget = self.query_one(f"#{wid}")
        return widget.value

    @property
    def fast(self) -> bool:
        return self.value_of("scene") == so.FAST_DIALOGUE

    @property
    def byo(self) -> bool:
        return bool(self.query_one("#byo", Checkbox).value) and self.stream_type in so.BYO_FIELDS

    def sync(self) -> None:
        """Show what applies: fast_dialogue's or the normal mode's fields, server_vad's
        numbers, the chosen stream type's credentials."""
        fast = self.fast
        self.query_one("#fast-only").display = fast
        # with ElevenLabs the voice is ElevenLabs' (typed in the dialog's voice field)
        self.query_one("#fast-voice").parent.display = not self.eleven_key
        self.query_one("#normal-only").display = not fast
        self.query_one("#server-vad-only").display = self.value_of("turn-type") == "server_vad"
        can_bring = self.stream_type in so.BYO_FIELDS
        byo = self.query_one("#byo", Checkbox)
        byo.disabled = not can_bring
        note = self.query_one("#byo-note", Label)
        note.update("" if can_bring else f"The {self.stream_type} channel is the simulator's "
                                         "own: no room can be brought to it.")
        note.display = not can_bring
        for stream in so.BYO_FIELDS:
            self.query_one(f"#byo-{stream}").display = self.byo and stream == self.stream_type
        self.screen.post_message(OptionsChanged())

    def applies(self, widget: Widget) -> bool:
        """Whether ``widget`` is in a group shown now (collapsing does not count)."""
        for node in widget.ancestors:
            if node is self:
                return True
            if isinstance(node, Vertical) and "group" in node.classes and not node.display:
                return False
        return True

    @on(Select.Changed, "#scene, #turn-type")
    @on(Checkbox.Changed, "#byo")
    def _changed(self) -> None:
        self.sync()

    @on(Input.Changed, "#eleven-key")
    def _key_changed(self, event: Input.Changed) -> None:
        if bool(event.value.strip()) != getattr(self, "_had_key", None):
            self._had_key = bool(event.value.strip())
            self.sync()

    def set_stream_type(self, stream_type: str) -> None:
        self.stream_type = stream_type
        self.sync()

    # -- pron_map rows ---------------------------------------------------------------

    def add_pron(self, word: str = "", said: str = "") -> PronRow | None:
        rows = self.query_one("#pron-rows")
        if len(rows.children) >= MAX_PRON_ROWS:
            self.notify(f"At most {MAX_PRON_ROWS} words", severity="warning")
            return None
        row = PronRow(self._next_pron, word, said, position=len(rows.children) + 1)
        self._next_pron += 1
        rows.mount(row)
        return row

    @on(Button.Pressed, "#pron-add")
    def _add_pron(self, event: Button.Pressed) -> None:
        event.stop()
        row = self.add_pron()
        if row is not None:
            self.call_after_refresh(lambda: row.query_one(Input).focus())

    @on(Button.Pressed, ".pron-remove")
    def _remove_pron(self, event: Button.Pressed) -> None:
        event.stop()
        row = event.button.parent
        if isinstance(row, PronRow):
            row.remove()
            for position, other in enumerate((r for r in self.query(PronRow) if r is not row),
                                             1):
                other.renumber(position)

    def pron_map(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for row in self.query(PronRow):
            word = row.query_one(f"#pron-word-{row.n}", Input).value.strip()
            said = row.query_one(f"#pron-said-{row.n}", Input).value.strip()
            if word or said:
                out[word] = said
        return out

    # -- values ----------------------------------------------------------------------

    def text(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value.strip()

    def _number(self, wid: str, kind=float) -> Any:
        text = self.text(wid)
        try:
            return kind(text) if text else None
        except ValueError:
            return None

    def overrides(self) -> dict[str, Any]:
        """The section's create overrides: ``scene_mode``, ``voice_params`` (a key set
        to None: cleared, so the configured default is not sent either) and
        ``credentials``. Fields that do not apply are left out (None)."""
        fast = self.fast
        td: dict[str, Any] | None = None
        if (kind := self.value_of("turn-type")):
            td = {"type": kind}
            if kind == "server_vad":
                for key, wid, conv in (("threshold", "turn-threshold", float),
                                       ("prefix_padding_ms", "turn-prefix", int),
                                       ("silence_duration_ms", "turn-silence", int)):
                    if (value := self._number(wid, conv)) is not None:
                        td[key] = value
        boost = self.value_of("eleven-boost")
        es = {"api_key": self.text("eleven-key") or None,
              "model_id": self.text("eleven-model") or None,
              "stability": self._number("eleven-stability"),
              "similarity_boost": self._number("eleven-similarity-boost"),
              "style": self._number("eleven-style"),
              "use_speaker_boost": None if not boost else boost == "on"}
        vp: dict[str, Any] = {
            "stt_language": self.text("stt-language") or None,
            "turn_detection": td,
            "elevenlabs_settings": es if any(v is not None for v in es.values()) else None,
            "speed": None if fast else self._number("speed"),
            "stt_type": None if fast else self.value_of("stt-type") or None,
            "pron_map": None if fast else self.pron_map() or None,
        }
        credentials = None
        if self.byo:
            credentials = {key: self.text(f"byo-{key.replace('_', '-')}")
                           for key in so.BYO_FIELDS[self.stream_type]}
        return {"scene_mode": so.FAST_DIALOGUE if fast else "", "voice_params": vp,
                "credentials": credentials, "speed": None}

    @property
    def eleven_key(self) -> str:
        return self.text("eleven-key")

    @property
    def save_key(self) -> bool:
        return bool(self.query_one("#eleven-save", Checkbox).value)
