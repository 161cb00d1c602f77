"""Typed messages over a transport: send chat (chunked) and commands, read decoded messages."""

from __future__ import annotations

from collections.abc import AsyncIterator

from .chunker import chunk_text
from .codec import Command, Message, Notice, decode, encode, interrupt, new_mid, set_params
from .transport import Transport

__all__ = ["failed_mids", "messages", "send_chat", "send_command", "send_interrupt",
           "send_set_params"]


async def send_chat(transport: Transport, text: str, *, mid: str | None = None) -> str:
    """Chunk ``text`` to the transport's limit and queue every part; returns the mid.

    Raises ``ValueError`` for empty text (nothing is sent). To retry a message
    reported failed, send the same text with the same ``mid``: parts that did
    arrive the first time are ignored as duplicates by the receiver.
    """
    mid = mid or new_mid()
    for part in chunk_text(text, mid=mid, limit=transport.max_message_bytes):
        await transport.send(encode(part))
    return mid


async def send_command(transport: Transport, command: Command) -> str:
    await transport.send(encode(command))
    return command.mid


async def send_interrupt(transport: Transport) -> str:
    return await send_command(transport, interrupt(new_mid("cmd")))


async def send_set_params(transport: Transport, **params) -> str:
    """``set-params`` with the given keys (vid, vurl, lang, mode, bgurl, vparams)."""
    return await send_command(transport, set_params(new_mid("cmd"), **params))


async def messages(transport: Transport) -> AsyncIterator[Message | Notice]:
    """Decoded incoming messages (v != 2 skipped), until the transport ends."""
    async for payload in transport.receive():
        item = decode(payload)
        if item is not None:
            yield item


def failed_mids(payloads: list[bytes]) -> list[str]:
    """The message ids in payloads reported by ``on_send_failed`` (unique, in order)."""
    mids: dict[str, None] = {}
    for payload in payloads:
        msg = decode(payload)
        mid = getattr(msg, "mid", None)
        if isinstance(mid, str):
            mids[mid] = None
    return list(mids)
