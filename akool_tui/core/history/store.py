"""The history's writer: callers put records on a queue; one thread writes them.

Recording costs the caller (the console's event loop) one ``SimpleQueue.put``: the
writer thread opens the database (migrating it and applying the retention first),
then collects what arrives for at most :data:`BATCH_SECONDS` and writes it in one
transaction. Updates of the same reply within a batch are one row write (a reply
streaming 200 parts a second is written 4 times a second, not 200). So a crash or a
``kill -9`` loses at most the last batch: ``BATCH_SECONDS`` plus one write.

Every text is masked (:func:`akool_tui.api.secrets.mask_text`: the secrets given,
the ones remembered process-wide, anything secret-shaped) in the writer thread,
before it is written: no credential reaches the file.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...api.secrets import mask_text
from . import schema
from .lifecycle import SessionLifecycle

log = logging.getLogger(__name__)

#: the longest a record waits in memory before it is written
BATCH_SECONDS = 0.25
#: a session id, avatar id... longer than this is cut (they are short)
MAX_ID = 200
#: a text longer than this is cut (a reply is a few KB)
MAX_TEXT = 1_000_000


@dataclass(eq=False)
class ConversationHandle:
    """A conversation being recorded (its row id is known to the writer only)."""

    session_id: str
    avatar_id: str = ""
    stream_type: str = ""
    started: float = field(default_factory=time.time)


@dataclass(slots=True)  # (not frozen: a frozen __init__ costs the UI thread 2x)
class Item:
    """One recorded thing of a conversation. ``key`` (``"in:<mid>"``...) makes later
    records of the same thing update its row (a reply growing, a line sent after
    being queued): each such record carries the thing's whole state (within a batch
    the latest record is the one written); without a key each is a row of its own."""

    conversation: ConversationHandle
    key: str | None
    ts: float
    kind: str
    text: str = ""
    status: str = ""
    detail: str = ""
    interrupted: bool = False
    first_part_ms: float | None = None
    audio_ms: float | None = None
    fin_ms: float | None = None


_STOP = object()


class HistoryStore:
    """Records into the database at ``path`` from any thread, written by its own.

    ``secrets()`` returns values to mask besides those remembered process-wide (the
    configured API key...). ``max_days`` / ``max_bytes`` are applied when the writer
    opens the database. :attr:`error` says why nothing is recorded (the folder is not
    writable, the database is from a newer version): recording never raises.
    """

    def __init__(self, path: Path, *, max_days: float | None = 30,
                 max_bytes: int | None = 200 * 1024 * 1024,
                 secrets: Callable[[], Iterable[str]] = tuple,
                 batch_seconds: float = BATCH_SECONDS) -> None:
        self.path = path
        self.max_days = max_days
        self.max_bytes = max_bytes
        self._secrets = secrets
        self.batch_seconds = batch_seconds
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.error: str | None = None
        self.ready = threading.Event()
        #: conversations forgotten by the retention at start
        self.forgotten = 0
        self._ids: dict[ConversationHandle, int] = {}
        self._committed: set[int] = set()  # ids whose rows a committed batch wrote
        self._lifecycle = SessionLifecycle()
        self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
        self._thread.start()

    # -- recording (any thread; never blocks, never raises) ----------------------------

    def put(self, record: Any) -> None:
        self._queue.put(record)

    def sessions_seen(self, sessions: Iterable[Any], now: float | None = None) -> None:
        """The sessions a refresh found (or those that changed): their lifecycle."""
        self._queue.put(("sessions", list(sessions), time.time() if now is None else now))

    def closed_by_app(self, session_ids: Iterable[str], now: float | None = None) -> None:
        self._queue.put(("closed", list(session_ids), time.time() if now is None else now))

    def end(self, conversation: ConversationHandle, ts: float | None = None) -> None:
        self._queue.put(("end", conversation, time.time() if ts is None else ts))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything put so far is written (for readers and tests)."""
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout) if self._thread.is_alive() else False

    def close(self, timeout: float = 5.0) -> None:
        """Write what is pending and stop the writer."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    # -- the writer thread ---------------------------------------------------------------

    def _run(self) -> None:
        try:
            conn = schema.connect(self.path)
            self.forgotten = schema.apply_retention(conn, max_days=self.max_days,
                                                    max_bytes=self.max_bytes)
        except (OSError, schema.sqlite3.Error, schema.NewerSchema) as exc:
            self.error = f"history not recorded: {exc} ({self.path})"
            log.warning("%s", self.error)
            self.ready.set()
            self._drain_forever()
            return
        self.ready.set()
        try:
            self._loop(conn)
        finally:
            conn.close()

    def _drain_forever(self) -> None:
        while True:
            record = self._queue.get()
            if record is _STOP:
                return
            if isinstance(record, threading.Event):
                record.set()

    def _loop(self, conn: schema.sqlite3.Connection) -> None:
        get = self._queue.get
        while True:
            first = get()
            batch = [first]
            deadline = time.monotonic() + self.batch_seconds
            stop = first is _STOP
            while not stop and not isinstance(batch[-1], threading.Event):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    batch.append(get(timeout=left))
                except queue.Empty:
                    break
                stop = batch[-1] is _STOP
            try:
                self._write(conn, batch)
            except Exception as exc:  # a full disk, a locked file: said once, not fatal
                if self.error is None:
                    self.error = f"history: a write failed: {exc}"
                    log.warning("%s", self.error, exc_info=not isinstance(
                        exc, schema.sqlite3.Error))
            for record in batch:
                if isinstance(record, threading.Event):
                    record.set()
            if stop:
                return

    def _write(self, conn: schema.sqlite3.Connection, batch: list[Any]) -> None:
        secrets = [s for s in self._secrets() if s]
        items: dict[Any, Item] = {}
        other: list[Any] = []
        for record in batch:
            if isinstance(record, Item):
                # one write per key and batch: the latest record of a reply wins
                items[(id(record.conversation), record.key) if record.key else object()] = record
            elif isinstance(record, tuple):
                other.append(record)
        if not items and not other:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            ended: dict[ConversationHandle, float] = {}
            for item in items.values():
                conv_id = self._conversation_id(conn, item.conversation)
                conn.execute(_UPSERT, (
                    conv_id, item.key, item.ts, item.kind[:40],
                    mask_text(item.text[:MAX_TEXT], secrets), item.status[:40],
                    mask_text(item.detail[:MAX_TEXT], secrets), int(item.interrupted),
                    item.first_part_ms, item.audio_ms, item.fin_ms))
                ended[item.conversation] = max(ended.get(item.conversation, 0.0), item.ts)
            for record in other:
                if record[0] == "end" and record[1] in self._ids:  # (nothing recorded: no row)
                    ended[record[1]] = max(ended.get(record[1], 0.0), record[2])
                elif record[0] == "sessions":
                    self._lifecycle.observe(conn, record[1], record[2])
                elif record[0] == "closed":
                    self._lifecycle.closed_by_app(conn, record[1], record[2])
            for conv, ts in ended.items():
                conn.execute("UPDATE conversations SET ended = max(coalesce(ended, 0), ?) "
                             "WHERE id = ?", (ts, self._ids[conv]))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            self._ids = {c: i for c, i in self._ids.items() if i in self._committed}
            raise
        self._committed = set(self._ids.values())

    def _conversation_id(self, conn: schema.sqlite3.Connection,
                         conv: ConversationHandle) -> int:
        conv_id = self._ids.get(conv)
        if conv_id is None:
            cur = conn.execute(
                "INSERT INTO conversations (session_id, avatar_id, stream_type, started) "
                "VALUES (?, ?, ?, ?)",
                (conv.session_id[:MAX_ID], conv.avatar_id[:MAX_ID], conv.stream_type[:40],
                 conv.started))
            conv_id = self._ids[conv] = cur.lastrowid
        return conv_id


_UPSERT = """
INSERT INTO items (conversation_id, key, ts, kind, text, status, detail, interrupted,
                   first_part_ms, audio_ms, fin_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (conversation_id, key) DO UPDATE SET
    text = excluded.text, status = excluded.status, detail = excluded.detail,
    interrupted = max(interrupted, excluded.interrupted),
    first_part_ms = coalesce(excluded.first_part_ms, first_part_ms),
    audio_ms = coalesce(excluded.audio_ms, audio_ms),
    fin_ms = coalesce(excluded.fin_ms, fin_ms)
"""
