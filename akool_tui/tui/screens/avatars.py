"""Avatars: every streaming avatar, uploads and their processing, live.

Both platforms are listed: avatars made through the open API and those made in AKool's
web app (``platform=aigc``), each row saying which (the Platform column)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message

from ...api.models import Avatar, AvatarStatus
from ...core.avatars import list_avatars_of, watch_upload
from ...core.fields import AVATAR_FIELDS, row_of
from ..fields import columns_from_fields
from ..widgets.live_table import Column, LiveTable
from ..readonly import mutating
from ..work import call_api
from .base import TableScreen
from .common import DetailPane

if TYPE_CHECKING:
    from ...api.client import AkoolClient

#: seconds between two status checks of an upload being watched (tests shorten it)
UPLOAD_POLL_SECONDS = 2.0


def status_style(value: str, row: dict[str, Any]) -> str:
    return {
        "ready": "$status-live",
        "processing": "$status-queueing bold",
        "queueing": "$status-queueing",
        "failed": "$status-failed bold",
        "unavailable": "$status-closed",
    }.get(value, "")


def _columns() -> list[Column]:
    return columns_from_fields(AVATAR_FIELDS, styles={"status": status_style})


def avatar_row(avatar: Avatar) -> dict[str, Any]:
    return row_of(AVATAR_FIELDS, avatar)


class UploadProgress(Message):
    """An upload's record changed, or a check of it failed (``error``: the watch goes
    on); posted by the upload watch."""

    def __init__(self, avatar: Avatar, error: str = "") -> None:
        super().__init__()
        self.avatar = avatar
        self.error = error


class AvatarsScreen(TableScreen):
    TITLE = "Avatars"
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="avatars.filter",
                tooltip="Show only the rows with this text in a column (id, name, voice, "
                        "status...)"),
        Binding("escape", "clear_filter", "Clear", id="avatars.clear", show=False,
                tooltip="Clear the filter and close the detail pane"),
        Binding("u", "upload", "Upload", id="avatars.upload",
                tooltip="Upload a streaming avatar video"),
        Binding("enter", "toggle_detail", "Detail", id="avatars.detail", show=False,
                tooltip="Show or hide the avatar detail"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._avatars: dict[str, Avatar] = {}
        self._uploads: dict[str, Avatar] = {}  # avatar_id -> latest upload record

    FILTER_PLACEHOLDER = "filter avatars: id, name, voice or status"

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield LiveTable(_columns(), id="avatars-table", empty_text="Loading avatars…",
                            clock=self.app.now)

    async def fetch(self) -> list[Avatar]:
        return await list_avatars_of(await self.app.ctx.client(), "all")

    def apply(self, avatars: list[Avatar]) -> None:
        self.app.ctx.pulse.avatars(avatars, self.app.now())  # the pulse's uploads
        if self.table.empty_text != "No avatars yet":  # loaded: an empty table is empty
            self.table.empty_text = "No avatars yet"
            self.table.refresh()
        merged = {a.avatar_id: a for a in avatars}
        # uploads still processing are not in the list yet: keep showing them
        for avatar_id, upload in self._uploads.items():
            if avatar_id not in merged or upload.status in (AvatarStatus.QUEUEING,
                                                            AvatarStatus.PROCESSING,
                                                            AvatarStatus.FAILED):
                merged[avatar_id] = upload
        self._avatars = merged
        self.table.set_rows([(k, avatar_row(a)) for k, a in merged.items()])
        self.update_extra()
        self.refresh_detail()

    def update_extra(self) -> None:
        processing = sum(1 for a in self._uploads.values()
                         if a.status in (AvatarStatus.QUEUEING, AvatarStatus.PROCESSING))
        web = sum(1 for a in self._avatars.values() if a.platform == "aigc")
        parts = [f"{len(self._avatars)} avatars" + (f" ({web} from the web app)" if web else "")]
        if processing:
            parts.append(f"{processing} processing")
        if self.table.filter_text:
            parts.append(f"filter '{self.table.filter_text}'")
        self.status.set_extra(", ".join(parts))

    def record(self, key: str | None) -> Avatar | None:
        return self._avatars.get(key) if key else None

    def show_detail(self, pane: DetailPane, key: str | None) -> None:
        pane.show_record("Avatar", AVATAR_FIELDS, self._avatars.get(key) if key else None)

    # -- upload -------------------------------------------------------------------

    @mutating("avatars.upload")
    def action_upload(self) -> None:
        from .upload import UploadScreen

        self.app.push_screen(UploadScreen(), self._uploaded)

    def _uploaded(self, avatar: Avatar | None) -> None:
        if avatar is None:
            return
        self._show_upload(avatar)
        self.table.move_cursor_to_key(avatar.avatar_id)
        self._watch_upload(avatar)

    def _show_upload(self, avatar: Avatar) -> None:
        if not avatar.avatar_id:
            return
        self._uploads[avatar.avatar_id] = avatar
        self._avatars[avatar.avatar_id] = avatar
        self.table.update_row(avatar.avatar_id, avatar_row(avatar))
        self.update_extra()

    def _watch_upload(self, avatar: Avatar) -> None:
        """Follow the upload until it is ready or failed: a message per change."""

        async def follow(client: AkoolClient) -> None:
            updates = watch_upload(client, avatar, interval=UPLOAD_POLL_SECONDS)
            await anext(updates)  # the record as created: on screen already
            async for update in updates:
                self.post_message(UploadProgress(update.avatar, str(update.error or "")))

        call_api(self, follow, what=f"follow the upload of {avatar.avatar_id}",
                 group="uploads", exclusive=False)

    def on_upload_progress(self, message: UploadProgress) -> None:
        avatar = message.avatar
        if message.error:
            self.status.set_extra(f"upload {avatar.avatar_id}: retrying ({message.error})")
            return
        self._show_upload(avatar)
        if avatar.status is AvatarStatus.SUCCESS:
            self.notify(f"Avatar {avatar.avatar_id} is ready", severity="information")
        elif avatar.status is AvatarStatus.FAILED:
            self.notify(f"Avatar {avatar.avatar_id} failed to process", severity="error")
