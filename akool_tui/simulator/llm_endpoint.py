"""A small, deterministic OpenAI-compatible LLM on the simulator: ``/v1/chat/completions``.

It lets bring-your-own-LLM chat run offline (demo and tests): set ``[llm] base_url``
to ``<simulator>/v1`` and any ``model``. The answer depends only on the last user
message; with ``"stream": true`` it comes as server-sent events of
``chat.completion.chunk`` objects (a few words each), then ``data: [DONE]``, like
OpenAI's API. ``GET /v1/models`` lists the one model. Bad requests get HTTP 400
with an OpenAI-style ``{"error": {"message", "type"}}`` body.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ..core.chat.llm import SIMULATED_MODEL as MODEL  # the name the client expects

#: seconds between streamed chunks (like a fast LLM); tests may set 0
CHUNK_DELAY = 0.01
_PIECES = re.compile(r"\S+\s*")
_WORDS = re.compile(r"\w{4,}", re.UNICODE)


def answer_to(question: str) -> str:
    """The simulated LLM's answer: a few sentences that depend only on ``question``."""
    quote = " ".join(question.split())
    words = _WORDS.findall(quote)
    topic = max(words, key=len) if words else (quote[:24] or "that")
    if len(quote) > 60:
        quote = quote[:57].rstrip() + "..."
    return (f"You asked: \u201c{quote}\u201d. Here is what I know about {topic}. "
            f"It is a good topic for a short answer! Ask me more about {topic} any time.")


def chunks_of(text: str) -> list[str]:
    """``text`` cut into word-sized deltas (what an LLM streams)."""
    return _PIECES.findall(text) or [text]


def _error(message: str, status: int = 400, kind: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "code": None}},
                        status_code=status)


def _last_user_text(messages: Any) -> str | None:
    if not isinstance(messages, list) or not messages:
        return None
    for msg in reversed(messages):
        if isinstance(msg, dict) and msg.get("role") == "user":
            content = msg.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):  # [{"type": "text", "text": ...}]
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return None


def _chunk(cid: str, model: str, created: int, delta: dict[str, Any],
           finish: str | None = None) -> str:
    body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


async def chat_completions(request: Request) -> Response:
    try:
        body = await request.json()
    except ValueError:
        return _error("the request body is not valid JSON")
    if not isinstance(body, dict):
        return _error("the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        return _error("you must provide a model parameter")
    question = _last_user_text(body.get("messages"))
    if question is None:
        return _error("messages must be a list with at least one user message")
    answer = answer_to(question)
    created = int(time.time())
    digest = hashlib.sha256(f"{model}\n{question}".encode("utf-8", "replace")).hexdigest()
    cid = f"chatcmpl-sim{digest[:12]}"
    if not body.get("stream"):
        return JSONResponse({
            "id": cid, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": answer}}],
        })
    delay = request.app.state.llm_chunk_delay

    async def events() -> AsyncIterator[str]:
        yield _chunk(cid, model, created, {"role": "assistant", "content": ""})
        for piece in chunks_of(answer):
            if delay:
                await asyncio.sleep(delay)
            yield _chunk(cid, model, created, {"content": piece})
        yield _chunk(cid, model, created, {}, "stop")
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})


async def list_models(request: Request) -> Response:
    return JSONResponse({"object": "list", "data": [
        {"id": MODEL, "object": "model", "created": 0, "owned_by": "akool-simulator"}]})


def routes() -> list[Route]:
    """The LLM's routes, to mount on the simulator app (``app.state.llm_chunk_delay``)."""
    return [
        Route("/v1/chat/completions", chat_completions, methods=["POST"], name="llm_chat"),
        Route("/v1/models", list_models, methods=["GET"], name="llm_models"),
    ]
