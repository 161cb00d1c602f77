"""Sessions: how one is created, and how many are closed.

Shared by the CLI and the console; no Textual, no printing.

- :func:`create_request` builds the keyword arguments of
  :meth:`~akool_tui.api.client.AkoolClient.create_session` from the configured
  defaults and the user's overrides, with the one stream-type rule (see there).
- keeping the list in sync is :mod:`.session_sync`'s (:class:`SessionTracker`).
- :func:`close_sessions` closes many sessions with bounded concurrency and returns one
  result per session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..api.errors import AkoolError, SessionClosedError
from ..api.models import Session

if TYPE_CHECKING:
    from ..api.client import AkoolClient
    from ..config import SessionDefaults

#: stream types this program can hold a chat over (the data channel): the simulator's
#: websocket stand-in, and LiveKit through its SDK (the optional extra). Agora and TRTC
#: rooms need their browser/native SDKs.
CHAT_STREAM_TYPES = ("websocket", "livekit")


#: top-level domains reserved never to resolve (RFC 2606, RFC 6761): the simulator's
#: LiveKit rooms live there, so the chat does not try to join them
RESERVED_TLDS = ("example", "invalid", "test")


def _reserved_host(url: Any) -> bool:
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(str(url)).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    return host.rsplit(".", 1)[-1] in RESERVED_TLDS


def chat_blocker(session: Session) -> str | None:
    """Why this program cannot hold a chat over ``session``'s data channel, or None.

    websocket (the simulator's stand-in) always works; LiveKit needs the optional SDK
    and the session's LiveKit credentials; Agora and TRTC rooms need those vendors'
    browser or native SDKs, which no terminal program has."""
    kind = session.stream_type
    if kind == "websocket":
        return None
    if kind == "livekit":
        import importlib.util

        if importlib.util.find_spec("livekit") is None:
            return "LiveKit needs the extra: pip install 'akool-tui[livekit]'"
        url = session.credentials.get("livekit_url")
        if not (url and session.credentials.get("livekit_token")):
            return "the session has no LiveKit credentials"
        if _reserved_host(url):
            return "its LiveKit room is a simulated one (a reserved domain that never resolves)"
        return None
    if kind in ("agora", "trtc"):
        return f"{kind} rooms need {kind}'s own SDK (a browser or app), not a terminal"
    return f"unknown stream type {kind!r}"


def simulated_room(session: Session) -> bool:
    """``session``'s LiveKit room is a simulated one (the simulator's reserved-domain
    URL): the server is a simulator, whose websocket sessions this program can join."""
    return session.stream_type == "livekit" and _reserved_host(
        session.credentials.get("livekit_url") or "")


# -- create -----------------------------------------------------------------------


def stream_type_for(configured: str, *, override: str | None = None, for_chat: bool = False,
                    demo: bool = False) -> str:
    """The one stream-type rule.

    An explicit choice (``override``: the dialog's selector, ``--stream-type``) wins.
    Otherwise the configured default (``[defaults] stream_type``; the demo config sets
    ``websocket``). A session created *for the chat* must be one this program can join:
    when the configured type cannot be (agora, trtc), it becomes ``websocket`` on the
    demo simulator and ``livekit`` on the real service.
    """
    chosen = override or configured or "agora"
    if for_chat and not override and chosen not in CHAT_STREAM_TYPES:
        chosen = "websocket" if demo else "livekit"
    return chosen


#: optional text fields: an empty override leaves them out (a form's field cleared)
OPTIONAL_TEXT = ("voice_id", "language", "background_url", "knowledge_id", "scene_mode")


def default_voice_params(defaults: SessionDefaults) -> dict[str, Any]:
    """``voice_params`` from the configured defaults (only what is set)."""
    d = defaults
    vp: dict[str, Any] = {}
    if d.speed is not None and float(d.speed) != 1.0:
        vp["speed"] = float(d.speed)
    for key in ("stt_language", "stt_type"):
        if getattr(d, key, ""):
            vp[key] = getattr(d, key)
    if getattr(d, "turn_detection", ""):
        td: dict[str, Any] = {"type": d.turn_detection}
        if d.turn_detection == "server_vad":  # the numbers apply only there
            for key, value in (("threshold", d.turn_threshold),
                               ("prefix_padding_ms", d.turn_prefix_padding_ms),
                               ("silence_duration_ms", d.turn_silence_duration_ms)):
                if value is not None:
                    td[key] = value
        vp["turn_detection"] = td
    es = {key: value for key, value in (
        ("api_key", getattr(d, "elevenlabs_api_key", "")),
        ("model_id", getattr(d, "elevenlabs_model_id", "")),
        ("stability", getattr(d, "elevenlabs_stability", None)),
        ("similarity_boost", getattr(d, "elevenlabs_similarity_boost", None)),
        ("style", getattr(d, "elevenlabs_style", None)),
        ("use_speaker_boost", getattr(d, "elevenlabs_speaker_boost", None)),
    ) if value not in (None, "")}
    if es:
        vp["elevenlabs_settings"] = es
    return vp


def merge_voice_params(base: Mapping[str, Any], over: Mapping[str, Any] | None) -> dict[str, Any]:
    """``over`` on top of ``base``: a key given replaces the default (``None`` removes
    it), except ``elevenlabs_settings``, merged key by key (the configured api_key stays
    under a file's model_id). ``turn_detection`` is replaced whole: server_vad's
    numbers must not leak into a semantic_vad given on top."""
    vp = dict(base)
    for key, value in (over or {}).items():
        if value is None:
            vp.pop(key, None)
        elif key == "elevenlabs_settings" and isinstance(value, Mapping) \
                and isinstance(vp.get(key), Mapping):
            merged = {**vp[key], **value}
            vp[key] = {k: v for k, v in merged.items() if v is not None}
        else:
            vp[key] = value
    return vp


def unused_defaults(defaults: SessionDefaults, request: Mapping[str, Any]) -> list[str]:
    """The configured defaults a fast_dialogue request leaves out (they do not apply
    there), as ``[defaults]`` key names, so a front end can say so."""
    if request.get("scene_mode") != "fast_dialogue":
        return []
    vp = request.get("voice_params") or {}
    left = [name for name, key in (("speed", "speed"), ("stt_type", "stt_type"))
            if key in default_voice_params(defaults) and key not in vp]
    if defaults.voice_id and not vp.get("voice_id"):  # none sent: the default was left out
        left.append("voice_id")
    return left


def create_request(defaults: SessionDefaults, overrides: Mapping[str, Any] | None = None, *,
                   for_chat: bool = False, demo: bool = False) -> dict[str, Any]:
    """Keyword arguments for ``AkoolClient.create_session``.

    ``overrides`` uses the same names (``avatar_id``, ``duration``, ``voice_id``,
    ``language``, ``mode_type``, ``background_url``, ``stream_type``, ``speed``,
    ``knowledge_id``, ``scene_mode``, ``voice_params``, ``credentials``). ``None``
    means "use the default" (a flag not given); so does ``""`` for the required
    fields, while an empty voice, language, background, knowledge base or scene mode
    means none (the dialog's field cleared). Empty optional values are left out; a
    speed of 1.0 (the service's default) is not sent.

    ``voice_params`` is the configured defaults' (:func:`default_voice_params`) with
    the override's on top (:func:`merge_voice_params`), then ``speed`` on top of that.
    With ``scene_mode="fast_dialogue"`` the voice goes in ``voice_params.voice_id``
    (``e2e_type`` is ``openai``) and the defaults that do not apply there (speed,
    pron_map, stt_type, a Voice List default voice) are not sent; anything the user
    gave that does not apply stays, for :func:`~.session_options.request_problems`
    to refuse. ``credentials`` (bring your own room) are read under either TRTC
    spelling. Every secret in the request is remembered for masking.
    """
    from .session_options import (
        E2E_TYPE,
        FAST_DIALOGUE,
        canonical_credentials,
        check_fast_voice,
        remember_secrets,
    )
    from .scene import FAST_DROPS

    o = {k: v for k, v in (overrides or {}).items()
         if v is not None and (v != "" or k in OPTIONAL_TEXT)}
    speed = o.pop("speed", None)
    scene_mode = o.pop("scene_mode", getattr(defaults, "scene_mode", "")) or None
    fast = scene_mode == FAST_DIALOGUE
    base = default_voice_params(defaults)
    if fast:
        for key in FAST_DROPS:
            base.pop(key, None)
    vp = merge_voice_params(base, o.pop("voice_params", None))
    if speed is not None:
        vp["speed"] = float(speed)
    if vp.get("speed") is not None and not isinstance(vp["speed"], bool) \
            and isinstance(vp["speed"], (int, float)) and float(vp["speed"]) == 1.0:
        del vp["speed"]
    voice_id = o.pop("voice_id", None)
    if voice_id is None:
        voice_id = defaults.voice_id
        if fast and (vp.get("voice_id") or check_fast_voice(
                voice_id, elevenlabs="elevenlabs_settings" in vp)):
            voice_id = ""  # the default (a Voice List voice) does not apply
    if fast and voice_id:
        vp["voice_id"], voice_id = voice_id, ""
    stream_type = stream_type_for(defaults.stream_type, override=o.pop("stream_type", None),
                                  for_chat=for_chat, demo=demo)
    request: dict[str, Any] = {
        "avatar_id": o.pop("avatar_id", defaults.avatar_id),
        "duration": o.pop("duration", defaults.duration),
        "voice_id": voice_id or None,
        "language": o.pop("language", defaults.language) or None,
        "mode_type": o.pop("mode_type", defaults.mode_type),
        "background_url": o.pop("background_url", defaults.background_url) or None,
        "knowledge_id": o.pop("knowledge_id", defaults.knowledge_id) or None,
        "stream_type": stream_type,
    }
    if vp:
        request["voice_params"] = vp
    if scene_mode:
        request["scene_mode"] = scene_mode
        if fast:
            request["e2e_type"] = E2E_TYPE
    credentials = o.pop("credentials", None)
    if credentials:
        request["credentials"] = canonical_credentials(credentials, stream_type)
    request.update(o)  # anything else the caller names
    remember_secrets(request)
    remember_secrets(request.get("credentials"), secret=True)
    return request


#: sessions closed at once by a bulk close
CLOSE_CONCURRENCY = 8


@dataclass(frozen=True)
class CloseResult:
    """How closing one session went. ``already``: it was closed before we asked."""

    id: str
    closed: bool
    error: AkoolError | None = None
    already: bool = False


async def close_sessions(client: AkoolClient, ids: Iterable[str], *,
                         concurrency: int = CLOSE_CONCURRENCY) -> list[CloseResult]:
    """Close each session once (duplicates dropped), at most ``concurrency`` at a time;
    one result per session, in the order given. A session someone else already closed
    counts as closed. Only API errors are results; anything else propagates."""
    semaphore = asyncio.Semaphore(max(1, concurrency))

    async def close(session_id: str) -> CloseResult:
        async with semaphore:
            try:
                await client.close_session(session_id)
            except SessionClosedError:
                return CloseResult(session_id, True, already=True)
            except AkoolError as error:
                return CloseResult(session_id, False, error)
            return CloseResult(session_id, True)

    return list(await asyncio.gather(*(close(i) for i in dict.fromkeys(ids))))
