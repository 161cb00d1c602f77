"""The new-session dialog's "Advanced" section: the whole ``voice_params``, the scene
mode and a bring-your-own room. The rules are core's (:mod:`akool_tui.core.session_options`);
this module lays the fields out, shows only those that apply (by scene mode, turn
detection type and stream type) and reads them back as create overrides.

A field that does not apply is hidden (its group's ``display`` is off) and is neither
checked nor sent; every field that applies is, even while the section is collapsed
(its values start as the configured defaults). Secrets (the ElevenLabs key, tokens,
user sigs, app ids) are password inputs.

The fields (about 200 widgets) are built on the section's first expand
(:meth:`AdvancedOptions.build`): built with the dialog, they took most of its 0.6-1 s
to appear. Until then the section answers from the configured defaults
(:func:`initial_values`), checked by the same rules under the same labels
(:data:`CHECKED`), so a Fix: line names a wrong default as the field would.
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
from ...core.text import FIELD, safe
from .new_session_values import CHECKED, groups_shown, initial_values
from ..validation import FieldValidator
from ..widgets.safe_input import SafeInput
from .common import ErrorLabel

DEFAULT = "(the service's default)"
#: how the pron_map rows are numbered in widget ids
MAX_PRON_ROWS = so.PRON_MAX_ENTRIES


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
    start as the configured defaults and are built by :meth:`build`."""

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
        self._initial = initial_values(defaults)
        #: build() started (the fields are being mounted) / done (they are there)
        self.building = False
        self.built = False

    async def build(self) -> None:
        """Mount the fields (once; the section's first expand), then show what applies."""
        if self.building:
            return
        self.building = True
        await self.recompose()
        self.built = True
        self.sync()

    def _checked(self, wid: str, **kwargs: Any) -> ComposeResult:
        label, check, _ = CHECKED[wid]
        yield from field(label, wid, self._initial[wid], check, **kwargs)

    def compose(self) -> ComposeResult:
        if not self.building:
            return
        v = self._initial
        yield from choice("Scene mode", "scene", [
            ("normal", ""), ("fast_dialogue (low latency, voice in)", so.FAST_DIALOGUE)],
            v["scene"])
        with Vertical(id="fast-only", classes="group"):
            yield from choice("Preset voice", "fast-voice",
                              [(DEFAULT, ""), *((v, v) for v in so.OPENAI_VOICES)],
                              v["fast-voice"])
            yield Label("Voice List voices do not work with fast_dialogue; with "
                        "ElevenLabs settings the voice id above is ElevenLabs'.",
                        classes="note")
        with Vertical(id="normal-only", classes="group"):
            yield from self._checked("speed")
            yield from choice("STT type", "stt-type", [(DEFAULT, ""), *((t, t) for t in
                                                                      so.STT_TYPES)],
                              v["stt-type"])
            yield Label("Pronunciations (word → how to say it)", classes="heading")
            yield Vertical(id="pron-rows", classes="group")
            yield Button("+ word", id="pron-add", compact=True)
        yield from self._checked("stt-language", placeholder="e.g. en or en-US")
        yield Label("Turn detection", classes="heading")
        yield from choice("Type", "turn-type", [(DEFAULT, ""), *((t, t) for t in
                                                                 so.TURN_TYPES)],
                          v["turn-type"])
        with Vertical(id="server-vad-only", classes="group"):
            yield from self._checked("turn-threshold", placeholder="0.5")
            yield from self._checked("turn-prefix", placeholder="300")
            yield from self._checked("turn-silence", placeholder="500")
        yield Label("ElevenLabs voice", classes="heading")
        yield from field("API key", "eleven-key", v["eleven-key"], password=True,
                         placeholder="your ElevenLabs key (a secret)")
        yield Checkbox("Save this key as my default (config file, mode 0600)",
                       id="eleven-save", compact=True)
        yield from field("Model id", "eleven-model", v["eleven-model"],
                         placeholder="e.g. eleven_flash_v2_5")
        for wid in ("eleven-stability", "eleven-similarity-boost", "eleven-style"):
            yield from self._checked(wid)
        yield from choice("Speaker boost", "eleven-boost",
                          [(DEFAULT, ""), ("on", "on"), ("off", "off")], v["eleven-boost"])
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
        if not self.built:
            return self._initial[wid]
        widget = self.query_one(f"#{wid}")
        return widget.value

    @property
    def fast(self) -> bool:
        return self.value_of("scene") == so.FAST_DIALOGUE

    @property
    def byo(self) -> bool:
        return bool(self.value_of("byo")) and self.stream_type in so.BYO_FIELDS

    def sync(self) -> None:
        """Show what applies: fast_dialogue's or the normal mode's fields, server_vad's
        numbers, the chosen stream type's credentials."""
        if self.built:
            for group, shown in groups_shown(self.value_of, self.stream_type).items():
                self.query_one(f"#{group}").display = shown
            # with ElevenLabs the voice is ElevenLabs' (typed in the dialog's voice field)
            self.query_one("#fast-voice").parent.display = not self.eleven_key
            can_bring = self.stream_type in so.BYO_FIELDS
            self.query_one("#byo", Checkbox).disabled = not can_bring
            note = self.query_one("#byo-note", Label)
            note.update("" if can_bring else f"The {self.stream_type} channel is the "
                                             "simulator's own: no room can be brought to it.")
            note.display = not can_bring
        self.screen.post_message(OptionsChanged())

    def applies(self, widget: Widget) -> bool:
        """Whether ``widget`` is in a group shown now (collapsing does not count)."""
        for node in widget.ancestors:
            if node is self:
                return True
            if isinstance(node, Vertical) and "group" in node.classes and not node.display:
                return False
        return True

    def unbuilt_problems(self) -> list[tuple[str, str]]:
        """Before :meth:`build`: ``(label, problem)`` for each configured default that
        applies and its field would refuse (none once built: the fields say it)."""
        if self.built:
            return []
        shown = groups_shown(self.value_of, self.stream_type)
        return [(label, text) for wid, (label, check, group) in CHECKED.items()
                if (group is None or shown[group])
                and (text := check(safe(str(self._initial[wid]), limit=FIELD)))]

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
        if not self.built:
            return out
        for row in self.query(PronRow):
            word = row.query_one(f"#pron-word-{row.n}", Input).value.strip()
            said = row.query_one(f"#pron-said-{row.n}", Input).value.strip()
            if word or said:
                out[word] = said
        return out

    # -- values ----------------------------------------------------------------------

    def text(self, wid: str) -> str:
        if not self.built:
            return safe(str(self._initial[wid]), limit=FIELD).strip()
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
        return bool(self.value_of("eleven-save"))
