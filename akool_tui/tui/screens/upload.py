"""`u`: upload a streaming avatar video (url, avatar_id, name, source)."""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ...api.models import Avatar
from ...core.validators import validate_avatar_id, validate_http_url
from ..widgets.safe_input import SafeInput
from .common import ErrorLabel

FIELDS = {
    "url": lambda v: validate_http_url(v),
    "avatar_id": lambda v: validate_avatar_id(v),
}


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
        with VerticalScroll(id="upload", classes="dialog"):
            yield Static("Upload a streaming avatar", classes="title")
            yield Static("A clear video of about a minute, the face turning slightly. "
                         "Processing takes a while; uploaded resources stay valid 7 days.",
                         classes="hint")
            yield Label("Video URL")
            yield SafeInput(placeholder="https://…/avatar.mp4", id="url", compact=True)
            yield ErrorLabel(id="url-error")
            yield Label("Avatar ID (letters and digits)")
            yield SafeInput(placeholder="myavatar01", id="avatar_id", compact=True)
            yield ErrorLabel(id="avatar_id-error")
            yield Label("Name (optional)")
            yield SafeInput(id="name", compact=True)
            yield Label("Source")
            yield Select([("1 AKool or other direct link", 1),
                          ("2 YouTube / TikTok / X / Google Drive", 2)],
                         value=1, allow_blank=False, id="url_from", compact=True)
            yield ErrorLabel(id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Upload (ctrl+s)", variant="primary", id="submit", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#url", Input).focus()

    @on(Input.Changed)
    def _validate_field(self, event: Input.Changed) -> None:
        check = FIELDS.get(event.input.id or "")
        if check is None:
            return
        problem = check(event.value.strip()) if event.value else None
        self.query_one(f"#{event.input.id}-error", Label).update(
            f"Expected {problem}" if problem else "")

    @on(Button.Pressed, "#submit")
    @on(Input.Submitted)
    def action_upload(self) -> None:
        values = {wid: self.query_one(f"#{wid}", Input).value.strip()
                  for wid in ("url", "avatar_id", "name")}
        problems = [f"{wid}: expected {p}" for wid, check in FIELDS.items()
                    if (p := check(values[wid]))]
        error = self.query_one("#form-error", Label)
        if problems:
            error.update("Fix: " + "; ".join(problems))
            return
        error.update("Uploading…")
        self.query_one("#submit", Button).disabled = True
        self._upload(values["url"], values["avatar_id"], values["name"] or None,
                     int(self.query_one("#url_from", Select).value))

    @work(group="upload", exclusive=True)
    async def _upload(self, url: str, avatar_id: str, name: str | None, url_from: int) -> None:
        from ...api.errors import AkoolError

        try:
            avatar = await (await self.app.ctx.client()).create_avatar(url, avatar_id, name=name,
                                                         url_from=url_from)
        except AkoolError as error:
            self.post_message(UploadFinished(None, str(error)))
        else:
            if not avatar.avatar_id:
                avatar = replace(avatar, avatar_id=avatar_id)
            self.post_message(UploadFinished(avatar))

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
