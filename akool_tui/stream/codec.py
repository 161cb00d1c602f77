"""Typed v2 stream messages (spec section 4): encode to compact UTF-8 JSON, decode tolerantly.

``decode`` never raises: a payload that is not JSON (or not a JSON object) becomes a
:class:`Notice` to show as a system line, a message whose ``v`` is not 2 is ignored
(``None``), and an unknown ``type`` is kept as :class:`UnknownMessage` for logging.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from ..api.safejson import JSONError, JSONTooDeep, loads

VERSION = 2

#: command ack code meaning success (same as the REST API)
CODE_OK = 1000
#: parameter error / empty (also used for "message too large")
CODE_PARAM_ERROR = 1003

Sender = Literal["bot", "user"]
CommandName = Literal["set-params", "set-action", "interrupt"]
EventName = Literal["audio_start", "audio_end"]

COMMANDS: tuple[str, ...] = ("set-params", "set-action", "interrupt")
EVENTS: tuple[str, ...] = ("audio_start", "audio_end")
SET_PARAMS_KEYS: tuple[str, ...] = ("lang", "mode", "bgurl", "vparams")
#: what ``vparams`` of set-params takes (the voice goes here: top-level vid/vurl are deprecated)
VPARAMS_KEYS: tuple[str, ...] = ("vid", "vurl", "speed", "stt_language", "pron_map", "stt_type",
                                 "turn_detection")
#: set-action's gestures and facial expressions (spec section 4)
ACTIONS: tuple[str, ...] = ("hand_wave", "cheer", "thumbs_up", "pump_fists", "nod", "shake",
                            "waft_left", "waft_right")
EXPRESSIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happiness", "sadness", "surprise",
                                "contempt")

_SURROGATE = re.compile("[\ud800-\udfff]")
#: how much of a bad payload a notice quotes
_NOTICE_QUOTE = 80


@dataclass(frozen=True)
class ChatMessage:
    """One part of a chat message; ``from_`` is None for client-to-avatar chat."""

    mid: str
    idx: int
    fin: bool
    text: str
    from_: Sender | None = None


@dataclass(frozen=True)
class Command:
    """A client command: ``set-params`` (with ``data``) or ``interrupt``."""

    mid: str
    cmd: CommandName
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class CommandAck:
    """The avatar's answer to a command, same ``mid``; ``code != 1000`` is a failure."""

    mid: str
    cmd: str
    code: int
    msg: str = ""

    @property
    def ok(self) -> bool:
        return self.code == CODE_OK


@dataclass(frozen=True)
class Event:
    """The avatar started (``audio_start``) or stopped (``audio_end``) speaking."""

    event: EventName


@dataclass(frozen=True)
class UnknownMessage:
    """A v2 message of a type (or shape) this client does not know; kept for logging."""

    type: str
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Notice:
    """A payload that is not a valid stream message: shown as a system notice."""

    text: str


Message = Union[ChatMessage, Command, CommandAck, Event, UnknownMessage]


def new_mid(prefix: str = "msg") -> str:
    """A fresh message id, unique within a session (short: every part carries it)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"  # 48 random bits: unique per session, 20 B less per part


def clean_text(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD (valid pairs are joined).

    A Python ``str`` holds surrogates only when it was built from broken input
    (e.g. ``surrogateescape``); they cannot be encoded as UTF-8.
    """
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def set_params(
    mid: str,
    *,
    vid: str | None = None,
    vurl: str | None = None,
    lang: str | None = None,
    mode: int | None = None,
    bgurl: str | None = None,
    vparams: dict[str, Any] | None = None,
) -> Command:
    """A ``set-params`` command; empty values (None, "", {}) are left out.

    The voice is sent as ``vparams.vid`` / ``vparams.vurl`` (the top-level keys are
    deprecated, spec section 6): ``vid`` / ``vurl`` given here go into ``vparams``
    unless ``vparams`` names its own.
    """
    inner = _drop_empty(dict(vparams or {}))
    for key, value in (("vid", vid), ("vurl", vurl)):
        if key not in inner and value not in (None, ""):
            inner[key] = value
    ordered = {k: inner[k] for k in (*VPARAMS_KEYS, *inner) if k in inner}  # voice first
    values = {"lang": lang, "mode": mode, "bgurl": bgurl, "vparams": ordered or None}
    return Command(mid=mid, cmd="set-params", data=_drop_empty(values))


def set_action(mid: str, *, action: str | None = None,
               expression: str | None = None) -> Command:
    """A ``set-action`` command: a gesture (:data:`ACTIONS`) and/or a facial expression
    (:data:`EXPRESSIONS`). Raises ``ValueError`` for neither, or one not in the lists
    (nothing is sent)."""
    if not action and not expression:
        raise ValueError("set-action needs a gesture, an expression or both")
    if action and action not in ACTIONS:
        raise ValueError(f"unknown gesture {action!r}: one of {', '.join(ACTIONS)}")
    if expression and expression not in EXPRESSIONS:
        raise ValueError(f"unknown expression {expression!r}: one of {', '.join(EXPRESSIONS)}")
    return Command(mid=mid, cmd="set-action",
                   data=_drop_empty({"action": action, "expression": expression}))


def interrupt(mid: str) -> Command:
    return Command(mid=mid, cmd="interrupt")


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != "" and v != {}}


# -- encode -------------------------------------------------------------------


def to_dict(msg: Message) -> dict[str, Any]:
    """The wire object of ``msg`` (key order as in the spec)."""
    if isinstance(msg, ChatMessage):
        pld: dict[str, Any] = {"from": msg.from_} if msg.from_ else {}
        pld["text"] = msg.text
        return {"v": VERSION, "type": "chat", "mid": msg.mid, "idx": msg.idx,
                "fin": msg.fin, "pld": pld}
    if isinstance(msg, Command):
        pld = {"cmd": msg.cmd}
        if msg.data is not None:
            pld["data"] = msg.data
        return {"v": VERSION, "type": "command", "mid": msg.mid, "pld": pld}
    if isinstance(msg, CommandAck):
        return {"v": VERSION, "type": "command", "mid": msg.mid,
                "pld": {"cmd": msg.cmd, "code": msg.code, "msg": msg.msg}}
    if isinstance(msg, Event):
        return {"v": VERSION, "type": "event", "pld": {"event": msg.event}}
    if isinstance(msg, UnknownMessage):
        return dict(msg.raw)
    raise TypeError(f"not a stream message: {type(msg).__name__}")


def encode(msg: Message) -> bytes:
    """Compact UTF-8 JSON bytes of ``msg`` (lone surrogates become U+FFFD)."""
    text = json.dumps(to_dict(msg), separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return clean_text(text).encode("utf-8")


# -- decode -------------------------------------------------------------------


def _quote(payload: bytes | str) -> str:
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", "replace")
    payload = clean_text(payload)
    short = payload[:_NOTICE_QUOTE]
    return repr(short + ("…" if len(payload) > _NOTICE_QUOTE else ""))


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _mid(v: Any) -> str | None:
    """Message ids are strings; numbers are accepted and turned into strings."""
    if isinstance(v, str) and v:
        return v
    if _is_int(v):
        return str(v)
    return None


def decode(payload: bytes | str) -> Message | Notice | None:
    """Parse one data-channel payload; never raises.

    Returns a message, a :class:`Notice` for payloads that are not valid stream
    messages, or ``None`` for messages whose ``v`` is not 2 (ignored by the spec).
    """
    if not isinstance(payload, (bytes, bytearray, str)):
        return Notice(f"ignored a stream payload of type {type(payload).__name__}")
    try:
        text = payload.decode("utf-8") if isinstance(payload, (bytes, bytearray)) else payload
        obj = loads(text)  # bounded nesting: never RecursionError, nor a structure too deep to show
    except JSONTooDeep:
        return Notice("ignored a stream message nested too deeply")
    except (UnicodeDecodeError, JSONError) as exc:
        kind = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON"
        return Notice(f"ignored a stream payload that is {kind}: {_quote(payload)}")
    if not isinstance(obj, dict):
        return Notice(f"ignored a stream payload that is not a JSON object: {_quote(payload)}")
    v = obj.get("v")
    if not (_is_int(v) or isinstance(v, float)) or v != VERSION:
        return None
    try:
        return _decode_v2(obj)
    except RecursionError:
        return Notice("ignored a stream message nested too deeply")


def _decode_v2(obj: dict[str, Any]) -> Message | Notice:
    kind = obj.get("type")
    pld = obj.get("pld")
    if not isinstance(pld, dict):
        pld = {}
    if kind == "chat":
        return _decode_chat(obj, pld)
    if kind == "command":
        return _decode_command(obj, pld)
    if kind == "event":
        event = pld.get("event")
        if event in EVENTS:
            return Event(event)
    return UnknownMessage(type=str(kind), raw=obj)


def _decode_chat(obj: dict[str, Any], pld: dict[str, Any]) -> Message | Notice:
    mid, idx, fin, text = _mid(obj.get("mid")), obj.get("idx", 0), obj.get("fin", True), pld.get("text")
    sender = pld.get("from")
    problems = []
    if mid is None:
        problems.append("mid missing")
    if not _is_int(idx) or idx < 0:
        problems.append(f"idx {idx!r} is not a number >= 0")
    if not isinstance(fin, bool):
        problems.append(f"fin {fin!r} is not true/false")
    if not isinstance(text, str):
        problems.append("pld.text missing")
    if sender not in (None, "bot", "user"):
        problems.append(f"pld.from {sender!r} is not bot/user")
    if problems:
        return Notice(f"ignored a malformed chat message ({', '.join(problems)})")
    return ChatMessage(mid=mid, idx=idx, fin=fin, text=clean_text(text), from_=sender)


def _decode_command(obj: dict[str, Any], pld: dict[str, Any]) -> Message | Notice:
    mid, cmd = _mid(obj.get("mid")), pld.get("cmd")
    if mid is None or not isinstance(cmd, str) or not cmd:
        return Notice("ignored a malformed command message (mid or pld.cmd missing)")
    if "code" in pld:
        code = pld.get("code")
        if not _is_int(code):
            return Notice(f"ignored a command ack with a non-numeric code {code!r}")
        msg = pld.get("msg")
        return CommandAck(mid=mid, cmd=cmd, code=code, msg=msg if isinstance(msg, str) else "")
    if cmd not in COMMANDS:
        return UnknownMessage(type=f"command:{cmd}", raw=obj)
    data = pld.get("data")
    return Command(mid=mid, cmd=cmd, data=data if isinstance(data, dict) else None)
