"""`n`: create a session. Every field validated inline (Textual's validators over
ours); nothing typed is lost on error. What is sent is core's create request: the
form's values over the configured defaults, with the one stream-type rule, checked
by core's create-option rules (:func:`~akool_tui.core.session_options.request_problems`)
before anything is sent. The knowledge base chooser lists yours and AKool's (a worker);
the "Advanced" section (:mod:`.new_session_advanced`) holds voice_params, the scene
mode and a bring-your-own room, built on its first expand."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Collapsible, Input, Label, Select, Static

from ...api.knowledge import KnowledgeBase
from ...api.models import Avatar, Session
from ...core.ids import short_id
from ...core.session_options import knowledge_choices, request_problems
from ...core.sessions import create_request, stream_type_for
from ...core.text import CELL, safe
from ...core.validators import (
    STREAM_TYPES,
    validate_duration,
    validate_http_url,
    validate_session_avatar_id,
)
from ..validation import FieldValidator, problem, problems
from ..widgets.safe_input import SafeInput
from ..work import call_api
from .common import DialogBody, DialogFoot, ErrorLabel
from .new_session_advanced import AdvancedOptions, OptionsChanged
from .typeahead import TypeAhead

NO_KNOWLEDGE = "none"


class AvatarsLoaded(Message):
    def __init__(self, avatars: list[Avatar], error: str = "") -> None:
        super().__init__()
        self.avatars = avatars
        self.error = error


class KnowledgeLoaded(Message):
    def __init__(self, bases: list[KnowledgeBase], error: str = "") -> None:
        super().__init__()
        self.bases = bases
        self.error = error


class CreateFinished(Message):
    def __init__(self, session: Session | None, error: str = "") -> None:
        super().__init__()
        self.session = session
        self.error = error


def _error(error: BaseException) -> str:
    return str(error) or type(error).__name__


def save_elevenlabs_key(app, key: str) -> None:
    """``[defaults] elevenlabs_api_key`` saved (the file is 0600); says how it went.
    Runs in a thread: a file write, never on the UI thread."""
    from ...config import save_config

    config = app.config
    previous = config.defaults.elevenlabs_api_key
    config.defaults.elevenlabs_api_key = key
    try:
        path = save_config(config)
    except Exception as exc:  # ConfigError, OSError: said, not raised
        config.defaults.elevenlabs_api_key = previous
        app.call_from_thread(app.notify, f"ElevenLabs key not saved: {exc}", severity="error")
        return
    app.call_from_thread(app.notify, f"ElevenLabs key saved in {path}")


class NewSessionScreen(TypeAhead, ModalScreen[Session | None]):
    AUTO_FOCUS = ""  # on_mount focuses the duration (Textual's would centre the avatar
    # picker before the dialog is laid out and scroll the title away at 80x24); keys
    # typed before that go there too (TypeAhead)
    DEFAULT_CSS = """
    NewSessionScreen #voice-group { height: auto; }
    NewSessionScreen #advanced { padding: 0; margin-top: 1; border-top: none; }
    NewSessionScreen #advanced > Contents { padding: 0 0 1 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="new_session.cancel"),
        Binding("ctrl+s", "create", "Create", id="new_session.create"),
    ]

    def compose(self) -> ComposeResult:
        d = self.app.config.defaults
        stream_types = [t for t in STREAM_TYPES if t != "websocket" or self.app.ctx.demo]
        with DialogBody(id="new-session", classes="dialog"):
            yield Static("New session", classes="title")
            yield Label("Avatar")
            yield Select([(Text(safe(d.avatar_id, limit=CELL)), d.avatar_id)],
                         value=d.avatar_id, allow_blank=False,
                         id="avatar", compact=True)
            yield ErrorLabel(id="avatar-error")
            yield Label("Duration (seconds, 1-3600)")
            # not type="integer": that dropped what it refuses ("60.5" became "605",
            # ten times the credits held); the validator refuses it with a message
            yield SafeInput(str(d.duration), id="duration", name="Duration", compact=True,
                            validators=[FieldValidator(validate_duration)])
            yield ErrorLabel(id="duration-error")
            yield Label("Stream type")
            default_stream = stream_type_for(d.stream_type)  # the configured default
            yield Select([(t, t) for t in stream_types], allow_blank=False, id="stream",
                         value=default_stream if default_stream in stream_types else "agora",
                         compact=True)
            yield Label("Mode")
            yield Select([("2 dialogue (AKool answers)", 2), ("1 retelling (speaks your text)", 1)],
                         value=d.mode_type if d.mode_type in (1, 2) else 2, allow_blank=False,
                         id="mode", compact=True)
            with Vertical(id="voice-group"):
                yield Label("Voice id (optional)", id="voice-label")
                yield SafeInput(d.voice_id, id="voice", name="Voice id", compact=True)
            yield Label("Language (optional)")
            yield SafeInput(d.language, id="language", name="Language", compact=True)
            yield Label("Background URL (optional)")
            yield SafeInput(d.background_url, id="background", name="Background URL",
                            compact=True, validators=[
                FieldValidator(lambda v: validate_http_url(v, allow_empty=True))])
            yield ErrorLabel(id="background-error")
            yield Label("Knowledge base")
            kb = d.knowledge_id
            yield Select([(NO_KNOWLEDGE, ""), *([(Text(safe(kb, limit=CELL)), kb)] if kb else [])],
                         value=kb, allow_blank=False, id="knowledge", compact=True)
            yield ErrorLabel(id="knowledge-error")
            with Collapsible(title="Advanced: voice, turn detection, ElevenLabs, own room",
                             collapsed=True, id="advanced"):
                yield AdvancedOptions(d, default_stream if default_stream in stream_types
                                      else "agora")
            with DialogFoot():  # docked: never scrolls out of view
                yield ErrorLabel(id="form-error")
                with Horizontal(classes="buttons"):
                    yield Button("Create (ctrl+s)", variant="primary", id="create",
                                 compact=True)
                    yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.focus_first(self.query_one("#duration", Input))  # in view; typed-ahead keys
        self._load_avatars()
        self._load_knowledge()

    def _load_knowledge(self) -> None:
        call_api(self, knowledge_choices, what="list knowledge bases",
                 done=KnowledgeLoaded, failed=lambda error: KnowledgeLoaded([], _error(error)),
                 group="knowledge")

    def on_knowledge_loaded(self, message: KnowledgeLoaded) -> None:
        select = self.query_one("#knowledge", Select)
        if message.error:
            self.query_one("#knowledge-error", Label).update(
                f"Could not list knowledge bases ({message.error})")
            return
        current = select.value
        options = [(NO_KNOWLEDGE, ""), *((Text(
            f"{safe(kb.name or kb.id, limit=CELL)} · {kb.source_label} · "
            f"{safe(short_id(kb.id), limit=CELL)}"), kb.id) for kb in message.bases)]
        ids = {kb.id for kb in message.bases}
        if current and current not in ids:  # the configured one is gone: say so, keep it
            options.append((Text(f"{safe(current, limit=CELL)} (not found)"), current))
        select.set_options(options)
        select.value = current
        select.mutate_reactive(Select.value)

    @property
    def advanced(self) -> AdvancedOptions:
        return self.query_one(AdvancedOptions)

    @on(Collapsible.Expanded, "#advanced")
    async def _expanded(self) -> None:
        """The section's fields are built when it is first opened (the dialog appears
        without them: they were most of its cost)."""
        await self.advanced.build()

    @on(Select.Changed, "#stream")
    def _stream_changed(self, event: Select.Changed) -> None:
        self.advanced.set_stream_type(str(event.value))

    def on_options_changed(self, _: OptionsChanged) -> None:
        """fast_dialogue: the voice is a preset (the advanced section's list), unless
        ElevenLabs settings make it ElevenLabs' (typed here)."""
        adv = self.advanced
        self.query_one("#voice-group").display = not adv.fast or bool(adv.eleven_key)
        self.query_one("#voice-label", Label).update(
            "ElevenLabs voice id" if adv.fast else "Voice id (optional)")
        form = self.query_one("#form-error", ErrorLabel)
        if str(form.content).startswith("Fix: "):  # a field hidden now is not wrong now
            _, found = self._values()
            form.show_problems(found)

    def _load_avatars(self) -> None:
        call_api(self, lambda client: client.list_all_avatars(), what="list avatars",
                 done=AvatarsLoaded, failed=lambda error: AvatarsLoaded([], _error(error)),
                 group="avatars")

    def on_avatars_loaded(self, message: AvatarsLoaded) -> None:
        select = self.query_one("#avatar", Select)
        if message.error:
            self.query_one("#avatar-error", Label).update(
                f"Could not list avatars ({message.error}); the default is used")
            return
        usable = [a for a in message.avatars if a.available is not False
                  and (a.status is None or a.status.label == "ready")]
        current = select.value
        # names and ids come from the server: safe text, never markup
        options = [(Text(f"{safe(a.name or a.avatar_id, limit=CELL)} · "
                         f"{safe(a.avatar_id, limit=CELL)}"), a.avatar_id)
                   for a in usable]
        if not options:
            return
        select.set_options(options)
        ids = [a.avatar_id for a in usable]
        select.value = current if current in ids else ids[0]
        # Select only relabels on a change of value: show the new label of the same avatar
        select.mutate_reactive(Select.value)

    @on(Input.Changed)
    def _show_problem(self, event: Input.Changed) -> None:
        """The input's own validation, said next to it; a "Fix: ..." line from the last
        try follows what is still wrong (it stayed after the value was fixed)."""
        if event.input.validators:
            text = problem(event.validation_result)
            for label in self.query(f"#{event.input.id}-error").results(Label):
                label.update(f"Expected {text}" if text else "")
        forms = self.query("#form-error").results(ErrorLabel)
        form = next(forms, None)  # (a field's first Changed may come before it is built)
        if form is not None and str(form.content).startswith("Fix: "):
            _, found = self._values()
            form.show_problems(found)

    def _values(self) -> tuple[dict, list[str]]:
        get = lambda wid: self.query_one(f"#{wid}", Input).value.strip()  # noqa: E731
        adv = self.advanced
        avatar = self.query_one("#avatar", Select).value
        applicable = [i for i in self.query(Input) if adv.applies(i)]
        # fields named by the words on screen (validation.field_label)
        found = [f"{label}: expected {text}"
                 for label, text in [*problems(applicable), *adv.unbuilt_problems()]]
        if (text := validate_session_avatar_id(avatar)):
            found.append(f"Avatar: expected {text}")
        voice = get("voice") if self.query_one("#voice-group").display else \
            str(adv.value_of("fast-voice"))
        overrides = dict(
            avatar_id=str(avatar),
            duration=None if validate_duration(get("duration")) else int(get("duration")),
            stream_type=str(self.query_one("#stream", Select).value),
            mode_type=int(self.query_one("#mode", Select).value),
            voice_id=voice,
            language=get("language"),
            background_url=get("background"),
            knowledge_id=str(self.query_one("#knowledge", Select).value),
            **adv.overrides(),
        )
        request = create_request(self.app.config.defaults, overrides, demo=self.app.ctx.demo)
        if not found:  # what only the whole request shows (a key missing, a voice's kind)
            found = [str(p) for p in request_problems(request)]
        return request, found

    @on(Button.Pressed, "#create")
    @on(Input.Submitted)
    def action_create(self) -> None:
        values, problems = self._values()
        error = self.query_one("#form-error", ErrorLabel)
        if problems:
            error.show_problems(problems)
            return
        error.update("Creating…")
        self.query_one("#create", Button).disabled = True
        self._create(values)

    def _create(self, values: dict) -> None:
        call_api(self, lambda client: client.create_session(**values),
                 what="create the session", done=CreateFinished,
                 failed=lambda error: CreateFinished(None, _error(error)), group="create")

    def on_create_finished(self, message: CreateFinished) -> None:
        if message.session is None:
            # keep everything the user typed; say what went wrong
            self.query_one("#form-error", Label).update(f"Not created: {message.error}")
            self.query_one("#create", Button).disabled = False
            return
        self.notify(f"Session {short_id(message.session.id)} created "
                    f"({message.session.status_label})")
        adv = self.advanced
        if adv.save_key and adv.eleven_key and self.app.ctx.demo:
            self.notify("Demo mode: the ElevenLabs key is not saved (nothing is written)")
        elif adv.save_key and adv.eleven_key:  # only when the user asked: the one way in
            self.app.run_worker(lambda: save_elevenlabs_key(self.app, adv.eleven_key),
                                thread=True, group="save-key", exit_on_error=False)
        self.dismiss(message.session)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
