"""``akool-tui knowledge list | show ID | create | update ID | delete ID...``.

Everything a create or an update would send is checked first (:mod:`akool_tui.core.knowledge`):
a value over a limit, a document of another format or over 100 MB, documents over 500 MB
together, a URL that is not http(s) -- exit 2 with every reason, nothing sent. Ids are
typed as the console shows them (a unique prefix or suffix, :func:`~akool_tui.core.ids.resolve_id`);
AKool's own knowledge bases can be used but not changed or deleted: refused before
sending. ``delete`` does not ask (as ``sessions close``).

This module is imported when the parser is built: everything else is imported inside the
commands.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from .context import EXIT_API, EXIT_OK, Context, UsageError, api_command, mutates, now

if TYPE_CHECKING:
    from ..api.client import AkoolClient
    from ..api.knowledge import KnowledgeBase
    from ..core.knowledge import Draft

SOURCES = {"yours": (2,), "akool": (1,), "all": (2, 1)}
ID_HELP = "a knowledge base ID, or a unique prefix or suffix of it (as the console shows it)"
DOC_HELP = ("a document, repeatable: NAME=URL, NAME=URL;size=SIZE (bytes, or KB/MB/GB) or a "
            "URL (named after its last part); PDF DOC DOCX TXT MD JSON XML CSV, at most "
            "100 MB each and 500 MB together")


def add_commands(group, command) -> None:
    """``knowledge ...`` on the parser (``group`` / ``command`` as in ``main.build_parser``)."""
    knowledge = group("knowledge", "knowledge bases (the prompt, greeting and documents "
                                   "of a dialogue session)")
    p = command(knowledge, "list", "list knowledge bases (yours and AKool's)", cmd_knowledge_list)
    p.add_argument("--from", dest="source", choices=tuple(SOURCES), default="all",
                   help="yours, AKool's (akool) or all (default)")
    p.add_argument("--name", metavar="TEXT", help="only names containing TEXT")
    p = command(knowledge, "show", "show one knowledge base: prologue, prompt, documents, URLs",
                cmd_knowledge_show)
    p.add_argument("id", metavar="ID", help=ID_HELP)
    p = command(knowledge, "create", "create a knowledge base", cmd_knowledge_create)
    _fields(p, creating=True)
    p = command(knowledge, "update", "change a knowledge base (only the fields given)",
                cmd_knowledge_update)
    p.add_argument("id", metavar="ID", help=ID_HELP)
    _fields(p, creating=False)
    p = command(knowledge, "delete", "delete knowledge bases (does not ask)", cmd_knowledge_delete)
    p.add_argument("ids", metavar="ID", nargs="+", help=ID_HELP)


def _fields(p: argparse.ArgumentParser, *, creating: bool) -> None:
    p.add_argument("--name", metavar="NAME", required=creating,
                   help="at most 100 characters" + (" (required)" if creating else ""))
    text = p.add_mutually_exclusive_group()
    text.add_argument("--prompt", metavar="TEXT",
                      help="instructions for the LLM, at most 10,000 characters")
    text.add_argument("--prompt-file", metavar="FILE", help="the prompt from a UTF-8 file")
    greet = p.add_mutually_exclusive_group()
    greet.add_argument("--prologue", metavar="TEXT",
                       help="what the avatar says first, at most 2,000 characters"
                            + ("" if creating else " ('' clears it)"))
    greet.add_argument("--prologue-file", metavar="FILE", help="the prologue from a UTF-8 file")
    replaces = "" if creating else "; replaces the documents"
    p.add_argument("--doc", metavar="NAME=URL", action="append", help=DOC_HELP + replaces)
    p.add_argument("--url", metavar="URL", action="append",
                   help="a web page to draw on, repeatable" + ("" if creating
                                                              else "; replaces the URLs"))


def _draft(args: argparse.Namespace, *, creating: bool) -> Draft:
    """The fields given, checked: a usage error (exit 2) listing every problem."""
    from ..api.errors import ParamError
    from ..api.knowledge import KnowledgeDoc
    from ..core.knowledge import Draft, parse_doc, problems, read_text_file

    reasons: list[str] = []
    texts: dict[str, str | None] = {}
    for key in ("prompt", "prologue"):
        path = getattr(args, f"{key}_file")
        try:
            texts[key] = read_text_file(path, key) if path else getattr(args, key)
        except ParamError as error:
            reasons.append(str(error))
            texts[key] = None
    docs: list[KnowledgeDoc] = []
    for text in args.doc or ():
        try:
            docs.append(parse_doc(text))
        except ParamError as error:
            reasons.append(str(error))
    draft = Draft(name=args.name.strip() if args.name is not None else None,
                  prologue=texts["prologue"], prompt=texts["prompt"],
                  docs=docs if args.doc else None,
                  urls=[u.strip() for u in args.url] if args.url else None)
    reasons += [f"{_option(key)}: {problem}" for key, problem
                in problems(draft, creating=creating).items()]
    if reasons:
        raise UsageError("nothing sent: " + "; ".join(reasons))
    return draft


def _option(key: str) -> str:
    """``docs[1].url`` -> ``--doc #2``: the option the problem is in."""
    import re

    if (match := re.fullmatch(r"(docs|urls)\[(\d+)\].*", key)) is not None:
        return f"--{match.group(1)[:-1]} #{int(match.group(2)) + 1}"
    return {"docs": "--doc"}.get(key, f"--{key}")


# -- reading -------------------------------------------------------------------------


async def _listed(client: AkoolClient, source: str = "all", name: str | None = None
                  ) -> list[KnowledgeBase]:
    found: list[KnowledgeBase] = []
    for value in SOURCES[source]:
        found.extend(await client.list_all_knowledge(name=name or None, source=value))
    return found


async def _resolve(client: AkoolClient, typed: list[str]
                   ) -> tuple[list[str | Exception], dict[str, KnowledgeBase]]:
    """The full id each typed id names (or why none), and the listed knowledge bases by id.
    An ambiguous id is a usage error; full ids not listed are kept (the server decides)."""
    from ..core.ids import AmbiguousIdError, UnknownIdError, looks_full, resolve_id

    typed = [t.strip() for t in typed]
    if not all(typed):
        raise UsageError("a knowledge base ID is empty")
    known = {kb.id: kb for kb in await _listed(client)}
    found: list[str | Exception] = []
    for text in typed:
        try:
            found.append(text if looks_full(text) else
                         resolve_id(text, known, noun="knowledge base"))
        except AmbiguousIdError as error:
            raise UsageError(str(error)) from None
        except UnknownIdError as error:
            found.append(error)
    return found, known


def record(kb: KnowledgeBase) -> dict[str, Any]:
    """``--json``: every field, plus the source's label, whether it is read-only and the
    documents' total size."""
    from ..core.records import jsonable

    return {**jsonable(kb), "source_label": kb.source_label, "read_only": kb.read_only,
            "docs_bytes": kb.docs_bytes}


def details(kb: KnowledgeBase) -> str:
    """The short fields as ``Label: value``, then the prologue, the prompt, the documents
    and the URLs as indented blocks (their lines kept)."""
    from ..core.fields import KNOWLEDGE_BLOCKS, KNOWLEDGE_FIELDS, details as field_details
    from ..core.knowledge import format_bytes
    from ..core.text import safe
    from .output import details as pairs

    moment = now()
    short = [f for f in KNOWLEDGE_FIELDS if f.key not in KNOWLEDGE_BLOCKS]
    parts = [pairs([("Source", "AKool's (read-only)" if kb.read_only else kb.source_label),
                    *[(k, v) for k, v in field_details(short, kb, moment) if k != "Source"]])]

    def block(title: str, lines: list[str]) -> None:
        body = "\n".join("  " + safe(line, limit=None, tabs=2) for line in lines) or "  —"
        parts.append(f"{title}:\n{body}")

    block("Prologue", kb.prologue.splitlines() if kb.prologue else [])
    block("Prompt", kb.prompt.splitlines() if kb.prompt else [])
    block(f"Documents ({len(kb.docs)}, {format_bytes(kb.docs_bytes)})" if kb.docs
          else "Documents", [f"{d.name}  {format_bytes(d.size)}  {d.url}" for d in kb.docs])
    block(f"URLs ({len(kb.urls)})" if kb.urls else "URLs", list(kb.urls))
    return "\n\n".join(parts)


# -- commands -------------------------------------------------------------------------


@api_command
async def cmd_knowledge_list(ctx: Context, client: AkoolClient) -> None:
    from ..core.fields import KNOWLEDGE_FIELDS, count
    from .output import records_table

    found = await _listed(client, ctx.args.source, ctx.args.name)

    def human() -> str:
        mine = sum(not kb.read_only for kb in found)
        summary = f"{count(len(found), 'knowledge base')} ({mine:,} yours, " \
                  f"{len(found) - mine:,} AKool's)"
        return (records_table(KNOWLEDGE_FIELDS, found, now()) + "\n\n" + summary) \
            if found else summary

    ctx.emit([record(kb) for kb in found], human, ready=True)


@api_command
async def cmd_knowledge_show(ctx: Context, client: AkoolClient) -> None:
    from ..core.ids import looks_full

    typed = ctx.args.id.strip()
    if not looks_full(typed):
        (typed,), _ = await _resolve(client, [typed])
        if isinstance(typed, Exception):
            raise typed
    kb = await client.knowledge_detail(typed)
    ctx.emit(record(kb), lambda: details(kb), ready=True)


def _demo_note(ctx: Context) -> None:
    if ctx.args.demo:
        ctx.note("--demo: this command runs against a fresh simulator that stops when it "
                 "ends; nothing it changes is kept for the next command")


@mutates("knowledge.edit")
@api_command
async def cmd_knowledge_create(ctx: Context, client: AkoolClient) -> None:
    draft = _draft(ctx.args, creating=True)
    _demo_note(ctx)
    kb = await client.create_knowledge(**draft.kwargs())  # type: ignore[arg-type]
    ctx.emit(record(kb), lambda: details(kb), ready=True)


def _read_only(kb: KnowledgeBase) -> str:
    return f"{kb.id} ({kb.name}) is one of AKool's knowledge bases: it can be used but " \
           "not changed or deleted"


@mutates("knowledge.edit")
@api_command
async def cmd_knowledge_update(ctx: Context, client: AkoolClient) -> None:
    from ..core.knowledge import is_empty

    draft = _draft(ctx.args, creating=False)
    if is_empty(draft):
        raise UsageError("nothing to change: give --name, --prompt, --prologue, --doc or --url")
    (found,), known = await _resolve(client, [ctx.args.id])
    if isinstance(found, Exception):
        raise found
    if found in known and known[found].read_only:
        raise UsageError(_read_only(known[found]))
    _demo_note(ctx)
    kb = await client.update_knowledge(found, **draft.kwargs())  # type: ignore[arg-type]
    ctx.emit(record(kb), lambda: details(kb), ready=True)


@mutates("knowledge.edit")
@api_command
async def cmd_knowledge_delete(ctx: Context, client: AkoolClient) -> int:
    """Each once, in the order given; AKool's are refused (not sent); the others are
    deleted even when some fail (exit 1 then)."""
    from ..api.errors import AkoolError

    found, known = await _resolve(client, ctx.args.ids)
    _demo_note(ctx)
    results: list[dict[str, Any]] = []
    seen: set[str] = set()
    for text, item in zip(ctx.args.ids, found, strict=True):
        key = item if isinstance(item, str) else text
        if key in seen:
            continue
        seen.add(key)
        entry: dict[str, Any] = {"id": key, "deleted": False}
        if isinstance(item, Exception):
            entry["error"] = str(item)
        elif item in known and known[item].read_only:
            entry["error"] = _read_only(known[item])
        else:
            try:
                await client.delete_knowledge(item)
                entry["deleted"] = True
            except AkoolError as error:
                entry["error"] = str(error)
        if "error" in entry:
            ctx.note(entry["error"] if key in entry["error"] else f"{key}: {entry['error']}")
        elif not ctx.json:
            ctx.out(f"deleted {key}")
        results.append(entry)
    if ctx.json:
        ctx.emit(results, str, ready=True)
    return EXIT_OK if all(r["deleted"] for r in results) else EXIT_API
