"""``akool-tui history list | search TEXT | show ID | export ID``: the recorded history.

Reads the database the console records into (:mod:`akool_tui.core.history`), read
only; ``--demo`` reads the demo's. Nothing here talks to the API or starts the
simulator. ``export -o FILE`` creates FILE (never overwrites it, never follows a
symlink: :func:`akool_tui.core.files.write_new`); without ``-o`` it prints.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from .context import EXIT_API, EXIT_OK, Context, UsageError

if TYPE_CHECKING:
    import sqlite3


def add_history_commands(sub: argparse._SubParsersAction, command) -> None:
    """The ``history`` actions (``command(sub, name, help, func)`` adds one)."""

    def filters(p: argparse.ArgumentParser) -> None:
        p.add_argument("--session", metavar="ID", default="",
                       help="only this session (its id, or a prefix or suffix of it)")
        p.add_argument("--avatar", metavar="ID", default="", help="only this avatar")
        p.add_argument("--since", metavar="DATE", default=None,
                       help="from this day (YYYY-MM-DD, YYYY-MM-DDTHH:MM, today, 7d)")
        p.add_argument("--until", metavar="DATE", default=None, help="up to this day")
        p.add_argument("--limit", metavar="N", type=int, default=50,
                       help="at most N conversations (default 50)")

    for p in (command(sub, "list", "recorded conversations, newest first", cmd_history_list),
              command(sub, "search", "conversations whose text has every word",
                      cmd_history_search)):
        filters(p)
    sub.choices["search"].add_argument("text", metavar="TEXT", nargs="+", help="words")
    p = command(sub, "show", "one conversation as a transcript with its timings",
                cmd_history_show)
    p.add_argument("id", metavar="ID", help="the conversation's number (history list)")
    p = command(sub, "export", "one conversation as Markdown or JSON Lines", cmd_history_export)
    p.add_argument("id", metavar="ID", help="the conversation's number (history list)")
    p.add_argument("--format", choices=("md", "jsonl"), default="md",
                   help="md (default) or jsonl")
    p.add_argument("-o", "--output", metavar="FILE", default=None,
                   help="write FILE (it must not exist yet) instead of printing")
    for name in ("list", "search", "show", "export"):
        sub.choices[name].set_defaults(offline=True)  # no simulator, no API


def _open(ctx: Context) -> sqlite3.Connection | None:
    from ..core import history

    profile = ctx.config.profile or history.schema.DEFAULT_PROFILE  # --profile, env, file
    path = history.history_path(profile, demo=bool(ctx.args.demo))
    try:
        return history.open_history(path)
    except FileNotFoundError:
        return None
    except history.schema.sqlite3.Error as exc:
        raise OSError(f"cannot read the history at {path}: {exc}") from None


def _filters(ctx: Context, text: str = ""):
    from ..core.history import Filters, parse_day

    a = ctx.args
    if a.limit < 1:
        raise UsageError(f"--limit: expected a positive number, got {a.limit}")
    try:
        since = parse_day(a.since) if a.since else None
        until = parse_day(a.until, end=True) if a.until else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return Filters(text=text, session=a.session, avatar=a.avatar, since=since, until=until,
                   limit=a.limit)


def _list(ctx: Context, text: str = "") -> int:
    from ..core.fields import duration
    from ..core.history import list_conversations
    from ..core.ids import short_id
    from .output import table

    filters = _filters(ctx, text)
    conn = _open(ctx)
    found = []
    if conn is not None:
        try:
            found = list_conversations(conn, filters)
        finally:
            conn.close()

    def human() -> str:
        if not found:
            return "No conversations recorded" + (" match" if text else "") + "."
        return table(("ID", "STARTED", "SESSION", "AVATAR", "LINES", "REPLIES", "DURATION"),
                     [(s.id, f"{s.started.astimezone():%Y-%m-%d %H:%M}",
                       short_id(s.session_id), s.avatar_id or "-", s.lines, s.replies,
                       duration(s.duration_s)) for s in found], right=(0, 4, 5))

    ctx.emit([s.to_dict() for s in found], human, ready=True)
    return EXIT_OK


def cmd_history_list(ctx: Context) -> int:
    """Recorded conversations, newest first."""
    return _list(ctx)


def cmd_history_search(ctx: Context) -> int:
    """Conversations whose text has every word given."""
    return _list(ctx, " ".join(ctx.args.text))


def _one(ctx: Context) -> tuple[Any, list, list] | None:
    from ..core.history import conversation_events, conversation_items, get_conversation

    try:
        cid = int(ctx.args.id)
    except ValueError:
        raise UsageError(f"invalid conversation ID {ctx.args.id!r}: a number from "
                         "'history list'") from None
    conn = _open(ctx)
    if conn is None:
        ctx.note("no history recorded yet")
        return None
    try:
        summary = get_conversation(conn, cid)
        if summary is None:
            ctx.note(f"no conversation {cid} in the history ('history list' lists them)")
            return None
        return summary, conversation_items(conn, cid), conversation_events(conn, summary)
    finally:
        conn.close()


def cmd_history_show(ctx: Context) -> int:
    """One conversation: its items with times and reply timings, the session's lifecycle."""
    from ..core.history import item_line

    found = _one(ctx)
    if found is None:
        return EXIT_API
    summary, items, events = found

    def human() -> str:
        s = summary
        lines = [f"conversation {s.id}: session {s.session_id}, avatar {s.avatar_id or '-'}, "
                 f"{s.started.astimezone():%Y-%m-%d %H:%M:%S}, {s.lines} lines, "
                 f"{s.replies} replies"]
        for when, event, detail in events:
            lines.append(f"  session {event}{' (' + detail + ')' if detail else ''} "
                         f"at {when.astimezone():%Y-%m-%d %H:%M:%S}")
        lines.append("")
        for item in items:
            role, text, status, note = item_line(item)
            marks = [m for m in (status, "interrupted" if item.interrupted else "") if m]
            tail = "".join(f" [{m}]" for m in (*marks, note) if m)
            lines.append(f"{item.time.astimezone():%H:%M:%S}  {role:<6} {text}{tail}")
        return "\n".join(lines)

    value = {"conversation": summary.to_dict(), "items": [i.to_dict() for i in items],
             "session_events": [{"time": w.isoformat(timespec="seconds"), "event": e,
                                 "detail": d} for w, e, d in events]}
    ctx.emit(value, human, ready=True)
    return EXIT_OK


def cmd_history_export(ctx: Context) -> int:
    """One conversation as Markdown or JSON Lines, printed or written to a new file."""
    from ..core.files import write_new
    from ..core.history import render

    found = _one(ctx)
    if found is None:
        return EXIT_API
    summary, items, _events = found
    text = render(summary, items, ctx.args.format)
    if ctx.args.output is None:
        ctx.out(text.rstrip("\n"))
        return EXIT_OK
    try:
        write_new(ctx.args.output, text.encode("utf-8"))
    except FileExistsError:
        raise UsageError(f"{ctx.args.output} already exists: not overwritten "
                         "(give a new file name)") from None
    except OSError as exc:  # a missing folder, no permission: say which file
        raise UsageError(f"cannot write {ctx.args.output}: {exc.strerror or exc}") from None
    ctx.note(f"wrote {ctx.args.output}")
    return EXIT_OK
