"""The transcript lines that left a chat's in-memory scrollback, kept for its export.

The console keeps the newest lines of a chat in memory (a terminal's scrollback); the
export (ctrl+s) must still hold every line of the chat. The older lines go, as export
records with their secrets masked, to an anonymous temporary file: created unlinked
(``tempfile.TemporaryFile``: mode 0600, no name anyone can open, nothing left behind
when the app ends), appended to and read back whole at export time. The history
database keeps them too, when it is on.

When the file cannot be written (a full disk), the lines are counted as lost, and the
export says how many (never silently shorter).
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Callable, Iterable
from typing import IO, Any

from .export import scrub

__all__ = ["Spill"]


class Spill:
    """Export records appended in order (from the UI thread), read back whole (from the
    export's worker thread)."""

    def __init__(self, secrets: Callable[[], Iterable[str]] = list) -> None:
        self._secrets = secrets
        self._file: IO[bytes] | None = None
        self._lock = threading.Lock()
        #: records kept in the file, and records that could not be kept
        self.count = 0
        self.lost = 0

    def add(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        secrets = [s for s in self._secrets() if s]
        data = "".join(json.dumps({**r, "text": scrub(str(r.get("text", "")), secrets),
                                   "note": scrub(str(r.get("note", "")), secrets)},
                                  ensure_ascii=False) + "\n" for r in records).encode("utf-8")
        with self._lock:
            try:
                if self._file is None:
                    self._file = tempfile.TemporaryFile(prefix="akool-tui-scrollback-")
                self._file.seek(0, 2)
                self._file.write(data)
                self._file.flush()
            except OSError:
                self.lost += len(records)
                return
            self.count += len(records)

    def records(self) -> list[dict[str, Any]]:
        """Every record kept, oldest first. Raises OSError when the file cannot be read."""
        with self._lock:
            if self._file is None:
                return []
            self._file.seek(0)
            data = self._file.read()
        return [json.loads(line) for line in data.splitlines() if line]

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
