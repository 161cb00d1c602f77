"""The session's real-time data channel: v2 codec, chunking, pacing, reassembly, transports.

Never imports Textual. ``livekit`` is imported only when a LiveKit transport connects.
"""

from .channel import (
    failed_mids,
    messages,
    send_chat,
    send_command,
    send_interrupt,
    send_set_params,
)
from .chunker import DEFAULT_LIMIT, chunk_text
from .codec import (
    ChatMessage,
    Command,
    CommandAck,
    Event,
    Message,
    Notice,
    UnknownMessage,
    decode,
    encode,
    interrupt,
    new_mid,
    set_params,
)
from .pacer import PRESETS, Pacer, pacer_for
from .reassembler import GAP_MARKER, Reassembler, Update
from .transport import (
    MessageTooLarge,
    Transport,
    TransportClosed,
    TransportError,
    TransportState,
    WebSocketTransport,
    transport_for,
)

__all__ = [
    "DEFAULT_LIMIT",
    "GAP_MARKER",
    "PRESETS",
    "ChatMessage",
    "Command",
    "CommandAck",
    "Event",
    "Message",
    "MessageTooLarge",
    "Notice",
    "Pacer",
    "Reassembler",
    "Transport",
    "TransportClosed",
    "TransportError",
    "TransportState",
    "UnknownMessage",
    "Update",
    "WebSocketTransport",
    "chunk_text",
    "decode",
    "encode",
    "failed_mids",
    "interrupt",
    "messages",
    "new_mid",
    "pacer_for",
    "send_chat",
    "send_command",
    "send_interrupt",
    "send_set_params",
    "set_params",
    "transport_for",
]
