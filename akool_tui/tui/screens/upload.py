"""`u`: upload a streaming avatar video (url, avatar_id, name, source)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ...api.models import Avatar
from ...core.avatars import upload_avatar
from ...core.validators import validate_avatar_id, validate_avatar_name, validate_http_url
from ..widgets.safe_input import SafeInput
from ..validation import FieldValidator, field_label
from ..validation import problem as validation_problem
from ..work import call_api
from .common import DialogBody, DialogFoot, ErrorLabel

if TYPE_CHECKING:
    from textual.validation import ValidationResult


#: the checked fields, by input id
CHECKS: dict[str, Callable[[str], str | None]] = {
    "url": validate_http_url,
    "avatar_id": validate_avatar_id,
    "name": validate_avatar_name,
}


#: the checked fields' labels, as the dialog shows them (validation.field_label)
LABELS = {"url": "Video URL", "avatar_id": "Avatar ID", "name": "Name"}


def _checked_input(wid: str, *, placeholder: str = "") -> SafeInput:
    # validated as typed; an empty field is reported when the form is sent
    return SafeInput(placeholder=placeholder, id=wid, name=LABELS[wid], compact=True,
                     validators=[FieldValidator(lambda text, check=CHECKS[wid]: check(text.strip()))], validate_on=["changed"])


class UploadFinished(Message):
    def __init__(self, avatar: Avatar | None, error: str = "") -> None:
        super().__init__()
        self.avatar = avatar
        self.error = error


class UploadScreen(ModalScreen[Avatar | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="upload.cancel"),
        Binding("ctrl+s", "upload", "Upload", id="upload.submit"),
    ]

    def compose(self) -> ComposeResult:
        with DialogBody(id="upload", classes="dialog"):
            yield Static("Upload a streaming avatar", classes="title")
            yield Static("A clear video of about a minute, the face turning slightly. "
                         "Processing takes a while; uploaded resources stay valid 7 days.",
                         classes="hint")
            yield Label(LABELS["url"])
            yield _checked_input("url", placeholder="https://…/avatar.mp4")
            yield ErrorLabel(id="url-error")
            yield Label(f"{LABELS['avatar_id']} (letters and digits)")
            yield _checked_input("avatar_id", placeholder="myavatar01")
            yield ErrorLabel(id="avatar_id-error")
            yield Label(LABELS["name"])
            yield _checked_input("name")
            yield ErrorLabel(id="name-error")
            yield Label("Source")
            yield Select([("1 AKool or other direct link", 1),
                          ("2 YouTube / TikTok / X / Google Drive", 2)],
                         value=1, allow_blank=False, id="url_from", compact=True)
            with DialogFoot():  # docked: never scrolls out of view
                yield ErrorLabel(id="form-error")
                with Horizontal(classes="buttons"):
                    yield Button("Upload (ctrl+s)", variant="primary", id="submit", compact=True)
                    yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#url", Input).focus()

    def _show_problem(self, wid: str, result: ValidationResult | None) -> str | None:
        problem = validation_problem(result) or None
        self.query_one(f"#{wid}-error", Label).update(f"Expected {problem}" if problem else "")
        return problem

    @on(Input.Changed)
    def _validate_field(self, event: Input.Changed) -> None:
        if event.input.id in CHECKS:  # an emptied field is not scolded while typing
            self._show_problem(event.input.id, event.validation_result if event.value else None)

    @on(Button.Pressed, "#submit")
    @on(Input.Submitted)
    def action_upload(self) -> None:
        problems = []
        for wid in CHECKS:
            field = self.query_one(f"#{wid}", Input)
            if problem := self._show_problem(wid, field.validate(field.value)):
                problems.append(f"{field_label(field)}: expected {problem}")
        error = self.query_one("#form-error", ErrorLabel)
        if problems:
            error.show_problems(problems)
            return
        error.update("Uploading…")
        self.query_one("#submit", Button).disabled = True
        url, avatar_id, name = (self.query_one(f"#{wid}", Input).value.strip() for wid in CHECKS)
        url_from = int(self.query_one("#url_from", Select).value)  # type: ignore[arg-type]
        call_api(self, lambda client: upload_avatar(client, url, avatar_id, name=name,
                                                    url_from=url_from),
                 what="upload the avatar", group="upload", done=UploadFinished,
                 failed=lambda error: UploadFinished(None, str(error)))

    def on_upload_finished(self, message: UploadFinished) -> None:
        if message.avatar is None:
            self.query_one("#form-error", Label).update(f"Not uploaded: {message.error}")
            self.query_one("#submit", Button).disabled = False
            return
        self.notify(f"Uploading {message.avatar.avatar_id}: {message.avatar.status_label}")
        self.dismiss(message.avatar)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
