"""The events a :class:`~akool_tui.core.chat.conversation.Conversation` emits (plain
frozen dataclasses, no Textual), and :func:`describe_command` (a command for a person).

- :class:`ChannelState` -- connecting / connected / reconnecting / closed / failed;
- :class:`ChatPart` -- the bot's reply (or the user's recognised speech) so far,
  reassembled by mid;
- :class:`Speaking` -- from the ``audio_start`` / ``audio_end`` events;
- :class:`Ack` -- a command's answer; :class:`CommandSent` -- a command went out;
- :class:`Outgoing` -- what became of a line sent to the avatar (sent, queued, failed);
- :class:`ReplyStats` -- a reply's timing moved (:mod:`.timing`, the one measure);
- :class:`Note` -- anything else worth a system line;
- :class:`Interrupting` -- the user asked the avatar to stop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ...stream.codec import Command, CommandAck
from ...stream.transport import TransportState
from .timing import ReplyStats

RETELLING, DIALOGUE = 1, 2

OutStatus = Literal["sent", "queued", "failed", "llm"]
Origin = Literal["user", "llm"]
Emit = Callable[[Any], None]


@dataclass(frozen=True)
class ChannelState:
    state: TransportState
    detail: str = ""
    #: (failed) the session itself is over (closed or unknown): reconnecting cannot help
    session_gone: bool = False


@dataclass(frozen=True)
class ChatPart:
    """A message from the avatar side so far (``sender`` "bot" or "user" speech)."""

    mid: str
    sender: str
    text: str
    complete: bool = False
    incomplete: bool = False

    @property
    def finished(self) -> bool:
        return self.complete or self.incomplete


@dataclass(frozen=True)
class Speaking:
    on: bool


@dataclass(frozen=True)
class Ack:
    ack: CommandAck
    #: the command as sent, humanely: "interrupt", "set-params language fr, mode 1
    #: (retelling)", "set-action gesture hand wave, expression happiness"
    what: str


@dataclass(frozen=True)
class CommandSent:
    """A command is being sent (``interrupt``, ``set-params``); its :class:`Ack` has the
    same ``mid``."""

    mid: str
    what: str


@dataclass(frozen=True)
class Outgoing:
    mid: str
    text: str
    status: OutStatus
    reason: str = ""
    origin: Origin = "user"


@dataclass(frozen=True)
class Note:
    text: str
    level: Literal["info", "warning", "error"] = "info"


@dataclass(frozen=True)
class Interrupting:
    """An interrupt is being sent: the replies streaming now are cut short."""


#: how set-params fields are named for a person (vparams fields without the prefix)
_FIELD_NAMES = {"vid": "voice", "vurl": "voice URL", "lang": "language", "mode": "mode",
                "bgurl": "background", "speed": "speed", "stt_language": "STT language",
                "stt_type": "STT type", "pron_map": "pronunciations",
                "turn_detection": "turn detection", "action": "gesture",
                "expression": "expression"}
_MODE_NAMES = {RETELLING: "1 (retelling)", DIALOGUE: "2 (dialogue)"}
_TURN_NAMES = {"threshold": "threshold", "prefix_padding_ms": "prefix padding",
               "silence_duration_ms": "silence"}


def _humane_value(key: str, value: Any) -> str:
    if key == "mode":
        return _MODE_NAMES.get(value, str(value))
    if key in ("action", "expression") and isinstance(value, str):
        return value.replace("_", " ")
    if key == "pron_map" and isinstance(value, dict):
        return f"{len(value)} word{'s' if len(value) != 1 else ''}"
    if key == "turn_detection" and isinstance(value, dict):
        extra = [f"{_TURN_NAMES.get(k, k)} {v}{' ms' if k.endswith('_ms') else ''}"
                 for k, v in value.items() if k != "type"]
        kind = str(value.get("type", "?"))
        return f"{kind} ({', '.join(extra)})" if extra else kind
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe_command(command: Command) -> str:
    """What a command asks, for a person: ``interrupt``, ``set-params voice
    fr-FR-HenriNeural, language fr, mode 1 (retelling)``, ``set-action gesture hand wave,
    expression happiness`` (vparams fields named without their prefix)."""
    if not command.data:
        return command.cmd
    fields = dict(command.data)
    inner = fields.pop("vparams", None)
    if isinstance(inner, dict):
        fields = {**inner, **{k: v for k, v in fields.items() if k not in inner}}
    return f"{command.cmd} " + ", ".join(
        f"{_FIELD_NAMES.get(k, k)} {_humane_value(k, v)}" for k, v in fields.items())


__all__ = ["DIALOGUE", "RETELLING", "Ack", "ChannelState", "ChatPart", "CommandSent", "Emit",
           "Interrupting", "Note", "Origin", "OutStatus", "Outgoing", "ReplyStats", "Speaking",
           "describe_command"]
