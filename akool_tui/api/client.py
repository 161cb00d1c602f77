"""The async AKool REST client: every endpoint of the Live Avatar open API.

:class:`AkoolClient` is the transport (:mod:`.base`: deadline, size cap, retries with
backoff for reads, bounded concurrent pagination, token or API key auth) plus one
group of calls per area: avatars, voices and languages, and sessions here; knowledge
bases (:mod:`.knowledge`) and credits (:mod:`.credits`) in their own modules.

    async with AkoolClient(api_key="...") as client:
        sessions = await client.list_all_sessions(status=SessionStatus.PROCESSING)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from operator import attrgetter
from typing import Any

from .args import check_base_url, compact, one_record, require_id, require_int, require_text
from .base import (
    DEFAULT_BASE_URL,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_BODY,
    MAX_PAGE_SIZE,
    MAX_PAGES,
    ClientEvent,
)
from .credits import CreditCalls
from .errors import ParamError, ProtocolError
from .knowledge import KnowledgeCalls
from .models import DEFAULT_AVATAR_ID, Avatar, Language, Page, Session, SessionStatus, Voice
from .pager import in_order

__all__ = ["AkoolClient", "ClientEvent", "DEFAULT_BASE_URL", "DEFAULT_DEADLINE", "DEFAULT_MAX_BODY",
           "MAX_PAGES", "MAX_PAGE_SIZE", "check_base_url"]

AVATAR_CREATE = "/api/open/v3/avatar/create"
AVATAR_STATUS = "/api/open/v3/avatar/detail"
AVATAR_DETAIL = "/api/open/v4/liveAvatar/avatar/detail"
AVATAR_LIST = "/api/open/v4/liveAvatar/avatar/list"
VOICE_LIST = "/api/open/v4/voice/list"
LANGUAGE_LIST = "/api/open/v3/language/list"
SESSION_CREATE = "/api/open/v4/liveAvatar/session/create"
SESSION_DETAIL = "/api/open/v4/liveAvatar/session/detail"
SESSION_CLOSE = "/api/open/v4/liveAvatar/session/close"
SESSION_LIST = "/api/open/v4/liveAvatar/session/list"

#: avatar list ``platform``: made through the open API, made in AKool's web app
AVATAR_PLATFORMS = ("open", "aigc")


def _tags(values: str | Iterable[str] | None, name: str) -> str | None:
    """A voice-list filter: comma-separated values (None when empty)."""
    if values is None:
        return None
    if isinstance(values, str):
        values = values.split(",")
    items = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    if any("," in v for v in items):
        raise ParamError(f"A {name} filter value cannot contain a comma")
    return ",".join(items) or None


class AkoolClient(KnowledgeCalls, CreditCalls):
    """Async client for AKool's Live Avatar open API (or the bundled simulator).

    Credentials: ``client_id`` + ``client_secret`` (bearer token; preferred when both
    kinds are given, as the service itself lets ``Authorization`` win) or ``api_key``
    (``x-api-key``). Without either, every call raises
    :class:`~.errors.MissingCredentialsError` before anything is sent. See
    :class:`~.base.ClientBase` for the limits every call keeps.
    """

    # -- avatars --------------------------------------------------------------------

    async def create_avatar(
        self, url: str, avatar_id: str, *, name: str, url_from: int = 1
    ) -> Avatar:
        """Upload a streaming avatar (``type`` 2) from a video/image URL; ``name`` is
        required (the API answers 1003 without one)."""
        body = compact(
            {
                "url": require_text(url, "avatar URL"),
                "avatar_id": require_id(avatar_id, "avatar ID"),
                "name": require_text(name, "avatar name"),
                "type": 2,
                "url_from": url_from,
            }
        )
        data = (await self._request("POST", AVATAR_CREATE, body=body)).get("data")
        return Avatar.from_api(one_record(data, AVATAR_CREATE))

    async def avatar_upload_status(self, record_id: str) -> Avatar:
        """The upload record (``status`` 1 queueing .. 4 failed) by its ``_id``."""
        params = {"id": require_id(record_id, "avatar record ID")}
        return Avatar.from_api(await self._data("GET", AVATAR_STATUS, params=params))

    async def avatar_detail(self, avatar_id: str) -> Avatar:
        params = {"avatar_id": require_id(avatar_id, "avatar ID")}
        return Avatar.from_api(await self._data("GET", AVATAR_DETAIL, params=params))

    async def list_avatars(self, page: int = 1, size: int = MAX_PAGE_SIZE, *,
                           platform: str = "open") -> Page[Avatar]:
        """``platform``: "open" (the default: made through the open API) or "aigc" (made
        in AKool's web app); each avatar carries the platform it was listed under."""
        if platform not in AVATAR_PLATFORMS:
            raise ParamError(f"The avatar platform must be one of {', '.join(AVATAR_PLATFORMS)}")
        params = {"page": page, "size": size, "platform": None if platform == "open" else platform}
        return await self._page(AVATAR_LIST, params, lambda raw: Avatar.from_api(raw, platform))

    async def list_all_avatars(self, platform: str = "open") -> list[Avatar]:
        async def fetch(page: int, size: int) -> Page[Avatar]:
            return await self.list_avatars(page, size, platform=platform)

        return await self._collect(fetch, lambda a: a.id or a.avatar_id)

    # -- voices and languages ----------------------------------------------------------

    async def list_voices(
        self,
        type: int = 2,
        *,
        support_stream: bool | None = True,
        page: int = 1,
        size: int = 10,
        name: str | None = None,
        gender: str | Iterable[str] | None = None,
        age: str | Iterable[str] | None = None,
        style: str | Iterable[str] | None = None,
        scenario: str | Iterable[str] | None = None,
    ) -> Page[Voice]:
        """Voices: ``type`` (always sent) 1 cloned, 2 AKool's; ``support_stream`` keeps
        the ones a streaming avatar can use (else: those that do not stream); name is
        fuzzy (``support_stream=None``: both kinds); gender, age, style and scenario each take one value or several."""
        if type not in (1, 2):
            raise ParamError("The voice type must be 1 (cloned) or 2 (AKool's)")
        params = {
            "type": type,
            "support_stream": None if support_stream is None else 1 if support_stream else 2,
            "page": page,
            "size": size,
            "name": name,
            "gender": _tags(gender, "gender"),
            "age": _tags(age, "age"),
            "style": _tags(style, "style"),
            "scenario": _tags(scenario, "scenario"),
        }
        return await self._page(VOICE_LIST, params, Voice.from_api)

    async def list_all_voices(self, type: int = 2, *, support_stream: bool | None = True,
                              **filters: str | Iterable[str] | None) -> list[Voice]:
        """Every page of :meth:`list_voices` (``filters``: name, gender, age, style, scenario)."""
        async def fetch(page: int, size: int) -> Page[Voice]:
            return await self.list_voices(type, support_stream=support_stream, page=page, size=size,
                                          **filters)

        return await self._collect(fetch, lambda v: v.voice_id)

    async def list_languages(self) -> list[Language]:
        raw = (await self._data("GET", LANGUAGE_LIST)).get("lang_list")
        if not isinstance(raw, list):
            return []
        return [Language.from_api(x) for x in raw if isinstance(x, Mapping)]

    # -- sessions ---------------------------------------------------------------------

    async def create_session(
        self,
        avatar_id: str = DEFAULT_AVATAR_ID,
        duration: int = 600,
        *,
        voice_id: str | None = None,
        voice_url: str | None = None,
        language: str | None = None,
        mode_type: int | None = None,
        background_url: str | None = None,
        knowledge_id: str | None = None,
        voice_params: Mapping[str, Any] | None = None,
        stream_type: str = "agora",
        scene_mode: str | None = None,
        e2e_type: str | None = None,
        credentials: Mapping[str, Any] | None = None,
    ) -> Session:
        """Start a live avatar session; credits are held for ``duration`` seconds.

        ``voice_params`` as the spec has it (speed, pron_map, stt_language, stt_type,
        turn_detection, elevenlabs_settings; with ``scene_mode="fast_dialogue"`` and
        ``e2e_type="openai"`` its ``voice_id`` is a preset voice). ``credentials``: bring
        your own room (secrets, like the answer's). Checking the values is
        :mod:`akool_tui.core.session_options`' job; the server checks them again."""
        for name, value in (("voice_params", voice_params), ("credentials", credentials)):
            if value is not None and not isinstance(value, Mapping):
                raise ParamError(f"{name} must be a mapping", endpoint=SESSION_CREATE)
        body = compact(
            {
                "avatar_id": require_id(avatar_id, "avatar ID"),
                "duration": require_int(duration, "duration"),
                "voice_id": voice_id,
                "voice_url": voice_url,
                "language": language,
                "mode_type": mode_type,
                "background_url": background_url,
                "knowledge_id": knowledge_id,
                "voice_params": dict(voice_params) if voice_params else None,
                "stream_type": stream_type,
                "scene_mode": scene_mode,
                "e2e_type": e2e_type,
            }
        )
        if credentials:
            body["credentials"] = dict(credentials)  # as given: a uid of 0 is a value
        return Session.from_api(await self._data("POST", SESSION_CREATE, body=body))

    async def session_detail(self, session_id: str) -> Session:
        params = {"id": require_id(session_id, "session ID")}
        return Session.from_api(await self._data("GET", SESSION_DETAIL, params=params))

    async def close_session(self, session_id: str) -> None:
        """Close a session (leave its real-time room first). Sends ``{id}``; the answer's
        ``data`` may be null, {} or ``{session_id, status, closed_at}``: all mean closed."""
        await self._request("POST", SESSION_CLOSE, body={"id": require_id(session_id, "session ID")})

    async def list_sessions(
        self, page: int = 1, size: int = MAX_PAGE_SIZE, status: int | SessionStatus | None = None
    ) -> Page[Session]:
        params: dict[str, Any] = {"page": page, "size": size}
        if status is not None:
            params["status"] = int(require_int(status, "session status"))
        return await self._page(SESSION_LIST, params, Session.from_api)

    async def list_all_sessions(self, status: int | SessionStatus | None = None) -> list[Session]:
        async def fetch(page: int, size: int) -> Page[Session]:
            return await self.list_sessions(page, size, status)

        return await self._collect(fetch, lambda s: s.id)

    async def iter_pages(
        self, status: int | SessionStatus | None = None, *,
        factory: Callable[[Any], Any] | None = None, key: Callable[[Any], str] | None = None,
        batch: Callable[[list[Any]], list[Any]] | None = None,
    ) -> AsyncIterator[list[Any]]:
        """The sessions of :meth:`list_all_sessions` a page at a time, in the server's
        order, without holding the whole listing: page 1, then at most ``concurrency``
        pages in flight (:func:`~.pager.in_order`), each yielded as soon as the pages
        before it were. The same
        ends as :meth:`_collect` (an empty page, a page of sessions already seen,
        :data:`MAX_PAGES`); a session seen on an earlier page is left out. Only the ids
        are kept (about 80 B a session). ``factory`` makes each item of a page from the
        raw record (default :meth:`Session.from_api`), ``key`` gives an item's id
        (default its ``id`` attribute): ``sessions list --json`` writes records without
        building sessions; ``batch``, when given, makes a page's items at once (from the
        list of its records) instead of ``factory`` one by one."""
        if factory is None:
            factory = Session.from_api
        if key is None:
            key = attrgetter("id")

        async def fetch(page: int, size: int) -> Page[Any]:
            params: dict[str, Any] = {"page": page, "size": size}
            if status is not None:
                params["status"] = int(require_int(status, "session status"))
            return await self._page(SESSION_LIST, params, factory, batch)

        first = await fetch(1, MAX_PAGE_SIZE)
        size, seen = first.size, set()
        claimed = first.pages if first.result else 1
        stop, ended = min(claimed, MAX_PAGES), not first.result

        # a worker per request in flight, each sending its next request on the
        # connection it has just freed; at most 2 x concurrency pages held ahead
        later = in_order(lambda n: fetch(n, size), 2, stop, workers=self._concurrency,
                         window=2 * self._concurrency)
        page, number = first, 1
        try:
            while True:
                keys = list(map(key, page.result))
                if number > 1 and (not keys or all(keys) and seen.issuperset(keys)):
                    ended = True
                    break
                fresh = page.result if seen.isdisjoint(keys) else [
                    s for s, k in zip(page.result, keys, strict=True) if not k or k not in seen]
                seen.update(keys)
                if fresh:
                    yield fresh
                number += 1
                if number > stop:
                    break
                page = await anext(later)
        finally:
            await later.aclose()  # the fetches still running are cancelled
        if claimed > MAX_PAGES and not ended:
            raise ProtocolError(
                f"The list did not end after {MAX_PAGES:,} pages of {size:,} items; stopped "
                "there rather than trust it: the list is incomplete")
