"""Chat transcript export: a Markdown and a JSON Lines file, created exclusively.

Where: ``$AKOOL_TUI_EXPORT_DIR`` if set, else the config's ``[chat] export_dir``,
else ``$XDG_DATA_HOME/akool-tui/exports`` (``~/.local/share/akool-tui/exports``
without XDG), created with mode 0700 -- never the current directory, which may be
anyone's (``/tmp``).

How: each file is created with ``O_CREAT | O_EXCL | O_NOFOLLOW`` relative to the
opened folder, so nothing already there is followed or overwritten: a name that is
taken -- a file, a symlink (dangling or not), another export finishing at the same
second -- moves the export to the next free name (``-2``, ``-3``...). The files are
mode 0600: a transcript is a private conversation (credentials are masked, the
words are not); ``chmod`` them to share.

Names: ``akool-chat-<session>-<YYYYmmdd-HHMMSS>``, where ``<session>`` keeps only
``A-Z a-z 0-9 _ -`` of the session id (anything else becomes ``_``), at most
:data:`MAX_ID_CHARS` of them, and is never empty. The content is the transcript
as it was; the Markdown header's values are made visible (control and format
characters written as ``\\x1b``-style escapes), and the Markdown shows every text
literally (:func:`escape_markdown`) and marks cut replies: interrupted, incomplete,
still streaming (the JSON Lines records say so in ``interrupted`` and ``status``).
"""

from __future__ import annotations

import errno
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ..api.secrets import mask_text

EXPORT_DIR_ENV = "AKOOL_TUI_EXPORT_DIR"
APP_DIR = "akool-tui"
#: transcripts are private conversations
FILE_MODE = 0o600
DIR_MODE = 0o700
#: characters of the session id kept in a file name
MAX_ID_CHARS = 32
#: names tried (``stem``, ``stem-2``...) before giving up
MAX_ATTEMPTS = 1000

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_CREATE = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
           | getattr(os, "O_CLOEXEC", 0))


def default_export_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/akool-tui/exports``, else ``~/.local/share/akool-tui/exports``."""
    env = os.environ if env is None else env
    xdg = env.get("XDG_DATA_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / APP_DIR / "exports"


def export_dir(configured: str = "", env: Mapping[str, str] | None = None) -> Path:
    """The absolute folder exports go to (see the module docstring for the order)."""
    env = os.environ if env is None else env
    chosen = env.get(EXPORT_DIR_ENV) or configured
    path = Path(chosen).expanduser() if chosen else default_export_dir(env)
    return path.absolute()


def safe_name_part(text: str, *, limit: int = MAX_ID_CHARS, fallback: str = "session") -> str:
    """``text`` reduced to ``A-Z a-z 0-9 _ -`` (runs of anything else become one ``_``),
    at most ``limit`` characters, without leading or trailing ``_``/``-``; never empty."""
    safe = _UNSAFE.sub("_", text[: limit * 8]).strip("_-")[:limit].strip("_-")
    return safe or fallback


def export_stem(session_id: str, when: datetime, *, others: int = 0) -> str:
    """``akool-chat-<safe session id>-<YYYYmmdd-HHMMSS>``; with ``others`` sessions
    earlier in the same transcript, ``akool-chat-<id>-and-<others>-more-<...>``."""
    more = f"-and-{others}-more" if others > 0 else ""
    return f"akool-chat-{safe_name_part(session_id)}{more}-{when:%Y%m%d-%H%M%S}"


def visible(text: str) -> str:
    """``text`` with control and format characters written as escapes (``\\x1b``,
    ``\\u202e``): for the one-line header values that come from the server."""
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every known secret (and anything secret-shaped) masked."""
    return mask_text(text, [s for s in secrets if s])


#: characters with a meaning anywhere in a line of Markdown (CommonMark and GitHub's:
#: emphasis, code, links, raw HTML and entities, tables, strikethrough, math)
_INLINE = re.compile(r"([\\`*_\[\]<>&|~$])")
#: what makes a line a heading, list item, quote or setext underline at its start
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


def escape_markdown(text: str) -> str:
    """``text`` as literal Markdown text: every character that could format (``**``,
    backticks, ``[x](y)``, ``<html>``, ``&amp;``) is backslash-escaped, as is what
    would start a heading, list or quote at a line's start (``# ``, ``- ``, ``1. ``,
    ``> ``, ``===``). Lines are joined with hard breaks (``\\`` + newline), so that an
    empty line does not end the paragraph (and an indented line after it is no code
    block); trailing empty lines are left out, and a renderer drops the indentation of
    a line (the JSON Lines file has the text exactly)."""
    lines = []
    for line in text.rstrip("\n").split("\n"):
        line = _INLINE.sub(r"\\\1", line)
        line = _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1],
                               line)
        lines.append(line)
    return "\\\n".join(lines)


def reply_marks(entry: Mapping[str, Any]) -> list[str]:
    """How a record's text is not the whole message: "interrupted" (stopped by the
    user's interrupt), "incomplete" (parts never arrived), "still streaming"."""
    marks = []
    if entry.get("interrupted"):
        marks.append("interrupted")
    status = entry.get("status", "")
    if status == "incomplete":
        marks.append("incomplete")
    elif status == "streaming":
        marks.append("still streaming when exported")
    return marks


def render_markdown(entries: list[dict[str, Any]], header: Mapping[str, str]) -> str:
    """The transcript as Markdown: a header list, then one paragraph per entry, its text
    literal (:func:`escape_markdown`) and a cut reply marked (:func:`reply_marks`)."""
    lines = ["# akool-tui chat transcript", ""]
    lines += [f"- {key}: {escape_markdown(visible(str(value)))}" for key, value in header.items()]
    lines.append("")
    for e in entries:
        marks = "".join(f" **\\[{mark}\\]**" for mark in reply_marks(e))
        note = f" _\\[{escape_markdown(e['note'])}\\]_" if e["note"] else ""
        when = _INLINE.sub(r"\\\1", str(e["time"] or "-"))
        role = _INLINE.sub(r"\\\1", str(e["role"]))
        lines += [f"**{role}** ({when}){marks}: {escape_markdown(e['text'])}{note}", ""]
    return "\n".join(lines)


def render_jsonl(entries: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)


def _make_dirs(directory: Path) -> None:
    """Create ``directory`` and its missing parents, each with mode 0700."""
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


def _create(name: str, dir_fd: int) -> int | None:
    """A new file ``name`` in the folder, or None when the name is taken (even by a symlink)."""
    try:
        return os.open(name, _CREATE, FILE_MODE, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ELOOP):
            return None
        raise


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_exports(entries: list[dict[str, Any]], directory: Path, stem: str,
                  header: Mapping[str, str], secrets: Iterable[str]) -> list[Path]:
    """Write ``<name>.md`` and ``<name>.jsonl`` into ``directory`` and return their paths.

    ``<name>`` is ``stem`` (made safe) or the first of ``stem-2``, ``stem-3``... whose
    two files are both free. Raises ``OSError`` (the folder cannot be made, the disk is
    full...); a half-written pair is removed.
    """
    secrets = list(secrets)
    stem = safe_name_part(stem, limit=MAX_ID_CHARS + 40, fallback="akool-chat")
    # masked before the Markdown escapes: an escaped secret ("sk\\_...") is no longer
    # the string masked; the rendered files are scrubbed again all the same
    entries = [{**e, "text": scrub(str(e["text"]), secrets),
                "note": scrub(str(e["note"]), secrets)} for e in entries]
    header = {key: scrub(str(value), secrets) for key, value in header.items()}
    markdown = scrub(render_markdown(entries, header), secrets).encode("utf-8")
    jsonl = scrub(render_jsonl(entries), secrets).encode("utf-8")
    _make_dirs(directory)
    dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    try:
        for n in range(1, MAX_ATTEMPTS + 1):
            name = stem if n == 1 else f"{stem}-{n}"
            md_name, jsonl_name = f"{name}.md", f"{name}.jsonl"
            md_fd = _create(md_name, dir_fd)
            if md_fd is None:
                continue
            try:
                jsonl_fd = _create(jsonl_name, dir_fd)
            except BaseException:
                os.close(md_fd)
                os.unlink(md_name, dir_fd=dir_fd)
                raise
            if jsonl_fd is None:  # a planted .jsonl: give this name up whole
                os.close(md_fd)
                os.unlink(md_name, dir_fd=dir_fd)
                continue
            try:
                _write(md_fd, markdown)
                _write(jsonl_fd, jsonl)
            except BaseException:
                for created in (md_name, jsonl_name):
                    try:
                        os.unlink(created, dir_fd=dir_fd)
                    except OSError:
                        pass
                raise
            finally:
                os.close(md_fd)
                os.close(jsonl_fd)
            return [directory / md_name, directory / jsonl_name]
    finally:
        os.close(dir_fd)
    raise FileExistsError(errno.EEXIST,
                          f"no free file name after {MAX_ATTEMPTS} tries ({stem}-N.md)")
