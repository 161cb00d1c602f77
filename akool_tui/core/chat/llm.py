"""Bring your own LLM: stream an OpenAI-compatible ``/chat/completions`` answer.

In retelling mode (1) the avatar speaks exactly what it is sent, so each user line
goes to the user's own LLM and its answer is sent to the avatar sentence by
sentence, as the sentences complete (spec section 4, "Bring-your-own LLM").

- :class:`LlmClient` posts ``{"model", "messages", "stream": true}`` with httpx and
  parses the server-sent events (``data: {...}`` lines, ``data: [DONE]``), yielding
  the text deltas of ``choices[0].delta.content``.
- :class:`SentenceSplitter` turns those deltas into complete sentences.

The API key comes from the environment variable named by ``[llm] api_key_env``;
it is never shown in full (errors and repr mask it). No Textual import here.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass

import httpx

from ...api.safejson import loads as json_loads
from ...api.secrets import mask, mask_text
from ..validators import validate_base_url

log = logging.getLogger(__name__)

#: connect/read timeouts of one completion (a long answer streams for a while)
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: a sentence longer than this is sent at its last space (keeps the avatar talking)
MAX_SENTENCE = 400
#: how much of an error body is quoted
_QUOTE = 200

# a sentence ends at . ! ? … (with closing quotes/brackets) followed by whitespace,
# at CJK full stops (no space needed), or at a line break
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|[。！？]+[”’」』）]*|\n+")

#: the model name the demo simulator's OpenAI-compatible endpoint answers as
SIMULATED_MODEL = "akool-sim-llm"


class LlmError(Exception):
    """The LLM endpoint could not answer; the message is safe to show (no key)."""


@dataclass(frozen=True)
class LlmSettings:
    """Where the LLM is: ``base_url`` (e.g. ``http://127.0.0.1:11434/v1``), ``model``."""

    base_url: str
    model: str
    api_key: str = ""

    def __repr__(self) -> str:
        return (f"LlmSettings(base_url={self.base_url!r}, model={self.model!r}, "
                f"api_key={mask(self.api_key)!r})")

    __str__ = __repr__

    @classmethod
    def from_config(cls, llm, env: Mapping[str, str] | None = None) -> LlmSettings | None:
        """From a :class:`akool_tui.config.LlmConfig`; None when no LLM is configured."""
        if not llm.base_url or not llm.model:
            return None
        env = os.environ if env is None else env
        key = env.get(llm.api_key_env, "") if llm.api_key_env else ""
        return cls(llm.base_url.rstrip("/"), llm.model, key.strip())

    def problem(self) -> str | None:
        """Why these settings cannot work, or None."""
        bad = validate_base_url(self.base_url)
        if bad:
            return f"[llm] base_url must be {bad}"
        if not self.model.strip():
            return "[llm] model is empty"
        return None


class LlmClient:
    """Streams chat completions from an OpenAI-compatible endpoint."""

    def __init__(self, settings: LlmSettings, *, http: httpx.AsyncClient | None = None,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT) -> None:
        problem = settings.problem()
        if problem:
            raise LlmError(problem)
        self.settings = settings
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout, trust_env=False)

    def __repr__(self) -> str:
        return f"LlmClient({self.settings!r})"

    @property
    def url(self) -> str:
        return f"{self.settings.base_url}/chat/completions"

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
        return headers

    def _scrub(self, text: str) -> str:
        return mask_text(text, [self.settings.api_key] if self.settings.api_key else [])

    async def stream_chat(self, messages: Sequence[Mapping[str, str]]) -> AsyncIterator[str]:
        """The answer's text deltas, as they arrive. Raises :class:`LlmError`."""
        body = {"model": self.settings.model, "messages": list(messages), "stream": True}
        try:
            async with self._http.stream("POST", self.url, json=body,
                                         headers=self._headers()) as response:
                if response.status_code != 200:
                    raw = await response.aread()
                    raise LlmError(self._scrub(
                        f"the LLM at {self.url} answered HTTP {response.status_code}: "
                        f"{error_text(raw)}"))
                async for data in sse_data(response.aiter_lines()):
                    if data == "[DONE]":
                        return
                    delta = delta_text(data)
                    if delta:
                        yield delta
        except httpx.HTTPError as exc:
            raise LlmError(self._scrub(
                f"cannot reach the LLM at {self.url}: {exc or type(exc).__name__}")) from None

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()


async def sse_data(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The ``data`` of each server-sent event (multi-line data joined with newlines).

    Comments (``:``) and other fields (``event``, ``id``, ``retry``) are skipped.
    """
    buf: list[str] = []
    async for line in lines:
        line = line.rstrip("\r")
        if not line:
            if buf:
                yield "\n".join(buf)
                buf = []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if field == "data":
            buf.append(value.removeprefix(" "))
    if buf:
        yield "\n".join(buf)


def delta_text(data: str) -> str:
    """The text of one ``chat.completion.chunk`` (``""`` for anything else)."""
    try:
        chunk = json_loads(data)  # bounded nesting, only ValueError
    except ValueError:
        log.info("ignored a non-JSON LLM event: %.80r", data)
        return ""
    if not isinstance(chunk, dict):
        return ""
    if isinstance(chunk.get("error"), dict):
        raise LlmError(f"the LLM reported an error: {chunk['error'].get('message', '')}"[:_QUOTE])
    choices = chunk.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return ""
    delta = choices[0].get("delta") or choices[0].get("message") or {}
    content = delta.get("content") if isinstance(delta, dict) else None
    return content if isinstance(content, str) else ""


def error_text(raw: bytes) -> str:
    """The ``error.message`` of an OpenAI-style error body, else the body's start."""
    text = raw.decode("utf-8", "replace")
    try:
        obj = json_loads(text)
    except ValueError:
        obj = None
    if isinstance(obj, dict):
        err = obj.get("error")
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return err["message"][:_QUOTE]
        if isinstance(err, str):
            return err[:_QUOTE]
    text = " ".join(text.split())
    return (text[:_QUOTE] + "…") if len(text) > _QUOTE else (text or "(empty body)")


class SentenceSplitter:
    """Cuts a stream of text deltas into complete sentences.

    ``feed(delta)`` returns the sentences completed by it; ``flush()`` returns the
    rest once the stream ended. A sentence longer than ``max_len`` is cut at its last
    space so that the avatar never waits long for the next thing to say.
    """

    def __init__(self, max_len: int = MAX_SENTENCE) -> None:
        self.max_len = max_len
        self._buf = ""

    def feed(self, delta: str) -> list[str]:
        self._buf += delta
        out: list[str] = []
        while True:
            m = _SENTENCE_END.search(self._buf)
            if m is not None:
                end = m.end()
            elif len(self._buf) > self.max_len:
                space = self._buf.rfind(" ", 0, self.max_len)
                end = space + 1 if space > 0 else self.max_len
            else:
                break
            sentence, self._buf = self._buf[:end].strip(), self._buf[end:]
            if sentence:
                out.append(sentence)
        return out

    def flush(self) -> list[str]:
        rest, self._buf = self._buf.strip(), ""
        return [rest] if rest else []
