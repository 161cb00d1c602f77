"""The chat's transcript export (ctrl+s): Markdown and JSONL files, written in a thread.

What goes into the files (secrets masked, the header, the names) is
:mod:`akool_tui.core.export`; this is the screen's side: the records of the transcript's
entries, the worker, and what the screen says when it is done. The transcript keeps
its newest lines in memory only; the older ones wait for the export in a
:class:`~akool_tui.core.scrollback.Spill`, so the export still holds every line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message

from ...core.export import export_dir, export_stem, write_exports
from ...core.scrollback import Spill

if TYPE_CHECKING:
    from ...core.chat.conversation import Conversation
    from ..widgets.transcript import Entry, Transcript


@dataclass
class ExportDone(Message):
    paths: list[Path]
    error: str = ""


def entry_record(e: Entry) -> dict[str, Any]:
    """One transcript entry as a record of the export."""
    when = e.time.isoformat(timespec="seconds") if isinstance(e.time, datetime) else None
    mid = e.key.split(":", 1)[1] if e.key else None
    return {"time": when, "role": e.role, "text": e.text, "status": e.status,
            "note": e.note, "mid": mid, "interrupted": e.interrupted}


class TranscriptExport:
    """The export action of the chat screen (a mixin: its handlers go by their names)."""

    conversation: Conversation
    transcript: Transcript
    _session_id: str | None
    #: the sessions this transcript has lines of, in the order first joined
    _joined: list[str]
    _spill: Spill | None = None

    def keep_dropped_lines(self) -> None:
        """The lines leaving the transcript's scrollback wait for the export."""
        conv, cfg = self.conversation, self.app.config
        spill = self._spill = Spill(lambda: [*conv.secrets(), cfg.api_key, cfg.client_secret])
        self.transcript.on_drop = lambda gone: spill.add([entry_record(e) for e in gone])

    def action_export(self) -> None:
        shown = [entry_record(e) for e in self.transcript.lines]
        conv = self.conversation
        cfg = self.app.config
        secrets = [*conv.secrets(), cfg.api_key, cfg.client_secret]
        now = self.app.now()
        sid = self._session_id or "no-session"
        earlier = [joined for joined in self._joined if joined != sid]
        spill = self._spill
        lost = spill.lost if spill is not None else 0
        header = {"session": sid}
        if earlier:  # the transcript holds their lines too
            header["earlier sessions"] = ", ".join(earlier)
        header |= {"exported": now.isoformat(timespec="seconds"),
                   "lines": str(len(shown) + (spill.count if spill is not None else 0))}
        if lost:
            header["lines lost"] = f"{lost} older lines could not be kept (disk); see the history"
        stem = export_stem(sid, now, others=len(earlier))
        directory = export_dir(cfg.chat.export_dir)

        def work() -> None:  # files, not the API: an OSError is the one way it fails
            try:
                entries = [*(spill.records() if spill is not None else ()), *shown]
                paths = write_exports(entries, directory, stem, header, secrets)
            except OSError as exc:
                self.post_message(ExportDone([], f"{exc.strerror or exc} ({directory})"))
                return
            self.post_message(ExportDone(paths))

        self.run_worker(work, thread=True, group="chat-export", exit_on_error=False)

    def on_export_done(self, message: ExportDone) -> None:
        if message.error:
            self.notify(f"Export failed: {message.error}", severity="error", markup=False)
            return
        names = " and ".join(str(p) for p in message.paths)
        self._system(f"Transcript saved to {names}", role="ok")
        self.notify(f"Saved {names}", timeout=6, markup=False)
