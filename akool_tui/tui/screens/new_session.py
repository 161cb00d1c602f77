"""`n`: create a session. Every field validated inline; nothing typed is lost on error."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ...api.models import Avatar, Session
from ...core.text import CELL, safe
from ...core.validators import (
    STREAM_TYPES,
    validate_duration,
    validate_http_url,
    validate_session_avatar_id,
)
from ..widgets.safe_input import SafeInput
from .common import ErrorLabel


class AvatarsLoaded(Message):
    def __init__(self, avatars: list[Avatar], error: str = "") -> None:
        super().__init__()
        self.avatars = avatars
        self.error = error


class CreateFinished(Message):
    def __init__(self, session: Session | None, error: str = "") -> None:
        super().__init__()
        self.session = session
        self.error = error


FIELDS = {
    "duration": lambda v: validate_duration(v),
    "background": lambda v: validate_http_url(v, allow_empty=True),
}


class NewSessionScreen(ModalScreen[Session | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="new_session.cancel"),
        Binding("ctrl+s", "create", "Create", id="new_session.create"),
    ]

    def compose(self) -> ComposeResult:
        d = self.app.config.defaults
        stream_types = [t for t in STREAM_TYPES if t != "websocket" or self.app.demo]
        with VerticalScroll(id="new-session", classes="dialog"):
            yield Static("New session", classes="title")
            yield Label("Avatar")
            yield Select([(Text(safe(d.avatar_id, limit=CELL)), d.avatar_id)],
                         value=d.avatar_id, allow_blank=False,
                         id="avatar", compact=True)
            yield ErrorLabel(id="avatar-error")
            yield Label("Duration (seconds, 1-3600)")
            yield SafeInput(str(d.duration), id="duration", type="integer", compact=True)
            yield ErrorLabel(id="duration-error")
            yield Label("Stream type")
            default_stream = ("websocket" if self.app.demo else d.stream_type)
            yield Select([(t, t) for t in stream_types], allow_blank=False, id="stream",
                         value=default_stream if default_stream in stream_types else "agora",
                         compact=True)
            yield Label("Mode")
            yield Select([("2 dialogue (AKool answers)", 2), ("1 retelling (speaks your text)", 1)],
                         value=d.mode_type if d.mode_type in (1, 2) else 2, allow_blank=False,
                         id="mode", compact=True)
            yield Label("Voice id (optional)")
            yield SafeInput(d.voice_id, id="voice", compact=True)
            yield Label("Language (optional)")
            yield SafeInput(d.language, id="language", compact=True)
            yield Label("Background URL (optional)")
            yield SafeInput(d.background_url, id="background", compact=True)
            yield ErrorLabel(id="background-error")
            yield ErrorLabel(id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Create (ctrl+s)", variant="primary", id="create", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#duration", Input).focus()
        self._load_avatars()

    @work(group="avatars", exclusive=True)
    async def _load_avatars(self) -> None:
        from ...api.errors import AkoolError

        try:
            avatars = await (await self.app.ctx.client()).list_all_avatars()
        except AkoolError as error:
            self.post_message(AvatarsLoaded([], str(error)))
        else:
            self.post_message(AvatarsLoaded(avatars))

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
    def _validate_field(self, event: Input.Changed) -> None:
        check = FIELDS.get(event.input.id or "")
        if check is None:
            return
        problem = check(event.value)
        label = self.query_one(f"#{event.input.id}-error", Label)
        label.update(f"Expected {problem}" if problem else "")

    def _values(self) -> tuple[dict, list[str]]:
        get = lambda wid: self.query_one(f"#{wid}", Input).value.strip()  # noqa: E731
        avatar = self.query_one("#avatar", Select).value
        problems = []
        for wid, check in FIELDS.items():
            problem = check(get(wid))
            if problem:
                problems.append(f"{wid}: expected {problem}")
        if (problem := validate_session_avatar_id(avatar)):
            problems.append(f"avatar: expected {problem}")
        values = dict(
            avatar_id=str(avatar),
            duration=int(get("duration")) if not validate_duration(get("duration")) else 0,
            stream_type=str(self.query_one("#stream", Select).value),
            mode_type=int(self.query_one("#mode", Select).value),
            voice_id=get("voice") or None,
            language=get("language") or None,
            background_url=get("background") or None,
        )
        speed = self.app.config.defaults.speed
        if speed and speed != 1.0:
            values["voice_params"] = {"speed": speed}
        return values, problems

    @on(Button.Pressed, "#create")
    @on(Input.Submitted)
    def action_create(self) -> None:
        values, problems = self._values()
        error = self.query_one("#form-error", Label)
        if problems:
            error.update("Fix: " + "; ".join(problems))
            return
        error.update("Creating…")
        self.query_one("#create", Button).disabled = True
        self._create(values)

    @work(group="create", exclusive=True)
    async def _create(self, values: dict) -> None:
        from ...api.errors import AkoolError

        try:
            session = await (await self.app.ctx.client()).create_session(**values)
        except AkoolError as error:
            self.post_message(CreateFinished(None, str(error)))
        else:
            self.post_message(CreateFinished(session))

    def on_create_finished(self, message: CreateFinished) -> None:
        if message.session is None:
            # keep everything the user typed; say what went wrong
            self.query_one("#form-error", Label).update(f"Not created: {message.error}")
            self.query_one("#create", Button).disabled = False
            return
        self.notify(f"Session {message.session.id[-8:]} created "
                    f"({message.session.status_label})")
        self.dismiss(message.session)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
