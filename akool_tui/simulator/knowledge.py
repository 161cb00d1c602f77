"""Knowledge bases as the simulator checks them (spec section 2).

A knowledge base gives a dialogue session's LLM its instructions (``prompt``), the
greeting the avatar speaks (``prologue``) and documents and web pages to draw on.
The request checks here answer code 1003 with the reason (a field too long, a document
of another format or over 100 MB, documents over 500 MB together, a URL that is not
http(s)); the record is :class:`~akool_tui.simulator.records.KnowledgeBase`, and the
codes that need the account are raised by
:class:`~akool_tui.simulator.state.SimulatorState`. Where the spec leaves a choice:

- 1233 already exists: the name (trimmed, any case) of another of the user's knowledge
  bases, on create and on a rename; AKool's (``from`` 1) names are free to reuse;
- 1234 create error / 1235 update error: a document or page on a host that cannot be
  reached (``unreachable`` in the name, or ``.invalid``), as for avatar uploads;
- an id that is not an ObjectId (24 hex digits): 1236 detail error on detail, 1235 on
  update, 1232 not found on delete and on session create; a well-formed unknown id is
  1232 everywhere;
- AKool's own knowledge bases can be read and used but not changed or deleted: 1010;
- ``""`` / ``[]`` fields change nothing on update, except ``prologue: ""``, which clears
  it; a document sent without ``size`` is measured (a size from its URL) and its format
  is taken from its name's extension, else its URL's.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import urlsplit

from .params import absent, bad

MAX_NAME = 100
MAX_PROLOGUE = 2_000
MAX_PROMPT = 10_000
#: one document, all documents of one knowledge base (bytes)
MAX_DOC_BYTES = 104_857_600
MAX_TOTAL_BYTES = 524_288_000
DOC_FORMATS = ("pdf", "doc", "docx", "txt", "md", "json", "xml", "csv")
#: knowledge base ``_id``s are MongoDB ObjectIds
OBJECT_ID = re.compile(r"[0-9a-f]{24}")


# -- request checks (code 1003) ------------------------------------------------------


def text(body: dict[str, Any], name: str, limit: int) -> str | None:
    """An optional string field of at most ``limit`` characters; None when absent
    (``""`` is returned as is: the caller decides whether it clears or is absent)."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad(f"{name} must be a string")
    if len(value) > limit:
        raise bad(f"{name} is {len(value)} characters long: at most {limit} are allowed")
    return value


def _http(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _extension(name: str, url: str) -> str:
    """The document's format: the extension of its name, else of its URL's path."""
    for candidate in (name, urlsplit(url).path):
        base = candidate.rsplit("/", 1)[-1]
        if "." in base:
            return base.rsplit(".", 1)[1].lower()
    return ""


def measured_size(url: str) -> int:
    """The size the service finds when it fetches a document sent without one
    (deterministic: 8 KB to about 6 MB, from the URL)."""
    digest = hashlib.sha256(url.encode()).digest()
    return 8_192 + int.from_bytes(digest[:4], "big") % 6_000_000


def docs(value: Any) -> list[dict[str, Any]] | None:
    """``docs: [{name, url, size}]`` checked against the formats and both size limits;
    None when absent. ``size`` may be left out: the document is then measured."""
    if absent(value):
        return None
    if not isinstance(value, list):
        raise bad("docs must be a list of {name, url, size} objects")
    out: list[dict[str, Any]] = []
    total = 0
    formats = ", ".join(f.upper() for f in DOC_FORMATS)
    for i, doc in enumerate(value):
        where = f"docs[{i}]"
        if not isinstance(doc, dict):
            raise bad(f"{where} must be an object {{name, url, size}}")
        name, url, size = doc.get("name"), doc.get("url"), doc.get("size")
        if not isinstance(name, str) or not name.strip():
            raise bad(f"{where}.name is required")
        if not _http(url):
            raise bad(f"{where}.url must be an http(s) URL")
        url = url.strip()
        ext = _extension(name, url)
        if ext not in DOC_FORMATS:
            shown = f".{ext}" if ext else "no extension"
            raise bad(f"{where} {name!r} has {shown}: documents must be {formats}")
        if size is None or size == "":
            size = measured_size(url)
        elif isinstance(size, bool) or not isinstance(size, (int, float)) \
                or size != size or size < 0 or (isinstance(size, float) and not size.is_integer()):
            raise bad(f"{where}.size must be a whole number of bytes")
        size = int(size)
        if size > MAX_DOC_BYTES:
            raise bad(f"{where} {name!r} is {size} bytes: one document may have at most "
                      f"{MAX_DOC_BYTES} bytes (100 MB)")
        total += size
        out.append({"name": name.strip(), "url": url, "size": size})
    if total > MAX_TOTAL_BYTES:
        raise bad(f"the documents total {total} bytes: at most {MAX_TOTAL_BYTES} bytes "
                  "(500 MB) are allowed")
    return out


def urls(value: Any) -> list[str] | None:
    """``urls: [str]``, each an http(s) URL; None when absent."""
    if absent(value):
        return None
    if not isinstance(value, list):
        raise bad("urls must be a list of http(s) URLs")
    out = []
    for i, url in enumerate(value):
        if not _http(url):
            raise bad(f"urls[{i}] must be an http(s) URL")
        out.append(url.strip())
    return out


def fields(body: dict[str, Any]) -> dict[str, Any]:
    """The knowledge base fields of a create or update body, checked (1003).

    Keys present in the result were sent: ``name`` / ``prompt`` only when not empty,
    ``prologue`` also when ``""`` (an update clears it), ``docs`` / ``urls`` when not
    empty.
    """
    out: dict[str, Any] = {}
    name = text(body, "name", MAX_NAME)
    if name is not None and name.strip():
        out["name"] = name.strip()
    prologue = text(body, "prologue", MAX_PROLOGUE)
    if prologue is not None:
        out["prologue"] = prologue
    prompt = text(body, "prompt", MAX_PROMPT)
    if prompt:
        out["prompt"] = prompt
    d = docs(body.get("docs"))
    if d is not None:
        out["docs"] = d
    u = urls(body.get("urls"))
    if u is not None:
        out["urls"] = u
    return out
