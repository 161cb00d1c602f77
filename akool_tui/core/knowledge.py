"""Knowledge bases as the CLI and the console check them before anything is sent.

The limits are the spec's (section 2): a name of at most 100 characters, a prologue of
2,000, a prompt of 10,000; documents in PDF, DOC, DOCX, TXT, MD, JSON, XML or CSV (by the
extension of the name, else of the URL's path), one at most 100 MB (104,857,600 B), all
of them together at most 500 MB (524,288,000 B); document and page URLs http(s) with a
host. Each check answers ``None`` (fine) or what is wrong, short enough for a form's
inline message; :func:`problems` gives every problem of a whole draft, by field, so a
form can put each beside its field and a command can print them and exit 2.

``--doc`` values (:func:`parse_doc`)::

    URL                         the name is the URL's last path segment
    NAME=URL                    e.g. faq.pdf=https://example.com/files/faq.pdf
    NAME=URL;size=SIZE          SIZE in bytes, or with B, KB, MB or GB (1 KB = 1,024 B)

Sizes may be left out: the service measures a document sent without one.

No Textual, no printing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..api.errors import ParamError
from ..api.knowledge import KnowledgeBase, KnowledgeDoc
from .text import hidden_character

MAX_NAME = 100
MAX_PROLOGUE = 2_000
MAX_PROMPT = 10_000
#: one document, and all documents of one knowledge base (bytes)
MAX_DOC_BYTES = 104_857_600
MAX_TOTAL_BYTES = 524_288_000
DOC_FORMATS = ("pdf", "doc", "docx", "txt", "md", "json", "xml", "csv")
FORMATS_TEXT = ", ".join(f.upper() for f in DOC_FORMATS)

#: the text limits by field
LIMITS = {"name": MAX_NAME, "prologue": MAX_PROLOGUE, "prompt": MAX_PROMPT}
LABELS = {"name": "name", "prologue": "prologue", "prompt": "prompt"}

_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024 ** 2, "mb": 1024 ** 2,
          "mib": 1024 ** 2, "g": 1024 ** 3, "gb": 1024 ** 3, "gib": 1024 ** 3}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")
_SIZE_SUFFIX = re.compile(r";\s*size\s*=\s*([^;]*)$", re.IGNORECASE)


# -- sizes ---------------------------------------------------------------------------


def format_bytes(n: int | None) -> str:
    """``"12.3 MB"``, ``"812 KB"``, ``"512 B"`` (1 KB = 1,024 B, as the limits are
    written); ``"—"`` when unknown."""
    if n is None:
        return "—"
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if n >= scale:
            value = n / scale
            return f"{value:.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    return f"{n:,} B"


def parse_size(text: str) -> int:
    """Bytes from ``"1048576"``, ``"12MB"``, ``"1.5 MB"``, ``"300 KB"``; raises
    :class:`ParamError` saying what is expected."""
    match = _SIZE.fullmatch(text or "")
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS:
        raise ParamError(f"a size in bytes, or with KB, MB or GB (e.g. 12MB), not {text!r}")
    value = float(match.group(1)) * _UNITS[unit]
    if unit in ("", "b") and not match.group(1).isdigit():
        raise ParamError(f"a whole number of bytes, not {text!r}")
    return int(round(value))


def check_size(text: str) -> str | None:
    """An optional size typed in a form: empty is fine (the service measures it)."""
    if not text.strip():
        return None
    try:
        size = parse_size(text)
    except ParamError as error:
        return str(error)
    return _too_big(size)


def _too_big(size: int) -> str | None:
    if size > MAX_DOC_BYTES:
        shown = format_bytes(size)
        if shown == format_bytes(MAX_DOC_BYTES):  # "100 MB is over the 100 MB": the bytes
            shown = f"{size:,} B"
        return f"{shown} is over the 100 MB ({MAX_DOC_BYTES:,} B) a document may have"
    return None


# -- text fields ----------------------------------------------------------------------


def chars_left(text: str, limit: int) -> int:
    """Characters that may still be added (negative: this many too many)."""
    return limit - len(text)


def left_text(text: str, limit: int) -> str:
    """``"1,234 characters left"``, ``"12 characters too many"`` against ``limit``."""
    left = chars_left(text, limit)
    if left >= 0:
        return f"{left:,} character{'' if left == 1 else 's'} left of {limit:,}"
    return f"{-left:,} character{'' if left == -1 else 's'} too many (at most {limit:,})"


def check_text(key: str, text: str) -> str | None:
    """``name`` / ``prologue`` / ``prompt`` against its limit."""
    limit = LIMITS[key]
    if len(text) > limit:
        return f"{LABELS[key]} is {len(text):,} characters: at most {limit:,}"
    return None


def check_name(text: str, *, required: bool = True) -> str | None:
    """Required (to create), at most 100 characters, and nothing the terminal would not
    show as typed: a control character (ESC, a newline), a bidi override or another
    invisible format character is refused, in the CLI as in the console (whose fields
    never let one in), never stored to reorder or colour a table later."""
    if required and not text.strip():
        return "a name is required"
    if (where := hidden_character(text.strip())) is not None:
        return f"a name without control or invisible characters ({where})"
    return check_text("name", text.strip())


def check_spoken(key: str, text: str) -> str | None:
    """``prologue`` / ``prompt``: the avatar says or follows them, so they take lines and
    tabs but no control or invisible character (as a name), and keep to their limit."""
    if (where := hidden_character(text, newlines=True)) is not None:
        return f"{LABELS[key]} without control or invisible characters ({where})"
    return check_text(key, text)


# -- URLs and documents ----------------------------------------------------------------


def check_url(text: str) -> str | None:
    """An http(s) URL with a host."""
    value = text.strip()
    if not value:
        return "a URL is required"
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return "an http(s) URL, e.g. https://example.com/page"
    if parts.scheme.lower() not in ("http", "https") or not host or any(c.isspace() for c in value):
        return "an http(s) URL with a host, e.g. https://example.com/page"
    return None


def doc_format(name: str, url: str = "") -> str:
    """The document's format: the extension of its name, else of its URL's path
    (lower case, ``""`` when neither has one)."""
    try:
        path = urlsplit(url.strip()).path if url else ""
    except ValueError:
        path = ""
    for candidate in (name.strip(), path):
        base = candidate.rsplit("/", 1)[-1]
        if "." in base:
            return base.rsplit(".", 1)[1].lower()
    return ""


def name_from_url(url: str) -> str:
    """A document's name from its URL: the last part of the path, percent-decoded
    (``.../FAQ%20v2.pdf`` gives ``FAQ v2.pdf``) unless decoding would give a slash, a
    character the terminal would not show or bytes that are not UTF-8; then as written."""
    raw = urlsplit(url).path.rsplit("/", 1)[-1]
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:  # %FF: not UTF-8, keep it as written
        return raw
    if "/" in decoded or hidden_character(decoded) is not None:
        return raw
    return decoded


def check_format(name: str, url: str = "") -> str | None:
    ext = doc_format(name, url)
    if ext in DOC_FORMATS:
        return None
    shown = f".{ext}" if ext else "no extension"
    return f"{shown}: a document must be {FORMATS_TEXT}"


def doc_problems(name: str, url: str, size: str | int | None = None) -> dict[str, str]:
    """What is wrong with one document: ``{"name" | "url" | "size": problem}``."""
    found: dict[str, str] = {}
    if not name.strip():
        found["name"] = "a document name is required (e.g. faq.pdf)"
    if (problem := check_url(url)) is not None:
        found["url"] = problem
    if "name" not in found and (problem := check_format(name, "" if "url" in found else url)):
        found["name"] = problem
    if isinstance(size, str):
        problem = check_size(size)
    else:
        problem = _too_big(size) if size is not None else None
    if problem is not None:
        found["size"] = problem
    return found


def total_problem(sizes: Sequence[int | None]) -> str | None:
    total = sum(s or 0 for s in sizes)
    if total > MAX_TOTAL_BYTES:
        return f"the documents total {format_bytes(total)}: at most 500 MB together"
    return None


# -- a whole knowledge base ----------------------------------------------------------


@dataclass
class Draft:
    """What a create or an update would send (``None``: not given, left unchanged)."""

    name: str | None = None
    prologue: str | None = None
    prompt: str | None = None
    docs: list[KnowledgeDoc] | None = None
    urls: list[str] | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def kwargs(self) -> dict[str, object]:
        """The client's keyword arguments (``create_knowledge`` / ``update_knowledge``)."""
        return {"name": self.name, "prologue": self.prologue, "prompt": self.prompt,
                "docs": self.docs, "urls": self.urls}


def problems(draft: Draft, *, creating: bool) -> dict[str, str]:
    """Every problem of ``draft`` by field: ``name``, ``prologue``, ``prompt``,
    ``docs[i].name`` / ``.url`` / ``.size``, ``docs`` (the total), ``urls[i]``. A name is
    required to create."""
    found: dict[str, str] = {}
    if draft.name is not None or creating:
        if (problem := check_name(draft.name or "", required=creating)) is not None:
            found["name"] = problem
    for key in ("prologue", "prompt"):
        value = getattr(draft, key)
        if value is not None and (problem := check_spoken(key, value)) is not None:
            found[key] = problem
    for i, doc in enumerate(draft.docs or ()):
        for part, problem in doc_problems(doc.name, doc.url, doc.size).items():
            found[f"docs[{i}].{part}"] = problem
    if draft.docs and (problem := total_problem([d.size for d in draft.docs])) is not None:
        found["docs"] = problem
    for i, url in enumerate(draft.urls or ()):
        if (problem := check_url(url)) is not None:
            found[f"urls[{i}]"] = problem
    return found


def changes(base: KnowledgeBase | Draft, draft: Draft) -> Draft:
    """Only what ``draft`` changes in ``base`` (the rest ``None``: left as it is)."""
    out = Draft()
    for key in ("name", "prologue", "prompt"):
        value = getattr(draft, key)
        if value is not None and value != getattr(base, key):
            setattr(out, key, value)
    for key in ("docs", "urls"):
        value = getattr(draft, key)
        if value is not None and tuple(value) != tuple(getattr(base, key) or ()):
            setattr(out, key, list(value))
    return out


def cannot_clear(base: KnowledgeBase | Draft, change: Draft) -> dict[str, str]:
    """The changes an update cannot make, by field: the service keeps a name, a prompt,
    documents or URLs sent empty (only the prologue can be cleared)."""
    found = {}
    for key, what in (("name", "a name"), ("prompt", "the prompt")):
        if getattr(change, key) == "" and getattr(base, key):
            found[key] = f"{what} cannot be cleared: AKool keeps it when it is sent empty"
    for key, what in (("docs", "the last document"), ("urls", "the last URL")):
        if getattr(change, key) == [] and getattr(base, key):
            found[key] = f"{what} cannot be removed: AKool keeps the list when it is sent empty"
    return found


def is_empty(draft: Draft) -> bool:
    return all(v is None for v in draft.kwargs().values())


# -- the CLI's values -------------------------------------------------------------------


def parse_doc(text: str) -> KnowledgeDoc:
    """A ``--doc`` value (see the module's doc): ``URL``, ``NAME=URL`` or
    ``NAME=URL;size=SIZE``. Raises :class:`ParamError` saying what is wrong."""
    value = text.strip()
    size: int | None = None
    if (match := _SIZE_SUFFIX.search(value)) is not None:
        try:
            size = parse_size(match.group(1))
        except ParamError as error:  # which --doc: there may be several
            raise ParamError(f"--doc {text!r}: {error}") from None
        value = value[:match.start()].rstrip()
    if re.match(r"(?i)https?://", value):
        name, url = name_from_url(value), value
    elif "=" in value:
        name, url = (part.strip() for part in value.split("=", 1))
    else:
        raise ParamError(f"--doc {text!r}: expected NAME=URL[;size=SIZE] or a URL")
    doc = KnowledgeDoc(name=name, url=url, size=size)
    found = doc_problems(doc.name, doc.url, doc.size)
    if found:
        raise ParamError(f"--doc {text!r}: " + "; ".join(found.values()))
    return doc


#: bytes read at most from a --prompt-file / --prologue-file: a character is at most 4
#: bytes in UTF-8 (a longer file cannot fit; it is refused without reading it all)
def file_cap(limit: int) -> int:
    return 4 * limit + 4  # + a byte order mark


def read_text_file(path: str | Path, key: str) -> str:
    """The text of a ``--prompt-file`` / ``--prologue-file`` (UTF-8, a BOM dropped),
    at most the field's limit; raises :class:`ParamError` with the reason."""
    limit = LIMITS[key]
    option = f"--{key}-file"
    cap = file_cap(limit)
    from .files import UnsafeFile, read_input

    try:
        data, _ = read_input(path, limit=cap)
    except FileNotFoundError:
        raise ParamError(f"{option} {str(path)!r}: no such file") from None
    except UnsafeFile as error:
        if "too large" in str(error):
            raise ParamError(f"{option} {str(path)!r} is over {cap:,} bytes: a {key} may have "
                             f"at most {limit:,} characters") from None
        raise ParamError(f"{option} {str(path)!r} {error}") from None
    except OSError as error:
        raise ParamError(f"{option} {str(path)!r}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParamError(f"{option} {str(path)!r} is not UTF-8 text (byte {error.start:,})") \
            from None
    text = text.rstrip("\r\n")  # the file's last line end is not part of the text
    if (problem := check_spoken(key, text)) is not None:
        raise ParamError(f"{option} {str(path)!r}: the {problem}")
    return text
