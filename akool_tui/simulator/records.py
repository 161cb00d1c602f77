"""The simulator's stored records and how they are rendered as API JSON.

Statuses are never stored: they are computed from timestamps (simulated epoch
seconds) whenever a record is read, so no background loop is needed to move a
session or an upload through its lifecycle.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


QUEUEING, LIVE, CLOSED, FAILED = 1, 2, 3, 4
#: avatar upload statuses
UP_QUEUEING, UP_PROCESSING, UP_SUCCESS, UP_FAILED = 1, 2, 3, 4

SESSION_TYPE = 2  # a streaming-avatar session
STREAM_TYPES = ("agora", "livekit", "trtc", "websocket")


@dataclass(slots=True)
class SessionRecord:
    """One live-avatar session, as kept in ``SimulatorState.sessions[id]``.

    ``create`` / ``closed_at`` are simulated epoch seconds. ``secret`` is the
    credential material: for ``stream_type == "websocket"`` it is the ``ws_token``
    the stream channel must check. ``mode_type`` 1 = retelling, 2 = dialogue.
    Secrets (``secret``, ``voice_params`` with an ElevenLabs key, bring-your-own
    ``byo_credentials``) stay out of the repr.
    """

    id: str
    create: float
    duration: int
    avatar_id: str
    stream_type: str
    secret: str = field(repr=False)
    closed_at: float | None = None
    final_status: int = CLOSED
    voice_id: str | None = None
    voice_url: str | None = None
    language: str | None = None
    mode_type: int = 2
    background_url: str | None = None
    knowledge_id: str | None = None
    voice_params: dict[str, Any] | None = field(default=None, repr=False)
    scene_mode: str | None = None
    e2e_type: str | None = None
    #: bring-your-own room: the caller's credentials, answered instead of ours
    byo_credentials: dict[str, Any] | None = field(default=None, repr=False)
    #: credits taken from this balance at create (the unused rest is refunded on an early
    #: close); 0 for the seeded sessions, which were paid for before the simulator started
    held: float = 0.0
    #: created through the API (a user's session): churn never closes it; it ends when
    #: its duration runs out or the user closes it
    by_api: bool = False

    @property
    def end(self) -> float:
        """When the session stops (closed, failed, or its duration ran out)."""
        expiry = self.create + self.duration
        if self.closed_at is not None and self.closed_at < expiry:
            return self.closed_at
        return expiry

    @property
    def ws_token(self) -> str | None:
        return self.secret if self.stream_type == "websocket" else None

    def status_at(self, now: float, queue_delay: float) -> int:
        if now >= self.end:
            return self.final_status
        if now < self.create + queue_delay:
            return QUEUEING
        return LIVE

    def is_live(self, now: float, queue_delay: float) -> bool:
        return self.status_at(now, queue_delay) == LIVE


@dataclass(slots=True)
class AvatarRecord:
    """A streaming avatar: official (``source`` 2) or the user's own (3).

    Uploaded avatars (``uploaded``) move 1 queueing -> 2 processing -> 3 success
    (or 4 failed when ``fails``), one step every ``avatar_steps`` simulated seconds
    after ``create``.
    """

    oid: str
    avatar_id: str
    name: str
    gender: str
    voice_id: str
    source: int
    url: str
    thumbnail: str
    create: float | None = None
    uploaded: bool = False
    fails: bool = False
    #: "open" (made through the open API) or "aigc" (made in AKool's web app)
    platform: str = "open"

    def status_at(self, now: float, step: float) -> int:
        if self.create is None:
            return UP_SUCCESS
        elapsed = now - self.create
        if elapsed < step:
            return UP_QUEUEING
        if elapsed < 2 * step:
            return UP_PROCESSING
        return UP_FAILED if self.fails else UP_SUCCESS

    def to_api(self, now: float, step: float, uid: int) -> dict[str, Any]:
        status = self.status_at(now, step)
        out: dict[str, Any] = {
            "_id": self.oid,
            "uid": uid,
            "type": 2,
            "from": self.source,
            "avatar_id": self.avatar_id,
            "voice_id": self.voice_id,
            "name": self.name,
            "url": self.url,
            "thumbnailUrl": self.thumbnail,
            "gender": self.gender,
            "available": status == UP_SUCCESS,
        }
        if self.source == 3:
            out["status"] = status
            out["create_time"] = int((self.create or 0) * 1000)
        if self.platform != "open":
            out["platform"] = self.platform
        return out


#: a knowledge base's ``from``: 1 AKool's (system), 2 the user's
KB_SYSTEM, KB_USER = 1, 2
#: ``user_type``: 1 an internal (AKool) user, 2 an external one (an API customer)
INTERNAL_USER, EXTERNAL_USER = 1, 2


@dataclass(slots=True)
class KnowledgeBase:
    """One knowledge base; ``create`` / ``update`` are simulated epoch seconds."""

    oid: str
    team_id: str
    uid: int
    user_type: int
    source: int  # "from": 1 system, 2 the user's
    name: str
    prologue: str
    prompt: str
    create: float
    update: float
    docs: list[dict[str, Any]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        return {
            "_id": self.oid,
            "team_id": self.team_id,
            "uid": self.uid,
            "user_type": self.user_type,
            "from": self.source,
            "name": self.name,
            "prologue": self.prologue,
            "prompt": self.prompt,
            "docs": [dict(d) for d in self.docs],
            "urls": list(self.urls),
            "create_time": int(self.create * 1000),
            "update_time": int(self.update * 1000),
        }


# -- credentials ----------------------------------------------------------------


def _material(secret: str, label: str, size: int) -> bytes:
    return hashlib.shake_256(f"{label}:{secret}".encode()).digest(size)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_like(payload: dict[str, Any], secret: str) -> str:
    """A token shaped like a JWT (HS256) whose signature derives from ``secret``."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{header}.{body}.{_b64(_material(secret, 'lk-sig', 32))}"


@dataclass(frozen=True, slots=True)
class CredentialContext:
    """Account-wide values the credentials are built from."""

    uid: int
    agora_app_id: str
    trtc_app_id: int
    livekit_url: str
    livekit_api_key: str
    ws_base: str = field(default="ws://127.0.0.1")


def credentials(rec: SessionRecord, ctx: CredentialContext) -> dict[str, Any]:
    """The join information of ``rec``, shaped for its stream type."""
    if rec.byo_credentials:
        return dict(rec.byo_credentials)  # the caller's own room, echoed
    short = rec.id[-12:]
    if rec.stream_type == "websocket":
        return {"ws_url": f"{ctx.ws_base}/sim/stream/{rec.id}", "ws_token": rec.secret}
    if rec.stream_type == "livekit":
        room = f"akool_live_{short}"
        client = f"client_{ctx.uid}_{short[:6]}"
        token = jwt_like(
            {
                "exp": int(rec.create + rec.duration + 600),
                "iss": ctx.livekit_api_key,
                "nbf": int(rec.create),
                "sub": client,
                "video": {"room": room, "roomJoin": True, "canPublish": True,
                          "canSubscribe": True, "canPublishData": True},
            },
            rec.secret,
        )
        return {
            "livekit_url": ctx.livekit_url,
            "livekit_token": token,
            "livekit_room_name": room,
            "livekit_client_identity": client,
            "livekit_server_identity": f"avatar_{short}",
        }
    if rec.stream_type == "trtc":
        # the OpenAPI file's names (the official demo reads trtc_app_id & co.)
        return {
            "trtc_sdk_app_id": ctx.trtc_app_id,
            "trtc_sdk_room_id": f"akool{short}",
            "trtc_sdk_user_id": f"user_{ctx.uid}_{short[:6]}",
            "trtc_sdk_user_sig": "eJw" + _b64(_material(rec.secret, "trtc", 132)),
        }
    return {
        "agora_uid": 100_000 + int.from_bytes(_material(rec.secret, "uid", 4), "big") % 900_000,
        "agora_app_id": ctx.agora_app_id,
        "agora_channel": f"akool_{rec.id}",
        "agora_token": "007eJx" + _b64(_material(rec.secret, "agora", 105)),
    }


def session_to_api(
    rec: SessionRecord, now: float, queue_delay: float, ctx: CredentialContext,
    *, detail: bool = False,
) -> dict[str, Any]:
    """A session as list and detail answers show it (``detail`` adds its options)."""
    out: dict[str, Any] = {
        "_id": rec.id,
        "uid": ctx.uid,
        "type": SESSION_TYPE,
        "status": rec.status_at(now, queue_delay),
        "stream_type": rec.stream_type,
        "avatar_id": rec.avatar_id,
        "duration": rec.duration,
        "create_time": int(rec.create * 1000),
        "credentials": credentials(rec, ctx),
    }
    if detail:
        out["mode_type"] = rec.mode_type
        for key in ("voice_id", "voice_url", "language", "background_url", "knowledge_id",
                    "scene_mode", "e2e_type"):
            value = getattr(rec, key)
            if value:
                out[key] = value
        if rec.voice_params:
            out["voice_params"] = public_voice_params(rec.voice_params)
    return out


def public_voice_params(vp: dict[str, Any]) -> dict[str, Any]:
    """``voice_params`` as answers show them: the ElevenLabs API key is never echoed."""
    eleven = vp.get("elevenlabs_settings")
    if not isinstance(eleven, dict) or "api_key" not in eleven:
        return vp
    return {**vp, "elevenlabs_settings": {k: v for k, v in eleven.items() if k != "api_key"}}
