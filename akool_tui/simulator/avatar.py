"""The simulated avatar behind the simulator's stream channel (pure asyncio, no I/O).

It answers v2 stream messages the way AKool's avatar does (spec section 4):

- chat, dialogue mode (2): ``audio_start``, a bot reply that relates to what the user
  said, streamed in parts paced like speech (``chars_per_s``), then ``audio_end``;
- chat, retelling mode (1): the same, speaking back exactly the text it got;
- ``interrupt``: stops the current reply at once (its message is closed with an empty
  ``fin`` part, ``audio_end`` follows) and acks code 1000;
- ``set-params``: acks 1000 with what was applied (``updated lang=fr, vparams.vid=...``;
  the voice belongs in ``vparams.vid`` / ``vparams.vurl``, the deprecated top-level
  ``vid`` / ``vurl`` still work and the ack says so), or 1003 with every reason (mode
  not 1/2, URL not http(s), unknown voice or language, speed out of 0.8..1.2, a bad
  ``turn_detection``, ``stt_type`` or ``pron_map``, a key it does not take);
- ``set-action``: ``{action, expression}`` (either or both, from :data:`ACTIONS` and
  :data:`EXPRESSIONS`) acks 1000 ``applied action=...``, and the next dialogue reply
  mentions the gesture (``*waves and smiles* ...``); neither, or an unknown one, acks 1003;
- any other command acks 1003 ``unknown command``;
- a payload over ``limit`` bytes is rejected, logged and answered with a 1003 ack.

:meth:`SimulatedAvatar.inject_user_speech` plays a ``from: "user"`` transcript as if
the user had spoken into a microphone. :class:`StreamFaults` drops, duplicates or
reorders outgoing parts and drops the connection, from a seeded RNG.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import random
import re
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..stream.chunker import chunk_text
from ..stream.codec import (
    CODE_OK,
    CODE_PARAM_ERROR,
    ChatMessage,
    Command,
    CommandAck,
    Event,
    Message,
    Notice,
    UnknownMessage,
    decode,
    encode,
    new_mid,
)
from ..stream.reassembler import Reassembler
from .params import absent
from .session_options import known_language, turn_detection
from .state import SimError

log = logging.getLogger(__name__)

Send = Callable[[bytes], Awaitable[None]]
RETELLING, DIALOGUE = 1, 2
SPEED_RANGE = (0.8, 1.2)
#: a spoken piece is at least this many characters (a few words)
PIECE_CHARS = 12
_PIECES = re.compile(r"\S+\s*|\s+")
_WORDS = re.compile(r"\w{4,}", re.UNICODE)

#: set-action's gestures and facial expressions, with how a reply describes them
ACTIONS = {
    "hand_wave": "waves", "cheer": "cheers", "thumbs_up": "gives a thumbs up",
    "pump_fists": "pumps both fists", "nod": "nods", "shake": "shakes their head",
    "waft_left": "gestures to the left", "waft_right": "gestures to the right",
}
EXPRESSIONS = {
    "angry": "looks angry", "disgust": "looks disgusted", "fear": "looks afraid",
    "happiness": "smiles", "sadness": "looks sad", "surprise": "looks surprised",
    "contempt": "looks contemptuous",
}
SET_PARAMS_KEYS = ("vid", "vurl", "lang", "mode", "bgurl", "vparams")
VPARAMS_KEYS = ("vid", "vurl", "speed", "stt_language", "pron_map", "stt_type",
                "turn_detection")


@dataclass(frozen=True)
class StreamFaults:
    """Fault injection on the avatar's outgoing chat parts, per part, seeded.

    ``drop``, ``duplicate``, ``reorder`` (swap with the next part) and ``disconnect``
    (drop the connection) are chances from 0 to 1; ``latency`` (seconds, up to 30)
    delays every message the avatar receives (its replies and acks come that late).
    """

    drop: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    disconnect: float = 0.0
    seed: int | None = None
    latency: float = 0.0

    NAMES = ("drop", "duplicate", "reorder", "disconnect")

    def __post_init__(self) -> None:
        lat = self.latency
        if isinstance(lat, bool) or not isinstance(lat, (int, float)) \
                or not math.isfinite(lat) or not 0.0 <= lat <= 30.0:
            raise ValueError(f"fault latency must be a number of seconds from 0 to 30 "
                             f"(got {lat!r})")
        for name in self.NAMES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value) or not 0.0 <= value <= 1.0:
                raise ValueError(f"fault {name} must be a number from 0 to 1 (got {value!r})")

    @property
    def any(self) -> bool:
        return any(getattr(self, name) for name in self.NAMES)

    @classmethod
    def from_mapping(cls, params: Mapping[str, str]) -> StreamFaults:
        """From query parameters such as ``?drop=0.1&reorder=0.2&seed=3``."""
        values: dict[str, Any] = {}
        for name in (*cls.NAMES, "seed", "latency"):
            raw = params.get(name)
            if raw is None or raw == "":
                continue
            try:
                values[name] = int(raw) if name == "seed" else float(raw)
            except ValueError:
                raise ValueError(f"fault {name} must be a number (got {raw!r})") from None
        return cls(**values)


@dataclass
class Params:
    """What ``set-params`` changes."""

    mode: int = DIALOGUE
    vid: str | None = None
    vurl: str | None = None
    lang: str = "en"
    bgurl: str | None = None
    vparams: dict[str, Any] = field(default_factory=dict)


def _http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class SimulatedAvatar:
    """One avatar on one stream connection. Build it inside the running event loop.

    ``voices`` / ``languages``: the valid voice ids and language codes (None: any).
    ``disconnect``: called when a fault drops the connection.
    """

    def __init__(
        self,
        send: Send,
        *,
        mode: int = DIALOGUE,
        voice: str | None = None,
        lang: str | None = "en",
        voices: Collection[str] | None = None,
        languages: Collection[str] | None = None,
        chars_per_s: float = 15.0,
        limit: int = 960,
        faults: StreamFaults | None = None,
        rng: random.Random | None = None,
        disconnect: Callable[[], Awaitable[None]] | None = None,
        reassembly_timeout: float = 5.0,
    ) -> None:
        if not chars_per_s > 0:
            raise ValueError(f"chars_per_s must be > 0, got {chars_per_s}")
        self._send = send
        self.params = Params(mode=mode if mode in (RETELLING, DIALOGUE) else DIALOGUE,
                             vid=voice or None, lang=lang or "en")
        self.voices = frozenset(voices) if voices is not None else None
        self.languages = frozenset(languages) if languages is not None else None
        self.chars_per_s = chars_per_s
        self.limit = limit
        self.faults = faults or StreamFaults()
        self._rng = rng or random.Random(self.faults.seed)
        self._disconnect = disconnect
        self._reassembler = Reassembler(timeout=reassembly_timeout)
        self._loop = asyncio.get_running_loop()
        self._send_lock = asyncio.Lock()
        self._turns: asyncio.Queue[tuple[str, str | None]] = asyncio.Queue()
        self._speaker: asyncio.Task[None] | None = None
        self._current: _Reply | None = None
        self._held: bytes | None = None  # a part held back by the reorder fault
        self._closed = False
        #: what the avatar rejected or ignored, newest last (for tests and logs)
        self.rejections: deque[str] = deque(maxlen=100)
        #: the last set-action applied ({action, expression}, either or both)
        self.last_action: dict[str, str] = {}
        self._gesture = ""  # described at the start of the next dialogue reply

    @property
    def speaking(self) -> bool:
        return self._current is not None

    # -- input -----------------------------------------------------------------------

    async def handle(self, payload: bytes | str) -> None:
        """Handle one incoming data-channel payload."""
        if self._closed:
            return
        size = len(payload.encode("utf-8", "replace") if isinstance(payload, str) else payload)
        if size > self.limit:
            await self._reject_oversize(payload, size)
            return
        msg = decode(payload)
        if msg is None:
            return  # v != 2: ignored, as AKool does
        if self.faults.latency:  # a slow channel: everything arrives that late
            await asyncio.sleep(self.faults.latency)
        await self._dispatch(msg)

    async def _dispatch(self, msg: Message | Notice) -> None:
        if isinstance(msg, ChatMessage):
            self._hear(msg)
        elif isinstance(msg, Command):
            await self._command(msg.mid, msg.cmd, msg.data, msg)
        elif isinstance(msg, UnknownMessage) and msg.type.startswith("command:"):
            # a command this program's codec does not know (set-action, say)
            pld = msg.raw.get("pld") if isinstance(msg.raw.get("pld"), dict) else {}
            await self._command(str(msg.raw.get("mid")), msg.type.split(":", 1)[1],
                                pld.get("data"), None)
        elif isinstance(msg, Notice):
            self._note(msg.text)
        elif isinstance(msg, (CommandAck, Event, UnknownMessage)):
            self._note(f"ignored a {type(msg).__name__} sent to the avatar")

    async def _command(self, mid: str, cmd: str, data: Any, msg: Command | None) -> None:
        if cmd == "interrupt":
            await self.interrupt(mid)
        elif cmd == "set-params":
            await self._set_params(msg or Command(mid=mid, cmd="set-params",
                                                  data=data if isinstance(data, dict) else None))
        elif cmd == "set-action":
            await self._set_action(mid, data)
        else:
            self._note(f"unknown command {cmd!r}")
            await self._emit(encode(CommandAck(
                mid, cmd, CODE_PARAM_ERROR,
                f"unknown command {cmd!r}: use set-params, set-action or interrupt")))

    def _note(self, text: str) -> None:
        log.info("simulated avatar: %s", text)
        self.rejections.append(text)

    async def _reject_oversize(self, payload: bytes | str, size: int) -> None:
        mid, cmd = new_mid("err"), "chat"
        with contextlib.suppress(ValueError, UnicodeDecodeError, AttributeError, TypeError):
            raw = json.loads(payload)
            mid = str(raw.get("mid") or mid)
            cmd = raw.get("pld", {}).get("cmd") or raw.get("type") or cmd
        text = f"message too large: {size} bytes (limit {self.limit})"
        log.warning("simulated avatar rejected a payload: %s", text)
        self.rejections.append(text)
        await self._emit(encode(CommandAck(mid=mid, cmd=str(cmd), code=CODE_PARAM_ERROR, msg=text)))

    def _hear(self, part: ChatMessage) -> None:
        for stale in self._reassembler.expire():
            self._note(f"chat {stale.mid} incomplete after a missing part: not answered")
        update = self._reassembler.feed(part)
        if update.complete and update.changed:
            self._turns.put_nowait((update.text_so_far, None))
            self._ensure_speaker()

    # -- commands --------------------------------------------------------------------

    async def interrupt(self, mid: str | None = None) -> None:
        """Stop speaking at once, forget queued turns, ack when ``mid`` is given."""
        while not self._turns.empty():
            self._turns.get_nowait()
        speaker, self._speaker = self._speaker, None
        if speaker is not None:
            speaker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await speaker
        reply, self._current = self._current, None
        if reply is not None:
            await self._flush_held()
            # close the cut reply so the client never waits for its missing end
            await self._emit(encode(ChatMessage(reply.mid, reply.next_idx, True, "", "bot")))
            await self._emit(encode(Event("audio_end")))
        if mid is not None:
            msg = "interrupted" if reply is not None else "nothing to interrupt"
            await self._emit(encode(CommandAck(mid=mid, cmd="interrupt", code=CODE_OK, msg=msg)))

    def validate(self, data: Any) -> list[str]:
        """Every reason ``data`` cannot be applied by ``set-params`` (empty: valid)."""
        if not isinstance(data, dict) or not data:
            return ["set-params needs data with at least one of vid, vurl, lang, mode, bgurl, vparams"]
        problems = []
        extra = sorted(set(data) - set(SET_PARAMS_KEYS))
        if extra:
            problems.append(f"set-params does not take {', '.join(extra)}: it takes "
                            f"{', '.join(SET_PARAMS_KEYS)}")
        if "mode" in data and (isinstance(data["mode"], bool) or data["mode"] not in (1, 2)):
            problems.append(f"mode must be 1 (retelling) or 2 (dialogue), got {data['mode']!r}")
        if "bgurl" in data and not _http_url(data["bgurl"]):
            problems.append(f"bgurl must be an http(s) URL, got {data['bgurl']!r}")
        if "lang" in data and not self._known(data["lang"], self.languages):
            problems.append(f"unknown language {data['lang']!r}")
        vparams = data.get("vparams", {})
        if not isinstance(vparams, dict):
            problems.append("vparams must be an object")
            vparams = {}
        extra = sorted(set(vparams) - set(VPARAMS_KEYS))
        if extra:
            problems.append(f"vparams does not take {', '.join(extra)}: it takes "
                            f"{', '.join(VPARAMS_KEYS)}")
        for scope, values in (("", data), ("vparams.", vparams)):
            if "vid" in values and not self._known(values["vid"], self.voices):
                problems.append(f"unknown voice id {values['vid']!r} for {scope}vid")
            if "vurl" in values and not _http_url(values["vurl"]):
                problems.append(f"{scope}vurl must be an http(s) URL, got {values['vurl']!r}")
        speed = vparams.get("speed")
        if speed is not None and (isinstance(speed, bool) or not isinstance(speed, (int, float))
                                  or not SPEED_RANGE[0] <= speed <= SPEED_RANGE[1]):
            problems.append(f"vparams.speed must be from {SPEED_RANGE[0]} to {SPEED_RANGE[1]}, got {speed!r}")
        if "stt_language" in vparams and not (
                self.languages is None and isinstance(vparams["stt_language"], str)
                or known_language(vparams["stt_language"], self.languages or frozenset())):
            problems.append(f"unknown vparams.stt_language {vparams['stt_language']!r}")
        if "stt_type" in vparams and vparams["stt_type"] != "openai_realtime":
            problems.append(f"vparams.stt_type must be openai_realtime, got {vparams['stt_type']!r}")
        pron = vparams.get("pron_map")
        if pron is not None and not (isinstance(pron, dict) and all(
                k.strip() and isinstance(v, str) and v.strip() for k, v in pron.items())):
            problems.append("vparams.pron_map must map each word to how to say it (text)")
        if not absent(vparams.get("turn_detection")):
            try:
                turn_detection(vparams["turn_detection"], "vparams.turn_detection")
            except SimError as err:
                problems.append(err.msg)
        return problems

    @staticmethod
    def _known(value: Any, allowed: frozenset[str] | None) -> bool:
        return isinstance(value, str) and bool(value) and (allowed is None or value in allowed)

    async def _set_params(self, cmd: Command) -> None:
        problems = self.validate(cmd.data)
        if problems:
            await self._emit(encode(CommandAck(cmd.mid, cmd.cmd, CODE_PARAM_ERROR, "; ".join(problems))))
            return
        data = dict(cmd.data or {})
        vparams = dict(data.pop("vparams", {}) or {})
        applied = {k: v for k, v in data.items() if k not in ("vid", "vurl")}
        notes = []
        # the voice belongs in vparams; the deprecated top-level keys still work
        for key in ("vid", "vurl"):
            if key in vparams:
                data[key] = vparams.pop(key)
                applied[f"vparams.{key}"] = data[key]
                if key in cmd.data:
                    notes.append(f"top-level {key} ignored: vparams.{key} wins")
            elif key in data:
                applied[key] = data[key]
                notes.append(f"top-level {key} is deprecated: send vparams.{key}")
        applied.update((f"vparams.{k}", v) for k, v in vparams.items())
        p = self.params
        p.mode = data.get("mode", p.mode)
        p.vid = data.get("vid", p.vid)
        p.vurl = data.get("vurl", p.vurl)
        p.lang = data.get("lang", p.lang)
        p.bgurl = data.get("bgurl", p.bgurl)
        p.vparams.update(vparams)
        changed = ", ".join(f"{k}={_shown(v)}" for k, v in sorted(applied.items()))
        msg = "; ".join([f"updated {changed}", *notes])
        await self._emit(encode(CommandAck(cmd.mid, cmd.cmd, CODE_OK, msg)))

    async def _set_action(self, mid: str, data: Any) -> None:
        """Play a gesture and/or a facial expression; the next reply mentions it."""
        problems = validate_action(data)
        if problems:
            await self._emit(encode(CommandAck(mid, "set-action", CODE_PARAM_ERROR,
                                               "; ".join(problems))))
            return
        action, expression = data.get("action"), data.get("expression")
        self.last_action = {k: v for k, v in (("action", action), ("expression", expression)) if v}
        self._gesture = " and ".join(
            x for x in (ACTIONS.get(action or ""), EXPRESSIONS.get(expression or "")) if x)
        applied = ", ".join(f"{k}={v}" for k, v in self.last_action.items())
        await self._emit(encode(CommandAck(mid, "set-action", CODE_OK, f"applied {applied}")))

    # -- user speech -----------------------------------------------------------------

    def inject_user_speech(self, text: str) -> None:
        """Play ``text`` as the user's recognised speech (thread-safe).

        The transcript is sent as ``from: "user"`` parts; in dialogue mode the avatar
        then answers it like a chat message.
        """
        if not isinstance(text, str) or not text.strip():
            raise ValueError("user speech must be non-empty text")
        self._loop.call_soon_threadsafe(self._loop.create_task, self._user_said(text))

    async def _user_said(self, text: str) -> None:
        mid = new_mid("stt")
        for part in chunk_text(text, mid=mid, limit=self.limit):
            await self._emit(encode(ChatMessage(part.mid, part.idx, part.fin, part.text, "user")))
        if self.params.mode == DIALOGUE:
            self._turns.put_nowait((text, "speech"))
            self._ensure_speaker()

    def request_disconnect(self) -> None:
        """Drop the connection as a network fault would (thread-safe)."""
        self._loop.call_soon_threadsafe(self._loop.create_task, self._drop())

    # -- speaking --------------------------------------------------------------------

    def _ensure_speaker(self) -> None:
        if self._speaker is None or self._speaker.done():
            self._speaker = self._loop.create_task(self._speak_turns())

    async def _speak_turns(self) -> None:
        while not self._turns.empty():
            heard, _source = self._turns.get_nowait()
            text = heard if self.params.mode == RETELLING else self.reply_to(heard)
            if self.params.mode != RETELLING and self._gesture:
                text, self._gesture = f"*{self._gesture}* {text}", ""
            await self._speak(text)

    def reply_to(self, heard: str) -> str:
        """A few sentences answering ``heard`` (dialogue mode), deterministic per RNG."""
        words = _WORDS.findall(heard)
        topic = max(words, key=len) if words else heard.strip()[:24]
        quote = heard.strip().replace("\n", " ")
        quote = quote if len(quote) <= 60 else quote[:57].rstrip() + "..."
        openers = ("Thanks for asking.", "Good question.", "I hear you.", "Happy to help.")
        middles = (
            f"You mentioned {topic}, so let me say a little about it.",
            f"When people ask about {topic}, the short answer is that it depends on the details.",
            f"There is a lot to say about {topic}, and I will keep it brief.",
        )
        closers = ("Does that answer your question?", "Tell me if you want more detail.",
                   "What else would you like to know?")
        rng = self._rng
        return " ".join((rng.choice(openers), f"You said: \u201c{quote}\u201d.",
                         rng.choice(middles), rng.choice(closers)))

    def pieces(self, text: str) -> list[str]:
        """``text`` cut into spoken pieces of a few words, each fitting the limit."""
        out: list[str] = []
        buf = ""
        for token in _PIECES.findall(text):
            buf += token
            if len(buf) >= PIECE_CHARS:
                out.append(buf)
                buf = ""
        if buf:
            out.append(buf)
        fitted = []
        for piece in out:
            if len(encode(ChatMessage("m" * 40, 999_999, False, piece, "bot"))) <= self.limit:
                fitted.append(piece)
            else:  # one very long word: cut it by the chunker's rules
                fitted.extend(p.text for p in chunk_text(piece, mid="m" * 40, limit=self.limit - 24))
        return fitted

    async def _speak(self, text: str) -> None:
        reply = self._current = _Reply(mid=new_mid("bot"))
        await self._emit(encode(Event("audio_start")))
        pieces = self.pieces(text)
        for i, piece in enumerate(pieces):
            if self._closed:
                return
            fin = i == len(pieces) - 1
            await self._emit_part(encode(ChatMessage(reply.mid, i, fin, piece, "bot")))
            reply.next_idx = i + 1
            await asyncio.sleep(len(piece) / self.chars_per_s)
        await self._flush_held()
        self._current = None
        await self._emit(encode(Event("audio_end")))

    # -- output and faults -------------------------------------------------------------

    async def _emit(self, payload: bytes) -> None:
        if self._closed:
            return
        async with self._send_lock:
            await self._send(payload)

    async def _emit_part(self, payload: bytes) -> None:
        """Send one reply part through the fault injector."""
        f, rng = self.faults, self._rng
        if not f.any:
            await self._emit(payload)
            return
        if f.disconnect and rng.random() < f.disconnect:
            await self._drop()
            return
        if f.drop and rng.random() < f.drop:
            log.info("fault: dropped a reply part")
            return
        copies = 2 if f.duplicate and rng.random() < f.duplicate else 1
        if self._held is None and f.reorder and rng.random() < f.reorder:
            self._held = payload  # goes out after the next part
            return
        for _ in range(copies):
            await self._emit(payload)
        await self._flush_held()

    async def _flush_held(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            await self._emit(held)

    async def _drop(self) -> None:
        log.info("fault: dropping the stream connection")
        if self._disconnect is not None:
            await self._disconnect()
        await self.close()

    async def close(self) -> None:
        """Stop speaking and send nothing more."""
        if self._closed:
            return
        self._closed = True
        speaker, self._speaker = self._speaker, None
        if speaker is not None and speaker is not asyncio.current_task():
            speaker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await speaker
        self._current = None


def validate_action(data: Any) -> list[str]:
    """Every reason ``data`` is not a valid set-action (empty: valid)."""
    if not isinstance(data, dict):
        return ["set-action needs data with an action and/or an expression"]
    action, expression = data.get("action"), data.get("expression")
    if absent(action) and absent(expression):
        return ["set-action needs an action and/or an expression: action is one of "
                f"{', '.join(ACTIONS)}; expression one of {', '.join(EXPRESSIONS)}"]
    problems = []
    if not absent(action) and action not in ACTIONS:
        problems.append(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
    if not absent(expression) and expression not in EXPRESSIONS:
        problems.append(f"unknown expression {expression!r}: use one of "
                        f"{', '.join(EXPRESSIONS)}")
    extra = sorted(set(data) - {"action", "expression"})
    if extra:
        problems.append(f"set-action does not take {', '.join(extra)}: it takes action, "
                        "expression")
    return problems


_SECRET_KEYS = frozenset({"api_key", "apikey", "token", "secret"})


def _shown(value: Any) -> str:
    """A value as an ack shows it: objects as compact JSON, never a key's value."""
    if isinstance(value, dict):
        value = {k: "(set)" if k.lower() in _SECRET_KEYS else v for k, v in value.items()}
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


@dataclass
class _Reply:
    mid: str
    next_idx: int = 0
