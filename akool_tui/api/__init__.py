"""Async AKool REST client, typed models and error codes. Never imports Textual."""

from .errors import AkoolError, describe_code, error_for_code
from .models import (
    Avatar,
    AvatarSource,
    AvatarStatus,
    Credentials,
    Language,
    Page,
    Session,
    SessionStatus,
    Voice,
)
from .secrets import mask

__all__ = [
    "AkoolClient",
    "AkoolError",
    "Avatar",
    "AvatarSource",
    "AvatarStatus",
    "Credentials",
    "Language",
    "Page",
    "Session",
    "SessionStatus",
    "Voice",
    "describe_code",
    "error_for_code",
    "mask",
]


def __getattr__(name: str):
    if name == "AkoolClient":
        from .client import AkoolClient

        return AkoolClient
    raise AttributeError(name)
