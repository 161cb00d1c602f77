"""The settings screen's voice field: the search, the filters (gender, age, style,
scenario: their choices come from the voices loaded), the list (name, locale, gender,
cloned or AKool's, the model, the id) and the voice chosen."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from ...api.models import Voice
from ...core.scene import SceneRules, scene_rules
from ...core.text import CELL, LINE, safe
from .base import MainScreen
from ..widgets.voice_picker import (FILTERS, VoiceList, VoiceSearch, filter_values,
                                    model_label, no_match_option, voice_label, voice_matches,
                                    voice_passes)

#: the voice option meaning "the avatar's own voice" (no vid sent)
NO_VOICE = "-"


class VoiceField(MainScreen):
    """The settings screen's base: the voice picker and the voice chosen (a screen
    class, so that its ``@on`` handlers are registered)."""

    _voices: list[Voice]
    _voice: str

    @property
    def rules(self) -> SceneRules:
        """The configured scene mode's rules (the new-session dialog's and the CLI's)."""
        return scene_rules(self.app.config.defaults)

    def preset_voices(self) -> list[Voice]:
        """fast_dialogue's voices, in the list's shape (empty: the Voice List applies)."""
        return [Voice(voice_id=v, name=v, model_name="OpenAI preset")
                for v in self.rules.presets or ()]

    def compose_voice(self) -> ComposeResult:
        fast = self.rules.fast
        with Horizontal(classes="field"):
            yield Label("Voice", classes="field-label")
            with Vertical(classes="field-body"):
                if fast:
                    yield Static("scene mode fast_dialogue ([defaults] scene_mode): the voice "
                                 "is one of its presets" + (" (ElevenLabs: a voice id)" if
                                                           self.rules.elevenlabs else "")
                                 + "; speed does not apply", id="scene-hint",
                                 classes="field-hint", markup=False)
                yield VoiceSearch(placeholder="search voices: name, language, gender, style, "
                                  "id (ctrl+f)", id="voice-filter", compact=True)
                with Horizontal(id="voice-facets") as row:
                    row.display = not fast  # the presets have no gender, age, style
                    for name in FILTERS:
                        yield Select([], prompt=name, id=f"facet-{name}",
                                     compact=True, classes="facet")
                yield VoiceList(id="voice-list")
                yield Static("", id="voice-current", markup=False)

    def _fill_facets(self) -> None:
        """Each filter's choices from the voices loaded (the choice made is kept)."""
        for name, values in filter_values(self._voices).items():
            select = self.query_one(f"#facet-{name}", Select)
            current = select.value
            with self.prevent(Select.Changed):
                select.set_options([(Text(safe(v, limit=CELL)), v) for v in values])
                if isinstance(current, str) and current in values:
                    select.value = current

    def _facets(self) -> dict[str, str]:
        chosen = {}
        for name in FILTERS:
            value = self.query_one(f"#facet-{name}", Select).value
            chosen[name] = value if isinstance(value, str) else ""
        return chosen

    def _fill_voices(self, query: str | None = None) -> None:
        if query is None:
            query = self.query_one("#voice-filter", Input).value
        facets = self._facets()
        # option ids are our own ("v<index>"), never the server's string: ids must be
        # unique in the list, and a voice id is outside text
        options = [Option("(the service's default preset)" if self.rules.fast
                          else "(the avatar's own voice)", id=NO_VOICE)]
        options += [Option(Text(voice_label(v)), id=f"v{i}")
                    for i, v in enumerate(self._voices)
                    if voice_matches(v, query) and voice_passes(v, facets)]
        shown = len(options) - 1
        if not shown and (query.strip() or any(facets.values())):
            wanted = " ".join([query.strip(), *(v for v in facets.values() if v)]).strip()
            options.append(no_match_option(wanted))
        voice_list = self.query_one("#voice-list", OptionList)
        voice_list.set_options(options)
        for index, option in enumerate(options):
            if self._voice_of(option.id) == self._voice:
                voice_list.highlighted = index
                break
        if self._voices:
            narrowed = f"{shown} of {len(self._voices)} voices" if shown != len(self._voices) \
                else f"{len(self._voices)} streaming voices"
            self.status.set_extra(narrowed)

    def _voice_of(self, option_id: str | None) -> str:
        """The voice id an option of the voice list stands for ("" for the avatar's own)."""
        if not option_id or not option_id.startswith("v"):
            return ""  # the avatar's own voice (or the line saying nothing matches)
        return self._voices[int(option_id[1:])].voice_id

    @on(Input.Changed, "#voice-filter")
    def _voice_filter_changed(self, event: Input.Changed) -> None:
        self._fill_voices(event.value)

    @on(Select.Changed, ".facet")
    def _facet_changed(self, event: Select.Changed) -> None:
        event.stop()  # a filter is no edit of the settings
        self._fill_voices()

    @on(Input.Submitted, "#voice-filter")
    @on(VoiceSearch.ToResults)
    def _to_voice_results(self) -> None:
        self.query_one("#voice-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#voice-list")
    def _voice_selected(self, event: OptionList.OptionSelected) -> None:
        self._voice = self._voice_of(event.option.id)
        self._show_voice()
        self._edited()

    def _show_voice(self) -> None:
        problem = self.rules.voice_problem(self._voice)
        if not self._voice:
            text = ("voice: the service's default preset" if self.rules.fast else
                    "voice: the avatar's own") + " (enter on a voice picks it)"
        elif problem:  # said, as the CLI says it: it will not be sent
            text = (f"voice: {self._voice}: not sent with fast_dialogue: expected {problem}")
        else:
            voice = next((v for v in self._voices if v.voice_id == self._voice), None)
            name = f"{voice.name} " if voice else ""
            model = f" · {model_label(voice.model_name)}" if voice and voice.model_name else ""
            text = f"voice: {name}({self._voice}){model}"
        self.query_one("#voice-current", Static).update(safe(text, limit=LINE))

    def action_search_voice(self) -> None:
        self.query_one("#voice-filter", Input).focus()
