"""Avatars: every streaming avatar, uploads and their processing, live."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from typing import Any

import humanize
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message

from ...api.models import Avatar, AvatarStatus
from ..widgets.live_table import Column, LiveTable
from .base import TableScreen
from .common import DetailPane

UPLOAD_POLL_SECONDS = 2.0


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "—")


def status_style(value: str, row: dict[str, Any]) -> str:
    return {
        "ready": "$status-live",
        "processing": "$status-queueing bold",
        "queueing": "$status-queueing",
        "failed": "$status-failed bold",
        "unavailable": "$status-closed",
    }.get(value, "")


def valid_left(row: dict[str, Any], now: datetime) -> str:
    avatar: Avatar = row["avatar"]
    until = avatar.valid_until()
    if until is None:
        return "—"
    left = until - now
    return humanize.naturaldelta(left) if left.total_seconds() > 0 else "expired"


#: id, status, source and validity first: an upload's progress shows at 80 columns
COLUMNS = [
    Column("avatar_id", "Avatar ID", width=24),
    Column("status", "Status", width=11, style=status_style),
    Column("source", "Source", width=8),
    Column("valid", "Valid for", width=10, live=True, compute=valid_left),
    Column("name", "Name", width=16),
    Column("available", "Avail", width=5, formatter=_yes_no),
    Column("gender", "Gender", width=7),
    Column("voice", "Voice", width=14),
]


def avatar_row(avatar: Avatar) -> dict[str, Any]:
    return {
        "avatar_id": avatar.avatar_id,
        "name": avatar.name,
        "gender": avatar.gender,
        "voice": avatar.voice_id,
        "source": avatar.source_label,
        "status": avatar.status_label,
        "available": avatar.available,
        "avatar": avatar,
    }


class UploadProgress(Message):
    """An upload's record changed (posted by the upload watcher)."""

    def __init__(self, avatar: Avatar, error: str = "") -> None:
        super().__init__()
        self.avatar = avatar
        self.error = error


class AvatarsScreen(TableScreen):
    TITLE = "Avatars"
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="avatars.filter",
                tooltip="Filter by id, name, voice or status"),
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
            yield LiveTable(COLUMNS, id="avatars-table", empty_text="No avatars yet",
                            clock=self.app.now)

    async def fetch(self) -> list[Avatar]:
        return await (await self.app.ctx.client()).list_all_avatars()

    def apply(self, avatars: list[Avatar]) -> None:
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
        parts = [f"{len(self._avatars)} avatars"]
        if processing:
            parts.append(f"{processing} processing")
        if self.table.filter_text:
            parts.append(f"filter '{self.table.filter_text}'")
        self.status.set_extra(", ".join(parts))

    def show_detail(self, pane: DetailPane, key: str | None) -> None:
        pane.show_avatar(self._avatars.get(key) if key else None)

    # -- upload -------------------------------------------------------------------

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

    @work(group="uploads")
    async def _watch_upload(self, avatar: Avatar) -> None:
        """Poll the upload status until it is 3 (ready) or 4 (failed)."""
        from ...api.errors import AkoolError

        record = avatar
        failures = 0
        while record.status not in (AvatarStatus.SUCCESS, AvatarStatus.FAILED):
            await asyncio.sleep(UPLOAD_POLL_SECONDS * (2 ** min(failures, 4)))
            try:
                fresh = await (await self.app.ctx.client()).avatar_upload_status(avatar.id)
            except AkoolError as error:
                failures += 1
                self.post_message(UploadProgress(record, str(error)))
                continue
            failures = 0
            if not fresh.avatar_id:
                fresh = replace(fresh, avatar_id=avatar.avatar_id)
            if fresh.status != record.status:
                self.post_message(UploadProgress(fresh))
            record = fresh

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
