"""Settings: the avatar's voice, language, mode, background, speed, speech recognition
(its language and turn detection) and the knowledge base of new sessions.

"Apply" sends ``set-params`` to the session connected on the chat screen (the voice in
``vparams.vid``, speed, STT language and turn detection in ``vparams``) and shows the
avatar's ack; "Save" keeps the values as the defaults of new sessions (written to the
config file; in demo mode kept in memory only). Voices come from the Voice List API
(types 1 and 2, streaming voices only), searchable and filtered by gender, age, style
and scenario (:mod:`.settings_voices`); languages from the Language List API; knowledge
bases yours and AKool's (:mod:`.settings_catalog`). Invalid input is shown at its field
and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.validation import ValidationResult
from textual.widgets import Button, Input, Label, OptionList, Select, Static

from ...config import SessionDefaults
from ...core.text import CELL, LINE, safe
from ...core.validators import validate_http_url, validate_speed
from ..widgets.safe_input import SafeInput
from ..readonly import allowed, mutating
from ..validation import FieldValidator
from ..work import call_api
from .chat_channel import call_channel, describe
from .settings_catalog import (CatalogLoaded, KnowledgeLoaded, ParamsApplied,
                               load_catalog, load_knowledge)
from .settings_apply import send_settings
from .settings_leave import LeaveGuard
from .settings_save import SavedDefaults
from .settings_recognition import TURN_FIELDS, RecognitionFields

MODES = [("1 · retelling: speaks your text verbatim (bring your own LLM)", 1),
         ("2 · dialogue: AKool's LLM answers", 2)]
#: the form's text fields and what each expects (the text as typed, blanks around ignored)
#: the language's blank choice while the list loads, and once it has
LANG_LOADING, LANG_NONE = "language (loading…)", "none (the service's default)"
FIELD_CHECKS: dict[str, Callable[[str], str | None]] = {
    "bgurl": lambda text: validate_http_url(text.strip(), allow_empty=True),
    "speed": lambda text: validate_speed(text.strip()),
}


class SettingsScreen(SavedDefaults, LeaveGuard, RecognitionFields):
    TITLE = "Settings"
    LIVE = False
    BINDINGS = [
        Binding("ctrl+t", "apply", "Apply", id="settings.apply",
                tooltip="Send these settings to the session connected on the chat screen"),
        Binding("ctrl+s", "save", "Save", id="settings.save",
                tooltip="Keep these settings as the defaults of new sessions"),
        Binding("ctrl+f", "search_voice", "Voices", id="settings.search", show=False,
                tooltip="Search the voices"),
        Binding("escape", "leave_field", "Leave field", id="settings.leave", show=False,
                tooltip="Leave the field for the voice list (then 1-5, q and app keys work)"),
    ]
    DEFAULT_CSS = """
    SettingsScreen #settings-form { height: 1fr; padding: 1 2 0 2; }
    SettingsScreen .field { height: auto; margin-bottom: 1; }
    SettingsScreen .field-label { width: 12; text-style: bold; }
    SettingsScreen .field-body { width: 1fr; height: auto; }
    SettingsScreen #voice-facets, SettingsScreen #turn-row { height: auto; }
    SettingsScreen #voice-facets Select { width: 1fr; margin-right: 1; }
    SettingsScreen #turn-row Select { width: 18; margin-right: 1; }
    SettingsScreen #turn-row Input { width: 1fr; margin-right: 1; }
    SettingsScreen #voice-list { height: 8; border: none; padding: 0; background: $surface; }
    SettingsScreen #voice-current, SettingsScreen .field-hint { color: $foreground-muted; }
    SettingsScreen .error { color: $error; height: auto; }
    SettingsScreen .error.-empty { display: none; }
    SettingsScreen #settings-buttons { height: auto; }
    SettingsScreen #settings-buttons Button { margin-right: 2; }
    SettingsScreen #settings-notice { height: auto; padding: 0 2; background: $panel;
                                      color: $error; }
    SettingsScreen #settings-notice.-empty { display: none; }
    SettingsScreen #settings-result { width: 1fr; height: auto; }
    SettingsScreen #settings-result.-ok { color: $success; }
    SettingsScreen #settings-result.-error { color: $error; }
    SettingsScreen #settings-result.-warning { color: $warning; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._voices = []
        self._voice = ""
        self._unsaved = ""  # what Save does not keep, said beside its result
        #: the form when the apply / save result was shown (None: no result shown)
        self._result_form: tuple[object, ...] | None = None
        #: what to do once a save asked for on leaving has succeeded
        self._after_save: Callable[[], object] | None = None

    # -- layout --------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        d: SessionDefaults = self.app.config.defaults
        # server messages, names and URLs are shown as text, never as markup
        yield Static("", id="settings-notice", classes="-empty", markup=False)
        with VerticalScroll(id="settings-form"):
            yield from self.compose_voice()
            with Horizontal(classes="field"):
                yield Label("Language", classes="field-label")
                with Vertical(classes="field-body"):
                    yield Select([(Text(safe(d.language, limit=CELL)), d.language)]
                                 if d.language else [],
                                 value=d.language or Select.NULL, id="lang",
                                 prompt=LANG_LOADING, compact=True)
            with Horizontal(classes="field"):
                yield Label("Mode", classes="field-label")
                with Vertical(classes="field-body"):
                    yield Select(MODES, value=d.mode_type, allow_blank=False, id="mode",
                                 compact=True)
            with Horizontal(classes="field"):
                yield Label("Background", classes="field-label")
                with Vertical(classes="field-body"):
                    yield SafeInput(d.background_url, placeholder="https://… image or video "
                                    "(empty: none; a live session keeps its own)", id="bgurl", compact=True,
                                    validators=[FieldValidator(FIELD_CHECKS["bgurl"])])
                    yield Static("", id="bgurl-error", classes="error -empty", markup=False)
            with Horizontal(classes="field", id="speed-row") as row:
                row.display = self.rules.speed  # not with fast_dialogue
                yield Label("Speed", classes="field-label")
                with Vertical(classes="field-body"):
                    yield SafeInput(f"{d.speed:g}", placeholder="0.8 to 1.2", id="speed",
                                    compact=True,
                                    validators=[FieldValidator(FIELD_CHECKS["speed"])])
                    yield Static("", id="speed-error", classes="error -empty", markup=False)
            yield from self._compose_recognition()
            with Horizontal(classes="field"):
                yield Label("Knowledge", classes="field-label")
                with Vertical(classes="field-body"):
                    kb = d.knowledge_id  # shown until the list comes (as the language)
                    yield Select([(Text(safe(kb, limit=CELL)), kb)] if kb else [],
                                 value=kb or Select.NULL, prompt="none (loading…)",
                                 id="knowledge", compact=True)
                    yield Static("the knowledge base of new sessions (saved with ctrl+s; a "
                                 "live session keeps its own)", classes="field-hint",
                                 markup=False)
            with Horizontal(id="settings-buttons"):
                # a read-only profile is not offered what it refuses (as the key bar)
                if allowed(self, "session.set_params"):
                    yield Button("Apply to chat (ctrl+t)", variant="primary", id="apply",
                                 compact=True)
                if allowed(self, "config.write"):
                    yield Button("Save defaults (ctrl+s)", id="save", compact=True)
                else:
                    yield Static(f"profile {safe(self.app.config.profile, limit=CELL)} is "
                                 "read-only: these settings are shown, not applied or saved",
                                 id="settings-read-only", classes="field-hint", markup=False)
                # what apply / save did, beside them (cleared by the next edit)
                yield Static("", id="settings-result", markup=False)

    def on_mount(self) -> None:  # (Textual runs MainScreen.on_mount too)
        self._voice = self.app.config.defaults.voice_id
        self._voices = self.preset_voices()  # fast_dialogue: its presets, not the list
        self._fill_voices()
        self._show_voice()
        self.query_one("#voice-filter", Input).focus()
        self.status.set_extra("loading voices and languages…")
        self.action_refresh_now()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "toggle_pause"  # no refresh loop here

    def action_refresh_now(self) -> None:
        call_api(self, load_catalog, what="load voices and languages", group="settings",
                 done=lambda catalog: CatalogLoaded(*catalog),
                 failed=lambda error: CatalogLoaded([], [], describe(error)))
        call_api(self, load_knowledge, what="load knowledge bases", group="settings-knowledge",
                 done=KnowledgeLoaded, failed=lambda error: KnowledgeLoaded([], describe(error)))

    # -- catalog -------------------------------------------------------------------

    def on_catalog_loaded(self, message: CatalogLoaded) -> None:
        lang = self.query_one("#lang", Select)
        if message.error:
            lang.prompt = "none (languages not loaded: ctrl+r retries)"
            self.status.set_extra("catalog not loaded")
            self._notice(f"Could not load voices and languages: {message.error} "
                         "(ctrl+r retries)")
            return
        self._notice("")
        lang.prompt = LANG_NONE  # the blank choice, once the list is there: no language
        self._voices = self.preset_voices() or message.voices
        self._fill_facets()
        self._fill_voices()
        # names and codes come from the server: safe text, never markup
        options = [(Text(f"{safe(x.lang_name or x.lang_code, limit=CELL)} "
                         f"({safe(x.lang_code, limit=CELL)})"), x.lang_code)
                   for x in message.languages if x.lang_code]
        for select_id in ("#lang", "#stt-lang"):
            select = self.query_one(select_id, Select)
            current = select.value
            choices = list(options)
            if isinstance(current, str) and current not in {code for _, code in options}:
                choices.insert(0, (Text(f"{safe(current, limit=CELL)} (not in the list)"),
                                   current))
            select.set_options(choices)
            if isinstance(current, str):
                select.value = current
        kind = "fast_dialogue preset" if self.rules.presets else "streaming"
        self.status.set_extra(f"{len(self._voices)} {kind} voices, "
                              f"{len(message.languages)} languages")
        self._show_voice()

    def on_knowledge_loaded(self, message: KnowledgeLoaded) -> None:
        select = self.query_one("#knowledge", Select)
        wanted = select.value if isinstance(select.value, str) else \
            self.app.config.defaults.knowledge_id
        if message.error:
            select.prompt = "none (knowledge bases not loaded: ctrl+r retries)"
            options = []
        else:
            select.prompt = "none"
            # names come from the server: safe text, never markup
            options = [(Text(f"{safe(kb.name or kb.id, limit=CELL)} · {kb.source_label}"),
                        kb.id) for kb in message.bases if kb.id]
        if wanted and wanted not in {kid for _, kid in options}:
            options.insert(0, (Text(f"{safe(wanted, limit=CELL)} (not in the list)"), wanted))
        with self.prevent(Select.Changed):
            select.set_options(options)
            if wanted:
                select.value = wanted

    def action_leave_field(self) -> None:
        self.query_one("#voice-list", OptionList).focus()

    # -- validation ------------------------------------------------------------------

    def _show_problem(self, field: str, result: ValidationResult | None) -> bool:
        """Show what the field expects at it (nothing when valid); True when invalid.
        The turn detection fields share one line under them."""
        problems = [] if result is None else result.failure_descriptions
        if field in TURN_FIELDS:
            self._show_turn_problems({field: problems})
            return bool(problems)
        message = self.query_one(f"#{field}-error", Static)
        message.update(f"expected {problems[0]}" if problems else "")
        message.set_class(not problems, "-empty")
        return bool(problems)

    def _show_turn_problems(self, known: dict[str, list[str]]) -> None:
        """The turn detection fields share one line: it names every one that is wrong
        (an edit of one kept only its own, and hid why the others were marked)."""
        lines = []
        for name, placeholder in TURN_FIELDS.items():
            field_input = self.query_one(f"#{name}", Input)
            if field_input.disabled:
                continue
            if name in known:
                problems = known[name]
            else:
                checked = field_input.validate(field_input.value)
                problems = [] if checked is None else checked.failure_descriptions
            if problems:
                lines.append(f"{placeholder.split()[0]}: expected {problems[0]}")
        message = self.query_one("#turn-error", Static)
        message.update("; ".join(lines))
        message.set_class(not lines, "-empty")

    def _check(self, field: str) -> bool:
        """Validate one input field now and show the message at it; True when invalid."""
        field_input = self.query_one(f"#{field}", Input)
        return self._show_problem(field, field_input.validate(field_input.value))

    @on(Input.Changed, "#bgurl, #speed, #threshold, #prefix_padding_ms, #silence_duration_ms")
    def _field_changed(self, event: Input.Changed) -> None:
        if event.input.id:
            self._show_problem(event.input.id, event.validation_result)
        self._edited()

    @on(Select.Changed)
    def _edited(self) -> None:
        """An edit clears the apply / save result (a value set back to what it was, or
        the language list reloaded with the same choice, is no edit)."""
        if self._result_form is not None and self._form() != self._result_form:
            self._result_form = None
            result = self.query_one("#settings-result", Static)
            result.update("")
            result.set_classes("")

    def _form(self) -> tuple[object, ...]:
        return (self._voice,
                *(self.query_one(f"#{s}", Select).value
                  for s in ("lang", "mode", "stt-lang", "turn-type", "knowledge")),
                *(self.query_one(f"#{field}", Input).value
                  for field in (*FIELD_CHECKS, *TURN_FIELDS)))

    def _values(self) -> SessionDefaults | None:
        """The form as session defaults, or None (messages shown) when invalid."""
        bad = [f for f in FIELD_CHECKS if self._check(f)] + self._turn_fields_checked()
        if bad:
            self.query_one(f"#{bad[0]}", Input).focus()
            self._result("Fix the marked field" + ("s" if len(bad) > 1 else "")
                         + ": nothing was sent or saved.", ok=False)
            return None
        lang = self.query_one("#lang", Select).value
        mode = self.query_one("#mode", Select).value
        knowledge = self.query_one("#knowledge", Select).value
        return replace(
            self.app.config.defaults,
            knowledge_id=knowledge if isinstance(knowledge, str) else "",
            voice_id=self._voice,
            language=lang if isinstance(lang, str) else "",
            mode_type=mode if isinstance(mode, int) else self.app.config.defaults.mode_type,
            background_url=self.query_one("#bgurl", Input).value.strip(),
            speed=float(self.query_one("#speed", Input).value.strip()),
        )

    def _result(self, text: str, *, ok: bool, warn: bool = False) -> None:
        """Show what apply / save did beside their buttons (until the next edit);
        ``warn``: done, but not all of what the form shows."""
        result = self.query_one("#settings-result", Static)
        result.update(safe(text, limit=LINE, newlines=True))  # quotes server messages
        result.set_classes("-warning" if ok and warn else "-ok" if ok else "-error")
        self._result_form = self._form()
        self.call_after_refresh(result.scroll_visible, animate=False)

    def _notice(self, text: str) -> None:
        notice = self.query_one("#settings-notice", Static)
        notice.update(safe(text, limit=LINE, newlines=True))
        notice.set_class(not text, "-empty")

    # -- apply --------------------------------------------------------------------------

    @on(Button.Pressed, "#apply")
    @mutating("session.set_params")
    def action_apply(self) -> None:
        values = self._values()
        if values is None:
            return
        conversation = self.app.ctx.chat_conversation
        if conversation is None or not conversation.alive:
            self._result("No connected chat session: open Chat (3) and pick a session. "
                         "Nothing was sent.", ok=False)
            return
        self._result("Applying…", ok=True)
        job = partial(send_settings, self.app.ctx, conversation, voice=values.voice_id,
                      fast=self.rules.fast, language=values.language,
                      shown_background=self.app.config.defaults.background_url or "",
                      mode=values.mode_type, background=values.background_url,
                      speed=values.speed if self.rules.speed else None,
                      vparams=self._live_vparams())
        call_channel(self, job, what="apply settings", group="settings-apply",
                     done=lambda sent: ParamsApplied(*sent),
                     failed=lambda error: ParamsApplied(None, [], describe(error)))

    def on_params_applied(self, message: ParamsApplied) -> None:
        ack = message.ack
        if ack is None:
            self._result(f"✗ Not applied: {message.error}", ok=False)
        elif ack.ok:
            # what the form shows but the session keeps is said, never hidden in "Applied"
            kept = "".join(f"\n! {line}" for line in message.kept)
            self._result(f"✓ Applied ({ack.code}): {ack.msg or 'ok'}{kept}", ok=True,
                         warn=bool(kept))
        else:
            self._result(f"✗ Refused ({ack.code}): {ack.msg or 'no reason given'}", ok=False)

    # -- save ------------------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    @mutating("config.write")
    def action_save(self) -> None:
        values = self._values()
        if values is None:
            self._after_save = None
            return
        cfg = self.app.config
        cfg.defaults = replace(values, stream_type=cfg.defaults.stream_type)
        self._unsaved = " STT language and turns are live only: not saved." \
            if self._live_unsaved() else ""
        if self.app.demo:
            self._result("✓ Demo: kept as the defaults of new sessions for this run "
                         "(not written to disk)." + self._unsaved, ok=True)
            self._saved()
            return
        self.run_worker(self._save, thread=True, name="settings-save", group="settings-save",
                        exclusive=True, exit_on_error=False)
