"""``akool-tui sessions list | show | create | close``.

What they do is core's: the create request (:func:`~akool_tui.core.sessions.create_request`,
the one stream-type rule), bulk close (:func:`~akool_tui.core.sessions.close_sessions`),
ids typed as the console shows them (:func:`~akool_tui.core.ids.resolve_id`), tables and
details from the field catalogue (:data:`~akool_tui.core.fields.SESSION_FIELDS`).

An id shorter than a full one (the console's last 8 characters, or any unique prefix or
suffix) is looked up in the account's sessions: one that matches several sessions is a
usage error (exit 2, the matches listed), one that matches none is exit 1, as a full id
the service does not know.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..core.fields import SESSION_FIELDS, count
from ..core.ids import AmbiguousIdError, UnknownIdError, looks_full, resolve_id
from .context import EXIT_API, EXIT_OK, Context, UsageError, api_command, mutates, now

if TYPE_CHECKING:
    from ..api.client import AkoolClient
    from ..api.models import Session


def _credentials(session: Session) -> list[tuple[str, Any]]:
    return [(f"credentials.{key}", value) for key, value in session.credentials.masked().items()]


def _details(session: Session) -> str:
    from .output import record_details

    return record_details(SESSION_FIELDS, session, now(), extra=_credentials(session))


async def resolve(client: AkoolClient, typed: Iterable[str]) -> list[str | UnknownIdError]:
    """The full id each typed id names, or why none: full ids as typed, shorter ones
    against the account's sessions (listed once). Ambiguous ones are a usage error."""
    typed = [t.strip() for t in typed]
    if not all(typed):  # a usage error (exit 2), found before anything is sent
        raise UsageError("a session ID is empty")
    if all(looks_full(t) for t in typed):
        return list(typed)
    known = [s.id for s in await client.list_all_sessions()]
    found: list[str | UnknownIdError] = []
    for text in typed:
        try:
            found.append(text if looks_full(text) else resolve_id(text, known))
        except AmbiguousIdError as error:
            raise UsageError(str(error)) from None
        except UnknownIdError as error:
            found.append(error)
    return found


# -- sessions ---------------------------------------------------------------------------


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The garbage collector, while a listing runs: what is alive already (the modules,
    the client) frozen out of its walks, and a young collection every 10 000 new
    containers instead of 700 (a page makes about 700). At 100 000 sessions the table
    spent 0.4 s in 420 collections, each full one walking every module's objects.
    Both are put back however the listing ends (``main`` also runs inside tests)."""
    import gc

    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 10_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


@api_command
async def cmd_sessions_list(ctx: Context, client: AkoolClient) -> None:
    """Written as the pages arrive: ``--json`` an array (one session a line), ``--jsonl``
    one session a line, both in the service's order (newest first); the table keeps
    only its cells until the last page (then sorted newest first). What a broken
    listing printed before it failed stays printed, and the exit code says it failed."""
    with _fewer_collections():
        await _sessions_list(ctx, client)


async def _sessions_list(ctx: Context, client: AkoolClient) -> None:
    from .listed_page import PageWriter
    from .output import ListedJson, TableBuilder

    status = getattr(ctx.args, "status", None)
    write = sys.stdout.write
    jsonl = getattr(ctx.args, "jsonl", False)
    if ctx.json or jsonl:
        # each record written as JSON as its page arrives, without building a Session
        # (a page at a time, column by column: cli/listed_page.py)
        writer, second = ListedJson(), itemgetter(1)
        pages = client.iter_pages(status=status, factory=writer, key=itemgetter(0),
                                  batch=writer.page)
        out = PageWriter(sys.stdout)  # the masks marked in the lines written as they are
        if jsonl:
            async for page in pages:
                out.write("", list(map(second, page)), "\n", "\n")
            return
        opened = False
        async for page in pages:
            out.write(",\n" if opened else "[\n", list(map(second, page)), ",\n")
            opened = True
        out.write("\n]\n" if opened else "[]\n", [], "")
        return
    from .session_rows import SessionRows, newest_first

    rows = SessionRows(now())  # each record's cells as its page arrives, not a Session
    builder, open_now = TableBuilder(SESSION_FIELDS, rows.now, key=newest_first), 0
    async for page in client.iter_pages(status=status, factory=rows, key=itemgetter(0),
                                        batch=rows.page):
        builder.add_rows((key, cells) for _, key, cells, _ in page)
        open_now += sum(row[3] for row in page)
    if len(builder):
        for line in builder.lines():  # cells made safe as they were added
            write(line + "\n")
        write("\n")
    ctx.out(f"{count(len(builder), 'session')}, {open_now:,} open")


@api_command
async def cmd_sessions_show(ctx: Context, client: AkoolClient) -> None:
    (found,) = await resolve(client, [ctx.args.id])
    if isinstance(found, UnknownIdError):
        raise found
    session = await client.session_detail(found)
    ctx.emit(session, lambda: _details(session))


@mutates("sessions.create")
@api_command
async def cmd_sessions_create(ctx: Context, client: AkoolClient) -> None:
    from ..core.sessions import create_request
    from . import create_options as options

    a = ctx.args
    overrides = {  # a flag left out (None) or given empty: the configured default
        "avatar_id": a.avatar, "duration": a.duration, "stream_type": a.stream_type,
        "voice_id": a.voice or None, "language": a.lang or None, "mode_type": a.mode,
        "background_url": a.background or None, "speed": a.speed,
        **options.read_files(ctx),  # --params-file, --credentials-file, --scene-mode
    }
    options.check(ctx, create_request(ctx.config.defaults, overrides))  # exit 2: none sent
    overrides["knowledge_id"] = await options.knowledge_id(client, a.knowledge)
    request = create_request(ctx.config.defaults, overrides)
    session = await client.create_session(**request)
    ctx.emit(session, lambda: _details(session))


@mutates("sessions.close")
@api_command
async def cmd_sessions_close(ctx: Context, client: AkoolClient) -> int:
    """Each session once, in the order given; one closed already counts as closed (and
    says so); the others are closed even when some fail (exit 1 then)."""
    from ..core.sessions import close_sessions

    found = await resolve(client, ctx.args.ids)
    ids = [f for f in found if isinstance(f, str)]
    closed = {r.id: r for r in await close_sessions(client, ids)}
    results: list[dict[str, Any]] = []
    seen: set[str] = set()
    for text, item in zip(ctx.args.ids, found, strict=True):
        key = item if isinstance(item, str) else text
        if key in seen:  # once each
            continue
        seen.add(key)
        if isinstance(item, UnknownIdError):
            results.append({"id": text, "closed": False, "error": str(item)})
            ctx.note(str(item))
            continue
        result = closed[item]
        entry: dict[str, Any] = {"id": item, "closed": result.closed}
        if result.already:
            entry["already_closed"] = True
        if result.error is not None:
            entry["error"] = str(result.error)
            ctx.note(f"{item}: {result.error}")
        elif not ctx.json:
            ctx.out(f"already closed {item}" if result.already else f"closed {item}")
        results.append(entry)
    if ctx.json:
        ctx.emit(results, str, ready=True)
    return EXIT_OK if all(r["closed"] for r in results) else EXIT_API
