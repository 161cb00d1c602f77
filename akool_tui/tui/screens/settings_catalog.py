"""What the settings screen loads (in workers) and the messages that bring it back:
the streaming voices and the languages, and the knowledge bases (yours and AKool's)
for the default of new sessions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from ...api.models import Language, Voice
from ...stream.codec import CommandAck
from ..widgets.voice_picker import unique_voices

if TYPE_CHECKING:
    from ...api.client import AkoolClient
    from ...api.knowledge import KnowledgeBase


@dataclass
class CatalogLoaded(Message):
    voices: list[Voice]
    languages: list[Language]
    error: str = ""


@dataclass
class KnowledgeLoaded(Message):
    bases: list[KnowledgeBase]
    error: str = ""


@dataclass
class ParamsApplied(Message):
    ack: CommandAck | None
    #: what the form shows but the session keeps (not sent), in words
    kept: list[str]
    error: str = ""


@dataclass
class DefaultsSaved(Message):
    path: Path | None
    error: str = ""


async def load_catalog(client: AkoolClient) -> tuple[list[Voice], list[Language]]:
    """The streaming voices (cloned and AKool's, each once) and the languages. ``type``
    and ``support_stream`` are sent: the service lists only voices that stream."""
    cloned, akool, languages = await asyncio.gather(
        client.list_all_voices(1, support_stream=True),
        client.list_all_voices(2, support_stream=True),
        client.list_languages())
    voices = unique_voices([v for v in (*akool, *cloned) if v.support_stream is not False])
    return voices, languages


async def load_knowledge(client: AkoolClient) -> list[KnowledgeBase]:
    """Your knowledge bases, then AKool's (``source=1``)."""
    from ...api.knowledge import FROM_SYSTEM, FROM_USER

    yours, akool = await asyncio.gather(client.list_all_knowledge(source=FROM_USER),
                                        client.list_all_knowledge(source=FROM_SYSTEM))
    return [*yours, *akool]
