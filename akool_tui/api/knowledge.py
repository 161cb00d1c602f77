"""Knowledge bases: the record and the five endpoints (spec section 2).

A knowledge base gives a dialogue session's LLM its instructions (``prompt``), the
greeting the avatar speaks (``prologue``), and documents and web pages to draw on.
Codes 1232-1236 are the knowledge base's own errors (see :mod:`.errors`).

The list answers ``data`` as the array itself (the OpenAPI file) or as
``{knowledge_list: [...]}`` (what AKool's demo reads): both are accepted. It carries no
count, so "all pages" reads page after page until one comes back short, empty or
repeated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .args import compact, dedupe, one_record, require_id, require_int, require_text
from .base import MAX_PAGES, ClientBase
from .errors import ParamError, ProtocolError
from .models import _extra, _int, _mapping, _str, _time

KNOWLEDGE_LIST = "/api/open/v4/knowledge/list"
KNOWLEDGE_CREATE = "/api/open/v4/knowledge/create"
KNOWLEDGE_DETAIL = "/api/open/v4/knowledge/detail"
KNOWLEDGE_UPDATE = "/api/open/v4/knowledge/update"
KNOWLEDGE_DELETE = "/api/open/v4/knowledge/delete"

#: ``from``: AKool's own knowledge bases, the user's
FROM_SYSTEM, FROM_USER = 1, 2
KNOWLEDGE_PAGE_SIZE = 100  # the most one page may hold (1..100)


@dataclass(frozen=True, slots=True)
class KnowledgeDoc:
    name: str
    url: str
    size: int | None = None  # bytes; None when the server did not say

    @classmethod
    def from_api(cls, raw: Any) -> KnowledgeDoc:
        d = _mapping(raw)
        size = _int(d, "size")
        return cls(name=_str(d, "name"), url=_str(d, "url"),
                   size=size if size is not None and size >= 0 else None)

    def to_api(self) -> dict[str, Any]:
        return compact({"name": self.name, "url": self.url, "size": self.size})


@dataclass(frozen=True)
class KnowledgeBase:
    id: str
    name: str = ""
    prologue: str = ""
    prompt: str = ""
    docs: tuple[KnowledgeDoc, ...] = ()
    urls: tuple[str, ...] = ()
    source: int | None = None  # 1 AKool's (read-only), 2 the user's
    create_time: datetime | None = None
    update_time: datetime | None = None
    uid: str = ""
    team_id: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    _KNOWN = {"_id", "id", "name", "prologue", "prompt", "docs", "urls", "from",
              "create_time", "update_time", "uid", "team_id"}

    @classmethod
    def from_api(cls, raw: Any) -> KnowledgeBase:
        d = _mapping(raw)
        docs = d.get("docs")
        urls = d.get("urls")
        return cls(
            id=_str(d, "_id") or _str(d, "id"),
            name=_str(d, "name"),
            prologue=_str(d, "prologue"),
            prompt=_str(d, "prompt"),
            docs=tuple(KnowledgeDoc.from_api(x) for x in docs if isinstance(x, Mapping))
            if isinstance(docs, list) else (),
            urls=tuple(u for u in urls if isinstance(u, str) and u) if isinstance(urls, list) else (),
            source=_int(d, "from"),
            create_time=_time(d, "create_time"),
            update_time=_time(d, "update_time"),
            uid=_str(d, "uid"),
            team_id=_str(d, "team_id"),
            extra=_extra(d, cls._KNOWN),
        )

    @property
    def source_label(self) -> str:
        return {FROM_SYSTEM: "AKool", FROM_USER: "yours"}.get(self.source or 0, "")

    @property
    def read_only(self) -> bool:
        """AKool's own knowledge bases can be used but not changed or deleted."""
        return self.source == FROM_SYSTEM

    @property
    def docs_bytes(self) -> int:
        return sum(d.size or 0 for d in self.docs)


def _docs_body(docs: Sequence[KnowledgeDoc | Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
    if docs is None:
        return None
    return [d.to_api() if isinstance(d, KnowledgeDoc) else compact(dict(d)) for d in docs]


def _list_items(data: Any, path: str) -> list[Any]:
    if isinstance(data, Mapping):
        data = data.get("knowledge_list", data.get("result"))
    if data is None:
        return []
    if not isinstance(data, list):
        raise ProtocolError(f"{path} answered without a list of knowledge bases", endpoint=path)
    return data


class KnowledgeCalls(ClientBase):
    """The knowledge base endpoints of :class:`~akool_tui.api.client.AkoolClient`."""

    async def list_knowledge(self, page: int = 1, size: int = 10, *, name: str | None = None,
                             source: int = FROM_USER) -> list[KnowledgeBase]:
        """One page: ``size`` 1..100; ``name`` filters; ``source`` 1 AKool's, 2 the user's."""
        page = require_int(page, "page number", 1)
        size = require_int(size, "page size", 1)
        if size > KNOWLEDGE_PAGE_SIZE:
            raise ParamError(f"The page size must be at most {KNOWLEDGE_PAGE_SIZE}")
        params = compact({"page": page, "size": size, "name": name, "from": source})
        data = (await self._request("GET", KNOWLEDGE_LIST, params=params)).get("data")
        return [KnowledgeBase.from_api(x) for x in _list_items(data, KNOWLEDGE_LIST)
                if isinstance(x, Mapping)]

    async def list_all_knowledge(self, *, name: str | None = None,
                                 source: int = FROM_USER) -> list[KnowledgeBase]:
        """Every page, in order, until a page comes back short, empty or repeated."""
        found: list[KnowledgeBase] = []
        seen: set[str] = set()
        for page in range(1, MAX_PAGES + 1):
            items = await self.list_knowledge(page, KNOWLEDGE_PAGE_SIZE, name=name, source=source)
            keys = {kb.id for kb in items if kb.id}
            repeated = bool(keys) and keys <= seen
            if not repeated:
                found.extend(items)
            seen |= keys
            if len(items) < KNOWLEDGE_PAGE_SIZE or repeated:
                return dedupe(found, lambda kb: kb.id)
        raise ProtocolError(f"The knowledge base list did not end after {MAX_PAGES:,} pages; "
                            "stopped there rather than trust it: the list is incomplete")

    async def knowledge_detail(self, knowledge_id: str) -> KnowledgeBase:
        params = {"id": require_id(knowledge_id, "knowledge base ID")}
        data = (await self._request("GET", KNOWLEDGE_DETAIL, params=params)).get("data")
        return KnowledgeBase.from_api(one_record(data, KNOWLEDGE_DETAIL))

    async def create_knowledge(
        self, *, name: str | None = None, prologue: str | None = None, prompt: str | None = None,
        docs: Sequence[KnowledgeDoc | Mapping[str, Any]] | None = None,
        urls: Sequence[str] | None = None,
    ) -> KnowledgeBase:
        body = compact({"name": name, "prologue": prologue, "prompt": prompt,
                        "docs": _docs_body(docs) or None, "urls": list(urls or ()) or None})
        data = (await self._request("POST", KNOWLEDGE_CREATE, body=body)).get("data")
        return KnowledgeBase.from_api(one_record(data, KNOWLEDGE_CREATE))

    async def update_knowledge(
        self, knowledge_id: str, *, name: str | None = None, prologue: str | None = None,
        prompt: str | None = None, docs: Sequence[KnowledgeDoc | Mapping[str, Any]] | None = None,
        urls: Sequence[str] | None = None,
    ) -> KnowledgeBase:
        """Change the fields given (None: unchanged). ``prologue=""`` clears the prologue;
        ``docs=[]`` / ``urls=[]`` are sent as empty lists (the server may keep the old)."""
        body: dict[str, Any] = {"id": require_id(knowledge_id, "knowledge base ID")}
        for key, value in (("name", name), ("prompt", prompt)):
            if value:
                body[key] = value
        if prologue is not None:
            body["prologue"] = prologue  # "" clears it: not compacted away
        if docs is not None:
            body["docs"] = _docs_body(docs)
        if urls is not None:
            body["urls"] = list(urls)
        data = (await self._request("POST", KNOWLEDGE_UPDATE, body=body)).get("data")
        return KnowledgeBase.from_api(one_record(data, KNOWLEDGE_UPDATE))

    async def delete_knowledge(self, knowledge_id: str) -> None:
        """A DELETE with a JSON body ``{id}``; the answer carries no data."""
        body = {"id": require_id(knowledge_id, "knowledge base ID")}
        await self._request("DELETE", KNOWLEDGE_DELETE, body=body)
