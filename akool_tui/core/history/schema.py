"""The history database: where it lives, its schema and migrations, and retention.

One SQLite file per profile, ``$XDG_DATA_HOME/akool-tui/history/<profile>.sqlite3``
(``~/.local/share/...`` without XDG; ``demo.sqlite3`` for ``--demo``), folder 0700,
file 0600. WAL mode with ``synchronous=NORMAL``: a committed batch survives the
process being killed (not a power cut), and readers never wait for the writer.

The schema version is ``PRAGMA user_version``; :data:`MIGRATIONS` take a database
from each version to the next, in one transaction each. Version 0 is an empty file,
or the shape written by development builds before versions existed (``items``
without the ``interrupted`` flag and the timing columns, no ``session_events``):
version 1 adds what is missing and keeps every row.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Callable, Mapping
from pathlib import Path

APP_DIR = "akool-tui"
DIR_MODE = 0o700
FILE_MODE = 0o600
DEFAULT_PROFILE = "default"
DEMO_PROFILE = "demo"
SCHEMA_VERSION = 1

_PROFILE_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def history_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    xdg = env.get("XDG_DATA_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / APP_DIR / "history"


def history_path(profile: str = DEFAULT_PROFILE, *, demo: bool = False,
                 env: Mapping[str, str] | None = None) -> Path:
    """The database of ``profile`` (``demo`` records in a database of its own)."""
    name = DEMO_PROFILE if demo else (_PROFILE_UNSAFE.sub("_", profile).strip("._-")
                                      or DEFAULT_PROFILE)
    return history_dir(env) / f"{name[:64]}.sqlite3"


# -- schema ------------------------------------------------------------------------

_V1_TABLES = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    avatar_id TEXT NOT NULL DEFAULT '',
    stream_type TEXT NOT NULL DEFAULT '',
    started REAL NOT NULL,
    ended REAL
);
CREATE INDEX IF NOT EXISTS conversations_started ON conversations(started);
CREATE INDEX IF NOT EXISTS conversations_session ON conversations(session_id);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    key TEXT,
    ts REAL NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS items_conversation ON items(conversation_id, kind);
CREATE UNIQUE INDEX IF NOT EXISTS items_key ON items(conversation_id, key);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    avatar_id TEXT NOT NULL DEFAULT '',
    stream_type TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    first_seen REAL NOT NULL,
    live_at REAL,
    ended_at REAL,
    end_reason TEXT NOT NULL DEFAULT '',
    last_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS session_events (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    ts REAL NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS session_events_session ON session_events(session_id, ts);
CREATE INDEX IF NOT EXISTS session_events_ts ON session_events(ts);
"""
#: columns of ``items`` that version 0 lacked
_V1_ITEM_COLUMNS = {
    "interrupted": "INTEGER NOT NULL DEFAULT 0",
    "first_part_ms": "REAL",
    "audio_ms": "REAL",
    "fin_ms": "REAL",
}
_FTS = """
CREATE VIRTUAL TABLE items_fts USING fts5(text, content='items', content_rowid='id');
CREATE TRIGGER items_fts_ai AFTER INSERT ON items BEGIN
    INSERT INTO items_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER items_fts_au AFTER UPDATE OF text ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO items_fts(rowid, text) VALUES (new.id, new.text);
END;
INSERT INTO items_fts(items_fts) VALUES ('rebuild');
"""


def fts_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite build has FTS5 (else text search falls back to LIKE)."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts_probe USING fts5(x)")
        conn.execute("DROP TABLE temp.fts_probe")
        return True
    except sqlite3.OperationalError:
        return False


def has_fts(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'items_fts'").fetchone() \
        is not None


def _script(conn: sqlite3.Connection, sql: str) -> None:
    """Run the statements of ``sql`` inside the open transaction (``executescript``
    would commit it first)."""
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


def _to_v1(conn: sqlite3.Connection) -> None:
    _script(conn, _V1_TABLES)
    have = {row[1] for row in conn.execute("PRAGMA table_info(items)")}
    for column, decl in _V1_ITEM_COLUMNS.items():
        if column not in have:
            conn.execute(f"ALTER TABLE items ADD COLUMN {column} {decl}")
    if not has_fts(conn) and fts_available(conn):
        _script(conn, _FTS)


#: version -> the step that makes a database of the version before it that version
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _to_v1}


class NewerSchema(Exception):
    """The database was written by a newer akool-tui (its schema is not known here)."""


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database up to :data:`SCHEMA_VERSION`; returns the version it had."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise NewerSchema(f"the history database has schema version {found}; this "
                          f"akool-tui knows up to {SCHEMA_VERSION}")
    for version in range(found + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return found


def _make_dirs(directory: Path) -> None:
    missing = []
    for path in (directory, *directory.parents):
        if os.path.isdir(path):
            break
        missing.append(path)
    for path in reversed(missing):
        try:
            os.mkdir(path, DIR_MODE)
        except FileExistsError:
            pass


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys.

    Writing: the folder and the file are created private (0700 / 0600) and migrated.
    Reading: ``FileNotFoundError`` when there is no history yet.
    """
    if readonly:
        if not path.is_file():
            raise FileNotFoundError(2, "no history recorded yet", str(path))
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None,
                               check_same_thread=False)
    else:
        _make_dirs(path.parent)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                             FILE_MODE))
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        if conn.execute("PRAGMA user_version").fetchone()[0] == 0 and not conn.execute(
                "SELECT 1 FROM sqlite_master").fetchone():
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only before the first table
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn)
    return conn


# -- retention -----------------------------------------------------------------------


def used_bytes(conn: sqlite3.Connection) -> int:
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    return (pages - free) * page


def _drop_conversations(conn: sqlite3.Connection, where: str, args: tuple) -> int:
    ids = [r[0] for r in conn.execute(f"SELECT id FROM conversations WHERE {where}", args)]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM items WHERE conversation_id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM conversations WHERE id IN ({marks})", chunk)
    return len(ids)


def apply_retention(conn: sqlite3.Connection, *, max_days: float | None,
                    max_bytes: int | None, now: float | None = None) -> int:
    """Forget conversations (and session events) older than ``max_days``, then the
    oldest conversations until the data fits in ``max_bytes``; give the space back
    to the file system. Returns how many conversations were forgotten."""
    now = time.time() if now is None else now
    dropped = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        if max_days is not None and max_days > 0:
            cutoff = now - max_days * 86400
            dropped += _drop_conversations(conn, "coalesce(ended, started) < ?", (cutoff,))
            conn.execute("DELETE FROM session_events WHERE ts < ?", (cutoff,))
            conn.execute("DELETE FROM sessions WHERE last_seen < ?", (cutoff,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    if max_bytes is not None and max_bytes > 0:
        while used_bytes(conn) > max_bytes:
            total = conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
            if total == 0:
                events = conn.execute("SELECT count(*) FROM session_events").fetchone()[0]
                if not events:
                    break
                conn.execute("DELETE FROM session_events WHERE id IN (SELECT id FROM "
                             "session_events ORDER BY ts LIMIT ?)", (max(1, events // 10),))
                continue
            oldest = max(1, total // 10)
            conn.execute("BEGIN IMMEDIATE")
            dropped += _drop_conversations(
                conn, "id IN (SELECT id FROM conversations ORDER BY started LIMIT ?)",
                (oldest,))
            conn.execute("COMMIT")
    conn.executescript("PRAGMA incremental_vacuum;")  # (execute() frees one page only)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return dropped
